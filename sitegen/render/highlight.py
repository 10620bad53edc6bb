"""A Pygments lexer for the tagged-cable format, and the source view's HTML.

The lexer is registered as a Pygments plugin (entry point ``pygments.lexers``),
so ``pygmentize -l tagged-cable file.txt`` works once sitegen is installed.
It never emits Error tokens: anything it does not recognise is Text.

Token types:

- ``Name.Entity.<TYPE>``: the words of a mention; ``Punctuation.Entity.<TYPE>``:
  its brackets and type (``[PER `` and ``  ]``);
- ``Name.Attribute``: header field names (``TAGS:``, ``SUBJECT:``...);
- ``Keyword.Constant``: the classification on the header line;
- ``Name.Tag``: tag links (``<a href='/tag/PREL_0.html'>PREL</a>``);
- ``Name.Label``: paragraph anchors (``<a id='par2' href='#par2'>¶</a>2 .``);
- ``Comment.Preproc``: the ``<code><pre>`` wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import ClassVar

from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.style import Style
from pygments.styles import get_style_by_name
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Punctuation,
    Text,
    Whitespace,
    _TokenType,
)

from sitegen.model import ENTITY_TYPES
from sitegen.parse.mention import MENTION as MENTION_RE
from sitegen.render.escape import escape_html

MENTION = {t: getattr(Name.Entity, t) for t in ENTITY_TYPES}
BRACKET = {t: getattr(Punctuation.Entity, t) for t in ENTITY_TYPES}
#: The entity type of a mention's brackets' token type.
_TYPE_OF = {BRACKET[t]: t for t in ENTITY_TYPES}


def _mention(lexer: RegexLexer, match: re.Match[str]) -> Iterator[tuple[int, _TokenType, str]]:
    """Yield the tokens of one mention, typed by its (case-insensitive) entity type."""
    type_ = match.group("type").upper()
    written = match.group("words")
    shown = written.rstrip()
    start = match.start("words")
    yield match.start(), BRACKET[type_], match.group(0)[: start - match.start()]
    yield start, MENTION[type_], shown
    yield start + len(shown), BRACKET[type_], written[len(shown) :] + "]"


_COMMON = [
    (MENTION_RE.pattern, _mention),
    (r"<a\s+href\s*=\s*['\"][^'\"<>\n]*/tag/[^'\"<>\n]*['\"]\s*>[^<\n]*</a>", Name.Tag),
    (
        r"<a\s+id\s*=\s*['\"][^'\"<>\n]*['\"]\s+href\s*=\s*['\"]#[^'\"<>\n]*['\"]\s*>[^<\n]*</a>"
        r"(?:[ \t]*[0-9]{1,6}[ \t]*\.(?=[ \t]|$))?",
        Name.Label,
    ),
    (r"</?(?:code|pre)\s*>", Comment.Preproc),
]


class CableLexer(RegexLexer):
    """Tagged cables: mentions by type, header fields, tag links and paragraph anchors."""

    name = "Tagged cable"
    aliases = ["tagged-cable", "cable"]
    filenames: ClassVar[list[str]] = []
    mimetypes = ["text/x-tagged-cable"]
    url = "https://github.com/sitegen/sitegen"

    tokens = {
        # The header is the first line; its field names are highlighted only there. Every rule but
        # the plain text starts where no letter or digit is before it (source views use _cable_lines,
        # which looks for the rules alone and counts on that).
        "root": [
            (r"\n", Whitespace, "body"),
            *_COMMON,
            (
                r"((?<![A-Za-z0-9])E\s?\.?\s?O\s?\.?\s*12958\s*:?|\bDECL\b\s*:?|\bTAGS\b\s*:?|\b(?:SUBJECT|Subject|SUBJ)\s*:"
                r"|\bREF(?:S|TEL)?\s*:|\b(?i:CLASSIFIED\s+BY)\b\s*:?|\bREASONS?\b\s*:?)",
                Name.Attribute,
            ),
            (
                r"(?<![A-Za-z0-9])(C ?O ?N ?F ?I ?D ?E ?N ?T ?I ?A ?L|S ?E ?C ?R ?E ?T|UNCLASSIFIED|UNCLAS"
                r"|LIMITED OFFICIAL USE)(?![A-Za-z])",
                Keyword.Constant,
            ),
            (r"[A-Za-z0-9]+|[^\[<\nA-Za-z0-9]+", Text),  # no field name or classification starts in a run of these
            (r"[\[<]", Text),
        ],
        "body": [
            (r"\n", Whitespace),
            *_COMMON,
            (r"[^\[<\n]+", Text),
            (r"[\[<]", Text),
        ],
    }


# -- styles: a Pygments style per colour scheme, with the site's entity colours ------------------


def make_style(base: str, colors: dict[str, str]) -> type[Style]:
    """Return a Pygments style: ``base`` plus the entity colours of one colour scheme."""
    parent = get_style_by_name(base)
    styles = dict(parent.styles)
    styles.update(
        {
            Name.Attribute: "bold " + _color(parent.styles.get(Name.Attribute, "")),
            Name.Label: "bold",
            Name.Tag: _color(parent.styles.get(Name.Tag, "")) or "underline",
            Comment.Preproc: _color(parent.styles.get(Comment, "")) or "italic",
        }
    )
    for type_, color in colors.items():
        usable = color if re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", color) else ""
        styles[MENTION[type_]] = f"bold {usable} underline"  # bold like the brackets it is written inside
        styles[BRACKET[type_]] = f"bold {usable}".strip()
    return type(f"Sitegen{base.title()}Style", (parent,), {"styles": styles})


def _color(spec: str) -> str:
    """Return the ``#rrggbb`` part of a Pygments style string, if any."""
    return next((part for part in spec.split() if part.startswith("#")), "")


def pygments_css(light: str, dark: str, light_colors: dict[str, str], dark_colors: dict[str, str]) -> str:
    """Return the stylesheet of highlighted code and source pages, for light and dark schemes."""
    light_css = HtmlFormatter(style=make_style(light, light_colors)).get_style_defs(".highlight")
    dark_css = HtmlFormatter(style=make_style(dark, dark_colors)).get_style_defs(".highlight")
    dark_css = "\n".join("  " + line for line in dark_css.splitlines())
    return (
        f"/* Pygments styles '{light}' (light) and '{dark}' (dark), generated by sitegen. */\n"
        f"{light_css}\n@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"
    )


@lru_cache(maxsize=1)
def _classes() -> dict:
    """Return the CSS class of each token type, as Pygments' stylesheets name them."""
    formatter = HtmlFormatter(style=make_style("default", dict.fromkeys(ENTITY_TYPES, "#000000")))
    return dict(formatter.ttype2class)  # type: ignore[attr-defined]  # set by HtmlFormatter.__init__


@cache
def _css_class(ttype: _TokenType) -> str:
    """Return the CSS class of a token type (that of its nearest styled parent)."""
    classes = _classes()
    while ttype not in classes and ttype.parent is not None:
        ttype = ttype.parent
    return classes.get(ttype, "")


def highlight_lines(text: str, lexer: Lexer) -> list[str]:
    """Return ``text`` as highlighted HTML, one string per line.

    The markup is written here rather than by Pygments' HtmlFormatter so that
    it (and its escaping) does not change with the Pygments version.
    """
    out: list[str] = []
    tokens = list(lexer.get_tokens(text))
    i = 0
    while i < len(tokens):
        ttype, value = tokens[i]
        type_ = _TYPE_OF.get(ttype)
        if type_ and i + 2 < len(tokens) and tokens[i + 1][0] is MENTION[type_] and tokens[i + 2][0] is ttype:
            out.append(_mention_html(type_, value, tokens[i + 1][1], tokens[i + 2][1]))
            i += 3
        else:
            out.append(_token_html(_css_class(ttype), value))
            i += 1
    return _split_lines(out)


def _token_html(css: str, value: str) -> str:
    """Return a token's text escaped, in an element of its class on each line it is on (plain text: in none)."""
    escaped = escape_html(value)
    if not css:
        return escaped
    return "\n".join(f'<span class="{css}">{part}</span>' if part else "" for part in escaped.split("\n"))


def _mention_html(type_: str, opening: str, words: str, closing: str) -> str:
    """Return a mention: its brackets' element with its words' element inside (not beside it: a cable
    has hundreds of mentions)."""
    return (
        f'<span class="{_css_class(BRACKET[type_])}">{escape_html(opening)}'
        f'<span class="{_css_class(MENTION[type_])}">{escape_html(words)}</span>{escape_html(closing)}</span>'
    )


def _split_lines(out: list[str]) -> list[str]:
    """Return highlighted HTML as lines (no element spans a line end), without an empty last one."""
    lines = "".join(out).split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


@lru_cache(maxsize=1)
def _cable_states() -> dict[str, tuple[re.Pattern[str], list[tuple[object, str | None]]]]:
    """Return each state of CableLexer as one pattern of its rules but plain text (which is what lies
    between their matches), with each rule's token type or callback and the state it goes to. The
    body's line ends are left to the text: they change nothing there."""
    states = {}
    for state, rules in CableLexer.tokens.items():
        kept = [rule for rule in rules if rule[1] is not Text and not (state == "body" and rule[1] is Whitespace)]
        pattern = re.compile("|".join(f"(?P<r{i}>{rule[0]})" for i, rule in enumerate(kept)), CableLexer.flags)
        states[state] = (pattern, [(rule[1], rule[2] if len(rule) > 2 else None) for rule in kept])
    return states


#: Where a rule of the body can start.
_BODY_START = re.compile(r"[\[<]")


def _cable_lines(text: str) -> list[str]:
    """Return a tagged cable highlighted as ``highlight_lines`` does with CableLexer, twice as fast.

    Pygments tries every rule of a state at each word; this looks for the next match of any rule,
    which finds the same since each rule starts where no letter or digit is before it."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    out: list[str] = []
    states, state, pos, size = _cable_states(), "root", 0, len(text)
    while pos < size:
        pattern, rules = states[state]
        if state == "body":  # every rule of the body starts with "[" or "<": look only there
            found, at = None, pos
            while found is None and (near := _BODY_START.search(text, at)) is not None:
                found, at = pattern.match(text, near.start()), near.start() + 1
        else:
            found = pattern.search(text, pos)
        end = found.start() if found else size
        if end > pos:
            out.append(escape_html(text[pos:end]))
        if found is None:
            break
        action, after = rules[int(found.lastgroup[1:])]  # type: ignore[index]  # every alternative is named
        if action is _mention:  # the tokens _mention makes
            words = found.group("words")
            shown = words.rstrip()
            opening = found.group(0)[: found.start("words") - end]
            out.append(_mention_html(found.group("type").upper(), opening, shown, words[len(shown) :] + "]"))
        else:
            out.append(_token_html(_css_class(action), found.group()))
        state = after or state
        pos = found.end()
    return _split_lines(out)


def source_html(text: str, lexer: str = "tagged-cable", first: int = 1) -> str:
    """Return a source text highlighted with the named lexer (none: plain), with anchored line numbers
    starting at ``first``."""
    if not lexer:
        return plain_source_html(text, first)
    if lexer == "tagged-cable":
        return _numbered(_cable_lines(text), first)
    return _numbered(highlight_lines(text, get_lexer_by_name(lexer, stripnl=False, ensurenl=True)), first)


def plain_source_html(text: str, first: int = 1) -> str:
    """Return a source text without highlighting (for very large files), with line anchors."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return _numbered([escape_html(line) for line in lines], first)


def _numbered(lines: list[str], first: int = 1) -> str:
    """Return the source view of lines of HTML: each line an element with an ``L<n>`` anchor, its
    first child the link to it (the only elements directly inside ``code``; the theme styles them as
    ``.source-lines code > span``, without a class on each of thousands of lines).

    The lines are blocks, so no line break goes between them: inside ``<pre>`` it would show as an
    empty line after each."""
    body = "".join(f'<span id="L{n}"><a href="#L{n}">{n}</a>{line}</span>' for n, line in enumerate(lines, first))
    return f'<div class="source-view"><pre class="highlight source-lines"><code>{body}</code></pre></div>'


__all__ = ["CableLexer", "make_style", "plain_source_html", "pygments_css", "source_html"]
