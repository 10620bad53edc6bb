"""One source line -> segments: text, mentions, tag links and paragraph anchors.

This is the lenient tokenizer shared by the cable parser and the Markdown
plugin. It never raises: anything it cannot read stays plain text and is
reported as a Diagnostic with its line and column.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from sitegen.errors import Diagnostic
from sitegen.model import ENTITY_TYPES, Mention, TagRef

_HTML = re.compile(
    r"(?P<wrap></?(?:code|pre)\s*>)"
    r"|(?P<anchor><a\s+id\s*=\s*['\"](?P<aid>[^'\"<>]*)['\"]\s+href\s*=\s*['\"]#[^'\"<>]*['\"]\s*>"
    r"(?P<atext>[^<]*)</a>(?P<label>[ \t]*[0-9]{1,4}[ \t]*\.(?=[ \t]|$))?)"
    r"|(?P<tag><a\s+href\s*=\s*['\"](?P<href>[^'\"<>]*/tag/[^'\"<>]*)['\"]\s*>(?P<ttext>[^<]*)</a>)"
    r"|(?P<stray><a\b[^>]*>?|</a\s*>)",
    re.IGNORECASE,
)
_OPEN = re.compile(r"\[([A-Za-z]+) ")
_KNOWN = {t.casefold(): t for t in ENTITY_TYPES}
_TAG_HREF = re.compile(r"/tag/([^/?#]+?)(?:_\d+)?\.html?$")
_PAR_ID = re.compile(r"par([0-9]{1,6})$", re.IGNORECASE)
#: Anchors numbered above this are years the source site mistook for paragraph
#: numbers ("until <a id='par2008' ...>¶</a>2008 ."); their number stays as text.
_MAX_PARAGRAPH = 500


@dataclass(frozen=True)
class Anchor:
    """A paragraph anchor ``<a id='par3' href='#par3'>¶</a>3 .``."""

    number: str
    """The paragraph number taken from the id, without leading zeros."""
    line: int
    """1-based source line."""
    col: int
    """1-based source column of ``<a``."""


def _tag_name(text: str, href: str) -> str:
    """Return the tag a source tag link points at."""
    name = " ".join(text.split())
    if not name:
        found = _TAG_HREF.search(href)
        name = found.group(1) if found else ""
    return name


def scan_mentions(text: str, path: str, line: int, col0: int,
                  out: list, warnings: list[Diagnostic]) -> None:
    """Split plain ``text`` (starting at column ``col0``) into strings and Mentions."""
    pos = 0
    n = len(text)
    buf_start = 0
    while pos < n:
        found = _OPEN.search(text, pos)
        if not found:
            break
        start, body = found.start(), found.end()
        raw_type = found.group(1)
        col = col0 + start
        type_ = _KNOWN.get(raw_type.casefold())
        close = text.find("]", body)
        if type_ is None:
            if close != -1 and text.endswith("  ", body, close) and "[" not in text[body:close]:
                warnings.append(Diagnostic(
                    path, line, col,
                    f"unknown entity type '{raw_type}' (expected PER, LOC, ORG or MISC);"
                    " kept as plain text", text[start:close + 1][:120]))
            pos = body
            continue
        inner = _OPEN.search(text, body)
        if inner and (close == -1 or inner.start() < close) and inner.group(1).casefold() in _KNOWN:
            warnings.append(Diagnostic(
                path, line, col,
                f"mention '[{raw_type} ' contains another mention (nested brackets);"
                " the outer one is kept as plain text", text[start:start + 120]))
            pos = body
            continue
        if close == -1:
            warnings.append(Diagnostic(
                path, line, col,
                f"mention '[{raw_type} ' is not closed with ']' on this line;"
                " kept as plain text", text[start:start + 120]))
            pos = body
            continue
        surface = " ".join(text[body:close].split())
        if not surface:
            warnings.append(Diagnostic(
                path, line, col, f"empty mention '[{raw_type} ]'; kept as plain text"))
            pos = close + 1
            continue
        if raw_type != type_:
            warnings.append(Diagnostic(
                path, line, col,
                f"entity type '{raw_type}' should be upper case; read as {type_}"))
        if start > buf_start:
            out.append(text[buf_start:start])
        out.append(Mention(type_, sys.intern(surface), line, col))
        pos = buf_start = close + 1
    if buf_start < n:
        out.append(text[buf_start:])


def scan_line(text: str, path: str, line: int,
              warnings: list[Diagnostic]) -> list:
    """Split one source line into str, Mention, TagRef and Anchor items."""
    items: list = []
    pos = 0
    for found in _HTML.finditer(text):
        if found.start() > pos:
            scan_mentions(text[pos:found.start()], path, line, pos + 1, items, warnings)
        pos = found.end()
        col = found.start() + 1
        if found.group("anchor"):
            number = _PAR_ID.match(found.group("aid"))
            if number and int(number.group(1)) <= _MAX_PARAGRAPH:
                items.append(Anchor(str(int(number.group(1))), line, col))
            elif found.group("label"):
                items.append(found.group("label"))
        elif found.group("tag"):
            name = _tag_name(found.group("ttext"), found.group("href"))
            if name:
                items.append(TagRef(name, line, col))
            else:
                warnings.append(Diagnostic(path, line, col, "tag link without a tag name; dropped"))
        elif found.group("stray"):
            warnings.append(Diagnostic(
                path, line, col,
                "unrecognised or unterminated <a> tag; shown as plain text", text[found.start():found.start() + 80]))
            scan_mentions(found.group(), path, line, col, items, warnings)
    if pos < len(text):
        scan_mentions(text[pos:], path, line, pos + 1, items, warnings)
    return items
