"""Segments -> HTML fragments: mentions, tag links, paragraphs and snippets.

These fragments repeat hundreds of thousands of times in a large site, so they
are built here in Python rather than in template macros. Their markup is the
HTML contract documented in the README.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape

from sitegen.model import Mention, Segments, TagRef, plain_text


@dataclass(frozen=True)
class EntityInfo:
    """What a mention needs to know about its entity to render."""

    href: str
    """Path of the entity page from the site root, percent-encoded."""
    tip: str
    """The tooltip's inner HTML: type label, display name and corpus counts."""

    @classmethod
    def make(cls, path: str, label: str, name: str, docs: int, mentions: int, has_page: bool = True) -> EntityInfo:
        """Return the info of one entity, with its tooltip markup built once; one without a page of its
        own links to its entry on the A-Z index, and the tooltip says so."""
        counts = f"{plural(docs, 'document')} · {plural(mentions, 'mention')}" + (
            "" if has_page else " · no page of its own"
        )
        tip = (
            f'<span class="tip-type">{escape(label)}</span> '
            f'<span class="tip-name">{escape(name)}</span> '
            f'<span class="tip-counts">{counts}</span>'
        )
        return cls(quote(path, safe="/#"), tip)


def shown_date(date: str) -> str:
    """Return an ISO 8601 date as pages show it: ``2002-11-15 12:40`` for ``2002-11-15T12:40:00``."""
    day, _, time = date.partition("T")
    return f"{day} {time[:5]}" if time else day


def plural(count: int, word: str, words: str = "") -> str:
    """Return ``1 document`` or ``3 documents`` (``words`` when the plural is not ``word`` + s)."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


class FragmentRenderer:
    """Render running text for one page; tooltip ids are unique within the page."""

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
        self._tips = 0

    def written_mention(self, mention: Mention) -> str:
        """Return a mention written in Markdown: resolved as documents' are, then as any mention."""
        shown = self._resolve(mention) if self._resolve is not None else mention
        return escape(shown) if isinstance(shown, str) else self.mention(shown)

    def mention(self, mention: Mention) -> str:
        """Return one mention: a typed link with a CSS tooltip."""
        info = self._entity(mention.key)
        type_ = mention.type
        if info is None:
            return f'<span class="m m-{type_.lower()}" data-entity-type="{type_}">{escape(mention.text)}</span>'
        self._tips += 1
        return (
            f'<a class="m m-{type_.lower()}" data-entity-type="{type_}" href="{self._root}{info.href}"'
            f' aria-describedby="t{self._tips}">{escape(mention.text)}<span class="tip" id="t{self._tips}"'
            f' role="tooltip">{info.tip}</span></a>'
        )

    def tag(self, tag: TagRef) -> str:
        """Return a source tag link, pointing at this site's tag page."""
        href = self._root + quote(self._tag_path(tag.name), safe="/")
        return f'<a class="tag" href="{href}">{escape(tag.name)}</a>'

    def text(self, segments: Segments) -> Markup:
        """Return running text as HTML: escaped strings, mentions and tag links."""
        out: list[str] = []
        for seg in segments:
            if isinstance(seg, str):
                out.append(escape(seg))
            elif isinstance(seg, Mention):
                out.append(self.mention(seg))
            else:
                out.append(self.tag(seg))
        return Markup("".join(out))


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
        f"{escape(left)}{space_left if left else ''}<mark>{escape(found)}</mark>{space_right if right else ''}{escape(right)}"
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
