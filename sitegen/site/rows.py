"""Each entity's rows in the whole-site data files: entities.json, entities.csv and the finder.

A row depends only on its entity (name, spellings, counts, where links to it
go) and on the authority file's record of it, so the Site keeps every row
once made (Site.entity_row), the cache keeps them between builds, and an
edit makes again only the rows of the entities it changed (Site.forget_rows).
The files themselves are joined from the rows: see exports.entities_json,
exports.entities_csv and finder.finder_rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from sitegen.model import Key, entity_id, fold
from sitegen.render.escape import script_json
from sitegen.site.urls import public_url

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sitegen.site.pages import Site

#: Write entities.json's rows: one encoder for all of them (json.dumps with options makes one per call).
_ROW = json.JSONEncoder(ensure_ascii=False)
_WORD = re.compile(r"[^0-9a-z]+")
_NOT_A_WORD_START = re.compile(r"(^|\s)[^\s0-9a-z]")


class EntityRow(NamedTuple):
    """One entity's rows in the whole-site data files."""

    json: str
    """Its row of entities.json (one line, without the comma between rows)."""
    csv: str
    """Its line of entities.csv, newline included."""
    finder: str
    """Its row of the entity finder: ``[name, type, path, mentions]`` and its aliases, as script data."""
    words: tuple[str, ...]
    """The words the finder finds it by (see words), in order."""


#: How many lists ``packed`` makes: the keys, then one for each field of the rows.
ROW_COLUMNS = 1 + len(EntityRow._fields)


def packed(rows: dict[Key, EntityRow]) -> tuple[list, ...]:
    """Return rows as the cache keeps them: the keys, then each field of the rows as a list (a
    pickle of a few lists of strings, not of one tuple per entity)."""
    return tuple(columns(rows))


def columns(rows: dict[Key, EntityRow]) -> Iterator[list]:
    """Yield what ``packed`` returns, one list at a time (a file of them need not hold them all)."""
    yield list(rows)
    for field in range(len(EntityRow._fields)):
        yield list(map(itemgetter(field), rows.values()))


#: Make an EntityRow of its fields with tuple.__new__ straight: a NamedTuple's own __new__ is a Python
#: function, and calling it for each of the tens of thousands of rows an update takes back costs a third more.
_ROW_OF = partial(tuple.__new__, EntityRow)


def unpacked(kept: object) -> dict[Key, EntityRow]:
    """Return the rows that ``packed`` made (ValueError when ``kept`` is not what it makes)."""
    if not (isinstance(kept, tuple) and len(kept) == ROW_COLUMNS and all(isinstance(part, list) for part in kept)):
        raise ValueError("not the entities' rows")
    keys, *columns = kept
    if any(len(column) != len(keys) for column in columns):
        raise ValueError("the entities' rows do not add up")
    return dict(zip(keys, map(_ROW_OF, zip(*columns))))


def entity_row(site: Site, key: Key) -> EntityRow:
    """Return an entity's rows, made from the site as it is now."""
    corpus, records = site.corpus, site.resolver.authority.records
    name, path, mentions = corpus.name(key), site.entity_path(key), corpus.mention_total(key)
    forms = corpus.forms(key)
    record = {
        "id": entity_id(key),
        "type": key[0],
        "type_label": site.config.types[key[0]].label,
        "name": name,
        "key": key[1],
        "forms": [{"form": form, "count": count} for form, count in forms],
        "documents": corpus.doc_total(key),
        "mentions": mentions,
        "url": public_url(site.config.base_url, path),
    }
    finder: list = [name, key[0].lower(), path, mentions]
    found = words(name)
    authority = records.get(key)
    if authority is not None:  # what the authority file says of it
        record["aliases"] = [{"type": alias[0], "key": alias[1]} for alias in authority.aliases]
        if authority.wikidata:
            record["wikidata"] = authority.wikidata
        if authority.description:
            record["description"] = authority.description
        if authority.aliases:
            written = site.resolver.authority.written
            finder.append(aliases := [written.get(alias, alias[1]) for alias in authority.aliases])
            for alias in aliases:
                found |= words(alias)
    line = [key[0], name, record["documents"], mentions, " | ".join(form for form, _ in forms), record["url"]]
    return EntityRow(_ROW.encode(record), csv_line([*line, record["id"]]), script_json(finder), tuple(sorted(found)))


_CSV_OUT = io.StringIO()
_CSV = csv.writer(_CSV_OUT, lineterminator="\n")


def csv_line(values: list) -> str:
    """Return one line of a CSV file as the csv module writes it, newline included."""
    _CSV_OUT.seek(0)
    _CSV_OUT.truncate()
    _CSV.writerow(values)
    return _CSV_OUT.getvalue()


def words(name: str) -> set[str]:
    """Return the words the finder finds a name by (folded); "_" stands for a name or word that starts
    with neither a letter nor a digit."""
    folded = fold(name)
    if folded.isalnum() and folded.isascii():  # one word of letters and digits, as most ids are
        return {folded}
    found = {w for w in _WORD.split(folded) if w}
    if not found or _NOT_A_WORD_START.search(folded):
        found.add("_")
    return found
