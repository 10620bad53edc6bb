"""Data and discovery files: entity and document exports, Atom feed, robots.txt, sitemap.

Each function returns the text of one file; no timestamps are invented, so
the files are as reproducible as the pages.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from operator import attrgetter
from typing import TYPE_CHECKING

from sitegen.model import Document, Summary, entity_id, plain_text
from sitegen.site.rows import csv_line
from sitegen.site.urls import public_url

if TYPE_CHECKING:
    from sitegen.site.pages import Site

#: How many of the newest documents the Atom feed lists.
FEED_SIZE = 50
ENTITIES_JSON = "entities.json"
ENTITIES_CSV = "entities.csv"
FEED = "feed.xml"
ROBOTS = "robots.txt"
SITEMAP = "sitemap.xml"


def escape(text: str) -> str:
    """Return text for an XML element: ``&``, ``<`` and ``>`` escaped (as xml.sax.saxutils does,
    whose module would load urllib.request and more on every build)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """Return text as a quoted XML attribute value, as xml.sax.saxutils.quoteattr does."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


#: Entities per part of a data file written in parts.
PART = 2000
#: Write the documents' data: one encoder for all of them (json.dumps with options makes one per call).
_DOCUMENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _parts(site: Site, field: str) -> Iterator[list[str]]:
    """Yield one field of every entity's rows (Site.rows_in_order), PART entities at a time, so a
    data file of any size is made a part at a time."""
    rows = site.rows_in_order()
    for start in range(0, len(rows), PART):
        yield list(map(attrgetter(field), rows[start : start + PART]))


def entities_json(site: Site) -> Iterator[str]:
    """Yield entities.json in parts: every entity with its spellings, counts and page URL."""
    tagger = site.config.tagger
    yield "{" + (f'"tagger": {json.dumps(tagger, ensure_ascii=False)}, ' if tagger else "") + '"entities": [\n'
    separator = ""
    for part in _parts(site, "json"):
        yield separator + ",\n".join(part)
        separator = ",\n"
    yield "\n]}\n"


def entities_csv(site: Site) -> Iterator[str]:
    """Yield entities.csv in parts: one row per entity; spellings joined with ' | '."""
    yield csv_line(["type", "name", "documents", "mentions", "forms", "url", "id"])
    for part in _parts(site, "csv"):
        yield "".join(part)


def document_json(site: Site, doc: Document) -> str:
    """Return one document's data: header fields, paragraphs and mentions with positions."""
    header = asdict(doc.header) if doc.header else None
    data = {
        "source": doc.source,
        "id": doc.ref,
        "url": public_url(site.config.base_url, site.urls.document(doc.source)),
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
                "entity_url": public_url(site.config.base_url, site.entity_path(m.key)),
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
    feed_id = public_url(base, FEED) if base else _urn(f"feed:{site.config.title}")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(site.config.title)}</title>",
        f"  <id>{escape(feed_id)}</id>",
        f"  <updated>{_timestamp(docs[0].date) if docs else '1970-01-01T00:00:00Z'}</updated>",
        f'  <link rel="self" href={quoteattr(public_url(base, FEED))}/>',
        f"  <link href={quoteattr(public_url(base, site.urls.home()))}/>",
        "  <author><name>" + escape(site.config.title) + "</name></author>",
    ]
    for listed in docs:
        doc = site.corpus.document(listed.source)
        url = public_url(base, site.urls.document(doc.source))
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
        text += f"Sitemap: {public_url(site.config.base_url, SITEMAP)}\n"
    return text


def sitemap_xml(site: Site, paths: list[str]) -> str:
    """Return sitemap.xml listing every HTML page (only written with a base URL)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [
        f"  <url><loc>{escape(public_url(site.config.base_url, path))}</loc></url>"
        for path in sorted(paths)
        if path.endswith(".html") and path != "404.html"
    ]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
