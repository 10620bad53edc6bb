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
from functools import partial
from pathlib import Path

from sitegen.build.cache import Cache
from sitegen.build.parallel import fork_map
from sitegen.errors import Diagnostic, SourceError
from sitegen.files import DOCUMENT_SUFFIXES, MARKDOWN_SUFFIXES, is_ignored
from sitegen.index.corpus import Corpus
from sitegen.index.resolve import Resolver
from sitegen.index.store import prepared
from sitegen.model import Document
from sitegen.parse.cable import parse_document
from sitegen.parse.markdown import MarkdownSource, read_markdown
from sitegen.parse.source import decode
from sitegen.report import Progress


def find_sources(content: Path) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """Return every source (document or Markdown) under ``content`` as (relative path, file path), sorted.

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
        for entry in entries:
            name = entry.name
            if is_ignored(name):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, f"{prefix}{name}/"))
            elif name.endswith(DOCUMENT_SUFFIXES + MARKDOWN_SUFFIXES):
                relative = prefix + name
                if entry.is_symlink() and not _inside(Path(entry.path), root):
                    skipped.append(Diagnostic(relative, 0, 0, "link to a file outside the content folder; skipped"))
                elif entry.is_file():
                    found.append((relative, entry.path))
    found.sort()
    skipped.sort()
    return found, skipped


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


def read_source(relative: str, path: str | Path) -> Source:
    """Read and parse one source file; never raises for bad input."""
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            data = file.read()
    except OSError as exc:
        return Source(relative, None, [Diagnostic(relative, 0, 0, f"cannot read file: {exc.strerror or exc}")])
    digest, stat = hashlib.sha256(data).hexdigest(), (info.st_mtime_ns, info.st_size)
    if relative.endswith(MARKDOWN_SUFFIXES):
        page, diagnostics = read_markdown(relative, data)
        return Source(relative, None, diagnostics, digest, stat, page)
    try:
        doc = parse_document(relative, data)
    except SourceError as exc:
        return Source(relative, None, [exc.diagnostic], digest, stat)
    except RecursionError:
        return Source(
            relative, None, [Diagnostic(relative, 0, 0, "file is too deeply nested to parse; skipped")], digest, stat
        )
    return Source(relative, doc, list(doc.diagnostics), digest, stat)


def parse_into(
    corpus: Corpus,
    files: list[tuple[str, str]],
    progress: Progress,
    cache: Cache | None = None,
    jobs: int = 1,
    resolver: Resolver | None = None,
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
    for done, (source, doc, data, extra, _) in enumerate(read_sources(files, cache, jobs, resolver, True), 1):
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
) -> Iterator[Read]:
    """Yield each file read, parsed and resolved with ``resolver`` (see Read), in order.

    With ``jobs`` > 1, forked workers do all of it, the pickles included,
    and this process only loads each document back.
    """
    if jobs <= 1:
        for item in files:
            yield _prepare(item, cache, resolver, extra, keep=True)
        return
    prepare = partial(_prepare, cache=cache, resolver=resolver, extra=extra, keep=False)
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


def _prepare(item: tuple[str, str], cache: Cache | None, resolver: Resolver | None, extra: bool, keep: bool) -> Read:
    """Read, parse and resolve one source (see read_sources); ``keep`` returns the document itself
    too, not only its pickle."""
    source, data, extra_data = reuse_or_read(*item, cache)
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


def reuse_or_read(relative: str, path: str, cache: Cache | None) -> tuple[Source, bytes | None, bytes | None]:
    """Return a source, reusing its cached parse when its content is unchanged; otherwise read and parse it.

    When the parse is reused, the pickle of its document (None if it has
    none) comes with it, and what the store keeps beside it when the cache
    has that.
    """
    cached = cache.sources.get(relative) if cache is not None else None
    if cached is not None and cached.digest:
        try:
            info = os.stat(path)
        except OSError:
            info = None
        if info is not None and cache is not None and cached.stat == (info.st_mtime_ns, info.st_size):
            return _reused(cached, cached.stat, cache)
    source = read_source(relative, path)
    if cached is not None and cache is not None and cached.digest and cached.digest == source.digest:
        return _reused(cached, source.stat, cache)
    return source, None, None


def _reused(cached: Source, stat: tuple[int, int], cache: Cache) -> tuple[Source, bytes | None, bytes | None]:
    """Return a cached source, with the given size and time, its document's pickle and what goes beside it."""
    return replace(cached, stat=stat, document=None), cache.data(cached.relative), cache.extra(cached.relative)


def source_reader(content: Path) -> Callable[[str], str | None]:
    """Return a function that reads a document's source text as its page shows it."""

    def read(relative: str) -> str | None:
        try:
            return decode((content / relative).read_bytes(), relative)[0]
        except (OSError, SourceError):
            return None

    return read
