"""The full-text search page (Pagefind's interface), when search is on."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.kinds.base import Family, PageKind
from sitegen.site.pages import Page, Site
from sitegen.site.urls import relative_url


class SearchPage(PageKind):
    """``("search",)``: search.html; no source shows on it."""

    name = "search"
    template = "search.html"

    def enabled(self, site: Site) -> bool:
        """Return whether search is on."""
        return site.search

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the page.

        Context: pagefind_css, pagefind_js, plus common keys.
        """
        path = site.urls.search()
        context = site.common(path, "Search", "Search the full text of every document")
        context["pagefind_css"] = relative_url(path, "pagefind/pagefind-ui.css")
        context["pagefind_js"] = relative_url(path, "pagefind/pagefind-ui.js")
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its path."""
        return [site.urls.search()]
