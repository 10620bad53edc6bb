"""One parallel map for the whole build: forked worker processes, results in order.

``fork_map(task, items, jobs)`` yields ``task(item)`` for every item, in the
order of ``items``. The task and the items reach the workers by ``fork``, as
copy-on-write memory, so the state a task needs is whatever it closes over:
nothing is pickled on the way out, only results on the way back. Workers
take the next batch of items from a shared counter, so a slow batch does not
hold the others back. A worker that dies (out of memory, killed) or raises
stops the map with a SitegenError that says what was being done.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sitegen.errors import SitegenError

T = TypeVar("T")
R = TypeVar("R")

#: Seconds to wait for a worker's message before checking that every worker is still alive.
_POLL = 1.0


def fork_map(
    task: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    *,
    what: str,
    batch: int = 1,
    here: bool = False,
    in_flight: int = 0,
) -> Iterator[R]:
    """Yield ``task(item)`` for each item, in order, computed by ``jobs`` processes.

    With ``jobs`` <= 1, or fewer items than a batch, everything runs here.
    With ``here`` this process takes batches too, beside ``jobs - 1``
    workers; otherwise ``jobs`` workers do all of it while this process
    consumes the results. ``in_flight`` (when not 0) bounds the batches taken
    but not yet yielded, which bounds the memory of results waiting for an
    earlier one. ``what`` names the work in error messages ("parsing sources").
    """
    if jobs <= 1 or len(items) <= batch:
        for item in items:
            yield task(item)
        return
    batches = [(start, min(start + batch, len(items))) for start in range(0, len(items), batch)]
    context = multiprocessing.get_context("fork")
    turn = context.Value("i", 0)
    permits = context.BoundedSemaphore(in_flight) if in_flight else None
    messages: Any = context.Queue()

    def run(number: int) -> list[R]:
        start, end = batches[number]
        return [task(item) for item in items[start:end]]

    def work() -> None:
        """Worker process: take batches until none is left; send each one's results."""
        try:
            while (number := _take(turn, len(batches), permits, block=True)) is not None:
                messages.put(("batch", number, run(number)))
            messages.put(("done", None, None))
        except BaseException as exc:  # sent back and raised there
            messages.put(("error", None, _sendable(exc, what)))

    workers = [context.Process(target=work, daemon=True) for _ in range(jobs - 1 if here else jobs)]
    ready: dict[int, list[R]] = {}
    running, following = len(workers), 0
    try:
        for worker in workers:
            worker.start()
        while following < len(batches):
            while following in ready:
                results = ready.pop(following)
                following += 1
                if permits is not None:
                    permits.release()
                yield from results
            if following >= len(batches):
                break
            number = _take(turn, len(batches), permits, block=False) if here else None
            if number is not None:
                ready[number] = run(number)
                continue
            try:
                kind, number, value = messages.get(timeout=_POLL)
            except queue.Empty:
                stopped = [w.exitcode for w in workers if w.exitcode]
                if stopped or (running == 0 and not here):
                    raise SitegenError(
                        f"a worker process stopped while {what} (exit code {stopped[0] if stopped else 0};"
                        " out of memory? try fewer processes with -j)"
                    ) from None
                continue
            if kind == "error":
                raise value
            if kind == "done":
                running -= 1
            else:
                ready[number] = value
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        messages.close()


def _take(turn: Any, total: int, permits: Any, block: bool) -> int | None:
    """Take the number of the next batch, whichever process asks; None when all are taken (or, not
    blocking, when too many are in flight)."""
    if permits is not None and not permits.acquire(block=block):
        return None
    with turn.get_lock():
        if turn.value < total:
            turn.value += 1
            return int(turn.value - 1)
    if permits is not None:
        permits.release()
    return None


def _sendable(exc: BaseException, what: str) -> BaseException:
    """Return an exception that survives the trip back from a worker: itself if it pickles."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return SitegenError(f"while {what}: {type(exc).__name__}: {exc}")
