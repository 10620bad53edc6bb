"""A document's source view: the annotated text, highlighted by the lexer, with a link to every line."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from sitegen.parse.formats import brat_text
from sitegen.site.kinds.base import Family, PerDocument
from sitegen.site.pages import Page, Site
from sitegen.site.urls import relative_url

#: Source files larger than this are shown without highlighting.
MAX_HIGHLIGHT = 2_000_000


class SourceView(PerDocument):
    """``("source", source)``: one document's source view."""

    name = "source"
    template = "source.html"

    def enabled(self, site: Site) -> bool:
        """Return whether the site has source views (``[pages] source_views``)."""
        return site.config.source_views

    def path_of(self, site: Site, source: str) -> str:
        """Return the source view's path."""
        return site.urls.document_source(source)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the source view when the document still exists.

        Context: doc, doc_href, data_href (empty without data files), source_html, line_count,
        source_file (the file shown), first_line (its number in the file), binary (the file is
        binary: the document's text is shown), lexer (what highlights it: ``tagged-cable``,
        ``json`` or empty), plus common keys.
        """
        if family[1] not in site.corpus:
            return
        doc = site.corpus.document(family[1])
        path = site.urls.document_source(doc.source)
        context = site.common(path, f"Source of {doc.title}", f"The annotated source text of {doc.source}")
        context["doc"] = doc
        context["highlighted"] = True
        context["doc_href"] = relative_url(path, site.urls.document(doc.source))
        context["data_href"] = (
            relative_url(path, site.urls.document_data(doc.source)) if site.config.document_data else ""
        )
        read = site.read_text(doc.source)
        formats = site.config.formats
        context["source_file"], context["lexer"], context["first_line"] = formats.split_source(doc.source)[0], "", 1
        context["binary"] = False
        if read is None:
            context["source_html"], context["line_count"] = "", 0
        else:
            text, first, lexer = read
            text = site.redact(text)  # withheld names are never shown, tagged or not
            from sitegen.render.highlight import plain_source_html, source_html  # Pygments: only to render

            shown = source_html(text, lexer, first) if len(text) <= MAX_HIGHLIGHT else plain_source_html(text, first)
            context["source_html"] = Markup(shown)
            context["line_count"] = text.count("\n") + (not text.endswith("\n"))
            context["lexer"], context["first_line"] = lexer, first
            fmt = formats.format_of(context["source_file"])
            if fmt is not None and fmt.name == "brat":  # the text the annotations point into
                context["source_file"] = brat_text(context["source_file"])
            context["binary"] = fmt is not None and fmt.name == "spacy"  # its text is shown, not the file
        yield Page(path, self.template, context)
