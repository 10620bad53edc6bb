"""Which reader reads a source file, chosen by its suffix: the registry of input formats.

| format  | suffixes                       | documents in a file | reader       |
|---------|--------------------------------|---------------------|--------------|
| cable   | ``.txt``                       | one                 | cable.py     |
| conll   | ``.conll .conll03 .iob .bio``  | one, or one per ``-DOCSTART-`` | conll.py |
| jsonl   | ``.jsonl``                     | one a line          | jsonl.py     |
| json    | ``.json``                      | one                 | jsonl.py     |
| brat    | ``.ann`` (its text in ``.txt``) | one                | brat.py      |
| spacy   | ``.spacy``                     | several             | spacy_docs.py |

``[formats]`` in the configuration reads other suffixes as one of these
(``".tsv" = "conll"``), or turns one off (``".json" = "none"``). A document
of a file that holds several is named ``file.jsonl#name``: its source id
(see ``Formats.split_source``). Everything here works on bytes; the build reads the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sitegen.errors import Diagnostic, SourceError
from sitegen.model import Document
from sitegen.parse.brat import read_brat
from sitegen.parse.cable import parse_document
from sitegen.parse.conll import Part, read_conll, split_conll
from sitegen.parse.jsonl import read_json_document, split_jsonl
from sitegen.parse.labels import Labels
from sitegen.parse.source import decode
from sitegen.parse.spacy_docs import docbin_text, read_docbin, split_docbin


@dataclass(frozen=True)
class Format:
    """One input format."""

    name: str
    """Its name in ``[formats]``."""
    suffixes: tuple[str, ...]
    """The suffixes it is read from by default."""
    several: bool = False
    """Whether a file may hold several documents."""
    always_named: bool = False
    """Whether each document of a file is named (``file.jsonl#3``) even when there is only one."""
    by_lines: bool = True
    """Whether each document of a file that holds several is a stretch of its lines (not of a binary file)."""
    lexer: str = ""
    """The Pygments lexer of its source view (empty: plain text)."""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("cable", (".txt",), lexer="tagged-cable"),
        Format("conll", (".conll", ".conll03", ".iob", ".bio"), several=True),
        Format("jsonl", (".jsonl",), several=True, always_named=True, lexer="json"),
        Format("json", (".json",), lexer="json"),
        Format("brat", (".ann",)),
        Format("spacy", (".spacy",), several=True, always_named=True, by_lines=False),
    )
}
#: The suffix of the text that goes with a brat ``.ann`` file.
BRAT_TEXT = ".txt"
#: The value of ``[formats]`` that reads no file of a suffix.
OFF = "none"


@dataclass(frozen=True)
class Formats:
    """The configuration's choice of readers: by suffix, and how labels map to types."""

    labels: Labels = field(default_factory=Labels)
    """The label map of ``[types.map]``."""
    by_suffix: dict[str, str] = field(default_factory=dict)
    """``[formats]``: the format of each suffix it names (``none`` for no format)."""

    def format_of(self, name: str) -> Format | None:
        """Return the format a file is read in, by its suffix (None: not a source)."""
        dot = name.rfind(".")
        if dot <= 0:
            return None
        suffix = name[dot:].lower()
        chosen = self.by_suffix.get(suffix)
        if chosen is not None:
            return FORMATS.get(chosen)
        return _DEFAULT.get(suffix)

    def split_source(self, relative: str) -> tuple[str, str]:
        """Return (file, document name) of a source id: ``a/b.jsonl#3`` -> (``a/b.jsonl``, ``3``);
        (relative, "") for a file that is one document, whatever its name (``v1.2#3.txt``)."""
        file, mark, name = relative.rpartition("#")
        if mark and "/" not in name:
            fmt = self.format_of(file)
            if fmt is not None and fmt.several:
                return file, name
        return relative, ""


_DEFAULT = {suffix: f for f in FORMATS.values() for suffix in f.suffixes}
#: The readers chosen when the configuration chooses none.
NO_CHOICES = Formats()


def parts_of(fmt: Format, data: bytes) -> list[Part]:
    """Return the documents a file of a format that holds several holds (none when it cannot be read)."""
    if fmt.name == "spacy":
        return split_docbin(data)
    try:
        text = decode(data, "")[0]
    except SourceError:
        return []
    return split_jsonl(text) if fmt.name == "jsonl" else split_conll(text)


def line_bounds(data: bytes) -> list[tuple[int, int]]:
    """Return where each line of a file's bytes starts and ends (before its line break), its lines
    counted as decode counts them."""
    bounds, start = [], 0
    for found in _LINE_END.finditer(data):
        bounds.append((start, found.start()))
        start = found.end()
    bounds.append((start, len(data)))
    return bounds


_LINE_END = re.compile(rb"\r\n|\r|\n")


def brat_text(path: str) -> str:
    """Return the path (or name) of the text of a brat ``.ann`` file."""
    return path[: -len(".ann")] + BRAT_TEXT


def read_document(
    relative: str, fmt: Format, data: bytes, labels: Labels, part: Part | None = None, companion: bytes | None = None
) -> Document:
    """Parse one document; raises SourceError only when it is unusable.

    ``data`` is the document's bytes: the file, or for a document of a file
    that holds several (``part``), its lines (of a binary file, the whole
    file). ``companion`` is the text of a brat ``.ann`` file.
    """
    if fmt.name == "cable":
        return parse_document(relative, data)
    if fmt.name == "spacy":
        return read_docbin(relative, data, part.name if part else "1", labels)
    if fmt.name == "brat":
        if companion is None:
            raise SourceError(
                Diagnostic(relative, 0, 0, f"no text beside the annotations: {brat_text(relative)} is missing; skipped")
            )
        annotations, warnings = decode(data, relative) if data.strip() else ("", [])
        text, more = decode(companion, relative)
        raw = companion.decode("utf-8", "replace").removeprefix("\ufeff")
        returns = [i for i, c in enumerate(raw) if c == "\r" and raw[i + 1 : i + 2] == "\n"] if "\r" in raw else []
        return read_brat(relative, text, annotations, labels, warnings + more, returns)
    first = part.first if part is not None else 1
    text, warnings = decode(data, relative)
    warnings = [replace(w, line=w.line + first - 1) if w.line else w for w in warnings]  # lines of the file
    if fmt.name == "conll":
        return read_conll(relative, text, labels, first, warnings)
    return read_json_document(relative, text, labels, first, warnings)


def view_text(relative: str, fmt: Format, data: bytes, part: Part | None, companion: bytes | None) -> tuple[str, int]:
    """Return what a document's source view shows: its text as written, and the number of its first
    line (``data`` as read_document takes it)."""
    if fmt.name == "spacy":
        return docbin_text(relative, data, part.name if part else "1"), 1
    if fmt.name == "brat":
        if companion is None:
            raise SourceError(Diagnostic(relative, 0, 0, "no text"))
        return decode(companion, relative)[0], 1
    return decode(data, relative)[0], part.first if part is not None else 1
