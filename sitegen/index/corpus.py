"""Documents -> Corpus: the entity index, co-mentions and document groups.

The Corpus accumulates counts per document, so a document can be added or
removed without rescanning the others (the live preview relies on this), and
it materialises an Entity or a Group only when a page asks for it. It keeps a
Summary of each document in memory and the parsed documents in a
DocumentStore on disk; the index between them is arrays of document and
entity numbers (see Corpus). Every view it gives is a function of the set of
documents alone, never of the order in which they were added.
"""

from __future__ import annotations

import heapq
import pickle
from array import array
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cmp_to_key
from operator import attrgetter
from typing import IO, TYPE_CHECKING, Any, TypeVar

from markupsafe import Markup

from sitegen.index.pieces import INDEX_PIECE, dump_in_pieces, load_in_pieces
from sitegen.index.snippets import EntitySnippets, entity_snippet
from sitegen.index.store import Block, DocumentStore
from sitegen.model import (
    ENTITY_TYPES,
    GROUP_KINDS,
    Document,
    Entity,
    Group,
    Key,
    Occurrence,
    Summary,
    TagRef,
    group_key,
    normalise,
)
from sitegen.parse.reading import DocumentReading

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

T = TypeVar("T", bound=tuple)

#: Paragraphs naming more distinct entities than this are lists, not prose;
#: they are left out of co-mention counts, which grow with the square of it.
MAX_CO_MENTIONS = 60
#: How many related entities each entity keeps.
MAX_RELATED = 24
#: How many materialised entities the corpus keeps; a build asks for most of them once, and
#: one named in most documents holds an occurrence for each of them.
ENTITY_CACHE = 64
#: Documents changed at once that are placed again in the documents' order one by one; more are sorted again.
REORDER_AT_MOST = 64
_TYPE_RANK = {t: i for i, t in enumerate(ENTITY_TYPES)}
#: A summary's source (Corpus.unnumbered).
_SOURCE = attrgetter("source")


_SHARED: dict[tuple, tuple] = {}


def _shared(value: T) -> T:
    """Return one shared copy of a small tuple: most (block, count) pairs are ("par1", 1) and the
    like, and many documents have the same blocks."""
    return _SHARED.setdefault(value, value)  # type: ignore[return-value]


def _entries(places: array) -> Iterator[tuple[int, int, int]]:
    """Yield each document's entry in an entity's places (see Corpus._places): the document's number,
    and where its (block, count) pairs start and stop."""
    i, end = 2, len(places)
    while i < end:
        stop = i + 2 + 2 * places[i + 1]
        yield places[i], i + 2, stop
        i = stop


def _drop(places: array, number: int) -> None:
    """Remove one document's entry from an entity's places (the walk of _entries, written out: an
    entity named in tens of thousands of documents is walked through for each edit of one of them)."""
    i, end = 2, len(places)
    while i < end:
        stop = i + 2 + 2 * places[i + 1]
        if places[i] == number:
            places[0] -= 1
            places[1] -= sum(places[i + 3 : stop : 2])
            del places[i:stop]
            return
        i = stop


#: The parts of the index that are tables of arrays of "I" (see Corpus.write_index).
_ARRAY_TABLES = ("_places", "_co")
#: The parts of the index that are tables by entity key, written by entity number.
_ENTITY_TABLES = ("_forms", "_places", "_names")
#: How write_index pickles a part of the index: as one value, or in pieces (index/pieces.py).
_KINDS = ("value", "pieces")


def _add_forms(forms: str | Counter[str] | None, total: int, spellings: dict[str, int]) -> str | Counter[str]:
    """Return an entity's spellings (see Corpus._forms) with one document's added; ``total`` counts those before."""
    if forms is None and len(spellings) == 1:
        return next(iter(spellings))
    if isinstance(forms, str):
        if len(spellings) == 1 and forms in spellings:
            return forms
        forms = Counter({forms: total})
    forms = forms if forms is not None else Counter()
    forms.update(spellings)
    return forms


def display_name(forms: Mapping[str, int], name: str | None = None) -> str:
    """Return the most frequent form; on a tie prefer mixed case, then the first in order.

    With ``name`` (an entity key's name), forms that are exactly the name come first: an entity whose
    key dropped a possessive or punctuation is shown under a spelling without them, when there is one.
    """
    return min(forms, key=lambda f: (name is not None and normalise(f) != name, -forms[f], f.isupper(), f))


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


def _tally(doc: Document) -> tuple[dict[Key, dict[str, int]], dict[Key, dict[str, int]]]:
    """Return, per entity a document mentions, its mention count per block and per spelling."""
    local: dict[Key, dict[str, int]] = {}
    spellings: dict[Key, dict[str, int]] = {}
    for mention in doc.mentions:
        blocks = local.setdefault(mention.key, {})
        blocks[mention.paragraph] = blocks.get(mention.paragraph, 0) + 1
        texts = spellings.setdefault(mention.key, {})
        texts[mention.text] = texts.get(mention.text, 0) + 1
    return local, spellings


def co_mention_blocks(doc: Document) -> dict[str, tuple[Key, ...]]:
    """Return, per block of a document, the entities mentioned together in it (blocks naming one are left out)."""
    blocks: dict[str, dict[Key, None]] = defaultdict(dict)
    for mention in doc.mentions:
        blocks[mention.paragraph][mention.key] = None
    return {block: tuple(keys) for block, keys in blocks.items() if 1 < len(keys) <= MAX_CO_MENTIONS}


def most_related(counts: Mapping[Key, int]) -> tuple[tuple[Key, int], ...]:
    """Return the MAX_RELATED entities with the most paragraphs shared (``counts``, as
    Corpus.co_mention_counts gives them), most first, then by key."""
    return tuple(heapq.nsmallest(MAX_RELATED, counts.items(), key=lambda kv: (-kv[1], kv[0])))


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


class _Groups(Mapping):
    """One kind's groups by key, in display order, each made (its documents placed in the corpus's
    order) the first time it is asked for: an edit needs only the groups of its documents."""

    def __init__(self, corpus: Corpus, kind: str) -> None:
        self._corpus, self._kind = corpus, kind
        self.names = {key: display_name(forms) for key, forms in corpus._group_forms[kind].items()}
        """Each group's display name, by key."""
        self._keys = sorted(self.names, key=lambda key: (self.names[key].casefold(), key), reverse=kind == "year")
        self._made: dict[str, Group] = {}

    def __getitem__(self, key: str) -> Group:
        group = self._made.get(key)
        if group is None:
            name = self.names[key]  # KeyError for a group there is not
            group = self._made[key] = Group(self._kind, key, name, self._corpus._group_docs(self._kind, key))
        return group

    def __contains__(self, key: object) -> bool:
        return key in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class Corpus:
    """The index over all documents that every page is rendered from.

    The index is kept compact, because a quarter of a million documents
    name over a million entities: documents and entities are numbered, and
    where an entity is mentioned, and which entities a block names
    together, are arrays of those numbers rather than dicts and tuples.
    """

    def __init__(
        self, documents: Iterable[Document] = (), store: DocumentStore | None = None, names: Mapping[Key, str] = {}
    ) -> None:
        """Index the given documents, keeping them in ``store`` (default: a new one).

        ``names`` are the names the authority file gives entities; the others are shown under their
        most frequent spelling.
        """
        self._store = store if store is not None else DocumentStore()
        self._given_names = dict(names)
        self._numbers: dict[str, int] = {}
        """Each document's number, by source path."""
        self._summaries: list[Summary | None] = []
        """Each document's summary, by number (None once it is removed)."""
        self._anchors: list[tuple[str, ...]] = []
        """By document number: the blocks that mention entities, in source order (see _places)."""
        self._free: list[int] = []
        """Numbers of removed documents, to give to the next ones."""
        self._forms: dict[Key, str | Counter[str]] = {}
        """Per entity: its spellings with their counts, or its only spelling (most entities have one)."""
        self._places: dict[Key, array] = {}
        """Per entity: how many documents mention it and how many times, then per document its number,
        how many of its blocks mention it and, per block, the block's place in _anchors and the count there."""
        self._entity_numbers: dict[Key, int] = {}
        """Every entity's number (see _entity_number), by key."""
        self._entity_keys: list[Key] = []
        self._co: dict[int, array] = {}
        """Per document number: per block naming 2 to MAX_CO_MENTIONS entities, the block's place in
        _anchors, how many entities it names and their numbers (see co_mention_blocks)."""
        self._type_years: dict[str, dict[str, list[int]]] = {}
        """Per entity type, per year: its mentions and the documents that mention it."""
        self._tags: dict[int, tuple[str, ...]] = {}
        """Per document number: the keys of its tags (documents without tags are left out)."""
        self._groups: dict[str, dict[str, dict[str, None]]] = {k: {} for k in GROUP_KINDS}
        self._group_forms: dict[str, dict[str, Counter[str]]] = {k: {} for k in GROUP_KINDS}
        self._order: list[Summary] | None = None
        self._reordered: set[str] = set()
        """Sources indexed or taken out since ``_order`` was made: they are placed again in it."""
        self._rank = array("I")
        """By document number: its index in ``documents``."""
        self._entity_cache: dict[Key, Entity] = {}
        self._names: dict[Key, str] = {}
        self._type_orders: dict[str, list[Key]] | None = None
        """Each type's keys in display order, kept up to date as entities come, go and are renamed."""
        self._was_placed: dict[Key, tuple[str, str] | None] = {}
        """Keys added, removed or renamed since ``_type_orders`` was last brought up to date, with the
        sort key each was placed by then (None: it was not placed). The others are placed by their
        sort key now (see _placed_by)."""
        self._entity_order: list[Key] | None = None
        self._group_cache: dict[str, _Groups] = {}
        self._group_members: dict[tuple[str, str], tuple[str, ...]] = {}
        """The documents of each group made since it last changed, in the documents' order. That order
        moves only the documents an edit changes, and those leave and join their groups again."""
        self._snippets: EntitySnippets | None = None
        self._grouped_end = 0
        """Documents put into the store before this position have their snippets in _snippets."""
        self.entities: Mapping[Key, Entity] = _Entities(self)
        for doc in documents:
            self.add(doc)

    #: What write_index keeps: everything but the store and what is made again when asked for.
    #: (``_entity_numbers`` is not kept: it is made again from ``_entity_keys``.)
    _STATE = (
        "_given_names",
        "_numbers",
        "_summaries",
        "_anchors",
        "_free",
        "_entity_keys",
        "_forms",
        "_places",
        "_co",
        "_type_years",
        "_tags",
        "_groups",
        "_group_forms",
        "_names",
        "_type_orders",
        "_order",
    )

    def write_index(self, file: SupportsWrite[bytes]) -> None:
        """Write the index into a file, without the documents (they are in the store): with
        ``restored`` and the same documents in a store, it gives this corpus back at once.

        Each part of the index is pickled on its own, and a large one in
        pieces (index/pieces.py), so that pickling never remembers more than
        one piece's objects: a quarter of a million documents name over a
        million entities. The tables of arrays (each entity's places, each
        document's co-mentions) are pieces of their keys, the arrays' lengths
        and all their numbers in one run of bytes: a pickle of a few large
        objects, not of one object per entity. The tables by entity are
        pickled with each entity's number for its key (see _entity_keys,
        which comes before them): a restored index holds one copy of each
        key, and reads two numbers where it would read a tuple of two strings.
        """
        numbers = self._entity_numbers
        for name in self._STATE:
            value = getattr(self, name)
            key = numbers.__getitem__ if name in _ENTITY_TABLES else None
            if name == "_type_orders":  # kept, so that an update does not sort every name again
                value = {type_: array("I", map(numbers.__getitem__, keys)) for type_, keys in self._orders().items()}
            elif name == "_order":  # kept, so that an update does not sort every document again
                value = array("I", (self._numbers[summary.source] for summary in self.documents))
            if name in _ARRAY_TABLES or (isinstance(value, (dict, list)) and len(value) > INDEX_PIECE):
                pickle.dump((name, "pieces"), file, protocol=pickle.HIGHEST_PROTOCOL)
                dump_in_pieces(value, file, key, arrays=name in _ARRAY_TABLES)
            else:
                pickle.dump((name, "value"), file, protocol=pickle.HIGHEST_PROTOCOL)
                by_number = value if key is None else {key(k): v for k, v in value.items()}
                pickle.dump(by_number, file, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def restored(cls, state: IO[bytes], store: DocumentStore, changed: Iterable[str] = ()) -> Corpus:
        """Return the corpus that ``write_index`` wrote into ``state`` (read from where it is), with
        its documents in ``store``.

        ``changed`` are the sources whose document in the store is not the one
        the index was written with (or that only one of them has): the
        corpus is brought up to the store's by ``catch_up`` on each of them.
        Raises ValueError when the state does not describe the store's other documents.
        """
        corpus = cls(store=store)
        for _ in cls._STATE:
            head = pickle.load(state)
            if not (isinstance(head, tuple) and len(head) == 2 and head[0] in cls._STATE and head[1] in _KINDS):
                raise ValueError("not the state of an index")
            name, kind = head
            value = pickle.load(state) if kind == "value" else load_in_pieces(state)
            if name in _ENTITY_TABLES:
                value = corpus._keyed(value)
            elif name == "_type_orders":
                value = corpus._keyed(value, by_key=False)
            elif name == "_order":
                value = corpus._placed(value)
            setattr(corpus, name, value)
        corpus._entity_numbers = dict(zip(corpus._entity_keys, range(len(corpus._entity_keys))))
        changed = set(changed)
        same = [source for source in corpus._numbers if source not in changed]
        if len(same) != len(store) - sum(source in store for source in changed) or any(s not in store for s in same):
            raise ValueError("the index names other documents than the store holds")
        return corpus

    def numbering(self, names: list) -> tuple[str, Callable[[Any], int] | None]:
        """Return how a table of the cache besides the index writes ``names``, entity keys or
        document sources: ``"entities"`` or ``"documents"`` and what gives each its number in the
        index, when the index numbers them all; else ``"as is"`` and None.

        The page families' paths and the entities' rows are written so: once
        ``unnumbered`` takes them back after the index, they hold the index's
        own keys and sources rather than copies of them (a million entities'
        keys are about 120 MB). The numbers hold for the index as write_index
        writes it and ``restored`` takes it back, before any change.
        """
        if all(map(self._entity_numbers.__contains__, names)):
            return "entities", self._entity_numbers.__getitem__
        if all(map(self._numbers.__contains__, names)):
            return "documents", self._numbers.__getitem__
        return "as is", None

    def unnumbered(self, how: object, numbers: object) -> list:
        """Return the entity keys or document sources that ``numbering`` numbered as ``how``
        (ValueError when these are not numbers the index gives)."""
        if not isinstance(numbers, list):
            raise ValueError("not a list of names")
        if how == "as is":
            return numbers
        try:
            if numbers and min(numbers) < 0:
                raise IndexError
            if how == "entities":
                return list(map(self._entity_keys.__getitem__, numbers))
            if how == "documents":  # a removed document's number has no summary: None has no source
                return list(map(_SOURCE, map(self._summaries.__getitem__, numbers)))
        except (IndexError, TypeError, AttributeError) as exc:
            raise ValueError("a table names an entity or a document the index does not number") from exc
        raise ValueError("not a way of numbering names")

    def _keyed(self, table: object, by_key: bool = True) -> dict:
        """Return a table by entity that write_index wrote by entity number, with the keys in
        ``_entity_keys``; without ``by_key``, a table of arrays of entity numbers, each array
        made a list of keys (ValueError when it is not such a table)."""
        keys = self._entity_keys
        if not isinstance(table, dict):
            raise ValueError("not a table by entity number")
        try:
            if by_key:
                return dict(zip(map(keys.__getitem__, table), table.values()))
            return {name: list(map(keys.__getitem__, numbers)) for name, numbers in table.items()}
        except (IndexError, TypeError) as exc:
            raise ValueError("a table names an entity the index does not number") from exc

    def _placed(self, numbers: object) -> list[Summary]:
        """Return the documents in the order write_index kept as their numbers, and rank them
        (ValueError when that is not an order of every document)."""
        if not isinstance(numbers, array) or len(numbers) != len(self._numbers) or len(set(numbers)) != len(numbers):
            raise ValueError("not an order of the documents")
        try:
            order = list(map(self._summaries.__getitem__, numbers))
        except IndexError as exc:
            raise ValueError("the order names a document the index does not hold") from exc
        if not all(order):  # a document taken out (a summary is never false)
            raise ValueError("the order names a document the index does not hold")
        self._rank = self._ranks(numbers)
        return order  # type: ignore[return-value]

    def _ranks(self, numbers: Iterable[int]) -> array:
        """Return each document's place (by document number) in an order given as document numbers."""
        rank = array("I", (0,)) * len(self._summaries)
        for place, number in enumerate(numbers):
            rank[number] = place
        return rank

    @property
    def numbered(self) -> int:
        """How many entity numbers the index has given (each entity its own, never taken back)."""
        return len(self._entity_keys)

    @property
    def given_names(self) -> dict[Key, str]:
        """The names the authority file gives entities."""
        return self._given_names

    # -- changes ---------------------------------------------------------
    def add(self, doc: Document, data: bytes | None = None, extra: bytes | None = None) -> None:
        """Index one document (replacing any earlier version with the same source).

        ``data`` is the document's pickle and ``extra`` what the store keeps
        beside it (store.prepared), when the caller has them.
        """
        if doc.source in self._numbers:
            self.remove(doc.source)
        self._index(doc)
        self._store.put(doc, data, extra)

    def remove(self, source: str) -> Document | None:
        """Forget one document; return it, or None when it was not indexed."""
        if source not in self._numbers:
            return None
        doc = self._store.get(source)
        self._unindex(doc)
        self._store.discard(source)
        return doc

    def catch_up(self, source: str, old: Document | None) -> None:
        """Bring the index of one source up to its document in the store (or to none, when the
        store has none), from ``old``, the document the index was made with (None: it had none).

        A corpus restored from an index written before the store's version of
        a document (see ``restored``) is then as if that version had been added.
        Raises ValueError when ``old`` is not what the index holds of the source.
        """
        if (old is not None) != (source in self._numbers) or (old is not None and old.source != source):
            raise ValueError(f"the index does not hold the document of {source} that it was made with")
        if old is not None:
            self._unindex(old)
        if source in self._store:
            self._index(self._store.get(source))

    def _index(self, doc: Document) -> None:
        """Count one document that is not indexed, under a free number."""
        if self._free:
            number = self._free.pop()
            self._summaries[number] = Summary.of(doc)
        else:
            number = len(self._summaries)
            self._summaries.append(Summary.of(doc))
            self._anchors.append(())
        self._numbers[doc.source] = number
        self._count(doc, number, +1)

    def _unindex(self, doc: Document) -> None:
        """Take back what one indexed document counted, and free its number."""
        number = self._numbers.pop(doc.source)
        self._count(doc, number, -1)
        self._summaries[number] = None
        self._anchors[number] = ()
        self._free.append(number)

    def _count(self, doc: Document, number: int, sign: int) -> None:
        """Add (+1) or subtract (-1) one document's contribution to every count."""
        local, spellings = _tally(doc)
        if sign > 0:
            self._add_places(doc, number, local, spellings)
        else:
            self._drop_places(number, local, spellings)
        reorder = self._rename(local)
        if doc.year:
            per_type: Counter[str] = Counter()
            for key, blocks in local.items():
                per_type[key[0]] += sum(blocks.values())
            for type_, mentions in per_type.items():
                counts = self._type_years.setdefault(type_, {}).setdefault(doc.year, [0, 0])
                counts[0] += sign * mentions
                counts[1] += sign
                if not counts[1]:
                    del self._type_years[type_][doc.year]
        groups = document_groups(doc)
        self._count_groups(doc.source, groups, sign)
        tags = tuple(dict.fromkeys(group_key("tag", name) for name in groups["tag"]))
        if sign > 0 and tags:
            self._tags[number] = tags
        else:
            self._tags.pop(number, None)
        if self._order is not None:  # else made whole when asked for
            self._reordered.add(doc.source)
        if reorder:
            self._entity_order = None

    def _add_places(
        self, doc: Document, number: int, local: dict[Key, dict[str, int]], spellings: dict[Key, dict[str, int]]
    ) -> None:
        """Record where document ``number`` mentions each entity, their spellings, and which it names together."""
        anchors = _shared(tuple({mention.paragraph: None for mention in doc.mentions}))
        self._anchors[number] = anchors
        place = {anchor: i for i, anchor in enumerate(anchors)}
        for key, blocks in local.items():
            entry = array(
                "I", (number, len(blocks), *(n for block, count in blocks.items() for n in (place[block], count)))
            )
            mentions = sum(blocks.values())
            places = self._places.get(key)
            if places is None:
                self._entity_number(key)
                self._places[key] = array("I", (1, mentions)) + entry
                self._forms[key] = _add_forms(None, 0, spellings[key])
            else:
                self._forms[key] = _add_forms(self._forms[key], places[1], spellings[key])
                places[0] += 1
                places[1] += mentions
                places.extend(entry)
        together = array("I")
        for block, keys in co_mention_blocks(doc).items():
            together += array("I", (place[block], len(keys), *map(self._entity_number, keys)))
        if together:
            self._co[number] = together

    def _drop_places(self, number: int, local: dict[Key, dict[str, int]], spellings: dict[Key, dict[str, int]]) -> None:
        """Forget what ``_add_places`` recorded of document ``number``."""
        self._co.pop(number, None)
        for key in local:
            _drop(self._places[key], number)
            forms = self._forms[key]
            if not isinstance(forms, str):
                forms.subtract(spellings[key])
                for text in spellings[key]:
                    if forms[text] <= 0:
                        del forms[text]

    def _rename(self, keys: Iterable[Key]) -> set[Key]:
        """Update the display names of entities whose mentions changed, dropping those no longer mentioned.

        Returns the entities whose place in the order may have changed: new, gone or renamed.
        """
        reorder = set()
        for key in keys:
            if not self._places[key][0]:
                self._will_move(key)
                del self._forms[key]
                del self._places[key]
                self._names.pop(key, None)
                reorder.add(key)
            else:
                name = self._given_names.get(key) or display_name(self._spellings(key), key[1])
                if self._names.get(key) != name:
                    self._will_move(key)
                    reorder.add(key)
                self._names[key] = name
            self._entity_cache.pop(key, None)
        return reorder

    def _will_move(self, key: Key) -> None:
        """Note where an entity is placed in its type's order before it comes, goes or is renamed."""
        if self._type_orders is not None and key not in self._was_placed:
            self._was_placed[key] = self._sort_key(key) if key in self._names else None

    def _count_groups(self, source: str, groups: dict[str, list[str]], sign: int) -> None:
        """Add (+1) or remove (-1) a document in its tags, origin, classification and year."""
        for kind, names in groups.items():
            for name in names:
                key = group_key(kind, name)
                forms = self._group_forms[kind].setdefault(key, Counter())
                spelling = " ".join(name.split())
                forms[spelling] += sign
                if forms[spelling] == 0:
                    del forms[spelling]
                members = self._groups[kind].setdefault(key, {})
                self._group_members.pop((kind, key), None)
                if sign > 0:
                    members[source] = None
                else:
                    members.pop(source, None)
                    if not members:
                        del self._groups[kind][key]
                        del self._group_forms[kind][key]
            self._group_cache.pop(kind, None)

    def _entity_number(self, key: Key) -> int:
        """Return an entity's number, giving it one the first time (numbers are never taken back)."""
        number = self._entity_numbers.get(key)
        if number is None:
            number = self._entity_numbers[key] = len(self._entity_keys)
            self._entity_keys.append(key)
        return number

    def _occurrences(self, key: Key) -> Iterator[tuple[int, int, int]]:
        """Yield the entries of the documents that mention an entity (see _entries)."""
        places = self._places.get(key)
        return _entries(places) if places is not None else iter(())

    # -- views -----------------------------------------------------------
    @property
    def documents(self) -> list[Summary]:
        """Return the documents' summaries newest first; undated ones last; cables of one date (or
        year) by their number, the last sent first; then by source path."""
        moved = self._reordered
        if self._order is not None and not moved:
            return self._order
        if self._order is not None and len(moved) <= REORDER_AT_MOST:  # an edit: place its documents
            order = [d for d in self._order if d.source not in moved]
            for source in moved:
                summary = self._summaries[self._numbers[source]] if source in self._numbers else None
                if summary is not None:
                    insort(order, summary, key=_DOCUMENT_ORDER)
        else:
            by_path = sorted((d for d in self._summaries if d is not None), key=lambda d: d.source)
            order = sorted(by_path, key=lambda d: (d.date, _number(d)), reverse=True)
        numbers = self._numbers
        self._order, self._rank, self._reordered = order, self._ranks(numbers[d.source] for d in order), set()
        return order

    def position(self, source: str) -> int:
        """Return a document's index in ``documents``."""
        self.documents  # noqa: B018 - refresh the order when stale
        return self._rank[self._numbers[source]]

    def document(self, source: str) -> Document:
        """Return the indexed document with this source path (read back from the store)."""
        return self._store.get(source)

    def summary(self, source: str) -> Summary:
        """Return what lists show of the document with this source path."""
        summary = self._summaries[self._numbers[source]]
        assert summary is not None
        return summary

    def group_snippets(self, jobs: int = 1, progress: Callable[[int], None] | None = None) -> None:
        """Sort every document's entity snippets by entity, ready for rendering every entity page.

        ``jobs`` processes share the work (this one and forked workers);
        ``progress`` hears how many documents are done. Documents added later
        have their snippets made when they are asked for.
        """
        self._snippets = None
        rank = {self._store.position(source): self.position(source) for source in self._numbers}
        self._snippets = EntitySnippets.build(
            self._store, self._entity_numbers.__getitem__, rank.__getitem__, len(self._entity_keys), jobs, progress
        )
        self._grouped_end = self._store.end

    def snippets(self, key: Key, source: str, blocks: Iterable[str]) -> list[Markup]:
        """Return the snippet of an entity's first mention in each of some blocks of a document."""
        found: dict[str, str] = {}
        position = self._store.position(source)
        if self._snippets is not None and position < self._grouped_end:
            found = self._snippets.get(self._entity_numbers[key], position)
        texts = None
        result = []
        for block in blocks:
            html = found.get(block)
            if html is None:
                if texts is None:
                    texts = self._store.blocks(source)
                result.append(entity_snippet(texts.get(block), key))
            else:
                result.append(Markup(html))
        return result

    def blocks(self, source: str) -> dict[str, Block]:
        """Return a document's running text by block id, which its entities' snippets are cut from."""
        return self._store.blocks(source)

    def document_data(self, source: str) -> bytes:
        """Return a document's pickle."""
        return self._store.data(source)

    def adopted_at(self, source: str) -> int | None:
        """Return where a document lies in the file the store adopted (see DocumentStore.adopt), or
        None when it is not there (parsed in this process, or not indexed)."""
        return self._store.adopted_at(source) if source in self._numbers else None

    def document_extra(self, source: str) -> bytes:
        """Return what the store keeps beside a document's pickle (store.prepared)."""
        return self._store.extra(source)

    def reading(self, source: str) -> DocumentReading:
        """Return a document's reading text, made when it was parsed."""
        return self._store.reading(source)

    def __len__(self) -> int:
        """Return how many documents are indexed."""
        return len(self._numbers)

    def __contains__(self, source: object) -> bool:
        return source in self._numbers

    def entity(self, key: Key) -> Entity:
        """Return one entity with its occurrences in corpus order."""
        cached = self._entity_cache.get(key)
        if cached is not None:
            return cached
        places = self._places[key]
        self.documents  # noqa: B018 - refresh the ranks
        rank, summaries, anchors = self._rank, self._summaries, self._anchors
        occurrences = []
        for number, start, stop in sorted(self._occurrences(key), key=lambda entry: rank[entry[0]]):
            blocks = anchors[number]
            occurrences.append(
                Occurrence(
                    summaries[number].source,  # type: ignore[union-attr]
                    tuple(_shared((blocks[places[j]], places[j + 1])) for j in range(start, stop, 2)),
                )
            )
        entity = Entity(
            key=key,
            name=self._names[key],
            forms=self.forms(key),
            occurrences=tuple(occurrences),
            mention_count=places[1],
        )
        if len(self._entity_cache) >= ENTITY_CACHE:
            del self._entity_cache[next(iter(self._entity_cache))]
        self._entity_cache[key] = entity
        return entity

    def type_years(self, type_: str) -> dict[str, tuple[int, int]]:
        """Return, per year, the mentions of entities of one type and the documents with any."""
        return {year: (mentions, docs) for year, (mentions, docs) in self._type_years.get(type_, {}).items()}

    def tags_of(self, source: str) -> tuple[str, ...]:
        """Return the keys of a document's tags (header and text), in order."""
        return self._tags.get(self._numbers[source], ())

    def mentioned_with(self, key: Key, among: Iterable[Key]) -> dict[str, set[Key]]:
        """Return, per document that mentions an entity, the entities of ``among`` named in a paragraph
        with it there (the documents where it is named with none of them are left out)."""
        own, keys, summaries = self._entity_numbers.get(key), self._entity_keys, self._summaries
        wanted = {self._entity_numbers[k] for k in among if k in self._entity_numbers} - {own}
        found: dict[int, set[int]] = defaultdict(set)
        for number, named in self._shared_blocks(key):
            if shared := wanted.intersection(named):
                found[number] |= shared
        return {
            summaries[number].source: {keys[n] for n in named}  # type: ignore[union-attr]
            for number, named in found.items()
        }

    def related(self, key: Key) -> tuple[tuple[Key, int], ...]:
        """Return the entities most often named in a paragraph with this one, with the number of
        paragraphs they share, most first (at most MAX_RELATED)."""
        return most_related(self.co_mention_counts(key))

    def co_mentioned(self, key: Key) -> list[Key]:
        """Return every entity mentioned in a paragraph with this one."""
        return list(self.co_mention_counts(key))

    def co_mention_counts(self, key: Key) -> Counter[Key]:
        """Count the blocks each other entity shares with this one.

        Counted when asked, from the blocks of the documents that mention it,
        rather than kept for every pair of entities: that would be most of
        the index's memory and of the time to build it.
        """
        counts = self.co_mention_counts_unless(key, None, 0)
        assert counts is not None  # counting never stops early without a ceiling
        return counts

    def co_mention_counts_unless(
        self, key: Key, ceiling: int | None, among: int, besides: Iterable[Key] = ()
    ) -> Counter[Key] | None:
        """Return co_mention_counts, or None as soon as ``among`` entities other than ``besides``
        are found to share more than ``ceiling`` blocks with this one: then no entity that shares
        ``ceiling`` or fewer is among its ``among`` most related, and counting stops early."""
        numbers = self._entity_numbers
        left_out = {numbers[k] for k in (key, *besides) if k in numbers}
        counts: Counter[int] = Counter()

        def outranked() -> bool:
            return (
                ceiling is not None and sum(1 for n, c in counts.items() if c > ceiling and n not in left_out) >= among
            )

        check = 64
        waiting = array("I")  # counted a batch at a time: one call of Counter.update per block costs more
        for seen, (_, named) in enumerate(self._shared_blocks(key), 1):
            waiting.extend(named)
            if seen == check:  # looked at after 64, 128, 256... blocks
                check *= 2
                counts.update(waiting)
                del waiting[:]
                if outranked():
                    return None
        counts.update(waiting)
        if outranked():
            return None
        keys = self._entity_keys
        related = Counter({keys[number]: n for number, n in counts.items()})
        related.pop(key, None)
        return related

    def _shared_blocks(self, key: Key) -> Iterator[tuple[int, array]]:
        """Yield, per block naming an entity with others, the document's number and the numbers of
        the entities the block names (this one included)."""
        co, places = self._co, self._places.get(key)
        for number, start, stop in self._occurrences(key):
            together = co.get(number)
            if together is None:
                continue
            wanted = set(places[start:stop:2])  # type: ignore[index]
            j, end = 0, len(together)
            while j < end:
                size = together[j + 1]
                if together[j] in wanted:
                    yield number, together[j + 2 : j + 2 + size]
                j += 2 + size

    def forms(self, key: Key) -> tuple[tuple[str, int], ...]:
        """Return an entity's spellings with their counts, most frequent first."""
        forms = self._forms[key]
        if isinstance(forms, str):  # most entities are written one way
            return ((forms, self._places[key][1]),)
        return tuple(sorted(forms.items(), key=lambda kv: (-kv[1], kv[0])))

    def spellings(self) -> Iterator[tuple[Key, Iterable[str]]]:
        """Yield every entity with the words its mentions are written in."""
        for key, forms in self._forms.items():
            yield key, (forms,) if isinstance(forms, str) else forms

    def give_names(self, names: Mapping[Key, str]) -> None:
        """Take the names the authority file gives now; entities get them as their documents are indexed again."""
        self._given_names = dict(names)

    def _spellings(self, key: Key) -> Mapping[str, int]:
        """Return an entity's spellings with their counts."""
        forms = self._forms[key]
        return {forms: self._places[key][1]} if isinstance(forms, str) else forms

    def sources_of(self, key: Key) -> list[str]:
        """Return the documents that mention an entity, in no particular order."""
        summaries = self._summaries
        return [summaries[number].source for number, _, _ in self._occurrences(key)]  # type: ignore[union-attr]

    def occurrence_index(self, key: Key, source: str) -> int:
        """Return where a document comes in an entity's list of documents."""
        self.documents  # noqa: B018 - refresh the ranks
        rank = self._rank
        mine = rank[self._numbers[source]]
        return sum(1 for number, _, _ in self._occurrences(key) if rank[number] < mine)

    def doc_total(self, key: Key) -> int:
        """Return how many documents mention an entity, without materialising it."""
        return self._places[key][0]

    def mention_total(self, key: Key) -> int:
        """Return how many times an entity is mentioned, without materialising it."""
        return self._places[key][1]

    def name(self, key: Key) -> str:
        """Return an entity's display name, without materialising it."""
        return self._names[key]

    @property
    def names(self) -> Mapping[Key, str]:
        """Return every entity's display name, by key (to look many up at once)."""
        return self._names

    def entity_order(self) -> list[Key]:
        """Return entity keys in display order: type, then name, then key."""
        if self._entity_order is None:
            orders = self._orders()
            self._entity_order = [key for type_ in self._ranked_types() for key in orders[type_]]
        return self._entity_order

    def _ranked_types(self) -> list[str]:
        """Return the entity types in display order: the usual four first, then the others by name."""
        return sorted(self._orders(), key=lambda t: (_TYPE_RANK.get(t, len(_TYPE_RANK)), t))

    def mention_totals(self) -> dict[str, tuple[list[Key], list[int]]]:
        """Return each type's entities with how many times each is mentioned, as a list of keys and
        a list of counts (in the index's own order, read in one pass over the index: looking each
        entity up costs ten times as much)."""
        totals: dict[str, tuple[list[Key], list[int]]] = {}
        for key, places in self._places.items():
            of_type = totals.get(key[0])
            if of_type is None:
                of_type = totals[key[0]] = ([], [])
            of_type[0].append(key)
            of_type[1].append(places[1])
        return totals

    def type_order(self, type_: str) -> list[Key]:
        """Return the keys of one entity type in display order (a list the corpus keeps up to date:
        copy it to compare it with a later one)."""
        return self._orders().get(type_, [])

    def type_position(self, key: Key) -> int:
        """Return where an entity comes in its type's display order (from 0)."""
        order = self._orders().get(key[0], [])
        return bisect_left(order, self._sort_key(key), key=self._sort_key)

    def _sort_key(self, key: Key) -> tuple[str, str]:
        """Return where an entity goes in its type's order: by name, then key."""
        return self._names[key].casefold(), key[1]

    def _placed_by(self, key: Key) -> tuple[str, str]:
        """Return the sort key a key of ``_type_orders`` is placed by (its sort key, unless it is to move)."""
        placed = self._was_placed.get(key)
        return placed if placed is not None else self._sort_key(key)

    def _orders(self) -> dict[str, list[Key]]:
        """Return each type's keys in display order, sorting them once and then moving only the
        entities that came, went or were renamed since (_rename notes where they were placed)."""
        if self._type_orders is None:
            orders: dict[str, list[Key]] = {t: [] for t in ENTITY_TYPES}
            placed = {key: (name.casefold(), key[1]) for key, name in self._names.items()}  # as _sort_key
            for key in sorted(placed, key=placed.__getitem__):
                orders.setdefault(key[0], []).append(key)
            self._type_orders, self._was_placed = orders, {}
            return orders
        if self._was_placed:
            orders, moved = self._type_orders, self._was_placed
            while moved:
                key = next(iter(moved))
                keys = orders.setdefault(key[0], [])
                old = moved[key]
                if old is not None:
                    del keys[bisect_left(keys, old, key=self._placed_by)]
                del moved[key]  # placed by its sort key from here on
                if key in self._names:
                    insort(keys, key, key=self._placed_by)
        return self._type_orders

    @property
    def groups(self) -> dict[str, Mapping[str, Group]]:
        """Return groups by kind (see GROUP_KINDS), then by key, in display order."""
        for kind in GROUP_KINDS:
            if kind not in self._group_cache:
                self._group_cache[kind] = _Groups(self, kind)
        return self._group_cache  # type: ignore[return-value]

    def group_names(self, kind: str) -> Mapping[str, str]:
        """Return the display name of each group of one kind, by key (without placing its documents)."""
        self.groups  # noqa: B018 - made when asked for
        return self._group_cache[kind].names

    def group_size(self, kind: str, key: str) -> int:
        """Return how many documents a group has (without placing them)."""
        return len(self._groups[kind][key])

    def _group_docs(self, kind: str, key: str) -> tuple[str, ...]:
        """Return the source paths of a group's documents, in the documents' order."""
        self.documents  # noqa: B018 - refresh the ranks
        docs = self._group_members.get((kind, key))
        if docs is None:
            rank, numbers = self._rank, self._numbers
            docs = tuple(sorted(self._groups[kind][key], key=lambda source: rank[numbers[source]]))
            self._group_members[kind, key] = docs
        return docs


def build_corpus(documents: Iterable[Document]) -> Corpus:
    """Index every mention and group of the documents into one Corpus."""
    return Corpus(documents)


def mention_counts(corpus: Corpus) -> dict[str, int]:
    """Return the number of entities of each type."""
    return {t: len(corpus.type_order(t)) for t in ENTITY_TYPES}


def most_mentioned_first(corpus: Corpus, keys: Iterable[Key]) -> list[Key]:
    """Return entities most-mentioned first, then by folded name, then by key: the order of the
    most-mentioned lists and of the entity finder's rows.

    Sorted by the last of these, then in turn by the ones before it (sorts
    are stable), so a million keys are sorted by one string or int each, not
    by a tuple each.
    """
    ordered = sorted(keys)
    ordered.sort(key=lambda key: corpus.name(key).casefold())
    ordered.sort(key=corpus.mention_total, reverse=True)  # reversed, equal counts keep their order
    return ordered


def top_entities(
    corpus: Corpus,
    limit: int,
    type_: str | None = None,
    kept: Mapping[str, tuple[list[Key], list[int]]] | None = None,
) -> list[Key]:
    """Return the keys of the most-mentioned entities, optionally of one type: most mentions first,
    then by name. Only the entities with at least the ``limit``-th largest count are sorted.
    ``kept`` are the corpus's mention_totals, when the caller keeps them."""
    totals = kept if kept is not None else corpus.mention_totals()
    if type_ is None:  # the first of every type's first: each is among its own type's
        found = {k: corpus.mention_total(k) for t in totals for k in top_entities(corpus, limit, t, totals)}
    else:
        keys, counts = totals.get(type_, ([], []))
        if len(keys) > limit > 0:
            least = heapq.nlargest(limit, counts)[-1]
            found = {k: n for k, n in zip(keys, counts) if n >= least}
        else:
            found = dict(zip(keys, counts))
    return most_mentioned_first(corpus, found)[:limit]


def _document_cmp(a: Summary, b: Summary) -> int:
    """Compare two documents as ``Corpus.documents`` orders them (below 0: ``a`` comes first)."""
    first, second = (a.date, _number(a)), (b.date, _number(b))
    if first != second:
        return -1 if first > second else 1
    return (a.source > b.source) - (a.source < b.source)


_DOCUMENT_ORDER = cmp_to_key(_document_cmp)


def _number(doc: Summary) -> int:
    """Return a cable's number at its post (0 for other documents): within a day or a year, cables
    are in the order they were sent."""
    number = doc.header.number if doc.header is not None else ""
    return int(number) if number.isdigit() else 0
