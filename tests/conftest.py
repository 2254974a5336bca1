
# --- dashboard browser tests (dash[testing]): headless Debian Chromium ------------------
# Owned by the dashboard tests (tests/test_dashboard_browser.py). dash's `dash_duo` asks
# this hook for the Chrome options; `--headless=new` here means plain `pytest` runs
# headless without dash's own `--headless` flag (which still works, adding `--headless`).
import atexit as _atexit
import shutil as _shutil
import tempfile as _tempfile

import pytest as _pytest

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def _require_browser() -> str:
    """The Chromium binary; fail (not skip) naming the missing package."""
    chromium = _shutil.which("chromium") or _shutil.which("chromium-browser")
    driver = _shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", chromium), ("chromium-driver", driver)) if not path]
    if missing:
        _pytest.fail(
            "browser tests need Debian's chromium and chromium-driver "
            f"(missing: {', '.join(missing)}); install them with "
            "`apt-get install -y chromium chromium-driver`",
            pytrace=False,
        )
    return chromium


def pytest_setup_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = _require_browser()
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    profile = _tempfile.mkdtemp(prefix="skilltrends-chromium-")
    _atexit.register(_shutil.rmtree, profile, ignore_errors=True)
    options.add_argument(f"--user-data-dir={profile}")
    return options
# --- end of dashboard browser tests block --------------------------------------------
