"""The cable header line (as plain text) -> Header fields, date and year."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from sitegen.model import Header


def _spaced(word: str) -> str:
    """Return a pattern matching ``word`` plain or letter-spaced (``S E C R E T``)."""
    return r"\s?".join(re.escape(c) for c in word)


_CLASSES = (
    "CONFIDENTIAL",
    "SECRET",
    "UNCLASSIFIED",
    "UNCLAS",
    "LIMITED OFFICIAL USE",
    "SENSITIVE BUT UNCLASSIFIED",
    "FOR OFFICIAL USE ONLY",
    "TOP SECRET",
)
_CLASSIFICATION = re.compile(
    r"(?<![A-Za-z])("
    + "|".join(_spaced(c) if " " not in c else re.escape(c) for c in sorted(_CLASSES, key=len, reverse=True))
    + r")(?![A-Za-z])"
)
_SECTION = re.compile(r"\s*SECTION\s+\d+\s+OF\s+\d+", re.IGNORECASE)
_ORIGIN = re.compile(r"\s*([A-Z][A-Z.'\-]*(?:\s[A-Z][A-Z.'\-]*){0,3})\s+(\d{3,7})(?![\d/])")
_FIELDS = re.compile(
    r"(?P<eo>\bE\s?\.?\s?O\s?\.?\s*12958\s*:?)"
    r"|(?P<decl>\bDECL\b\s*:?)"
    r"|(?P<tags>\bTAGS\b\s*:?)"
    r"|(?P<subject>\b(?:SUBJECT|Subject|SUBJ)\s*:)"
    r"|(?P<ref>\bREF(?:S|TEL)?\s*:)"
    r"|(?P<classified_by>\bClassified\s+By\b\s*:?)"
    r"|(?P<reason>\bREASONS?\b\s*:?)",
)
_CLASSIFIED_BY = re.compile(r"\bCLASSIFIED\s+BY\b\s*:?", re.IGNORECASE)
_DATE = re.compile(r"\d{1,4}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{1,4}")
_TAG_WORD = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_DATE_LINE = re.compile(r"^\s*(?:[A-Za-z]+\s*,\s*)?(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})\b")
_REF_ID = re.compile(r"^(\d{2})[A-Z]")

_SIGNALS = re.compile(r"\bE\s?\.?\s?O\s?\.?\s*12958|\bTAGS\b|\bSUBJECT\s*:|\bDECL\s*:", re.IGNORECASE)


def is_cable_header(flat: str) -> bool:
    """Return True when a first line reads like a cable header."""
    return bool(_SIGNALS.search(flat)) or bool(_CLASSIFICATION.match(flat.lstrip()))


def _clean(text: str) -> str:
    """Collapse white space and trim stray separators."""
    return " ".join(text.split()).strip(" ,;")


def parse_header(flat: str, link_tags: tuple[str, ...]) -> Header:
    """Read the header fields out of the header line's plain text."""
    fields: dict[str, str] = {}
    marks = [(m.start(), m.end(), m.lastgroup or "") for m in _FIELDS.finditer(flat)]
    marks += [
        (m.start(), m.end(), "classified_by")
        for m in _CLASSIFIED_BY.finditer(flat)
        if not any(s == m.start() for s, _, _ in marks)
    ]
    marks.sort()
    first_field = marks[0][0] if marks else len(flat)
    for i, (_start, end, name) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(flat)
        if name not in fields:
            fields[name] = _clean(flat[end:stop])
    classification = origin = number = ""
    lead = flat[:first_field]
    pos = 0
    found = _CLASSIFICATION.search(lead)
    if found and found.start() < 80:
        words = found.group(1).split()
        classification = "".join(words) if all(len(w) == 1 for w in words) else " ".join(words)
        if classification == "UNCLAS":
            classification = "UNCLASSIFIED"
        pos = found.end()
        section = _SECTION.match(lead, pos)
        if section:
            pos = section.end()
    place = _ORIGIN.search(lead, pos)
    if place and place.start() - pos < 40:
        origin, number = _clean(place.group(1)), place.group(2)
        pos = place.end()
    caveats = _clean(lead[pos:])
    decl = fields.get("decl", "")
    date = _DATE.search(decl) if decl else None
    decl = _clean(date.group()) if date else decl[:40]
    tags = link_tags or tuple(word for word in re.split(r"[\s,]+", fields.get("tags", "")) if _TAG_WORD.match(word))
    return Header(
        classification=classification,
        origin=origin,
        number=number,
        caveats=caveats,
        decl=decl,
        tags=tuple(dict.fromkeys(tags)),
        subject=fields.get("subject", ""),
        classified_by=fields.get("classified_by", ""),
        reason=fields.get("reason", ""),
    )


def _year_of(text: str) -> int | None:
    """Return the year in a date such as ``2019/11/25``, ``12/20/07`` or ``10/15/2011``."""
    parts = [int(p) for p in re.findall(r"\d+", text)]
    if len(parts) != 3:
        return None
    if parts[0] > 31:
        year = parts[0]
    else:
        year = parts[2]
        if year < 100:
            year += 2000 if year < 50 else 1900
    return year if 1900 <= year <= 2100 else None


def document_date(flat: str, header: Header | None, source: str) -> tuple[str, str]:
    """Return the document's best known date (ISO, or a year) and its year.

    In order: a date line at the start of the header; the year of a cable
    reference id in the file name (``09LIMA1669``); ten years before the
    declassification date (the default classification period).
    """
    line = _DATE_LINE.match(flat)
    if line and line.group(2).lower() in _MONTHS:
        day, month, year = int(line.group(1)), _MONTHS[line.group(2).lower()], int(line.group(3))
        if 1 <= day <= 31 and 1900 <= year <= 2100:
            return f"{year:04d}-{month:02d}-{day:02d}", str(year)
    ref = _REF_ID.match(PurePosixPath(source).name)
    if ref:
        year = int(ref.group(1))
        year += 2000 if year < 50 else 1900
        return str(year), str(year)
    if header and header.decl:
        decl_year = _year_of(header.decl)
        if decl_year:
            return str(decl_year - 10), str(decl_year - 10)
    return "", ""
