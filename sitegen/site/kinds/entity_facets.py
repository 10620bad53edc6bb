"""The data that filters an entity's documents in the browser: a script beside its pages."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.change import Change
from sitegen.site.facets import facets_script
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.kinds.entity import EntityPages
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

    def affected(self, site: Site, change: Change) -> Affected:
        """The entities whose documents, or what is known of them, changed: a document's title, date,
        origin or tags, its mentions of the entity or who is named with it; and every entity whose
        pages all change (its list of documents moved, a name shown in it changed)."""
        for family, pages in EntityPages().affected(site, change):
            if pages is None:
                yield (self.name, family[1]), None
        for source in change.documents:
            if source in change.rows or change.old_groups[source] != change.new_groups[source]:
                for key in change.old_keys[source] | change.new_keys[source]:
                    yield (self.name, key), None
        for key in change.keys:
            if change.local_before.get(key) != change.local_after.get(key):
                yield (self.name, key), None
        # The entities named with it are listed by name and link.
        for key in change.moved | {key for key in change.changed_tips if change.renamed(key)}:
            for other in site.corpus.co_mentioned(key):
                yield (self.name, other), None
