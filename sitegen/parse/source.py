"""Bytes -> text: decoding a source file without losing or hiding anything."""

from __future__ import annotations

import re

from sitegen.errors import Diagnostic, SourceError

_BAD_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")


def line_col(text: str, pos: int) -> tuple[int, int]:
    """Return the 1-based line and column of character offset ``pos`` in ``text``."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _excerpt(text: str, pos: int) -> str:
    """Return the line around ``pos``, shortened to a readable length."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end != -1 else len(text)]
    col = pos - start
    if len(line) > 100:
        lo = max(0, col - 40)
        line = ("…" if lo else "") + line[lo : lo + 80] + "…"
    return line


def _unescape_byte(match: re.Match[str]) -> str:
    """Map a byte that is not UTF-8 to its Windows-1252 (or Latin-1) character."""
    byte = bytes([ord(match.group()) - 0xDC00])
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


#: Control bytes that no text file holds (all but tab, line feed and carriage return).
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13))


def looks_binary(data: bytes) -> bool:
    """Return True when the bytes are evidently not a text file."""
    sample = data[:8192]
    if not sample:
        return False
    zeros = sample.count(0)
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return zeros > len(sample) // 100 + 1 or controls > len(sample) // 10


def decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """Decode a source file to text with ``\\n`` line ends, reporting what was repaired.

    Raises SourceError when the file is empty or binary; nothing else raises.
    """
    if not data.strip():
        what = "empty file" if not data else "file holds only white space"
        raise SourceError(Diagnostic(path, 0, 0, f"{what}; skipped"))
    if looks_binary(data):
        raise SourceError(Diagnostic(path, 0, 0, "binary file, not tagged text; skipped"))
    warnings: list[Diagnostic] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = list(_SURROGATE.finditer(text))
    if bad:
        line, col = line_col(text, bad[0].start())
        warnings.append(
            Diagnostic(
                path,
                line,
                col,
                f"{len(bad)} byte(s) are not valid UTF-8; read as Windows-1252",
                _excerpt(text, bad[0].start()).encode("utf-8", "replace").decode("utf-8"),
            )
        )
        text = _SURROGATE.sub(_unescape_byte, text)
    controls = list(_BAD_CONTROLS.finditer(text))
    if controls:
        line, col = line_col(text, controls[0].start())
        warnings.append(
            Diagnostic(
                path,
                line,
                col,
                f"{len(controls)} control character(s) such as NUL cannot appear in a page; shown as \ufffd",
            )
        )
        text = _BAD_CONTROLS.sub("\ufffd", text)
    return text, warnings
