"""The build pipeline: read -> parse -> gather -> render -> write, whole or in place.

``build(ctx)`` is the one entry point of ``sitegen build``, of its update in
place and of the preview's whole rebuilds. It decides, from the manifest of
the last build and the cache of parsed sources beside the output folder:

1. nothing changed: do nothing and report the last build's warnings again;
2. some sources, templates or theme files changed, and the site on disk was
   built from the cached sources by this configuration and code: update the
   affected pages in place (build/incremental.py);
3. otherwise: build everything into a staging folder and swap it in
   (build/write.py), parsing again only the sources that changed.

Every path that writes a site ends by writing its manifest and its cache.
Only build/sources.py and build/write.py (and the writer of an update in
place) touch the disk; the stages between are the pure functions of
parse/, index/ and site/.
"""

from __future__ import annotations

import time
from dataclasses import astuple, dataclass, field
from functools import partial
from operator import methodcaller
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from sitegen.build.cache import Cache, read_cache, write_cache
from sitegen.build.context import BuildContext
from sitegen.build.gather import cached_site, load_site, source_warnings
from sitegen.build.incremental import SiteState, Update, what_changed
from sitegen.build.journal import journal_of, write_tables
from sitegen.build.manifest import (
    Manifest,
    build_key,
    diagnostics,
    new_build,
    outputs_present,
    read_manifest,
    up_to_date,
    write_manifest,
)
from sitegen.build.output import folder_size, mark_unfinished
from sitegen.build.search import BUNDLE as SEARCH_BUNDLE
from sitegen.build.search import build_index, pagefind_command
from sitegen.build.sources import find_sources, source_stats
from sitegen.build.write import freeze_heap, generated_assets, make_rows, write_site
from sitegen.errors import Diagnostic, WriteError
from sitegen.index.resolve import Resolver
from sitegen.render.templates import LOOK, theme_hashes
from sitegen.report import log
from sitegen.site.change import NeedsRebuild

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

#: The name of the authority file among the theme's files: an edit of it can be taken in place too.
AUTHORITY = "authority file"
#: Above this share of changed sources, a whole (parallel) build is quicker than an update in place.
MAX_CHANGED_SHARE = 0.1
#: Above this share of the output to render again for changed templates, so is a whole build.
MAX_RERENDERED_SHARE = 0.3


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
    bytes: int = 0
    """Bytes of those files."""
    search_bytes: int = 0
    """Bytes of the full-text search index."""
    seconds: float = 0.0
    """How long the build took."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """Every problem in the sources, in the order they were reported."""
    up_to_date: bool = False
    """True when the output was already built from this input and nothing was done."""
    update: Update | None = None
    """Set when the site was updated in place: what changed and what was rendered again."""
    state: SiteState | None = None
    """The site as built, to update further (None when nothing was done)."""


@dataclass
class _Inputs:
    """What the last build is compared with: the sources found, the build key, the theme's hashes."""

    files: list[tuple[str, str]]
    skipped: list[Diagnostic]
    key: str
    looks: dict[str, str]
    stats: dict[str, list[int]]


def build(ctx: BuildContext, whole: bool = False, keep_state: bool = False) -> BuildResult:
    """Build the site of ``ctx`` and return what was done.

    With ``whole`` the site is built whole even when an update in place
    would do (the cached parse of unchanged sources is still used unless
    ``ctx.force``). With ``keep_state`` a site that is up to date is taken as it
    is on disk, with its state read from the cache (the preview serves it at
    once); when its cache cannot be trusted, it is built whole. (A site that
    is not up to date is updated in place or built whole, as ``whole`` says.)
    """
    started = time.perf_counter()
    ctx.check()
    env = ctx.environment()
    resolver = ctx.resolver()
    files, skipped = find_sources(ctx.content, ctx.config.formats)
    inputs = _Inputs(
        files,
        skipped,
        build_key(ctx.config, ctx.content, pagefind_command() is not None),
        theme_hashes(env, ctx.theme, ctx.config.look) | {AUTHORITY: resolver.digest},
        source_stats(files, ctx.config.formats) | {d.path: [0, 0] for d in skipped},
    )
    previous = read_manifest(ctx.output)
    checked = ctx.force or (whole and not keep_state)
    recorded = None if checked else up_to_date(previous, ctx.output, inputs.key, inputs.stats, inputs.looks)
    if recorded is not None and keep_state:
        assert previous is not None  # recorded is
        found = _state_on_disk(ctx, env, resolver, previous)
        if found is not None:
            log.debug("%s is up to date: its state is taken from the cache", ctx.output)
            return _as_recorded(ctx, recorded, started, found)
        recorded, whole = None, True
    if recorded is not None:
        log.debug("%s is up to date: nothing to do", ctx.output)
        return _as_recorded(ctx, recorded, started)
    try:
        result = _build_or_update(ctx, env, resolver, inputs, previous, whole)
    except OSError as exc:  # the system refused a file: not a problem of the sources, nor a bug
        raise WriteError(refused(ctx.output, exc)) from None
    result.seconds = time.perf_counter() - started
    return result


def refused(output: Path, exc: OSError) -> str:
    """Return the message of a build stopped by a file the system refused to write or read."""
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"could not write the site into {output}: {exc.strerror or exc}{where}. Build again once that is"
        " fixed: a site stopped half-way is then written whole, and a whole build keeps the previous site"
        " until it is done"
    )


def _build_or_update(
    ctx: BuildContext, env: Environment, resolver: Resolver, inputs: _Inputs, previous: Manifest | None, whole: bool
) -> BuildResult:
    """Update the site in place when the cache and the manifest allow it, else build it whole."""
    # The records' checksums are verified while an update takes the index from the cache (cached_site).
    cache = None if ctx.force else read_cache(ctx.output, records_later=True)
    log.debug("cache of parsed sources: %s", "none" if cache is None else f"{len(cache.sources):,} sources")
    done: tuple[SiteState, list[Diagnostic], Update | None] | None = None
    theme_changes = _changed_names(previous.theme, inputs.looks) if previous is not None else None
    if (
        not whole
        and theme_changes is not None
        and cache is not None
        and _describes_site(cache, previous, inputs.key, ctx)
    ):
        assert previous is not None  # theme_changes is known
        done = update_in_place(
            ctx, env, resolver, cache, inputs, theme_changes, previous.outputs, previous.counts.get("bytes")
        )
    appended = cache if done is not None else None  # the cache its unchanged documents are read from
    if done is None:
        if cache is not None and (not cache.sound() or cache.resolution != resolver.digest):
            cache = None  # damaged, or resolved with another authority file: parse every source again
        done = build_whole(ctx, env, resolver, cache, inputs, previous.counts.get("files", 0) if previous else 0)
    state, warnings, update = done
    result = _finish(ctx, state, inputs, warnings, appended, previous)
    result.update = update
    return result


def build_whole(
    ctx: BuildContext, env: Environment, resolver: Resolver, cache: Cache | None, inputs: _Inputs, previous_files: int
) -> tuple[SiteState, list[Diagnostic], Update | None]:
    """Render the whole site into a staging folder and swap it in; unchanged sources are not parsed again."""
    log.debug("building the whole site: %d sources, %d process(es)", len(inputs.files), ctx.jobs)
    progress = ctx.reporter.progress
    sources, site = load_site(ctx, env, resolver, inputs.files, cache)
    warnings = source_warnings(sources, inputs.skipped, site)
    ctx.reporter.warnings(warnings)
    freeze_heap()
    written, late, size = write_site(ctx, site, env, previous_files)
    progress.clear()
    ctx.reporter.warnings(late)
    state = SiteState(ctx.output, env, site, sources, written)
    state.size = size
    return state, warnings + late, None


def _as_recorded(ctx: BuildContext, recorded: Manifest, started: float, state: SiteState | None = None) -> BuildResult:
    """Return the result of a build that found the site up to date: the figures and warnings its
    manifest recorded (the warnings are reported again), and ``state`` when it was taken from the cache."""
    warnings = diagnostics(recorded)
    ctx.reporter.warnings(warnings)
    counts = recorded.counts
    return BuildResult(
        counts.get("documents", 0),
        counts.get("entities", 0),
        counts.get("pages", 0),
        counts.get("files", 0),
        counts.get("bytes", 0),
        counts.get("search_bytes", 0),
        seconds=time.perf_counter() - started,
        warnings=warnings,
        up_to_date=True,
        state=state,
    )


def update_in_place(
    ctx: BuildContext,
    env: Environment,
    resolver: Resolver,
    cache: Cache,
    inputs: _Inputs,
    theme: list[str],
    outputs: list[str],
    size: int | None = None,
) -> tuple[SiteState, list[Diagnostic], Update] | None:
    """Bring the site on disk, built from the cached sources, up to date with the sources found.

    Only the pages that the changed sources affect, and the pages rendered
    with the changed templates in ``theme`` (``templates/NAME``), are
    rendered; changed static files (``static/PATH``) are copied. Only files
    whose bytes differ are written. ``outputs`` are the files on disk and
    ``size`` their bytes, as the last build recorded them. Returns None when the change is
    better served by a whole build (then nothing on disk has changed).
    """
    progress = ctx.reporter.progress
    progress.message("reading the cache of the last build…")
    found = cached_site(ctx, env, cache.resolver(resolver), cache)
    if found is None:
        return None
    before, site, family_paths, base = found
    if family_paths is not None and _lists(family_paths, outputs):
        state = SiteState(ctx.output, env, site, before, family_paths, base, outputs)
    else:
        state = SiteState.on_disk(ctx.output, env, site, before)
    state.size = size
    stale = state.families_using({name.removeprefix("templates/") for name in theme if name.startswith("templates/")})
    rerendered = sum(len(state.written[f]) for f in stale)
    if rerendered and rerendered > MAX_RERENDERED_SHARE * sum(map(len, state.written.values())):
        log.debug("changed templates render %d files, too many to update in place", rerendered)
        return None
    limit = MAX_CHANGED_SHARE * max(len(inputs.files), 1)
    try:
        if AUTHORITY in theme:
            touched = state.resolved_otherwise(resolver, ctx.content)
            if len(touched) > limit:
                log.debug("the authority file's edit touches %d documents, too many to update in place", len(touched))
                return None
            state.take_changes(touched, resolver)
        changed, _ = state.changed_sources(ctx.content, found=(inputs.files, inputs.skipped), stats=inputs.stats)
        if len(changed) > limit:
            log.debug("%d sources changed, too many to update in place", len(changed))
            return None
        if changed:
            state.take_changes(changed)
    except NeedsRebuild:
        log.debug("the change moves other pages: building the whole site")
        return None
    if site.search != ctx.config.search:
        return None
    sources = [state.sources[relative] for relative, _ in inputs.files if relative in state.sources]
    warnings = source_warnings(sources, inputs.skipped, site)
    ctx.reporter.warnings(warnings)
    state.try_templates(env, stale)  # a template that fails stops the build before the site is touched
    mark_unfinished(ctx.output)
    for family in stale:
        state.queue(family)
    copied = state.copy_static(ctx.theme) if any(name.startswith("static/") for name in theme) else []
    if LOOK in theme:  # the types' colours or the highlighting styles: only the stylesheets show them
        copied += [path for path, text in generated_assets(site).items() if state.write_asset(path, text)]
    progress.message(f"updating the pages of {what_changed(changed, theme)}…")
    make_rows(site, ctx.jobs)  # of the entities the edit changed: before the pages, so every process has them
    written, rendered = state.drain(jobs=ctx.jobs)
    late: list[Diagnostic] = []
    searched = None
    if site.search and written:
        progress.message("indexing for search (Pagefind)…")
        index = build_index(
            ctx.output,
            ctx.config.search_part_bytes,
            state.take_search_dirty(),
            lambda done, total: progress.update("indexing", done, total),
        )
        if index.error:
            late.append(Diagnostic("", 0, 0, index.error))
        else:
            searched = index
    progress.clear()
    ctx.reporter.warnings(late)
    update = Update(sorted(changed), theme, rendered, copied + written, search=searched)
    return state, warnings + late, update


def _finish(
    ctx: BuildContext,
    state: SiteState,
    inputs: _Inputs,
    warnings: list[Diagnostic],
    previous: Cache | None = None,
    last: Manifest | None = None,
) -> BuildResult:
    """Write the cache of parsed sources and the manifest of the site just written; return its figures.

    After an update in place, ``previous`` is the cache it read: the documents
    still read from it stay there, and the cache is appended to. ``last`` is
    the manifest of the last build: when the update left its list of files as
    it was, the folders that hold them are the ones it names.
    """
    corpus = state.corpus
    outputs = state.outputs()
    kept = last if last is not None and outputs is last.outputs and last.folders else None  # files as they were
    pages = kept.counts.get("pages") if kept is not None else None
    if state.size is None:  # a site built before sizes were counted: count them once, as a build does
        state.size = sum(_size(ctx.output / path) for path in outputs) + folder_size(
            ctx.output / state.site.urls.asset("")
        )
    counts = {
        "documents": len(corpus.documents),
        "entities": len(corpus.entities),
        "pages": pages if pages is not None else sum(map(methodcaller("endswith", ".html"), outputs)),
        "files": len(outputs),
        "bytes": state.size,
        "search_bytes": folder_size(ctx.output / SEARCH_BUNDLE) if state.site.search else 0,
    }
    manifest = Manifest(
        inputs.key, inputs.stats, outputs, [list(astuple(w)) for w in warnings], counts, inputs.looks, build=new_build()
    )
    sources = [state.sources[relative] for relative, _ in inputs.files if relative in state.sources]
    write_cache(
        ctx.output,
        manifest.build,
        sources,
        lambda relative: (
            (corpus.document_data(relative), corpus.document_extra(relative)) if relative in corpus else None
        ),
        state.site.resolver,
        partial(_write_index, state),
        previous,
        lambda relative: previous is not None and corpus.adopted_at(relative) == previous.where[relative][0],
        partial(_journal, state, [source.relative for source in sources]),
    )
    write_manifest(ctx.output, manifest, kept.folders if kept is not None else None)
    return BuildResult(
        counts["documents"],
        counts["entities"],
        counts["pages"],
        counts["files"],
        warnings=warnings,
        state=state,
        bytes=counts["bytes"],
        search_bytes=counts["search_bytes"],
    )


def _write_index(state: SiteState, file: SupportsWrite[bytes]) -> None:
    """Write what the cache keeps of a site besides its sources: the corpus index, the output
    paths of each page family and the entities' rows in the data files (journal.write_tables; see
    gather.cached_site)."""
    state.corpus.write_index(file)
    write_tables(state.corpus, state.written, state.site.kept_rows(), file)


def _journal(state: SiteState, sources: list[str], previous: Cache) -> bytes | None:
    """Return what the cache keeps in place of the whole index of a site updated in place from
    ``previous`` (see build/journal.py), or None when it keeps the index whole."""
    if state.base is None:
        return None
    site = state.site
    return journal_of(
        state.base,
        previous,
        state.corpus,
        sources,
        state.written,
        state.recorded,
        site.kept_rows(),
        site.resolver.digest,
        site.rows_touched(),
    )


def _size(path: Path) -> int:
    """Return a file's size (0 when it is missing)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _state_on_disk(ctx: BuildContext, env: Environment, resolver: Resolver, previous: Manifest) -> SiteState | None:
    """Return the state of a site that is up to date, from its cache (None when it has none to trust)."""
    cache = read_cache(ctx.output)
    if cache is None or not _written_with(cache, previous) or cache.resolution != resolver.digest:
        return None
    cached = cached_site(ctx, env, resolver, cache)
    if cached is None:
        return None
    sources, site, family_paths, base = cached
    if family_paths is None or not _lists(family_paths, previous.outputs):
        return None
    found = SiteState(ctx.output, env, site, sources, family_paths, base, previous.outputs)
    found.size = previous.counts.get("bytes")
    return found


def _written_with(cache: Cache, manifest: Manifest) -> bool:
    """Return True when the cache was written with the manifest, by the same build (Manifest.build)."""
    return manifest.build != "" and cache.key == manifest.build


def _lists(family_paths: dict, outputs: list[str]) -> bool:
    """Return True when the paths of each page family that a cache kept are as many as the files the
    manifest lists. The cache was written with the manifest (its key is the manifest's ``build``), so
    they are the same paths; the count tells an index whose journal did not add up, without a pass
    over every path."""
    return sum(map(len, family_paths.values())) == len(outputs)


def _changed_names(before: dict[str, str], now: dict[str, str]) -> list[str] | None:
    """Return the names whose hash changed; None when a name was added or removed.

    For templates, that may change the template a page uses, which only a whole build finds out.
    """
    if set(before) != set(now):
        return None
    return sorted(name for name, digest in now.items() if digest != before[name])


def _describes_site(cache: Cache, previous: Manifest | None, key: str, ctx: BuildContext) -> bool:
    """Return True when the cache holds the sources of the site on disk, built as ``key`` would build it."""
    return (
        previous is not None
        and previous.key == key
        and _written_with(cache, previous)
        and outputs_present(ctx.output, previous)
    )
