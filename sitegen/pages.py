"""Corpus -> Pages: what every page shows, as plain data for the templates.

Each function returns Page objects (output path, template name, context).
Every link in a context is already relative to the page it is on, so the
templates only print values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from markupsafe import Markup

from sitegen import exports
from sitegen.config import Config
from sitegen.corpus import Corpus, Key, mention_counts, top_entities
from sitegen.html import EntityInfo, FragmentRenderer, plural
from sitegen.lexer import plain_source_html, source_html
from sitegen.markdown import MarkdownSource, markdown_link, note_key, render_markdown
from sitegen.model import (
    ENTITY_TYPES,
    GROUP_KINDS,
    Document,
    Entity,
    Occurrence,
)
from sitegen.urls import Urls, absolute_url, document_paths, leaves_site, relative_url, slugify

GROUP_TITLES = {"tag": "Tags", "origin": "Origins", "classification": "Classifications",
                "year": "Years"}
GROUP_SINGULAR = {"tag": "Tag", "origin": "Origin", "classification": "Classification",
                  "year": "Year"}


@dataclass(frozen=True)
class Page:
    """One output page before rendering."""

    path: str
    """Output path relative to the site root."""
    template: str
    """Template file name."""
    context: dict[str, Any]
    """Values the template prints; see each page function for its keys."""


@dataclass(frozen=True)
class Link:
    """A link as the templates print it."""

    href: str
    """Relative link; empty for a value that links nowhere."""
    text: str
    """Link text."""
    current: bool = False
    """True when the link points at the page it is on."""
    count: int | None = None
    """A number shown beside the link, such as a mention count."""
    kind: str = ""
    """Entity type in lower case, for styling links to entities."""


@dataclass(frozen=True)
class DocRow:
    """One document in a list of documents."""

    href: str
    title: str
    origin: str
    date: str
    classification: str
    note: str = ""


@dataclass(frozen=True)
class Pager:
    """Links between the pages of a paginated list."""

    page: int
    pages: int
    links: tuple[Link, ...]
    prev: str = ""
    next: str = ""


#: Source files larger than this are shown without highlighting.
MAX_HIGHLIGHT = 2_000_000
#: How many entities' tooltips and links each process keeps (about 500 bytes each).
ENTITY_INFO_CACHE = 1 << 16


def _no_text(source: str) -> str | None:
    """Default source reader: no source text is available."""
    return None


@dataclass
class Site:
    """Everything pages are computed from: corpus, Markdown, configuration and paths.

    Entity paths and tooltip data are cached per entity; after the corpus
    changes, ``forget`` drops what the change made stale.
    """

    corpus: Corpus
    config: Config
    markdown: dict[str, MarkdownSource] = field(default_factory=dict)
    """Parsed Markdown files by source path: pages, the home introduction, entity notes."""
    read_text: Callable[[str], str | None] = _no_text
    """Returns a document's decoded source text (for its source view), or None."""
    templates: frozenset[str] = frozenset()
    """Template names available; a page asking for another one gets the default."""
    search: bool = False
    """True when the full-text search index is built."""
    urls: Urls = field(init=False)

    def __post_init__(self) -> None:
        """Assign output paths to the documents and pages."""
        self._info: dict[Key, EntityInfo] = {}
        self._notes: dict[Key, MarkdownSource] | None = None
        self._set_urls()

    def _set_urls(self) -> None:
        """Compute the output paths of documents and Markdown pages."""
        pages = [s for s, m in self.markdown.items() if m.kind == "page"]
        self.urls = Urls(document_paths([d.source for d in self.corpus.documents]),
                         document_paths(pages, "pages"))
        self._notes = None

    def forget(self, keys: set[Key]) -> None:
        """Drop what a change of documents made stale: entity data and document paths."""
        self.forget_entities(keys)
        self._set_urls()

    def set_markdown(self, markdown: dict[str, MarkdownSource]) -> None:
        """Replace the Markdown files (after an edit)."""
        self.markdown = markdown
        self._set_urls()

    def nav_pages(self) -> list[MarkdownSource]:
        """Return the Markdown pages listed in the navigation, in menu order."""
        pages = [m for m in self.markdown.values() if m.kind == "page" and m.nav]
        return sorted(pages, key=lambda m: (m.menu, m.title.casefold(), m.source))

    @property
    def intro(self) -> MarkdownSource | None:
        """Return the home page introduction (content/index.md), if any."""
        page = self.markdown.get("index.md")
        return page if page is not None and page.kind == "intro" else None

    def notes(self) -> dict[Key, MarkdownSource]:
        """Return the editors' notes by entity; a note's file name is the entity's name or its slug."""
        if self._notes is None:
            notes: dict[Key, MarkdownSource] = {}
            by_slug: dict[str, dict[str, Key]] = {}
            for page in sorted(self.markdown.values(), key=lambda m: m.source):
                if page.kind != "note":
                    continue
                key = note_key(page)
                if key not in self.corpus.entities:
                    type_ = key[0]
                    if type_ not in by_slug:
                        by_slug[type_] = {slugify(k[1]): k for k in self.corpus.type_order(type_)}
                    key = by_slug[type_].get(slugify(key[1]), by_slug[type_].get(key[1], key))
                notes.setdefault(key, page)
            self._notes = notes
        return self._notes

    def link_resolver(self, path: str, source: str) -> Callable[[str], str | None]:
        """Return a function that turns links to other Markdown files into links to their pages."""
        def resolve(href: str) -> str | None:
            if leaves_site(path, href):
                return ""
            found = markdown_link(href, source)
            if found is None:
                return None
            target, fragment = found
            if target in self.urls.pages:
                return relative_url(path, self.urls.pages[target], fragment)
            if target == "index.md":
                return relative_url(path, self.urls.home(), fragment)
            return None
        return resolve

    def template(self, name: str, default: str) -> str:
        """Return ``name`` if that template exists, else ``default``."""
        return name if name and name in self.templates else default

    def forget_entities(self, keys: set[Key]) -> None:
        """Drop cached data of entities whose counts or names may have changed."""
        self._notes = None
        for key in keys:
            self._info.pop(key, None)

    def entity_path(self, key: Key) -> str:
        """Return the output path of an entity's first page."""
        return self.urls.entity(key)

    def entity_info(self, key: Key) -> EntityInfo | None:
        """Return what a mention needs to know about an entity (None if unknown)."""
        info = self._info.get(key)
        if info is None and key in self.corpus.entities:
            corpus = self.corpus
            info = EntityInfo.make(self.entity_path(key), self.config.types[key[0]].label,
                                   corpus.name(key), corpus.doc_total(key), corpus.mention_total(key))
            if len(self._info) >= ENTITY_INFO_CACHE:
                self._info.clear()  # the entities that most pages name are back in it after a few pages
            self._info[key] = info
        return info

    def fragments(self, path: str) -> FragmentRenderer:
        """Return a renderer of running text for the page at ``path``."""
        return FragmentRenderer("../" * path.count("/"), self.entity_info,
                                lambda tag: self.urls.group("tag", tag))

    def common(self, path: str, title: str, description: str = "") -> dict[str, Any]:
        """Return the context every page has: site title, navigation, assets, types."""
        link = lambda to: relative_url(path, to)  # noqa: E731
        nav = [Link(link(self.urls.home()), "Documents"), Link(link(self.urls.entities()), "Entities")]
        nav += [Link(link(self.urls.group_index(kind)), GROUP_TITLES[kind]) for kind in GROUP_KINDS]
        nav += [Link(link(self.urls.page(m.source)), m.title) for m in self.nav_pages()]
        if self.search:
            nav.append(Link(link(self.urls.search()), "Search"))
        nav = [Link(n.href, n.text, n.href == link(path)) for n in nav]
        return {
            "site_title": self.config.title,
            "page_title": title,
            "description": description or f"{title} — {self.config.title}",
            "home_href": link(self.urls.home()),
            "nav": nav,
            "css_href": link(self.urls.asset("style.css")),
            "code_css_href": link(self.urls.asset("pygments.css")),
            "js_href": link(self.urls.asset("sitegen.js")),
            "types": [(t.lower(), self.config.types[t]) for t in ENTITY_TYPES],
            "canonical": absolute_url(self.config.base_url, path) if self.config.base_url else "",
            "feed_href": link(exports.FEED),
            "og_type": "article" if path.startswith("doc/") else "website",
            "root": "../" * path.count("/"),
            "finder_href": link(self.urls.finder("SHARD")),
            "entities_href": link(self.urls.entities()),
        }

    def doc_row(self, path: str, source: str, note: str = "") -> DocRow:
        """Return a document as a row of a list on the page at ``path``."""
        doc = self.corpus.summary(source)
        header = doc.header
        return DocRow(
            href=relative_url(path, self.urls.document(source)),
            title=doc.title,
            origin=header.origin if header else "",
            date=doc.date,
            classification=header.classification if header else "",
            note=note,
        )


def pager(path_of: Any, path: str, page: int, pages: int) -> Pager:
    """Return the links between the pages of a list: all of them, or for a long list the first, the last
    and those near this page (only those are made, so each page of a long list costs the same)."""
    return Pager(
        page=page,
        pages=pages,
        links=tuple(Link(relative_url(path, path_of(n)), str(n), n == page) for n in _window(page, pages)),
        prev=relative_url(path, path_of(page - 1)) if page > 1 else "",
        next=relative_url(path, path_of(page + 1)) if page < pages else "",
    )


def _window(page: int, pages: int) -> list[int]:
    """Return the page numbers a pager links to."""
    if pages <= 30:
        return list(range(1, pages + 1))
    return sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})


def _numbers(total: int, only: set[int] | None) -> list[int]:
    """Return the page numbers to render: all of 1..total, or those asked for."""
    return [n for n in range(1, total + 1) if only is None or n in only]


def pages_of(count: int, size: int) -> int:
    """Return the number of pages a list of ``count`` items needs."""
    return max(1, math.ceil(count / size))


def home_pages(site: Site, only: set[int] | None = None) -> Iterator[Page]:
    """Yield the home page: the corpus in figures and the list of documents, paginated.

    Context: figures, top (Links), rows (DocRows), pager, plus common keys.
    """
    corpus, size = site.corpus, site.config.documents_per_page
    total = pages_of(len(corpus.documents), size)
    for page in _numbers(total, only):
        path = site.urls.home(page)
        title = site.config.title if page == 1 else f"{site.config.title} — page {page}"
        context = site.common(path, title, f"{len(corpus.documents):,} documents and their entities")
        context["figures"] = None
        context["intro_html"] = ""
        if page == 1:
            if site.intro is not None:
                context["intro_html"] = render_markdown(site.intro.body, site.fragments(path),
                                                    site.link_resolver(path, "index.md"))
            per_type = mention_counts(corpus)
            context["figures"] = [Link(relative_url(path, site.urls.entity_type(t)),
                                       site.config.types[t].label, count=per_type[t])
                                  for t in ENTITY_TYPES]
            context["document_count"] = len(corpus.documents)
            context["entity_count"] = len(corpus.entities)
            context["top"] = _entity_links(site, path, top_entities(corpus, site.config.top_entities))
        start = (page - 1) * size
        context["rows"] = [site.doc_row(path, d.source) for d in corpus.documents[start:start + size]]
        context["pager"] = pager(site.urls.home, path, page, total)
        yield Page(path, "home.html", context)


def _entity_links(site: Site, path: str, entities: list[Entity]) -> list[Link]:
    """Return links to entity pages, with mention counts."""
    return [Link(relative_url(path, site.entity_path(e.key)), e.name, count=e.mention_count,
                 kind=e.type.lower()) for e in entities]


def document_page(site: Site, index: int) -> Page:
    """Return one document's page.

    Context: doc, meta (label, Links), header_html, paragraphs (anchor, number,
    heading_html, html), signature_html, panel (type label, css, Links), prev,
    next, plus common keys.
    """
    corpus = site.corpus
    doc = corpus.document(corpus.documents[index].source)
    path = site.urls.document(doc.source)
    frag = site.fragments(path)
    context = site.common(path, doc.title, _describe(doc))
    context["doc"] = doc
    context["meta"] = _metadata(site, doc, path)
    context["data_href"] = relative_url(path, site.urls.document_data(doc.source))
    context["source_href"] = relative_url(path, site.urls.document_source(doc.source))
    context["filters"] = _search_filters(site, doc) if site.search else []
    context["header_html"] = frag.text(doc.header_text) if doc.header_text else ""
    source_path = site.urls.document_source(doc.source)
    context["paragraphs"] = [
        {"anchor": p.anchor, "number": p.number,
         "source_href": relative_url(path, source_path, f"L{p.line}"),
         "heading_html": frag.text(p.heading) if p.heading else "", "html": frag.text(p.text)}
        for p in doc.paragraphs]
    context["signature_html"] = frag.text(doc.signature) if doc.signature else ""
    context["panel"] = _entity_panel(site, doc, path)
    docs = corpus.documents
    context["prev"] = site.doc_row(path, docs[index - 1].source) if index > 0 else None
    context["next"] = site.doc_row(path, docs[index + 1].source) if index + 1 < len(docs) else None
    return Page(path, "document.html", context)


def _search_filters(site: Site, doc: Document) -> list[tuple[str, str]]:
    """Return the search filters of a document page: entity types, tags, origin, year."""
    filters = [("type", site.config.types[t].label)
               for t in ENTITY_TYPES if any(m.type == t for m in doc.mentions)]
    header = doc.header
    if header:
        filters += [("tag", tag) for tag in header.tags]
        if header.origin:
            filters.append(("origin", header.origin))
    if doc.year:
        filters.append(("year", doc.year))
    return filters


def source_page(site: Site, index: int) -> Page:
    """Return a document's source view: the annotated text, highlighted, with line anchors.

    Context: doc, doc_href, data_href, source_html, line_count, plus common keys.
    """
    doc = site.corpus.document(site.corpus.documents[index].source)
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
    return Page(path, "source.html", context)


def markdown_page(site: Site, source: str) -> Page:
    """Return a page written in Markdown.

    Context: body_html, plus common keys.
    """
    page = site.markdown[source]
    path = site.urls.page(source)
    context = site.common(path, page.title, page.description)
    html = render_markdown(page.body, site.fragments(path), site.link_resolver(path, source))
    context["body_html"] = html
    context["show_title"] = not html.lstrip().startswith("<h1")
    return Page(path, site.template(page.template, "page.html"), context)


def search_page(site: Site) -> Page:
    """Return the full-text search page (Pagefind's interface).

    Context: pagefind_css, pagefind_js, plus common keys.
    """
    path = site.urls.search()
    context = site.common(path, "Search", "Search the full text of every document")
    context["pagefind_css"] = relative_url(path, "pagefind/pagefind-ui.css")
    context["pagefind_js"] = relative_url(path, "pagefind/pagefind-ui.js")
    return Page(path, "search.html", context)


def _describe(doc: Document) -> str:
    """Return a one-line description of a document for its meta tag."""
    parts = [doc.title]
    if doc.header and doc.header.origin:
        parts.append(f"from {doc.header.origin}")
    if doc.date:
        parts.append(doc.date)
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
        rows.append(("Date", [group("year", doc.year) if doc.year == doc.date else Link("", doc.date)]))
    if doc.year and doc.year != doc.date:
        rows.append(("Year", [group("year", doc.year)]))
    if header:
        if header.tags:
            rows.append(("Tags", [group("tag", t) for t in header.tags]))
        for label, value in (("Caveats", header.caveats), ("Declassify on", header.decl),
                             ("Subject", header.subject), ("Classified by", header.classified_by),
                             ("Reason", header.reason)):
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
        links = [Link(relative_url(path, site.entity_path(k)), names[k],
                      count=counts[k], kind=type_.lower()) for k in keys]
        if links:
            panel.append((site.config.types[type_].label, type_.lower(), links))
    return panel


def entity_pages(site: Site, entity: Entity, only: set[int] | None = None) -> Iterator[Page]:
    """Yield an entity's pages: its documents with paragraph snippets, paginated.

    Context: entity, type_label, type_css, type_href, forms, related (Links),
    docs (row, places: list of (href, label, snippet, count)), pager, plus common keys.
    """
    size = site.config.entity_documents_per_page
    total = pages_of(entity.doc_count, size)
    label = site.config.types[entity.type].label
    for page in _numbers(total, only):
        path = site.urls.entity(entity.key, page)
        title = f"{entity.name} ({label})" + (f" — page {page}" if page > 1 else "")
        context = site.common(path, title, f"{label} {entity.name}: "
                              f"{plural(entity.doc_count, 'document')}, {plural(entity.mention_count, 'mention')}")
        context.update(
            entity=entity, type_label=label, type_css=entity.type.lower(),
            type_href=relative_url(path, site.urls.entity_type(entity.type)),
            forms=", ".join(f"{form} ({count})" for form, count in entity.forms[:12]),
            related=[Link(relative_url(path, site.entity_path(k)), site.corpus.name(k),
                          count=n, kind=k[0].lower()) for k, n in entity.related],
            docs=[_occurrence(site, path, entity, occ)
                  for occ in entity.occurrences[(page - 1) * size: page * size]],
            pager=pager(lambda n: site.urls.entity(entity.key, n), path, page, total),
            note_html="",
        )
        note = site.notes().get(entity.key)
        if note is not None and page == 1:
            context["note_html"] = render_markdown(note.body, site.fragments(path),
                                                   site.link_resolver(path, note.source))
        yield Page(path, "entity.html", context)


def _occurrence(site: Site, path: str, entity: Entity, occ: Occurrence) -> dict[str, Any]:
    """Return one document on an entity page, with a snippet per paragraph."""
    doc_path = site.urls.document(occ.doc)
    snippets = site.corpus.snippets(entity.key, occ.doc, [block for block, _ in occ.paragraphs])
    places = []
    for (block, count), text in zip(occ.paragraphs, snippets):
        label = {"header": "Header", "signature": "Signature"}.get(block, f"¶ {block[3:]}")
        places.append((relative_url(path, doc_path, block), label, text, count))
    return {"row": site.doc_row(path, occ.doc, plural(occ.mentions, "mention")), "places": places}


def entities_page(site: Site) -> Page:
    """Return the index of all entity types with their most-mentioned entities.

    Context: sections (label, css, count, href, top_href, Links), plus common keys.
    """
    path = site.urls.entities()
    context = site.common(path, "Entities", "Every person, place, organisation and other entity")
    context["json_href"] = relative_url(path, exports.ENTITIES_JSON)
    context["csv_href"] = relative_url(path, exports.ENTITIES_CSV)
    counts = mention_counts(site.corpus)
    context["sections"] = [
        {"label": site.config.types[t].label, "css": t.lower(), "type": t, "count": counts[t],
         "href": relative_url(path, site.urls.entity_type(t)),
         "top_href": relative_url(path, site.urls.entity_type_top(t)),
         "top": _entity_links(site, path, top_entities(site.corpus, 10, t))}
        for t in ENTITY_TYPES]
    return Page(path, "entities.html", context)


def entity_type_pages(site: Site, type_: str, only: set[int] | None = None) -> Iterator[Page]:
    """Yield the A-Z index of one entity type, paginated, with a letter index.

    Context: type_label, type_css, letters (Links), groups (letter, Links),
    top_href, pager, plus common keys.
    """
    corpus = site.corpus
    keys = corpus.type_order(type_)
    size = site.config.entities_per_page
    total = pages_of(len(keys), size)
    label = site.config.types[type_].label
    first_page: dict[str, int] = {}
    for i, key in enumerate(keys):
        first_page.setdefault(_letter(corpus.name(key)), i // size + 1)
    for page in _numbers(total, only):
        path = site.urls.entity_type(type_, page)
        context = site.common(path, f"{label}: A–Z" + (f" — page {page}" if page > 1 else ""),
                              f"Every {label.lower()} in the archive, A to Z")
        groups: dict[str, list[Link]] = {}
        for key in keys[(page - 1) * size: page * size]:
            name = corpus.name(key)
            groups.setdefault(_letter(name), []).append(
                Link(relative_url(path, site.entity_path(key)), name,
                     count=corpus.mention_total(key), kind=key[0].lower()))
        context.update(
            type_label=label, type_css=type_.lower(), count=len(keys),
            letters=[Link(relative_url(path, site.urls.entity_type(type_, n), f"letter-{_letter_id(l)}"), l)
                     for l, n in first_page.items()],
            groups=[(letter, _letter_id(letter), links) for letter, links in groups.items()],
            top_href=relative_url(path, site.urls.entity_type_top(type_)),
            pager=pager(lambda n: site.urls.entity_type(type_, n), path, page, total),
        )
        yield Page(path, "entity_type.html", context)


def _letter(name: str) -> str:
    """Return the index letter of a name: A-Z, or # for anything else."""
    first = name[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def _letter_id(letter: str) -> str:
    """Return the element id part of an index letter."""
    return letter.lower() if letter != "#" else "other"


def entity_top_page(site: Site, type_: str) -> Page:
    """Return the most-mentioned entities of one type.

    Context: type_label, type_css, az_href, top (Links), plus common keys.
    """
    path = site.urls.entity_type_top(type_)
    label = site.config.types[type_].label
    context = site.common(path, f"{label}: most mentioned", f"The most-mentioned {label.lower()} entities")
    context.update(type_label=label, type_css=type_.lower(),
                   az_href=relative_url(path, site.urls.entity_type(type_)),
                   top=_entity_links(site, path, top_entities(site.corpus, 100, type_)))
    return Page(path, "entity_top.html", context)


def group_pages(site: Site, kind: str, key: str, only: set[int] | None = None) -> Iterator[Page]:
    """Yield one tag's (origin's, classification's, year's) list of documents, paginated.

    Context: kind_label, name, index_href, count, rows, pager, plus common keys.
    """
    group = site.corpus.groups[kind][key]
    size = site.config.documents_per_page
    total = pages_of(len(group.docs), size)
    for page in _numbers(total, only):
        path = site.urls.group(kind, key, page)
        title = f"{GROUP_SINGULAR[kind]}: {group.name}" + (f" — page {page}" if page > 1 else "")
        context = site.common(path, title, f"{plural(len(group.docs), 'document')} with {kind} {group.name}")
        context.update(
            kind_label=GROUP_SINGULAR[kind], name=group.name, count=len(group.docs),
            index_href=relative_url(path, site.urls.group_index(kind)),
            rows=[site.doc_row(path, source) for source in group.docs[(page - 1) * size: page * size]],
            pager=pager(lambda n: site.urls.group(kind, key, n), path, page, total),
        )
        yield Page(path, "group.html", context)


def group_index_page(site: Site, kind: str) -> Page:
    """Return the list of every tag (origin, classification, year) with counts.

    Context: kind_title, groups (Links), plus common keys.
    """
    path = site.urls.group_index(kind)
    context = site.common(path, GROUP_TITLES[kind], f"Documents by {kind}")
    context.update(kind_title=GROUP_TITLES[kind], groups=[
        Link(relative_url(path, site.urls.group(kind, g.key)), g.name, count=len(g.docs))
        for g in site.corpus.groups[kind].values()])
    return Page(path, "group_index.html", context)


def not_found_page(site: Site) -> Page:
    """Return the page a server shows for a missing path.

    It may be served at any depth, so its links are relative to the site root
    and the template sets ``<base>`` to the base URL when one is configured.
    Context: base_href, plus common keys.
    """
    path = "404.html"
    context = site.common(path, "Page not found", "This page does not exist")
    context["base_href"] = site.config.base_url.rstrip("/") + "/" if site.config.base_url else ""
    return Page(path, "404.html", context)
