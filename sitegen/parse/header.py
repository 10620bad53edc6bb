"""The cable header line (as plain text) -> Header fields, date and year."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from sitegen.model import Header
from sitegen.parse.reading import reading_text


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
    r"|(?P<reason>\bREASONS?\b\s*:?|\bReasons?\s*:)",
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


def parse_header(flat: str, link_tags: tuple[str, ...], source: str = "") -> Header:
    """Read the header fields out of the header line's plain text.

    When the file is named by its reference id (``09LIMA1669.txt``), the
    origin and number it gives stand in for a header's that are missing or
    do not parse (``R E T PESHAWAR``).
    """
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
    ref = reference(source)
    if ref is not None:
        origin, number = _origin(origin, ref[1]), number if number.lstrip("0") == ref[2] else ref[2]
    caveats, routing = _caveats_and_routing(lead[pos:])
    decl = fields.get("decl", "")
    date = _DATE.search(decl) if decl else None
    decl = iso_date(date.group()) if date else _clean(decl[:40])
    tags, rest = _tags(fields.get("tags", ""))
    subject = fields.get("subject") or (rest if len(rest.split()) >= 2 else "")
    return Header(
        classification=classification,
        origin=origin,
        number=number,
        caveats=caveats,
        decl=decl,
        tags=tuple(dict.fromkeys(link_tags or tags)),
        subject=reading_text(_until_end(subject, _SUBJECT_END)),
        classified_by=reading_text(_until_end(fields.get("classified_by", ""))),
        reason=reading_text(_until_end(fields.get("reason", ""))),
        routing=routing,
    )


#: A cable's reference id as its file is named: year, origin and number (``09LIMA1669``).
_REF = re.compile(r"^([0-9]{2})([A-Z][A-Z]*?)([0-9]{1,7})$")
#: Handling caveats, as opposed to the routing of a cable to its readers.
_CAVEATS = frozenset(
    [
        "SIPDIS",
        "NOFORN",
        "NOCONTRACT",
        "ORCON",
        "PROPIN",
        "SENSITIVE",
        "STADIS",
        "EXDIS",
        "LIMDIS",
        "NODIS",
        "CXCORRECTED",
    ]
)
#: Where a field of the header line ends though no other field begins: a rule, the summary, paragraph 1.
_FIELD_END = re.compile(r"\s(?:-\s?){3,}|\s(?:SUMMARY|Summary)\b|\s1\s?\.\s?\(|(?:<\s*br\s*>\s*){2}")
#: Where the subject ends though no other field begins: a blank line or a rule.
_SUBJECT_END = re.compile(r"\s(?:-\s?){3,}|(?:<\s*br\s*>\s*){2}")
#: A tag: a two-letter country code, a four-letter subject tag, or a party's name such as ZANU-PF.
_TAG = re.compile(r"^(?:[A-Z]{2}|[A-Z][A-Z0-9]{3}|[A-Z]{4}-[A-Z]{2,4})$")


def reference(source: str) -> tuple[str, str, str, str] | None:
    """Return the reference id, origin, number and year of a file named by its id, else None."""
    found = _REF.match(PurePosixPath(source).stem.upper())
    if found is None or not 2 <= len(found.group(2)) <= 30:
        return None
    year = int(found.group(1))
    year += 2000 if year < 50 else 1900
    return found.group(0), found.group(2), found.group(3).lstrip("0") or "0", str(year)


def _origin(written: str, named: str) -> str:
    """Return the origin the header writes when it is the one the file name gives (``SAO PAULO`` for
    ``SAOPAULO``), its last words when only they are (``R E T PESHAWAR``), else the file name's."""
    words = written.split()
    for start in range(len(words)):
        if re.sub(r"[^A-Z]", "", "".join(words[start:]).upper()) == named:
            return " ".join(words[start:])
    return named


def _caveats_and_routing(text: str) -> tuple[str, str]:
    """Split what comes between the origin and the first field into handling caveats and routing."""
    caveats: list[str] = []
    routing: list[str] = []
    for word in text.split():
        if word.strip(",;.") in _CAVEATS:
            caveats.append(word.strip(",;."))
        else:
            routing.append(word)
    return " ".join(dict.fromkeys(caveats)), reading_text(" ".join(routing)).strip(" ,;")


def _tags(text: str) -> tuple[list[str], str]:
    """Return the tags at the start of the TAGS field, and what follows them (a subject without its label)."""
    words = re.sub(r"\s+-\s+", "-", text).replace(",", " , ").split()
    tags: list[str] = []
    for i, word in enumerate(words):
        if word == ",":
            continue
        if not _TAG.match(word):
            return tags, " ".join(words[i:])
        tags.append(word)
    return tags, ""


def _until_end(text: str, end: re.Pattern[str] = _FIELD_END) -> str:
    """Return a field's text up to where the header line goes on to something else."""
    found = end.search(text)
    return _clean(text[: found.start()] if found else text)


def iso_date(text: str) -> str:
    """Return a date written ``MM/DD/YYYY``, ``MM/DD/YY`` or ``YYYY/MM/DD`` as ``YYYY-MM-DD`` (as written
    when it is none of those)."""
    parts = _date_parts(text)
    return (_iso(*parts) if parts else "") or _clean(text)


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """Return the year, month and day of a date written ``MM/DD/YYYY``, ``MM/DD/YY`` or ``YYYY/MM/DD``
    (not checked), or None when it has not three numbers."""
    parts = [int(p) for p in re.findall(r"[0-9]+", text)]
    if len(parts) != 3:
        return None
    if parts[0] > 31:
        return parts[0], parts[1], parts[2]
    year = parts[2]
    if year < 100:
        year += 2000 if year < 50 else 1900
    return year, parts[0], parts[1]


def _year_of(text: str) -> int | None:
    """Return the year in a date such as ``2019/11/25``, ``12/20/07`` or ``10/15/2011``."""
    parts = _date_parts(text)
    return parts[0] if parts and 1900 <= parts[0] <= 2100 else None


#: Dates written before the header: ``2009 - 04 - 09 14:33:00``, ``Cable dated:2002-11-15T12:40:00``.
_ISO_START = re.compile(
    r"(?:Cable dated\s?:\s?)?([0-9]{4})\s?-\s?([0-9]{1,2})\s?-\s?([0-9]{1,2})(?:\s?T?\s?([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)
#: ``date : 4/11/2002 20:44`` and ``27613,2/24/2005 16:09,``: month first, with a time.
_US_START = re.compile(r"(?:date\s?:\s?|[0-9]+,)([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:\s([0-9]{1,2}):([0-9]{2}))?")
#: ``Tuesday , 05 December 2006 , 15:44``
_TEXT_START = re.compile(
    r"^\s*(?:[A-Za-z]+\s*,\s*)?([0-9]{1,2})\s+([A-Za-z]+)\s+([0-9]{4})(?:\s*,\s*([0-9]{1,2}):([0-9]{2}))?\b"
)


def _iso(
    year: int, month: int, day: int, hour: str | None = None, minute: str | None = None, second: str | None = None
) -> str:
    """Return a date (and a time, when given) as ISO 8601; empty when it is no date."""
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return ""
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if hour is not None and minute is not None and int(hour) < 24 and int(minute) < 60:
        date += f"T{int(hour):02d}:{minute}" + (f":{second}" if second else "")
    return date


def sent_date(flat: str) -> str:
    """Return the date (and time) a header line says the cable was sent, as ISO 8601; empty when it says none."""
    head = flat[:160]
    found = _ISO_START.search(head[:40])
    if found:
        return _iso(int(found.group(1)), int(found.group(2)), int(found.group(3)), *found.group(4, 5, 6))
    found = _US_START.search(head)
    if found and found.start() < 40:
        return _iso(int(found.group(3)), int(found.group(1)), int(found.group(2)), *found.group(4, 5))
    found = _TEXT_START.match(head)
    if found and found.group(2).lower() in _MONTHS:
        return _iso(int(found.group(3)), _MONTHS[found.group(2).lower()], int(found.group(1)), *found.group(4, 5))
    return ""


def document_date(flat: str, header: Header | None, source: str) -> tuple[str, str]:
    """Return the document's best known date (ISO 8601: a date with its time, a date, or a year) and its year.

    In order: the date the header line gives (``Cable dated:``, ``date :``,
    ``Tuesday , 05 December 2006 , 15:44``); the year of the reference id
    the file is named by (``09LIMA1669``); ten years before the
    declassification date (the default classification period).
    """
    sent = sent_date(flat)
    if sent:
        return sent, sent[:4]
    ref = reference(source)
    if ref is not None:
        return ref[3], ref[3]
    if header and header.decl:
        decl_year = _year_of(header.decl)
        if decl_year:
            return str(decl_year - 10), str(decl_year - 10)
    return "", ""
