"""`python -m etl.is_ml_cv`: folds fixed per posting, every labelled posting predicted once."""

from etl.is_ml_cv import FOLDS, fold_of, predicted_by_folds
from etl.training import IsMlExamples


def _examples() -> tuple[IsMlExamples, list]:
    ml = "Acme | Machine Learning Engineer | Remote\nTrain and deploy PyTorch models for ranking."
    other = "Acme | Frontend Engineer | Remote\nBuild React pages for our checkout."
    keys, sources, texts, labels = [], [], [], []
    for n in range(40):
        source = ("silver", "hn", "authored_postings board", "authored_boards")[n % 4]
        keys.append(f"p{n}")
        sources.append(source)
        texts.append((ml if n % 2 else other) + f" Team {n}.")
        labels.append(n % 2)
    return IsMlExamples(keys, sources, texts, labels, [1.0] * len(keys)), [(text, ()) for text in texts]


def test_a_postings_fold_depends_on_the_seed_and_its_own_id_only():
    assert fold_of(0, "p1") == fold_of(0, "p1")
    assert {fold_of(0, f"p{n}") for n in range(100)} == set(range(FOLDS))
    assert [fold_of(0, f"p{n}") for n in range(20)] != [fold_of(1, f"p{n}") for n in range(20)]


def test_every_labelled_posting_is_predicted_once_and_silver_ones_never():
    examples, rows = _examples()
    for boards in (True, False):
        predicted = predicted_by_folds(examples, rows, seed=0, boards=boards, board_copy=True)
        assert sorted(predicted) == [i for i, source in enumerate(examples.sources) if source != "silver"]
        assert all(isinstance(value, bool) for value in predicted.values())


def test_without_boards_no_model_trains_on_them_and_none_on_its_own_fold(monkeypatch):
    import numpy as np

    from etl import is_ml_cv
    examples, rows = _examples()
    trained_on: list[list] = []

    class Recorder:
        def fit(self, train_rows, labels, classifier__sample_weight):
            trained_on.append(list(train_rows))
            return self

        def predict_proba(self, test_rows):
            return np.full((len(test_rows), 2), 0.5)

    monkeypatch.setattr(is_ml_cv.postings, "new_model", lambda board_copy: Recorder())
    boards = {rows[i] for i, source in enumerate(examples.sources) if source == "authored_boards"}
    silver = {rows[i] for i, source in enumerate(examples.sources) if source == "silver"}
    for with_boards in (True, False):
        trained_on.clear()
        is_ml_cv.predicted_by_folds(examples, rows, seed=0, boards=with_boards, board_copy=False)
        assert len(trained_on) == FOLDS
        for fold, train in enumerate(trained_on):
            assert silver <= set(train)
            assert bool(boards & set(train)) == with_boards
            assert not any(fold_of(0, examples.keys[rows.index(row)]) == fold
                           for row in train if row not in silver)
