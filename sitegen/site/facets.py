"""The data that filters an entity's documents in the browser: per document its year, origin,
tags and the entities named with it.

It is a script beside the entity's pages (``Urls.entity_facets``), loaded
only when a reader opens the filter, so it works from disk as well as from a
server and costs nothing when unused. ``facets_script`` is a pure function of
the site's index.
"""

from __future__ import annotations

from typing import Any

from sitegen.model import Entity, Key, group_key
from sitegen.render.escape import script_json
from sitegen.site.pages import Site
from sitegen.site.urls import slugify

#: How many of the entities most often named with it can narrow an entity's documents.
TOP_WITH = 20


def facets_data(site: Site, entity: Entity) -> dict[str, Any]:
    """Return an entity's documents (in the order of its pages) with what they can be filtered by.

    Links are relative to the entity's pages, which share one folder. Origins,
    tags and entities are numbered by their place in their list, to keep the
    file small; an entity to filter by is its id (``loc/peru``, its type's
    name in ``types``) and its name. "With" counts documents where the entity
    shares a paragraph with the other, as "Mentioned with" does.
    """
    corpus = site.corpus
    path = site.urls.entity(entity.key)
    top = [key for key, _ in site.related(entity.key)[:TOP_WITH]]
    with_number = {key: n for n, key in enumerate(top)}
    named_with = corpus.mentioned_with(entity.key, among=top) if top else {}
    origins: dict[str, int] = {}
    tags: dict[str, int] = {}
    docs = []
    for occ in entity.occurrences:
        row = site.doc_row(path, occ.doc)
        origin = origins.setdefault(group_key("origin", row.origin), len(origins)) if row.origin else -1
        docs.append(
            [
                row.href,
                row.title,
                row.date,
                corpus.summary(occ.doc).year,
                origin,
                [tags.setdefault(tag, len(tags)) for tag in corpus.tags_of(occ.doc)],
                sorted(with_number[key] for key in named_with.get(occ.doc, ())),
                occ.mentions,
            ]
        )
    origin_names, tag_names = corpus.group_names("origin"), corpus.group_names("tag")
    return {
        "entity": entity.name,
        "origins": [origin_names.get(key, key) for key in origins],
        "tags": [tag_names.get(key, key) for key in tags],
        "with": [[facet_id(key), corpus.name(key)] for key in top],
        "types": {key[0].lower(): site.config.types[key[0]].label for key in top},
        "docs": docs,
    }


def facet_id(key: Key) -> str:
    """Return how the address of an entity page names another entity to filter by (``#with=loc/peru``)."""
    return f"{key[0].lower()}/{slugify(key[1])}"


def facets_script(site: Site, entity: Entity) -> str:
    """Return the script that hands an entity's facet data to the page that loads it."""
    data = script_json(facets_data(site, entity))
    return f"window.sitegenFacets = {data};\n"
