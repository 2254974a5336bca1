"""Save and load trained models (joblib files in ``etl/models/``, shipped with the package)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import joblib

from skilltrends.errors import UserError

SHIPPED_MODELS = Path(__file__).resolve().parent.parent / "models"
MODELS_ENV = "SKILLTRENDS_MODELS_DIR"


def models_dir() -> Path:
    """Where models are read and written: ``$SKILLTRENDS_MODELS_DIR`` or the shipped ones."""
    return Path(os.environ.get(MODELS_ENV) or SHIPPED_MODELS)


class ModelMissing(UserError):
    pass


def save(model, name: str, folder: Path | None = None) -> Path:
    folder = folder or models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.joblib"
    joblib.dump(model, path, compress=3)
    return path


def load(name: str):
    return _load(require(name))


def require(name: str) -> Path:
    """The path of a trained model, or ``ModelMissing`` if there is none."""
    path = models_dir() / f"{name}.joblib"
    if not path.exists():
        raise ModelMissing(f"The trained model {path} is missing: run `skilltrends train` to build it.")
    return path


@lru_cache(maxsize=8)
def _load(path: Path):
    return joblib.load(path)


def forget_loaded() -> None:
    """Drop cached models (after training wrote new ones)."""
    _load.cache_clear()
