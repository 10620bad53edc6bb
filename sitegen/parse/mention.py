"""The mention grammar: ``[TYPE words  ]``, the one definition every reader uses.

The cable parser (inline.py), the Markdown plugin (markdown.py) and the
Pygments lexer (render/highlight.py) all read mentions with ``MENTION``, so what the
source view highlights is what the pages link. A mention is ``[``, an entity
type (any case; upper case is the norm), one space, the words, ``]``. The
words are on one line, hold no ``]``, do not open another mention and are
not all white space.

``problem`` explains an opening ``[TYPE `` that is not a mention, for the
parser's warnings.
"""

from __future__ import annotations

import re

from sitegen.model import ENTITY_TYPES

_TYPES = "|".join(ENTITY_TYPES)
#: The opening of another mention, which the words of one may not contain.
_INNER = r"\[(?i:" + _TYPES + r") "
_INNER_RE = re.compile(_INNER)
#: A well-formed mention: groups ``type`` (as written) and ``words`` (as written, spaces kept).
MENTION = re.compile(
    r"\[(?P<type>(?i:" + _TYPES + r")) "
    r"(?P<words>(?:(?!" + _INNER + r")[^\]\n])*?(?:(?!" + _INNER + r")[^\]\s])(?:(?!" + _INNER + r")[^\]\n])*)"
    r"\]"
)
#: Anything that opens like a mention, with any word as its type.
OPENING = re.compile(r"\[([A-Za-z]+) ")
#: The entity types by their case-folded spelling.
KNOWN = {t.casefold(): t for t in ENTITY_TYPES}


def entity_type(written: str) -> str | None:
    """Return the entity type a mention's type is read as (``per`` -> ``PER``), None for an unknown one."""
    return KNOWN.get(written.casefold())


def words(match: re.Match[str]) -> str:
    """Return the words of a mention with white space collapsed: the entity's spelling."""
    return " ".join(match.group("words").split())


def problem(text: str, opening: re.Match[str]) -> tuple[str, int] | None:
    """Say why an ``OPENING`` in ``text`` is not a mention: (what, end of the offending text).

    What is one of ``unknown`` (a well-formed bracket with an unknown type),
    ``nested``, ``unclosed`` or ``empty``; None when it is just a bracket
    (``[Note that ...]``), which is ordinary text.
    """
    body = opening.end()
    eol = text.find("\n", body)
    eol = len(text) if eol == -1 else eol
    close = text.find("]", body, eol)
    if entity_type(opening.group(1)) is None:
        if close != -1 and text.endswith("  ", body, close) and "[" not in text[body:close]:
            return "unknown", close + 1
        return None
    inner = _INNER_RE.search(text, body, eol)
    if inner and (close == -1 or inner.start() < close):
        return "nested", opening.start() + 120
    if close == -1:
        return "unclosed", opening.start() + 120
    return "empty", close + 1
