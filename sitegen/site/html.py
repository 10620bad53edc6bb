"""Segments -> HTML fragments: mentions, tag links, paragraphs and snippets.

These fragments repeat hundreds of thousands of times in a large site, so they
are built here in Python rather than in template macros. Their markup is the
HTML contract documented in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from markupsafe import Markup, escape

from sitegen.model import Mention, Segments, TagRef, plain_text
from sitegen.render.escape import escape_html


@dataclass(frozen=True)
class EntityInfo:
    """What a mention needs to know about its entity to render."""

    href: str
    """Path of the entity page from the site root, percent-encoded."""
    label: str
    """The entity's type as the site names it (``Person``)."""
    name: str
    """The entity's display name."""
    counts: str
    """The tooltip's last line: ``8 documents · 9 mentions`` (and ``· no page of its own``), rounded
    from 100 (``about 3,400 mentions``, see rough)."""
    tip_css: str = field(init=False)
    """The tooltip's text as a CSS string (made once: every page that names the entity shows it)."""
    tip_html: str = field(init=False)
    """The tooltip's text as the screen-reader description, escaped HTML."""

    def __post_init__(self) -> None:
        """Make the tooltip's text from the label, name and counts."""
        object.__setattr__(self, "tip_css", css_string(f"{self.label}\n{self.name}\n{self.counts}"))
        object.__setattr__(self, "tip_html", f"{escape(self.label)}: {escape(self.name)}, {escape(self.counts)}")

    @classmethod
    def make(cls, path: str, label: str, name: str, docs: int, mentions: int, has_page: bool = True) -> EntityInfo:
        """Return the info of one entity; one without a page of its own links to its entry on the A-Z
        index, and the tooltip says so."""
        counts = tooltip_counts(docs, mentions) + ("" if has_page else " · no page of its own")
        return cls(quote(path, safe="/#"), label, name, counts)


#: Tooltips say counts from this one up to two significant figures (see rough).
ROUGH_FROM = 100


def rough(count: int, word: str) -> str:
    """Return a count as a tooltip says it: exact below ROUGH_FROM (``54 documents``), else to two
    significant figures (``about 3,400 mentions``, half up).

    The exact figures are on the entity's page. A tooltip is on every page that
    names the entity, so exact counts would make one more mention of a
    much-named entity change thousands of pages; rounded, it seldom changes any.
    """
    if count < ROUGH_FROM:
        return plural(count, word)
    unit = 10 ** (len(str(count)) - 2)
    return "about " + plural((count + unit // 2) // unit * unit, word)


def tooltip_counts(docs: int, mentions: int) -> str:
    """Return the counts a tooltip shows: ``8 documents · 9 mentions``, rounded from 100 (see rough)."""
    return f"{rough(docs, 'document')} · {rough(mentions, 'mention')}"


def shown_date(date: str) -> str:
    """Return an ISO 8601 date as pages show it: ``2002-11-15 12:40`` for ``2002-11-15T12:40:00``."""
    day, _, time = date.partition("T")
    return f"{day} {time[:5]}" if time else day


def plural(count: int, word: str, words: str = "") -> str:
    """Return ``1 document`` or ``3 documents`` (``words`` when the plural is not ``word`` + s)."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


class FragmentRenderer:
    """Render running text for one page, and the tooltips of the entities it mentions.

    A tooltip's content is on the page once per entity, however often the
    entity is mentioned: as a description in a hidden list at the end of the
    page, which each mention names with ``aria-describedby``, and as a CSS
    string in the page's head, which the theme shows beside a mention on
    hover and focus (``tips_style``, ``tips_list``).
    """

    def __init__(
        self,
        root: str,
        entity: Callable[[tuple[str, str]], EntityInfo | None],
        tag_path: Callable[[str], str],
        resolve: Callable[[Mention], str | Mention] | None = None,
    ) -> None:
        """Take the way up to the site root (``../../``), entity info, tag page paths, and how a mention
        written in Markdown names its entity (documents' mentions are resolved already)."""
        self._root = root
        self._entity = entity
        self._tag_path = tag_path
        self._resolve = resolve
        self._tips: dict[str, EntityInfo] = {}
        """Each entity mentioned on the page by its tooltip's id, in the order of first mention."""
        self._links: dict[tuple[str, str], str] = {}
        """Each entity's mention markup up to its words, made once per page."""

    def written_mention(self, mention: Mention) -> str:
        """Return a mention written in Markdown: resolved as documents' are, then as any mention."""
        shown = self._resolve(mention) if self._resolve is not None else mention
        return escape(shown) if isinstance(shown, str) else self.mention(shown)

    def mention(self, mention: Mention) -> str:
        """Return one mention: a link styled by type, described by its entity's tooltip."""
        key = mention.key
        start = self._links.get(key)
        if start is None:
            info = self._entity(key)
            type_ = mention.type
            if info is None:
                return f'<span class="m m-{type_.lower()}">{escape_html(mention.text)}</span>'
            tip = f"tip-{len(self._tips) + 1}"
            self._tips[tip] = info
            start = self._links[key] = (
                f'<a class="m m-{type_.lower()}" href="{self._root}{info.href}" aria-describedby="{tip}">'
            )
        return f"{start}{escape_html(mention.text)}</a>"

    def tips_style(self) -> Markup:
        """Return the page's style element that gives each mentioned entity's mentions their tooltip text."""
        if not self._tips:
            return Markup("")
        rules = "".join(f'[aria-describedby="{tip}"]{{--tip:{info.tip_css}}}\n' for tip, info in self._tips.items())
        return Markup(f'<style id="tips">\n{rules}</style>')

    def tips_list(self) -> Markup:
        """Return the hidden list of the tooltips' descriptions that mentions name with ``aria-describedby``."""
        if not self._tips:
            return Markup("")
        items = "".join(f'<li id="{tip}">{info.tip_html}</li>' for tip, info in self._tips.items())
        return Markup(f'<ul class="tips" hidden>{items}</ul>')

    def tag(self, tag: TagRef) -> str:
        """Return a source tag link, pointing at this site's tag page."""
        href = self._root + quote(self._tag_path(tag.name), safe="/")
        return f'<a class="tag" href="{href}">{escape_html(tag.name)}</a>'

    def text(self, segments: Segments) -> Markup:
        """Return running text as HTML: escaped strings, mentions and tag links."""
        out: list[str] = []
        for seg in segments:
            if isinstance(seg, str):
                out.append(escape_html(seg))
            elif isinstance(seg, Mention):
                out.append(self.mention(seg))
            else:
                out.append(self.tag(seg))
        return Markup("".join(out))


def css_string(text: str) -> str:
    """Return text as a quoted CSS string that is safe inside a style element: quotes, backslashes,
    angle brackets, ampersands and control characters escaped, line ends as CSS line breaks."""
    out = ['"']
    for char in text:
        if char in '"\\<>&' or char < " " or char in "\x7f\u2028\u2029":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def occurrence_item(
    href: str, title: str, meta: str, places: Iterable[tuple[str, str, Markup, int]], ident: str = ""
) -> str:
    """Return one document on an entity page as a list item: its title linked, its origin, date and
    mentions (``meta``), and a snippet linked to each paragraph that mentions the entity (href,
    label, snippet, mentions there). Entity pages list hundreds of thousands of these, so they are
    built here rather than in the template; everything from the content is escaped."""
    kwic = "".join(
        f'<li><a href="{escape_html(place)}">{escape_html(label)}</a> {escape(text)}'  # a snippet is Markup already
        + (f' <span class="count">×{count}</span></li>' if count > 1 else "</li>")
        for place, label, text, count in places
    )
    opening = f'<li id="{escape_html(ident)}">' if ident else "<li>"
    return (
        f'\n{opening}<h3><a href="{escape_html(href)}">{escape_html(title)}</a></h3>'
        f'<p class="doc-meta">{escape_html(meta)}</p><ul class="kwic">{kwic}</ul></li>'
    )


def snippet(segments: Segments, key: tuple[str, str], width: int = 90, index: int | None = None) -> Markup:
    """Return keyword-in-context text around the first mention of ``key`` (at ``index`` if known).

    ``segments`` may also be the words of running text as plain strings, with ``index`` given.
    """
    if index is None:
        index = next((i for i, seg in enumerate(segments) if isinstance(seg, Mention) and seg.key == key), -1)
    if index < 0:
        return Markup(escape(" ".join(plain_text(segments[:200]).split())[: 2 * width]))
    found = segments[index]
    return keyword_in_context(
        _context(segments, index, -1, width),
        found if isinstance(found, str) else found.text,  # type: ignore[union-attr]  # index is a mention's
        _context(segments, index, 1, width),
        width,
    )


def keyword_in_context(left: str, found: str, right: str, width: int) -> Markup:
    """Return a mention's text marked between the texts either side of it, each cut to about ``width`` characters."""
    space_left = " " if left[-1:].isspace() else ""  # "Peru's" has none, "in Peru" has
    space_right = " " if right[:1].isspace() else ""
    left = " ".join(left.split())
    right = " ".join(right.split())
    if len(left) > width:
        left = "…" + left[-width:].split(" ", 1)[-1]
    if len(right) > width:
        right = right[:width].rsplit(" ", 1)[0] + "…"
    return Markup(
        f"{escape_html(left)}{space_left if left else ''}<mark>{escape_html(found)}</mark>{space_right if right else ''}{escape_html(right)}"
    )


def snippet_reach(width: int) -> int:
    """Return how many characters of context a snippet reads either side of the mention."""
    return 2 * width + 40


def _context(segments: Segments, index: int, step: int, width: int) -> str:
    """Return the plain text on one side of segment ``index``, enough for ``width`` characters.

    Only the nearby segments are read, so a paragraph of any length costs the same.
    """
    parts, size, j, end = [], 0, index + step, len(segments)
    limit = snippet_reach(width)
    while 0 <= j < end and size < limit:
        seg = segments[j]
        text = seg if isinstance(seg, str) else (seg.text if isinstance(seg, Mention) else seg.name)
        parts.append(text)
        size += len(text)
        j += step
    return "".join(reversed(parts) if step < 0 else parts)
