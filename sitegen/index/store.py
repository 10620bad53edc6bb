"""Parsed documents kept on disk while a site is built, and read back when a page needs one.

A corpus of a quarter of a million documents does not fit in memory as
Python objects, so the corpus keeps only what lists show of each document
(a Summary) and puts the parsed document here: pickled, in an unnamed
temporary file beside the output folder (see DocumentStore.beside). Beside
each document it keeps the running text of each
block in plain strings, which is all an entity page's snippets need and is
quicker to read back than the whole document.

Reads use ``os.pread``, so the worker processes that a parallel build forks
can share one store without sharing a file position. Each process keeps the
documents and blocks it read last in a small cache.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sitegen.model import Document, Key, Mention, TagRef
from sitegen.parse.reading import DocumentReading, document_reading, joined

#: A block's running text with mentions and tag links as their words, joined
#: into one string; where each of those words (segments) ends in it; and the
#: index of each entity's first mention among them. One string and one array
#: take far less memory than a tuple of short strings.
Block = tuple[str, array, dict[Key, int]]

#: Documents each process keeps after reading them.
CACHED_DOCUMENTS = 64
#: Bytes of the size of the blocks' pickle at the start of what ``prepared`` returns.
_SIZE = 8
#: In place of the size of an adopted document's blocks until it is read (DocumentStore._place).
_UNREAD = -1
#: Documents' blocks each process keeps after reading them, in bytes of their
#: pickles (about twice that in memory). Entity pages read them in no useful
#: order; reading one back takes a few microseconds.
CACHED_BLOCKS = 16 << 20


def document_blocks(doc: Document, read: DocumentReading | None = None) -> dict[str, Block]:
    """Return a document's running text by block id (header, signature, paragraphs), as plain strings
    of reading text (see parse/reading.py), from its reading text ``read`` when it is made already."""
    read = read or document_reading(doc)
    blocks = {"header": read.header, "signature": read.signature}
    for par, (heading, _, texts) in zip(doc.paragraphs, read.paragraphs):
        text = joined(texts)
        blocks[par.anchor] = heading + (" ",) + text if heading else text
    plain = {}
    for block, segments in blocks.items():
        first: dict[Key, int] = {}
        words, ends, end = [], array("I"), 0
        for i, seg in enumerate(segments):
            if isinstance(seg, Mention):
                word = seg.text
                if seg.key not in first and seg.key[1]:  # a withheld mention names no entity
                    first[seg.key] = i
            else:
                word = seg.name if isinstance(seg, TagRef) else seg
            words.append(word)
            end += len(word)
            ends.append(end)
        plain[block] = ("".join(words), ends, first)
    return plain


def prepared(doc: Document) -> bytes:
    """Return what the store keeps beside a document's pickle: the pickles of its blocks and of its
    reading text, after the size of the first. Parsing workers make it, and the cache keeps it."""
    read = document_reading(doc)
    blocks = pickle.dumps(document_blocks(doc, read), protocol=pickle.HIGHEST_PROTOCOL)
    return len(blocks).to_bytes(_SIZE, "big") + blocks + pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL)


def block_words(block: Block, index: int = -1, reach: int = 0) -> tuple[tuple[str, ...], int]:
    """Return a block's words (segments as plain strings) and where word ``index`` is among them.

    With ``reach``, only the words that reach ``reach`` characters either
    side of word ``index`` are returned, which is all a snippet reads.
    """
    text, ends, _ = block
    first, last = 0, len(ends) - 1
    if index >= 0 and reach:
        size, j = 0, index - 1
        while j >= 0 and size < reach:
            size += ends[j] - (ends[j - 1] if j else 0)
            j -= 1
        first = j + 1
        size, j = 0, index + 1
        while j <= last and size < reach:
            size += ends[j] - ends[j - 1]
            j += 1
        last = j - 1
    words = tuple(text[ends[i - 1] if i else 0 : ends[i]] for i in range(first, last + 1))
    return words, index - first if index >= 0 else index


def write_at(fd: int, data: bytes, at: int) -> None:
    """Write all of ``data`` at position ``at`` of a file: a write cut short (a full disk, a file
    too large) is followed by one that raises the system's error, rather than leaving a gap."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, at)
        if not written:
            raise OSError(f"nothing could be written at {at} of file {fd}")
        view, at = view[written:], at + written


class DocumentStore:
    """Parsed documents by source path, in a temporary file that is deleted when the store is."""

    def __init__(self, folder: Path | None = None) -> None:
        """Open an empty store; its file is made in ``folder`` (default: the system's temporary folder)."""
        self._folder = folder
        self._file: IO[bytes] | None = None
        self._end = 0
        self._where: dict[str, tuple[int, int, int, int]] = {}
        """Per source: where its record starts, the size of the document, of its blocks and of its reading
        text (for a document adopted and not read yet: _UNREAD, then the size of all that follows it)."""
        self._adopted: IO[bytes] | None = None
        """A file whose documents this store took as they lie in it (see adopt)."""
        self._base = 0
        """Positions below this are in the adopted file; this store's own file starts here."""
        self._gap = 0
        """Bytes between a document and what follows it (store.prepared) in the adopted file."""
        self._docs: OrderedDict[str, Document] = OrderedDict()
        self._blocks: OrderedDict[str, tuple[dict[str, Block], int]] = OrderedDict()
        self._blocks_size = 0

    @classmethod
    def beside(cls, output: Path) -> DocumentStore:
        """Open an empty store for a build of ``output``, with its file beside that folder like the cache,
        rather than in a system temporary folder that may be held in memory (there only while the folder
        that would hold the output does not exist yet)."""
        folder = output.absolute().parent
        return cls(folder if folder.is_dir() else None)

    def adopt(self, file: IO[bytes], places: dict[str, tuple[int, int, int]], gap: int) -> None:
        """Take the documents of another file (the cache of the last build) where they lie in it,
        rather than copying them: ``places`` gives, per source, where its document's pickle starts,
        its size and the size of what ``prepared`` made of it, which starts ``gap`` bytes after the
        document. Only an empty store adopts; the file must stay open and unchanged while it is used."""
        assert not self._where and self._file is None
        self._adopted, self._gap = file, gap
        self._base = os.fstat(file.fileno()).st_size
        where = self._where
        for source, (start, size, extra) in places.items():
            if extra < _SIZE:
                raise ValueError(f"{source} has no reading text beside it")
            where[source] = (start, size, _UNREAD, extra)  # the size of its blocks is read when needed (_place)

    def __contains__(self, source: object) -> bool:
        return source in self._where

    def __len__(self) -> int:
        return len(self._where)

    def put(self, doc: Document, data: bytes | None = None, extra: bytes | None = None) -> None:
        """Keep a document (replacing an earlier one from the same source); ``data`` is its pickle and
        ``extra`` what ``prepared`` returns for it, if known."""
        if data is None:
            data = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        if extra is None:
            extra = prepared(doc)
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._folder, prefix="sitegen-documents-")
        write_at(self._file.fileno(), data + extra, self._end)
        blocks = int.from_bytes(extra[:_SIZE], "big")
        self._where[doc.source] = (self._base + self._end, len(data), blocks, len(extra) - _SIZE - blocks)
        self._end += len(data) + len(extra)
        self._forget(doc.source)

    def discard(self, source: str) -> None:
        """Forget a document (its bytes stay in the file until the store is closed)."""
        self._where.pop(source, None)
        self._forget(source)

    def _forget(self, source: str) -> None:
        """Drop what this process keeps of a document."""
        self._docs.pop(source, None)
        dropped = self._blocks.pop(source, None)
        if dropped is not None:
            self._blocks_size -= dropped[1]

    def _place(self, source: str) -> tuple[int, int, int, int]:
        """Return where a document's record starts, the size of the document, of its blocks and of
        its reading text; an adopted document's blocks are sized the first time it is asked for
        (an update asks for few of the documents it adopts)."""
        place = self._where[source]
        if place[2] == _UNREAD:
            start, size, _, extra = place
            blocks = int.from_bytes(self._read(self._after(start, size), _SIZE), "big")
            if blocks > extra - _SIZE:
                raise OSError(f"the document store's record of {source} is damaged")
            place = self._where[source] = (start, size, blocks, extra - _SIZE - blocks)
        return place

    def adopted_at(self, source: str) -> int | None:
        """Return where a document's pickle starts in the adopted file, or None when it is not there."""
        place = self._where.get(source)
        return place[0] if place is not None and place[0] < self._base else None

    def data(self, source: str) -> bytes:
        """Return a document's pickle."""
        start, size, _, _ = self._where[source]
        return self._read(start, size)

    def extra(self, source: str) -> bytes:
        """Return what ``prepared`` made of a document."""
        start, size, blocks, reading = self._place(source)
        return self._read(self._after(start, size), _SIZE + blocks + reading)

    def reading(self, source: str) -> DocumentReading:
        """Return a document's reading text."""
        start, size, blocks, reading = self._place(source)
        read: DocumentReading = pickle.loads(self._read(self._after(start, size) + _SIZE + blocks, reading))
        return read

    def get(self, source: str) -> Document:
        """Return a document."""
        doc = self._docs.get(source)
        if doc is not None:
            self._docs.move_to_end(source)
        else:
            doc = pickle.loads(self.data(source))
            self._docs[source] = doc
            if len(self._docs) > CACHED_DOCUMENTS:
                self._docs.popitem(last=False)
        return doc

    def blocks(self, source: str) -> dict[str, Block]:
        """Return a document's running text by block id, as ``document_blocks`` made it."""
        kept = self._blocks.get(source)
        if kept is not None:
            self._blocks.move_to_end(source)
            return kept[0]
        start, size, length, _ = self._place(source)
        blocks: dict[str, Block] = pickle.loads(self._read(self._after(start, size) + _SIZE, length))
        self._blocks[source] = (blocks, length)
        self._blocks_size += length
        while self._blocks_size > CACHED_BLOCKS and len(self._blocks) > 1:
            self._blocks_size -= self._blocks.popitem(last=False)[1][1]
        return blocks

    def position(self, source: str) -> int:
        """Return where a document's record starts in the file; a document put later starts further on."""
        return self._where[source][0]

    def records(self, share: int = 0, shares: int = 1) -> Iterator[tuple[int, dict[str, Block]]]:
        """Yield every document's position and blocks, in the order they lie in the file
        (or only those of the ``share``-th of ``shares`` equal runs)."""
        order = sorted(self._where, key=self.position)
        size = -(-len(order) // shares)
        for source in order[share * size : (share + 1) * size]:
            start, size_, length, _ = self._place(source)
            yield start, pickle.loads(self._read(self._after(start, size_) + _SIZE, length))

    @property
    def end(self) -> int:
        """Where the next document put will start."""
        return self._base + self._end

    @property
    def folder(self) -> Path | None:
        """The folder the store's file is in (None: the system's temporary folder)."""
        return self._folder

    def _after(self, start: int, size: int) -> int:
        """Return where what follows a document (store.prepared) starts."""
        return start + size + (self._gap if start < self._base else 0)

    def _read(self, start: int, size: int) -> bytes:
        """Read bytes at a position of the store, whichever process asks."""
        file = self._adopted if start < self._base else self._file
        assert file is not None
        data = os.pread(file.fileno(), size, start if start < self._base else start - self._base)
        if len(data) != size:
            raise OSError(f"the document store {file.name} was cut short")
        return data
