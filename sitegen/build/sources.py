"""Read stage: find the source files, read and parse each one, reusing the cache of the last build.

Each source is parsed on its own (in forked workers with ``jobs`` > 1) and
indexed into the corpus in source order, so the result does not depend on
the number of processes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path

from sitegen.build.cache import Cache
from sitegen.build.parallel import fork_map
from sitegen.errors import Diagnostic, SourceError
from sitegen.files import MARKDOWN_SUFFIXES, is_ignored
from sitegen.index.corpus import Corpus
from sitegen.index.resolve import Resolver
from sitegen.index.store import prepared
from sitegen.model import Document
from sitegen.parse.conll import Part
from sitegen.parse.formats import (
    BRAT_TEXT,
    NO_CHOICES,
    Format,
    Formats,
    brat_text,
    line_bounds,
    parts_of,
    read_document,
    view_text,
)
from sitegen.parse.markdown import MarkdownSource, read_markdown
from sitegen.report import Progress


def find_sources(content: Path, formats: Formats = NO_CHOICES) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """Return every source (document or Markdown) under ``content`` as (source id, file path), sorted.

    A file in a format that holds several documents gives one source per
    document, ``file.jsonl#name`` (see parse/formats.py); the ``.txt`` of a
    brat ``.ann`` file is that document's text, not a source of its own.
    Hidden and editor files are skipped; so are links that lead out of ``content``.
    """
    found, skipped = [], []
    root = content.resolve()
    folders = [(str(content), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        names = {entry.name for entry in entries}
        annotated = any(name.endswith((".ann", ".ANN")) for name in names)  # brat: see _brat_text
        for entry in entries:
            name = entry.name
            if is_ignored(name):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, f"{prefix}{name}/"))
                continue
            fmt = None if name.endswith(MARKDOWN_SUFFIXES) else formats.format_of(name)
            if fmt is None and not name.endswith(MARKDOWN_SUFFIXES):
                continue
            if annotated and fmt is not None and fmt.name != "brat" and _brat_text(name, names, formats):
                continue
            relative = prefix + name
            if entry.is_symlink() and not _inside(Path(entry.path), root):
                skipped.append(Diagnostic(relative, 0, 0, "link to a file outside the content folder; skipped"))
            elif entry.is_file():
                found += [(source, entry.path) for source in _documents_of(relative, entry.path, fmt)]
    found.sort()
    skipped.sort()
    return found, skipped


def _brat_text(name: str, names: set[str], formats: Formats) -> bool:
    """Return True for the ``.txt`` text of a brat ``.ann`` file beside it."""
    if not name.lower().endswith(BRAT_TEXT):
        return False
    stem = name[: -len(BRAT_TEXT)]
    ann = next((stem + suffix for suffix in (".ann", ".ANN") if stem + suffix in names), None)
    found = formats.format_of(ann) if ann else None
    return found is not None and found.name == "brat"


def _documents_of(relative: str, path: str, fmt: Format | None) -> list[str]:
    """Return the source ids of a file: itself, or one per document of a file that holds several."""
    if fmt is None or not fmt.several:
        return [relative]
    try:
        info = os.stat(path)
        parts = _read_parts(path, (info.st_mtime_ns, info.st_size), fmt)[1]
    except OSError:
        return [relative]
    if not parts or (len(parts) == 1 and not fmt.always_named):
        return [relative]
    return [f"{relative}#{name}" for name in parts]


#: Each document of a file that holds several, by name: where it is, and where its bytes start and end.
Parts = dict[str, tuple[Part, int, int]]


@lru_cache(maxsize=8)
def _read_parts(path: str, stat: tuple[int, int], fmt: Format) -> tuple[bytes, Parts]:
    """Return a file's bytes and the documents it holds, read once for all of them (by the time
    and size it had, ``stat``)."""
    with open(path, "rb") as file:
        data = file.read()
    parts = parts_of(fmt, data)
    lines = line_bounds(data) if fmt.by_lines else []
    found: Parts = {}
    for part in parts:
        if fmt.by_lines:  # from the start of its first line to the end of its last one
            found[part.name] = (part, lines[part.first - 1][0], lines[part.last - 1][1])
        else:  # a binary file: each document needs the whole of it
            found[part.name] = (part, 0, len(data))
    return data, found


@dataclass(frozen=True, slots=True)
class _Bytes:
    """What one document is read from."""

    data: bytes
    """The document's bytes: the file, or its stretch of a file that holds several."""
    part: Part | None
    """Its place in a file that holds several."""
    companion: bytes | None
    """The text of a brat ``.ann`` file (None when missing, and for other formats)."""
    stat: tuple[int, int]
    """What tells that it changed (see source_stat)."""


def _document_bytes(path: str | Path, fmt: Format, name: str) -> _Bytes | None:
    """Read what one document is read from; None when its file holds no document ``name``. Raises OSError."""
    with open(path, "rb") as file:
        info = os.fstat(file.fileno())
        data = b"" if name else file.read()
    stat = (info.st_mtime_ns, info.st_size)
    part = None
    if name:
        whole, parts = _read_parts(str(path), stat, fmt)
        if name not in parts:
            return None
        part, start, end = parts[name]
        data = whole[start:end]
    companion = None
    if fmt.name == "brat":
        try:
            with open(brat_text(str(path)), "rb") as file:
                companion = file.read()
            stat = source_stat(path, fmt)
        except FileNotFoundError:
            pass
    return _Bytes(data, part, companion, stat)


def source_stat(path: str | Path, fmt: Format | None = None) -> tuple[int, int]:
    """Return what tells that a source changed: its modification time (ns) and size, those of a brat
    ``.ann`` file's text included. Raises OSError."""
    info = os.stat(path)
    stat = (info.st_mtime_ns, info.st_size)
    if fmt is not None and fmt.name == "brat":
        try:
            text = os.stat(brat_text(str(path)))
            stat = (max(stat[0], text.st_mtime_ns), stat[1] + text.st_size + 1)
        except OSError:
            pass
    return stat


def source_stats(files: list[tuple[str, str]], formats: Formats = NO_CHOICES) -> dict[str, list[int]]:
    """Return what tells that each source changed (sources.source_stat: modification time ns and
    size, a brat document's text included); missing files are left out. A file that holds several
    documents is looked at once."""
    stats: dict[str, list[int]] = {}
    seen: dict[str, list[int] | None] = {}
    for relative, path in files:
        if path not in seen:
            try:
                seen[path] = list(source_stat(path, formats.format_of(formats.split_source(relative)[0])))
            except OSError:
                seen[path] = None
        stat = seen[path]
        if stat is not None:
            stats[relative] = stat
    return stats


def _inside(path: Path, root: Path) -> bool:
    """Return True when a (possibly linked) file resolves inside ``root``."""
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


@dataclass(slots=True)
class Source:
    """One source file as read: its parse result and what identifies its content."""

    relative: str
    """Path relative to the content folder, with ``/`` separators."""
    document: Document | None
    """The parsed document, or None when the file cannot be used or is Markdown.

    Once the document is in the corpus, the corpus keeps it and this is None.
    """
    diagnostics: list[Diagnostic]
    """Warnings, or the reason the file was skipped."""
    digest: str = ""
    """SHA-256 of the bytes read."""
    stat: tuple[int, int] = (0, 0)
    """Modification time (ns) and size when read."""
    markdown: MarkdownSource | None = None
    """The parsed Markdown file, for a ``.md`` source."""
    rules: frozenset[str] = frozenset()
    """The rules of the authority file its document used (see index/resolve.py)."""

    def __reduce__(self):
        """Pickle as the constructor's arguments (the cache's directory keeps every source)."""
        return Source, (
            self.relative,
            self.document,
            self.diagnostics,
            self.digest,
            self.stat,
            self.markdown,
            self.rules,
        )


def read_source(relative: str, path: str | Path, formats: Formats = NO_CHOICES) -> Source:
    """Read and parse one source (a file, or one document of a file that holds several); never raises for bad input."""
    if relative.endswith(MARKDOWN_SUFFIXES):
        try:
            with open(path, "rb") as file:
                info = os.fstat(file.fileno())
                data = file.read()
        except OSError as exc:
            return Source(relative, None, [Diagnostic(relative, 0, 0, f"cannot read file: {exc.strerror or exc}")])
        page, diagnostics = read_markdown(relative, data)
        return Source(
            relative, None, diagnostics, hashlib.sha256(data).hexdigest(), (info.st_mtime_ns, info.st_size), page
        )
    file_relative, name = formats.split_source(relative)
    fmt = formats.format_of(file_relative)
    if fmt is None:
        return Source(relative, None, [Diagnostic(relative, 0, 0, "not a file sitegen reads; skipped")])
    try:
        read = _document_bytes(path, fmt, name)
    except OSError as exc:
        return Source(relative, None, [Diagnostic(relative, 0, 0, f"cannot read file: {exc.strerror or exc}")])
    if read is None:
        return Source(relative, None, [Diagnostic(relative, 0, 0, f"the file holds no document named {name!r}")])
    digest = _digest(read)
    try:
        doc = read_document(relative, fmt, read.data, formats.labels, read.part, read.companion)
    except SourceError as exc:
        return Source(relative, None, [exc.diagnostic], digest, read.stat)
    except RecursionError:
        return Source(
            relative,
            None,
            [Diagnostic(relative, 0, 0, "file is too deeply nested to parse; skipped")],
            digest,
            read.stat,
        )
    return Source(relative, doc, list(doc.diagnostics), digest, read.stat)


def _digest(read: _Bytes) -> str:
    """Return the SHA-256 of what a document is read from, its name in its file and a brat document's text
    included (that of its bytes alone for a file that is one document)."""
    digest = hashlib.sha256(read.data)
    if read.part is not None:
        digest.update(b"\0" + read.part.name.encode())
    if read.companion is not None:
        digest.update(b"\0" + read.companion)
    return digest.hexdigest()


def parse_into(
    corpus: Corpus,
    files: list[tuple[str, str]],
    progress: Progress,
    cache: Cache | None = None,
    jobs: int = 1,
    resolver: Resolver | None = None,
    formats: Formats = NO_CHOICES,
) -> list[Source]:
    """Parse every source file independently, in source order, indexing each document into ``corpus``.

    The corpus keeps the documents, so the sources are returned without
    them. A source in ``cache`` with the same size and modification time, or
    the same content hash, is not parsed again. With ``jobs`` > 1 that many
    forked workers read, parse and resolve, and prepare what the corpus's
    store keeps, while this process indexes what they send back, in the
    same order. ``resolver`` decides which entity each mention names (a
    source reused from the cache was resolved the same way).
    """
    parsed = []
    for done, (source, doc, data, extra, _) in enumerate(read_sources(files, cache, jobs, resolver, True, formats), 1):
        if doc is not None:
            corpus.add(doc, data, extra)
        parsed.append(source)
        progress.update("parsing", done, len(files))
    return parsed


#: Source files a parsing worker takes at a time.
PARSE_BATCH = 8
#: Batches parsed ahead of the one being indexed, at most (about a thousand documents' pickles).
PARSE_AHEAD = 128

#: One source as read_sources yields it: the source (without its document), the document as the
#: site shows it, its pickle, what the corpus's store keeps beside it (store.prepared) when asked
#: for, and whether it was reused from the cache.
Read = tuple[Source, Document | None, bytes | None, bytes | None, bool]


def read_sources(
    files: list[tuple[str, str]],
    cache: Cache | None,
    jobs: int,
    resolver: Resolver | None = None,
    extra: bool = False,
    formats: Formats = NO_CHOICES,
) -> Iterator[Read]:
    """Yield each file read, parsed and resolved with ``resolver`` (see Read), in order.

    With ``jobs`` > 1, forked workers do all of it, the pickles included,
    and this process only loads each document back.
    """
    if jobs <= 1:
        for item in files:
            yield _prepare(item, cache, resolver, extra, keep=True, formats=formats)
        return
    prepare = partial(_prepare, cache=cache, resolver=resolver, extra=extra, keep=False, formats=formats)
    for source, doc, data, extra_data, reused in fork_map(
        prepare, files, jobs, what="parsing sources", batch=PARSE_BATCH, in_flight=PARSE_AHEAD
    ):
        if doc is None and data is not None:
            doc = pickle.loads(data)
        yield source, doc, data, extra_data, reused


def resolve_source(resolver: Resolver, source: Source, doc: Document) -> tuple[Document, Source]:
    """Return a freshly parsed document as the site shows it, and its source with the rules it used."""
    resolved, rules = resolver.resolve(doc)
    return resolved, replace(source, rules=rules) if rules else source


def _prepare(
    item: tuple[str, str],
    cache: Cache | None,
    resolver: Resolver | None,
    extra: bool,
    keep: bool,
    formats: Formats = NO_CHOICES,
) -> Read:
    """Read, parse and resolve one source (see read_sources); ``keep`` returns the document itself
    too, not only its pickle."""
    source, data, extra_data = reuse_or_read(*item, cache, formats)
    reused = data is not None
    if not extra:
        extra_data = None
    doc = source.document
    if data is not None and (keep or (extra and extra_data is None)):
        doc = pickle.loads(data)
    source = replace(source, document=None)
    if doc is not None and not reused and resolver is not None:
        doc, source = resolve_source(resolver, source, doc)
    if doc is not None and data is None:
        data = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    if extra and extra_data is None and doc is not None:
        extra_data = prepared(doc)
    return source, doc if keep else None, data, extra_data, reused


def reuse_or_read(
    relative: str, path: str, cache: Cache | None, formats: Formats = NO_CHOICES
) -> tuple[Source, bytes | None, bytes | None]:
    """Return a source, reusing its cached parse when its content is unchanged; otherwise read and parse it.

    When the parse is reused, the pickle of its document (None if it has
    none) comes with it, and what the store keeps beside it when the cache
    has that.
    """
    cached = cache.sources.get(relative) if cache is not None else None
    if cached is not None and cached.digest:
        try:
            stat: tuple[int, int] | None = source_stat(path, formats.format_of(formats.split_source(relative)[0]))
        except OSError:
            stat = None
        if stat is not None and cache is not None and cached.stat == stat:
            return _reused(cached, cached.stat, cache)
    source = read_source(relative, path, formats)
    if cached is not None and cache is not None and cached.digest and cached.digest == source.digest:
        return _reused(cached, source.stat, cache)
    return source, None, None


def _reused(cached: Source, stat: tuple[int, int], cache: Cache) -> tuple[Source, bytes | None, bytes | None]:
    """Return a cached source, with the given size and time, its document's pickle and what goes beside it."""
    return replace(cached, stat=stat, document=None), cache.data(cached.relative), cache.extra(cached.relative)


#: What a document's source view shows: its text as written, the number of its first line in
#: the file, and the Pygments lexer that highlights it (empty: none).
SourceText = tuple[str, int, str]


def source_reader(content: Path, formats: Formats = NO_CHOICES) -> Callable[[str], SourceText | None]:
    """Return a function that reads a document's source text as its source view shows it."""

    def read(relative: str) -> SourceText | None:
        file_relative, name = formats.split_source(relative)
        fmt = formats.format_of(file_relative)
        if fmt is None:
            return None
        try:
            found = _document_bytes(content / file_relative, fmt, name)
            if found is None:
                return None
            text, first = view_text(relative, fmt, found.data, found.part, found.companion)
        except (OSError, SourceError):
            return None
        return text, first, fmt.lexer

    return read
