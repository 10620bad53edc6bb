"""The home page: the corpus in figures, the introduction and the list of documents, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from sitegen.index.corpus import mention_counts
from sitegen.model import ENTITY_TYPES
from sitegen.parse.markdown import HIGHLIGHTED, render_markdown
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind, page_of, year_page
from sitegen.site.pages import Link, Page, Site, entity_links, numbers, pager, pages_of
from sitegen.site.timeline import per_year, timeline
from sitegen.site.urls import relative_url


class Home(PageKind):
    """``("home",)``: every page of the list of documents."""

    name = "home"
    template = "home.html"

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the home pages.

        Context: figures, top (Links), intro_html, rows (DocRows), pager, plus common keys.
        """
        corpus, size = site.corpus, site.config.documents_per_page
        total = pages_of(len(corpus.documents), size)
        for page in numbers(total, only):
            path = site.urls.home(page)
            title = site.config.title if page == 1 else f"{site.config.title} — page {page}"
            context = site.common(path, title, f"{len(corpus.documents):,} documents and their entities")
            context["figures"] = None
            context["timeline"] = None
            context["intro_html"] = ""
            if page == 1:
                if site.intro is not None:
                    frag = context["tips"] = site.fragments(path)
                    context["intro_html"] = site.redact_html(
                        render_markdown(site.intro.body, frag, site.link_resolver(path, "index.md"))
                    )
                    context["highlighted"] = HIGHLIGHTED in context["intro_html"]
                per_type = mention_counts(corpus)
                context["figures"] = [
                    Link(relative_url(path, site.urls.entity_type(t)), site.config.types[t].label, count=per_type[t])
                    for t in ENTITY_TYPES
                ]
                context["document_count"] = len(corpus.documents)
                years = per_year(((doc.year, ""), 1) for doc in corpus.documents)  # bars link to year pages
                context["timeline"] = timeline(years.counts, partial(year_page, site, path), "documents")
                context["entity_count"] = len(corpus.entities)
                context["top"] = entity_links(site, path, site.top_entities(site.config.top_entities))
            start = (page - 1) * size
            context["rows"] = [site.doc_row(path, d.source) for d in corpus.documents[start : start + size]]
            context["pager"] = pager(site.urls.home, path, page, total)
            yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the paths of every page of the list."""
        total = pages_of(len(site.corpus.documents), site.config.documents_per_page)
        return [site.urls.home(n) for n in range(1, total + 1)]

    def affected(self, site: Site, change: Change) -> Affected:
        """The list where documents moved or their rows changed; page 1 for counts and the introduction."""
        size = site.config.documents_per_page
        if not change.same_order:
            yield ("home",), None
        elif change.rows:
            yield ("home",), {page_of(site.corpus.position(s), size) for s in change.rows}
        if change.changed_tips or change.moved or change.authority:
            yield ("home",), {1}
        if "index.md" in change.markdown and "index.md" not in site.urls.pages:
            yield ("home",), {1}
