"""How pages and callbacks find the data directory the app was created for.

:func:`dashboard.app.create_app` stores the resolved home in the Flask server's config
under :data:`HOME_KEY`; layouts and callbacks run inside a request, where
:func:`current_home` reads it back through ``flask.current_app``. No module globals, so
several apps (one per test) can live in one process.
"""

from __future__ import annotations

import flask

from skilltrends.home import Home

HOME_KEY = "SKILLTRENDS_HOME"


def current_home() -> Home:
    """The home of the app serving the current request."""
    return Home.resolve(flask.current_app.config[HOME_KEY])


def callback_registry():
    """A page's own callback list: ``(page_callback, register_callbacks)``.

    ``@page_callback(Output(...), Input(...))`` takes ``dash.callback``'s arguments and
    records the function; :func:`dashboard.app.create_app` then calls the page's
    ``register_callbacks(app)``, which attaches them with ``app.callback``. Unlike
    ``dash.callback`` (one process-wide list, taken whole by the first app to serve a
    request) this keeps each app's callbacks its own, so several apps can coexist.
    """
    recorded: list[tuple[tuple, dict, object]] = []

    def page_callback(*args, **kwargs):
        def record(function):
            recorded.append((args, kwargs, function))
            return function

        return record

    def register_callbacks(app) -> None:
        for args, kwargs, function in recorded:
            app.callback(*args, **kwargs)(function)

    return page_callback, register_callbacks
