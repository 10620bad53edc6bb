"""The entity finder's data: rows of names in parts small enough to load as the reader types.

A row is ``[name, type, path, mentions]`` (and the entity's aliases when the
authority file gives it some), or ``[id, "doc", path, 0, [], subject]`` for
a document found by its reference id. A row is in the part of each word of
its names, by the word's first character. A part larger than ``PART_BYTES``
is split by the next character of the words (``t`` into ``ta``, ``th``…),
and so on; the part it was split from keeps the most-mentioned rows, for
queries as short as its name, and the rows with a word that is just its
name. No part is larger than ``PART_BYTES``. The list of parts is a script
of its own, so the page knows which part a query needs: the longest part
that the longest word of the query starts with. Everything is a script rather than JSON, so that it
loads from ``file://`` too.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING

from sitegen.render.escape import script_json
from sitegen.site.rows import words

if TYPE_CHECKING:
    from sitegen.site.pages import Site

#: The parts a site always has: one per first letter or digit of a word, "_" for the rest.
FIRST_PARTS = tuple("abcdefghijklmnopqrstuvwxyz0123456789_")
#: Above this many bytes of rows a part is split by the next character of its words.
PART_BYTES = 200_000
#: Bytes of the most-mentioned rows a part that was split keeps, for queries as short as its name.
TOP_BYTES = 60_000
#: Parts are not split past names this long.
MAX_PREFIX = 6
#: The script that lists the parts.
INDEX = "_parts"

#: The name under which the site keeps the rows and parts while they are written (Site.memo).
MEMO = "finder"


def finder_parts(rows: list[tuple[str, Collection[str]]]) -> dict[str, array]:
    """Return each part's rows, as their numbers among ``rows`` (see finder_rows)."""
    sizes = array("I", (len(row) + 1 for row, _ in rows))
    by_first: dict[str, list[tuple[str, int]]] = {}
    for number, (_, found) in enumerate(rows):
        for word in found:
            by_first.setdefault(word[0], []).append((word, number))
    parts: dict[str, array] = {}
    for first in FIRST_PARTS:
        _split(first, by_first.get(first, []), sizes, parts)
    return parts


def _split(prefix: str, words: list[tuple[str, int]], sizes: array, parts: dict[str, array]) -> None:
    """Put a part into ``parts``, split by the next character of its words when it is too large.

    ``words`` are the words that start with ``prefix``, each with the number
    of its row; the part's rows are theirs, in the order of ``rows``.
    """
    members = sorted({number for _, number in words})
    if prefix == "_" or len(prefix) >= MAX_PREFIX or sum(sizes[n] for n in members) <= PART_BYTES:
        parts[prefix] = _capped(members, sizes)
        return
    exact = {number for word, number in words if word == prefix}  # a word that is just the prefix goes no deeper
    kept, budget = array("I"), TOP_BYTES
    for number in members:
        if number in exact:
            kept.append(number)
        elif budget >= sizes[number]:
            kept.append(number)
            budget -= sizes[number]
    parts[prefix] = _capped(kept, sizes)
    length = len(prefix) + 1
    children: dict[str, list[tuple[str, int]]] = {}
    for word, number in words:
        if len(word) >= length:
            children.setdefault(word[:length], []).append((word, number))
    for child in sorted(children):
        _split(child, children[child], sizes, parts)


def _capped(members: Iterable[int], sizes: array) -> array:
    """Return a part's rows up to ``PART_BYTES``: past that, the least mentioned of a word too common
    to split further (``ministry``) are left out; the A-Z index and search still find them."""
    total, kept = 0, array("I")
    for number in members:
        total += sizes[number]
        if total > PART_BYTES:
            break
        kept.append(number)
    return kept


def finder_rows(site: Site) -> list[tuple[str, Collection[str]]]:
    """Return every row, as the JSON it is written as, with the words it is found by: entities
    most-mentioned first (their rows as the site keeps them, Site.entity_row), then documents."""
    corpus = site.corpus
    keys = sorted(corpus.entities, key=lambda k: (-corpus.mention_total(k), corpus.name(k).casefold(), k))
    rows: list[tuple[str, Collection[str]]] = []
    for key in keys:
        row = site.entity_row(key)
        rows.append((row.finder, row.words))
    for doc in corpus.documents:  # found by their reference id: 09lima16 finds 09LIMA1669
        if doc.ref:
            subject = doc.title.removeprefix(f"{doc.ref}:").strip()
            rows.append((script_json([doc.ref, "doc", site.urls.document(doc.source), 0, [], subject]), words(doc.ref)))
    return rows


def _rows_and_parts(site: Site) -> tuple[list[tuple[str, Collection[str]]], dict[str, array]]:
    """Return the finder's rows and parts, made once per change of the site (the part names and the
    parts are asked for in turn, and a preview renders the parts a few at a time)."""

    def make() -> tuple[list[tuple[str, Collection[str]]], dict[str, array]]:
        rows = finder_rows(site)
        return rows, finder_parts(rows)

    return site.memo(MEMO, make)


def finder_scripts(site: Site, only: set[int] | None = None) -> Iterator[tuple[str, str]]:
    """Yield the list of parts, then each part, as (part name, script): all of them, or those whose
    number (from 1, in the order of finder_part_names) is in ``only``. The rows are let go after the last."""
    rows, parts = _rows_and_parts(site)
    names = sorted(parts)
    for number, name in enumerate([INDEX, *names], 1):
        if only is not None and number not in only:
            continue
        if name == INDEX:
            yield INDEX, f"window.sitegenFinderParts = {json.dumps(names)};\n"
        else:
            data = "[" + ",".join(rows[n][0] for n in parts[name]) + "]"
            yield name, f"(window.sitegenFinder = window.sitegenFinder || {{}})[{json.dumps(name)}] =\n{data};\n"
    site.drop_memo(MEMO)


def finder_part_names(site: Site) -> list[str]:
    """Return the names of the scripts the finder's data is in: the list of parts, then the parts."""
    return [INDEX, *sorted(_rows_and_parts(site)[1])]
