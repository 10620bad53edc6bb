"""The list of every tag (origin, classification, year) with its number of documents."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.model import GROUP_KINDS
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import GROUP_TITLES, Link, Page, Site
from sitegen.site.urls import relative_url


class GroupIndex(PageKind):
    """``("groups", KIND)``: tags.html, origins.html..."""

    name = "groups"
    template = "group_index.html"

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per kind of group."""
        for kind in GROUP_KINDS:
            yield (self.name, kind)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the list.

        Context: kind_title, groups (Links), plus common keys.
        """
        kind, corpus = family[1], site.corpus
        names = corpus.group_names(kind)
        path = site.urls.group_index(kind)
        context = site.common(path, GROUP_TITLES[kind], f"Documents by {kind}")
        context.update(
            kind_title=GROUP_TITLES[kind],
            groups=[  # names and counts: the groups' documents need not be placed
                Link(relative_url(path, site.urls.group(kind, key)), names[key], count=corpus.group_size(kind, key))
                for key in corpus.groups[kind]
            ],
        )
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its one path."""
        return [site.urls.group_index(family[1])]

    def affected(self, site: Site, change: Change) -> Affected:
        """The lists whose groups gained or lost a changed document (a count or a group changed)."""
        for kind, key in change.groups:
            if not change.group_members_same((kind, key)):
                yield (self.name, kind), None
