"""robots.txt, which points crawlers at the sitemap."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site import exports
from sitegen.site.kinds.base import Family, PageKind
from sitegen.site.pages import Page, Site


class Robots(PageKind):
    """``("robots",)``: robots.txt; no source shows in it."""

    name = "robots"

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the file."""
        yield Page(exports.ROBOTS, "", {"body": exports.robots_txt(site)})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its path."""
        return [exports.ROBOTS]
