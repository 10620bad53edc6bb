"""Keep a built site up to date as sources change, re-rendering only what changed.

``LiveSite`` holds the parsed documents, the corpus and the paths of every
page family it wrote. After an edit it re-parses only the changed sources,
updates the corpus in place, works out which page families can show
something different, renders those and writes the files whose bytes changed.
A changed template re-renders the pages whose template uses it; a change to
the configuration, or a template added or removed, rebuilds everything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import Environment

from sitegen.build import (
    MARKDOWN_SUFFIXES,
    Outcome,
    Source,
    Update,
    cached_site,
    find_sources,
    freeze_heap,
    load_site,
    read_source,
    search_enabled,
    site_warnings,
    source_warnings,
    what_changed,
    write_site,
)
from sitegen.cache import Cache
from sitegen.change import NeedsRebuild, apply_change
from sitegen.config import Config, load_config
from sitegen.corpus import Corpus
from sitegen.errors import ConfigError, Diagnostic, SitegenError
from sitegen.kinds import (
    KINDS,
    Family,
    affected,
    families,
    family_pages,
    family_paths,
    family_template,
    kind_of,
    merge,
)
from sitegen.markdown import MarkdownSource
from sitegen.model import Document
from sitegen.output import check_output, mark_unfinished, safe_path, static_files
from sitegen.pages import Site
from sitegen.progress import Progress
from sitegen.render import find_theme, make_environment, render_page, template_hashes
from sitegen.search import build_index
from sitegen.store import DocumentStore


@dataclass
class Report:
    """What one build or rebuild did, for the terminal and the browser."""

    changed: list[str] = field(default_factory=list)
    """Output paths whose content changed or that were deleted."""
    css_only: bool = False
    """True when only stylesheets changed: pages can swap them without reloading."""
    full: bool = False
    """True when everything was rebuilt."""
    pages: int = 0
    """Pages rendered."""
    sources: list[str] = field(default_factory=list)
    """Source files that changed."""
    error: str = ""
    """Why the build failed; the previous pages stay in place."""
    remaining: int = 0
    """Pages that still wait for a re-render (see LiveSite.drain)."""
    seconds: float = 0.0


class LiveSite:
    """A site on disk plus everything needed to update it incrementally."""

    def __init__(
        self,
        config_path: Path | None,
        content: Path | None,
        output: Path | None,
        config_required: bool = False,
        jobs: int = 1,
        config: Config | None = None,
        keep_last_good: bool = True,
    ) -> None:
        """Remember where things are; nothing is read until ``build`` or ``resume``.

        ``config`` is used instead of reading ``config_path``. With
        ``keep_last_good`` a source that stops parsing keeps its last good
        version on the site until it is fixed (the preview); without it, the
        source is dropped, as a clean build would.
        """
        self.jobs = jobs
        self.config_path = config_path
        self.config_required = config_required
        self.keep_last_good = keep_last_good
        self._content_arg, self._output_arg = content, output
        self.config = config if config is not None else load_config(config_path, required=config_required)
        self.content = content if content is not None else self.config.root / self.config.content
        self.output = output if output is not None else self.config.root / self.config.output
        self.theme = find_theme(self.config.theme, self.config.root)
        if not self.content.is_dir():
            raise ConfigError(f"content folder {self.content} does not exist; pass --content DIR")
        check_output(self.output, self.content)
        self.corpus = Corpus(store=DocumentStore.beside(self.output))
        self.site = Site(self.corpus, self.config)
        self.sources: dict[str, Source] = {}
        """Every source file as last read, by relative path."""
        self.written: dict[Family, tuple[str, ...]] = {}
        self.owner: dict[str, tuple[Family, int]] = {}
        self.pending: dict[Family, set[int] | None] = {}
        self.problems: dict[str, list[Diagnostic]] = {}
        self.initial_problems: dict[str, list[Diagnostic]] = {}
        self.template_hashes: dict[str, str] = {}
        """Each template's hash with the templates it uses, as the pages on disk were rendered."""
        self.template_error = ""
        """Why the templates as they are now cannot be used; pages keep being rendered with the last good ones."""
        self.error = ""
        self.rebuilds = 0
        self.search_stale = False
        """True when pages changed since the search index was built."""

    # -- what is watched ---------------------------------------------------
    @property
    def templates(self) -> Path:
        """Return the project's template override folder."""
        return self.config.root / self.config.templates

    def watched(self) -> list[Path]:
        """Return the folders and files whose changes matter."""
        paths = [self.content, self.templates, self.theme]
        if self.config_path is not None:
            paths.append(self.config_path)
        # The project folder itself (not its subfolders): sitegen.toml and a new templates/.
        paths.append(self.config.root / "sitegen.toml")
        return paths

    def classify(self, path: Path) -> str:
        """Return what a changed path is: content, config, template, static or other."""
        path = path.absolute()
        if self.config_path is not None and path == self.config_path.absolute():
            return "config"
        for kind, folder in (
            ("content", self.content),
            ("template", self.templates),
            ("template", self.theme / "templates"),
            ("static", self.theme / "static"),
        ):
            if path.is_relative_to(folder.absolute()):
                return kind
        return "other"

    # -- builds ------------------------------------------------------------
    def build(self) -> Report:
        """Build everything from scratch into the output folder (swapped in whole)."""
        started = time.perf_counter()
        report = Report(full=True)
        try:
            self.config = load_config(self.config_path, required=self.config_required)
            self.theme = find_theme(self.config.theme, self.config.root)
            check_output(self.output, self.content)
            env = make_environment(self.theme, self.templates)
            files, skipped = find_sources(self.content)
            sources, site = load_site(
                self.config, self.content, env, files, Progress(enabled=False), store=DocumentStore.beside(self.output)
            )
            late: list[Diagnostic] = []
            written = write_site(
                site, env, self.theme, self.output, warnings=late, jobs=self.jobs, previous_files=len(self.owner)
            )
            report.pages = sum(len(paths) for paths in written.values())
        except SitegenError as exc:
            self.error = report.error = str(exc)
            report.seconds = time.perf_counter() - started
            return report
        self._take(env, site, sources, written)
        self.initial_problems = {d.path: [d] for d in skipped}
        self.initial_problems.update({s.relative: list(s.diagnostics) for s in sources if s.diagnostics})
        for diagnostic in site_warnings(site) + late:
            self.initial_problems.setdefault(diagnostic.path, []).append(diagnostic)
        self.problems = {}
        self.error = self.template_error = ""
        self.search_stale = False
        freeze_heap()
        self.rebuilds += 1
        report.changed = ["*"]
        report.seconds = time.perf_counter() - started
        return report

    def resume(self, env: Environment, site: Site, sources: list[Source]) -> None:
        """Take over a site already on disk, built from ``sources`` into ``site``."""
        self._take(env, site, sources, {family: family_paths(site, family) for family in families(site)})

    def _take(self, env: Environment, site: Site, sources: list[Source], written: dict[Family, list[str]]) -> None:
        """Remember the site now on disk: what it was built from and the paths of each family."""
        self.env, self.corpus, self.site = env, site.corpus, site
        self.template_hashes = template_hashes(env)
        self.sources = {source.relative: source for source in sources}
        self.written, self.owner, self.pending = {}, {}, {}
        for family, paths in written.items():
            self._record(family, paths)

    def update(self, paths: set[Path], priority: AbstractSet[str] = frozenset()) -> Report | None:
        """Take in the changes to ``paths``; None when nothing changed.

        The pages of changed documents and the output paths in ``priority``
        (pages open in a browser) are rendered at once; the other pages the
        change affects wait in ``pending`` until ``drain`` renders them.
        """
        kinds = {self.classify(p) for p in paths}
        if "config" in kinds or self.error:
            return self.build()
        reports = []
        if "template" in kinds:
            reports.append(self._update_templates(set(priority)))
            if reports[-1] is not None and (reports[-1].full or reports[-1].error):
                return reports[-1]
        if "static" in kinds:
            reports.append(self._update_static())
        if "content" in kinds:
            reports.append(self._update_content(paths, set(priority)))
        return _combined([r for r in reports if r is not None])

    def _update_templates(self, priority: set[str]) -> Report | None:
        """Re-render the pages whose template, or a template it uses, changed; None when none did.

        The pages open in a browser (``priority``) are rendered at once, the
        others wait in ``pending``. One page of each changed template is
        rendered first: a template that fails reports its error and the
        pages stay as they were, until the next change. A template added or
        removed may change which one a page uses, so that rebuilds everything.
        """
        started = time.perf_counter()
        env = make_environment(self.theme, self.templates)
        hashes = template_hashes(env)
        if set(hashes) != set(self.template_hashes):
            return self.build()
        changed = {name for name, digest in hashes.items() if digest != self.template_hashes[name]}
        if not changed:  # as the pages were rendered: perhaps a broken template put back as it was
            if not self.template_error:
                return None
            self.template_error = ""
            return Report(seconds=time.perf_counter() - started)
        stale = self.families_using(changed)
        try:
            self.try_templates(env, stale)
        except SitegenError as exc:
            self.template_error = str(exc)
            return Report(error=self.template_error, seconds=time.perf_counter() - started)
        self.env, self.template_hashes, self.template_error = env, hashes, ""
        for family in stale:
            self._queue(family, None)
        report = Report()
        first = {self.owner[p][0] for p in priority if p in self.owner}
        try:
            report.changed, report.pages = self.drain(families=first)
        except SitegenError as exc:
            self.error = report.error = str(exc)
        self.rebuilds += 1
        report.remaining = self.pending_pages()
        report.seconds = time.perf_counter() - started
        return report

    def try_templates(self, env: Environment, stale: list[Family]) -> None:
        """Render one page with each template that ``stale`` families use; raise the error of one that fails."""
        sample: dict[str, Family] = {}
        for family in stale:
            sample.setdefault(family_template(self.site, family), family)
        for name in sorted(sample):
            page = next(family_pages(self.site, sample[name], {1}), None)
            if page is not None:
                render_page(env, page)

    def families_using(self, templates: set[str]) -> list[Family]:
        """Return the families on disk rendered with one of ``templates``, in the order of the site."""
        return [family for family in self.written if family_template(self.site, family) in templates]

    def copy_static(self) -> list[str]:
        """Copy the theme's changed static files into ``assets/``; return their output paths."""
        changed = []
        for name, file in static_files(self.theme / "static"):
            if write_if_changed(self.output, f"assets/{name}", file.read_bytes()):
                changed.append(f"assets/{name}")
        return changed

    def _update_static(self) -> Report | None:
        """Copy changed theme files; report whether only stylesheets changed."""
        started = time.perf_counter()
        changed = self.copy_static()
        if not changed:
            return None
        self.rebuilds += 1
        return Report(
            changed=changed, css_only=all(p.endswith(".css") for p in changed), seconds=time.perf_counter() - started
        )

    def _update_content(self, paths: set[Path], priority: set[str]) -> Report | None:
        """Re-parse changed sources, update the corpus and render the most wanted pages."""
        started = time.perf_counter()
        changed = self.changed_sources(paths)
        if not changed:
            return None
        report = Report(sources=sorted(changed))
        if not self.take_changes(changed):
            full = self.build()
            full.sources = report.sources
            return full
        first = {("doc" if not s.endswith(MARKDOWN_SUFFIXES) else "page", s) for s in changed}
        first |= {self.owner[p][0] for p in priority if p in self.owner}
        report.changed, report.pages = self.drain(families=first)
        self.rebuilds += 1
        report.remaining = self.pending_pages()
        report.seconds = time.perf_counter() - started
        return report

    def take_changes(self, changed: dict[str, Document | MarkdownSource | None]) -> bool:
        """Update the corpus with changed sources and queue the pages that may differ.

        Returns False when the change needs everything rebuilt (then nothing is queued).
        """
        documents = {s: d for s, d in changed.items() if not s.endswith(MARKDOWN_SUFFIXES)}
        markdown = {s: d for s, d in changed.items() if s.endswith(MARKDOWN_SUFFIXES)}
        try:
            change = apply_change(self.site, documents, markdown)  # type: ignore[arg-type]
        except NeedsRebuild:
            return False
        for source, page in markdown.items():
            self.problems[source] = list(page.diagnostics) if page is not None else []
        for diagnostic in site_warnings(self.site):
            if diagnostic.path in markdown:
                self.problems[diagnostic.path].append(diagnostic)
        for family, pages in affected(self.site, change).items():
            self._queue(family, pages)
        self.search_stale = self.site.search
        return True

    def changed_sources(
        self, paths: set[Path], found: tuple[list[tuple[str, str]], list[Diagnostic]] | None = None
    ) -> dict[str, Document | MarkdownSource | None]:
        """Return the sources whose content changed: new documents or pages, or None when deleted.

        Sources whose size and modification time are as last read are not
        read again, unless they are in ``paths``. ``found`` is what
        find_sources returned for the content folder, when the caller has it.
        """
        sources, skipped = found if found is not None else find_sources(self.content)
        current = dict(sources)
        hinted = set()
        for path in paths:
            try:
                hinted.add(path.absolute().relative_to(self.content.absolute()).as_posix())
            except ValueError:
                pass
        changed: dict[str, Document | MarkdownSource | None] = {}
        for relative in sorted(set(self.sources) - set(current)):
            del self.sources[relative]
            self.problems[relative] = []
            if relative in self.corpus or relative in self.site.markdown:
                changed[relative] = None
        for relative, file in sources:
            try:
                stat = os.stat(file)
            except OSError:
                continue
            before = self.sources.get(relative)
            if before is not None and before.stat == (stat.st_mtime_ns, stat.st_size) and relative not in hinted:
                continue
            source = read_source(relative, file)
            self.sources[relative] = replace(source, document=None)  # the corpus keeps the document
            if before is not None and before.digest == source.digest:
                continue
            self.problems[relative] = source.diagnostics
            if source.document is not None or source.markdown is not None:
                changed[relative] = source.document or source.markdown
            elif not self.keep_last_good and (relative in self.corpus or relative in self.site.markdown):
                changed[relative] = None
            # Otherwise a file that cannot be read keeps its last good version until it is fixed.
        for diagnostic in skipped:
            self.problems[diagnostic.path] = [diagnostic]
        return changed

    def queue(self, family: Family) -> None:
        """Mark every page of a family as needing a re-render."""
        self._queue(family, None)

    def _queue(self, family: Family, pages: set[int] | None) -> None:
        """Mark pages of a family as needing a re-render."""
        merge(self.pending, family, pages)

    def pending_pages(self) -> int:
        """Return roughly how many pages still wait for a re-render."""
        return sum(len(p) if p is not None else max(1, len(self.written.get(f, ()))) for f, p in self.pending.items())

    def drain(self, families: set[Family] | None = None, seconds: float | None = None) -> tuple[list[str], int]:
        """Render pending pages (only those of ``families``, or for about ``seconds``).

        Returns the output paths that changed and the number of pages rendered;
        pages left when the time is up stay pending.
        """
        deadline = None if seconds is None else time.perf_counter() + seconds
        changed: list[str] = []
        count = 0
        while True:
            chosen = sorted((f for f in self.pending if families is None or f in families), key=_drain_order)
            if not chosen or (deadline is not None and time.perf_counter() >= deadline):
                return changed, count
            for family in chosen:
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                count += self._render_family(family, deadline, changed)
            if families is not None:
                return changed, count

    def reindex_search(self) -> float:
        """Rebuild the full-text search index from the pages on disk; return the seconds it took.

        Pagefind writes a new bundle beside the old one and it is swapped in
        whole, so this can run while the pages are being served.
        """
        self.search_stale = False
        index = build_index(self.output)
        self.problems.pop("", None)
        if index.error:
            self.problems[""] = [Diagnostic("", 0, 0, index.error)]
        return index.seconds

    def only_whole_site_pending(self) -> bool:
        """Return True when only the whole-site files (data, feed, sitemap) wait."""
        return bool(self.pending) and all(kind_of(f).whole_site for f in self.pending)

    def _render_family(self, family: Family, deadline: float | None, changed: list[str]) -> int:
        """Render the pending pages of one family (until the deadline); return how many."""
        wanted = self.pending.pop(family)
        current = family_paths(self.site, family)
        number = {path: n for n, path in enumerate(current, 1)}
        done: set[int] = set()
        for page in family_pages(self.site, family, wanted):
            if wanted is not None and number[page.path] not in wanted:
                continue  # a family that always yields all its pages
            done.add(number[page.path])
            if write_if_changed(self.output, page.path, render_page(self.env, page).encode("utf-8")):
                changed.append(page.path)
            if deadline is not None and time.perf_counter() >= deadline:
                left = (set(number.values()) if wanted is None else wanted) - done
                if left:
                    self._queue(family, left)
                break
        before = set(self.written.get(family, ()))
        for stale in before - set(current):
            delete_page(self.output, stale)
            self.owner.pop(stale, None)
            changed.append(stale)
        if before != set(current) and not kind_of(family).lists_pages:
            for kind in KINDS:  # the set of pages changed
                if kind.lists_pages:
                    for listing in kind.families(self.site):
                        self._queue(listing, None)
        self._record(family, current)
        return len(done)

    def _record(self, family: Family, paths: list[str]) -> None:
        """Remember which output paths a family has."""
        if paths:
            self.written[family] = tuple(paths)
            for number, path in enumerate(paths, 1):
                self.owner[path] = (family, number)
        else:
            self.written.pop(family, None)

    def current_problems(self) -> list[Diagnostic]:
        """Return the warnings and errors of the sources changed while serving."""
        return [d for source in sorted(self.problems) for d in self.problems[source]]


def _drain_order(family: Family) -> tuple[bool, str]:
    """Order pending families: pages first, whole-site data files last."""
    return kind_of(family).whole_site, repr(family)


def _combined(reports: list[Report]) -> Report | None:
    """Return one report of several updates made in turn (None for none); a full build's stands for all."""
    if not reports:
        return None
    last = reports[-1]
    if last.full:
        return last
    for report in reports[:-1]:
        last.changed = report.changed + last.changed
        last.css_only = last.css_only and report.css_only
        last.pages += report.pages
        last.seconds += report.seconds
        last.error = last.error or report.error
    return last


def write_if_changed(root: Path, relative: str, data: bytes) -> bool:
    """Write one output file atomically unless it already holds ``data``."""
    path = safe_path(root, relative)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.sitegen-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def delete_page(root: Path, relative: str) -> None:
    """Delete one output file and any folders it leaves empty."""
    path = safe_path(root, relative)
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


#: Above this share of changed sources, a whole (parallel) build is quicker than an update in place.
MAX_CHANGED_SHARE = 0.1
#: Above this share of the output to render again for changed templates, so is a whole build.
MAX_RERENDERED_SHARE = 0.3


def update_in_place(
    config: Config,
    content: Path,
    output: Path,
    env: Environment,
    cache: Cache,
    files: list[tuple[str, str]],
    skipped: list[Diagnostic],
    report: Callable[[list[Diagnostic]], None],
    progress: Progress,
    theme: list[str],
) -> Outcome | None:
    """Bring the site in ``output``, built from the cached sources, up to date with ``files``.

    Only the pages that the changed sources affect, and the pages rendered
    with the changed templates in ``theme`` (``templates/NAME``), are
    rendered; changed static files (``static/PATH``) are copied. Only files
    whose bytes differ are written. Returns what build() reports, or None
    when the change is better served by a whole build (then nothing on disk
    has changed).
    """
    progress.message("reading the cache of the last build…")
    live = LiveSite(None, content, output, config=config, keep_last_good=False)
    before, site = cached_site(cache, config, content, env, DocumentStore.beside(output))
    live.resume(env, site, before)
    stale = live.families_using({name.removeprefix("templates/") for name in theme if name.startswith("templates/")})
    if sum(len(live.written[f]) for f in stale) > MAX_RERENDERED_SHARE * sum(len(p) for p in live.written.values()):
        return None
    changed = live.changed_sources(set(), (files, skipped))
    if len(changed) > MAX_CHANGED_SHARE * max(len(files), 1):
        return None
    if changed and not live.take_changes(changed):
        return None
    if site.search != search_enabled(config, len(site.corpus.documents)):
        return None  # search turned on or off with the number of documents
    sources = [live.sources[relative] for relative, _ in files if relative in live.sources]
    warnings = source_warnings(sources, skipped, site)
    report(warnings)
    live.try_templates(env, stale)  # a template that fails stops the build before the site is touched
    mark_unfinished(output)
    for family in stale:
        live.queue(family)
    copied = live.copy_static() if any(name.startswith("static/") for name in theme) else []
    progress.message(f"updating the pages of {what_changed(changed, theme)}…")
    written, rendered = live.drain()
    late: list[Diagnostic] = []
    if site.search and written:
        progress.message("indexing for search (Pagefind)…")
        index = build_index(output)
        if index.error:
            late.append(Diagnostic("", 0, 0, index.error))
    progress.clear()
    report(late)
    outputs = [path for family in families(site) for path in live.written.get(family, ())]
    return Outcome(sources, site, outputs, warnings + late, Update(sorted(changed), rendered, copied + written, theme))
