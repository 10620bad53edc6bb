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

The parts of one first character are made from the rows with a word that
starts with it, so each character's parts are a page family of their own
(site/kinds/finder.py): an edit renders again only the parts of the
characters whose rows it changed (changed_letters), and the list of parts
only when their names changed. The cache's index lists the entities by
the first characters of their words (FinderSeed), so that an update finds
a character's rows from that list and the rows changed since, not from
every entity's words.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitegen.index.corpus import most_mentioned_first
from sitegen.model import Key, Summary
from sitegen.render.escape import script_json
from sitegen.site.rows import EntityRow, words
from sitegen.site.urls import Urls

if TYPE_CHECKING:
    from sitegen.site.change import Change
    from sitegen.site.kinds.base import Family
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

#: The name under which the site keeps the entities and documents by first character (Site.memo).
MEMO_LETTERS = "finder-letters"
#: The name under which it keeps the rows and parts of characters between their paths and their scripts.
MEMO_MADE = "finder-made"


@dataclass
class FinderSeed:
    """The entities by the first characters of their words, as the cache's index lists them: an
    update starts from these rather than from every entity's words (see _seeded)."""

    letters: dict[str, array]
    """Per first character, the entities with a word that starts with it, as the index numbers them."""


def finder_parts(
    texts: Sequence[str], found: Sequence[Collection[str]], letters: Collection[str] = FIRST_PARTS
) -> dict[str, array]:
    """Return each part's rows, as their numbers among the rows (see finder_rows: each row's text
    and the words it is found by): the parts of ``letters``, the first characters of their words
    (all of them by default)."""
    sizes = array("I", (len(text) + 1 for text in texts))
    wanted = set(letters)
    # Each first character's words and the numbers of their rows, side by side: a pair of a word and
    # an int for each of a million entities' words would hold more than the rows themselves.
    by_first: dict[str, tuple[list[str], array]] = {}
    for number, row_words in enumerate(found):
        for word in row_words:
            if word[0] in wanted:
                if (entry := by_first.get(word[0])) is None:
                    entry = by_first[word[0]] = ([], array("I"))
                entry[0].append(word)
                entry[1].append(number)
    parts: dict[str, array] = {}
    for first in FIRST_PARTS:
        if first in wanted:
            _split(first, *by_first.pop(first, ([], array("I"))), sizes, parts)
    return parts


def _split(prefix: str, words: list[str], numbers: array, sizes: array, parts: dict[str, array]) -> None:
    """Put a part into ``parts``, split by the next character of its words when it is too large.

    ``words`` are the words that start with ``prefix``, and ``numbers`` the
    number of each one's row; the part's rows are theirs, in the order of rows.
    """
    members = array("I", sorted(set(numbers)))
    if prefix == "_" or len(prefix) >= MAX_PREFIX or sum(sizes[n] for n in members) <= PART_BYTES:
        parts[prefix] = _capped(members, sizes)
        return
    # A word that is just the prefix goes no deeper.
    exact = {number for word, number in zip(words, numbers) if word == prefix}
    kept, budget = array("I"), TOP_BYTES
    for number in members:
        if number in exact:
            kept.append(number)
        elif budget >= sizes[number]:
            kept.append(number)
            budget -= sizes[number]
    del members
    parts[prefix] = _capped(kept, sizes)
    length = len(prefix) + 1
    children: dict[str, tuple[list[str], array]] = {}
    for word, number in zip(words, numbers):
        if len(word) >= length:
            if (child := children.get(word[:length])) is None:
                child = children[word[:length]] = ([], array("I"))
            child[0].append(word)
            child[1].append(number)
    del words, numbers  # the caller holds them no more: only the children are left to split
    for name in sorted(children):
        _split(name, *children.pop(name), sizes, parts)


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


def finder_rows(site: Site, letters: Collection[str] | None = None) -> tuple[list[str], list[Collection[str]]]:
    """Return the rows as the JSON they are written as, and beside them the words each one is found
    by: entities most-mentioned first (their rows as the site keeps them, Site.entity_row), then
    documents.

    With ``letters``, only the rows with a word that starts with one of
    them: a part holds rows of one first character, in this order, so the
    parts of some characters are made from their rows alone.
    """
    corpus = site.corpus
    wanted = None if letters is None or set(letters) >= set(FIRST_PARTS) else set(letters)
    docs: list[tuple[Summary, Collection[str]]]
    if wanted is None:  # every row: a clean build's
        keys = most_mentioned_first(corpus, corpus.entities)
        docs = [(doc, tuple(words(doc.ref))) for doc in corpus.documents if doc.ref]
    else:
        by_letter, docs_by_letter = _by_letter(site, wanted)
        keys = most_mentioned_first(corpus, {key for letter in wanted for key in by_letter[letter]})
        found_docs = {n: (doc, w) for letter in wanted for n, doc, w in docs_by_letter[letter]}
        docs = [found_docs[n] for n in sorted(found_docs)]
    texts: list[str] = []
    found: list[Collection[str]] = []
    for key in keys:
        row = site.entity_row(key)  # with only the words that place it in the parts asked for
        texts.append(row.finder)
        found.append(row.words if wanted is None else [w for w in row.words if w[0] in wanted])
    for doc, doc_words in docs:  # found by their reference id: 09lima16 finds 09LIMA1669
        subject = doc.title.removeprefix(f"{doc.ref}:").strip()
        texts.append(script_json([doc.ref, "doc", site.urls.document(doc.source), 0, [], subject]))
        found.append(doc_words)
    return texts, found


def _by_letter(
    site: Site, letters: Collection[str]
) -> tuple[dict[str, list[Key]], dict[str, list[tuple[int, Summary, set[str]]]]]:
    """Return the entities, and the documents with an id (with their place in the site's order),
    by the first characters of their words: those of ``letters`` at least. Each character is
    looked for once per change of the site, and the characters asked for together in one pass
    over every document, and over every entity unless the cache's index lists them (seeded)."""
    keys, docs = site.memo(MEMO_LETTERS, lambda: ({}, {}))
    missing = set(letters) - keys.keys()
    if not missing:
        return keys, docs
    found = _seeded(site, missing)
    if found is None:
        found = entity_letters(zip(site.corpus.entities, site.rows_in_order()), missing)
    keys.update(found)
    found_docs: dict[str, list[tuple[int, Summary, set[str]]]] = {letter: [] for letter in missing}
    for number, doc in enumerate(site.corpus.documents):
        if doc.ref:
            ref_words = words(doc.ref)
            for letter in firsts(ref_words) & missing:
                found_docs[letter].append((number, doc, ref_words))
    docs.update(found_docs)
    return keys, docs


def entity_letters(
    rows: Iterable[tuple[Any, EntityRow]], letters: Collection[str], kept: Callable[[], MutableSequence] = list
) -> dict[str, Any]:
    """Return the entities of ``rows`` (each named by its key, or its number) by the first
    characters of their words, for ``letters``: each character's in a list, or what ``kept`` makes."""
    found = {letter: kept() for letter in letters}
    for key, row in rows:
        last = ""
        for word in row.words:  # sorted: the words of one first character are together
            if word[0] != last:
                last = word[0]
                if last in found:
                    found[last].append(key)
    return found


def _seeded(site: Site, letters: Collection[str]) -> dict[str, list[Key]] | None:
    """Return the entities by the first characters of their words, for ``letters``, from those the
    cache's index lists (Site.finder_seed) and the rows of the entities whose rows may have changed
    since (Site.rows_touched); None when the site has no such list or cannot say which rows changed."""
    seed, touched = site.finder_seed, site.rows_touched()
    if seed is None or touched is None:
        return None
    corpus = site.corpus
    changed = set(touched)  # rows made below add to the site's
    found = {}
    for letter in letters:
        numbers = seed.letters.get(letter)
        listed = corpus.unnumbered("entities", numbers.tolist()) if numbers is not None else []
        found[letter] = [key for key in listed if key not in changed and key in corpus.entities]
    for key in sorted(changed):
        if key in corpus.entities:
            for letter in firsts(site.entity_row(key).words) & found.keys():
                found[letter].append(key)
    return found


def firsts(found: Iterable[str]) -> set[str]:
    """Return the first characters of words: the parts whose rows they are in."""
    return {word[0] for word in found}


def changed_letters(site: Site, change: Change) -> set[str]:
    """Return the first characters of the words of every row that ``change`` may have changed,
    added, removed or moved in the order of rows: only their parts can differ.

    An entity's row changes with its name, counts or link (a record of the
    authority file changes them all); its words are those of its name and
    aliases, before and after. A document's row changes with its reference
    id or title, and moves in the order of rows with its date.
    """
    if change.authority:
        return set(FIRST_PARTS)
    corpus = site.corpus
    authority = site.resolver.authority
    found: set[str] = set()
    for key in change.changed_tips | change.moved:
        names = {tip[0] for tip in (change.tips_before.get(key), change.tips_after.get(key)) if tip is not None}
        if key in corpus.entities:
            names.add(corpus.name(key))
        record = authority.records.get(key)
        if record is not None:
            names.update(authority.written.get(alias, alias[1]) for alias in record.aliases)
        for name in names:
            found |= firsts(words(name))
    for source in change.documents:
        refs = {change.refs_before.get(source, ""), corpus.summary(source).ref if source in corpus else ""}
        if source in change.rows or len(refs) > 1:  # its title or date, or itself, or its id changed
            for ref in refs - {""}:
                found |= firsts(words(ref))
    return found & set(FIRST_PARTS)


def _made(site: Site, letters: Collection[str]) -> tuple[list[str], dict[str, array]]:
    """Return the rows (as their text) and parts of some first characters, and keep their part
    names in the site (Site.finder_names)."""
    texts, found = finder_rows(site, letters)
    parts = finder_parts(texts, found, letters)
    for letter in letters:
        site.finder_names[letter] = tuple(sorted(name for name in parts if name[0] == letter))
    return texts, parts


def make_parts(site: Site, letters: Collection[str]) -> None:
    """Make the rows and parts of the first characters ``letters`` whose part names are not known,
    all at once, and keep them for their scripts (see FinderData.prepare)."""
    missing = {letter for letter in letters if letter not in site.finder_names}
    if missing:
        made = _made(site, missing)
        kept = site.memo(MEMO_MADE, dict)
        for letter in missing:
            kept[letter] = made


def part_names(site: Site, letter: str) -> tuple[str, ...]:
    """Return the names of the parts of one first character, as last made (Site.finder_names); when
    they are made here, their rows and parts are kept for its scripts, which are asked for next."""
    make_parts(site, [letter])
    return site.finder_names[letter]


def finder_part_names(site: Site) -> list[str]:
    """Return the names of every part, sorted (made for the characters whose names are not known)."""
    missing = [letter for letter in FIRST_PARTS if letter not in site.finder_names]
    if missing:  # all at once, each entity sorted once; their rows are not kept
        _made(site, missing)
    return sorted(name for letter in FIRST_PARTS for name in site.finder_names[letter])


def parts_index(site: Site) -> str:
    """Return the script listing the parts (``_parts``), which the page reads first."""
    return f"window.sitegenFinderParts = {json.dumps(finder_part_names(site))};\n"


def letter_scripts(site: Site, letter: str, only: set[int] | None = None) -> Iterator[tuple[str, str]]:
    """Yield the parts of one first character as (part name, script): all of them, or those whose
    number (from 1, in the order of part_names) is in ``only``."""
    texts, parts = site.memo(MEMO_MADE, dict).pop(letter, None) or _made(site, [letter])
    for number, name in enumerate(sorted(name for name in parts if name[0] == letter), 1):
        if only is None or number in only:
            data = "[" + ",".join(texts[n] for n in parts[name]) + "]"
            yield name, f"(window.sitegenFinder = window.sitegenFinder || {{}})[{json.dumps(name)}] =\n{data};\n"


def learn_parts(site: Site, family: Family, paths: Sequence[str]) -> None:
    """Keep the part names of a character that a site has on disk, or that another process made:
    ``paths`` are those of the family's pages (the character's family is ``("finder", character)``)."""
    if len(family) == 2 and family[0] == "finder":
        site.finder_names[family[1]] = tuple(sorted(Urls.finder_shard(path) for path in paths))
