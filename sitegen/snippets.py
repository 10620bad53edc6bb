"""Entity snippets grouped by entity, so that an entity's page reads its snippets from one place.

An entity page shows, for each document that mentions the entity, the words
around its first mention in each block. Read from the documents themselves,
that is one read of a different document per line of the page, all over the
document store; once a corpus is larger than the memory the system can
spare to cache files, those reads go to the disk and the whole build waits
on them. So before a whole site is rendered, ``EntitySnippets.build`` reads
the store once, in the order it was written, makes every snippet, and sorts
them by entity through a few spill buckets into a file of their own: each
entity's snippets lie together, document by document in store order.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from pathlib import Path

from markupsafe import Markup

from sitegen.html import snippet, snippet_reach
from sitegen.store import Block, block_words

Key = tuple[str, str]
#: How many characters of context a snippet shows either side of the mention.
SNIPPET_WIDTH = 90
#: Spill buckets snippets are sorted into by entity before they are grouped; each is grouped in memory.
BUCKETS = 64
#: Bytes of snippets a bucket holds in memory before they are spilt to disk.
SPILL = 1 << 18


def entity_snippet(block: Block | None, key: Key) -> Markup:
    """Return the snippet of an entity's first mention in one block (see store.document_blocks).

    ``block`` is None for a block the document no longer has.
    """
    if block is None:
        return snippet((), key, SNIPPET_WIDTH, -1)
    words, index = block_words(block, block[2].get(key, -1), snippet_reach(SNIPPET_WIDTH))
    return snippet(words, key, SNIPPET_WIDTH, index)


class EntitySnippets:
    """Every entity's snippets in documents of a store, in a temporary file, by entity.

    Per entity the file holds a header, the store positions of its documents
    and where each document's snippets end, then per document a pickled
    tuple of (block, snippet html) pairs.
    """

    def __init__(self, file, where: dict[Key, tuple[int, int, int]]) -> None:
        self._file = file
        self._where = where
        """Per entity: where its part of the file starts, how many documents it has, and the part's size."""
        self._current: tuple[Key, array, array, int] | None = None
        """The last entity read: its key, its documents' store positions, where each one's snippets end, and
        where they start."""

    @classmethod
    def build(cls, records: Iterable[tuple[int, dict[str, Block]]], folder: Path | None,
              progress: Callable[[int], None] | None = None) -> EntitySnippets:
        """Make the snippets of every document in ``records`` (store position and blocks, in store order)."""
        spill = tempfile.TemporaryFile(dir=folder, prefix="sitegen-spill-")
        with spill:
            chunks = _spill(records, spill, progress)
            file = tempfile.TemporaryFile(dir=folder, prefix="sitegen-snippets-")
            where: dict[Key, tuple[int, int, int]] = {}
            end = 0
            for parts in chunks:
                grouped: dict[Key, list] = {}
                for offset, size in parts:
                    for key, start, pairs in pickle.loads(os.pread(spill.fileno(), size, offset)):
                        grouped.setdefault(key, []).append((start, pairs))
                for key, docs in grouped.items():
                    bodies = [pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL) for _, pairs in docs]
                    starts = array("q", (start for start, _ in docs))
                    ends, total = array("q"), 0
                    for body in bodies:
                        total += len(body)
                        ends.append(total)
                    data = b"".join([starts.tobytes(), ends.tobytes(), *bodies])
                    os.pwrite(file.fileno(), data, end)
                    where[key] = (end, len(docs), len(data))
                    end += len(data)
        return cls(file, where)

    def get(self, key: Key, start: int) -> dict[str, str]:
        """Return an entity's snippets in the document at store position ``start``, by block."""
        current = self._current
        if current is None or current[0] != key:
            if key not in self._where:
                return {}
            offset, count, _ = self._where[key]
            header = os.pread(self._file.fileno(), 16 * count, offset)
            starts, ends = array("q"), array("q")
            starts.frombytes(header[:8 * count])
            ends.frombytes(header[8 * count:])
            current = self._current = (key, starts, ends, offset + 16 * count)
        _, starts, ends, base = current
        i = bisect_left(starts, start)
        if i == len(starts) or starts[i] != start:
            return {}
        begin = ends[i - 1] if i else 0
        return dict(pickle.loads(os.pread(self._file.fileno(), ends[i] - begin, base + begin)))

    def close(self) -> None:
        self._file.close()


def _spill(records: Iterable[tuple[int, dict[str, Block]]], spill, progress: Callable[[int], None] | None
           ) -> list[list[tuple[int, int]]]:
    """Write every document's snippets to ``spill``, sorted into buckets by entity; return each bucket's parts."""
    buckets: list[list] = [[] for _ in range(BUCKETS)]
    sizes = [0] * BUCKETS
    chunks: list[list[tuple[int, int]]] = [[] for _ in range(BUCKETS)]
    end = 0

    def flush(b: int) -> None:
        nonlocal end
        data = pickle.dumps(buckets[b], protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(spill.fileno(), data, end)
        chunks[b].append((end, len(data)))
        end += len(data)
        buckets[b], sizes[b] = [], 0

    for done, (start, blocks) in enumerate(records, 1):
        per_key: dict[Key, list[tuple[str, str]]] = {}
        for name, block in blocks.items():
            for key in block[2]:
                per_key.setdefault(key, []).append((name, str(entity_snippet(block, key))))
        for key, pairs in per_key.items():
            b = hash(key) % BUCKETS
            buckets[b].append((key, start, tuple(pairs)))
            sizes[b] += 64 + sum(len(html) for _, html in pairs)
            if sizes[b] > SPILL:
                flush(b)
        if progress:
            progress(done)
    for b in range(BUCKETS):
        if buckets[b]:
            flush(b)
    return chunks
