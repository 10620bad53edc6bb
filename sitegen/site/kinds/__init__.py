"""The registry of page kinds: everything a site contains, in the order it is built.

Each kind lives in a module of its own and owns its template, its pages and
their paths, and the rule saying which of its pages a change affects (see
base.PageKind). Adding a kind is adding a module and a line below.
"""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.change import Change
from sitegen.site.kinds.base import Family, Numbers, PageKind
from sitegen.site.kinds.document import DocumentPage
from sitegen.site.kinds.document_data import DocumentData
from sitegen.site.kinds.entities import Entities
from sitegen.site.kinds.entity import EntityPages
from sitegen.site.kinds.entity_data import EntityData
from sitegen.site.kinds.entity_facets import EntityFacets
from sitegen.site.kinds.entity_top import EntityTop
from sitegen.site.kinds.entity_type import EntityType
from sitegen.site.kinds.feed import Feed
from sitegen.site.kinds.finder import FinderData
from sitegen.site.kinds.group import GroupPages
from sitegen.site.kinds.group_index import GroupIndex
from sitegen.site.kinds.home import Home
from sitegen.site.kinds.markdown_page import MarkdownPage
from sitegen.site.kinds.not_found import NotFound
from sitegen.site.kinds.redirect import Redirect
from sitegen.site.kinds.robots import Robots
from sitegen.site.kinds.search_page import SearchPage
from sitegen.site.kinds.sitemap import Sitemap
from sitegen.site.kinds.source_view import SourceView
from sitegen.site.pages import Page, Site

__all__ = [
    "KINDS",
    "Family",
    "Numbers",
    "PageKind",
    "affected",
    "families",
    "family_pages",
    "family_paths",
    "family_template",
    "kind_of",
    "prepare",
    "together",
]

_PAGES: tuple[PageKind, ...] = (
    Home(),
    DocumentPage(),
    Entities(),
    EntityType(),
    EntityTop(),
    EntityPages(),
    EntityFacets(),
    GroupIndex(),
    GroupPages(),
    NotFound(),
    SourceView(),
    MarkdownPage(),
    SearchPage(),
    DocumentData(),
    EntityData(),
    FinderData(),
    Feed(),
    Robots(),
    Redirect(),
)
#: Every kind, in the order a build walks them.
KINDS: tuple[PageKind, ...] = (*_PAGES, Sitemap(_PAGES))
_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_of(family: Family) -> PageKind:
    """Return the kind a family belongs to."""
    try:
        return _BY_NAME[family[0]]
    except KeyError:
        raise ValueError(f"unknown page family {family!r}") from None


def families(site: Site) -> Iterator[Family]:
    """Yield every page family of the site, in a fixed order (none of the kinds it has turned off)."""
    for kind in KINDS:
        if kind.enabled(site):
            yield from kind.families(site)


def family_pages(site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
    """Yield the pages of one family (or just the page numbers in ``only``); none when its subject is
    gone or its kind is turned off."""
    kind = kind_of(family)
    return kind.pages(site, family, only) if kind.enabled(site) else iter(())


def family_paths(site: Site, family: Family) -> list[str]:
    """Return the output paths a family has now, without rendering anything."""
    kind = kind_of(family)
    return kind.paths(site, family) if kind.enabled(site) else []


def family_template(site: Site, family: Family) -> str:
    """Return the template a family's pages are rendered with ("" for none)."""
    return kind_of(family).template_of(site, family)


def prepare(site: Site, work: list[Family]) -> None:
    """Make what the pages of ``work`` share, once, before they are rendered (see PageKind.prepare)."""
    by_kind: dict[str, list[Family]] = {}
    for family in work:
        by_kind.setdefault(family[0], []).append(family)
    for group in by_kind.values():
        kind = kind_of(group[0])
        if kind.enabled(site):
            kind.prepare(site, group)


def together(work: list[Family]) -> list[tuple[Family, ...]]:
    """Return ``work`` in groups to render in one process each: the families of a kind whose
    families share what they are made from (PageKind.together) in one group, at the place of the
    first of them; every other family alone."""
    groups: dict[object, list[Family]] = {}
    for family in work:  # a kind's name, or the family itself (a tuple: never a name)
        groups.setdefault(family[0] if kind_of(family).together else family, []).append(family)
    return [tuple(group) for group in groups.values()]


def affected(site: Site, change: Change) -> dict[Family, Numbers]:
    """Return every family that can look different after ``change``, with its page numbers (None: all)."""
    found: dict[Family, Numbers] = {}
    for kind in KINDS:
        if not kind.enabled(site):
            continue
        for family, pages in kind.affected(site, change):
            merge(found, family, pages)
    return found


def merge(pages: dict[Family, Numbers], family: Family, more: Numbers) -> None:
    """Add page numbers (None: all pages) of a family to a to-do map (no numbers: nothing to add)."""
    if more is not None and not more:
        return
    if more is None or (family in pages and pages[family] is None):
        pages[family] = None
    else:
        pages[family] = (pages.get(family) or set()) | more
