"""The preview's state: the site being served, the problems to show and what each change rebuilds.

``PreviewSession`` runs the build pipeline for whole rebuilds (which write the
manifest and cache like ``sitegen build``) and the site state of
build/incremental.py for everything else: a changed source re-renders the
pages the page kinds say it affects, a changed template the pages that use
it, a changed stylesheet is copied. It keeps each source's last good version
while it is broken and the last good templates while one fails, and it
remembers every problem to show in the terminal and the browser overlay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Set as AbstractSet
from dataclasses import replace
from pathlib import Path

import markdown_it

from sitegen.build.context import BuildContext
from sitegen.build.gather import site_warnings
from sitegen.build.incremental import SiteState, Update, WholeSiteJob
from sitegen.build.pipeline import build
from sitegen.build.search import build_index
from sitegen.config import Config
from sitegen.errors import Diagnostic, SitegenError
from sitegen.files import MARKDOWN_SUFFIXES
from sitegen.render import highlight
from sitegen.render.templates import template_hashes
from sitegen.report import log
from sitegen.site.change import NeedsRebuild
from sitegen.site.kinds import Family, Numbers, family_paths, kind_of
from sitegen.site.pages import Site

#: Imported as the preview starts, so that no save waits for Pygments or markdown-it-py to be
#: imported, in this process or in those it forks (a build imports them when it needs them).
PRELOADED = (highlight, markdown_it)


class PreviewSession:
    """A site being previewed: what it was built from, what waits to be rendered, what is wrong."""

    def __init__(self, ctx: BuildContext) -> None:
        """Check the folders; nothing is read until ``build``."""
        ctx.check()
        self.ctx = ctx
        self.state: SiteState | None = None
        """The site on disk; None until the first build succeeds."""
        self.problems: dict[str, list[Diagnostic]] = {}
        """The problems of each source changed while serving, by source."""
        self.initial_problems: dict[str, list[Diagnostic]] = {}
        """The problems the last whole build found, by source."""
        self.template_error = ""
        """Why the templates as they are now cannot be used; pages keep being rendered with the last good ones."""
        self.authority_error = ""
        """Why the authority file as it is now cannot be used; the pages keep the last good one's decisions."""
        self.error = ""
        """Why the last whole build failed; the next change builds everything again."""
        self.rebuilds = 0
        """Builds and updates done so far."""
        self.search_stale = False
        """True when pages changed since the search index was built."""
        self.also_watched: list[Path] = []
        """Other folders to watch (``--watch``): a change there builds everything again."""

    # -- what is served -------------------------------------------------------
    @property
    def config(self) -> Config:
        """Return the configuration in use."""
        return self.ctx.config

    @property
    def content(self) -> Path:
        """Return the folder of sources."""
        return self.ctx.content

    @property
    def output(self) -> Path:
        """Return the folder served."""
        return self.ctx.output

    @property
    def site(self) -> Site:
        """Return the site as last built."""
        return self._state.site

    @property
    def pending(self) -> dict[Family, Numbers]:
        """Return the pages waiting to be rendered again."""
        return self.state.pending if self.state is not None else {}

    @property
    def _state(self) -> SiteState:
        if self.state is None:
            raise SitegenError(self.error or "the site has not been built yet")
        return self.state

    def watched(self) -> list[Path]:
        """Return the folders and files whose changes matter."""
        ctx = self.ctx
        paths = [ctx.content, ctx.templates, ctx.theme]
        if ctx.config_path is not None:
            paths.append(ctx.config_path)
        paths.append(ctx.authority_file)
        # The project folder itself (not its subfolders): sitegen.toml and a new templates/.
        paths.append(ctx.config.root / "sitegen.toml")
        return paths + self.also_watched

    def classify(self, path: Path) -> str:
        """Return what a changed path is: content, config, authority, template, static or other."""
        path, ctx = path.absolute(), self.ctx
        if ctx.config_path is not None and path == ctx.config_path.absolute():
            return "config"
        if path == ctx.authority_file.absolute():
            return "authority"
        if any(path.is_relative_to(folder.absolute()) for folder in self.also_watched):
            return "config"  # a folder the site is made from in ways sitegen cannot see: build everything
        for kind, folder in (
            ("content", ctx.content),
            ("template", ctx.templates),
            ("template", ctx.theme / "templates"),
            ("static", ctx.theme / "static"),
        ):
            if path.is_relative_to(folder.absolute()):
                return kind
        return "other"

    def current_problems(self) -> list[Diagnostic]:
        """Return the warnings and errors of the sources changed while serving."""
        return [d for source in sorted(self.problems) for d in self.problems[source]]

    # -- builds ---------------------------------------------------------------
    def build(self) -> Update:
        """Build everything (reusing the parse of unchanged sources) with the configuration as it is now."""
        started = time.perf_counter()
        try:
            self.ctx = self.ctx.reload()
            # At start-up, a site that is up to date is served as it is, and one whose sources changed
            # since is updated in place when it can be; later (a new configuration), everything is built.
            starting = self.state is None and not self.rebuilds
            result = build(self.ctx, whole=not starting, keep_state=starting)
        except SitegenError as exc:
            self.error = str(exc)
            return Update(full=True, error=self.error, seconds=time.perf_counter() - started)
        assert result.state is not None
        self.state = result.state
        self.initial_problems = {}
        for diagnostic in result.warnings:
            self.initial_problems.setdefault(diagnostic.path, []).append(diagnostic)
        self.problems = {}
        self.error = self.template_error = self.authority_error = ""
        self.search_stale = False
        self.rebuilds += 1
        seconds = time.perf_counter() - started
        if result.update is not None:  # updated in place at start-up
            update = result.update
            return Update(update.sources, update.theme, update.rendered, ["*"], full=True, seconds=seconds)
        rendered = 0 if result.up_to_date else result.files
        return Update(full=True, rendered=rendered, changed=["*"], seconds=seconds)

    def update(self, paths: set[Path], priority: AbstractSet[str] = frozenset()) -> Update | None:
        """Take in the changes to ``paths``; None when nothing changed.

        The pages of changed documents and the output paths in ``priority``
        (pages open in a browser) are rendered at once; the other pages the
        change affects wait in ``pending`` until ``drain`` renders them.
        """
        kinds = {self.classify(p) for p in paths}
        log.debug("changed: %s", ", ".join(sorted(kinds)))
        if "config" in kinds or self.error or self.state is None:
            return self.build()
        done: list[Update] = []
        notes = self.content.absolute() / "entities"
        if "authority" in kinds or any(p.suffix == ".md" and p.absolute().is_relative_to(notes) for p in paths):
            # A note's front matter can give its entity aliases, a Wikidata id and a description.
            taken = self._update_authority(set(priority))
            if taken is not None and (taken.full or taken.error):
                return taken
            if taken is not None:
                done.append(taken)
        if "template" in kinds:
            update = self._update_templates(set(priority))
            if update is not None and (update.full or update.error):
                return update
            if update is not None:
                done.append(update)
        if "static" in kinds and (update := self._update_static()) is not None:
            done.append(update)
        if "content" in kinds and (update := self._update_content(paths, set(priority))) is not None:
            if update.full:
                return update
            done.append(update)
        if not done:
            return None
        combined = done[0]
        for later in done[1:]:
            combined = combined.then(later)
        return combined

    def drain(self, families: set[Family] | None = None, seconds: float | None = None) -> tuple[list[str], int]:
        """Render pending pages (only those of ``families``, or for about ``seconds``); see SiteState.drain."""
        return self._state.drain(families, seconds)

    def start_whole_site(self) -> WholeSiteJob:
        """Start making the pending whole-site files in a process of their own (see SiteState)."""
        return self._state.start_whole_site()

    def finish_whole_site(self, job: WholeSiteJob) -> tuple[list[str], int] | None:
        """Take in a finished whole-site job; return the paths that changed and the pages rendered
        (None when it failed)."""
        return self._state.finish_whole_site(job)

    def only_whole_site_pending(self) -> bool:
        """Return True when only the whole-site files (data, feed, sitemap) wait."""
        return self.state is not None and self.state.only_whole_site_pending()

    def take_search_work(self) -> set[str]:
        """Return the indexed pages changed since the search index was last brought up to date, for
        ``reindex_search``; the index counts as up to date until another change."""
        self.search_stale = False
        return self._state.take_search_dirty()

    def reindex_search(self, changed: set[str] | None = None, cancel: threading.Event | None = None) -> float | None:
        """Bring the full-text search index up to date with the pages on disk (those of ``changed``,
        see take_search_work); return the seconds it took, or None when ``cancel`` stopped it (its
        pages then wait for the next run).

        Pagefind writes a new bundle beside the old one and it is swapped in
        whole, so this can run while the pages are being served, and in a
        thread of its own while pages are rebuilt.
        """
        if changed is None:
            changed = self.take_search_work()
        index = build_index(self.output, self.ctx.config.search_part_bytes, changed, cancel=cancel)
        if index.cancelled:
            if self.state is not None:
                self.state.search_dirty |= changed
            self.search_stale = True
            return None
        self.problems.pop("", None)
        if index.error:
            self.problems[""] = [Diagnostic("", 0, 0, index.error)]
        return index.seconds

    def _update_templates(self, priority: set[str]) -> Update | None:
        """Re-render the pages whose template, or a template it uses, changed; None when none did.

        The pages open in a browser (``priority``) are rendered at once, the
        others wait in ``pending``. One page of each changed template is
        rendered first: a template that fails reports its error and the
        pages stay as they were, until the next change. A template added or
        removed may change which one a page uses, so that rebuilds everything.
        """
        started, state = time.perf_counter(), self._state
        env = self.ctx.environment()
        hashes = template_hashes(env)
        if set(hashes) != set(state.template_hashes):
            return self.build()
        changed = {name for name, digest in hashes.items() if digest != state.template_hashes[name]}
        if not changed:  # as the pages were rendered: perhaps a broken template put back as it was
            if not self.template_error:
                return None
            self.template_error = ""
            return Update(seconds=time.perf_counter() - started)
        stale = state.families_using(changed)
        try:
            state.try_templates(env, stale)
        except SitegenError as exc:
            self.template_error = str(exc)
            return Update(error=self.template_error, seconds=time.perf_counter() - started)
        state.use_templates(env, hashes)
        self.template_error = ""
        for family in stale:
            state.queue(family)
        update = Update(theme=[f"templates/{name}" for name in sorted(changed)])
        first = {state.owner[p][0] for p in priority if p in state.owner}
        try:
            update.changed, update.rendered = state.drain(families=first)
        except SitegenError as exc:
            self.error = update.error = str(exc)
        self.rebuilds += 1
        update.remaining = state.pending_pages()
        update.seconds = time.perf_counter() - started
        return update

    def _update_authority(self, priority: set[str]) -> Update | None:
        """Take in an edit of the authority file (or of a note's front matter): the documents it
        resolves otherwise are resolved again and the pages they and its records affect are
        rendered (the most wanted first); None when it decides nothing differently.

        A mistake in the file is shown and the pages stay as they are; an
        edit of the withheld names builds everything again.
        """
        started, state = time.perf_counter(), self._state
        try:
            resolver = self.ctx.resolver()
        except SitegenError as exc:
            self.authority_error = str(exc)
            return Update(error=self.authority_error, seconds=time.perf_counter() - started)
        fixed, self.authority_error = bool(self.authority_error), ""
        if resolver.digest == state.site.resolver.digest:
            return Update(seconds=time.perf_counter() - started) if fixed else None  # clears the overlay
        try:
            touched = state.resolved_otherwise(resolver, self.content)
            state.take_changes(touched, resolver)
        except NeedsRebuild:
            log.debug("the authority file's edit changes withheld names: building the whole site")
            return self.build()
        self.search_stale = state.site.search
        update = Update(theme=[self.ctx.authority_file.name])
        first: set[Family] = {("doc", s) for s in touched} | {state.owner[p][0] for p in priority if p in state.owner}
        update.changed, update.rendered = state.drain(families=first)
        self.rebuilds += 1
        update.remaining = state.pending_pages()
        update.seconds = time.perf_counter() - started
        return update

    def _update_static(self) -> Update | None:
        """Copy changed theme files; say whether only stylesheets changed."""
        started = time.perf_counter()
        changed = self._state.copy_static(self.ctx.theme)
        if not changed:
            return None
        self.rebuilds += 1
        return Update(
            changed=changed, css_only=all(p.endswith(".css") for p in changed), seconds=time.perf_counter() - started
        )

    def _update_content(self, paths: set[Path], priority: set[str]) -> Update | None:
        """Re-parse changed sources, update the site and render the most wanted pages."""
        started, state = time.perf_counter(), self._state
        changed, problems = state.changed_sources(self.content, paths, keep_last_good=True, only_paths=True)
        told = {source for source, found in problems.items() if self.problems.get(source, []) != found}
        self.problems.update(problems)
        if not changed:
            # A file that cannot be used (empty, binary, undecodable) changes no page, but its problems,
            # or their end when it is fixed or deleted, are news.
            return Update(sources=sorted(told), seconds=time.perf_counter() - started) if told else None
        try:
            state.take_changes(changed)
        except NeedsRebuild:
            log.debug("the change moves other pages: building the whole site")
            return replace(self.build(), sources=sorted(changed))
        for source, page in changed.items():
            if source.endswith(MARKDOWN_SUFFIXES):
                self.problems[source] = list(page.diagnostics) if page is not None else []
        for diagnostic in site_warnings(state.site):
            if diagnostic.path in changed and diagnostic.path.endswith(MARKDOWN_SUFFIXES):
                self.problems[diagnostic.path].append(diagnostic)
        self.search_stale = state.site.search
        update = Update(sources=sorted(changed))
        first: set[Family] = {("page" if s.endswith(MARKDOWN_SUFFIXES) else "doc", s) for s in changed}
        first |= {state.owner[p][0] for p in priority if p in state.owner}
        first |= appearing_or_going(state)  # before the changed pages that link to them are announced
        update.changed, update.rendered = state.drain(families=first)
        self.rebuilds += 1
        update.remaining = state.pending_pages()
        update.seconds = time.perf_counter() - started
        return update


def appearing_or_going(state: SiteState) -> set[Family]:
    """Return the pending families whose files appear or disappear with the change: a new entity's
    pages, a new document's source view, the pages of an entity no longer named. They are rendered
    (or deleted) with the changed documents' pages, so that no page links to a page not there yet."""
    found = set()
    for family in state.pending:
        if kind_of(family).whole_site:
            continue
        if family not in state.written or not family_paths(state.site, family):
            found.add(family)
    return found
