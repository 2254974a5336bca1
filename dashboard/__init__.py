"""The trends dashboard (Dash, multi-page): ``dashboard.app.create_app`` / ``run``.

Reads data only through :mod:`analysis`. Figure builders (:mod:`dashboard.figures`) and
widgets (:mod:`dashboard.components`) live outside ``pages/`` so tests import them
without building the app.
"""
