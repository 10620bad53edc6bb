"""The entity finder's data: scripts of rows by the start of their words, loaded as the reader types (site/finder.py)."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.change import Change
from sitegen.site.finder import finder_part_names, finder_scripts
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site


class FinderData(PageKind):
    """``("finder",)``: search/entities-*.js."""

    name = "finder"
    whole_site = True

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield one script per part (those numbered in ``only``)."""
        for shard, script in finder_scripts(site, only):
            yield Page(site.urls.finder(shard), "", {"body": script})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the path of every part."""
        return [site.urls.finder(name) for name in finder_part_names(site)]

    def affected(self, site: Site, change: Change) -> Affected:
        """Entities' names and counts are in it, and the documents' ids, titles and paths."""
        if change.changed_tips or change.moved or change.records or change.rows or not change.same_order:
            yield (self.name,), None
