"""One source line -> segments: text, mentions, tag links and paragraph anchors.

This is the lenient tokenizer of the cable parser; mentions are read by the
grammar in mention.py, which the Markdown plugin and the lexer share. It never raises: anything it cannot read stays plain text and is
reported as a Diagnostic with its line and column.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from sitegen.errors import Diagnostic
from sitegen.model import Mention, TagRef
from sitegen.parse.mention import MENTION, OPENING, entity_type, problem, words

_HTML = re.compile(
    r"(?P<wrap></?(?:code|pre)\s*>)"
    r"|(?P<anchor><a\s+id\s*=\s*['\"](?P<aid>[^'\"<>]*)['\"]\s+href\s*=\s*['\"]#[^'\"<>]*['\"]\s*>"
    r"(?P<atext>[^<]*)</a>(?P<label>[ \t]*[0-9]{1,4}[ \t]*\.(?=[ \t]|$))?)"
    r"|(?P<tag><a\s+href\s*=\s*['\"](?P<href>[^'\"<>]*/tag/[^'\"<>]*)['\"]\s*>(?P<ttext>[^<]*)</a>)"
    r"|(?P<stray><a\b[^>]*>?|</a\s*>)",
    re.IGNORECASE,
)
_TAG_HREF = re.compile(r"/tag/([^/?#]+?)(?:_\d+)?\.html?$")
_PAR_ID = re.compile(r"par([0-9]{1,6})$", re.IGNORECASE)
#: Anchors numbered above this are years the source site mistook for paragraph
#: numbers ("until <a id='par2008' ...>¶</a>2008 ."); their number stays as text.
_MAX_PARAGRAPH = 500
#: Other anchor ids of the source that pages keep, so that links to them land.
_KEPT_ID = re.compile(r"^par[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Anchor:
    """A paragraph anchor ``<a id='par3' href='#par3'>¶</a>3 .``."""

    number: str
    """The paragraph number taken from the id, without leading zeros."""
    line: int
    """1-based source line."""
    col: int
    """1-based source column of ``<a``."""
    ident: str = ""
    """For an anchor that starts no paragraph (``par2000``, ``parB``): its id, which the page keeps."""


def _tag_name(text: str, href: str) -> str:
    """Return the tag a source tag link points at."""
    name = " ".join(text.split())
    if not name:
        found = _TAG_HREF.search(href)
        name = found.group(1) if found else ""
    return name


def scan_mentions(text: str, path: str, line: int, col0: int, out: list, warnings: list[Diagnostic]) -> None:
    """Split plain ``text`` (starting at column ``col0``) into strings and Mentions."""
    pos = 0
    for found in MENTION.finditer(text):
        start = found.start()
        _not_mentions(text, pos, start, path, line, col0, warnings)
        if start > pos:
            out.append(text[pos:start])
        written = found.group("type")
        type_ = entity_type(written)
        assert type_ is not None  # MENTION only matches the known types
        if written != type_:
            warnings.append(
                Diagnostic(path, line, col0 + start, f"entity type '{written}' should be upper case; read as {type_}")
            )
        out.append(Mention(type_, sys.intern(words(found)), line, col0 + start))
        pos = found.end()
    _not_mentions(text, pos, len(text), path, line, col0, warnings)
    if pos < len(text):
        out.append(text[pos:])


def _not_mentions(text: str, pos: int, end: int, path: str, line: int, col0: int, warnings: list[Diagnostic]) -> None:
    """Warn about each opening ``[TYPE `` between ``pos`` and ``end`` that is not a mention (all of them there)."""
    if text.find("[", pos, end) < 0:  # most text between mentions holds no bracket
        return
    for opening in OPENING.finditer(text, pos, end):
        found = problem(text, opening)
        if found is None:
            continue
        what, stop = found
        start, written = opening.start(), opening.group(1)
        message = {
            "unknown": f"unknown entity type '{written}' (expected PER, LOC, ORG or MISC); kept as plain text",
            "nested": f"mention '[{written} ' contains another mention (nested brackets); the outer one is kept as plain text",
            "unclosed": f"mention '[{written} ' is not closed with ']' on this line; kept as plain text",
            "empty": f"empty mention '[{written} ]'; kept as plain text",
        }[what]
        excerpt = "" if what == "empty" else text[start:stop][:120]
        warnings.append(Diagnostic(path, line, col0 + start, message, excerpt))


def scan_line(text: str, path: str, line: int, warnings: list[Diagnostic]) -> list:
    """Split one source line into str, Mention, TagRef and Anchor items."""
    items: list = []
    pos = 0
    for found in _HTML.finditer(text) if "<" in text else ():  # each of its markups starts with "<"
        if found.start() > pos:
            scan_mentions(text[pos : found.start()], path, line, pos + 1, items, warnings)
        pos = found.end()
        col = found.start() + 1
        if found.group("anchor"):
            number = _PAR_ID.match(found.group("aid"))
            if number and int(number.group(1)) <= _MAX_PARAGRAPH:
                aid = found.group("aid")
                kept = aid if aid != f"par{int(number.group(1))}" and _KEPT_ID.match(aid) else ""
                items.append(Anchor(str(int(number.group(1))), line, col, kept))  # par010 is paragraph 10
            else:
                if _KEPT_ID.match(found.group("aid")):
                    items.append(Anchor("", line, col, found.group("aid")))
                if found.group("label"):
                    items.append(found.group("label"))
        elif found.group("tag"):
            name = _tag_name(found.group("ttext"), found.group("href"))
            if name:
                items.append(TagRef(name, line, col))
            else:
                warnings.append(Diagnostic(path, line, col, "tag link without a tag name; dropped"))
        elif found.group("stray"):
            warnings.append(
                Diagnostic(
                    path,
                    line,
                    col,
                    "unrecognised or unterminated <a> tag; shown as plain text",
                    text[found.start() : found.start() + 80],
                )
            )
            scan_mentions(found.group(), path, line, col, items, warnings)
    if pos < len(text):
        scan_mentions(text[pos:], path, line, pos + 1, items, warnings)
    return items
