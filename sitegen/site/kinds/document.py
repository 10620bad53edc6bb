"""A document's page: its header, paragraphs with permalinks, mentions and entity panel."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from sitegen.model import ENTITY_TYPES, Document, Paragraph, Segments, group_key
from sitegen.parse.reading import Block, is_caps, paragraph_reading
from sitegen.site.change import Change
from sitegen.site.html import shown_date
from sitegen.site.kinds.base import Affected, Family, PerDocument
from sitegen.site.pages import Link, Page, Site
from sitegen.site.urls import relative_url


class DocumentPage(PerDocument):
    """``("doc", source)``: one document's page."""

    name = "doc"
    template = "document.html"

    def path_of(self, site: Site, source: str) -> str:
        """Return the page's path."""
        return site.urls.document(source)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the document's page when it still exists."""
        if family[1] in site.corpus:
            yield document_page(site, site.corpus.position(family[1]))

    def affected(self, site: Site, change: Change) -> Affected:
        """The changed documents, their neighbours when a row or the order changed, and every
        document whose tooltips show an entity whose name or rounded counts changed or whose links
        moved."""
        yield from super().affected(site, change)
        if change.rows or not change.same_order:
            for order in (change.order_before, change.order_after):
                position = {s: i for i, s in enumerate(order)}
                for source in change.documents:
                    if source in position:
                        i = position[source]
                        for j in (i - 1, i + 1):
                            if 0 <= j < len(order):
                                yield (self.name, order[j]), None
        for key in change.changed_tooltips | change.moved:
            if key in site.corpus.entities:
                for source in site.corpus.sources_of(key):
                    yield (self.name, source), None


def kept_paths(written: Mapping[Family, Sequence[str]]) -> dict[str, str]:
    """Return each document's output path as the paths of the page families record it."""
    name = DocumentPage.name
    return {family[1]: paths[0] for family, paths in written.items() if family[0] == name and paths}


def document_page(site: Site, index: int) -> Page:
    """Return one document's page.

    Context: doc, meta (label, Links), source_href and data_href (empty when the
    site has no source views or data files), header_html, paragraphs (anchor,
    number, source_href, headings, blocks), signature_html, panel (type label,
    css, Links), prev, next, plus common keys.
    """
    corpus = site.corpus
    doc = corpus.document(corpus.documents[index].source)
    read = corpus.reading(doc.source)
    path = site.urls.document(doc.source)
    frag = site.fragments(path)
    context = site.common(path, doc.title, _describe(doc))
    context["tips"] = frag
    context["doc"] = doc
    context["title_caps"] = is_caps(doc.title)
    header = doc.header
    context["byline"] = " · ".join(
        part
        for part in (
            header.classification if header else "",
            header.origin if header else "",
            shown_date(doc.date),
        )
        if part
    )
    context["meta"] = _metadata(site, doc, path)
    config = site.config
    context["data_href"] = relative_url(path, site.urls.document_data(doc.source)) if config.document_data else ""
    source_path = site.urls.document_source(doc.source) if config.source_views else ""
    context["source_href"] = relative_url(path, source_path) if source_path else ""
    context["filters"] = _search_filters(site, doc) if site.search else []
    context["header_html"] = frag.text(doc.header_text) if doc.header_text else ""
    context["paragraphs"] = [
        {
            "anchor": p.anchor,
            "ids": p.ids,
            "number": p.number,
            "source_href": relative_url(path, source_path, f"L{p.line}") if source_path else "",
            "headings": [{"html": frag.text(h.segments), "caps": h.caps} for h in headings],
            "blocks": [{"kind": b.kind, "html": frag.text(b.segments), "caps": b.caps} for b in blocks],
        }
        for p, headings, blocks in reading_paragraphs(doc.paragraphs, read.paragraphs)
    ]
    context["signature_html"] = frag.text(read.signature) if doc.signature else ""
    context["panel"] = _entity_panel(site, doc, path)
    docs = corpus.documents
    context["prev"] = site.doc_row(path, docs[index - 1].source) if index > 0 else None
    context["next"] = site.doc_row(path, docs[index + 1].source) if index + 1 < len(docs) else None
    return Page(path, DocumentPage.template, context)


def reading_paragraphs(
    paragraphs: Iterable[Paragraph], read: Iterable[tuple[Segments, bool, tuple[Block, ...]]] | None = None
) -> list[tuple[Paragraph, list[Block], list[Block]]]:
    """Return each paragraph with its heading and its blocks of reading text (see parse/reading.py),
    from the paragraphs' reading text ``read`` (DocumentReading.paragraphs) when it is made already.

    A paragraph's number written at the start of its text (``1 . ( C )``)
    is left to the number the page shows. A heading that ends a paragraph's
    text stays in it, at its end, as its mentions do (entity pages link to
    the paragraph they are in).
    """
    paragraphs = list(paragraphs)
    if read is None:
        read = [paragraph_reading(par) for par in paragraphs]
    out: list[tuple[Paragraph, list[Block], list[Block]]] = []
    for par, (heading, caps, texts) in zip(paragraphs, read):
        headings = [Block("h", heading, caps)] if par.heading else []
        blocks = list(texts)
        if blocks and blocks[0].kind == "p" and par.number not in ("", "0"):
            blocks[0] = _without_number(blocks[0], par.number)
        out.append((par, headings, blocks))
    return out


def _without_number(block: Block, number: str) -> Block:
    """Return a block without the paragraph number its text starts with."""
    first = block.segments[0] if block.segments else None
    if isinstance(first, str):
        found = re.match(rf"\s*{re.escape(number)}\s*[.)]\s*", first)
        if found and (found.end() < len(first) or len(block.segments) > 1):
            return replace(block, segments=(first[found.end() :], *block.segments[1:]))
    return block


def _search_filters(site: Site, doc: Document) -> list[tuple[str, str]]:
    """Return the search filters of a document page: classification, origin, year and tags (filters
    that narrow: nearly every cable names entities of every type)."""
    filters: list[tuple[str, str]] = []
    header = doc.header
    if header:
        if header.classification:
            filters.append(("classification", header.classification))
        if header.origin:  # one value per origin however a cable spells it (LA PAZ, LAPAZ)
            filters.append(("origin", group_key("origin", header.origin).upper()))
        filters += [("tag", tag) for tag in header.tags]
    if doc.year:
        filters.append(("year", doc.year))
    return filters


def _describe(doc: Document) -> str:
    """Return a one-line description of a document for its meta tag."""
    parts = [doc.title]
    if doc.header and doc.header.origin:
        parts.append(f"from {doc.header.origin}")
    if doc.date:
        parts.append(shown_date(doc.date))
    return ", ".join(parts)


def _metadata(site: Site, doc: Document, path: str) -> list[tuple[str, list[Link]]]:
    """Return the metadata block: each field with its value or its links."""
    urls, header = site.urls, doc.header

    def group(kind: str, name: str) -> Link:
        return Link(relative_url(path, urls.group(kind, name)), name)

    rows: list[tuple[str, list[Link]]] = []
    if header:
        if header.classification:
            rows.append(("Classification", [group("classification", header.classification)]))
        if header.origin:
            rows.append(("Origin", [group("origin", header.origin)]))
        if header.number:
            rows.append(("Number", [Link("", header.number)]))
    if doc.date:
        rows.append(("Date", [group("year", doc.year) if doc.year == doc.date else Link("", shown_date(doc.date))]))
    if doc.year and doc.year != doc.date:
        rows.append(("Year", [group("year", doc.year)]))
    if header:
        if header.tags:
            rows.append(("Tags", [group("tag", t) for t in header.tags]))
        for label, value in (
            ("Caveats", header.caveats),
            ("Routing", header.routing),
            ("Declassify on", header.decl),
            ("Subject", "" if header.subject and header.subject in doc.title else header.subject),  # the title shows it
            ("Classified by", header.classified_by),
            ("Reason", header.reason),
        ):
            if value:
                rows.append((label, [Link("", value)]))
    rows.append(("Source file", [Link("", doc.source)]))
    return rows


def _entity_panel(site: Site, doc: Document, path: str) -> list[tuple[str, str, list[Link]]]:
    """Return the side panel: the document's entities by type, with mention counts."""
    counts: dict[tuple[str, str], int] = {}
    for mention in doc.mentions:
        counts[mention.key] = counts.get(mention.key, 0) + 1
    by_type: dict[str, list[tuple[str, str]]] = {}
    for key in counts:
        by_type.setdefault(key[0], []).append(key)
    names = {key: site.corpus.name(key) for key in counts}
    panel = []
    for type_ in ENTITY_TYPES:
        keys = by_type.get(type_, [])
        keys.sort(key=lambda k: (-counts[k], names[k].casefold(), k))
        links = [
            Link(relative_url(path, site.entity_path(k)), names[k], count=counts[k], kind=type_.lower()) for k in keys
        ]
        if links:
            panel.append((site.config.types[type_].label, type_.lower(), links))
    return panel
