"""The preview server on 127.0.0.1 under attack: traversal, many connections, slow and malformed clients."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sitegen.cli import make_parser
from sitegen.serve.server import Broadcaster, Gate, PreviewServer, make_handler

SECRET = "top secret outside the site"


@pytest.fixture
def server(tmp_path: Path):
    """Serve a small site whose parent folder holds a secret file and a link to it."""
    root = tmp_path / "site"
    (root / "doc").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (root / "404.html").write_text("<html><head></head><body>not found</body></html>", encoding="utf-8")
    (root / "doc" / "a.html").write_text("<html><body>doc</body></html>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "linkdir").symlink_to(tmp_path)
    httpd = PreviewServer(("127.0.0.1", 0), make_handler(root, Gate(), Broadcaster(), timeout=1.0))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def raw(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes and return everything the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def get(port: int, path: str) -> bytes:
    return raw(port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0


def test_the_preview_binds_to_loopback_by_default() -> None:
    args = make_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/doc/..%2f..%2fsecret.txt",
        "/doc/../../secret.txt",
        "//secret.txt",
        "/link.txt",
        "/linkdir/secret.txt",
        "/%00",
        "/doc%5c..%5c..%5csecret.txt",
        "http://127.0.0.1/../secret.txt",
        "/..%c0%af../secret.txt",
        "/%ff/secret.txt",
    ],
)
def test_traversal_attempts_are_refused(server: int, path: str) -> None:
    response = get(server, path)
    assert status(response) in (400, 404), response[:200]
    assert SECRET.encode() not in response


def test_two_hundred_concurrent_connections(server: int) -> None:
    def fetch(i: int) -> int:
        return status(get(server, "/doc/a.html" if i % 2 else "/"))

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(fetch, range(200)))
    assert results == [200] * 200


def test_slow_clients_are_cut_off_and_do_not_block_others(server: int) -> None:
    slow = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", server), timeout=10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        slow.append(sock)
    try:
        started = time.perf_counter()
        assert status(get(server, "/")) == 200
        assert time.perf_counter() - started < 1.0
        time.sleep(1.5)  # past the server's time limit for a request
        for sock in slow:
            sock.settimeout(2)
            try:
                assert sock.recv(1024) == b"", "a slow client was answered instead of cut off"
            except ConnectionResetError:
                pass
            except TimeoutError:
                pytest.fail("a slow client was never cut off")
    finally:
        for sock in slow:
            sock.close()
    assert status(get(server, "/")) == 200


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"\x00\x01\x02garbage\r\n\r\n",
        b"GET\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X-Long: " + b"b" * 70_000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",
        b"GET /%%%% HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    ],
)
def test_malformed_requests_get_an_error_and_the_server_stays_up(server: int, request_bytes: bytes) -> None:
    response = raw(server, request_bytes)
    if b"No colon" in request_bytes:
        assert status(response) == 200  # a stray header line is ignored, as browsers' servers do
    elif response.startswith(b"HTTP/"):
        assert 400 <= status(response) < 600, response[:200]
    else:  # a request without an HTTP version gets a bare error page (HTTP/0.9), or nothing
        assert response == b"" or b"Error code" in response, response[:200]
    assert SECRET.encode() not in response
    assert status(get(server, "/")) == 200


def test_a_range_of_bytes_is_served_as_asked(server: int) -> None:
    whole = get(server, "/doc/a.html")
    assert status(whole) == 200 and b"Accept-Ranges: bytes" in whole
    body = whole.split(b"\r\n\r\n", 1)[1]

    def ranged(spec: str) -> bytes:
        request = f"GET /doc/a.html HTTP/1.1\r\nHost: x\r\nRange: {spec}\r\nConnection: close\r\n\r\n"
        return raw(server, request.encode())

    first = ranged("bytes=0-5")
    assert status(first) == 206 and first.split(b"\r\n\r\n", 1)[1] == body[:6]
    assert f"Content-Range: bytes 0-5/{len(body)}".encode() in first
    assert ranged("bytes=-4").split(b"\r\n\r\n", 1)[1] == body[-4:]
    assert ranged("bytes=6-").split(b"\r\n\r\n", 1)[1] == body[6:]
    assert status(ranged(f"bytes={len(body) + 10}-")) == 416
    assert status(ranged("lines=1-2")) == 200  # not a range of bytes: the whole file


def test_a_client_trickling_its_request_is_cut_off_at_the_deadline(
    server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.serve import server as server_module

    monkeypatch.setattr(server_module, "REQUEST_SECONDS", 1.5)
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        started = time.perf_counter()
        cut = False
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 100:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                cut = True
                break
            sock.settimeout(0.3)  # each byte comes well inside the server's socket time-out (1 s here)
            try:
                if sock.recv(1024) == b"":
                    cut = True
                    break
            except TimeoutError:
                pass
        assert cut, "a client sending a byte at a time was never cut off"
        assert time.perf_counter() - started < 4


def test_a_client_that_goes_away_mid_answer_leaves_no_trace(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "big.js").write_bytes(b"x" * 20_000_000)
    httpd = PreviewServer(("127.0.0.1", 0), make_handler(root, Gate(), Broadcaster()))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", httpd.server_address[1])) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.sendall(b"GET /big.js HTTP/1.1\r\nHost: x\r\n\r\n")
                sock.recv(1000)
        time.sleep(0.5)
    finally:
        httpd.shutdown()
        httpd.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_the_preview_listens_on_ipv6(tmp_path: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><body>home over IPv6</body></html>", encoding="utf-8")
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError as exc:
        pytest.skip(f"IPv6 loopback is not available here: {exc}")
    httpd = PreviewServer(("::1", 0), make_handler(root, Gate(), Broadcaster()))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("::1", httpd.server_address[1]), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert status(answer) == 200 and b"home over IPv6" in answer
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_busy_port_is_said_before_anything_is_built(tmp_path: Path) -> None:
    from sitegen.errors import ConfigError
    from sitegen.serve.preview import serve

    class Untouched:
        output = tmp_path / "site"

        def build(self):
            raise AssertionError("built before the port was taken")

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=rf"port {port} on 127\.0\.0\.1 is already in use"):
            serve(Untouched(), port=port, say=lambda line: None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"cannot listen on no-such-host\.invalid"):
        serve(Untouched(), host="no-such-host.invalid", port=0, say=lambda line: None)  # type: ignore[arg-type]


def test_an_event_stream_that_reconnects_resumes_after_its_last_event(tmp_path: Path) -> None:
    events = Broadcaster()
    for n in range(3):
        events.send({"type": "build", "changed": [f"doc/{n}.html"], "problems": [], "error": ""})
    httpd = PreviewServer(("127.0.0.1", 0), make_handler(tmp_path, Gate(), events))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", httpd.server_address[1]), timeout=5) as sock:
            sock.sendall(b"GET /__sitegen/events?path=doc/2.html HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 2\r\n\r\n")
            answer = b""
            while b"id: 3" not in answer:
                chunk = sock.recv(65536)
                assert chunk, answer
                answer += chunk
        assert b"id: 2\n" not in answer and b'"doc/2.html"' in answer  # only what came after event 2
    finally:
        events.close()
        httpd.shutdown()
        httpd.server_close()
