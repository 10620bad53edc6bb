"""The parsed-document cache: every source as it was parsed for the site in an output folder.

It is one file beside the output folder (``site/`` has ``.site.sitegen-cache``)
and holds, for each source, its parse result, content hash, size and
modification time. A build reuses the parse of every source whose bytes are
unchanged, and when the site on disk was built from the cached sources with
the same configuration, theme and code, it re-renders only the pages the
changed sources affect.

The file starts with a line of JSON naming the cache format and a
fingerprint of sitegen's own code. The parsed documents follow, one record
each: the pickle of the document and what the document store keeps beside
it (its blocks and reading text, see index/store.py), each after its
length. Then comes the directory: a pickle of the build key, the resolution
(see index/resolve.py) and the authority file the documents were resolved
with, then, pickled in pieces (index/pieces.py), each
source's details (path, content hash, size, time, warnings) and where its
record is with the record's SHA-256. After the directory comes the
index of the site: the corpus index that the documents make
(Corpus.write_index), the output paths of each page family, the
entities' rows and the entities by the first characters of their words
(journal.write_tables, which names the entities and documents by the
index's numbers), so that an update in place need not index every
document again, list every page nor look at every entity's words. The file ends with the
sizes of the directory and of what follows it, the SHA-256 of the index,
and a SHA-256 of all that.

A whole build writes the file anew. An update in place appends: it keeps
the records of the documents it did not parse again where they are, writes
the new ones after them in place of the old directory, then a new directory
and checksum (write_cache). After the directory it writes either the index
whole, or only what changed since the index in the file was written (a
journal, see build/journal.py): the directory then says where that index
is and its SHA-256, and the next appends keep it. A file that records
mostly documents no longer used is written anew instead, with its index
whole. A cache that is missing, truncated,
damaged (any record or the directory) or written by other code is ignored,
never trusted: the build then parses everything again. Every checksum is
verified before anything is unpickled. An update in place checks the
records in a process of its own while it takes the index from the cache
(``read_cache(..., records_later=True)``), and asks ``Cache.sound`` before it
reads any document.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from sitegen.build.manifest import code_fingerprint
from sitegen.index.pieces import dump_in_pieces, load_in_pieces
from sitegen.index.resolve import Resolver
from sitegen.parse.authority import Authority
from sitegen.report import log

FORMAT = 14
_LENGTH = 8
"""Bytes of the length before each part of a record, and of each size at the end of the file."""
CACHE_GAP = _LENGTH
"""Bytes between a document's pickle and what the store keeps beside it (see Cache.where)."""
_DIGEST = 64
"""Bytes of the checksum (hexadecimal SHA-256) at the end of the file."""
_INDEX_DIGEST = 32
"""Bytes of the SHA-256 of an index written whole after the directory (zeros after a journal)."""
_TAIL = 2 * _LENGTH + _INDEX_DIGEST + _DIGEST
"""Bytes after the index or journal: the sizes of the directory and of what follows it, the
index's SHA-256, and the checksum of all of them."""
_CHUNK = 1 << 20
#: Why a cache whose records were checked apart from its directory is not trusted.
_WRONG_RECORD = "a record's checksum is wrong"
#: An update in place writes the cache anew rather than appending when fewer than this share of its
#: records' bytes are documents still used.
MIN_LIVE_SHARE = 0.5


@dataclass
class Cache:
    """The sources one build read, and what the site was built with."""

    key: str
    """The build key (configuration, theme, templates, code) of the site built from these sources."""
    sources: dict
    """Each source (a build.Source, without its document) by relative path."""
    file: BinaryIO | None = None
    """The open cache file, from which documents are read when asked for."""
    where: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """Per source that parsed into a document: where its pickle is in the file, its size, and the
    size of what follows it (store.prepared)."""
    resolution: str = ""
    """What identifies how the documents were resolved (Resolver.digest)."""
    authority: Authority = field(default_factory=Authority)
    """The authority file they were resolved with."""
    index_at: tuple[int, int] = (0, 0)
    """Where the index of the site is in the file, and its size (0: none)."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """Per source in ``where``: the SHA-256 of its record (document, length, what follows it)."""
    records_end: int = 0
    """Where the records end and the directory starts (where an update appends)."""
    checking: int = 0
    """The process checking the records, when ``read_cache`` left them for later (0: none)."""
    damaged: list[str] = field(default_factory=list)
    """Why the records cannot be trusted, when the check found it (empty: sound or not yet known)."""
    index_digest: bytes = b""
    """The SHA-256 of the index."""
    journal_at: tuple[int, int] = (0, 0)
    """Where what changed since the index was written is in the file, and its size (0: the index
    is whole, right after the directory)."""

    def sound(self) -> bool:
        """Return True when every record's checksum is right, waiting for a check still running."""
        if self.checking:
            pid, self.checking = self.checking, 0
            try:
                sound = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
            except OSError:  # its status is lost (SIGCHLD ignored): check here
                sound = _records_sound_here(self)
            if not sound:
                self.damaged.append(_WRONG_RECORD)
        return not self.damaged

    def resolver(self, now: Resolver) -> Resolver:
        """Return the resolver the documents were resolved with, given the one of the build now
        (``now`` itself when they are the same; the name rules are part of the build key)."""
        return now if self.resolution == now.digest else Resolver(self.authority, now.rules)

    def data(self, relative: str) -> bytes | None:
        """Return the pickle of a source's parsed document, or None when it has none."""
        place = self.where.get(relative)
        if place is None or self.file is None or not self.sound():
            return None
        data = os.pread(self.file.fileno(), place[1], place[0])
        return data if len(data) == place[1] else None

    def index(self) -> BinaryIO | None:
        """Return the cache file opened again at the start of the index of the site (see
        pipeline._write_index), or None when there is none to trust; the caller closes it.

        The index is read through the file's buffer, a frame of its pickles at
        a time: reading tens of megabytes into one bytes object first would
        cost more time than the reading, and as much memory as the index.
        """
        start, size = self.index_at
        if not size or self.file is None:
            return None
        descriptor = self.file.fileno()
        if self.journal_at[1]:  # an index kept from an earlier write: the directory's checksum does not cover it
            digest = hashlib.sha256()
            if not _hashed(descriptor, start, size, digest) or digest.digest() != self.index_digest:
                return None
        reader = os.fdopen(os.dup(descriptor), "rb")  # its offset is the file's: every other read is os.pread
        reader.seek(start)
        return reader

    def journal(self) -> bytes | None:
        """Return what changed since the index was written (see build/journal.py), or None when the index is whole."""
        start, size = self.journal_at
        if not size or self.file is None:
            return None
        data = os.pread(self.file.fileno(), size, start)
        return data if len(data) == size else None

    def extra(self, relative: str) -> bytes | None:
        """Return what the document store keeps beside a source's document (store.prepared), or None."""
        place = self.where.get(relative)
        if place is None or self.file is None or not place[2] or not self.sound():
            return None
        data = os.pread(self.file.fileno(), place[2], place[0] + place[1] + _LENGTH)
        return data if len(data) == place[2] else None


def cache_path(output: Path) -> Path:
    """Return where the cache of the site in ``output`` is kept: a hidden file beside it."""
    output = output.absolute()
    return output.parent / f".{output.name}.sitegen-cache"


def read_cache(output: Path, records_later: bool = False) -> Cache | None:
    """Return the cache of the site in ``output``, or None when there is none to trust.

    Every checksum (the directory's, then each record's) is verified before
    anything is unpickled. Documents stay in the file until ``Cache.data`` asks for one.
    With ``records_later`` a cache whose directory and index are sound is
    returned, and its records' checksums are verified in a forked process
    while the caller goes on (here at once where this process has other
    threads): it must ask ``Cache.sound`` before it reads a document from
    the file by itself (``Cache.data`` and ``extra`` ask).
    """
    file = None
    try:
        file = open(cache_path(output), "rb")
        head = json.loads(file.readline())
        if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("code") != code_fingerprint():
            file.close()
            return None
        cache = _directory(file, file.tell())
        if cache is not None:
            if not records_later:
                cache = cache if _records_sound(file.fileno(), cache) else None
            elif hasattr(os, "fork") and threading.active_count() == 1:  # forking a threaded process is unsafe
                cache.checking = _check_records(cache)
            elif not _records_sound(file.fileno(), cache):
                cache.damaged.append(_WRONG_RECORD)
        if cache is None:
            file.close()
        return cache
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        # Damaged or unreadable: ignored, never trusted. The checksums and the code fingerprint are
        # checked before anything is unpickled, so any other error here is a bug and is raised.
        log.debug("the cache of parsed sources is not used: %s", exc)
        if file is not None:
            file.close()
        return None


def _directory(file: BinaryIO, start: int) -> Cache | None:
    """Return the cache whose records start at ``start`` in ``file``, or None when a checksum fails."""
    end = os.fstat(file.fileno()).st_size - _TAIL
    if end < start:
        return None
    tail = os.pread(file.fileno(), _TAIL, end)
    size = int.from_bytes(tail[:_LENGTH], "big")
    after = int.from_bytes(tail[_LENGTH : 2 * _LENGTH], "big")
    records_end = end - after - size
    if records_end < start:
        return None
    digest = hashlib.sha256()
    for at, length in ((records_end, size + after), (end, _TAIL - _DIGEST)):
        if not _hashed(file.fileno(), at, length, digest):
            return None
    if tail[_TAIL - _DIGEST :] != digest.hexdigest().encode():
        return None
    with os.fdopen(os.dup(file.fileno()), "rb") as reader:  # its offset is the file's: other reads are os.pread
        reader.seek(records_end)
        found = pickle.load(reader)
        sources, where, digests = (load_in_pieces(reader) for _ in range(3))
        if reader.tell() != records_end + size:
            return None
    if not (
        isinstance(found, dict) and isinstance(sources, list) and isinstance(where, dict) and isinstance(digests, dict)
    ):
        return None
    if any(at < start or at + data + _LENGTH + extra > records_end for at, data, extra in where.values()):
        return None
    kept = found["index"]
    if kept is None:  # the index follows the directory
        index_at, index_digest, journal_at = (records_end + size, after), tail[2 * _LENGTH : _TAIL - _DIGEST], (0, 0)
    else:  # a journal follows it, and the directory says where the index is
        index_at, index_digest, journal_at = (kept[0], kept[1]), kept[2], (records_end + size, after)
        if index_at[0] < start or sum(index_at) > records_end:
            return None
    return Cache(
        found["key"],
        {source.relative: source for source in sources},
        file,
        where,
        found["resolution"],
        found["authority"],
        index_at,
        digests,
        records_end,
        index_digest=index_digest,
        journal_at=journal_at,
    )


def _records_sound(descriptor: int, cache: Cache) -> bool:
    """Return True when the checksum of every record of ``cache`` in the open file is right."""
    for relative, (at, data, extra) in sorted(cache.where.items(), key=lambda item: item[1]):
        record = hashlib.sha256()
        if not _hashed(descriptor, at, data + _LENGTH + extra, record):
            return False
        if record.digest() != cache.digests.get(relative):
            return False
    return True


def _records_sound_here(cache: Cache) -> bool:
    """Return True when the records of ``cache`` are sound, checked in this process."""
    try:
        return cache.file is not None and _records_sound(cache.file.fileno(), cache)
    except (OSError, ValueError):  # unreadable, or closed
        return False


def _check_records(cache: Cache) -> int:
    """Start verifying the records of ``cache`` in a forked process, which exits with 0 when they
    are sound; return its id. (A process rather than a thread: hashing record by record would wait
    for the interpreter of a process busy unpickling the index.)"""
    assert cache.file is not None
    descriptor = cache.file.fileno()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child only hashes and exits
        sound = False
        try:
            sound = _records_sound(descriptor, cache)
        finally:
            os._exit(0 if sound else 1)
    return pid


def _hashed(descriptor: int, at: int, length: int, digest: hashlib._Hash) -> bool:
    """Add ``length`` bytes of an open file from ``at`` to ``digest``; return False when the file is shorter."""
    while length > 0:
        chunk = os.pread(descriptor, min(_CHUNK, length), at)
        if not chunk:
            return False
        digest.update(chunk)
        at += len(chunk)
        length -= len(chunk)
    return True


def write_cache(
    output: Path,
    key: str,
    sources: Iterable,
    documents: Callable[[str], tuple[bytes, bytes] | None],
    resolver: Resolver,
    index: Callable[[SupportsWrite[bytes]], object] | None = None,
    previous: Cache | None = None,
    kept: Callable[[str], bool] = lambda relative: False,
    journal: Callable[[Cache], bytes | None] | None = None,
) -> None:
    """Write the cache beside ``output``, one source at a time; a cache that cannot be written is skipped.

    ``sources`` are build.Source records without their documents;
    ``documents`` returns the pickle of a source's parsed document and what
    the document store keeps beside it, or None.
    The documents are resolved (see index/resolve.py) by ``resolver``, whose
    authority file is kept too: after an edit of it, an update in place
    finds the documents it resolves otherwise. ``index`` writes the index
    of the site that exactly these documents make into a file
    (pipeline._write_index).

    With ``previous``, the cache this build read and still has open, the
    records of the sources for which ``kept`` is True (their document is the
    one recorded there) stay where they are and the rest is appended; else
    the cache is written anew into a temporary file that then replaces it.
    When it is appended to, ``journal`` may return what changed since
    ``previous``'s index was written (see build/journal.py): that is written
    in place of the index, which stays where it is. When it returns None the
    index is written whole.
    """
    path = cache_path(output)
    sources = list(sources)
    try:
        rest = partial(_write_rest, key=key, sources=sources, documents=documents, resolver=resolver, index=index)
        if previous is not None and _mostly_live(previous, sources, kept):
            changes = journal(previous) if journal is not None and previous.index_at[1] else None
            # A journal follows the index it was made against: that index stays where it is.
            end = max(previous.records_end, sum(previous.index_at)) if changes is not None else previous.records_end
            if _appended(path, previous, end, partial(rest, previous=previous, kept=kept, changes=changes)):
                return
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "wb") as file:
                head = json.dumps({"format": FORMAT, "code": code_fingerprint()})
                file.write(head.encode() + b"\n")
                rest(file)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("the cache of parsed sources is not written: %s", exc)


def _mostly_live(previous: Cache, sources: list, kept: Callable[[str], bool]) -> bool:
    """Return True when most of the bytes of ``previous``'s records are documents still used."""
    if previous.file is None or not previous.records_end:
        return False
    live = sum(
        place[1] + place[2]
        for source in sources
        if (place := previous.where.get(source.relative)) is not None and kept(source.relative)
    )
    return live >= MIN_LIVE_SHARE * previous.records_end


def _appended(path: Path, previous: Cache, end: int, write: Callable[[BinaryIO], None]) -> bool:
    """Have ``write`` write from ``end``, after ``previous``'s records (and the index a journal is
    made against), when ``previous`` is still the file at ``path``; return False when it is not
    (then nothing was written)."""
    assert previous.file is not None  # _mostly_live checked
    try:
        file = open(path, "r+b")
    except FileNotFoundError:
        return False
    with file:
        if os.fstat(file.fileno()).st_ino != os.fstat(previous.file.fileno()).st_ino:
            return False
        file.truncate(end)
        file.seek(end)
        write(file)
    return True


def _write_rest(
    file: BinaryIO,
    key: str,
    sources: list,
    documents: Callable[[str], tuple[bytes, bytes] | None],
    resolver: Resolver,
    index: Callable[[SupportsWrite[bytes]], object] | None,
    previous: Cache | None = None,
    kept: Callable[[str], bool] = lambda relative: False,
    changes: bytes | None = None,
) -> None:
    """Write, from where ``file`` is, the records not kept from ``previous``, then the directory,
    the index (or, with ``changes``, those in place of ``previous``'s index) and the checksum."""
    where: dict[str, tuple[int, int, int]] = {}
    digests: dict[str, bytes] = {}
    for source in sources:
        relative = source.relative
        if previous is not None and relative in previous.where and kept(relative):
            where[relative], digests[relative] = previous.where[relative], previous.digests[relative]
            continue
        found = documents(relative)
        if found is None or not found[0]:
            continue
        data, extra = found
        record = b"".join((len(data).to_bytes(_LENGTH, "big"), data, len(extra).to_bytes(_LENGTH, "big"), extra))
        where[relative] = (file.tell() + _LENGTH, len(data), len(extra))
        digests[relative] = hashlib.sha256(record[_LENGTH:]).digest()
        file.write(record)
    digest = hashlib.sha256()
    directory_at = file.tell()
    hashing = _Hashing(file, digest)
    pickle.dump(
        {
            "key": key,
            "resolution": resolver.digest,
            "authority": resolver.authority,
            # Where the index is, when what follows the directory is a journal against it.
            "index": None if changes is None or previous is None else (*previous.index_at, previous.index_digest),
        },
        hashing,
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    for table in (sources, where, digests):  # in pieces: pickling remembers what it wrote until it ends
        dump_in_pieces(table, hashing)
    start = file.tell()
    own = hashlib.sha256()
    if changes is not None:
        digest.update(changes)
        file.write(changes)
    elif index is not None:
        index(_Hashing(file, digest, own))
    tail = b"".join(
        (
            (start - directory_at).to_bytes(_LENGTH, "big"),
            (file.tell() - start).to_bytes(_LENGTH, "big"),
            own.digest() if changes is None else bytes(_INDEX_DIGEST),
        )
    )
    digest.update(tail)
    file.write(tail + digest.hexdigest().encode())


class _Hashing:
    """A file to write into that adds what is written to digests."""

    def __init__(self, file: BinaryIO, *digests: hashlib._Hash) -> None:
        self._file, self._digests = file, digests

    def write(self, data: bytes) -> int:
        for digest in self._digests:
            digest.update(data)
        return self._file.write(data)
