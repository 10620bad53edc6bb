"""The index of entities: every type with its most-mentioned entities."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.index.corpus import mention_counts
from sitegen.model import ENTITY_TYPES
from sitegen.site import exports
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site, entity_links
from sitegen.site.urls import relative_url


class Entities(PageKind):
    """``("entities",)``: entities.html."""

    name = "entities"
    template = "entities.html"

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the index of entity types.

        Context: sections (label, css, count, href, top_href, Links), json_href, csv_href, plus common keys.
        """
        path = site.urls.entities()
        context = site.common(path, "Entities", "Every person, place, organisation and other entity")
        context["json_href"] = relative_url(path, exports.ENTITIES_JSON)
        context["csv_href"] = relative_url(path, exports.ENTITIES_CSV)
        counts = mention_counts(site.corpus)
        context["sections"] = [
            {
                "label": site.config.types[t].label,
                "css": t.lower(),
                "type": t,
                "count": counts[t],
                "href": relative_url(path, site.urls.entity_type(t)),
                "top_href": relative_url(path, site.urls.entity_type_top(t)),
                "top": entity_links(site, path, site.top_entities(10, t)),
            }
            for t in ENTITY_TYPES
        ]
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its one path."""
        return [site.urls.entities()]

    def affected(self, site: Site, change: Change) -> Affected:
        """Counts, names and links of entities show here."""
        if change.changed_tips or change.moved:
            yield (self.name,), None
