"""``sitegen serve`` against a live server on 127.0.0.1: edits, renames, deletes, save patterns."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from tests.test_cli import run


class Server:
    """A ``sitegen serve`` process and the lines it prints."""

    def __init__(self, project: Path, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--port", str(self.port), *args],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("Serving ")

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """Return the next printed line containing ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.log.append(line)
            if text in line:
                return line
        raise AssertionError(f"never printed {text!r}; output so far: {self.log}")

    def quiet_lines(self, seconds: float) -> list[str]:
        """Return what is printed during the next ``seconds``."""
        end, got = time.monotonic() + seconds, []
        while time.monotonic() < end:
            try:
                got.append(self.lines.get(timeout=0.05))
            except queue.Empty:
                pass
        self.log += got
        return got

    def settle(self, quiet: float = 2.5, limit: float = 30) -> list[str]:
        """Return what is printed until nothing is for ``quiet`` seconds: an edit's last work (the
        whole-site files, made once editing pauses, and then the search index) is done."""
        end, got = time.monotonic() + limit, []
        while time.monotonic() < end:
            more = self.quiet_lines(quiet)
            if not more:
                break
            got += more
        return got

    def get(self, path: str) -> tuple[int, str, str]:
        """Return status, content type and body of a page."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode("utf-8")

    def eventually(self, path: str, check, timeout: float = 20) -> None:
        """Wait until the page at ``path`` passes ``check(status, body)``.

        Pages other than the edited one are updated in the background just
        after the edited page, so tests poll for them as a browser would.
        """
        deadline = time.monotonic() + timeout
        while True:
            status, _, body = self.get(path)
            if check(status, body):
                return
            assert time.monotonic() < deadline, f"{path}: {status} {body[:200]!r}; log: {self.log}"
            time.sleep(0.1)

    def stop(self) -> int:
        self.proc.send_signal(2)  # Ctrl-C
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


@pytest.fixture
def server(project: Path):
    running = Server(project)
    yield running
    running.stop()


LIMA = "content/sample/09LIMA1669.txt"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_minified_sites_missing_page_gets_its_base_at_the_start_of_its_head(project: Path) -> None:
    """A minified page leaves ``<head>`` out; the base that makes the 404 page's links work at any
    depth must still come before them."""
    (project / "sitegen.toml").write_text("[pages]\nminify = true\n[search]\nenabled = false\n", encoding="utf-8")
    server = Server(project)
    try:
        status, _, body = server.get("no/such/page.html")
    finally:
        server.stop()
    assert status == 404 and "Page not found" in body and "<head>" not in body
    assert body.startswith('<!doctype html><html lang=en><base href="/">'), body[:120]


def test_serves_pages_with_types_folders_and_404(server: Server) -> None:
    status, kind, body = server.get("")
    assert status == 200 and kind.startswith("text/html") and "<h1>Cable archive</h1>" in body
    assert server.get("assets/style.css")[1].startswith("text/css")
    assert server.get("assets/sitegen.js")[1].startswith("text/javascript")
    status, _, body = server.get("no/such/page.html")
    assert status == 404 and "Page not found" in body and '<base href="/">' in body
    for attack in (
        "../../etc/passwd",
        "%2e%2e/%2e%2e/etc/passwd",
        "..%2f..%2fetc%2fpasswd",
        "%252e%252e/etc/passwd",
        "doc/%00.html",
        "/etc/passwd",
    ):
        status, _, body = server.get(attack)
        assert status == 404 and "root:" not in body


def test_edits_adds_renames_and_deletes_show_up(server: Server, project: Path) -> None:
    doc = "doc/sample/09lima1669.html"
    replace_in(project / LIMA, "warmly welcomes", "most warmly welcomes")
    server.wait_for("Rebuilt")
    assert "most warmly welcomes" in server.get(doc)[2]

    (project / "content/new.txt").write_text(
        "A note on [PER Zed Unique  ] in [LOC Peru  ] ; [PER Zed Unique  ] again.\n", encoding="utf-8"
    )
    server.wait_for("Rebuilt")
    assert server.get("doc/new.html")[0] == 200
    server.eventually("entity/per/zed-unique.html", lambda status, body: status == 200)
    server.eventually("", lambda status, body: "A note on Zed Unique" in body)

    (project / "content/new.txt").rename(project / "content/renamed.txt")
    server.wait_for("Rebuilt")
    assert server.get("doc/new.html")[0] == 404
    assert server.get("doc/renamed.html")[0] == 200
    server.eventually("entity/per/zed-unique.html", lambda status, body: "renamed.html" in body)

    (project / "content/renamed.txt").unlink()
    server.wait_for("Rebuilt")
    assert server.get("doc/renamed.html")[0] == 404
    server.eventually("entity/per/zed-unique.html", lambda status, body: status == 404)
    server.eventually("", lambda status, body: "A note on Zed Unique" not in body)
    server.eventually("entity/loc/peru.html", lambda status, body: "renamed.html" not in body)

    (project / "content/sample").rename(project / "content/moved")
    server.wait_for("Rebuilt")
    assert server.get(doc)[0] == 404
    assert "most warmly welcomes" in server.get("doc/moved/09lima1669.html")[2]
    shutil.rmtree(project / "content/moved")
    server.wait_for("Rebuilt")
    assert server.get("doc/moved/09lima1669.html")[0] == 404


@pytest.mark.slow
def test_atomic_save_rebuilds_exactly_once(server: Server, project: Path) -> None:
    target = project / LIMA
    tmp = target.with_name(".09LIMA1669.txt.tmp1234")
    tmp.write_text(target.read_text(encoding="utf-8").replace("warmly", "atomically"), encoding="utf-8")
    os.replace(tmp, target)
    lines = server.quiet_lines(2.0)
    assert len([line for line in lines if line.startswith("Rebuilt")]) == 1, lines
    assert "atomically" in server.get("doc/sample/09lima1669.html")[2]


@pytest.mark.slow
def test_vim_save_sequence_rebuilds_exactly_once_and_swap_files_trigger_nothing(server: Server, project: Path) -> None:
    target = project / LIMA
    folder = target.parent
    swap = folder / ".09LIMA1669.txt.swp"
    swap.write_bytes(b"swap" * 100)
    (folder / ".09LIMA1669.txt.swx").write_bytes(b"x")
    (folder / "#09LIMA1669.txt#").write_bytes(b"x")
    (folder / ".#09LIMA1669.txt").write_bytes(b"x")
    assert server.quiet_lines(1.0) == []
    # vim's :w with backupcopy=no: probe file 4913, backup by rename, write, remove backup.
    text = target.read_text(encoding="utf-8")
    (folder / "4913").write_bytes(b"")
    (folder / "4913").unlink()
    target.rename(folder / "09LIMA1669.txt~")
    target.write_text(text.replace("warmly", "vimly"), encoding="utf-8")
    (folder / "09LIMA1669.txt~").unlink()
    swap.write_bytes(b"swap2" * 100)
    lines = server.quiet_lines(2.0)
    assert len([line for line in lines if line.startswith("Rebuilt")]) == 1, lines
    assert "vimly" in server.get("doc/sample/09lima1669.html")[2]
    server.settle()  # the save's whole-site files and search index, made once editing pauses
    swap.unlink()
    assert server.quiet_lines(1.0) == []


@pytest.mark.slow
def test_a_burst_of_saves_is_one_rebuild(server: Server, project: Path) -> None:
    for i in range(100):
        (project / "content" / f"burst{i:03}.txt").write_text(f"Burst {i} with [LOC Peru  ] .\n", encoding="utf-8")
    lines = server.quiet_lines(3.0)
    assert len([line for line in lines if line.startswith("Rebuilt")]) == 1, lines
    server.eventually("doc/burst099.html", lambda status, body: status == 200)


def test_a_warning_is_printed_and_the_page_still_builds(server: Server, project: Path) -> None:
    replace_in(project / LIMA, "[PER Alan Garcia  ]", "[PER Alan Garcia ")
    line = server.wait_for("warning")
    assert line.startswith("content/sample/09LIMA1669.txt:4:17: warning: mention '[PER '")
    server.wait_for("Rebuilt")
    assert "[PER Alan Garcia" in server.get("doc/sample/09lima1669.html")[2]


def test_port_in_use_gives_a_clear_message(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-m", "sitegen", "serve", "--port", str(port)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_cleanly(project: Path) -> None:
    running = Server(project)
    assert running.stop() == 0
    assert "Stopping" in "\n".join(running.log + list(running.lines.queue))


def test_binds_to_loopback_only(server: Server) -> None:
    assert "http://127.0.0.1:" in "\n".join(server.log)


def test_event_clients_can_disconnect_and_reconnect(server: Server, project: Path) -> None:
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"GET /__sitegen/events?path=index.html HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b"text/event-stream" in s.recv(4096)
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as s:
        s.sendall(b"GET /__sitegen/events?path=doc/sample/09lima1669.html HTTP/1.1\r\nHost: x\r\n\r\n")
        received = s.recv(4096)
        replace_in(project / LIMA, "warmly", "gladly")
        deadline = time.monotonic() + 15
        while b"event: build" not in received and time.monotonic() < deadline:
            received += s.recv(4096)
    assert b"event: build" in received and b"doc/sample/09lima1669.html" in received
    assert server.get("")[0] == 200


def test_a_templates_folder_created_while_serving_is_watched(server: Server, project: Path) -> None:
    (project / "templates").mkdir()
    override = project / "templates" / "group_index.html"
    override.write_text(
        '{% extends "base.html" %}{% block main %}<p id="v1">{{ kind_title }}</p>{% endblock %}', encoding="utf-8"
    )
    deadline = time.monotonic() + 30
    while 'id="v1"' not in server.get("browse/tags.html")[2]:
        assert time.monotonic() < deadline, server.log
        time.sleep(0.2)
    override.write_text(
        '{% extends "base.html" %}{% block main %}<p id="v2">{{ kind_title }}</p>{% endblock %}', encoding="utf-8"
    )
    while 'id="v2"' not in server.get("browse/tags.html")[2]:
        assert time.monotonic() < deadline, server.log
        time.sleep(0.2)


def test_serve_refuses_a_missing_content_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "content folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_files_already_in_a_folder_when_it_is_first_watched_count_as_changed(tmp_path: Path) -> None:
    """A file written into a new folder before the folder's watch is added must not be missed."""
    from sitegen.serve.watch import Watcher

    batches: queue.Queue = queue.Queue()
    watcher = Watcher(batches.put, accept=lambda path: True)
    watcher.ensure([tmp_path / "sitegen.toml"])  # the project folder itself, as serve watches it
    watcher.start()
    try:
        folder = tmp_path / "templates"
        folder.mkdir()
        (folder / "page.html").write_text("x", encoding="utf-8")
        (folder / "page.html.swp").write_text("x", encoding="utf-8")
        watcher.ensure([folder])
        seen: set[Path] = set()
        deadline = time.monotonic() + 10
        while folder / "page.html" not in seen:
            seen |= batches.get(timeout=max(0.1, deadline - time.monotonic()))
        assert folder / "page.html.swp" not in seen
    finally:
        watcher.stop()


def test_a_file_that_cannot_be_used_is_reported_when_it_is_saved(server: Server, project: Path) -> None:
    for name, data in (
        ("empty.txt", b""),
        ("binary.txt", b"\x00\x01\x02 PNG\x89 \x00" * 50),
        ("latin1.txt", "Caf\u00e9 [LOC Per\u00fa  ] .".encode("latin-1")),
    ):
        (project / "content" / name).write_bytes(data)
        line = server.wait_for(f"content/{name}", timeout=15)
        assert "warning" in line or "error" in line, line


def test_serve_options_poll_watch_and_no_reload(project: Path) -> None:
    extra = project / "data"
    extra.mkdir()
    server = Server(project, "--poll", "--watch", "data", "--no-reload")
    try:
        status_, _, body = server.get("doc/sample/09lima1669.html")
        assert status_ == 200 and "/__sitegen/live.js" not in body  # served as built
        replace_in(project / LIMA, "warmly", "POLLED warmly")
        server.wait_for("Rebuilt", timeout=20)  # found by looking, every second
        assert "POLLED" in server.get("doc/sample/09lima1669.html")[2]
        (extra / "notes.csv").write_text("a,b\n", encoding="utf-8")
        line = server.wait_for("Rebuilt", timeout=30)
        assert int(line.split()[1].replace(",", "")) > 700  # a change there builds the whole site
    finally:
        server.stop()


def test_watching_a_folder_that_does_not_exist_is_refused(project: Path) -> None:
    done = run("serve", "--watch", "nowhere", "--port", "0", cwd=project)
    assert done.returncode == 2 and "--watch nowhere: no such folder" in done.stderr


def test_a_save_that_renames_the_file_away_and_writes_it_again_is_one_edit(server: Server, project: Path) -> None:
    source = project / LIMA
    text = source.read_text(encoding="utf-8")
    source.rename(source.with_name("09LIMA1669.orig"))  # kept aside while the new version is written
    time.sleep(0.3)  # long after the quiet time that starts a rebuild, inside the grace of a deletion
    source.write_text(text.replace("warmly", "RENAMED warmly"), encoding="utf-8")
    line = server.wait_for("Rebuilt")
    assert "sample/09LIMA1669.txt" in line
    assert not [line for line in server.quiet_lines(2.0) if line.startswith("Rebuilt")]  # no delete, no re-create
    status_, _, body = server.get("doc/sample/09lima1669.html")
    assert status_ == 200 and "RENAMED" in body


def test_a_site_that_is_up_to_date_is_served_at_once_and_still_updates(project: Path) -> None:
    assert run("build", cwd=project).returncode == 0
    started = time.perf_counter()
    server = Server(project)
    try:
        assert any("is up to date" in line for line in server.log)
        assert not any(line.startswith("Built ") for line in server.log)
        assert time.perf_counter() - started < 10
        replace_in(project / LIMA, "warmly", "UPTODATE warmly")
        server.wait_for("Rebuilt")
        assert "UPTODATE" in server.get("doc/sample/09lima1669.html")[2]
        new = project / "content" / "cables" / "10LIMA2.txt"
        new.write_text("1. [PER Zyzzyva Quuxley  ] met [PER Zyzzyva Quuxley  ] .\n", encoding="utf-8")
        server.eventually("entity/per/zyzzyva-quuxley.html", lambda status, body: status == 200)
    finally:
        server.stop()


def test_a_site_whose_sources_changed_since_it_was_built_is_updated_in_place_at_start(project: Path) -> None:
    assert run("build", cwd=project).returncode == 0
    site = project / "site"
    files = sum(1 for p in site.rglob("*") if p.is_file())
    other = site / "doc" / "cables" / "02bogota3281.html"
    written = other.stat().st_mtime_ns
    replace_in(project / LIMA, "warmly", "OFFLINE warmly")  # saved while no preview runs
    server = Server(project)
    try:
        line = next(line for line in server.log if line.startswith("Updated "))
        assert "for 1 changed source:" in line
        rendered = int(line.split(": ")[1].split()[0].replace(",", ""))
        assert 0 < rendered < files / 4  # its pages, not the whole site
        assert not any(line.startswith("Built ") for line in server.log)
        assert other.stat().st_mtime_ns == written
        assert "OFFLINE" in server.get("doc/sample/09lima1669.html")[2]
        replace_in(project / LIMA, "OFFLINE", "ONLINE")  # and it goes on updating
        server.eventually("doc/sample/09lima1669.html", lambda status, body: "ONLINE" in body)
    finally:
        server.stop()


def test_a_folder_of_sources_moved_away_and_back_takes_its_pages_with_it(server: Server, project: Path) -> None:
    folder = project / "content" / "sample"
    folder.rename(project / "sample-aside")  # one event for the folder, none for the files in it
    server.eventually("doc/sample/09lima1669.html", lambda status, body: status == 404)
    (project / "sample-aside").rename(folder)
    server.eventually("doc/sample/09lima1669.html", lambda status, body: status == 200)


def test_a_vanished_temporary_file_is_not_waited_for_but_a_vanished_source_or_folder_is(tmp_path: Path) -> None:
    """An editor's save through a temporary file (`sed -i` names it `sedXXXXXX`) leaves that path
    gone by the time the preview looks; only a source or a folder that vanished may come back."""
    from sitegen.serve.watch import GRACE, Debouncer

    batches: queue.Queue = queue.Queue()
    debouncer = Debouncer(batches.put)
    try:
        for path, folder in ((tmp_path / "sed4Xq2Zb", False), (tmp_path / "a.txt", False), (tmp_path / "cables", True)):
            started = time.monotonic()
            debouncer.add(path, folder)
            assert batches.get(timeout=5) == {path}
            waited = time.monotonic() - started
            assert (waited >= GRACE) == (path.name != "sed4Xq2Zb"), (path.name, waited)
    finally:
        debouncer.stop()
