"""A local HTTP server on 127.0.0.1 serving fixture files at the real API paths, with faults.

``routes`` maps a path (with its query string, as the client sends it, unquoted) to a body
file or bytes; ``faults`` maps a path to a list of responses served before the real one
(e.g. a 429 with Retry-After, then the fixture). Every request is logged in ``requests``
(and its headers in ``request_headers``).

Faults a ``Reply`` can stage besides status, body, headers and ``delay``: ``reset`` (the
connection is reset without an answer), ``declared_length`` (a Content-Length larger than
the body, then the connection closes: a truncated transfer). A reply carrying an ``ETag``
or ``Last-Modified`` header answers 304 to a request whose ``If-None-Match`` /
``If-Modified-Since`` matches it, as a real API with conditional GET does.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=lambda: {"Content-Type": "application/json; charset=utf-8"})
    delay: float = 0.0
    reset: bool = False  # reset the connection instead of answering
    declared_length: int | None = None  # announce this Content-Length, send the body, close


class QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up (a timeout, a killed crawl) is expected here, not a failure."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FixtureServer:
    def __init__(self):
        self.routes: dict[str, Reply] = {}
        self.faults: dict[str, list[Reply]] = {}
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
        self.request_headers: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = unquote(self.path)
                with server.lock:
                    server.requests.append(path)
                    server.user_agents.add(self.headers.get("User-Agent", ""))
                    server.request_headers.append((path, dict(self.headers.items())))
                    queued = server.faults.get(path)
                    reply = queued.pop(0) if queued else server.routes.get(path)
                if reply is None:
                    reply = Reply(404, b'{"status":404,"error":"Not Found"}')
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    # SO_LINGER 0: close() sends a TCP RST, "connection reset by peer".
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if reply.status == 200 and self.not_modified(reply):
                    self.send_response(304)
                    for name in ("ETag", "Last-Modified"):
                        if name in reply.headers:
                            self.send_header(name, reply.headers[name])
                    self.end_headers()
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                length = reply.declared_length if reply.declared_length is not None else len(reply.body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(reply.body)
                if reply.declared_length is not None:
                    self.wfile.flush()
                    self.close_connection = True

            def not_modified(self, reply: Reply) -> bool:
                etag, modified = reply.headers.get("ETag"), reply.headers.get("Last-Modified")
                if etag and self.headers.get("If-None-Match"):
                    return etag in [tag.strip() for tag in self.headers["If-None-Match"].split(",")]
                return bool(modified and self.headers.get("If-Modified-Since") == modified)

        self.httpd = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve_file(self, path: str, file: Path, **reply) -> None:
        self.routes[path] = Reply(body=file.read_bytes(), **reply)

    def fail_first(self, path: str, *replies: Reply) -> None:
        self.faults.setdefault(path, []).extend(replies)

    def requested(self, prefix: str) -> list[str]:
        with self.lock:
            return [path for path in self.requests if path.startswith(prefix)]

    def headers_of(self, path: str) -> list[dict]:
        """The headers of every request for ``path``, in order."""
        with self.lock:
            return [headers for requested, headers in self.request_headers if requested == path]

    def __enter__(self) -> "FixtureServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
