"""Orchestration: read -> parse -> gather -> render -> write.

Only ``read_sources`` and the writing at the end touch the disk; the stages in
between are the pure functions of cable.py, corpus.py and pages.py.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment

from sitegen.cable import parse_document
from sitegen.cache import Cache, read_cache, write_cache
from sitegen.config import Config
from sitegen.corpus import Corpus
from sitegen.errors import ConfigError, Diagnostic, SitegenError, SourceError
from sitegen.kinds import Family, families, family_pages, kind_of
from sitegen.lexer import pygments_css
from sitegen.manifest import (
    Manifest,
    build_id,
    build_key,
    diagnostics,
    outputs_present,
    read_manifest,
    source_stats,
    up_to_date,
    write_manifest,
)
from sitegen.markdown import MarkdownSource, read_markdown, unknown_mentions
from sitegen.model import Document
from sitegen.output import Staging, check_output, staged_output
from sitegen.pages import Site
from sitegen.progress import Progress
from sitegen.render import find_theme, make_environment, render_parts, theme_hashes
from sitegen.search import build_index, pagefind_command
from sitegen.source import decode
from sitegen.store import DocumentStore

#: Source files by suffix: tagged documents and Markdown pages.
DOCUMENT_SUFFIXES = (".txt",)
MARKDOWN_SUFFIXES = (".md",)


@dataclass
class Update:
    """What an update in place did."""

    sources: list[str]
    """The sources whose content changed, were added or were deleted."""
    rendered: int
    """Pages and data files rendered again."""
    changed: list[str]
    """Output files written or deleted because their content changed."""
    theme: list[str] = field(default_factory=list)
    """The templates and static files that changed, as ``templates/NAME`` and ``static/PATH``."""


def what_changed(sources: Collection[str], theme: list[str]) -> str:
    """Return what an update in place is for: '3 changed sources', 'templates/doc.html', or both."""
    count = len(sources)
    parts = [f"{count:,} changed source{'s' if count != 1 else ''}"] if count or not theme else []
    return " and ".join(parts + ([", ".join(theme)] if theme else []))


@dataclass
class BuildResult:
    """What one build did."""

    documents: int = 0
    """Documents in the site."""
    entities: int = 0
    """Entities in the site."""
    pages: int = 0
    """HTML pages in the site."""
    files: int = 0
    """Files in the site, pages included."""
    seconds: float = 0.0
    """How long the build took."""
    warnings: list[Diagnostic] = field(default_factory=list)
    up_to_date: bool = False
    """True when the output was already built from this input and nothing was done."""
    update: Update | None = None
    """Set when the site was updated in place: only the pages that changed sources affect were rendered."""


def is_ignored(name: str) -> bool:
    """Return True for hidden files and editors' swap, backup and lock files."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp")) or name == "4913"


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


@dataclass
class Outcome:
    """What a whole build or an update in place made."""

    sources: list[Source]
    """Every source read, in source order."""
    site: Site
    outputs: list[str]
    """Every output file of the page families, in family order."""
    warnings: list[Diagnostic]
    update: Update | None = None
    """For an update in place: what changed."""


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
    corpus: Corpus, files: list[tuple[str, str]], progress: Progress, cache: Cache | None = None, jobs: int = 1
) -> list[Source]:
    """Parse every source file independently, in source order, indexing each document into ``corpus``.

    The corpus keeps the documents, so the sources are returned without
    them. A source in ``cache`` with the same size and modification time, or
    the same content hash, is not parsed again. With ``jobs`` > 1 that many
    forked workers read and parse, while this process indexes what they
    send back, in the same order.
    """
    parsed = []
    read = (
        _read_in_workers(files, cache, jobs)
        if jobs > 1 and len(files) > PARSE_WINDOW
        else (_read_here(relative, path, cache) for relative, path in files)
    )
    for done, (source, doc, data) in enumerate(read, 1):
        if doc is not None:
            corpus.add(doc, data)
        parsed.append(source)
        progress.update("parsing", done, len(files))
    return parsed


#: Source files handed to the parsing workers at a time; two such windows are in flight.
PARSE_WINDOW = 512


def _read_here(relative: str, path: str, cache: Cache | None) -> tuple[Source, Document | None, bytes | None]:
    """Return a source (without its document), its document and the document's pickle when known."""
    source, data = reuse_or_read(relative, path, cache)
    if data is not None:
        return source, pickle.loads(data), data
    return replace(source, document=None), source.document, None


def _read_in_workers(
    files: list[tuple[str, str]], cache: Cache | None, jobs: int
) -> Iterator[tuple[Source, Document | None, bytes | None]]:
    """Yield what ``_read_here`` returns for each file, in order, read and parsed by ``jobs`` forked workers."""
    global _PARSE_CACHE
    _PARSE_CACHE = cache
    windows = [files[start : start + PARSE_WINDOW] for start in range(0, len(files), PARSE_WINDOW)]
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            pending = pool.map(_read_pickled, windows[0], chunksize=8)
            for number in range(len(windows)):
                try:
                    results = list(pending)
                except BrokenProcessPool:
                    raise SitegenError(
                        "a worker process stopped while parsing sources (out of memory? try fewer processes with -j)"
                    ) from None
                if number + 1 < len(windows):
                    pending = pool.map(_read_pickled, windows[number + 1], chunksize=8)
                for source, data in results:
                    yield source, (pickle.loads(data) if data is not None else None), data
    finally:
        _PARSE_CACHE = None


_PARSE_CACHE: Cache | None = None
"""The cache parsing workers reuse sources from; set before they are forked."""


def _read_pickled(item: tuple[str, str]) -> tuple[Source, bytes | None]:
    """Parsing worker: return a source without its document, and the document's pickle."""
    source, data = reuse_or_read(*item, _PARSE_CACHE)
    if data is None and source.document is not None:
        data = pickle.dumps(source.document, protocol=pickle.HIGHEST_PROTOCOL)
        source = replace(source, document=None)
    return source, data


def reuse_or_read(relative: str, path: str, cache: Cache | None) -> tuple[Source, bytes | None]:
    """Return a source, reusing its cached parse when its content is unchanged; otherwise read and parse it.

    When the parse is reused, the pickle of its document (None if it has
    none) comes with it.
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
    return source, None


def _reused(cached: Source, stat: tuple[int, int], cache: Cache) -> tuple[Source, bytes | None]:
    """Return a cached source, with the given size and time, and its document's pickle."""
    return replace(cached, stat=stat, document=None), cache.data(cached.relative)


def source_reader(content: Path) -> Callable[[str], str | None]:
    """Return a function that reads a document's source text as its page shows it."""

    def read(relative: str) -> str | None:
        try:
            return decode((content / relative).read_bytes(), relative)[0]
        except (OSError, SourceError):
            return None

    return read


def make_site(
    corpus: Corpus, config: Config, markdown: dict[str, MarkdownSource], content: Path, env: Environment
) -> Site:
    """Return the Site of a corpus and its Markdown files."""
    return Site(
        corpus,
        config,
        markdown,
        source_reader(content),
        frozenset(env.list_templates()),
        search_enabled(config, len(corpus.documents)),
    )


def search_enabled(config: Config, documents: int) -> bool:
    """Return whether a site of this many documents gets a full-text search index."""
    return config.search and documents <= config.search_max_documents


def load_site(
    config: Config,
    content: Path,
    env: Environment,
    files: list[tuple[str, str]],
    progress: Progress,
    cache: Cache | None = None,
    store: DocumentStore | None = None,
    jobs: int = 1,
) -> tuple[list[Source], Site]:
    """Parse the source files (reusing unchanged ones from ``cache``) and return them with the Site they make.

    The parsed documents are kept in ``store`` (default: one in the system's temporary folder);
    ``jobs`` processes parse them.
    """
    corpus = Corpus(store=store)
    sources = parse_into(corpus, files, progress, cache, jobs if threading.active_count() == 1 else 1)
    return sources, site_of(sources, corpus, config, content, env)


def cached_site(
    cache: Cache, config: Config, content: Path, env: Environment, store: DocumentStore | None = None
) -> tuple[list[Source], Site]:
    """Return the sources in a cache and the Site they make, parsing nothing; documents go to ``store``."""
    corpus = Corpus(store=store)
    sources = list(cache.sources.values())
    for source in sources:
        data = cache.data(source.relative)
        if data is not None:
            corpus.add(pickle.loads(data), data)
    return sources, site_of(sources, corpus, config, content, env)


def site_of(sources: Iterable[Source], corpus: Corpus, config: Config, content: Path, env: Environment) -> Site:
    """Return the Site of a corpus and the Markdown files among its sources."""
    markdown = {source.relative: source.markdown for source in sources if source.markdown is not None}
    return make_site(corpus, config, markdown, content, env)


def source_warnings(sources: Iterable[Source], skipped: list[Diagnostic], site: Site) -> list[Diagnostic]:
    """Return a build's warnings in the order they are reported: files skipped, each source's, then the site's."""
    return skipped + [d for source in sources for d in source.diagnostics] + site_warnings(site)


def site_warnings(site: Site) -> list[Diagnostic]:
    """Return the problems that only the whole site reveals: links to unknown entities and the like."""
    warnings: list[Diagnostic] = []
    config = site.config
    if config.search and not site.search:
        warnings.append(
            Diagnostic(
                "",
                0,
                0,
                f"full-text search is off: {len(site.corpus.documents):,} documents"
                f" is more than [search] max_documents = {config.search_max_documents:,}"
                " (Pagefind needs about 0.3 GB of memory per 1,000 documents)",
            )
        )
    shown = {page.source for key, page in site.notes().items() if key in site.corpus.entities}
    for page in sorted(site.markdown.values(), key=lambda m: m.source):
        warnings += unknown_mentions(page, site.corpus.entities)
        if page.kind == "note" and page.source not in shown:
            warnings.append(
                Diagnostic(
                    page.source,
                    0,
                    0,
                    f"no document mentions the {page.entity[0]} '{page.entity[1]}'; this note is not shown",
                )
            )
        if page.template and page.template not in site.templates:
            warnings.append(
                Diagnostic(page.source, 1, 1, f"template '{page.template}' does not exist; using page.html")
            )
    return warnings


def default_jobs() -> int:
    """Return how many processes render pages by default: one per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def write_site(
    site: Site,
    env: Environment,
    theme: Path,
    output: Path,
    progress: Progress | None = None,
    warnings: list[Diagnostic] | None = None,
    jobs: int = 1,
    previous_files: int = 0,
) -> dict[Family, list[str]]:
    """Render every page into a staging folder and swap it into ``output``.

    With ``jobs`` > 1 the page families are rendered by that many processes,
    this one and forked workers; each renders whole families from the same
    read-only site, so the files are the same as a serial build's. Returns the output
    paths of each page family; problems with the search index are added to
    ``warnings``. A failure leaves the previous output as it was; a previous
    site of more than LARGE_SITE files (``previous_files``) is deleted in the background.
    """
    all_families = list(families(site))
    work = render_order(all_families)
    progress = progress or Progress(enabled=False)
    parallel = jobs > 1 and len(work) >= 2 * BATCH and threading.active_count() == 1
    count = len(site.corpus)
    site.corpus.group_snippets(jobs if parallel else 1, lambda done: progress.update("snippets", done, count))
    with staged_output(output, large=previous_files > LARGE_SITE) as staging:
        if parallel:
            paths = _render_parallel(site, env, staging, work, jobs, progress)
        else:
            paths = _render_batch_into(site, env, staging, work, progress)
        rendered = dict(zip(work, paths))
        written = {family: rendered[family] for family in all_families}
        staging.copy_tree(theme / "static", "assets")
        staging.write(site.urls.asset(PYGMENTS_CSS), code_css(site))
        if site.search:
            progress.message("indexing for search (Pagefind)…")
            index = build_index(staging.root)
            if index.error and warnings is not None:
                warnings.append(Diagnostic("", 0, 0, index.error))
    return written


def render_order(work: list[Family]) -> list[Family]:
    """Return page families in the order to render them: each document's page, source view and data together.

    All three read the same document from the corpus's store, which then
    has it at hand; the order of the output does not change.
    """
    return sorted(work, key=lambda f: (0, f[1], f[0]) if kind_of(f).per_document else (1, "", ""))


#: A previous site with more files than this is deleted in the background after the swap.
LARGE_SITE = 5000
#: Page families per unit of work handed to a worker process.
BATCH = 64
_WORK: tuple | None = None
"""What forked workers render: (site, env, staging folder, families); set before the fork."""


def _render_batch_into(
    site: Site, env: Environment, staging: Staging, batch: list[Family], progress: Progress | None = None
) -> list[list[str]]:
    """Render and write the pages of some families; return each family's output paths."""
    written, done = [], 0
    expected = _page_estimate(site) if progress else 0
    for family in batch:
        paths = []
        for page in family_pages(site, family):
            staging.write(page.path, render_parts(env, page))
            paths.append(page.path)
            done += 1
            if progress:
                progress.update("writing", done, max(expected, done))
        written.append(paths)
    return written


def _render_parallel(
    site: Site, env: Environment, staging: Staging, work: list[Family], jobs: int, progress: Progress
) -> list[list[str]]:
    """Render families here and in ``jobs - 1`` forked worker processes; return each family's output paths.

    Every process takes the next batch of families in turn. This process
    renders too, rather than waiting: the workers see the site through
    copy-on-write pages, and each worker copies the parts of the index it
    touches, so one process fewer is one copy of it fewer.
    """
    global _WORK
    _WORK = (site, env, staging.root, work)
    freeze_heap()  # also keeps the collector from touching (and so copying) the shared objects in each worker
    batches = [(start, min(start + BATCH, len(work))) for start in range(0, len(work), BATCH)]
    results: list[list[str]] = [[] for _ in work]
    context = multiprocessing.get_context("fork")
    turn, finished = context.Value("i", 0), context.Queue()
    workers = [context.Process(target=_worker, args=(batches, turn, finished), daemon=True) for _ in range(jobs - 1)]
    expected, done, running = _page_estimate(site), 0, len(workers)

    def receive(start: int, paths: list[list[str]]) -> None:
        nonlocal done
        results[start : start + len(paths)] = paths
        done += sum(len(p) for p in paths)
        progress.update("writing", done, max(expected, done))

    try:
        for worker in workers:
            worker.start()
        while (batch := _next_batch(batches, turn)) is not None:
            receive(batch[0], _render_batch_into(site, env, staging, work[batch[0] : batch[1]]))
            while running and not finished.empty():
                running -= _received(finished.get(), receive)
        while running:
            try:
                message = finished.get(timeout=1)
            except queue.Empty:
                stopped = [w.exitcode for w in workers if w.exitcode]
                if stopped:
                    raise SitegenError(
                        f"a worker process stopped while rendering pages (exit code {stopped[0]};"
                        " out of memory? try fewer processes with -j)"
                    ) from None
                continue
            running -= _received(message, receive)
    finally:
        _WORK = None
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
    return results


def _next_batch(batches: list[tuple[int, int]], turn) -> tuple[int, int] | None:
    """Take the next batch of families to render, whichever process asks; None when all are taken."""
    with turn.get_lock():
        if turn.value >= len(batches):
            return None
        turn.value += 1
        return batches[turn.value - 1]


def _received(message: tuple, receive: Callable[[int, list[list[str]]], None]) -> int:
    """Handle one message from a worker; return 1 when it says the worker is done. A worker's error is raised here."""
    kind, value = message
    if kind == "error":
        raise value
    if kind == "paths":
        receive(*value)
        return 0
    return 1


def _worker(batches: list[tuple[int, int]], turn, finished) -> None:
    """Worker process: render batches of the shared work list until none is left."""
    assert _WORK is not None
    site, env, root, work = _WORK
    staging = Staging(root)
    try:
        while (batch := _next_batch(batches, turn)) is not None:
            finished.put(("paths", (batch[0], _render_batch_into(site, env, staging, work[batch[0] : batch[1]]))))
        finished.put(("done", None))
    except BaseException as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        finished.put(("error", exc))


#: The stylesheet of highlighted code, written beside the theme's files.
PYGMENTS_CSS = "pygments.css"


def code_css(site: Site) -> str:
    """Return the stylesheet of highlighted code in the site's Pygments styles and entity colours."""
    types = site.config.types
    return pygments_css(
        site.config.code_style,
        site.config.code_style_dark,
        {t: v.color for t, v in types.items()},
        {t: v.dark_color for t, v in types.items()},
    )


def freeze_heap() -> None:
    """Exempt the parsed corpus from cyclic garbage collection.

    Documents and the index are millions of long-lived objects; without this
    the collector rescans them again and again while pages are rendered.
    """
    gc.collect()
    gc.freeze()


def build(
    config: Config,
    content: Path,
    output: Path,
    progress: Progress | None = None,
    on_warning: Callable[[Diagnostic], None] | None = None,
    jobs: int = 1,
    force: bool = False,
) -> BuildResult:
    """Build the site from ``content`` into ``output`` and return what was done.

    When the output folder's manifest shows it was built from exactly this
    input, nothing is rebuilt; its warnings are reported again. When it was
    built with the same configuration and code, and the cache beside it
    holds the sources it was built from, only the pages that the changed
    sources and templates affect are rendered, in place. Otherwise everything is rendered
    into a staging folder that replaces the output, reusing the cached parse
    of every unchanged source. ``force`` ignores the manifest and the cache.
    """
    started = time.perf_counter()
    progress = progress or Progress(enabled=False)
    if not content.is_dir():
        raise ConfigError(f"content folder {content} does not exist; pass --content DIR")
    check_output(output, content)
    theme = find_theme(config.theme, config.root)
    env = make_environment(theme, config.root / config.templates)

    files, skipped = find_sources(content)
    key = build_key(config, content, pagefind_command() is not None)
    looks = theme_hashes(env, theme)
    stats = source_stats(files)
    stats.update({d.path: [0, 0] for d in skipped})
    previous = read_manifest(output)
    recorded = None if force else up_to_date(previous, output, key, stats, looks)
    if recorded is not None:
        warnings = diagnostics(recorded)
        _report(warnings, on_warning, progress)
        return BuildResult(
            seconds=time.perf_counter() - started, warnings=warnings, up_to_date=True, **_counts(recorded.counts)
        )
    cache = None if force else read_cache(output)

    def report(warnings: list[Diagnostic]) -> None:
        _report(warnings, on_warning, progress)

    outcome = None
    theme_changes = changed_names(previous.theme, looks) if previous is not None else None
    if theme_changes is not None and cache is not None and _describes_site(cache, previous, key, output):
        from sitegen.live import update_in_place  # the live preview is built on this module

        outcome = update_in_place(config, content, output, env, cache, files, skipped, report, progress, theme_changes)
    if outcome is None:
        outcome = _build_whole(
            config, content, output, env, theme, files, skipped, cache, previous, report, progress, jobs
        )
    corpus = outcome.site.corpus
    counts = {
        "documents": len(corpus.documents),
        "entities": len(corpus.entities),
        "pages": sum(p.endswith(".html") for p in outcome.outputs),
        "files": len(outcome.outputs),
    }
    manifest = Manifest(key, stats, outcome.outputs, [list(astuple(w)) for w in outcome.warnings], counts, looks)
    write_cache(
        output,
        build_id(manifest),
        outcome.sources,
        lambda relative: corpus.document_data(relative) if relative in corpus else None,
    )
    write_manifest(output, manifest)
    return BuildResult(
        seconds=time.perf_counter() - started, warnings=outcome.warnings, update=outcome.update, **_counts(counts)
    )


def _counts(counts: dict[str, int]) -> dict[str, Any]:
    """Return the figures of a build as BuildResult fields (documents, entities, pages, files)."""
    return {name: counts.get(name, 0) for name in ("documents", "entities", "pages", "files")}


def changed_names(before: dict[str, str], now: dict[str, str]) -> list[str] | None:
    """Return the names whose hash changed; None when a name was added or removed.

    For templates, that may change the template a page uses, which only a whole build finds out.
    """
    if set(before) != set(now):
        return None
    return sorted(name for name, digest in now.items() if digest != before[name])


def _describes_site(cache: Cache | None, previous: Manifest | None, key: str, output: Path) -> bool:
    """Return True when the cache holds the sources of the site in ``output``, built as ``key`` would build it."""
    return (
        cache is not None
        and previous is not None
        and previous.key == key
        and cache.key == build_id(previous)
        and outputs_present(output, previous.outputs)
    )


def _build_whole(
    config: Config,
    content: Path,
    output: Path,
    env: Environment,
    theme: Path,
    files: list[tuple[str, str]],
    skipped: list[Diagnostic],
    cache: Cache | None,
    previous: Manifest | None,
    report: Callable[[list[Diagnostic]], None],
    progress: Progress,
    jobs: int,
) -> Outcome:
    """Render the whole site into a staging folder and swap it in; unchanged sources are not parsed again."""
    sources, site = load_site(config, content, env, files, progress, cache, DocumentStore.beside(output), jobs)
    warnings = source_warnings(sources, skipped, site)
    report(warnings)
    freeze_heap()
    late: list[Diagnostic] = []
    written = write_site(
        site, env, theme, output, progress, late, jobs, previous.counts.get("files", 0) if previous else 0
    )
    progress.clear()
    report(late)
    return Outcome(sources, site, [p for paths in written.values() for p in paths], warnings + late)


def _report(warnings: list[Diagnostic], on_warning: Callable[[Diagnostic], None] | None, progress: Progress) -> None:
    """Show warnings, clearing the progress line first."""
    if on_warning and warnings:
        progress.clear()
        for warning in warnings:
            on_warning(warning)


def _page_estimate(site: Site) -> int:
    """Return roughly how many pages the site has, for the progress display."""
    corpus = site.corpus
    groups = sum(len(g) for g in corpus.groups.values())
    return len(corpus.documents) + len(corpus.entities) + groups + 20
