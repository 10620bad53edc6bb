"""Segments -> HTML fragments: mentions, tag links, paragraphs and snippets.

These fragments repeat hundreds of thousands of times in a large site, so they
are built here in Python rather than in template macros. Their markup is the
HTML contract documented in the README.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup, escape

from sitegen.model import Mention, Segments, TagRef, plain_text


@dataclass(frozen=True)
class EntityInfo:
    """What a mention needs to know about its entity to render."""

    href: str
    """Root-relative path of the entity page."""
    label: str
    """Type label, e.g. ``Person``."""
    name: str
    """Display name."""
    docs: int
    """Documents that mention it."""
    mentions: int
    """Mentions in the whole corpus."""


def plural(count: int, word: str) -> str:
    """Return ``1 document`` or ``3 documents``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class FragmentRenderer:
    """Render running text for one page; tooltip ids are unique within the page."""

    def __init__(self, link: Callable[[str, str], str],
                 entity: Callable[[tuple[str, str]], EntityInfo | None],
                 tag_href: Callable[[str], str]) -> None:
        """Take functions giving a relative link, an entity's info and a tag page's path."""
        self._link = link
        self._entity = entity
        self._tag_href = tag_href
        self._tips = 0

    def mention(self, mention: Mention) -> str:
        """Return one mention: a typed link with a CSS tooltip."""
        info = self._entity(mention.key)
        text = escape(mention.text)
        type_ = mention.type
        css = type_.lower()
        if info is None:
            return f'<span class="m m-{css}" data-entity-type="{type_}">{text}</span>'
        self._tips += 1
        tip = f"t{self._tips}"
        counts = f"{plural(info.docs, 'document')} · {plural(info.mentions, 'mention')}"
        return (
            f'<a class="m m-{css}" data-entity-type="{type_}" href="{escape(self._link(info.href, ""))}"'
            f' aria-describedby="{tip}">{text}<span class="tip" id="{tip}" role="tooltip">'
            f'<span class="tip-type">{escape(info.label)}</span> '
            f'<span class="tip-name">{escape(info.name)}</span> '
            f'<span class="tip-counts">{counts}</span></span></a>'
        )

    def tag(self, tag: TagRef) -> str:
        """Return a source tag link, pointing at this site's tag page."""
        href = self._link(self._tag_href(tag.name), "")
        return f'<a class="tag" href="{escape(href)}">{escape(tag.name)}</a>'

    def text(self, segments: Segments) -> Markup:
        """Return running text as HTML: escaped strings, mentions and tag links."""
        out = []
        for seg in segments:
            if isinstance(seg, str):
                out.append(escape(seg))
            elif isinstance(seg, Mention):
                out.append(self.mention(seg))
            else:
                out.append(self.tag(seg))
        return Markup("".join(out))


def snippet(segments: Segments, key: tuple[str, str], width: int = 90) -> Markup:
    """Return keyword-in-context text around the first mention of ``key``."""
    for i, seg in enumerate(segments):
        if isinstance(seg, Mention) and seg.key == key:
            left = " ".join(plain_text(segments[:i]).split())
            right = " ".join(plain_text(segments[i + 1:]).split())
            if len(left) > width:
                left = "…" + left[-width:].split(" ", 1)[-1]
            if len(right) > width:
                right = right[:width].rsplit(" ", 1)[0] + "…"
            return Markup(f"{escape(left)} <mark>{escape(seg.text)}</mark> {escape(right)}")
    return Markup(escape(" ".join(plain_text(segments).split())[:2 * width]))
