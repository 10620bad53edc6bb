"""The page a server shows for a missing path (404.html)."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.kinds.base import Family, PageKind
from sitegen.site.pages import Page, Site


class NotFound(PageKind):
    """``("404",)``: 404.html; no source shows on it."""

    name = "404"
    template = "404.html"

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the page.

        It may be served at any depth, so its links are relative to the site
        root and the template sets ``<base>`` to the base URL when one is
        configured. Context: base_href, plus common keys.
        """
        path = "404.html"
        context = site.common(path, "Page not found", "This page does not exist")
        context["base_href"] = site.config.base_url.rstrip("/") + "/" if site.config.base_url else ""
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its one path."""
        return ["404.html"]
