"""A document's data file: the document as JSON (doc/NAME.json)."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site import exports
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PerDocument
from sitegen.site.pages import Page, Site


class DocumentData(PerDocument):
    """``("docdata", source)``: one document's JSON."""

    name = "docdata"

    def enabled(self, site: Site) -> bool:
        """Return whether the site has documents as data (``[pages] document_data``)."""
        return site.config.document_data

    def path_of(self, site: Site, source: str) -> str:
        """Return the JSON file's path."""
        return site.urls.document_data(source)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the JSON file when the document still exists."""
        if family[1] in site.corpus:
            yield Page(
                self.path_of(site, family[1]),
                "",
                {"body": exports.document_json(site, site.corpus.document(family[1]))},
            )

    def affected(self, site: Site, change: Change) -> Affected:
        """The changed documents, and those naming an entity whose links moved (each mention has its URL)."""
        yield from super().affected(site, change)
        for key in change.moved:
            for source in site.corpus.sources_of(key):
                yield (self.name, source), None
