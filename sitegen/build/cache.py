"""The parsed-document cache: every source as it was parsed for the site in an output folder.

It is one file beside the output folder (``site/`` has ``.site.sitegen-cache``)
and holds, for each source, its parse result, content hash, size and
modification time. A build reuses the parse of every source whose bytes are
unchanged, and when the site on disk was built from the cached sources with
the same configuration, theme and code, it re-renders only the pages the
changed sources affect.

The file starts with a line of JSON naming the cache format, a fingerprint
of sitegen's own code, the build key and the resolution (see
index/resolve.py), then the pickled authority file the documents were
resolved with. Each source follows as a
length-prefixed record, so the cache is written and read one source at a
time, and a SHA-256 of the records ends the file. A record is the source's
details (path, content hash, size, time, warnings), the pickle of its
parsed document and what the document store keeps beside it (its blocks and
reading text, see index/store.py), which are only read when the build
reuses them. After the records come the corpus index that the documents
make (Corpus.write_index) and the output paths of each page family, then
their size, so that an update in place need not index every document
again nor list every page. A cache that
is missing, truncated, damaged or written by other code is ignored, never
trusted: the build then parses everything again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from sitegen.build.manifest import code_fingerprint
from sitegen.index.resolve import Resolver
from sitegen.parse.authority import Authority
from sitegen.report import log

FORMAT = 7
_LENGTH = 8
"""Bytes of the length before each part of a record."""
CACHE_GAP = _LENGTH
"""Bytes between a document's pickle and what the store keeps beside it (see Cache.where)."""
_DIGEST = 64
"""Bytes of the checksum (hexadecimal SHA-256) after the last record."""
_CHUNK = 1 << 20


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
    """Where the corpus index of the documents is in the file, and its size (0: none)."""

    def resolver(self, now: Resolver) -> Resolver:
        """Return the resolver the documents were resolved with, given the one of the build now
        (``now`` itself when they are the same; the name rules are part of the build key)."""
        return now if self.resolution == now.digest else Resolver(self.authority, now.rules)

    def data(self, relative: str) -> bytes | None:
        """Return the pickle of a source's parsed document, or None when it has none."""
        place = self.where.get(relative)
        if place is None or self.file is None:
            return None
        data = os.pread(self.file.fileno(), place[1], place[0])
        return data if len(data) == place[1] else None

    def index(self) -> bytes | None:
        """Return the corpus index of the cached documents (Corpus.index_state), or None."""
        start, size = self.index_at
        if not size or self.file is None:
            return None
        data = os.pread(self.file.fileno(), size, start)
        return data if len(data) == size else None

    def extra(self, relative: str) -> bytes | None:
        """Return what the document store keeps beside a source's document (store.prepared), or None."""
        place = self.where.get(relative)
        if place is None or self.file is None or not place[2]:
            return None
        data = os.pread(self.file.fileno(), place[2], place[0] + place[1] + _LENGTH)
        return data if len(data) == place[2] else None


def cache_path(output: Path) -> Path:
    """Return where the cache of the site in ``output`` is kept: a hidden file beside it."""
    output = output.absolute()
    return output.parent / f".{output.name}.sitegen-cache"


def read_cache(output: Path) -> Cache | None:
    """Return the cache of the site in ``output``, or None when there is none to trust.

    The checksum is verified before anything is unpickled. Documents stay in
    the file until ``Cache.data`` asks for one.
    """
    file = None
    try:
        file = open(cache_path(output), "rb")
        head = json.loads(file.readline())
        if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("code") != code_fingerprint():
            file.close()
            return None
        start = file.tell()
        end = os.fstat(file.fileno()).st_size - _DIGEST
        if end < start + _LENGTH or not _verified(file, end):
            file.close()
            return None
        file.seek(end - _LENGTH)
        size = int.from_bytes(file.read(_LENGTH), "big")
        end -= _LENGTH + size
        if end < start:
            file.close()
            return None
        index_at = (end, size)
        file.seek(start)
        authority = pickle.loads(file.read(int.from_bytes(file.read(_LENGTH), "big")))
        cache = Cache(
            str(head.get("key", "")),
            {},
            file,
            resolution=str(head.get("resolution", "")),
            authority=authority,
            index_at=index_at,
        )
        while file.tell() < end:
            source = pickle.loads(file.read(int.from_bytes(file.read(_LENGTH), "big")))
            size = int.from_bytes(file.read(_LENGTH), "big")
            start = file.tell()
            file.seek(size, os.SEEK_CUR)
            extra = int.from_bytes(file.read(_LENGTH), "big")
            file.seek(extra, os.SEEK_CUR)
            if size:
                cache.where[source.relative] = (start, size, extra)
            cache.sources[source.relative] = source
        return cache
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        # Damaged or unreadable: ignored, never trusted. The checksum and the code fingerprint are
        # checked before anything is unpickled, so any other error here is a bug and is raised.
        log.debug("the cache of parsed sources is not used: %s", exc)
        if file is not None:
            file.close()
        return None


def _verified(file: BinaryIO, end: int) -> bool:
    """Return True when the records up to ``end`` match the checksum that follows them."""
    digest = hashlib.sha256()
    left = end - file.tell()
    while left > 0:
        chunk = file.read(min(_CHUNK, left))
        if not chunk:
            return False
        digest.update(chunk)
        left -= len(chunk)
    return file.read(_DIGEST) == digest.hexdigest().encode()


def write_cache(
    output: Path,
    key: str,
    sources: Iterable,
    documents: Callable[[str], tuple[bytes, bytes] | None],
    resolver: Resolver,
    index: Callable[[SupportsWrite[bytes]], object] | None = None,
) -> None:
    """Write the cache beside ``output`` atomically, one source at a time; a cache that cannot be written is skipped.

    ``sources`` are build.Source records without their documents;
    ``documents`` returns the pickle of a source's parsed document and what
    the document store keeps beside it, or None.
    The documents are resolved (see index/resolve.py) by ``resolver``, whose
    authority file is kept too: after an edit of it, an update in place
    finds the documents it resolves otherwise. ``index`` writes the corpus
    index of exactly these documents into a file (Corpus.write_index).
    """
    path = cache_path(output)
    head = json.dumps({"format": FORMAT, "code": code_fingerprint(), "key": key, "resolution": resolver.digest})
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as file:
            file.write(head.encode() + b"\n")
            authority = pickle.dumps(resolver.authority, protocol=pickle.HIGHEST_PROTOCOL)
            for part in (len(authority).to_bytes(_LENGTH, "big"), authority):
                digest.update(part)
                file.write(part)
            for source in sources:
                meta = pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL)
                data, extra = documents(source.relative) or (b"", b"")
                for part in (
                    len(meta).to_bytes(_LENGTH, "big"),
                    meta,
                    len(data).to_bytes(_LENGTH, "big"),
                    data,
                    len(extra).to_bytes(_LENGTH, "big"),
                    extra,
                ):
                    digest.update(part)
                    file.write(part)
            start = file.tell()
            if index is not None:
                index(_Hashing(file, digest))
            size = (file.tell() - start).to_bytes(_LENGTH, "big")
            digest.update(size)
            file.write(size)
            file.write(digest.hexdigest().encode())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


class _Hashing:
    """A file to write into that adds what is written to a digest."""

    def __init__(self, file: BinaryIO, digest: hashlib._Hash) -> None:
        self._file, self._digest = file, digest

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        return self._file.write(data)
