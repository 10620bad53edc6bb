"""Text with labelled character spans -> Document: what every standoff reader ends with.

The CoNLL, JSONL, brat and spaCy readers each turn their file into plain
text, a list of ``Span`` and the header fields their format carries
(``Meta``); ``span_document`` checks the spans against the text and builds
the same Document the bracket format gives: paragraphs at blank lines (each
line is one when there are none), mentions with their source line and
column, a title and a date. A span that does not fit (outside the text,
empty, its words not the text at its offsets, overlapping another, across a
paragraph break) is a warning naming where it is written, and the rest of
the document builds.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sitegen.errors import UNMAPPED, Diagnostic
from sitegen.model import Document, Header, Mention, Paragraph, merge_text
from sitegen.parse.labels import Labels
from sitegen.parse.reading import reading_text

#: Where an offset of the text is written in the source file: (line, column), 1-based.
Place = Callable[[int], tuple[int, int]]
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TITLE_LENGTH = 120


@dataclass(frozen=True, slots=True)
class Span:
    """One labelled stretch of a document's text, as its file gives it."""

    start: int
    """Offset of its first character in the text."""
    end: int
    """Offset just past its last character."""
    label: str
    """The label as written (``GPE``, ``Person``)."""
    text: str | None = None
    """The words the file says the span covers, when it says (brat, some JSONL); checked against the text."""
    line: int = 0
    """Source line the span is written on, when that is not where its text is (brat's ``.ann``); 0: the text's."""
    col: int = 0
    """Source column of the same."""


@dataclass(frozen=True, slots=True)
class Meta:
    """Header fields a format may carry beside the text (JSONL's ``meta``)."""

    title: str = ""
    """The document's title."""
    date: str = ""
    """Its date, ``YYYY-MM-DD`` or a prefix of it."""
    ident: str = ""
    """Its identifier, shown as its reference."""
    tags: tuple[str, ...] = ()
    """Its subject tags."""


def span_document(
    source: str,
    text: str,
    spans: list[Span],
    labels: Labels,
    place: Place,
    warnings: list[Diagnostic] | None = None,
    meta: Meta = Meta(),
) -> Document:
    """Build the Document of ``text`` with its ``spans`` (see the module's docstring)."""
    warnings = list(warnings or ())
    kept = _checked(source, text, spans, labels, place, warnings)
    joined = {i for start, end, _ in kept for i in range(start, end) if text[i] == "\n"}
    paragraphs = _paragraphs(text, kept, joined, place)
    mentions = tuple(m for p in paragraphs for m in p.text if isinstance(m, Mention))
    date, year = _date(source, meta.date, place, warnings)
    header = Header(subject=meta.title, tags=meta.tags) if meta.title or meta.tags else None
    return Document(
        source=source,
        title=_title(meta, paragraphs, source),
        header=header,
        header_text=(),
        paragraphs=tuple(paragraphs),
        signature=(),
        date=date,
        year=year,
        mentions=mentions,
        diagnostics=tuple(warnings),
        ref=" ".join(meta.ident.split())[:80],
    )


def _where(span: Span, place: Place) -> tuple[int, int]:
    """Return the source line and column a span is reported at."""
    return (span.line, span.col) if span.line else place(max(span.start, 0))


def _checked(
    source: str, text: str, spans: list[Span], labels: Labels, place: Place, warnings: list[Diagnostic]
) -> list[tuple[int, int, str]]:
    """Return the usable spans as (start, end, type), in text order, warning about the others."""
    usable: list[tuple[int, int, str, Span]] = []
    unknown: dict[str, Span] = {}
    for span in spans:
        line, col = _where(span, place)
        if not 0 <= span.start < span.end <= len(text):
            warnings.append(
                Diagnostic(
                    source,
                    line,
                    col,
                    f"span {span.start}-{span.end} ({span.label}) is outside the text of {len(text)} characters; ignored",
                )
            )
            continue
        covered = text[span.start : span.end]
        if span.text is not None and " ".join(span.text.split()) != " ".join(covered.split()):
            warnings.append(
                Diagnostic(
                    source,
                    line,
                    col,
                    f"span {span.start}-{span.end} ({span.label}) should cover {span.text!r} but the text there is"
                    f" {covered[:60]!r}; ignored",
                )
            )
            continue
        start = span.start + len(covered) - len(covered.lstrip())
        end = span.end - (len(covered) - len(covered.rstrip()))
        if start >= end:
            warnings.append(
                Diagnostic(source, line, col, f"span {span.start}-{span.end} ({span.label}) is empty; ignored")
            )
            continue
        if "\n\n" in re.sub(r"[ \t]+", "", text[start:end]):
            warnings.append(
                Diagnostic(
                    source,
                    line,
                    col,
                    f"span {span.start}-{span.end} ({span.label}) runs across a paragraph break; ignored",
                )
            )
            continue
        type_, known = labels.type_of(span.label)
        if not known:
            unknown.setdefault(span.label.strip(), span)
        if type_ is not None:
            usable.append((start, end, type_, span))
    if unknown:
        first = min(unknown.values(), key=lambda s: s.start)
        line, col = _where(first, place)
        names = ", ".join(sorted(unknown))
        warnings.append(Diagnostic(source, line, col, f"{UNMAPPED}{names}"))
    usable.sort(key=lambda item: (item[0], -item[1]))
    kept: list[tuple[int, int, str]] = []
    for start, end, type_, span in usable:
        if kept and start < kept[-1][1]:
            line, col = _where(span, place)
            other = kept[-1]
            warnings.append(
                Diagnostic(
                    source,
                    line,
                    col,
                    f"span {span.start}-{span.end} ({span.label}) overlaps the span {other[0]}-{other[1]} before it;"
                    " only that one is linked",
                )
            )
            continue
        kept.append((start, end, type_))
    return kept


def _lines(text: str, joined: set[int]) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the text's lines, a line break inside a span joining two."""
    bounds, start = [], 0
    for found in re.finditer("\n", text):
        if found.start() in joined:
            continue
        bounds.append((start, found.start()))
        start = found.end()
    bounds.append((start, len(text)))
    return bounds


def _paragraphs(text: str, kept: list[tuple[int, int, str]], joined: set[int], place: Place) -> list[Paragraph]:
    """Group the text's lines into paragraphs, at blank lines or else one a line, with their mentions."""
    lines = _lines(text, joined)
    blank = [not text[a:b].strip() for a, b in lines]
    content = [i for i, empty in enumerate(blank) if not empty]
    breaks = any(blank[i] for i in range(content[0], content[-1])) if content else False
    groups: list[list[tuple[int, int]]] = []
    for i in content:
        if not groups or not breaks or blank[i - 1]:
            groups.append([])
        groups[-1].append(lines[i])
    paragraphs = []
    spans = iter(kept)
    pending = next(spans, None)
    for number, group in enumerate(groups, 1):
        anchor = f"par{number}"
        items: list = []
        for index, (start, end) in enumerate(group):
            if index:
                items.append("\n")
            pos = start
            while pending is not None and pending[0] < end:
                first, last, type_ = pending
                if first >= pos:
                    items.append(text[pos:first])
                    line, col = place(first)
                    words = sys.intern(" ".join(text[first:last].split()))
                    items.append(Mention(type_, words, line, col, anchor))
                    pos = last
                pending = next(spans, None)
            items.append(text[pos:end])
        paragraphs.append(Paragraph(anchor, str(number), tuple(merge_text(items)), place(group[0][0])[0]))
    return paragraphs


def _date(source: str, written: str, place: Place, warnings: list[Diagnostic]) -> tuple[str, str]:
    """Return a document's date and year from its header's date, warning when it is not ISO 8601."""
    written = written.strip()
    if not written:
        return "", ""
    found = _DATE.match(written)
    if found is None or not ("01" <= (found.group(2) or "01") <= "12" and "01" <= (found.group(3) or "01") <= "31"):
        line, col = place(0)
        warnings.append(
            Diagnostic(source, line, col, f"date {written[:40]!r} is not YYYY-MM-DD; the document has no date")
        )
        return "", ""
    return found.group(0), found.group(1)


def _title(meta: Meta, paragraphs: list[Paragraph], source: str) -> str:
    """Return the title: the header's, else the first line of text, else the file's name."""
    found = " ".join(meta.title.split())
    if not found:
        for par in paragraphs:
            line = "".join(s if isinstance(s, str) else s.text for s in par.text if isinstance(s, (str, Mention)))
            if read := reading_text(line.split("\n")[0]):
                found = " ".join(read.split())
                break
    if len(found) > _TITLE_LENGTH:
        found = found[:_TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
    if meta.ident:
        ident = " ".join(meta.ident.split())[:80]
        return f"{ident}: {found}" if found else ident
    name = source.rsplit("#", 1)[-1] if "#" in source else PurePosixPath(source).stem
    return found or name or source
