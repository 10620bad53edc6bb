"""sitemap.xml: every HTML page, written when the site has a base URL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sitegen.site import exports
from sitegen.site.kinds.base import Family, PageKind
from sitegen.site.pages import Page, Site


class Sitemap(PageKind):
    """``("sitemap",)``: sitemap.xml; rendered again whenever a page comes or goes."""

    name = "sitemap"
    whole_site = True
    lists_pages = True

    def __init__(self, listed: Sequence[PageKind]) -> None:
        """List the pages of the kinds in ``listed``."""
        self.listed = tuple(listed)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the sitemap when the site has a base URL."""
        if site.config.base_url:
            paths = [
                p
                for kind in self.listed
                if kind.in_sitemap and kind.enabled(site)
                for f in kind.families(site)
                for p in kind.paths(site, f)
            ]
            yield Page(exports.SITEMAP, "", {"body": exports.sitemap_xml(site, paths)})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its path when the site has a base URL."""
        return [exports.SITEMAP] if site.config.base_url else []
