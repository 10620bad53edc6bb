"""The most-mentioned entities of one type."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.model import ENTITY_TYPES
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site, entity_links
from sitegen.site.urls import relative_url


class EntityTop(PageKind):
    """``("top", TYPE)``: one type's most-mentioned entities."""

    name = "top"
    template = "entity_top.html"

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per entity type."""
        for type_ in ENTITY_TYPES:
            yield (self.name, type_)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the page.

        Context: type_label, type_css, az_href, top (Links), plus common keys.
        """
        type_ = family[1]
        path = site.urls.entity_type_top(type_)
        label = site.config.types[type_].label
        context = site.common(path, f"{label}: most mentioned", f"The most-mentioned {label.lower()} entities")
        context.update(
            type_label=label,
            type_css=type_.lower(),
            az_href=relative_url(path, site.urls.entity_type(type_)),
            top=entity_links(site, path, site.top_entities(100, type_)),
        )
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its one path."""
        return [site.urls.entity_type_top(family[1])]

    def affected(self, site: Site, change: Change) -> Affected:
        """The types of the entities whose name or counts changed."""
        for key in change.changed_tips | change.moved:
            yield (self.name, key[0]), None
