"""scikit-learn classifiers: mention disambiguation, is_ml, sentence kinds and responsibilities.

Each model is small, trained by ``skilltrends train`` (``etl.training``) and shipped as an
artifact in ``etl/models/`` so nobody has to retrain to use skilltrends.
"""
