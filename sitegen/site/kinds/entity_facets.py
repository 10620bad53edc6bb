"""The data that filters an entity's documents in the browser: a script beside its pages."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.model import Key
from sitegen.site.change import Change
from sitegen.site.facets import TOP_WITH, facets_script
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.kinds.entity import EntityPages, page_count, shown_with
from sitegen.site.pages import Page, Site


class EntityFacets(PageKind):
    """``("facets", key)``: the facet data of one entity whose documents can be filtered (Site.has_research_views)."""

    name = "facets"
    in_sitemap = False

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per entity whose documents can be filtered."""
        for key in site.corpus.entities:
            if site.has_research_views(key):
                yield (self.name, key)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the script while the entity's documents can be filtered."""
        key = family[1]
        if key in site.corpus.entities and site.has_research_views(key):
            yield Page(site.urls.entity_facets(key), "", {"body": facets_script(site, site.corpus.entity(key))})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the script's path (none for an entity with too few documents or no pages of its own)."""
        key = family[1]
        return [site.urls.entity_facets(key)] if key in site.corpus.entities and site.has_research_views(key) else []

    def cost(self, site: Site, family: Family, pages: int) -> int:
        """One script holds a row per document of the entity: it costs as much as its pages."""
        key = family[1]
        if key not in site.corpus.entities:
            return pages
        return page_count(site, key)

    def affected(self, site: Site, change: Change) -> Affected:
        """The entities whose documents, or what is known of them, changed: a document's title, date,
        origin or tags, its mentions of the entity or which of the entities it can be filtered by are
        named with it; and every entity whose pages all change (its list of documents moved, a name
        shown in it changed)."""
        for family, pages in EntityPages().affected(site, change):
            if pages is None:
                yield (self.name, family[1]), None
        for source in change.documents:
            if source in change.rows or change.old_groups[source] != change.new_groups[source]:
                for key in change.old_keys[source] | change.new_keys[source]:
                    yield (self.name, key), None
        for key in change.keys:
            before, after = change.local(key)
            if before != after and filters_changed(site, change, key, before, after):
                yield (self.name, key), None
        # The entities it can be filtered by are listed by name and link.
        for key in change.moved | {key for key in change.changed_tips if change.renamed(key)}:
            for other in site.corpus.co_mentioned(key):
                if shown_with(site, change, other, key, TOP_WITH):
                    yield (self.name, other), None


def filters_changed(site: Site, change: Change, key: Key, before: tuple, after: tuple) -> bool:
    """Return True when an edit that changed an entity's spellings or the entities named with it
    within the changed documents (``before`` and ``after``, Change.local_before and local_after)
    may change its facet data: the entities it can be filtered by, or which of them a changed
    document names with it. With several documents changed, it is not known per document."""
    if key not in site.corpus.entities or not site.has_research_views(key):
        return False  # no facet data; had it some before, its counts changed (see EntityPages.affected)
    if before[0] != after[0] or len(change.documents) > 1:
        return True
    if not site.related_moved(key, before[1], after[1], TOP_WITH):
        return False
    top = [k for k, _ in site.related(key)[:TOP_WITH]]
    if [k for k, _ in site.related_before(key, before[1], after[1])[:TOP_WITH]] != top:
        return True
    return {k for k in before[1] if k in top} != {k for k in after[1] if k in top}
