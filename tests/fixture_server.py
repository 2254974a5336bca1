"""A local HTTP server on 127.0.0.1 serving fixture files at the real API paths, with faults.

``routes`` maps a path (with its query string, as the client sends it, unquoted) to a body
file or bytes; ``faults`` maps a path to a list of responses served before the real one
(e.g. a 429 with Retry-After, then the fixture). Every request is logged in ``requests``.
"""

from __future__ import annotations

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


class FixtureServer:
    def __init__(self):
        self.routes: dict[str, Reply] = {}
        self.faults: dict[str, list[Reply]] = {}
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
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
                    queued = server.faults.get(path)
                    reply = queued.pop(0) if queued else server.routes.get(path)
                if reply is None:
                    reply = Reply(404, b'{"status":404,"error":"Not Found"}')
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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

    def __enter__(self) -> "FixtureServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
