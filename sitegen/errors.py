"""The exception tree and the diagnostics that carry ``file:line:col``."""

from __future__ import annotations

from dataclasses import dataclass


class SitegenError(Exception):
    """Base class of every error sitegen reports to the user."""


class ConfigError(SitegenError):
    """The configuration or the command line is wrong; the build cannot start."""


class OutputError(ConfigError):
    """The output folder cannot be written safely."""


class WriteError(SitegenError):
    """The system refused a build's file (a full disk, a file too large, no permission): the
    build stops there, the previous site as it was or, after an update stopped half-way, without
    the manifest that would let the next build trust it."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in one source file, located by line and column."""

    path: str
    """Path of the source file, as shown to the user."""
    line: int
    """1-based line number; 0 when the problem concerns the whole file."""
    col: int
    """1-based column (in characters); 0 when it concerns the whole line."""
    message: str
    """What is wrong, in one sentence."""
    excerpt: str = ""
    """The offending source line, shortened, to quote under the message."""

    def __str__(self) -> str:
        if not self.path:
            return f"warning: {self.message}"
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: warning: {self.message}"


#: How the warning about labels the label map does not know begins (the reporter folds them into one).
UNMAPPED = "label(s) not in [types.map], kept as MISC: "


class SourceError(SitegenError):
    """A source file cannot be used at all (unreadable, binary, empty)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
