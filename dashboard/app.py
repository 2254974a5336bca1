"""The dashboard's shell: the app, its navbar, page container and footer.

Pages live in ``dashboard/pages/`` (one module each, registered with
``dash.register_page``); they read data only through :mod:`analysis`.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path

import dash
from dash import html
from werkzeug.serving import select_address_family

from dashboard.components import footer, navbar
from dashboard.context import HOME_KEY
from skilltrends.errors import UserError
from skilltrends.home import Home

_HERE = Path(__file__).parent


def create_app(home: str | os.PathLike | Home | None = None) -> dash.Dash:
    """Build the Dash app for a data directory.

    :param home: the data directory (``--home``); None means ``$SKILLTRENDS_HOME`` or
        ``./data``. Resolved now and stored in ``app.server.config["SKILLTRENDS_HOME"]``,
        where callbacks find it (:func:`dashboard.context.current_home`).
    """
    resolved = home if isinstance(home, Home) else Home.resolve(home)
    app = dash.Dash(
        __name__,  # a module with a file: its folder is the root of pages/ and assets/
        use_pages=True,
        pages_folder=str(_HERE / "pages"),
        assets_folder=str(_HERE / "assets"),
        title="skilltrends",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.server.config[HOME_KEY] = str(resolved.root)
    app.layout = _shell
    # Dash has just (re-)imported the page modules; attach their callbacks to this app.
    for page in dash.page_registry.values():
        register = getattr(sys.modules.get(page["module"]), "register_callbacks", None)
        if register is not None:
            register(app)
    return app


def _shell():
    """The layout, as a function so every page load is built fresh."""
    return html.Div(
        [navbar(), html.Div(dash.page_container, className="container"), footer()],
        className="shell",
    )


def run(
    home: str | os.PathLike | Home | None = None,
    host: str = "127.0.0.1",
    port: int = 8050,
    debug: bool = False,
) -> None:
    """Serve the dashboard on ``host:port`` until interrupted (binds only ``host``)."""
    create_app(home).run(host=host, port=int(port), debug=debug)


def reachable_from_elsewhere(host: str) -> bool:
    """Whether listening on ``host`` lets other machines connect: any of its addresses is not
    a loopback address (``0.0.0.0``, ``::`` and a LAN address are not)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    except socket.gaierror:
        return False  # check_listenable says what is wrong with it
    return any(not ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses)


def check_listenable(host: str, port: int) -> None:
    """One sentence (``UserError``) when ``host:port`` cannot be listened on: a host that
    does not resolve, or a port another program holds. Found by binding it once, before the
    server starts: the server's own failure is two lines after it has announced itself."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserError(f"Cannot listen on {host!r}: {exc.strerror}.") from None
    family = select_address_family(host, port)  # the family the server itself will bind
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as exc:
        raise UserError(f"Cannot listen on {host}:{port}: {exc.strerror} (is another program using the port? "
                        "Pick another with --port).") from None
