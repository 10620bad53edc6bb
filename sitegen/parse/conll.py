"""CoNLL columns -> Document: a token per line, its label in the last column.

The format of the NER benchmarks (CoNLL-2003, Wikigold, re3d): columns
separated by tabs or spaces, the token first and the label last, a blank
line after each sentence, and ``-DOCSTART-`` lines between documents. The
labels may follow any of the usual schemes: IOB1 (``I-`` unless two
entities touch), IOB2/BIO (``B-`` starts each), BIOES/BILOU (``S-``/``U-``
for one token, ``E-``/``L-`` for the last), or bare labels (IO).

Tokens are joined into text with spaces, except before closing punctuation
and after opening brackets; each sentence becomes a paragraph, so each has
its permalink, and a mention's line is that of its first token.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

from sitegen.errors import Diagnostic
from sitegen.model import Document
from sitegen.parse.labels import Labels
from sitegen.parse.spans import Span, span_document

_DOCSTART = re.compile(r"^-DOCSTART-(?:\s|$)")
#: Comment lines of CoNLL-U (``# sent_id = 3``, ``# text = …``) and CoNLL-2012 (``#begin document …``).
_COMMENT = re.compile(r"^#\s*[\w.-]+\s*=|^#(?:begin|end) document\b")
_NO_SPACE_BEFORE = {
    ".",
    ",",
    ";",
    ":",
    "!",
    "?",
    ")",
    "]",
    "}",
    "%",
    "'s",
    "'S",
    "n't",
    "'re",
    "'ve",
    "'ll",
    "'d",
    "'m",
    "''",
}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "#"}
#: An apostrophe written as a token of its own joins the word before it, and the ending after it.
_APOSTROPHES = {"'", "’"}
_CLITICS = {"s", "S", "t", "re", "ve", "ll", "d", "m"}
_BEGIN, _INSIDE, _END, _SINGLE = "B", "I", "E", "S"
_PREFIXES = {"B": _BEGIN, "I": _INSIDE, "E": _END, "L": _END, "S": _SINGLE, "U": _SINGLE}


@dataclass(frozen=True, slots=True)
class Part:
    """One document of a file that holds several."""

    name: str
    """Its name in the document's address: its number in the file."""
    first: int
    """1-based line its text starts on."""
    last: int
    """1-based line it ends on."""


def split_conll(text: str) -> list[Part]:
    """Return the documents of a CoNLL file: one, or one per ``-DOCSTART-`` line that has tokens after it."""
    lines = text.split("\n")
    cuts = sorted({0, len(lines), *(i for i, line in enumerate(lines) if _DOCSTART.match(line))})
    parts: list[Part] = []
    for a, b in pairwise(cuts):
        if any(line.strip() and not _DOCSTART.match(line) for line in lines[a:b]):
            parts.append(Part(str(len(parts) + 1), a + 1, b))
    return parts if len(parts) > 1 else [Part("1", 1, len(lines))]


def _label(written: str) -> tuple[str, str]:
    """Return (scheme prefix, label) of a tag: ``B-PER`` -> (B, PER); ``PER`` -> (I, PER); ``O`` -> ("", "")."""
    if written in ("O", "0", "_", "-"):
        return "", ""
    if len(written) > 2 and written[1] in "-_" and written[0].upper() in _PREFIXES:
        return _PREFIXES[written[0].upper()], written[2:]
    return _INSIDE, written


def read_conll(
    source: str, text: str, labels: Labels, first_line: int = 1, warnings: list[Diagnostic] | None = None
) -> Document:
    """Return the Document of CoNLL lines (``text``, its first line numbered ``first_line``)."""
    warnings = list(warnings or ())
    pieces: list[str] = []
    starts: list[int] = []  # offset of each token in the text, with its line in token_lines
    token_lines: list[int] = []
    spans: list[Span] = []
    length = 0
    open_span: list | None = None  # [start, end, label, line, col]
    previous = ""
    sentence_started = False

    def close() -> None:
        nonlocal open_span
        if open_span is not None:
            spans.append(Span(open_span[0], open_span[1], open_span[2]))
            open_span = None

    for number, raw in enumerate(text.split("\n"), first_line):
        line = raw.strip()
        if _COMMENT.match(line):
            continue
        if not line or _DOCSTART.match(line):
            close()
            if sentence_started:
                pieces.append("\n\n")
                length += 2
                sentence_started = False
            previous = ""
            continue
        columns = line.split()
        token = columns[0]
        if len(columns) < 2:
            warnings.append(Diagnostic(source, number, 1, f"token {token[:40]!r} has no label column; read as O"))
            tag = "O"
        else:
            tag = columns[-1]
        joined = token in _NO_SPACE_BEFORE or previous in _NO_SPACE_AFTER or token in _APOSTROPHES
        if previous in _APOSTROPHES and token in _CLITICS:  # Daesh ’ s -> Daesh’s
            joined = True
        if sentence_started and not joined:
            pieces.append(" ")
            length += 1
        starts.append(length)
        token_lines.append(number)
        pieces.append(token)
        begin, end = length, length + len(token)
        length = end
        sentence_started = True
        previous = token
        scheme, label = _label(tag)
        if not scheme:
            close()
            continue
        if open_span is not None and scheme in (_INSIDE, _END) and open_span[2] == label:
            open_span[1] = end
        else:
            close()
            open_span = [begin, end, label]
        if scheme in (_END, _SINGLE):
            close()
    close()
    body = "".join(pieces).rstrip("\n")

    def place(offset: int) -> tuple[int, int]:
        at = bisect_right(starts, offset) - 1
        return (token_lines[at] if at >= 0 else first_line), 1

    return span_document(source, body, spans, labels, place, warnings)
