"""What an update in place writes into the cache instead of the whole index of the site.

The index of a site (pipeline._write_index: the corpus index, the output
paths of each page family and the entities' rows) is tens of megabytes at
ten thousand documents; writing it again after each edit would cost more
than the edit. So an update in place leaves the index in the cache where it
is and appends a journal of what differs from it (``journal_of``):

- per document that changed since the index was written, the record of the
  version the index was made with (its bytes stay in the cache file);
- the output paths of the page families that changed;
- the rows of the entities that changed, and the entities that are gone.

Each journal holds every change since the index was written, so taking the
site back (``Restored.catch_up``) replays one journal, never a chain of
them: the index as written, then per changed document its old version
taken out of the corpus and its new one put in, then the journal's paths
and rows over the index's (about a millisecond a document at ten thousand
documents). The index is written whole again when the journal would be
more than JOURNAL_SHARE of its size or name more than JOURNAL_DOCUMENTS of
the documents, and when the names or the resolution of the entities
changed (an edit of the authority file).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from array import array
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import IO, TYPE_CHECKING

from sitegen.build.cache import CACHE_GAP, Cache
from sitegen.index.corpus import Corpus
from sitegen.index.pieces import dump_in_pieces, load_in_pieces
from sitegen.model import Key
from sitegen.site.finder import FIRST_PARTS, FinderSeed, entity_letters
from sitegen.site.kinds import Family
from sitegen.site.rows import ROW_COLUMNS, EntityRow, columns, packed, unpacked

if TYPE_CHECKING:
    from collections.abc import Collection

    from _typeshed import SupportsWrite

#: The index is written whole when a journal would be more than this share of its bytes,
JOURNAL_SHARE = 0.1
#: or would name more than this share of the documents (and more than MIN_JOURNAL_DOCUMENTS):
#: each is taken out of the index and put back in by every update until then.
JOURNAL_DOCUMENTS = 0.01
MIN_JOURNAL_DOCUMENTS = 16

#: A document's record in the cache: where its pickle starts, its size, the size of what follows it
#: (store.prepared) and the SHA-256 of the record (see cache.py).
Record = tuple[int, int, int, bytes]


@dataclass
class Journal:
    """What changed since the index in the cache was written (see the module's text)."""

    documents: dict[str, Record | None] = field(default_factory=dict)
    """Per source changed since the index was written: the record of the document the index was made
    with (None: it had none)."""
    paths: dict[Family, list[str] | None] = field(default_factory=dict)
    """The output paths of each page family that changed (None: it has no pages now)."""
    rows: tuple = ()
    """The rows of the entities that changed, packed (rows.packed)."""
    gone: list[Key] = field(default_factory=list)
    """The entities that have no rows now."""

    @classmethod
    def read(cls, cache: Cache) -> Journal:
        """Return the journal in ``cache`` (an empty one when its index is whole); ValueError when it is not one."""
        data = cache.journal()
        if data is None:
            return cls()
        found = pickle.loads(data)  # the directory's checksum covers it
        if not (isinstance(found, tuple) and len(found) == 4):
            raise ValueError("not a journal of the index")
        journal = cls(*found)
        if not (isinstance(journal.documents, dict) and isinstance(journal.paths, dict)):
            raise ValueError("not a journal of the index")
        return journal


@dataclass
class Base:
    """The index of a site as the cache holds it, and the journal the site was taken back with."""

    digest: bytes
    """The SHA-256 of the index, which tells it from any other (Cache.index_digest)."""
    names: dict[Key, str]
    """The names the authority file gave entities when the index was written."""
    rows: dict[Key, EntityRow] = field(default_factory=dict)
    """The entities' rows, as the index holds them."""
    documents: dict[str, Record | None] = field(default_factory=dict)
    """Per source changed since the index was written: the record of the document the index was made
    with (None: it had none)."""
    replaced: dict[Family, tuple[str, ...] | None] = field(default_factory=dict)
    """The page families whose paths the journal changed, with their paths as the index holds them
    (None: it names none); the others' paths are the index's. (The site's table of paths is the
    index's, changed in place: a copy of it would be a second table of millions of entries.)"""
    journaled: set[Key] = field(default_factory=set)
    """The entities whose rows the journal changed or let go of: the others' are the index's (the site
    counts them among the rows that may differ from the index's, Site.rows_touched)."""


@dataclass
class Restored:
    """A site's index taken from the cache, with its journal applied to all but the documents."""

    corpus: Corpus
    """The corpus index as written (``catch_up`` brings its changed documents up to date)."""
    written: dict[Family, tuple[str, ...]]
    """The output paths of each page family now."""
    rows: dict[Key, EntityRow]
    """The entities' rows now."""
    base: Base
    seed: FinderSeed | None = None
    """The entities by the first characters of their words, as the index lists them (None: it does not)."""

    def catch_up(self, cache: Cache) -> None:
        """Bring the corpus's changed documents up to the store's: take out the version the index
        was made with, read from its record in ``cache`` (checked first), and put in the store's.
        Call it once the cache's records are known to be sound (``Cache.sound``): it reads documents.

        Raises ValueError when a record is damaged or the index does not hold what the journal says.
        """
        for source, record in sorted(self.base.documents.items()):
            old = None if record is None else pickle.loads(_record(cache, record))
            self.corpus.catch_up(source, old)


def write_tables(
    corpus: Corpus, written: dict[Family, tuple[str, ...]], rows: dict[Key, EntityRow], file: SupportsWrite[bytes]
) -> None:
    """Write what the cache keeps after the corpus index: the output paths of each page family,
    then the entities' rows, then the entities by the first characters of their words, for the
    finder's parts (finder.FinderSeed; ``read_tables`` takes them all back).

    The families are written a kind at a time (``entity``, ``doc``…), their
    entities or documents as the index numbers them (Corpus.numbering), so
    that, taken back, they hold the index's own keys and sources rather than
    copies of them; so are the rows' keys. Families of another shape (the
    home page's, a group's) are written as they are.
    """
    kinds: dict[str | None, tuple[list, list]] = {}
    for family, paths in written.items():
        named = len(family) == 2
        names, kept = kinds.setdefault(family[0] if named else None, ([], []))
        names.append(family[1] if named else family)
        kept.append(paths)
    ways = {
        kind: corpus.numbering(names) if kind is not None else ("as is", None) for kind, (names, _) in kinds.items()
    }
    pickle.dump([(kind, ways[kind][0]) for kind in kinds], file, protocol=pickle.HIGHEST_PROTOCOL)
    for kind, (names, kept) in kinds.items():
        dump_in_pieces(names, file, ways[kind][1])
        dump_in_pieces(kept, file)
    kinds.clear()
    each = columns(rows)
    keys = next(each)
    how, number = corpus.numbering(keys)
    pickle.dump(how, file, protocol=pickle.HIGHEST_PROTOCOL)
    dump_in_pieces(keys, file, number)
    for column in each:
        dump_in_pieces(column, file)
    letters = None
    if number is not None:
        letters = entity_letters(zip(map(number, rows), rows.values()), FIRST_PARTS, partial(array, "I"))
    pickle.dump(letters, file, protocol=pickle.HIGHEST_PROTOCOL)


def read_tables(
    corpus: Corpus, stream: IO[bytes]
) -> tuple[dict[Family, tuple[str, ...]], tuple, dict[str, array] | None]:
    """Return what ``write_tables`` wrote, read from where ``stream`` is after the index that
    ``corpus`` was restored from: the families' paths, the rows packed (rows.unpacked takes them),
    and the entities by the first characters of their words as the index numbers them (finder.FinderSeed;
    None: not written). Raises ValueError when it is not that."""
    kinds = pickle.load(stream)
    if not isinstance(kinds, list) or not all(isinstance(kind, tuple) and len(kind) == 2 for kind in kinds):
        raise ValueError("not the paths of the page families")
    written: dict = {}
    for kind, how in kinds:
        names = corpus.unnumbered(how, load_in_pieces(stream))
        kept = load_in_pieces(stream)
        if not isinstance(kept, list) or len(kept) != len(names) or not set(map(type, kept)) <= {tuple}:
            raise ValueError("the page families' paths do not add up")
        if kind is None and not all(isinstance(family, tuple) for family in names):
            raise ValueError("not the paths of the page families")
        written.update(zip(names if kind is None else zip(repeat(kind), names), kept))
    keys = corpus.unnumbered(pickle.load(stream), load_in_pieces(stream))
    rows = (keys, *(load_in_pieces(stream) for _ in range(ROW_COLUMNS - 1)))
    letters = pickle.load(stream)
    if letters is not None:
        numbered = corpus.numbered
        if not (
            isinstance(letters, dict)
            and letters.keys() == set(FIRST_PARTS)
            and all(isinstance(found, array) and found.typecode == "I" for found in letters.values())
            and all(max(found, default=0) < numbered for found in letters.values())
        ):
            raise ValueError("not the entities by the first characters of their words")
    return written, rows, letters


def restored(
    cache: Cache,
    corpus: Corpus,
    written: dict[Family, tuple[str, ...]],
    rows: tuple,
    journal: Journal,
    letters: dict[str, array] | None = None,
) -> Restored:
    """Return a site's index as taken from ``cache``: the ``corpus`` (restored with the journal's
    documents as changed), the families' paths (``written``), the rows and the entities by the
    first characters of their words as ``read_tables`` gives them, and ``journal`` over them
    (``written`` is taken over). ValueError when the rows are not what ``write_tables`` writes."""
    now = written  # taken over, not copied: a copy of a million families' paths costs 100 MB at once
    for family in [family for family, value in now.items() if not value]:
        del now[family]
    base = Base(cache.index_digest, dict(corpus.given_names), unpacked(rows), journal.documents)
    current = dict(base.rows)
    for family, value in journal.paths.items():
        base.replaced[family] = now.get(family)
        if not value:
            now.pop(family, None)
        else:
            now[family] = tuple(value)
    if journal.rows:
        changed = unpacked(journal.rows)
        current.update(changed)
        base.journaled.update(changed)
    for key in journal.gone:
        current.pop(key, None)
    base.journaled.update(journal.gone)
    seed = None if letters is None else FinderSeed(letters)
    return Restored(corpus, now, current, base, seed)


def journal_of(
    base: Base,
    previous: Cache,
    corpus: Corpus,
    sources: list[str],
    written: dict[Family, tuple[str, ...]],
    recorded: dict[Family, tuple[str, ...] | None],
    rows: dict[Key, EntityRow],
    resolution: str,
    touched: Collection[Key] | None = None,
) -> bytes | None:
    """Return the journal of a site against ``base``, the index in ``previous`` (the cache the
    update read), or None when the index should be written whole: it is not that index, the
    entities are named or resolved otherwise than when it was written, or the journal is too large.

    ``sources`` are the site's sources now, ``written`` its families' paths,
    ``recorded`` the families whose paths were recorded since the site was
    taken from ``base``, with their paths then (the others' are as its
    journal left them; see SiteState.recorded), and
    ``rows`` every entity's rows; a document is the one ``previous``
    recorded when the corpus reads it from there still. ``touched`` are the
    entities whose rows may differ from the index's, the journal's included
    (Site.rows_touched; None: any may): only theirs are compared, rather
    than all of them.
    """
    if base.digest != previous.index_digest or resolution != previous.resolution or corpus.given_names != base.names:
        return None
    documents = dict(base.documents)
    for relative, place in previous.where.items():
        if relative not in documents and corpus.adopted_at(relative) != place[0]:
            documents[relative] = (*place, previous.digests[relative])  # changed or gone in this update
    for relative in sources:
        if relative in corpus and relative not in previous.where and relative not in documents:
            documents[relative] = None  # new in this update
    if len(documents) > max(MIN_JOURNAL_DOCUMENTS, JOURNAL_DOCUMENTS * len(corpus)):
        return None
    paths = {}
    for family in base.replaced.keys() | recorded.keys():  # only those can differ from the index
        before = base.replaced[family] if family in base.replaced else recorded[family]
        now = written.get(family)
        if now != before:
            paths[family] = None if now is None else list(now)
    old = base.rows
    if touched is None:
        changed = {k: r for k, r in rows.items() if old.get(k) is not r and old.get(k) != r}
        gone = [k for k in old if k not in rows]
    else:
        keys = sorted(touched)
        changed = {k: rows[k] for k in keys if k in rows and old.get(k) != rows[k]}
        gone = [k for k in keys if k in old and k not in rows]
    journal = (documents, paths, packed(changed), gone)
    data = pickle.dumps(journal, protocol=pickle.HIGHEST_PROTOCOL)
    return data if len(data) <= JOURNAL_SHARE * previous.index_at[1] else None


def _record(cache: Cache, record: Record) -> bytes:
    """Return the pickle of the document in a record of the cache file, checked against the record's SHA-256."""
    at, size, extra, digest = record
    if cache.file is None:
        raise ValueError("the cache is closed")
    length = size + CACHE_GAP + extra  # the pickle, the length of what follows it and that (see cache.py)
    data = os.pread(cache.file.fileno(), length, at)
    if len(data) != length or hashlib.sha256(data).digest() != digest:
        raise ValueError("a document the index was made with is damaged in the cache")
    return data[:size]
