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
from sitegen.model import Document, Header, Mention, Paragraph, TagRef, plain_text
from sitegen.parse.header import document_date, is_cable_header, parse_header
from sitegen.parse.inline import Anchor, scan_line
from sitegen.parse.source import decode

_MARKING = re.compile(r"^\s*(?:\d{1,2}\s?\.\s?)?\(\s?[A-Z][A-Z/ ]{0,12}\)|^\s*\d{1,2}\s?\.\s")
_NOT_HEADING = re.compile(r"^\s*(?:\(\s?[A-Z/ ]{1,12}\)|end\s+(?:of\s+)?summary\b)", re.IGNORECASE)
_SIGNATURE = re.compile(r"^[A-Za-z][A-Za-z.'\- ]{1,40}$")
_TITLE_LENGTH = 120

Line = tuple[int, list]  # (1-based line number, items on that line)


def parse_document(source: str, data: bytes) -> Document:
    """Parse one source file's bytes; raises SourceError only when it is unusable."""
    text, warnings = decode(data, source)
    return parse_text(source, text, warnings)


def parse_text(source: str, text: str, warnings: list[Diagnostic] | None = None) -> Document:
    """Parse decoded text into a Document, collecting warnings."""
    warnings = list(warnings or ())
    lines: list[Line] = [(i, scan_line(raw, source, i, warnings)) for i, raw in enumerate(text.split("\n"), 1)]
    header, header_items, body = _split_header(lines)
    _check_wrapper(text, source, warnings, is_cable=header is not None)
    paragraphs = _paragraphs(body, has_header=header is not None)
    signature: list = []
    if header is not None and paragraphs:
        signature = _take_signature(paragraphs[-1])
    built = _finish(paragraphs, source, warnings)
    header_text = _tag_mentions(header_items, "header")
    signature_text = _tag_mentions(signature, "signature")
    mentions = [s for s in header_text if isinstance(s, Mention)]
    for par in built:
        mentions += [s for s in par.heading + par.text if isinstance(s, Mention)]
    mentions += [s for s in signature_text if isinstance(s, Mention)]
    date, year = document_date(plain_text(header_items), header, source)
    return Document(
        source=source,
        title=_title(header, built, source),
        header=header,
        header_text=tuple(_merge(header_text)),
        paragraphs=tuple(built),
        signature=tuple(_merge(signature_text)),
        date=date,
        year=year,
        mentions=tuple(mentions),
        diagnostics=tuple(warnings),
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


def _split_header(lines: list[Line]) -> tuple[Header | None, list, list[Line]]:
    """Split the cable header off the first non-blank line, if it is one."""
    for index, (number, items) in enumerate(lines):
        if not plain_text(items).strip():
            continue
        cut = next((i for i, item in enumerate(items) if isinstance(item, Anchor)), len(items))
        flat = plain_text(items[:cut])
        if not is_cable_header(flat):
            return None, [], lines
        tags = tuple(item.name for item in items[:cut] if isinstance(item, TagRef))
        rest = [(number, items[cut:])] + lines[index + 1 :]
        return parse_header(flat, tags), items[:cut], rest
    return None, [], lines


def _is_heading(items: list) -> bool:
    """Return True when text before an anchor reads as a section heading, not a sentence."""
    text = plain_text(items).strip()
    if not text or len(text) > 100 or len(text.split()) > 12 or text[-1] in ".;,:!?\"'":
        return False
    return not _NOT_HEADING.match(text)


def _paragraphs(body: list[Line], has_header: bool) -> list[_Draft]:
    """Group body lines into paragraphs at anchors, or by blank lines when there are none."""
    if not any(isinstance(item, Anchor) for _, items in body for item in items):
        return _implied_paragraphs(body, has_header)
    pars: list[_Draft] = []
    current: _Draft | None = None
    for number, items in body:
        line_items: list = []
        for item in items:
            if not isinstance(item, Anchor):
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
                text=tuple(_merge(_tag_mentions(text, ident))),
                line=par.line,
                heading=tuple(_merge(_tag_mentions(par.heading, ident))),
            )
        )
    return result


def _tag_mentions(items: list, block: str) -> list:
    """Record the block (paragraph anchor) on each mention."""
    return [
        replace(item, paragraph=block) if isinstance(item, Mention) else item
        for item in items
        if not isinstance(item, Anchor)
    ]


def _merge(items: list) -> list:
    """Join adjacent strings so segments alternate between text and markup."""
    out: list = []
    for item in items:
        if isinstance(item, str) and out and isinstance(out[-1], str):
            out[-1] += item
        elif not (isinstance(item, str) and not item):
            out.append(item)
    return out


def _title(header: Header | None, paragraphs: list[Paragraph], source: str) -> str:
    """Return the subject, else the first line of text, else the file name."""
    if header is not None and header.subject:
        return _shorten(header.subject)
    for par in paragraphs:
        for line in plain_text(par.heading + par.text).split("\n"):
            if line.strip():
                return _shorten(line)
    return PurePosixPath(source).stem or source


def _shorten(text: str) -> str:
    """Collapse white space and cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= _TITLE_LENGTH:
        return text
    return text[:_TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
