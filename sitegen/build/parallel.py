"""One parallel map for the whole build: forked worker processes, results in order.

``fork_map(task, items, jobs)`` yields ``task(item)`` for every item, in the
order of ``items``. The task and the items reach the workers by ``fork``, as
copy-on-write memory, so the state a task needs is whatever it closes over:
nothing is pickled on the way out, only results on the way back. Workers
take the next batch of items from a shared counter, so a slow batch does not
hold the others back. A worker that dies (out of memory, killed) or raises
stops the map with a SitegenError that says what was being done: each worker
writes to a pipe of its own, so a death even in the middle of a message is
seen as the end of that pipe. A thread of this process reads the pipes as
results come, so that no worker waits on a full pipe while this process
runs a task of its own.
"""

from __future__ import annotations

import mmap
import multiprocessing
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import wait
from typing import Any, TypeVar

from sitegen.errors import SitegenError

T = TypeVar("T")
R = TypeVar("R")


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
    consumes the results. Either way a thread of this process reads the
    workers' results as they come (see _Inbox). ``in_flight`` (when not 0)
    bounds the batches taken but not yet yielded, which bounds the memory of
    results waiting for an earlier one. ``what`` names the work in error
    messages ("parsing sources").
    """
    if jobs <= 1 or len(items) <= batch:
        for item in items:
            yield task(item)
        return
    batches = [(start, min(start + batch, len(items))) for start in range(0, len(items), batch)]
    context = multiprocessing.get_context("fork")
    turn = _Turn(context)
    permits = context.BoundedSemaphore(in_flight) if in_flight else None
    count = jobs - 1 if here else jobs
    # One pipe per worker, written without a feeder thread: a worker that dies, even in the middle
    # of a message, closes its end, and reading from it says so instead of waiting for ever.
    pipes = [context.Pipe(duplex=False) for _ in range(count)]

    def run(number: int) -> list[R]:
        start, end = batches[number]
        return [task(item) for item in items[start:end]]

    def work(mine: int) -> None:
        """Worker process: take batches until none is left; send each one's results."""
        for other, (reader, writer) in enumerate(pipes):
            reader.close()
            if other != mine:
                writer.close()
        send = pipes[mine][1].send
        try:
            while (number := _take(turn, len(batches), permits, block=True)) is not None:
                send(("batch", number, run(number)))
            send(("done", None, None))
        except BaseException as exc:  # sent back and raised there
            send(("error", None, _sendable(exc, what)))

    workers = [context.Process(target=work, args=(n,), daemon=True) for n in range(count)]
    inbox = _Inbox({reader: worker for (reader, _), worker in zip(pipes, workers)}, what)
    following = 0
    try:
        for worker in workers:
            worker.start()
        for _, writer in pipes:
            writer.close()
        inbox.start()
        while following < len(batches):
            number = _take(turn, len(batches), permits, block=False) if here else None
            if number is not None:
                inbox.put(number, run(number))
            # Waits only when this process has no batch left to take.
            results = inbox.pop(following, block=number is None)
            while results is not None:
                following += 1
                if permits is not None:
                    permits.release()
                yield from results
                results = inbox.pop(following, block=False) if following < len(batches) else None
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        inbox.stop()
        for reader, _ in pipes:
            reader.close()


class _Inbox:
    """The batches' results as they come, by number: this process's own, and the workers', which a
    thread of this process reads from their pipes as soon as they are sent.

    A worker whose pipe is full waits until it is read; reading from a thread, not between the
    batches this process takes, keeps the workers busy while this process runs a long task of
    its own (one whole-site file of a large archive takes many seconds).
    """

    def __init__(self, listening: dict[Any, Any], what: str) -> None:
        """Read the pipes in ``listening`` (each with its worker) once started; ``what`` names the work."""
        self._listening = listening
        self._what = what
        self._ready: dict[int, list[Any]] = {}
        self._failure: BaseException | None = None
        self._gone: Any = None  # a worker whose pipe ended before it said "done"
        self._over = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="sitegen results", daemon=True)

    def start(self) -> None:
        """Start reading (once the workers are started, so that none is forked with the thread)."""
        self._thread.start()

    def stop(self) -> None:
        """Wait for the reading thread to end: it ends once every pipe has said "done" or been closed
        at its other end, as when the workers are stopped."""
        if self._thread.is_alive():
            self._thread.join()

    def put(self, number: int, results: list[Any]) -> None:
        """Keep the results of a batch this process ran."""
        with self._changed:
            self._ready[number] = results

    def pop(self, number: int, block: bool) -> list[Any] | None:
        """Return and forget the results of batch ``number``; None when they are not there yet and not
        ``block``. Raises what stopped a worker, or SitegenError when the workers all ended without it."""
        with self._changed:
            while True:
                if self._gone is not None:
                    self._gone.join(timeout=5)
                    raise SitegenError(
                        f"a worker process stopped while {self._what} (exit code {self._gone.exitcode};"
                        " out of memory? try fewer processes with -j)"
                    )
                if self._failure is not None:
                    raise self._failure
                if number in self._ready:
                    return self._ready.pop(number)
                if not block:
                    return None
                if self._over:
                    raise SitegenError(f"the worker processes stopped while {self._what} before the work was done")
                self._changed.wait()

    def _read(self) -> None:
        """The reading thread: take every message of the workers until each is done or gone."""
        listening = dict(self._listening)
        try:
            while listening:
                # Each pipe is ready when a message comes or when its worker's end is closed.
                for reader in wait(list(listening)):
                    try:
                        kind, number, value = _message(reader)
                    except (EOFError, OSError):
                        with self._changed:
                            self._gone = listening[reader]
                        return
                    if kind == "error":
                        raise value
                    if kind == "done":
                        del listening[reader]
                    else:
                        with self._changed:
                            self._ready[number] = value
                            self._changed.notify()
        except BaseException as exc:  # raised in the consuming thread, by pop
            with self._changed:
                self._failure = exc
        finally:
            with self._changed:
                self._over = True
                self._changed.notify()


def _message(reader: Any) -> tuple[str, int, Any]:
    """Return the next message of a worker: ("batch", number, results), ("done", …) or ("error", …, exception)."""
    message: tuple[str, int, Any] = reader.recv()
    return message


class _Turn:
    """The number of the next batch, shared by the processes forked after it is made: a shared
    anonymous mapping and a lock (multiprocessing.Value would import ctypes, 9 ms of every build)."""

    def __init__(self, context: Any) -> None:
        self._memory = mmap.mmap(-1, 8)  # shared with the processes forked after it
        self._lock = context.Lock()

    def take(self, total: int) -> int | None:
        """Return the next number below ``total`` and count it taken; None when all are taken."""
        with self._lock:
            number = int.from_bytes(self._memory[:8], "little")
            if number >= total:
                return None
            self._memory[:8] = (number + 1).to_bytes(8, "little")
            return number


def _take(turn: _Turn, total: int, permits: Any, block: bool) -> int | None:
    """Take the number of the next batch, whichever process asks; None when all are taken (or, not
    blocking, when too many are in flight)."""
    if permits is not None and not permits.acquire(block=block):
        return None
    number = turn.take(total)
    if number is not None:
        return number
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
