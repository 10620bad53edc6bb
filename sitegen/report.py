"""What the user is told: warnings as ``file:line:col``, progress on a terminal, and what happens inside.

``Reporter`` is the one place diagnostics are shown, by the build and by the
preview (which also sends them to the browser's overlay); ``show`` is their
one format. ``--verbose`` turns on Python's logging for the ``sitegen``
logger, which says what each stage does and why an update is done the way
it is. ``bug_report`` is what an error in sitegen itself prints.
"""

from __future__ import annotations

import logging
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from sitegen import __version__
from sitegen.errors import UNMAPPED, Diagnostic

log = logging.getLogger("sitegen")


class Progress:
    """Show ``stage done/total`` on one line once work takes more than a moment."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, delay: float = 0.5) -> None:
        """Write to ``stream`` (stderr); enabled by default only on a terminal."""
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self.delay = delay
        self._last = 0.0
        self._shown = False

    def update(self, stage: str, done: int, total: int) -> None:
        """Report progress through a stage, at most ten times a second."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.delay or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        width = 24
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{stage:<10} [{bar}] {done:,}/{total:,}\x1b[K")
        self.stream.flush()
        self._shown = True

    def message(self, text: str) -> None:
        """Show a stage whose length is unknown, such as a run of another program."""
        if self.enabled and time.monotonic() - self.start >= self.delay:
            self.stream.write(f"\r{text}\x1b[K")
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        """Erase the progress line before other output."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def display_path(path: Path) -> str:
    """Return a path as the user would type it: relative to the current folder when it is below it."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def show(diagnostic: Diagnostic, content: Path | None = None, excerpt: bool = True) -> str:
    """Return a diagnostic as ``file:line:col: warning: message`` (and its excerpt), the path as the user
    would type it: below the current folder when it is, else as given."""
    if not diagnostic.path:
        return str(diagnostic)
    path = (content / diagnostic.path) if content is not None else Path(diagnostic.path)
    text = str(Diagnostic(display_path(path), diagnostic.line, diagnostic.col, diagnostic.message))
    if excerpt and diagnostic.excerpt:
        text += f"\n    {diagnostic.excerpt}"
    return text.encode("utf-8", "replace").decode("utf-8")


class Reporter:
    """Where a build's warnings and progress go; silent unless told otherwise."""

    def __init__(
        self,
        content: Path | None = None,
        progress: Progress | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        """Show warnings about files of ``content`` through ``say`` (nothing when None), progress on ``progress``."""
        self.content = content
        self.progress = progress or Progress(enabled=False)
        self._say = say

    @classmethod
    def terminal(cls, content: Path, progress: bool = True) -> Reporter:
        """Return a reporter that prints warnings to standard error, with a progress line on a terminal."""
        return cls(
            content,
            Progress() if progress else Progress(enabled=False),
            lambda text: print(text, file=sys.stderr, flush=True),
        )

    def warnings(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Show warnings, clearing the progress line first."""
        diagnostics = list(diagnostics)
        if self._say is not None and diagnostics:
            self.progress.clear()
            for diagnostic in fold_unmapped(diagnostics):
                self._say(show(diagnostic, self.content))


def fold_unmapped(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Return the warnings with those about labels the label map does not know folded into one,
    which lists every such label once with the number of documents using it, at the first of them."""
    unmapped = [d for d in diagnostics if d.message.startswith(UNMAPPED)]
    if len(unmapped) < 2:
        return diagnostics
    counts: dict[str, int] = {}
    for diagnostic in unmapped:
        for label in diagnostic.message[len(UNMAPPED) :].split(", "):
            counts[label] = counts.get(label, 0) + 1
    listed = ", ".join(f"{label} ({n} document{'s' * (n != 1)})" for label, n in sorted(counts.items()))
    first = unmapped[0]
    folded = Diagnostic(
        first.path, first.line, first.col, f"{UNMAPPED}{listed}; map them in [types.map] of sitegen.toml"
    )
    rest = [d for d in diagnostics if not d.message.startswith(UNMAPPED)]
    return [folded, *rest]


class _StandardError(logging.StreamHandler):
    """A handler that writes to whatever standard error is when a message comes."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def verbose_logging() -> None:
    """Send the ``sitegen`` logger's messages, debug ones included, to standard error."""
    if not any(isinstance(h, _StandardError) for h in log.handlers):
        handler = _StandardError()
        handler.setFormatter(logging.Formatter("sitegen: %(relativeCreated)7.0f ms %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG)


def bug_report(exc: BaseException) -> str:
    """Return what an error in sitegen itself prints: the traceback and a request to report it."""
    trace = "".join(traceback.format_exception(exc))
    return (
        f"{trace}\n"
        "error: this is a bug in sitegen, not a problem with your files. Please report it with the\n"
        f"traceback above and the versions: sitegen {__version__}, Python {platform.python_version()},"
        f" {platform.system()}.\n"
    )
