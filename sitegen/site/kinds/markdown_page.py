"""A page written in Markdown (About, Methodology...), listed in the navigation."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.parse.markdown import HIGHLIGHTED, render_markdown
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site


class MarkdownPage(PageKind):
    """``("page", source)``: one Markdown page."""

    name = "page"
    template = "page.html"

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per Markdown page."""
        for source in site.urls.pages:
            yield (self.name, source)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the page when it still exists.

        Context: body_html, show_title, plus common keys.
        """
        source = family[1]
        if source not in site.urls.pages:
            return
        page = site.markdown[source]
        path = site.urls.page(source)
        context = site.common(path, site.redact(page.title), site.redact(page.description))
        frag = context["tips"] = site.fragments(path)
        html = site.redact_html(render_markdown(page.body, frag, site.link_resolver(path, source)))
        context["body_html"] = html
        context["highlighted"] = HIGHLIGHTED in html
        context["show_title"] = not html.lstrip().startswith("<h1")
        yield Page(path, self.template_of(site, family), context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the page's path."""
        return [site.urls.page(family[1])] if family[1] in site.urls.pages else []

    def template_of(self, site: Site, family: Family) -> str:
        """Return the template its front matter names, when it exists, else page.html."""
        page = site.markdown.get(family[1])
        return site.template(page.template if page else "", self.template)

    def affected(self, site: Site, change: Change) -> Affected:
        """The changed pages, and every page when a tooltip reads differently (its mentions show them)."""
        for source in change.markdown:
            if source in site.urls.pages:
                yield (self.name, source), None
        if change.changed_tooltips or change.moved or change.authority:
            for source in site.urls.pages:
                yield (self.name, source), None
