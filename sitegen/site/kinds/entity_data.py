"""The whole-site entity data: entities.json and entities.csv."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site import exports
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site


class EntityData(PageKind):
    """``("data",)``: entities.json and entities.csv."""

    name = "data"
    whole_site = True

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield both files, joined from the entities' rows (Site.entity_row)."""
        yield Page(exports.ENTITIES_JSON, "", {"body": exports.entities_json(site)})
        yield Page(exports.ENTITIES_CSV, "", {"body": exports.entities_csv(site)})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return both paths."""
        return [exports.ENTITIES_JSON, exports.ENTITIES_CSV]

    def affected(self, site: Site, change: Change) -> Affected:
        """Counts, names, spellings and co-mentions are in them."""
        if change.changed_tips or change.moved or change.records or change.local_before != change.local_after:
            yield (self.name,), None
