"""The one build pipeline: the preview builds as `sitegen build` does, with the same processes."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from sitegen.build import write as write_module
from sitegen.build.context import BuildContext
from sitegen.build.pipeline import build
from sitegen.config import Config
from sitegen.serve.session import PreviewSession
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "content"


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    shutil.copytree(GOLDEN, tmp_path / "content")
    return BuildContext(
        Config(root=ROOT, search=False, entities=GOLDEN.parent / "entities.toml"),
        tmp_path / "content",
        tmp_path / "site",
        jobs=2,
    )


def test_a_preview_build_writes_the_manifest_and_cache_so_build_has_nothing_to_do(ctx: BuildContext) -> None:
    session = PreviewSession(ctx)
    assert not session.build().error
    result = build(ctx)
    assert result.up_to_date and result.documents == 3


def test_the_preview_rebuilds_with_the_processes_it_was_given_while_its_threads_run(
    ctx: BuildContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = []
    fork_map = write_module.fork_map

    def recording(task, items, jobs, **options):
        used.append(jobs)
        return fork_map(task, items, jobs, **options)

    monkeypatch.setattr(write_module, "fork_map", recording)
    monkeypatch.setattr(write_module, "BATCH", 1)  # so that the small golden site is worth the workers
    stop = threading.Event()
    server = threading.Thread(target=stop.wait, daemon=True)  # as the preview's server and watcher are
    server.start()
    try:
        session = PreviewSession(ctx)
        assert not session.build().error
    finally:
        stop.set()
    assert used == [2]


def test_an_update_in_place_after_a_preview_edit_equals_a_clean_build(ctx: BuildContext, tmp_path: Path) -> None:
    from tests.helpers import tree

    session = PreviewSession(ctx)
    session.build()
    quito = ctx.content / "09QUITO160.txt"
    quito.write_text(quito.read_text(encoding="utf-8").replace(" met ;", " talked ;"), encoding="utf-8")
    assert session.update({quito}) is not None
    session.drain()
    clean = build(BuildContext(ctx.config, ctx.content, tmp_path / "clean"))
    assert not clean.up_to_date
    assert tree(ctx.output) == tree(tmp_path / "clean")


def test_the_parallel_map_gives_results_in_order() -> None:
    from sitegen.build.parallel import fork_map

    assert list(fork_map(lambda n: n * n, range(50), 3, what="squaring", batch=4)) == [n * n for n in range(50)]
    assert list(fork_map(lambda n: -n, range(50), 2, what="negating", batch=3, here=True, in_flight=2)) == [
        -n for n in range(50)
    ]


@pytest.mark.timeout(120)
def test_workers_keep_working_while_this_process_takes_batches_too() -> None:
    """A worker's results fill its pipe in a few batches; this process must read them between batches
    of its own, or the worker waits, idle, until this process has done all the rest."""
    import os
    import time

    from sitegen.build.parallel import fork_map

    def task(n: int) -> tuple[int, bytes]:
        time.sleep(0.002)
        return os.getpid(), b"x" * 4000  # a batch of 8 results is half of what a pipe holds

    results = list(fork_map(task, range(800), 2, what="testing", batch=8, here=True))
    by_worker = sum(1 for pid, _ in results if pid != os.getpid())
    assert by_worker >= 200, f"the worker did {by_worker} of 800 items"


@pytest.mark.timeout(120)
def test_workers_keep_working_while_this_process_runs_one_long_task() -> None:
    """The results a worker sends while this process runs a task of many seconds are read as they
    come: the worker does not wait, its pipe full, until that task is done."""
    import os
    import time

    from sitegen.build.parallel import fork_map

    parent = os.getpid()
    slow = [True]

    def task(n: int) -> tuple[int, bytes]:
        if os.getpid() == parent and slow:
            slow.clear()
            time.sleep(4)  # a whole-site file of a large archive
        else:
            time.sleep(0.001)
        return os.getpid(), b"x" * 4000  # a batch of 8 results is half of what a pipe holds

    results = list(fork_map(task, range(800), 2, what="testing", batch=8, here=True))
    by_this = sum(1 for pid, _ in results if pid == parent)
    assert by_this <= 100, f"this process did {by_this} of 800 items"


@pytest.mark.timeout(60)
def test_a_worker_killed_while_it_sends_a_large_result_stops_the_map_with_a_message() -> None:
    import os

    from sitegen.build.parallel import fork_map
    from sitegen.errors import SitegenError

    parent = os.getpid()

    def task(n: int) -> bytes:
        if os.getpid() != parent and n >= 2:
            os._exit(9)  # as the system kills a process that runs out of memory, maybe while it sends
        return b"x" * 20_000_000  # much more than a pipe holds: sending it takes a while

    with pytest.raises(SitegenError, match=r"worker process stopped while testing \(exit code"):
        list(fork_map(task, range(8), 3, what="testing", batch=1))
