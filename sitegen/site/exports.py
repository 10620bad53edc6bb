"""Data and discovery files: entity and document exports, Atom feed, robots.txt, sitemap.

Each function returns the text of one file; no timestamps are invented, so
the files are as reproducible as the pages.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from itertools import islice
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from sitegen.model import Document, Summary, entity_id, plain_text
from sitegen.site.urls import absolute_url

if TYPE_CHECKING:
    from sitegen.site.pages import Site

#: How many of the newest documents the Atom feed lists.
FEED_SIZE = 50
ENTITIES_JSON = "entities.json"
ENTITIES_CSV = "entities.csv"
FEED = "feed.xml"
ROBOTS = "robots.txt"
SITEMAP = "sitemap.xml"


def public_url(site: Site, path: str) -> str:
    """Return a path as the site's public URL, or as a root-relative path without a base URL."""
    return absolute_url(site.config.base_url, path) if site.config.base_url else path


#: Entities per part of a data file written in parts.
PART = 2000
#: Write entities.json's rows and the documents' data: one encoder each for all of them (json.dumps
#: with options makes one per call).
_ROW = json.JSONEncoder(ensure_ascii=False)
_DOCUMENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _entity_rows(site: Site) -> Iterator[dict]:
    """Yield every entity as a plain record, in display order, one at a time."""
    corpus, types, records = site.corpus, site.config.types, site.resolver.authority.records
    for key in corpus.entities:  # counted without materialising every entity
        row = {
            "id": entity_id(key),
            "type": key[0],
            "type_label": types[key[0]].label,
            "name": corpus.name(key),
            "key": key[1],
            "forms": [{"form": form, "count": count} for form, count in corpus.forms(key)],
            "documents": corpus.doc_total(key),
            "mentions": corpus.mention_total(key),
            "url": public_url(site, site.entity_path(key)),
        }
        record = records.get(key)
        if record is not None:  # what the authority file says of it
            row["aliases"] = [{"type": alias[0], "key": alias[1]} for alias in record.aliases]
            if record.wikidata:
                row["wikidata"] = record.wikidata
            if record.description:
                row["description"] = record.description
        yield row


def _parts(rows: Iterator[dict]) -> Iterator[list[dict]]:
    """Yield the rows PART at a time, so a data file of any size is made a part at a time."""
    while part := list(islice(rows, PART)):
        yield part


def entities_json(site: Site, csv_parts: list[str] | None = None) -> Iterator[str]:
    """Yield entities.json in parts: every entity with its spellings, counts and page URL.

    With ``csv_parts``, the rows of entities.csv are made from the same rows and put there once
    the last part is made (see entities_csv), so that a build makes each entity's row once.
    """
    tagger = site.config.tagger
    yield "{" + (f'"tagger": {json.dumps(tagger, ensure_ascii=False)}, ' if tagger else "") + '"entities": [\n'
    separator = ""
    made: list[str] = []
    for part in _parts(_entity_rows(site)):
        yield separator + ",\n".join(_ROW.encode(row) for row in part)
        separator = ",\n"
        if csv_parts is not None:
            made.append(_csv_rows(part))
    if csv_parts is not None:
        csv_parts.extend(made)
    yield "\n]}\n"


def entities_csv(site: Site, parts: list[str] | None = None) -> Iterator[str]:
    """Yield entities.csv in parts: one row per entity; spellings joined with ' | '. ``parts`` are its
    rows as entities_json made them, when it did (they are let go as they are written)."""
    yield _csv_rows([], header=True)
    if parts:
        while parts:
            yield parts.pop(0)
        return
    for part in _parts(_entity_rows(site)):
        yield _csv_rows(part)


def _csv_rows(rows: list[dict], header: bool = False) -> str:
    """Return rows of entities.csv (and its header line first, with ``header``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(["type", "name", "documents", "mentions", "forms", "url", "id"])
    for row in rows:
        writer.writerow(
            [
                row["type"],
                row["name"],
                row["documents"],
                row["mentions"],
                " | ".join(f["form"] for f in row["forms"]),
                row["url"],
                row["id"],
            ]
        )
    return out.getvalue()


def document_json(site: Site, doc: Document) -> str:
    """Return one document's data: header fields, paragraphs and mentions with positions."""
    header = asdict(doc.header) if doc.header else None
    data = {
        "source": doc.source,
        "id": doc.ref,
        "url": public_url(site, site.urls.document(doc.source)),
        "title": doc.title,
        "date": doc.date,
        "year": doc.year,
        "header": {k: list(v) if isinstance(v, tuple) else v for k, v in header.items()} if header else None,
        "paragraphs": [
            {
                "id": p.anchor,
                "number": p.number,
                "line": p.line,
                "heading": plain_text(p.heading),
                "text": plain_text(p.text),
            }
            for p in doc.paragraphs
        ],
        "signature": plain_text(doc.signature).strip(),
        "mentions": [
            {
                "type": m.type,
                "text": m.text,
                "paragraph": m.paragraph,
                "line": m.line,
                "column": m.col,
                "entity": entity_id(m.key),
                "entity_url": public_url(site, site.entity_path(m.key)),
            }
            for m in doc.mentions
        ],
    }
    # Without spaces after separators: a tenth smaller. The C encoder, several times faster than indenting.
    return _DOCUMENT.encode(data) + "\n"


def _timestamp(date: str) -> str:
    """Return an Atom timestamp for a document date (a year means its first day, a date its midnight)."""
    if len(date) == 4:
        date += "-01-01"
    day, _, time = date.partition("T")
    time = (time + ":00:00")[:8] if time else "00:00:00"
    return f"{day}T{time}Z"


def feed_documents(documents: list[Summary]) -> list[Summary]:
    """Return the documents the feed lists: the newest dated ones."""
    return [d for d in documents if d.date][:FEED_SIZE]


def _urn(name: str) -> str:
    """Return a stable URN for a feed or entry id when there is no public address."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'sitegen:' + name)}"


def atom_feed(site: Site) -> str:
    """Return an Atom feed of the newest dated documents."""
    docs = feed_documents(site.corpus.documents)
    base = site.config.base_url
    feed_id = public_url(site, FEED) if base else _urn(f"feed:{site.config.title}")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(site.config.title)}</title>",
        f"  <id>{escape(feed_id)}</id>",
        f"  <updated>{_timestamp(docs[0].date) if docs else '1970-01-01T00:00:00Z'}</updated>",
        f'  <link rel="self" href={quoteattr(public_url(site, FEED))}/>',
        f"  <link href={quoteattr(public_url(site, site.urls.home()))}/>",
        "  <author><name>" + escape(site.config.title) + "</name></author>",
    ]
    for listed in docs:
        doc = site.corpus.document(listed.source)
        url = public_url(site, site.urls.document(doc.source))
        summary = " ".join(plain_text(doc.paragraphs[0].text).split())[:400] if doc.paragraphs else ""
        lines += [
            "  <entry>",
            f"    <title>{escape(doc.title)}</title>",
            f"    <id>{escape(url if base else _urn('doc:' + doc.source))}</id>",
            f"    <link href={quoteattr(url)}/>",
            f"    <updated>{_timestamp(doc.date)}</updated>",
            f"    <summary>{escape(summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def robots_txt(site: Site) -> str:
    """Return robots.txt: everything may be crawled; the sitemap when there is one."""
    text = "User-agent: *\nAllow: /\n"
    if site.config.base_url:
        text += f"Sitemap: {public_url(site, SITEMAP)}\n"
    return text


def sitemap_xml(site: Site, paths: list[str]) -> str:
    """Return sitemap.xml listing every HTML page (only written with a base URL)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [
        f"  <url><loc>{escape(public_url(site, path))}</loc></url>"
        for path in sorted(paths)
        if path.endswith(".html") and path != "404.html"
    ]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
