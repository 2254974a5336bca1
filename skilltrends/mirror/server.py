"""A local HTTP server answering like the Hacker News Algolia API, from generated threads.

Routes (the real paths, so a spider only changes its base URL):

* ``GET /robots.txt``: allow everything.
* ``GET /api/v1/search_by_date``: stories newest first. ``query`` (words matched
  case-insensitively at word starts in title, url, author and story text; the last word
  also as a prefix, like Algolia), ``tags`` (``a,b`` = and, ``(a,b)`` = or; stories carry
  ``story``, ``author_whoishiring``, ``story_<id>``, ``ask_hn``), ``numericFilters``
  (``created_at_i>X,created_at_i<Y``; any numeric hit field; ``< <= = != >= >``),
  ``page`` and ``hitsPerPage`` (default 20, at most 1000; like Algolia, no hit past the
  1000th is reachable). With ``tags=comment,story_<id>`` it returns that thread's
  comments as comment hits; comment search without a ``story_<id>`` tag returns nothing
  (the mirror has no global comment index).
* ``GET /api/v1/search``: the same, ranked by points instead of date.
* ``GET /api/v1/items/<id>``: the item tree (a story with all its comments, or a comment
  with its replies); ``{"status":404,"error":"Not Found"}`` with HTTP 404 otherwise.

Run ``python -m skilltrends.mirror.server --port 8765 --scale 0.1`` to serve until Ctrl-C.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import signal
import sys
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit

from skilltrends.mirror.generator import HiringThreadGenerator, find_item, highlight_story

ROBOTS_TXT = b"User-agent: *\nDisallow:\n"
MAX_HITS_PER_PAGE = 1000
PAGINATION_LIMIT = 1000  # Algolia's paginationLimitedTo
NOT_FOUND = {"status": 404, "error": "Not Found"}
_NUMERIC = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(<=|>=|!=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$")
_ITEM_PATH = re.compile(r"^/api/v1/items/([^/]+)/?$")


class BadRequest(ValueError):
    """A parameter the mirror cannot use; answered with HTTP 400."""


def _dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def _split_top_level(value: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_tags(value: str) -> list[set[str]]:
    """``story,(author_a,author_b)`` -> [{"story"}, {"author_a", "author_b"}] (and of ors)."""
    groups = []
    for part in _split_top_level(value or ""):
        if part.startswith("(") and part.endswith(")"):
            groups.append({t.strip() for t in part[1:-1].split(",") if t.strip()})
        else:
            groups.append({part})
    return groups


def parse_numeric_filters(value: str) -> list[tuple[str, str, float]]:
    filters = []
    for part in _split_top_level(value or ""):
        match = _NUMERIC.match(part)
        if not match:
            raise BadRequest(f"invalid numericFilters element {part!r}")
        filters.append((match.group(1), match.group(2), float(match.group(3))))
    return filters


_OPS = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


class _Record:
    """One searchable hit with what the filters need."""

    __slots__ = ("hit", "tags", "words")

    def __init__(self, hit: dict, texts: list[str]):
        self.hit = hit
        self.tags = set(hit["_tags"])
        self.words = set()
        for text in texts:
            if text:
                self.words |= _words(html.unescape(text))

    def matches_query(self, qwords: list[str]) -> bool:
        if not qwords:
            return True
        *exact, last = qwords
        if any(w not in self.words for w in exact):
            return False
        return last in self.words or any(w.startswith(last) for w in self.words)


class HNMirror:
    """The mirror server: ``with HNMirror(generator) as m: fetch(m.url + "/api/v1/...")``."""

    def __init__(self, generator: HiringThreadGenerator | None = None, host: str = "127.0.0.1",
                 port: int = 0, verbose: bool = False, cache_size: int = 8):
        self.generator = generator or HiringThreadGenerator()
        self.host, self._port = host, port
        self.verbose = verbose
        self.cache_size = cache_size
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._cache: OrderedDict[int, tuple[dict, bytes]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._key_locks: dict[int, threading.Lock] = {}
        self._stats_lock = threading.Lock()
        #: counters: requests, threads_generated, cache_hits
        self.stats = {"requests": 0, "threads_generated": 0, "cache_hits": 0}
        self._stories = [_Record(h, [h["title"], h["url"], h["author"], h["story_text"]])
                         for h in self.generator.stories()]

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "HNMirror":
        if self._server is not None:
            return self
        handler = type("MirrorHandler", (_Handler,), {"mirror": self})
        server = ThreadingHTTPServer((self.host, self._port), handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="hn-mirror",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the mirror is not started; call start() first")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "HNMirror":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def serve_forever(self) -> None:
        """Start (if needed) and block until KeyboardInterrupt."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.close()

    def _count(self, key: str) -> None:
        with self._stats_lock:
            self.stats[key] += 1

    # ------------------------------------------------------------------ items

    def _thread_entry(self, story_id: int) -> tuple[dict, bytes] | None:
        """(tree, JSON bytes) of a story, from the LRU cache or generated once."""
        with self._cache_lock:
            entry = self._cache.get(story_id)
            if entry is not None:
                self._cache.move_to_end(story_id)
                self._count("cache_hits")
                return entry
            key_lock = self._key_locks.setdefault(story_id, threading.Lock())
        with key_lock:  # one generation per story even under concurrent requests
            try:
                with self._cache_lock:
                    entry = self._cache.get(story_id)
                if entry is None:
                    tree = self.generator.thread(story_id)
                    if tree is None:
                        return None
                    entry = (tree, _dumps(tree))
                    self._count("threads_generated")
                    with self._cache_lock:
                        self._cache[story_id] = entry
                        while len(self._cache) > self.cache_size:
                            self._cache.popitem(last=False)
                return entry
            finally:
                with self._cache_lock:
                    self._key_locks.pop(story_id, None)

    def item_response(self, item_id: int) -> tuple[int, bytes]:
        story_id = self.generator.story_of(item_id)
        if story_id is None:
            return 404, _dumps(NOT_FOUND)
        entry = self._thread_entry(story_id)
        if entry is None:
            return 404, _dumps(NOT_FOUND)
        tree, body = entry
        if item_id == story_id:
            return 200, body
        node = find_item(tree, item_id)
        return (200, _dumps(node)) if node is not None else (404, _dumps(NOT_FOUND))

    # ------------------------------------------------------------------ search

    def search_response(self, params: list[tuple[str, str]], by_date: bool) -> dict:
        started = time.perf_counter()
        args = dict(params)
        query = args.get("query", "")
        try:
            page = int(args.get("page", "0") or 0)
            per_page = int(args.get("hitsPerPage", "20") or 20)
        except ValueError as exc:
            raise BadRequest(f"page and hitsPerPage must be integers ({exc})") from None
        if page < 0 or per_page < 0:
            raise BadRequest("page and hitsPerPage must not be negative")
        per_page = min(per_page, MAX_HITS_PER_PAGE)
        tags = parse_tags(args.get("tags", ""))
        numeric = parse_numeric_filters(args.get("numericFilters", ""))
        qwords = re.findall(r"\w+", query.lower())

        if any("comment" in group for group in tags):
            records = self._comment_records(tags)
            highlight_attrs = None
        else:
            records = self._stories
            highlight_attrs = "story"
        selected = [
            r for r in records
            if all(group & r.tags for group in tags)
            and all(_OPS[op](r.hit.get(field) if r.hit.get(field) is not None else math.nan,
                             value) for field, op, value in numeric)
            and r.matches_query(qwords)
        ]
        if by_date:
            selected.sort(key=lambda r: (r.hit["created_at_i"], int(r.hit["objectID"])),
                          reverse=True)
        else:
            selected.sort(key=lambda r: (r.hit.get("points") or 0, r.hit["created_at_i"]),
                          reverse=True)
        nb_hits = len(selected)
        reachable = min(nb_hits, PAGINATION_LIMIT)
        nb_pages = math.ceil(reachable / per_page) if per_page else 0
        lo = page * per_page
        window = selected[lo:min(lo + per_page, reachable)] if per_page else []
        hits = []
        for r in window:
            hit = dict(r.hit)
            if highlight_attrs == "story":
                hit["_highlightResult"] = highlight_story(hit, query)
            else:
                hit["_highlightResult"] = _highlight_comment(hit, query)
            hits.append(hit)
        echo = sorted((k, v) for k, v in params)
        spent = max(1, int((time.perf_counter() - started) * 1000))
        return {
            "hits": hits,
            "nbHits": nb_hits,
            "page": page,
            "nbPages": nb_pages,
            "hitsPerPage": per_page,
            "exhaustiveNbHits": False,
            "exhaustiveTypo": False,
            "exhaustive": {"nbHits": False, "typo": False},
            "query": query,
            "params": "advancedSyntax=true&analytics=true&analyticsTags=backend&"
                      + urlencode(echo, quote_via=quote_plus),
            "processingTimeMS": spent,
            "processingTimingsMS": {"_request": {"roundTrip": spent + 2}, "total": spent},
            "serverTimeMS": spent + 1,
        }

    def _comment_records(self, tags: list[set[str]]) -> list[_Record]:
        story_ids = {int(t[6:]) for group in tags for t in group
                     if t.startswith("story_") and t[6:].isdigit()}
        records = []
        for sid in story_ids:
            entry = self._thread_entry(sid)
            if entry is None:
                continue
            tree = entry[0]
            stack = list(tree["children"])
            while stack:
                node = stack.pop()
                stack.extend(node["children"])
                if node["text"] is None:  # deleted comments are not in the search index
                    continue
                hit = {
                    "created_at": node["created_at"], "title": None, "url": None,
                    "author": node["author"], "points": node["points"], "story_text": None,
                    "comment_text": node["text"], "num_comments": None,
                    "story_id": tree["id"], "story_title": tree["title"],
                    "story_url": tree["url"] or None, "parent_id": node["parent_id"],
                    "created_at_i": node["created_at_i"],
                    "_tags": ["comment", f"author_{node['author']}", f"story_{tree['id']}"],
                    "objectID": str(node["id"]), "_highlightResult": {},
                }
                records.append(_Record(hit, [node["text"], node["author"], tree["title"]]))
        return records


def _highlight_comment(hit: dict, query: str) -> dict:
    fake = {"title": hit["story_title"], "author": hit["author"], "story_text": hit["comment_text"],
            "url": None}
    base = highlight_story(fake, query)
    return {"author": base["author"], "comment_text": base["story_text"],
            "story_title": base["title"]}


class _Handler(BaseHTTPRequestHandler):
    mirror: HNMirror  # set on the per-server subclass
    protocol_version = "HTTP/1.1"
    server_version = "skilltrends-hn-mirror/1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if self.mirror.verbose:
            sys.stderr.write("hn-mirror: %s - %s\n" % (self.address_string(), format % args))

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, body: bytes) -> None:
        self._send(status, body, "application/json; charset=utf-8")

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        mirror = self.mirror
        mirror._count("requests")
        parts = urlsplit(self.path)
        path = parts.path
        try:
            if path == "/robots.txt":
                self._send(200, ROBOTS_TXT, "text/plain; charset=utf-8")
            elif path in ("/api/v1/search_by_date", "/api/v1/search"):
                params = parse_qsl(parts.query, keep_blank_values=True)
                result = mirror.search_response(params, by_date=path.endswith("_by_date"))
                self._json(200, _dumps(result))
            elif (match := _ITEM_PATH.match(path)) is not None:
                raw = match.group(1)
                if not raw.isdigit():
                    self._json(400, _dumps({"status": 400, "error": "Bad Request",
                                            "message": f"item id must be a number, not {raw!r}"}))
                else:
                    status, body = mirror.item_response(int(raw))
                    self._json(status, body)
            elif path == "/":
                self._send(200, b"skilltrends offline HN mirror: generated data, not real "
                                b"postings. Try /api/v1/search_by_date?query=hiring\n",
                           "text/plain; charset=utf-8")
            else:
                self._json(404, _dumps(NOT_FOUND))
        except BadRequest as exc:
            self._json(400, _dumps({"status": 400, "error": "Bad Request", "message": str(exc)}))
        except (BrokenPipeError, ConnectionResetError):
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m skilltrends.mirror.server",
        description="Serve generated 'Who is hiring?' threads in the HN Algolia API format.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 = any free port")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="volume multiplier (1.0 = real HN volume, ~97k postings)")
    parser.add_argument("--total", type=int, default=None,
                        help="aim at this many postings in total (overrides --scale)")
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument("--start", default="2011-04", help="first month, YYYY-MM")
    parser.add_argument("--end", default="2026-10", help="last month, YYYY-MM")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    from skilltrends.mirror.generator import scale_for_total

    try:
        scale = (scale_for_total(args.total, args.seed, args.start, args.end)
                 if args.total else args.scale)
        generator = HiringThreadGenerator(seed=args.seed, scale=scale, start=args.start,
                                          end=args.end)
    except ValueError as exc:
        parser.error(str(exc))
    mirror = HNMirror(generator, host=args.host, port=args.port, verbose=args.verbose)
    mirror.start()
    print(f"HN mirror (generated data) serving {len(generator.months())} months, "
          f"{generator.total_postings()} postings, at {mirror.url}", flush=True)
    print(f"  try {mirror.url}/api/v1/search_by_date?query=hiring&page=0  (Ctrl-C to stop)",
          flush=True)
    def stop(signum, frame):  # SIGTERM (e.g. from a supervisor) stops like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        mirror.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
