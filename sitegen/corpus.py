"""Documents -> Corpus: the entity index, co-mentions and document groups.

The Corpus accumulates counts per document, so a document can be added or
removed without rescanning the others (the live preview relies on this), and
it materialises an Entity or a Group only when a page asks for it. It keeps a
Summary of each document in memory and the parsed documents in a
DocumentStore on disk. Every view
it gives is a function of the set of documents alone, never of the order in
which they were added.
"""
from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping

from sitegen.model import (
    ENTITY_TYPES,
    GROUP_KINDS,
    Document,
    Entity,
    Group,
    Occurrence,
    Summary,
    TagRef,
    normalise,
)
from sitegen.store import Block, DocumentStore

Key = tuple[str, str]

#: Paragraphs naming more distinct entities than this are lists, not prose;
#: they are left out of co-mention counts, which grow with the square of it.
MAX_CO_MENTIONS = 60
#: How many related entities each entity keeps.
MAX_RELATED = 24
#: How many materialised entities the corpus keeps; a build asks for each one once.
ENTITY_CACHE = 512
_TYPE_RANK = {t: i for i, t in enumerate(ENTITY_TYPES)}


_PAIRS: dict[tuple[str, int], tuple[str, int]] = {}


def _shared(pair: tuple[str, int]) -> tuple[str, int]:
    """Return one shared copy of a (block, count) pair: most are ("par1", 1) and the like."""
    return _PAIRS.setdefault(pair, pair)


def display_name(forms: Counter[str]) -> str:
    """Return the most frequent form; on a tie prefer mixed case, then the first in order."""
    return min(forms, key=lambda f: (-forms[f], f.isupper(), f))


def document_groups(doc: Document) -> dict[str, list[str]]:
    """Return the group names a document belongs to, by kind."""
    header = doc.header
    tags = list(header.tags) if header else []
    for par in doc.paragraphs:
        tags += [s.name for s in par.text if isinstance(s, TagRef)]
    return {
        "tag": tags,
        "origin": [header.origin] if header and header.origin else [],
        "classification": [header.classification] if header and header.classification else [],
        "year": [doc.year] if doc.year else [],
    }


def co_mention_blocks(doc: Document) -> dict[str, tuple[Key, ...]]:
    """Return, per block of a document, the entities mentioned together in it (blocks naming one are left out)."""
    blocks: dict[str, dict[Key, None]] = defaultdict(dict)
    for mention in doc.mentions:
        blocks[mention.paragraph][mention.key] = None
    return {block: tuple(keys) for block, keys in blocks.items() if 1 < len(keys) <= MAX_CO_MENTIONS}


class _Entities(Mapping):
    """Entities by key, in display order (type, then name), built on demand."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus

    def __getitem__(self, key: Key) -> Entity:
        return self._corpus.entity(key)

    def __contains__(self, key: object) -> bool:
        return key in self._corpus._forms

    def __iter__(self) -> Iterator[Key]:
        return iter(self._corpus.entity_order())

    def __len__(self) -> int:
        return len(self._corpus._forms)


class Corpus:
    """The index over all documents that every page is rendered from."""

    def __init__(self, documents: Iterable[Document] = (), store: DocumentStore | None = None) -> None:
        """Index the given documents, keeping them in ``store`` (default: a new one)."""
        self._store = store if store is not None else DocumentStore()
        self._docs: dict[str, Summary] = {}
        self._forms: dict[Key, Counter[str]] = {}
        self._places: dict[Key, dict[str, tuple[tuple[str, int], ...]]] = {}
        """Per entity, per document: the blocks that mention it, with counts, in source order."""
        self._co: dict[str, dict[str, tuple[Key, ...]]] = {}
        """Per document, per block: the entities mentioned together (see co_mention_blocks)."""
        self._groups: dict[str, dict[str, dict[str, None]]] = {k: {} for k in GROUP_KINDS}
        self._group_forms: dict[str, dict[str, Counter[str]]] = {k: {} for k in GROUP_KINDS}
        self._order: list[Summary] | None = None
        self._position: dict[str, int] = {}
        self._entity_cache: dict[Key, Entity] = {}
        self._names: dict[Key, str] = {}
        self._type_orders: tuple[list[Key], dict[str, list[Key]]] | None = None
        self._entity_order: list[Key] | None = None
        self._group_cache: dict[str, dict[str, Group]] = {}
        self.entities: Mapping[Key, Entity] = _Entities(self)
        for doc in documents:
            self.add(doc)

    # -- changes ---------------------------------------------------------
    def add(self, doc: Document, data: bytes | None = None) -> None:
        """Index one document (replacing any earlier version with the same source).

        ``data`` is the document's pickle, when the caller has it.
        """
        if doc.source in self._docs:
            self.remove(doc.source)
        self._docs[doc.source] = Summary.of(doc)
        self._count(doc, +1)
        self._store.put(doc, data)

    def remove(self, source: str) -> Document | None:
        """Forget one document; return it, or None when it was not indexed."""
        if source not in self._docs:
            return None
        doc = self._store.get(source)
        del self._docs[source]
        self._count(doc, -1)
        self._store.discard(source)
        return doc

    def _count(self, doc: Document, sign: int) -> None:
        """Add (+1) or subtract (-1) one document's contribution to every count."""
        source = doc.source
        local: dict[Key, dict[str, int]] = {}
        for mention in doc.mentions:
            key = mention.key
            blocks = local.setdefault(key, {})
            blocks[mention.paragraph] = blocks.get(mention.paragraph, 0) + 1
            forms = self._forms.get(key)
            if forms is None:
                forms = self._forms[key] = Counter()
            forms[mention.text] += sign
            if forms[mention.text] == 0:
                del forms[mention.text]
        touched = local.keys()
        if sign > 0:
            for key, blocks in local.items():
                self._places.setdefault(key, {})[source] = tuple(_shared(pair) for pair in blocks.items())
            together = co_mention_blocks(doc)
            if together:
                self._co[source] = together
        else:
            self._co.pop(source, None)
        reorder = False
        for key in touched:
            if sign < 0:
                self._places[key].pop(source, None)
            if not self._forms[key]:
                del self._forms[key]
                self._places.pop(key, None)
                self._names.pop(key, None)
                reorder = True
            else:
                name = display_name(self._forms[key])
                reorder = reorder or self._names.get(key) != name
                self._names[key] = name
            self._entity_cache.pop(key, None)
        for kind, names in document_groups(doc).items():
            for name in names:
                key = normalise(name)
                forms = self._group_forms[kind].setdefault(key, Counter())
                spelling = " ".join(name.split())
                forms[spelling] += sign
                if forms[spelling] == 0:
                    del forms[spelling]
                members = self._groups[kind].setdefault(key, {})
                if sign > 0:
                    members[source] = None
                else:
                    members.pop(source, None)
                    if not members:
                        del self._groups[kind][key]
                        del self._group_forms[kind][key]
            self._group_cache.pop(kind, None)
        self._order = None
        if reorder:
            self._entity_order = None

    # -- views -----------------------------------------------------------
    @property
    def documents(self) -> list[Summary]:
        """Return the documents' summaries newest first; undated ones last; ties by source path."""
        if self._order is None:
            by_path = sorted(self._docs.values(), key=lambda d: d.source)
            self._order = sorted(by_path, key=lambda d: d.date, reverse=True)
            self._position = {d.source: i for i, d in enumerate(self._order)}
        return self._order

    def position(self, source: str) -> int:
        """Return a document's index in ``documents``."""
        self.documents  # noqa: B018 - refresh the order when stale
        return self._position[source]

    def document(self, source: str) -> Document:
        """Return the indexed document with this source path (read back from the store)."""
        return self._store.get(source)

    def summary(self, source: str) -> Summary:
        """Return what lists show of the document with this source path."""
        return self._docs[source]

    def blocks(self, source: str) -> dict[str, Block]:
        """Return a document's running text by block id, as plain strings (see store.document_blocks)."""
        return self._store.blocks(source)

    def document_data(self, source: str) -> bytes:
        """Return a document's pickle."""
        return self._store.data(source)

    def __contains__(self, source: object) -> bool:
        return source in self._docs

    def entity(self, key: Key) -> Entity:
        """Return one entity with its occurrences in corpus order."""
        cached = self._entity_cache.get(key)
        if cached is not None:
            return cached
        forms = self._forms[key]
        places = self._places[key]
        self.documents  # noqa: B018 - refresh positions
        occurrences = tuple(Occurrence(source, places[source])
                            for source in sorted(places, key=self._position.__getitem__))
        related = self._related(key)
        entity = Entity(
            key=key,
            name=self._names[key],
            forms=self.forms(key),
            occurrences=occurrences,
            mention_count=sum(forms.values()),
            related=tuple(heapq.nsmallest(MAX_RELATED, related.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        if len(self._entity_cache) >= ENTITY_CACHE:
            del self._entity_cache[next(iter(self._entity_cache))]
        self._entity_cache[key] = entity
        return entity

    def co_mentioned(self, key: Key) -> list[Key]:
        """Return every entity mentioned in a paragraph with this one."""
        return list(self._related(key))

    def _related(self, key: Key) -> Counter[Key]:
        """Count the blocks each other entity shares with this one.

        Counted when asked, from the blocks of the documents that mention it,
        rather than kept for every pair of entities: that would be most of
        the index's memory and of the time to build it.
        """
        related: Counter[Key] = Counter()
        co = self._co
        for source, blocks in self._places.get(key, {}).items():
            together = co.get(source)
            if together:
                for block, _ in blocks:
                    keys = together.get(block)
                    if keys:
                        related.update(keys)
        related.pop(key, None)
        return related

    def forms(self, key: Key) -> tuple[tuple[str, int], ...]:
        """Return an entity's spellings with their counts, most frequent first."""
        return tuple(sorted(self._forms[key].items(), key=lambda kv: (-kv[1], kv[0])))

    def sources_of(self, key: Key) -> list[str]:
        """Return the documents that mention an entity, in no particular order."""
        return list(self._places.get(key, ()))

    def occurrence_index(self, key: Key, source: str) -> int:
        """Return where a document comes in an entity's list of documents."""
        self.documents  # noqa: B018 - refresh positions
        position = self._position
        mine = position[source]
        return sum(1 for other in self._places[key] if position[other] < mine)

    def doc_total(self, key: Key) -> int:
        """Return how many documents mention an entity, without materialising it."""
        return len(self._places[key])

    def mention_total(self, key: Key) -> int:
        """Return how many times an entity is mentioned, without materialising it."""
        return sum(self._forms[key].values())

    def name(self, key: Key) -> str:
        """Return an entity's display name, without materialising it."""
        return self._names[key]

    def entity_order(self) -> list[Key]:
        """Return entity keys in display order: type, then name, then key."""
        if self._entity_order is None:
            names = self._names
            self._entity_order = sorted(self._forms, key=lambda k: (
                _TYPE_RANK.get(k[0], len(_TYPE_RANK)), names[k].casefold(), k[1]))
        return self._entity_order

    def type_order(self, type_: str) -> list[Key]:
        """Return the keys of one entity type in display order."""
        order = self.entity_order()
        if self._type_orders is None or self._type_orders[0] is not order:
            split: dict[str, list[Key]] = {t: [] for t in ENTITY_TYPES}
            for key in order:
                split.setdefault(key[0], []).append(key)
            self._type_orders = (order, split)
        return self._type_orders[1].get(type_, [])

    @property
    def groups(self) -> dict[str, dict[str, Group]]:
        """Return groups by kind (see GROUP_KINDS), then by key, in display order."""
        for kind in GROUP_KINDS:
            if kind not in self._group_cache:
                self._group_cache[kind] = self._make_groups(kind)
        return self._group_cache

    def _make_groups(self, kind: str) -> dict[str, Group]:
        """Materialise every group of one kind."""
        self.documents  # noqa: B018 - refresh positions
        made = [Group(kind, key, display_name(self._group_forms[kind][key]),
                      tuple(sorted(members, key=self._position.__getitem__)))
                for key, members in self._groups[kind].items()]
        made.sort(key=lambda g: (g.name.casefold(), g.key), reverse=kind == "year")
        return {g.key: g for g in made}


def build_corpus(documents: Iterable[Document]) -> Corpus:
    """Index every mention and group of the documents into one Corpus."""
    return Corpus(documents)


def mention_counts(corpus: Corpus) -> dict[str, int]:
    """Return the number of entities of each type."""
    counts = Counter(key[0] for key in corpus.entities)
    return {t: counts.get(t, 0) for t in ENTITY_TYPES}


def top_entities(corpus: Corpus, limit: int, type_: str | None = None) -> list[Entity]:
    """Return the most-mentioned entities, optionally of one type."""
    pool = [k for k in corpus.entities if type_ is None or k[0] == type_]
    totals = {k: corpus.mention_total(k) for k in pool}
    best = sorted(pool, key=lambda k: (-totals[k], corpus.name(k).casefold(), k))[:limit]
    return [corpus.entity(k) for k in best]
