"""A local HTTP server for the feed tests (Python's http.server on 127.0.0.1, in a thread).

``routes[path]`` is a list of :class:`Reply`; each request to the path takes the next one, and the last one
is repeated. A reply with an ``etag`` answers 304 to a request whose If-None-Match names it. Every request is
recorded (path, headers, monotonic time).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the body is sent
    etag: str | None = None


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Request(handler.path, dict(handler.headers.items()), time.monotonic()))
            replies = self.routes.get(handler.path)
            if not replies:
                reply = Reply(404, b"not found")
            else:
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.etag is not None and handler.headers.get("If-None-Match") == reply.etag:
            handler.send_response(304)
            handler.send_header("ETag", reply.etag)
            handler.end_headers()
            return
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.etag is not None:
            handler.send_header("ETag", reply.etag)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        try:
            if reply.delay:
                half = len(reply.body) // 2
                handler.wfile.write(reply.body[:half])
                handler.wfile.flush()
                time.sleep(reply.delay)
                handler.wfile.write(reply.body[half:])
            else:
                handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, size cap)


def rss(entries: list[tuple[str, str, str]], title: str = "Example Gazette") -> bytes:
    """An RSS 2.0 feed of (guid, link, title) entries."""
    items = "".join(
        f"<item><guid>{escape(guid)}</guid><link>{escape(link)}</link><title>{escape(name)}</title>"
        f"<pubDate>{formatdate(1764547200 + n * 3600, usegmt=True)}</pubDate></item>"
        for n, (guid, link, name) in enumerate(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://example.org/</link><description>test feed</description>{items}</channel></rss>").encode()


def html_reply(html: str, **options: object) -> Reply:
    return Reply(200, html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, **options)  # type: ignore[arg-type]


class FakeClock:
    """A clock the tests drive: ``sleep`` advances it at once; ``slept`` records every wait."""

    def __init__(self, start: float = 1_764_547_200.0) -> None:
        self.t = start
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.t += seconds
