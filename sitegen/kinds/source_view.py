"""A document's source view: the annotated text, highlighted by the lexer, with a link to every line."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from sitegen.change import Change
from sitegen.kinds.base import Affected, Family, PageKind
from sitegen.lexer import plain_source_html, source_html
from sitegen.pages import Page, Site
from sitegen.urls import relative_url

#: Source files larger than this are shown without highlighting.
MAX_HIGHLIGHT = 2_000_000


class SourceView(PageKind):
    """``("source", source)``: one document's source view."""

    name = "source"
    template = "source.html"
    per_document = True

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per document."""
        for doc in site.corpus.documents:
            yield (self.name, doc.source)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the source view when the document still exists.

        Context: doc, doc_href, data_href, source_html, line_count, plus common keys.
        """
        if family[1] not in site.corpus:
            return
        doc = site.corpus.document(family[1])
        path = site.urls.document_source(doc.source)
        context = site.common(path, f"Source of {doc.title}", f"The annotated source text of {doc.source}")
        context["doc"] = doc
        context["doc_href"] = relative_url(path, site.urls.document(doc.source))
        context["data_href"] = relative_url(path, site.urls.document_data(doc.source))
        text = site.read_text(doc.source)
        if text is None:
            context["source_html"], context["line_count"] = "", 0
        else:
            shown = source_html(text) if len(text) <= MAX_HIGHLIGHT else plain_source_html(text)
            context["source_html"] = Markup(shown)
            context["line_count"] = text.count("\n") + (not text.endswith("\n"))
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the source view's path."""
        return [site.urls.document_source(family[1])] if family[1] in site.corpus else []

    def affected(self, site: Site, change: Change) -> Affected:
        """The changed documents' views; nothing else shows on them."""
        for source in change.documents:
            yield (self.name, source), None
