"""A site on disk and what it was made from: enough to update it in place.

``SiteState`` knows every source as last read, the Site they make and the
output paths of every page family. Given changed files it re-reads only
those (``changed_sources``), puts them into the site and queues the pages
that each page kind says the change affects (``take_changes``); ``drain``
renders queued pages, writes the files whose bytes changed and deletes
pages that are gone. ``sitegen build`` (update in place) and the preview
(serve/session.py) both run on it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO, cast

from jinja2 import Environment

from sitegen.build.journal import Base
from sitegen.build.output import safe_path, static_files
from sitegen.build.parallel import fork_map
from sitegen.build.search import SearchIndex, is_indexed, searched_text
from sitegen.build.sources import Source, find_sources, read_source, resolve_source, source_stat
from sitegen.errors import Diagnostic
from sitegen.files import MARKDOWN_SUFFIXES, is_ignored
from sitegen.index.resolve import Resolver, resolved_otherwise, stale_rules
from sitegen.model import Document
from sitegen.parse.formats import BRAT_TEXT, Formats
from sitegen.parse.markdown import MarkdownSource
from sitegen.render.templates import render_page, render_parts, template_hashes
from sitegen.report import log
from sitegen.site.change import Change, NeedsRebuild, apply_change
from sitegen.site.finder import FIRST_PARTS, learn_parts
from sitegen.site.kinds import (
    KINDS,
    Family,
    Numbers,
    affected,
    families,
    family_pages,
    family_paths,
    family_template,
    kind_of,
    merge,
    prepare,
    together,
)
from sitegen.site.pages import Page, Site

#: A changed source: its new document or Markdown page, or None when it was deleted.
Changed = dict[str, Document | MarkdownSource | None]


@dataclass
class Update:
    """What an update of a site did: an update in place, a preview rebuild, or a whole build."""

    sources: list[str] = field(default_factory=list)
    """The sources whose content changed, were added or were deleted."""
    theme: list[str] = field(default_factory=list)
    """The templates and static files that changed, as ``templates/NAME`` and ``static/PATH``."""
    rendered: int = 0
    """Pages and data files rendered again."""
    changed: list[str] = field(default_factory=list)
    """Output files written or deleted because their content changed."""
    css_only: bool = False
    """True when only stylesheets changed: open pages can swap them without reloading."""
    full: bool = False
    """True when everything was built again."""
    error: str = ""
    """Why it failed; the previous pages stay in place."""
    remaining: int = 0
    """Pages still waiting to be rendered again (the preview renders them a slice at a time)."""
    seconds: float = 0.0
    """How long it took."""
    search: SearchIndex | None = None
    """What indexing the changed pages for search did, when an update in place indexed them."""

    def then(self, later: Update) -> Update:
        """Return one update for this one followed by ``later``; a whole build stands for both."""
        if later.full:
            return later
        return replace(
            later,
            sources=self.sources + later.sources,
            theme=self.theme + later.theme,
            rendered=self.rendered + later.rendered,
            changed=self.changed + later.changed,
            css_only=self.css_only and later.css_only,
            error=later.error or self.error,
            seconds=self.seconds + later.seconds,
        )


def what_changed(sources: Iterable[str], theme: list[str]) -> str:
    """Return what an update is for: '3 changed sources', 'templates/doc.html', or both."""
    count = len(list(sources))
    parts = [f"{count:,} changed source{'s' if count != 1 else ''}"] if count or not theme else []
    return " and ".join(parts + ([", ".join(theme)] if theme else []))


def _holds(sources: Iterable[str], folder: str) -> bool:
    """Return True when some of ``sources`` (relative paths) are in ``folder`` or below it."""
    return any(relative.startswith(folder + "/") for relative in sources)


class SiteState:
    """A built site: its sources, its Site, the paths of each page family and the pages waiting to be rendered."""

    def __init__(
        self,
        output: Path,
        env: Environment,
        site: Site,
        sources: Iterable[Source],
        written: dict[Family, list[str]],
        base: Base | None = None,
        outputs: list[str] | None = None,
    ) -> None:
        """Take over the site in ``output``, built with ``env`` from ``sources`` into ``site`` (and
        taken from the index ``base`` in the cache, when it was); ``outputs`` are the paths of
        ``written`` sorted, when the caller has them (the manifest of the build that wrote them)."""
        self.output = output
        self.env = env
        self.site = site
        self.corpus = site.corpus
        self.template_hashes = template_hashes(env)
        """Each template's hash with the templates it uses, as the pages on disk were rendered."""
        self.sources: dict[str, Source] = {source.relative: source for source in sources}
        """Every source file as last read, by relative path (their documents are in the corpus)."""
        self.written: dict[Family, tuple[str, ...]] = {}
        """The output paths of each page family on disk."""
        self._claims: dict[str, tuple[Family, int] | None] = {}
        """The family and page number of each path recorded since the state was taken over (None:
        deleted since)."""
        self._owner: dict[str, tuple[Family, int]] | None = None
        """The family and page number of every output path, once asked for (see owner)."""
        self.recorded: dict[Family, tuple[str, ...] | None] = {}
        """The families whose paths were recorded since the state was taken over (see _record),
        with their paths then (None: none)."""
        self.pending: dict[Family, Numbers] = {}
        """Pages waiting to be rendered again, by family (None: all its pages)."""
        self.search_dirty: set[str] = set()
        """Pages of the full-text search index written or deleted since it was last made."""
        self.size: int | None = None
        """Bytes of the output files of the page families (see outputs) and of the theme's assets,
        when known; kept up to date as files are written and deleted."""
        self.base = base
        """The index in the cache that the site was taken from, when it was (see build/journal.py)."""
        # Taken over, not copied: a large site's table has millions of entries. From the index
        # (journal.restored) they are tuples already, and no family is without paths.
        self.written = cast("dict[Family, tuple[str, ...]]", written)
        if base is None:  # as a build gave them: made tuples in place, without the families that have none
            for family, paths in written.items():
                written[family] = tuple(paths)  # type: ignore[assignment]
            for family in [family for family, paths in written.items() if not paths]:
                del written[family]
        for letter in FIRST_PARTS:  # the finder's part names the site has on disk
            if (family := ("finder", letter)) in written:
                learn_parts(site, family, self.written.get(family, ()))
        self._outputs = outputs

    @classmethod
    def on_disk(cls, output: Path, env: Environment, site: Site, sources: Iterable[Source]) -> SiteState:
        """Return the state of a site already on disk, whose paths are those its families have now."""
        return cls(output, env, site, sources, {family: family_paths(site, family) for family in families(site)})

    def outputs(self) -> list[str]:
        """Return every output file of the page families, sorted (the same for the same site, however
        it was built)."""
        if self._outputs is None:
            self._outputs = sorted(path for paths in self.written.values() for path in paths)
        return self._outputs

    # -- taking in changes ---------------------------------------------------
    def changed_sources(
        self,
        content: Path,
        paths: Iterable[Path] = (),
        found: tuple[list[tuple[str, str]], list[Diagnostic]] | None = None,
        keep_last_good: bool = False,
        only_paths: bool = False,
        stats: Mapping[str, Sequence[int]] | None = None,
    ) -> tuple[Changed, dict[str, list[Diagnostic]]]:
        """Return the sources whose content changed, and the current problems of every source looked at.

        Sources whose size and modification time are as last read are not
        read again, unless they are in ``paths``. ``found`` is what
        find_sources returned for ``content``, when the caller has it. With
        ``keep_last_good`` a source that cannot be read any more keeps its
        last good version (the preview); otherwise it is dropped, as a clean
        build would. With ``only_paths`` (the preview, whose watcher says
        every change) only ``paths`` are looked at when each of them is a
        file that is one document or page; otherwise the folder is listed.
        ``stats`` are the sources' stats (sources.source_stats) when the caller took them just now.
        """
        formats = self.site.config.formats
        quick = self._only(content, paths, formats) if only_paths and found is None else None
        if quick is not None:
            sources, gone = quick
            skipped: list[Diagnostic] = []
        else:
            sources, skipped = found if found is not None else find_sources(content, formats)
            gone = set(self.sources) - {relative for relative, _ in sources}
        hinted = set()
        for path in paths:
            try:
                hinted.add(path.absolute().relative_to(content.absolute()).as_posix())
                if path.suffix.lower() == BRAT_TEXT:  # a brat document's text: the document is its .ann
                    hinted.add(path.absolute().relative_to(content.absolute()).with_suffix(".ann").as_posix())
            except ValueError:
                pass
        changed: Changed = {}
        problems: dict[str, list[Diagnostic]] = {}
        for relative in sorted(gone):
            del self.sources[relative]
            problems[relative] = []
            if relative in self.corpus or relative in self.site.markdown:
                changed[relative] = None
        for relative, file in sources:
            if quick is not None and relative not in hinted:
                continue  # not among the changed paths
            file_relative = formats.split_source(relative)[0]
            known = stats.get(relative) if stats is not None else None
            try:
                stat = (
                    (known[0], known[1]) if known is not None else source_stat(file, formats.format_of(file_relative))
                )
            except OSError:
                continue
            before = self.sources.get(relative)
            if before is not None and before.stat == stat and file_relative not in hinted:
                continue
            source = read_source(relative, file, formats)
            if source.document is not None:
                document, source = resolve_source(self.site.resolver, source, source.document)
                source = replace(source, document=document)
            self.sources[relative] = replace(source, document=None)  # the corpus keeps the document
            if before is not None and before.digest == source.digest:
                continue
            problems[relative] = source.diagnostics
            if source.document is not None or source.markdown is not None:
                changed[relative] = source.document or source.markdown
            elif not keep_last_good and (relative in self.corpus or relative in self.site.markdown):
                changed[relative] = None
            # Otherwise a file that cannot be read keeps its last good version until it is fixed.
        for diagnostic in skipped:
            problems[diagnostic.path] = [diagnostic]
        return changed, problems

    def _only(
        self, content: Path, paths: Iterable[Path], formats: Formats
    ) -> tuple[list[tuple[str, str]], set[str]] | None:
        """Return the sources among ``paths`` alone (as find_sources would list them) and the known
        sources among them that are gone, or None when a path needs the folder listed: a folder, a
        link, a file of a format that holds several documents or of brat's two files, a path gone
        that held sources. The other sources are not looked at: an edit costs the same whatever
        the number of sources."""
        folder = str(content)
        present: dict[str, str] = {}
        gone: set[str] = set()
        root = content.absolute()
        for path in paths:
            try:
                relative = path.absolute().relative_to(root).as_posix()
            except ValueError:
                continue  # not a source: a template, the configuration…
            if any(is_ignored(part) for part in relative.split("/")):
                continue
            if path.is_dir() or path.is_symlink():
                return None
            fmt = None if relative.endswith(MARKDOWN_SUFFIXES) else formats.format_of(path.name)
            if fmt is not None and (fmt.several or fmt.name == "brat" or path.with_suffix(".ann").exists()):
                return None
            if fmt is None and not relative.endswith(MARKDOWN_SUFFIXES):
                if not path.exists() and _holds(self.sources, relative):
                    return None  # a folder moved away, with its sources
                continue  # not a source: an editor's temporary file, a backup…
            if path.is_file():
                present[relative] = os.path.join(folder, relative)
            elif relative in self.sources:
                gone.add(relative)
        return sorted(present.items()), gone

    def resolved_otherwise(self, resolver: Resolver, content: Path) -> Changed:
        """Return the documents that ``resolver`` (after an edit of the authority file) shows otherwise
        than the site's resolver, and those naming an entity it renames, resolved by it again.

        Raises NeedsRebuild when a withheld name changed: those can be anywhere in any text.
        """
        old, corpus = self.site.resolver, self.corpus
        if old.rules != resolver.rules or old.authority.withhold != resolver.authority.withhold:
            raise NeedsRebuild
        before, after = old.authority.records, resolver.authority.records
        keys = resolved_otherwise(corpus.spellings(), old, resolver)
        keys |= {k for k in before.keys() & after.keys() if before[k].name != after[k].name}
        sources = {s for key in keys if key in corpus.entities for s in corpus.sources_of(key)}
        used = {rule for source in self.sources.values() for rule in source.rules}
        stale = stale_rules(used, old.authority, resolver.authority)
        sources |= {s.relative for s in self.sources.values() if s.rules & stale and s.relative in corpus}
        changed: Changed = {}
        formats = self.site.config.formats
        for relative in sorted(sources):
            source = read_source(relative, content / formats.split_source(relative)[0], formats)
            if source.document is None:
                continue  # unreadable now: the next build reports it
            document, source = resolve_source(resolver, source, source.document)
            self.sources[relative] = replace(source, document=None)
            changed[relative] = document
        log.debug("the authority file's edit touches %d entities in %d documents", len(keys), len(changed))
        return changed

    def take_changes(self, changed: Changed, resolver: Resolver | None = None) -> Change:
        """Put changed sources into the site and queue the pages each kind says may differ.

        ``resolver`` is the new resolver after an edit of the authority file
        (see resolved_otherwise). Raises NeedsRebuild when the change needs
        everything built again (then the site must not be used further).
        """
        documents = {s: d for s, d in changed.items() if not s.endswith(MARKDOWN_SUFFIXES)}
        markdown = {s: d for s, d in changed.items() if s.endswith(MARKDOWN_SUFFIXES)}
        change = apply_change(self.site, documents, markdown, resolver)  # type: ignore[arg-type]
        found = affected(self.site, change)
        log.debug("%d changed source(s) affect %d page families", len(changed), len(found))
        for family, pages in found.items():
            self.queue(family, pages)
        return change

    def queue(self, family: Family, pages: Numbers = None) -> None:
        """Mark pages of a family (None: all of them) as waiting to be rendered again."""
        merge(self.pending, family, pages)

    # -- templates and theme files -------------------------------------------
    def families_using(self, templates: set[str]) -> list[Family]:
        """Return the families on disk rendered with one of ``templates``, in the order of the site."""
        if not templates:  # most updates: no template changed
            return []
        return [family for family in self.written if family_template(self.site, family) in templates]

    def try_templates(self, env: Environment, stale: list[Family]) -> None:
        """Render one page with each template that ``stale`` families use; raise the error of one that fails."""
        sample: dict[str, Family] = {}
        for family in stale:
            sample.setdefault(family_template(self.site, family), family)
        for name in sorted(sample):
            page = next(family_pages(self.site, sample[name], {1}), None)
            if page is not None:
                render_page(env, page)

    def use_templates(self, env: Environment, hashes: dict[str, str]) -> None:
        """Render pages with ``env`` from now on; ``hashes`` are its templates' hashes."""
        self.env, self.template_hashes = env, hashes

    def copy_static(self, theme: Path) -> list[str]:
        """Copy the theme's changed static files into ``assets/``; return their output paths."""
        changed = []
        for name, file in static_files(theme / "static"):
            if self._write(f"assets/{name}", file.read_bytes()):
                changed.append(f"assets/{name}")
        return changed

    def write_asset(self, path: str, text: str) -> bool:
        """Write a stylesheet sitegen makes (build/write.py) unless it is as it was; return True when written."""
        return self._write(path, text.encode("utf-8"))

    # -- rendering what waits ----------------------------------------------
    def pending_pages(self) -> int:
        """Return roughly how many pages still wait to be rendered again."""
        return sum(len(p) if p is not None else max(1, len(self.written.get(f, ()))) for f, p in self.pending.items())

    def only_whole_site_pending(self) -> bool:
        """Return True when only the whole-site files (data, feed, sitemap) wait."""
        return bool(self.pending) and all(kind_of(f).whole_site for f in self.pending)

    def drain(
        self, families: set[Family] | None = None, seconds: float | None = None, jobs: int = 1
    ) -> tuple[list[str], int]:
        """Render pending pages (only those of ``families``, or for about ``seconds``; all of them
        with ``jobs`` processes, this one and forked workers, when neither is given).

        Returns the output paths that changed and the number of pages rendered;
        pages left when the time is up stay pending. A drain for some ``seconds`` that finds pages
        pending leaves the whole-site files for a drain that finds only them (the preview makes those
        in a process of their own, once editing pauses).
        """
        if jobs > 1 and families is None and seconds is None:
            return self._drain_in_parallel(jobs)
        deadline = None if seconds is None else time.perf_counter() + seconds
        pages_only = deadline is not None and not self.only_whole_site_pending()
        changed: list[str] = []
        count = 0
        while True:
            chosen = sorted(
                (
                    f
                    for f in self.pending
                    if (families is None or f in families) and not (pages_only and kind_of(f).whole_site)
                ),
                key=_drain_order,
            )
            if not chosen or (deadline is not None and time.perf_counter() >= deadline):
                return changed, count
            prepare(self.site, chosen)
            for family in chosen:
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                count += self.render_family(family, deadline, changed)
            if families is not None:
                return changed, count

    def _drain_in_parallel(self, jobs: int) -> tuple[list[str], int]:
        """Render every pending page with ``jobs`` processes; return what drain returns.

        Workers render and write whole families from the same site; this
        process then deletes the pages that are gone and records each family,
        which may queue more (the lists of pages), rendered in the next round.
        """
        changed: list[str] = []
        count = 0
        while self.pending:
            work = sorted(self.pending, key=_drain_order, reverse=True)
            wanted = {family: self.pending.pop(family) for family in work}
            tasks, cost = shared_out(self.site, work, wanted, jobs)
            task = partial(_render_group, self.site, self.env, self.output)
            # This process takes tasks too, but only in a short drain: rendering a long one, it would
            # hold what its tasks need (a frequent entity's list and dates) on top of the whole index
            # (at the full archive, 3.99 GB rather than 3.82 GB).
            here = cost <= HERE_COST
            try:
                done = fork_map(task, tasks, jobs, what="rendering pages", here=here)
                results = joined([result for group in done for result in group])
            except BaseException:
                for family, pages in wanted.items():  # rendered again next time; writing them again does no harm
                    self.queue(family, pages)
                raise
            count += self._take_in([(family, results[family]) for family in work], changed)
        return changed, count

    def _take_in(self, results: list[tuple[Family, Rendered]], changed: list[str]) -> int:
        """Take in the families other processes rendered and wrote (see render_pages): delete the
        pages they no longer have and record their paths; return how many pages were rendered."""
        # Every page is written before any is deleted: a path one family gave up may be another's now.
        taken = {path for _, (current, _, _, _, _) in results for path in current}
        count = 0
        for family, (current, written, grown, done, searched) in results:
            if self.size is not None:
                self.size += grown
            first_change = len(changed)
            changed += written
            self.search_dirty.update(searched)
            self._settle(family, current, first_change, changed, taken)
            count += done
        return count

    def start_whole_site(self) -> WholeSiteJob:
        """Start rendering the pending whole-site files (data, finder, lists of everything) in a
        forked process, which a newer edit can stop at once (see WholeSiteJob); they stay pending
        until ``finish_whole_site`` takes in what it did."""
        families = sorted(f for f in self.pending if kind_of(f).whole_site)
        wanted = {family: self.pending[family] for family in families}
        return WholeSiteJob.start(partial(_render_in_background, self.site, self.env, self.output, wanted))

    def finish_whole_site(self, job: WholeSiteJob) -> tuple[list[str], int] | None:
        """Take in a finished whole-site job: its families are no longer pending, the pages they no
        longer have are deleted; return the paths that changed and the pages rendered (None when
        the job failed: its families are still pending)."""
        results = job.results()
        if results is None:
            return None
        changed: list[str] = []
        for family, _ in results:
            self.pending.pop(family, None)
        return changed, self._take_in(results, changed)

    def render_family(self, family: Family, deadline: float | None, changed: list[str]) -> int:
        """Render the pending pages of one family (until the deadline); return how many."""
        wanted = self.pending.pop(family)
        first_change = len(changed)
        current, rendered = family_renders(self.site, self.env, family, wanted)
        done: set[int] = set()
        try:
            for number, path, data in rendered:
                done.add(number)
                if self._write(path, data, self.search_dirty.add):
                    changed.append(path)
                if deadline is not None and time.perf_counter() >= deadline:
                    left = (set(range(1, len(current) + 1)) if wanted is None else wanted) - done
                    if left:
                        self.queue(family, left)
                    break
        except BaseException:
            # A page that failed (a template error) waits to be rendered again, with those after it.
            self.queue(family, None if wanted is None else wanted - done)
            raise
        self._settle(family, current, first_change, changed)
        return len(done)

    def _settle(
        self,
        family: Family,
        current: list[str],
        first_change: int,
        changed: list[str],
        taken: AbstractSet[str] = frozenset(),
    ) -> None:
        """After a family's pages were rendered: delete those it no longer has, queue the lists of
        pages when its set of pages changed, and record its paths (``current``); ``changed`` from
        ``first_change`` on are the family's files that were written, and ``taken`` paths that
        other families rendered with it have now."""
        before = set(self.written.get(family, ()))
        for stale in before - set(current):  # a page gone is gone from the search index too
            if (self._claims.get(stale) or (family, 0))[0] != family or stale in taken:
                continue  # another family's now: a merged name's redirect became its entity page again
            freed = delete_page(self.output, stale)
            if self.size is not None:
                self.size -= freed
            self._claims[stale] = None
            if self._owner is not None:
                self._owner.pop(stale, None)
            changed.append(stale)
            if is_indexed(stale):
                self.search_dirty.add(stale)
        if before != set(current):  # the set of pages changed: the pages that list them
            for listing in kind_of(family).listings(family):
                self.queue(listing)
            if not kind_of(family).lists_pages:
                for kind in KINDS:
                    if kind.lists_pages and kind.enabled(self.site):
                        for listing in kind.families(self.site):
                            self.queue(listing)
        self._record(family, current)

    def _write(self, relative: str, data: Content, searched: Callable[[str], object] | None = None) -> bool:
        """Write one output file unless it holds ``data`` already; return True when it was written
        (``searched`` hears it when search reads it otherwise now, see write_if_changed)."""
        grown = write_if_changed(self.output, relative, data, searched if self.site.search else None)
        if grown is not None and self.size is not None:
            self.size += grown
        return grown is not None

    def take_search_dirty(self) -> set[str]:
        """Return the indexed pages changed since the last call (see search_dirty), and forget them."""
        dirty, self.search_dirty = self.search_dirty, set()
        return dirty

    @property
    def owner(self) -> dict[str, tuple[Family, int]]:
        """The family and page number of each output path: those of the families not recorded since
        the site was taken over (their paths then), with those recorded since. Made when first asked
        for (an update of a few pages need not index every path of the site)."""
        if self._owner is None:
            # The families not recorded since have the paths they had; the others' are claimed.
            recorded = self.recorded
            owner = {
                path: (f, n)
                for f, paths in self.written.items()
                if f not in recorded
                for n, path in enumerate(paths, 1)
            }
            for path, claim in self._claims.items():
                if claim is None:
                    owner.pop(path, None)
                else:
                    owner[path] = claim
            self._owner = owner
        return self._owner

    def _record(self, family: Family, paths: Iterable[str]) -> None:
        """Remember which output paths a family has."""
        paths = tuple(paths)
        if family not in self.recorded:
            self.recorded[family] = self.written.get(family)
        learn_parts(self.site, family, paths)  # the finder's part names made in another process, or written
        if paths != self.written.get(family, ()):
            self._outputs = None
        if paths:
            self.written[family] = paths
            for number, path in enumerate(paths, 1):
                self._claims[path] = (family, number)
                if self._owner is not None:
                    self._owner[path] = (family, number)
        else:
            self.written.pop(family, None)


#: What a page is written as: its bytes, or a data file's bytes in parts (see page_content).
Content = bytes | Iterator[bytes]

#: What render_pages returns of one family: its paths now, the paths written because their bytes
#: changed, how many bytes larger the site became, how many pages were rendered, and the pages
#: written whose text for search changed (see write_if_changed).
Rendered = tuple[list[str], list[str], int, int, list[str]]


def render_pages(
    site: Site,
    env: Environment,
    output: Path,
    wanted: dict[Family, Numbers],
    family: Family,
    write: Callable[[Path, str, Content, Callable[[str], object] | None], int | None] | None = None,
) -> Rendered:
    """Render and write (with ``write``, write_if_changed by default) the pages of one family that
    ``wanted`` asks for (None: all of them), in any process."""
    write = write or write_if_changed
    current, rendered = family_renders(site, env, family, wanted[family])
    written: list[str] = []
    searched: list[str] = []
    grown = done = 0
    for _, path, data in rendered:
        done += 1
        more = write(output, path, data, searched.append if site.search else None)
        if more is not None:
            written.append(path)
            grown += more
    return current, written, grown, done, searched


def family_renders(
    site: Site, env: Environment, family: Family, wanted: Numbers
) -> tuple[list[str], Iterator[tuple[int, str, Content]]]:
    """Return a family's paths now, and its pages that ``wanted`` asks for (None: all of them) as
    they are rendered: each one's number (from 1), output path and bytes (see page_content)."""
    current = family_paths(site, family)
    number = {path: n for n, path in enumerate(current, 1)}

    def rendered() -> Iterator[tuple[int, str, Content]]:
        for page in family_pages(site, family, wanted):
            if wanted is not None and number[page.path] not in wanted:
                continue  # a family that always yields all its pages
            yield number[page.path], page.path, page_content(env, page)

    return current, rendered()


def page_content(env: Environment, page: Page) -> Content:
    """Return what a page is written as: a page's bytes, or a data file's in parts as they are made
    (see render_parts), so that entities.json of a million entities is never held whole."""
    if page.template:
        return render_page(env, page).encode("utf-8")
    return (part.encode("utf-8") for part in render_parts(env, page))


def _drain_order(family: Family) -> bool:
    """Order pending families: pages first, whole-site data files last (a stable sort keeps the
    order they were queued in, and costs little when a preview drains a few milliseconds at a time)."""
    return kind_of(family).whole_site


#: The most pages of one family that one process renders in an update's parallel drain: the pages
#: of a family with more (an entity named in thousands of documents, whose pages all shift when one
#: of them comes first) are shared out between the processes in runs of this many.
SHARED_PAGES = 16
#: The most a parallel drain may cost (PageKind.cost) for this process to render pages beside its workers.
HERE_COST = 1024


def shared_out(
    site: Site, work: list[Family], wanted: dict[Family, Numbers], jobs: int
) -> tuple[list[dict[Family, Numbers]], int]:
    """Return the tasks of a drain of the families ``work`` (with the pages of each that ``wanted``
    asks for) by ``jobs`` processes: each one's families with their pages, rendered in one process,
    each process taking the next task when it is done with one.

    Families that share what they are made from are one task (see together).
    The pages of any other family are cut in runs of SHARED_PAGES. The
    whole-site files come first, each a task of its own: each is long, and
    the other processes' pages balance it. Then come the costliest tasks
    (PageKind.cost), so that the last ones taken are short. In a drain of
    very many pages, the cheap ones are packed together, so that a few
    hundred tasks per process go through the processes' pipes. Returns the
    tasks and what they cost in all.
    """
    tasks: list[tuple[tuple[bool, int], dict[Family, Numbers]]] = []  # (not whole-site, -cost), task
    for group in together(work):
        family = group[0]
        if len(group) > 1 or kind_of(family).whole_site:
            tasks.append(((False, 0), {f: wanted[f] for f in group}))
            continue
        numbers = wanted[family]
        count = len(family_paths(site, family)) if numbers is None else len(numbers)
        if numbers is None and count <= SHARED_PAGES:
            # A family whose pages are all rendered may say so itself.
            tasks.append(((True, -kind_of(family).cost(site, family, count)), {family: None}))
            continue
        ordered = sorted(numbers or range(1, count + 1))
        for i in range(0, len(ordered), SHARED_PAGES):
            run = ordered[i : i + SHARED_PAGES]
            tasks.append(((True, -kind_of(family).cost(site, family, len(run))), {family: set(run)}))
    tasks.sort(key=lambda task: task[0])
    total = -sum(cost for (_, cost), _ in tasks)
    size = total // (256 * max(1, jobs))
    packed: list[dict[Family, Numbers]] = []
    room = -1  # what the last task can take in still (a whole-site task nothing)
    for (separate, cost), task in tasks:
        if separate and -cost <= room and task.keys().isdisjoint(packed[-1]):
            packed[-1].update(task)
            room += cost
        else:
            packed.append(dict(task))
            room = size + cost if separate else -1
    return packed, total


def joined(results: list[tuple[Family, Rendered]]) -> dict[Family, Rendered]:
    """Return what render_pages returned per family, the results of a family whose pages were shared
    out (see shared_out) made one."""
    found: dict[Family, Rendered] = {}
    for family, (current, written, grown, done, searched) in results:
        if family in found:
            _, written_before, grown_before, done_before, searched_before = found[family]
            found[family] = (
                current,
                written_before + written,
                grown_before + grown,
                done_before + done,
                searched_before + searched,
            )
        else:
            found[family] = (current, written, grown, done, searched)
    return found


def _render_group(
    site: Site, env: Environment, output: Path, wanted: dict[Family, Numbers]
) -> list[tuple[Family, Rendered]]:
    """Render and write the pages ``wanted`` asks for of families that ``together`` grouped (or
    some of the pages of one family), in any process, after making what they share (see kinds.prepare)."""
    prepare(site, list(wanted))
    return [(family, render_pages(site, env, output, wanted, family)) for family in wanted]


def _render_in_background(
    site: Site, env: Environment, output: Path, wanted: dict[Family, Numbers]
) -> list[tuple[Family, Rendered]]:
    """Render the families of ``wanted`` in a WholeSiteJob's process: a stop (SIGTERM) waits for the
    file being written, so no file is ever left half written."""
    prepare(site, list(wanted))
    return [(family, render_pages(site, env, output, wanted, family, write=_write_unstoppably)) for family in wanted]


def _write_unstoppably(
    root: Path, relative: str, data: Content, searched: Callable[[str], object] | None = None
) -> int | None:
    """Write one file with SIGTERM held off until it is in place."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        return write_if_changed(root, relative, data, searched)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


class WholeSiteJob:
    """Work done in a forked process that a newer edit stops at once: the preview makes the
    whole-site files there, so that a save never waits for them."""

    def __init__(self, process: multiprocessing.process.BaseProcess, reader: Connection) -> None:
        self._process, self._reader = process, reader
        self._results: list | None = None
        self._finished = False

    @classmethod
    def start(cls, task: Callable[[], list]) -> WholeSiteJob:
        """Fork a process that runs ``task`` and sends back what it returns."""
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)

        def run() -> None:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the preview, which stops this
            try:
                results = task()
            except BaseException:  # the preview renders them itself, and says what went wrong
                results = None
            writer.send(results)

        process = context.Process(target=run, name="sitegen-whole-site", daemon=True)
        process.start()
        writer.close()
        return cls(process, reader)

    def done(self, wait: float = 0.0) -> bool:
        """Return True once the process has sent its results (or ended without them)."""
        if not self._finished and self._reader.poll(wait):
            try:
                self._results = self._reader.recv()
            except (EOFError, OSError):
                self._results = None
            self._finished = True
            self._process.join()
        return self._finished or not self._process.is_alive()

    def results(self) -> list | None:
        """Return what the process sent back (None when it failed)."""
        self.done(wait=5.0)
        return self._results

    def kill(self) -> None:
        """Ask the process to end (after the file it is writing, if any), without waiting for it."""
        if self._process.is_alive():
            self._process.terminate()

    def stop(self) -> None:
        """Stop the process: it ends after the file it is writing, if any; nothing is taken in."""
        self.kill()
        self._process.join(timeout=2)
        self._reader.close()


def write_if_changed(
    root: Path, relative: str, data: Content, searched: Callable[[str], object] | None = None
) -> int | None:
    """Write one output file atomically unless it already holds ``data``; return how many bytes
    larger it became (None when it was not written).

    ``data`` is the file's bytes, or its bytes in parts (a data file as it is
    made), which are compared with the file and written part by part.
    ``searched`` hears the path of a page that full-text search indexes when
    the page is new or what search reads of it changed (search.searched_text):
    a page whose tooltips or neighbours' titles changed needs no new index.
    """
    path = safe_path(root, relative)
    indexed = searched is not None and is_indexed(relative)
    if not isinstance(data, bytes):
        if not indexed:
            return _write_parts_if_changed(path, data)
        data = b"".join(data)
    before, size = None, None
    try:
        size = path.stat().st_size
        if size == len(data) or indexed:  # a file of another size holds other bytes: only search reads it
            before = path.read_bytes()
            if before == data:
                return None
            size = len(before)
    except OSError:
        pass
    if searched is not None and indexed and (before is None or searched_text(before) != searched_text(data)):
        searched(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.sitegen-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return len(data) - (size or 0)


def _write_parts_if_changed(path: Path, parts: Iterable[bytes]) -> int | None:
    """Write a file given in parts atomically unless it holds those bytes already; return as
    write_if_changed does. Each part is compared with the file as it comes, and the new file is
    begun at the first part that differs, with the bytes before it copied from the old one: neither
    is ever held whole."""
    tmp = path.with_name(f".{path.name}.sitegen-tmp")
    try:
        old: BinaryIO | None = open(path, "rb")  # closed below, after the parts
    except OSError:
        old = None
    new: BinaryIO | None = None
    same = total = 0  # the bytes that are the old file's from its start; the new file's bytes
    try:
        for data in parts:
            total += len(data)
            if new is None and old is not None and old.read(len(data)) == data:
                same += len(data)
                continue
            if new is None:
                new = _begun(tmp, old, same)
            new.write(data)
        if new is None:
            if old is not None and not old.read(1):
                return None  # the same bytes
            new = _begun(tmp, old, same)  # the old file with its end cut off, or a new empty file
        new.close()
        size = 0 if old is None else os.fstat(old.fileno()).st_size
        os.replace(tmp, path)
        return total - size
    finally:
        if old is not None:
            old.close()
        if new is not None:
            new.close()
        tmp.unlink(missing_ok=True)


def _begun(tmp: Path, old: BinaryIO | None, same: int) -> BinaryIO:
    """Open the new file ``tmp`` and copy into it the first ``same`` bytes of the old file."""
    tmp.parent.mkdir(parents=True, exist_ok=True)
    new = open(tmp, "wb")  # the caller closes it
    if old is not None and same:
        old.seek(0)
        while same:
            chunk = old.read(min(same, 1 << 20))
            if not chunk:
                raise OSError(f"{old.name} was cut short while it was compared")
            new.write(chunk)
            same -= len(chunk)
    return new


def delete_page(root: Path, relative: str) -> int:
    """Delete one output file and any folders it leaves empty; return its size."""
    path = safe_path(root, relative)
    try:
        size = path.stat().st_size
        path.unlink()
    except OSError:
        size = 0
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
    return size
