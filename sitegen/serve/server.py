"""The preview server: static files from the output folder, live-reload events, error overlay.

Only the preview server injects the live-reload script; built files never
contain it. Requests wait while a rebuild writes files, so a page is never
served half-updated.
"""

from __future__ import annotations

import collections
import json
import mimetypes
import posixpath
import queue
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
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
    ".pagefind": "application/octet-stream",  # the search index's parts: compressed, read by its script
}
#: Seconds a client has to send a whole request (its line and headers), however slowly it sends them.
REQUEST_SECONDS = 10.0
#: Connections handled at once (open pages' event streams included); a connection beyond them is
#: answered "503 Service Unavailable".
MAX_CONNECTIONS = 512
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
#: Where a page's head starts, in order of preference: after its start tag, or after the html start
#: tag or the doctype of a page that leaves it out.
_HEAD_STARTS = [
    re.compile(rb"<head\b[^>]*>", re.I),
    re.compile(rb"<html\b[^>]*>", re.I),
    re.compile(rb"<!doctype[^>]*>", re.I),
]


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
    """Fan live-reload events out to every connected page.

    Build events are numbered (``seq``) and the last HISTORY are kept, so a
    page that reconnects, or reloaded itself, catches up on what it missed.
    """

    #: Build events kept for pages that reconnect.
    HISTORY = 256

    def __init__(self) -> None:
        self._clients: dict[queue.Queue, str] = {}
        self._lock = threading.Lock()
        self.state: dict = {"type": "state", "problems": [], "error": ""}
        self._seq = 0
        self._history: collections.deque[dict] = collections.deque(maxlen=self.HISTORY)

    def connect(self, page: str = "", since: int | None = None) -> queue.Queue:
        """Register a page (its output path); it first receives the current problem list, then the
        build events after number ``since`` that it missed (or, when they are no longer kept, one
        that asks it to reload)."""
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients[client] = page
            client.put(self.state)
            if since is not None and since < self._seq:
                missed = [event for event in self._history if event["seq"] > since]
                if missed and missed[0]["seq"] == since + 1:
                    for event in missed:
                        client.put(event)
                else:
                    client.put({**self.state, "type": "build", "changed": ["*"], "css_only": False, "seq": self._seq})
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
        """Send an event to every page; its problem list is also kept for newcomers, and a build
        event is numbered and kept for pages that reconnect."""
        with self._lock:
            if event.get("type") == "build":
                self._seq += 1
                event = {**event, "seq": self._seq}
                self._history.append(event)
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


def make_handler(root: Path, gate: Gate, events: Broadcaster, timeout: float = 20.0, reload: bool = True) -> type:
    """Return a request handler class serving ``root`` (its pages with the live-reload script, unless not ``reload``)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "sitegen"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            self.timeout = timeout  # type: ignore[misc]  # per server: slow clients are cut off
            super().setup()

        def log_message(self, format: str, *args: object) -> None:
            pass

        def handle_one_request(self) -> None:
            # The request's line and headers must all arrive in REQUEST_SECONDS, however slowly.
            deadlines = getattr(self.server, "deadlines", None)
            if deadlines is not None:
                deadlines.set(self.connection, REQUEST_SECONDS)
            try:
                super().handle_one_request()
            finally:
                if deadlines is not None:
                    deadlines.clear(self.connection)

        def do_HEAD(self) -> None:
            self._arrived()
            self._serve(head=True)

        def do_GET(self) -> None:
            self._arrived()
            self._serve(head=False)

        def _arrived(self) -> None:
            """The request is in: answering it (an event stream, a large file) has no deadline."""
            deadlines = getattr(self.server, "deadlines", None)
            if deadlines is not None:
                deadlines.clear(self.connection)

        def _serve(self, head: bool) -> None:
            try:
                path = urlsplit(self.path).path
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, b"bad request", "text/plain; charset=utf-8", head)
                return
            if path == LIVE_PREFIX + "events":
                query = parse_qs(urlsplit(self.path).query)
                # A reconnecting stream names the last event it had; a page that reloaded itself, ``since``.
                seen = [self.headers.get("Last-Event-ID", ""), query.get("since", [""])[0]]
                numbers = [int(n) for n in seen if n.isdigit() and len(n) < 12]
                self._events(query.get("path", [""])[0].lstrip("/"), max(numbers) if numbers else None)
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
                    body = with_root_base(body)
                if reload:
                    body = inject(body)
            self._send_file(status, body, kind, head)

        def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool, ranges: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if ranges:
                self.send_header("Accept-Ranges", "bytes")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _send_file(self, status: HTTPStatus, body: bytes, kind: str, head: bool) -> None:
            """Send a file, or the part of it a Range header asks for (one range of bytes)."""
            asked = self.headers.get("Range")
            if status != HTTPStatus.OK or asked is None:
                self._send(status, body, kind, head, ranges=status == HTTPStatus.OK)
                return
            part = byte_range(asked, len(body))
            if part is None:  # not one range of bytes: the whole file, as if none was asked for
                self._send(status, body, kind, head, ranges=True)
                return
            start, end = part
            if start >= len(body) or start > end:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body[start : end + 1])

        def _events(self, page: str, since: int | None = None) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.connection.settimeout(None)
            client = events.connect(page, since)
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
                    ident = f"id: {event['seq']}\n" if "seq" in event else ""
                    self.wfile.write(f"{ident}event: {event['type']}\ndata: {data}\n\n".encode())
                    self.wfile.flush()
            except (OSError, ValueError):
                pass
            finally:
                events.disconnect(client)

    return Handler


def with_root_base(html: bytes) -> bytes:
    """Give the page served for a missing path a base at the site's root, so that its relative
    links work at any depth: at the start of its head, which a minified page leaves implied."""
    at = 0
    for start in _HEAD_STARTS:
        found = start.search(html)
        if found is not None:
            at = found.end()
            break
    return html[:at] + b'<base href="/">' + html[at:]


def inject(html: bytes) -> bytes:
    """Add the live-reload script to an HTML page (preview only)."""
    index = html.rfind(b"</body>")
    if index == -1:
        return html + _INJECT
    return html[:index] + _INJECT + html[index:]


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """Return the first and last byte a Range header asks for (``bytes=0-99``, ``bytes=100-``,
    ``bytes=-100``), or None when it is not one range of bytes. The first may be past the end."""
    found = _RANGE.fullmatch(header.strip())
    if found is None or found.group(1) == found.group(2) == "":
        return None
    first, last = found.groups()
    if first == "":  # the last N bytes
        return max(0, size - int(last)), size - 1
    return int(first), min(int(last), size - 1) if last else size - 1


class Deadlines:
    """Cut off connections that overrun their deadline, with one thread for all of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[socket.socket, float] = {}
        self._thread: threading.Thread | None = None

    def set(self, connection: socket.socket, seconds: float) -> None:
        """Cut ``connection`` off in ``seconds`` unless cleared before."""
        with self._lock:
            self._due[connection] = time.monotonic() + seconds
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="sitegen-deadlines", daemon=True)
                self._thread.start()

    def clear(self, connection: socket.socket) -> None:
        """Forget a connection's deadline."""
        with self._lock:
            self._due.pop(connection, None)

    def _watch(self) -> None:
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            with self._lock:
                late = [connection for connection, due in self._due.items() if due <= now]
                for connection in late:
                    del self._due[connection]
            for connection in late:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def address_family(host: str) -> socket.AddressFamily:
    """Return the address family of a host to listen on (an IPv6 address or name gives AF_INET6).

    Raises OSError when the host cannot be resolved.
    """
    try:
        return socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    except socket.gaierror as exc:
        raise OSError(exc.errno, f"unknown host {host!r}") from None


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server whose handler threads never block shutdown.

    It listens on IPv4 or IPv6 as its host says, handles at most
    MAX_CONNECTIONS connections at once, gives each request REQUEST_SECONDS
    to arrive, and takes a client that goes away mid-answer quietly.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type, bind_and_activate: bool = True) -> None:
        self.address_family = address_family(address[0])
        self.deadlines = Deadlines()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, handler, bind_and_activate)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(timeout=1.0):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a client that went away or was too slow; one line for anything else."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"sitegen serve: error while answering {client_address[0]}: {exc!r}", file=sys.stderr)
