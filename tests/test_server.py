"""The preview server's pieces: path resolution and the read/write gate."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sitegen.serve.server import Gate, inject, resolve_request


def test_resolve_request_stays_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "doc").mkdir(parents=True)
    (root / "index.html").write_text("home")
    (root / "doc" / "a b.html").write_text("doc")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert resolve_request(root, "/") == (root / "index.html").resolve()
    assert resolve_request(root, "/doc/a%20b.html?x=1#y") == (root / "doc" / "a b.html").resolve()
    for bad in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/doc/..%2f..%2fsecret.txt",
        "/link.txt",
        "//etc/passwd",
        "/doc/%00",
        "/%ff%fe",
        "secret.txt",
        "/doc\\..\\..\\secret.txt",
        "/doc/",
    ):
        assert resolve_request(root, bad) is None, bad


def test_inject_adds_the_script_before_the_end_of_body() -> None:
    assert inject(b"<html><body><p>x</p></body></html>").endswith(
        b'<script src="/__sitegen/live.js"></script></body></html>'
    )


def test_requests_are_not_starved_by_a_series_of_writes() -> None:
    gate, stop = Gate(), threading.Event()

    def writer() -> None:
        while not stop.is_set():
            with gate.writing():
                time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.05)
        started = time.monotonic()
        with gate:
            waited = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
    assert waited < 0.5


def test_a_page_that_reconnects_gets_the_build_events_it_missed() -> None:
    from sitegen.serve.server import Broadcaster

    events = Broadcaster()
    for n in range(3):
        events.send({"type": "build", "changed": [f"doc/{n}.html"], "problems": [], "error": ""})
    client = events.connect("doc/2.html", since=1)
    received = [client.get_nowait() for _ in range(client.qsize())]
    assert [e["type"] for e in received] == ["state", "build", "build"]
    assert [e["changed"] for e in received[1:]] == [["doc/1.html"], ["doc/2.html"]]
    assert [e["seq"] for e in received[1:]] == [2, 3]
    current = events.connect("doc/2.html", since=3)
    assert current.qsize() == 1  # up to date: only the problem list
    for n in range(Broadcaster.HISTORY + 5):
        events.send({"type": "build", "changed": [f"doc/{n}.html"], "problems": [], "error": ""})
    late = events.connect("doc/2.html", since=1)  # what it missed is no longer kept: reload everything
    received = [late.get_nowait() for _ in range(late.qsize())]
    assert [e["changed"] for e in received[1:]] == [["*"]]
