"""Entity snippets grouped by entity, so that an entity's page reads its snippets from one place.

An entity page shows, for each document that mentions the entity, the words
around its first mention in each block. Read from the documents themselves,
that is one read of a different document per line of the page, all over the
document store; once a corpus is larger than the memory the system can
spare to cache files, those reads go to the disk and the whole build waits
on them. So before a whole site is rendered, ``EntitySnippets.build`` reads
the store once, in the order it was written, makes every snippet, and sorts
them by entity through spill buckets into files of their own: each entity's
snippets lie together, document by document in the order its pages list
them, so that rendering them reads the file front to back. Forked workers
share that work. A document added after that (in the live preview) has its
snippets made from the store when a page asks for them (see Corpus.snippets).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import TypeVar

from markupsafe import Markup

from sitegen.build.parallel import fork_map
from sitegen.index.store import Block, DocumentStore, block_words, write_at
from sitegen.model import Key
from sitegen.site.html import keyword_in_context, snippet, snippet_reach

#: How many characters of context a snippet shows either side of the mention.
SNIPPET_WIDTH = 90
#: Spill buckets snippets are sorted into by entity before they are grouped; each is grouped in memory.
BUCKETS = 256
#: Bytes of snippets a bucket holds in memory before they are spilt to disk.
SPILL = 1 << 17


def entity_snippet(block: Block | None, key: Key, width: int = SNIPPET_WIDTH) -> Markup:
    """Return the snippet of an entity's first mention in one block (see store.document_blocks).

    It is the same as ``html.snippet`` of the block's segments, cut straight
    from the block's running text: the words either side of the mention,
    up to the first that reaches ``snippet_reach`` characters away.
    ``block`` is None for a block the document no longer has.
    """
    if block is None:
        return snippet((), key, width, -1)
    text, ends, first = block
    index = first.get(key, -1)
    if index < 0:
        return snippet(block_words(block)[0], key, width, -1)
    reach = snippet_reach(width)
    start, end = ends[index - 1] if index else 0, ends[index]
    before = min(bisect_right(ends, start - reach), index)  # the first word on the left that is taken
    after = max(bisect_left(ends, end + reach), index)  # the last word on the right that is taken
    left = text[ends[before - 1] if before else 0 : start]
    right = text[end : ends[min(after, len(ends) - 1)]]
    return keyword_in_context(left, text[start:end], right, width)


class EntitySnippets:
    """Every entity's snippets in the documents of a store, in temporary files, by entity number.

    Entities are sorted into BUCKETS by number, and the buckets shared out
    between the files in turn. Per entity its file holds a header, then per
    document, in the order of the entity's pages, a pickled tuple of (block,
    snippet html) pairs. The header has the store positions of the documents
    in ascending order, where each of those is among the entity's documents,
    and where each document's snippets end.
    """

    def __init__(self, files: list, buckets: int, offsets: array, counts: array) -> None:
        self._files, self._buckets = files, buckets
        self._offsets, self._counts = offsets, counts
        """By entity number: where its part of its file starts and how many documents it has."""
        self._current: tuple[int, int, array, array, array, int] | None = None
        """The last entity read: its number, its file, the header's three arrays, and where the snippets start."""

    @classmethod
    def build(
        cls,
        store: DocumentStore,
        number: Callable[[Key], int],
        rank: Callable[[int], int],
        entities: int,
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> EntitySnippets:
        """Make the snippets of every document in ``store``, for ``entities`` entities numbered by ``number``;
        ``rank`` gives the place in entity pages of the document at a store position.

        With ``jobs`` > 1 forked workers do the work, ``jobs`` at a time, so
        that what it allocates does not stay in this process, whose memory
        the page-rendering workers share. ``progress`` hears roughly how
        many documents are done.
        """

        def folder_file(prefix: str):
            return tempfile.TemporaryFile(dir=store.folder, prefix=prefix)

        spills = [folder_file("sitegen-spill-") for _ in range(jobs)]
        files = [folder_file("sitegen-snippets-") for _ in range(jobs)]
        try:

            def spill(share: int) -> list[list[tuple[int, int]]]:
                report = (lambda done: progress(done * jobs)) if progress and share == 0 else None
                return _spill(store.records(share, jobs), number, spills[share], report)

            chunks = _each(spill, jobs)

            def group(share: int) -> tuple[array, array]:
                return _group(spills, chunks, range(share, BUCKETS, jobs), rank, files[share], entities)

            offsets, counts = array("q", (-1,)) * entities, array("q", (0,)) * entities
            for share_offsets, share_counts in _each(group, jobs):
                for entity, offset in enumerate(share_offsets):
                    if offset >= 0:
                        offsets[entity], counts[entity] = offset, share_counts[entity]
        except BaseException:
            for file in files:
                file.close()
            raise
        finally:
            for file in spills:
                file.close()
        return cls(files, BUCKETS, offsets, counts)

    def get(self, entity: int, start: int) -> dict[str, str]:
        """Return the snippets of entity number ``entity`` in the document at store position ``start``, by block."""
        current = self._current
        if current is None or current[0] != entity:
            if entity >= len(self._offsets) or self._offsets[entity] < 0:
                return {}
            offset, count = self._offsets[entity], self._counts[entity]
            file = self._files[entity % self._buckets % len(self._files)].fileno()
            header = os.pread(file, 24 * count, offset)
            starts, slots, ends = array("q"), array("q"), array("q")
            for part, numbers in enumerate((starts, slots, ends)):
                numbers.frombytes(header[8 * count * part : 8 * count * (part + 1)])
            current = self._current = (entity, file, starts, slots, ends, offset + 24 * count)
        _, file, starts, slots, ends, base = current
        i = bisect_left(starts, start)
        if i == len(starts) or starts[i] != start:
            return {}
        slot = slots[i]
        begin = ends[slot - 1] if slot else 0
        return dict(pickle.loads(os.pread(file, ends[slot] - begin, base + begin)))


T = TypeVar("T")


def _each(task: Callable[[int], T], jobs: int) -> list[T]:
    """Return ``task(i)`` for i in range(jobs): here for one, else in forked worker processes."""
    return list(fork_map(task, range(jobs), jobs, what="preparing entity snippets"))


def _spill(
    records: Iterable[tuple[int, dict[str, Block]]],
    number: Callable[[Key], int],
    spill,
    progress: Callable[[int], None] | None,
) -> list[list[tuple[int, int]]]:
    """Write documents' snippets to ``spill``, sorted into buckets by entity; return each bucket's parts."""
    buckets: list[list] = [[] for _ in range(BUCKETS)]
    sizes = [0] * BUCKETS
    chunks: list[list[tuple[int, int]]] = [[] for _ in range(BUCKETS)]
    end = 0

    def flush(b: int) -> None:
        nonlocal end
        data = pickle.dumps(buckets[b], protocol=pickle.HIGHEST_PROTOCOL)
        write_at(spill.fileno(), data, end)
        chunks[b].append((end, len(data)))
        end += len(data)
        buckets[b], sizes[b] = [], 0

    for done, (start, blocks) in enumerate(records, 1):
        per_entity: dict[int, list[tuple[str, str]]] = {}
        for name, block in blocks.items():
            for key in block[2]:
                per_entity.setdefault(number(key), []).append((name, str(entity_snippet(block, key))))
        for entity, pairs in per_entity.items():
            b = entity % BUCKETS
            buckets[b].append((entity, start, tuple(pairs)))
            sizes[b] += 32 + sum(len(html) for _, html in pairs)
            if sizes[b] > SPILL:
                flush(b)
        if progress:
            progress(done)
    for b in range(BUCKETS):
        if buckets[b]:
            flush(b)
    return chunks


def _group(
    spills: list,
    chunks: list[list[list[tuple[int, int]]]],
    buckets: Iterable[int],
    rank: Callable[[int], int],
    file,
    entities: int,
) -> tuple[array, array]:
    """Write the spilt snippets of some buckets to ``file`` grouped by entity, each entity's documents in the
    order of ``rank``; return where each entity's part starts (-1 for none) and how many documents it has."""
    offsets, counts = array("q", (-1,)) * entities, array("q", (0,)) * entities
    end = 0
    for bucket in buckets:
        grouped: dict[int, list] = {}
        for spill, parts in zip(spills, chunks):
            for offset, size in parts[bucket]:
                for entity, start, pairs in pickle.loads(os.pread(spill.fileno(), size, offset)):
                    grouped.setdefault(entity, []).append((start, pairs))
        for entity, docs in grouped.items():
            docs.sort(key=lambda doc: rank(doc[0]))
            bodies = [pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL) for _, pairs in docs]
            ends, total = array("q"), 0
            for body in bodies:
                total += len(body)
                ends.append(total)
            by_start = sorted(range(len(docs)), key=lambda slot: docs[slot][0])
            header = array("q", (docs[slot][0] for slot in by_start)) + array("q", by_start) + ends
            data = b"".join([header.tobytes(), *bodies])
            write_at(file.fileno(), data, end)
            offsets[entity], counts[entity] = end, len(docs)
            end += len(data)
    return offsets, counts
