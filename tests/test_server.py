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
