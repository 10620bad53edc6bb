"""Markdown sources -> MarkdownSource -> HTML: pages, the home introduction, entity notes.

``parse_markdown`` reads one ``.md`` file (front matter, body, the mentions it
contains with their line and column); it is pure and never raises for bad
input. ``render_markdown`` turns a body into HTML for one page, with
markdown-it-py, the mention plugin and Pygments for fenced code.

Where a Markdown file sits decides what it is:

- ``index.md`` at the top of the content folder: the home page introduction;
- ``entities/<type>/<name>.md``: an editor's note on one entity's page;
- any other ``.md``: a page of its own, listed in the site navigation.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from markupsafe import Markup, escape

from sitegen.errors import Diagnostic, SourceError
from sitegen.model import ENTITY_TYPES, Mention, entity_key
from sitegen.parse.mention import MENTION
from sitegen.parse.mention import words as mention_words
from sitegen.parse.source import decode
from sitegen.site.html import FragmentRenderer
from sitegen.site.urls import is_relative_link

if TYPE_CHECKING:  # markdown-it-py is imported when a Markdown file is read (markdown_parser), not by every build
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

#: Front matter keys and the type of their values.
FRONT_MATTER_KEYS: dict[str, type] = {
    "title": str,
    "description": str,
    "menu": int,
    "nav": bool,
    "template": str,
    "aliases": list,
    "wikidata": str,
}
#: Front matter keys only an entity's note takes: they join the authority file (docs/entities.md).
AUTHORITY_KEYS = ("aliases", "wikidata")
#: Element ids the theme's pages use; headings never take them.
RESERVED_IDS = frozenset(
    {
        "main",
        "header",
        "signature",
        "search",
        "finder-input",
        "finder-list",
        "note-title",
        "related-title",
        "docs-title",
        "figures-title",
        "panel-title",
        "doc-title",
        "section",
    }
)
_GENERATED_ID = re.compile(r"t[0-9]+|par[0-9].*|L[0-9]+|letter-.*|finder-option-.*")
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class MarkdownSource:
    """One parsed Markdown file."""

    source: str
    """Path relative to the content folder, with ``/`` separators."""
    kind: str
    """``page``, ``intro`` (the home page introduction) or ``note`` (on an entity page)."""
    body: str
    """The Markdown text after the front matter."""
    body_line: int
    """Source line of the body's first line, minus one."""
    title: str
    """Title from the front matter, the first heading, or the file name."""
    description: str = ""
    menu: int = 0
    """Position in the navigation; pages sort by menu, then title."""
    nav: bool = True
    """False keeps a page out of the navigation."""
    template: str = ""
    """Template name from the front matter; empty for the default."""
    entity: tuple[str, str] = ("", "")
    """For a note: the entity it is about, as (TYPE, name from the file name)."""
    mentions: tuple[Mention, ...] = ()
    """Mentions in the body, with their line and column in the file."""
    aliases: tuple[str, ...] = ()
    """For a note: other names of its entity (as in the authority file)."""
    wikidata: str = ""
    """For a note: its entity's Wikidata id."""
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    """The line of each front matter key."""
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int:
        """Return the line of a front matter key (1 when it has none)."""
        return dict(self.lines).get(key, 1)


def markdown_kind(relative: str) -> tuple[str, tuple[str, str]]:
    """Return what a Markdown file is by where it sits, and the entity of a note."""
    if relative == "index.md":
        return "intro", ("", "")
    parts = relative.split("/")
    if len(parts) == 3 and parts[0] == "entities" and parts[1].upper() in ENTITY_TYPES:
        return "note", (parts[1].upper(), parts[2][: -len(".md")])
    return "page", ("", "")


def parse_markdown(relative: str, data: bytes) -> MarkdownSource:
    """Parse one Markdown file; raises SourceError only when it is empty or binary."""
    text, warnings = decode(data, relative)
    front, body_line, warnings = _front_matter(relative, text, warnings)
    lines = front.pop("", {})
    body = "\n".join(text.split("\n")[body_line:])
    kind, entity = markdown_kind(relative)
    for key in AUTHORITY_KEYS:
        if key in front and kind != "note":
            warnings.append(
                Diagnostic(
                    relative,
                    lines[key],
                    1,
                    f"front matter '{key}' is for entity notes (entities/TYPE/NAME.md); ignored",
                )
            )
            del front[key]
    mentions = _find_mentions(body, body_line)
    title = front.get("title") or _first_heading(body) or entity[1] or _file_title(relative)
    template = front.get("template", "")
    if template and not re.fullmatch(r"[A-Za-z0-9_-]+\.html", template):
        warnings.append(
            Diagnostic(
                relative,
                1,
                1,
                f"front matter template '{template}' is not a template file name such as page.html; using the default",
            )
        )
        template = ""
    return MarkdownSource(
        source=relative,
        kind=kind,
        body=body,
        body_line=body_line,
        title=title,
        description=front.get("description", ""),
        menu=front.get("menu", 0),
        nav=front.get("nav", True),
        template=template,
        entity=entity,
        mentions=tuple(mentions),
        aliases=tuple(front.get("aliases", ())),
        wikidata=front.get("wikidata", ""),
        lines=tuple(sorted(lines.items())),
        diagnostics=tuple(warnings),
    )


def read_markdown(relative: str, data: bytes) -> tuple[MarkdownSource | None, list[Diagnostic]]:
    """Parse a Markdown file; return (None, [reason]) when it cannot be used."""
    try:
        parsed = parse_markdown(relative, data)
    except SourceError as exc:
        return None, [exc.diagnostic]
    return parsed, list(parsed.diagnostics)


def _file_title(relative: str) -> str:
    """Return a title made from a file name: ``about-us.md`` -> ``About us``."""
    stem = relative.rsplit("/", 1)[-1][: -len(".md")]
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    return words[:1].upper() + words[1:] if words else relative


def _first_heading(body: str) -> str:
    """Return the text of the first ``# Heading`` line, if any."""
    found = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.MULTILINE)
    if not found:
        return ""
    return " ".join(MENTION.sub(mention_words, found.group(1)).split())


def _front_matter(relative: str, text: str, warnings: list[Diagnostic]) -> tuple[dict[str, Any], int, list[Diagnostic]]:
    """Read a ``---`` (key: value) or ``+++`` (TOML) block; return values and the body's line offset.

    The values include, under ``""``, the line of each key.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, 0, warnings
    fence = lines[0].strip()
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == fence), None)
    if end is None:
        warnings.append(
            Diagnostic(relative, 1, 1, f"front matter opened with '{fence}' is never closed; read as Markdown")
        )
        return {}, 0, warnings
    raw: dict[str, tuple[Any, int]] = {}
    if fence == "+++":
        try:
            table = tomllib.loads("\n".join(lines[1:end]))
            raw = {key: (value, _toml_line(lines, key, end)) for key, value in table.items()}
        except tomllib.TOMLDecodeError as exc:
            warnings.append(Diagnostic(relative, 2, 1, f"front matter is not valid TOML: {exc}"))
    else:
        for number in range(1, end):
            line = lines[number]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            found = _FIELD.match(line)
            if not found:
                warnings.append(
                    Diagnostic(relative, number + 1, 1, "front matter line is not 'key: value'; ignored", line)
                )
                continue
            raw[found.group(1)] = (_scalar(found.group(2)), number + 1)
    values: dict[str, Any] = {"": {key: line for key, (_, line) in raw.items()}}
    for key, (value, line_number) in raw.items():
        kind = FRONT_MATTER_KEYS.get(key)
        if kind is list and isinstance(value, str):
            value = [name.strip() for name in value.split(",") if name.strip()]  # aliases: US, U.S.
        if kind is None:
            warnings.append(
                Diagnostic(
                    relative,
                    line_number,
                    1,
                    f"unknown front matter key '{key}' (known keys: {', '.join(FRONT_MATTER_KEYS)}); ignored",
                )
            )
        elif kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            warnings.append(
                Diagnostic(
                    relative, line_number, 1, f"front matter '{key}' must be a whole number, not {value!r}; ignored"
                )
            )
        elif kind is list and not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
            warnings.append(
                Diagnostic(
                    relative, line_number, 1, f"front matter '{key}' must be a list of names, not {value!r}; ignored"
                )
            )
        elif kind is list:
            values[key] = [" ".join(v.split()) for v in value]
        elif not isinstance(value, kind):
            warnings.append(
                Diagnostic(
                    relative,
                    line_number,
                    1,
                    f"front matter '{key}' must be"
                    f" {'true or false' if kind is bool else 'text'}, not {value!r}; ignored",
                )
            )
        else:
            values[key] = " ".join(str(value).split()) if kind is str else value
    return values, end + 1, warnings


def _toml_line(lines: list[str], key: str, end: int) -> int:
    """Return the line where a TOML front matter block sets ``key`` (2 when it cannot be found)."""
    for number in range(1, end):
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", lines[number]):
            return number + 1
    return 2


def _scalar(value: str) -> Any:
    """Return a front matter value: a quoted or plain string, a list ``["a", "b"]``, a whole number or a boolean."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value.startswith("[") and value.endswith("]"):
        try:
            return tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            return value
    if re.fullmatch(r"[+-]?[0-9]{1,9}", value):
        return int(value)
    if value.lower() in ("true", "false", "yes", "no"):
        return value.lower() in ("true", "yes")
    return value


# -- the mention plugin ---------------------------------------------------------------------------


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """Read ``[PER Alan Garcia  ]`` as a mention (not a link, which is followed by ``(`` or ``[``).

    Mentions are read by the documents' grammar (mention.py); in Markdown the
    type must be written in upper case, so that ``[per capita  ]`` stays text.
    """
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    found = MENTION.match(src, pos)
    if not found or found.group("type") not in ENTITY_TYPES:
        return False
    if src[found.end() : found.end() + 1] in ("(", "["):
        return False
    if not silent:
        token = state.push("entity_mention", "", 0)
        token.meta = {"type": found.group("type"), "text": mention_words(found), "raw": found.group(0)}
    state.pos = found.end()
    return True


def mention_plugin(md: MarkdownIt) -> None:
    """markdown-it-py plugin: entity mentions render like mentions in documents."""
    md.inline.ruler.before("link", "entity_mention", _mention_rule)

    def render(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
        meta = tokens[idx].meta
        fragments: FragmentRenderer | None = env.get("fragments")
        mention = Mention(meta["type"], meta["text"], 0, 0)
        if fragments is None:
            return f'<span class="m m-{meta["type"].lower()}">{escape(meta["text"])}</span>'
        return fragments.written_mention(mention)

    md.add_render_rule("entity_mention", render)

    def link_open(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
        resolve = env.get("resolve")
        href = tokens[idx].attrGet("href")
        if resolve is not None and isinstance(href, str):
            target = resolve(href)
            if target == "":
                del tokens[idx].attrs["href"]  # a link that would leave the site
            elif target is not None:
                tokens[idx].attrSet("href", target)
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)

    def heading_open(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
        inline = tokens[idx + 1]
        words = re.sub(r"[^\w\s-]", "", MENTION.sub(mention_words, inline.content).casefold())
        base = "-".join(words.split()) or "section"
        taken = env.setdefault("heading_ids", set(RESERVED_IDS))
        anchor, n = base, 1
        while anchor in taken or _GENERATED_ID.fullmatch(anchor):
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        tokens[idx].attrSet("id", anchor)
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", heading_open)


#: What marks highlighted code in rendered Markdown: a page with it links the Pygments stylesheet.
HIGHLIGHTED = '<pre class="highlight">'


def highlight_code(code: str, lang: str, attrs: str) -> str:
    """Highlight a fenced code block with Pygments; plain when the language is unknown."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    from sitegen.render.highlight import highlight_lines

    name = lang.strip().split()[0] if lang.strip() else ""
    if not name:
        return ""
    try:
        lexer = get_lexer_by_name(name)
    except ClassNotFound:
        return ""
    body = "".join(line + "\n" for line in highlight_lines(code, lexer))
    return f'<pre class="highlight"><code class="language-{escape(name)}">{body}</code></pre>\n'


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """Return the Markdown parser: CommonMark with tables and strikethrough, raw HTML escaped."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "highlight": highlight_code})
    md.enable(["table", "strikethrough"])
    md.use(mention_plugin)
    return md


def _find_mentions(body: str, line_offset: int) -> list[Mention]:
    """Return the mentions the parser finds in a body, with their line and column in the file."""
    lines = body.split("\n")
    mentions = []
    for token in markdown_parser().parse(body):
        if token.type != "inline" or not token.map or not token.children:
            continue
        line, col = token.map[0], 0
        for child in token.children:
            if child.type != "entity_mention":
                continue
            raw = child.meta["raw"]
            while line < min(token.map[1], len(lines)) and lines[line].find(raw, col) == -1:
                line, col = line + 1, 0
            where = lines[line].find(raw, col) if line < len(lines) else -1
            if where == -1:
                line, where = token.map[0], 0
            mentions.append(Mention(child.meta["type"], child.meta["text"], line + line_offset + 1, where + 1))
            col = where + len(raw)
    return mentions


def render_markdown(
    body: str, fragments: FragmentRenderer | None, resolve: Callable[[str], str | None] | None = None
) -> Markup:
    """Return a Markdown body as HTML; mentions link through ``fragments``.

    ``resolve`` may rewrite link targets, such as ``other.md`` to that page's URL.
    """
    return Markup(markdown_parser().render(body, {"fragments": fragments, "resolve": resolve}))


def markdown_link(href: str, source: str) -> tuple[str, str] | None:
    """Return (content-relative .md path, fragment) for a relative link to a Markdown file, else None."""
    if not is_relative_link(href):
        return None
    path, _, fragment = href.partition("#")
    path = unquote(path)
    if not path.endswith(".md"):
        return None
    parts = source.split("/")[:-1]
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts), fragment


def unknown_mentions(page: MarkdownSource, known: Any, resolve: Any = None) -> list[Diagnostic]:
    """Return a warning for each mention of an entity that ``known`` does not contain.

    ``resolve`` gives the mention as the site shows it (see index/resolve.py): a dropped or
    withheld name is not a mention of an entity, and an alias is a mention of its entity.
    """
    warnings = []
    for m in page.mentions:
        shown = resolve(m) if resolve is not None else m
        if isinstance(shown, Mention) and shown.key[1] and shown.key not in known:
            warnings.append(
                Diagnostic(
                    page.source, m.line, m.col, f"no document mentions the {m.type} '{m.text}'; shown without a link"
                )
            )
    return warnings


def note_key(page: MarkdownSource) -> tuple[str, str]:
    """Return the entity key a note is about."""
    return entity_key(*page.entity)
