"""The preview server: static files from the output folder, live-reload events, error overlay.

Only the preview server injects the live-reload script; built files never
contain it. Requests wait while a rebuild writes files, so a page is never
served half-updated.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

LIVE_PREFIX = "/__sitegen/"
_SCRIPT = (Path(__file__).parent / "livereload.js").read_bytes()
_INJECT = b'<script src="/__sitegen/live.js"></script>'
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
}


class Gate:
    """Let many requests read, or one rebuild write; requests wait for the rebuild.

    Requests that waited for a write go first when it ends, so a long series
    of short writes (the background slices of a rebuild) cannot starve them.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._waiting = 0
        self._writing = False

    def __enter__(self) -> Gate:
        with self._cond:
            self._waiting += 1
            while self._writing:
                self._cond.wait()
            self._waiting -= 1
            self._readers += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._readers -= 1
            self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the gate while files are rewritten."""
        with self._cond:
            while self._writing or self._waiting:
                self._cond.wait()
            self._writing = True
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class Broadcaster:
    """Fan live-reload events out to every connected page."""

    def __init__(self) -> None:
        self._clients: dict[queue.Queue, str] = {}
        self._lock = threading.Lock()
        self.state: dict = {"type": "state", "problems": [], "error": ""}

    def connect(self, page: str = "") -> queue.Queue:
        """Register a page (its output path); it first receives the current problem list."""
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients[client] = page
            client.put(self.state)
        return client

    def open_pages(self) -> set[str]:
        """Return the output paths of the pages open in browsers now."""
        with self._lock:
            return {page for page in self._clients.values() if page}

    def disconnect(self, client: queue.Queue) -> None:
        """Forget a page that went away."""
        with self._lock:
            self._clients.pop(client, None)

    def send(self, event: dict) -> None:
        """Send an event to every page; its problem list is also kept for newcomers."""
        with self._lock:
            if "problems" in event:
                self.state = {"type": "state", "problems": event["problems"], "error": event.get("error", "")}
            for client in self._clients:
                client.put(event)

    def close(self) -> None:
        """Tell every event stream to end."""
        with self._lock:
            for client in self._clients:
                client.put(None)

    @property
    def clients(self) -> int:
        """Return the number of connected pages."""
        with self._lock:
            return len(self._clients)


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """Return the file a URL path names inside root, or None when it is missing or outside."""
    try:
        path = unquote(urlsplit(raw_path).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    try:
        real = candidate.resolve(strict=True)
        real.relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    if real.is_dir():
        real = real / "index.html"
        if not real.is_file():
            return None
    return real if real.is_file() else None


def make_handler(root: Path, gate: Gate, events: Broadcaster, timeout: float = 20.0) -> type:
    """Return a request handler class serving ``root``."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "sitegen"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            self.timeout = timeout  # type: ignore[misc]  # per server: slow clients are cut off
            super().setup()

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _serve(self, head: bool) -> None:
            try:
                path = urlsplit(self.path).path
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, b"bad request", "text/plain; charset=utf-8", head)
                return
            if path == LIVE_PREFIX + "events":
                query = parse_qs(urlsplit(self.path).query).get("path", [""])[0]
                self._events(query.lstrip("/"))
                return
            if path == LIVE_PREFIX + "live.js":
                self._send(HTTPStatus.OK, _SCRIPT, _TYPES[".js"], head)
                return
            with gate:
                if path and not path.endswith("/") and "." not in posixpath.basename(path):
                    folder = resolve_request(root, path + "/")
                    if folder is not None:
                        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                        self.send_header("Location", path + "/")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                found = resolve_request(root, self.path)
                status = HTTPStatus.OK
                if found is None:
                    status, found = HTTPStatus.NOT_FOUND, root / "404.html"
                    if not found.is_file():
                        self._send(
                            status, b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>", _TYPES[".html"], head
                        )
                        return
                body = found.read_bytes()
            kind = _TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            if found.suffix == ".html":
                if status == HTTPStatus.NOT_FOUND:
                    body = body.replace(b"<head>", b'<head><base href="/">', 1)
                body = inject(body)
            self._send(status, body, kind, head)

        def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _events(self, page: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.connection.settimeout(None)
            client = events.connect(page)
            try:
                self.wfile.write(b"retry: 500\n\n")
                self.wfile.flush()
                while True:
                    try:
                        event = client.get(timeout=15)
                    except queue.Empty:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                        continue
                    if event is None:
                        break
                    data = json.dumps(event, ensure_ascii=False)
                    self.wfile.write(f"event: {event['type']}\ndata: {data}\n\n".encode())
                    self.wfile.flush()
            except (OSError, ValueError):
                pass
            finally:
                events.disconnect(client)

    return Handler


def inject(html: bytes) -> bytes:
    """Add the live-reload script to an HTML page (preview only)."""
    index = html.rfind(b"</body>")
    if index == -1:
        return html + _INJECT
    return html[:index] + _INJECT + html[index:]


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server whose handler threads never block shutdown."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
