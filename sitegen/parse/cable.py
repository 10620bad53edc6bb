"""Source bytes -> Document: the lenient parser for tagged cables and plain tagged text.

Stages: decode (source.py) -> scan each line (inline.py) -> split off the
header, paragraphs and signature (here) -> read the header fields (header.py).
No I/O happens here, so documents parse independently of each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from sitegen.errors import Diagnostic
from sitegen.model import Document, Header, Mention, Paragraph, TagRef, merge_text, plain_text
from sitegen.parse.header import document_date, is_cable_header, parse_header, reference
from sitegen.parse.inline import Anchor, scan_line
from sitegen.parse.reading import reading_text
from sitegen.parse.source import decode

_MARKING = re.compile(r"^\s*(?:\d{1,2}\s?\.\s?)?\(\s?[A-Z][A-Z/ ]{0,12}\)|^\s*\d{1,2}\s?\.\s")
_NOT_HEADING = re.compile(r"^\s*(?:\(\s?[A-Z/ ]{1,12}\)|end\s+(?:of\s+)?summary\b)", re.IGNORECASE)
_SIGNATURE = re.compile(r"^[A-Za-z][A-Za-z.'\- ]{1,40}$")
_TITLE_LENGTH = 120
#: Lines a header runs over at most.
_HEADER_LINES = 6
_HAS_SUBJECT = re.compile(r"\b(?:SUBJECT|Subject|SUBJ)\s*:")
_HEADER_FIELD = re.compile(r"\bE\s?\.?\s?O\s?\.?\s*12958|\bDECL\b|\bTAGS\b|\b(?:SUBJECT|Subject|SUBJ)\s*:|\bSIPDIS\b")

Line = tuple[int, list]  # (1-based line number, items on that line)


def parse_document(source: str, data: bytes) -> Document:
    """Parse one source file's bytes; raises SourceError only when it is unusable."""
    text, warnings = decode(data, source)
    return parse_text(source, text, warnings)


def parse_text(source: str, text: str, warnings: list[Diagnostic] | None = None) -> Document:
    """Parse decoded text into a Document, collecting warnings."""
    warnings = list(warnings or ())
    lines: list[Line] = [(i, scan_line(raw, source, i, warnings)) for i, raw in enumerate(text.split("\n"), 1)]
    header, header_items, body = _split_header(lines, source)
    _check_wrapper(text, source, warnings, is_cable=header is not None)
    paragraphs = _paragraphs(body, has_header=header is not None)
    signature: list = []
    if header is not None and paragraphs:
        signature = _take_signature(paragraphs[-1])
    built = _finish(paragraphs, source, warnings)
    header_ids = _kept_ids(header_items, {p.anchor for p in built} | {i for p in built for i in p.ids})
    header_text = _tag_mentions(header_items, "header")
    signature_text = _tag_mentions(signature, "signature")
    mentions = [s for s in header_text if isinstance(s, Mention)]
    for par in built:
        mentions += [s for s in par.heading + par.text if isinstance(s, Mention)]
    mentions += [s for s in signature_text if isinstance(s, Mention)]
    date, year = document_date(plain_text(header_items), header, source)
    ref = _reference(source, header, year)
    return Document(
        source=source,
        title=_title(header, built, source, ref),
        header=header,
        header_text=tuple(merge_text(header_text)),
        paragraphs=tuple(built),
        signature=tuple(merge_text(signature_text)),
        date=date,
        year=year,
        mentions=tuple(mentions),
        diagnostics=tuple(warnings),
        ref=ref,
        header_ids=header_ids,
    )


def _check_wrapper(text: str, source: str, warnings: list[Diagnostic], is_cable: bool = False) -> None:
    """Warn when a ``<code><pre>`` wrapper is opened but not closed, or the reverse, or a cable lacks it."""
    head = text.lstrip()[:11].lower()
    opened = head.startswith("<code><pre>")
    closed = "</pre></code>" in text[-200:].lower()
    if is_cable and not opened and not closed:
        warnings.append(Diagnostic(source, 1, 1, "cable has no '<code><pre>' … '</pre></code>' wrapper; read as it is"))
    elif opened and not closed:
        warnings.append(Diagnostic(source, 1, 1, "'<code><pre>' is never closed with '</pre></code>'"))
    elif closed and not opened:
        line = text.count("\n", 0, text.lower().rfind("</pre></code>")) + 1
        warnings.append(Diagnostic(source, line, 0, "'</pre></code>' closes a wrapper that was never opened"))


def _split_header(lines: list[Line], source: str) -> tuple[Header | None, list, list[Line]]:
    """Split the cable header off the first non-blank line, if it is one.

    A header whose first line has no subject goes on over the next lines
    that name header fields (``E.O. 12958``, ``TAGS``, ``SUBJECT``…), up to
    the one with the subject, or the first paragraph anchor.
    """
    for index, (number, items) in enumerate(lines):
        if not plain_text(items).strip():
            continue
        cut = _anchor_at(items)
        flat = plain_text(items[:cut])
        if not is_cable_header(flat):
            return None, [], lines
        taken = list(items[:cut])
        end = index + 1  # the lines before it are the header's
        while cut == len(items) and not _HAS_SUBJECT.search(flat) and end < min(len(lines), index + _HEADER_LINES):
            following = lines[end][1]
            at = _anchor_at(following)
            more = plain_text(following[:at])
            if not _HEADER_FIELD.search(more):
                break
            number, items, cut = lines[end][0], following, at
            taken += ["\n", *items[:cut]]
            flat += " " + more
            end += 1
        tags = tuple(item.name for item in taken if isinstance(item, TagRef))
        rest = ([(number, items[cut:])] if cut < len(items) else []) + lines[end:]
        return parse_header(flat, tags, source), taken, rest
    return None, [], lines


def _reference(source: str, header: Header | None, year: str) -> str:
    """Return a cable's reference id: the file's name when it is one (``09LIMA1669``), else made of
    its year, origin and number (``08MANAMA492`` for ``08ECTION01OF02MANAMA492.txt``); empty for
    other documents."""
    named = reference(source)
    if named is not None:
        return named[0]
    if header is not None and header.origin and header.number.isdigit() and len(year) == 4:
        return f"{year[2:]}{re.sub(r'[^A-Z]', '', header.origin.upper())}{int(header.number)}"
    return ""


def _anchor_at(items: list) -> int:
    """Return the index of the first paragraph anchor among a line's items (their number when none)."""
    return next((i for i, item in enumerate(items) if _starts_paragraph(item)), len(items))


def _starts_paragraph(item: object) -> bool:
    """Return True for a paragraph's anchor (not one the source put elsewhere, such as ``par2000``)."""
    return isinstance(item, Anchor) and bool(item.number)


def _kept_ids(items: list, used: set[str]) -> tuple[str, ...]:
    """Return the ids of the other anchors among items that no element of the page has yet; they are
    then used."""
    found = []
    for item in items:
        if isinstance(item, Anchor) and item.ident and item.ident not in used:
            used.add(item.ident)
            found.append(item.ident)
    return tuple(found)


def _is_heading(items: list) -> bool:
    """Return True when text before an anchor reads as a section heading, not a sentence."""
    text = plain_text(items).strip()
    if not text or len(text) > 100 or len(text.split()) > 12 or text[-1] in ".;,:!?\"'":
        return False
    return not _NOT_HEADING.match(text)


def _paragraphs(body: list[Line], has_header: bool) -> list[_Draft]:
    """Group body lines into paragraphs at anchors, or by blank lines when there are none."""
    if not any(_starts_paragraph(item) for _, items in body for item in items):
        return _implied_paragraphs(body, has_header)
    pars: list[_Draft] = []
    current: _Draft | None = None
    for number, items in body:
        line_items: list = []
        for item in items:
            if not _starts_paragraph(item):
                line_items.append(item)
                continue
            heading: list = []
            if _is_heading(line_items) and (current is None or current.lines):
                heading = line_items
            elif plain_text(line_items).strip():
                if current is None:
                    current = _new_paragraph(None, number)
                    pars.append(current)
                current.lines.append(line_items)
            current = _new_paragraph(item, number, heading)
            pars.append(current)
            line_items = []
        if plain_text(line_items).strip() or (current is not None and current.lines):
            if current is None:
                current = _new_paragraph(None, number)
                pars.append(current)
            current.lines.append(line_items)
    for par in pars:
        while par.lines and not plain_text(par.lines[-1]).strip():
            par.lines.pop()
    return pars


@dataclass(slots=True)
class _Draft:
    """A paragraph under construction."""

    anchor: Anchor | None
    """Its anchor; None for a paragraph without one."""
    line: int
    """The source line it starts on."""
    heading: list
    """The items of its section heading, if it has one."""
    lines: list[list] = field(default_factory=list)
    """The items of each of its lines."""


def _new_paragraph(anchor: Anchor | None, line: int, heading: list | None = None) -> _Draft:
    """Return an empty paragraph under construction."""
    return _Draft(anchor, line, heading or [])


def _implied_paragraphs(body: list[Line], has_header: bool) -> list[_Draft]:
    """Split anchor-less text at blank lines; else at paragraph markings; else per line."""
    content = [(n, items) for n, items in body if plain_text(items).strip()]
    if not content:
        return []
    has_blank = any(not plain_text(items).strip() for n, items in body if content[0][0] < n < content[-1][0])
    if has_blank:
        starts = {
            n
            for i, (n, items) in enumerate(body)
            if plain_text(items).strip() and (i == 0 or not plain_text(body[i - 1][1]).strip())
        }
    else:
        starts = {n for n, items in content if has_header and _MARKING.match(plain_text(items))}
        if len(starts) < 2:
            starts = {n for n, _ in content}
    pars: list[_Draft] = []
    for n, items in content:
        if n in starts or not pars:
            pars.append(_new_paragraph(None, n))
        pars[-1].lines.append(items)
    return pars


def _take_signature(par: _Draft) -> list:
    """Remove and return a signer's name standing alone on the last line."""
    if len(par.lines) < 2:
        return []
    last = par.lines[-1]
    text = plain_text(last).strip()
    if len(text.split()) <= 4 and _SIGNATURE.match(text) and not text.endswith("."):
        par.lines.pop()
        return last
    return []


def _finish(pars: list[_Draft], source: str, warnings: list[Diagnostic]) -> list[Paragraph]:
    """Give every paragraph a unique anchor id and freeze it."""
    used: set[str] = set()
    first_line: dict[str, int] = {}
    result = []
    previous = 0
    implied = 0
    disordered = False
    numbered = any(p.anchor is not None for p in pars)
    for par in pars:
        anchor: Anchor | None = par.anchor
        if anchor is None:
            implied += 1
            number = "0" if numbered else str(implied)
        else:
            number = anchor.number
            value = int(number)
            if f"par{number}" in used:
                warnings.append(
                    Diagnostic(
                        source,
                        anchor.line,
                        anchor.col,
                        f"paragraph number {number} repeats (first on line {first_line[number]}); given a unique id",
                    )
                )
            elif value < previous and not disordered:
                disordered = True
                warnings.append(
                    Diagnostic(
                        source,
                        anchor.line,
                        anchor.col,
                        f"paragraph {number} comes after paragraph {previous}; numbers are out of order",
                    )
                )
            previous = max(previous, value)
            first_line.setdefault(number, anchor.line)
        ident = f"par{number}"
        suffix = 1
        while ident in used:
            suffix += 1
            ident = f"par{number}-{suffix}"
        used.add(ident)
        text: list = []
        for i, items in enumerate(par.lines):
            if i:
                text.append("\n")
            text += items
        result.append(
            Paragraph(
                anchor=ident,
                number=number,
                text=tuple(merge_text(_tag_mentions(text, ident))),
                line=par.line,
                heading=tuple(merge_text(_tag_mentions(par.heading, ident))),
            )
        )
    taken = used | {"header", "signature"}
    return [
        replace(
            built, ids=_kept_ids([par.anchor, *par.heading, *(item for items in par.lines for item in items)], taken)
        )
        for built, par in zip(result, pars)
    ]


def _tag_mentions(items: list, block: str) -> list:
    """Record the block (paragraph anchor) on each mention."""
    return [
        item.but(paragraph=block) if isinstance(item, Mention) else item
        for item in items
        if not isinstance(item, Anchor)
    ]


def _title(header: Header | None, paragraphs: list[Paragraph], source: str, ref: str = "") -> str:
    """Return the reference id and the subject (``09LIMA1669: SCENESETTER …``); without a subject, the
    first line of text; the id, or the file name, alone when there is no text."""
    found = ""
    if header is not None and header.subject:
        found = _shorten(header.subject)
    else:
        for par in paragraphs:
            for line in plain_text(par.heading + par.text).split("\n"):
                if read := reading_text(line):
                    found = _shorten(read)
                    break
            if found:
                break
    if ref:
        return f"{ref}: {found}" if found else ref
    return found or PurePosixPath(source).stem or source


def _shorten(text: str) -> str:
    """Collapse white space and cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= _TITLE_LENGTH:
        return text
    return text[:_TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
