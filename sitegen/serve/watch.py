"""Watching sources with watchdog: ignore editor droppings, debounce bursts into one rebuild."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sitegen.files import MARKDOWN_SUFFIXES, is_ignored
from sitegen.parse.formats import FORMATS

#: How long the sources must stay quiet before a rebuild starts (seconds).
QUIET = 0.05
#: The longest a continuous burst of changes can delay a rebuild (seconds).
MAX_DELAY = 1.0
#: How long a path that disappeared may take to come back before it counts as deleted (seconds):
#: some editors save by renaming the file away and writing the new one a moment later.
GRACE = 0.5


def is_noise(path: str) -> bool:
    """Return True for paths no rebuild should wait for: swap, backup and hidden files."""
    parts = Path(path).parts
    return any(is_ignored(part) for part in parts[-1:]) or any(
        part.startswith(".") and part not in (".", "..") for part in parts[:-1]
    )


#: The files a build reads: sources, templates, the configuration and the theme's files.
_READ = (*(s for f in FORMATS.values() for s in f.suffixes), *MARKDOWN_SUFFIXES, ".html", ".toml", ".css", ".js")


def _gone(path: Path, folder: bool) -> bool:
    """Return True when a folder, or a file the build reads, is missing. A file it does not read
    is not waited for: a backup an editor deleted, the temporary file it renamed over a source."""
    return (folder or path.suffix.lower() in _READ) and not path.exists()


class Debouncer:
    """Collect changed paths and call ``action`` once they stop arriving."""

    def __init__(self, action: Callable[[set[Path]], None], quiet: float = QUIET, max_delay: float = MAX_DELAY) -> None:
        self._action = action
        self._quiet, self._max_delay = quiet, max_delay
        self._pending: set[Path] = set()
        self._folders: set[Path] = set()
        """The pending paths that the events said were folders."""
        self._first = self._last = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sitegen-rebuild", daemon=True)
        self._thread.start()

    def add(self, path: Path, folder: bool = False) -> None:
        """Record one changed path (``folder``: the event said it is a folder)."""
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending.add(path)
            if folder:
                self._folders.add(path)
            self._last = now
            self._cond.notify()

    def busy(self, wait: float = 0.0) -> bool:
        """Return True when changes wait for a rebuild (or arrive within ``wait`` seconds)."""
        deadline = time.monotonic() + wait
        with self._cond:
            while not self._pending and not self._stopped:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return bool(self._pending)

    @property
    def stopped(self) -> bool:
        """Return True once ``stop`` was called: work under way should end."""
        return self._stopped

    def stop(self) -> None:
        """Stop the worker thread."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=0.5)  # a rebuild under way is left to end with the process

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                while True:
                    now = time.monotonic()
                    # A burst (a checkout, a search-and-replace) earns a longer quiet window.
                    quiet = self._quiet + min(0.2, 0.002 * len(self._pending))
                    due = min(self._last + quiet, self._first + self._max_delay)
                    if (
                        now >= due
                        and now < self._last + GRACE
                        and any(_gone(p, p in self._folders) for p in self._pending)
                    ):
                        due = self._last + GRACE  # gone, perhaps only for a moment: wait for it to come back
                    if now >= due or self._stopped:
                        break
                    self._cond.wait(due - now)
                batch, self._pending, self._folders = self._pending, set(), set()
            self._action(batch)


class _Handler(FileSystemEventHandler):
    def __init__(self, debouncer: Debouncer, accept: Callable[[Path], bool]) -> None:
        self._debouncer = debouncer
        self._accept = accept

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file in it changed: that file's own event says which
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            self.offer(Path(raw.decode() if isinstance(raw, bytes) else raw), event.is_directory)

    def offer(self, path: Path, folder: bool = False) -> None:
        """Pass on a changed path (``folder``: the event said it is a folder), unless it is noise or not wanted."""
        if not is_noise(str(path)) and self._accept(path):
            self._debouncer.add(path, folder)


class Watcher:
    """A watchdog observer over some folders, feeding one Debouncer."""

    def __init__(self, action: Callable[[set[Path]], None], accept: Callable[[Path], bool], poll: bool = False) -> None:
        """Call ``action`` with the accepted changed paths; with ``poll``, find changes by looking at
        the files every second (for file systems that send no events: network shares, some containers)."""
        self.debouncer = Debouncer(action)
        self._handler = _Handler(self.debouncer, accept)
        self.observer = PollingObserver(timeout=1) if poll else Observer()
        self._scheduled: set[tuple[Path, bool]] = set()

    def ensure(self, paths: list[Path]) -> None:
        """Watch these folders (recursively) and files (through their folder) if not yet watched.

        A folder that does not exist yet is watched through its parent, and
        picked up by a later call once it appears; the files already in it
        by then count as changed, since no event told of them.
        """
        for path in paths:
            recursive = path.is_dir()
            folder = (path if recursive else path.parent).absolute()
            if not folder.exists() or (folder, recursive) in self._scheduled:
                continue
            self._scheduled.add((folder, recursive))
            self.observer.schedule(self._handler, str(folder), recursive=recursive)
            if recursive and self.observer.is_alive():
                for file in sorted(folder.rglob("*")):
                    if file.is_file():
                        self._handler.offer(file)

    def start(self) -> None:
        """Start delivering changes."""
        self.observer.start()

    def stop(self) -> None:
        """Stop watching and wait for the threads to end."""
        self.observer.stop()
        self.debouncer.stop()
        self.observer.join(timeout=0.5)


def watch(
    paths: list[Path], action: Callable[[set[Path]], None], accept: Callable[[Path], bool], poll: bool = False
) -> Watcher:
    """Start watching ``paths``; call ``action`` with each debounced batch of changes (see Watcher)."""
    watcher = Watcher(action, accept, poll)
    watcher.ensure(paths)
    watcher.start()
    return watcher
