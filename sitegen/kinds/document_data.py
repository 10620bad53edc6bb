"""A document's data file: the document as JSON (doc/NAME.json)."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen import exports
from sitegen.change import Change
from sitegen.kinds.base import Affected, Family, PageKind
from sitegen.pages import Page, Site


class DocumentData(PageKind):
    """``("docdata", source)``: one document's JSON."""

    name = "docdata"
    per_document = True

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per document."""
        for doc in site.corpus.documents:
            yield (self.name, doc.source)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the JSON file when the document still exists."""
        if family[1] in site.corpus:
            yield Page(
                site.urls.document_data(family[1]),
                "",
                {"body": exports.document_json(site, site.corpus.document(family[1]))},
            )

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the JSON file's path."""
        return [site.urls.document_data(family[1])] if family[1] in site.corpus else []

    def affected(self, site: Site, change: Change) -> Affected:
        """The changed documents' files."""
        for source in change.documents:
            yield (self.name, source), None
