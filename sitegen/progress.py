"""A one-line progress display on a terminal, silent elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO


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
