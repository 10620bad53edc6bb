"""Page families: the registry of everything a site contains.

A family is a group of pages rendered together (all pages of one entity, one
document's page, the data files...). Builds walk every family; the live
preview re-renders only the families, or the page numbers within them, that
a change affects.
"""
from __future__ import annotations

from typing import Iterator

from sitegen import exports
from sitegen.corpus import mention_counts
from sitegen.model import ENTITY_TYPES, GROUP_KINDS
from sitegen.pages import (
    Page,
    Site,
    document_page,
    entities_page,
    entity_pages,
    entity_top_page,
    entity_type_pages,
    group_index_page,
    group_pages,
    home_pages,
    markdown_page,
    not_found_page,
    pages_of,
    search_page,
    source_page,
)

#: A family of pages that are always rendered together, such as all pages of
#: one entity: ("home",), ("doc", source), ("entities",), ("type", TYPE),
#: ("top", TYPE), ("entity", key), ("groups", kind), ("group", kind, key), ("404",),
#: ("source", source) (a document's source view), ("page", source) (a Markdown page),
#: ("search",) (the search page), and the data files ("docdata", source), ("data",),
#: ("finder",) (the quick-find data), ("feed",), ("robots",), ("sitemap",).
Family = tuple


#: The template each family's pages are rendered with; a Markdown page names its own
#: (see markdown_page), and the data files use none.
TEMPLATES = {"home": "home.html", "doc": "document.html", "entities": "entities.html",
             "type": "entity_type.html", "top": "entity_top.html", "entity": "entity.html",
             "groups": "group_index.html", "group": "group.html", "404": "404.html",
             "source": "source.html", "search": "search.html"}


def family_template(site: Site, family: Family) -> str:
    """Return the template a family's pages are rendered with ("" for none)."""
    if family[0] == "page":
        page = site.markdown.get(family[1])
        return site.template(page.template if page else "", "page.html")
    return TEMPLATES.get(family[0], "")


def families(site: Site) -> Iterator[Family]:
    """Yield every page family of the site, in a fixed order."""
    yield ("home",)
    for doc in site.corpus.documents:
        yield ("doc", doc.source)
    yield ("entities",)
    for type_ in ENTITY_TYPES:
        yield ("type", type_)
        yield ("top", type_)
    for key in site.corpus.entities:
        yield ("entity", key)
    for kind in GROUP_KINDS:
        yield ("groups", kind)
        for key in site.corpus.groups[kind]:
            yield ("group", kind, key)
    yield ("404",)
    for doc in site.corpus.documents:
        yield ("source", doc.source)
    for source in site.urls.pages:
        yield ("page", source)
    if site.search:
        yield ("search",)
    for doc in site.corpus.documents:
        yield ("docdata", doc.source)
    yield ("data",)
    yield ("finder",)
    yield ("feed",)
    yield ("robots",)
    yield ("sitemap",)


def family_pages(site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
    """Yield the pages of one family (or just the page numbers in ``only``).

    Yields nothing when the family's subject no longer exists.
    """
    name = family[0]
    corpus = site.corpus
    if name == "home":
        yield from home_pages(site, only)
    elif name == "doc":
        if family[1] in corpus:
            yield document_page(site, corpus.position(family[1]))
    elif name == "entities":
        yield entities_page(site)
    elif name == "type":
        yield from entity_type_pages(site, family[1], only)
    elif name == "top":
        yield entity_top_page(site, family[1])
    elif name == "entity":
        if family[1] in corpus.entities:
            yield from entity_pages(site, corpus.entity(family[1]), only)
    elif name == "groups":
        yield group_index_page(site, family[1])
    elif name == "group":
        if family[2] in corpus.groups[family[1]]:
            yield from group_pages(site, family[1], family[2], only)
    elif name == "404":
        yield not_found_page(site)
    elif name == "source":
        if family[1] in corpus:
            yield source_page(site, corpus.position(family[1]))
    elif name == "page":
        if family[1] in site.urls.pages:
            yield markdown_page(site, family[1])
    elif name == "search":
        if site.search:
            yield search_page(site)
    elif name == "finder":
        for shard, script in exports.finder_scripts(site):
            yield Page(site.urls.finder(shard), "", {"body": script})
    elif name == "docdata":
        if family[1] in corpus:
            yield Page(site.urls.document_data(family[1]), "",
                       {"body": exports.document_json(site, corpus.document(family[1]))})
    elif name == "data":
        yield Page(exports.ENTITIES_JSON, "", {"body": exports.entities_json(site)})
        yield Page(exports.ENTITIES_CSV, "", {"body": exports.entities_csv(site)})
    elif name == "feed":
        yield Page(exports.FEED, "", {"body": exports.atom_feed(site)})
    elif name == "robots":
        yield Page(exports.ROBOTS, "", {"body": exports.robots_txt(site)})
    elif name == "sitemap":
        if site.config.base_url:
            paths = [p for f in families(site) if f[0] != "sitemap" for p in family_paths(site, f)]
            yield Page(exports.SITEMAP, "", {"body": exports.sitemap_xml(site, paths)})
    else:
        raise ValueError(f"unknown page family {family!r}")


def family_paths(site: Site, family: Family) -> list[str]:
    """Return the output paths a family has now, without rendering anything."""
    name, corpus, config, urls = family[0], site.corpus, site.config, site.urls
    if name == "home":
        total = pages_of(len(corpus.documents), config.documents_per_page)
        return [urls.home(n) for n in range(1, total + 1)]
    if name == "doc":
        return [urls.document(family[1])] if family[1] in corpus else []
    if name == "entities":
        return [urls.entities()]
    if name == "type":
        total = pages_of(mention_counts(corpus)[family[1]], config.entities_per_page)
        return [urls.entity_type(family[1], n) for n in range(1, total + 1)]
    if name == "top":
        return [urls.entity_type_top(family[1])]
    if name == "entity":
        if family[1] not in corpus.entities:
            return []
        total = pages_of(corpus.doc_total(family[1]), config.entity_documents_per_page)
        return [urls.entity(family[1], n) for n in range(1, total + 1)]
    if name == "groups":
        return [urls.group_index(family[1])]
    if name == "group":
        group = corpus.groups[family[1]].get(family[2])
        if group is None:
            return []
        total = pages_of(len(group.docs), config.documents_per_page)
        return [urls.group(family[1], family[2], n) for n in range(1, total + 1)]
    if name == "404":
        return ["404.html"]
    if name == "source":
        return [urls.document_source(family[1])] if family[1] in corpus else []
    if name == "page":
        return [urls.page(family[1])] if family[1] in urls.pages else []
    if name == "search":
        return [urls.search()] if site.search else []
    if name == "finder":
        return [urls.finder(shard) for shard in exports.FINDER_SHARDS]
    if name == "docdata":
        return [urls.document_data(family[1])] if family[1] in corpus else []
    if name == "data":
        return [exports.ENTITIES_JSON, exports.ENTITIES_CSV]
    if name == "feed":
        return [exports.FEED]
    if name == "robots":
        return [exports.ROBOTS]
    if name == "sitemap":
        return [exports.SITEMAP] if config.base_url else []
    raise ValueError(f"unknown page family {family!r}")

