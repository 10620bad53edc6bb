"""Keep a built site up to date as sources change, re-rendering only what changed.

``LiveSite`` holds the parsed documents, the corpus and the paths of every
page family it wrote. After an edit it re-parses only the changed sources,
updates the corpus in place, works out which page families can show
something different, renders those and writes the files whose bytes changed.
A change to the configuration or a template rebuilds everything.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.build import find_sources, read_document
from sitegen.config import load_config
from sitegen.corpus import Corpus, Key, document_groups
from sitegen.errors import Diagnostic, SitegenError
from sitegen.model import Document, normalise
from sitegen.output import check_output, safe_path, staged_output
from sitegen.pages import Family, Site, families, family_pages
from sitegen.render import find_theme, make_environment, render_page


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
    seconds: float = 0.0


class LiveSite:
    """A site on disk plus everything needed to update it incrementally."""

    def __init__(self, config_path: Path | None, content: Path | None, output: Path | None,
                 config_required: bool = False) -> None:
        """Remember where things are; nothing is read until ``build``."""
        self.config_path = config_path
        self.config_required = config_required
        self._content_arg, self._output_arg = content, output
        self.config = load_config(config_path, required=config_required)
        self.content = content if content is not None else self.config.root / self.config.content
        self.output = output if output is not None else self.config.root / self.config.output
        self.theme = find_theme(self.config.theme, self.config.root)
        self.corpus = Corpus()
        self.site = Site(self.corpus, self.config)
        self.stats: dict[str, tuple[int, int]] = {}
        self.hashes: dict[str, str] = {}
        self.written: dict[Family, tuple[str, ...]] = {}
        self.problems: dict[str, list[Diagnostic]] = {}
        self.initial_problems: dict[str, list[Diagnostic]] = {}
        self.error = ""
        self.rebuilds = 0

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
        return paths

    def classify(self, path: Path) -> str:
        """Return what a changed path is: content, config, template, static or other."""
        path = path.absolute()
        if self.config_path is not None and path == self.config_path.absolute():
            return "config"
        for kind, folder in (("content", self.content), ("template", self.templates),
                             ("template", self.theme / "templates"), ("static", self.theme / "static")):
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
            sources, skipped = find_sources(self.content)
            corpus, problems = Corpus(), {d.path: [d] for d in skipped}
            stats, hashes = {}, {}
            for relative, path in sources:
                data_hash, stat = _fingerprint(path)
                stats[relative], hashes[relative] = stat, data_hash
                doc, found = read_document(relative, path)
                if found:
                    problems[relative] = found
                if doc is not None:
                    corpus.add(doc)
            site = Site(corpus, self.config)
            written: dict[Family, tuple[str, ...]] = {}
            with staged_output(self.output) as staging:
                for family in families(site):
                    paths = []
                    for page in family_pages(site, family):
                        staging.write(page.path, render_page(env, page))
                        paths.append(page.path)
                        report.pages += 1
                    written[family] = tuple(paths)
                staging.copy_tree(self.theme / "static", "assets")
        except SitegenError as exc:
            self.error = report.error = str(exc)
            report.seconds = time.perf_counter() - started
            return report
        self.env, self.corpus, self.site = env, corpus, site
        self.stats, self.hashes, self.written = stats, hashes, written
        self.initial_problems = problems
        self.problems = {}
        self.error = ""
        self.rebuilds += 1
        report.changed = ["*"]
        report.seconds = time.perf_counter() - started
        return report

    def update(self, paths: set[Path]) -> Report | None:
        """Bring the site up to date after ``paths`` changed; None when nothing did."""
        kinds = {self.classify(p) for p in paths}
        if "config" in kinds or "template" in kinds or self.error:
            return self.build()
        report = None
        if "static" in kinds:
            report = self._update_static()
        if "content" in kinds:
            content_report = self._update_content(paths)
            if content_report is not None:
                if report is not None:
                    content_report.changed += report.changed
                report = content_report
        return report

    def _update_static(self) -> Report | None:
        """Copy changed theme files; report whether only stylesheets changed."""
        started = time.perf_counter()
        changed = []
        folder = self.theme / "static"
        for file in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if file.is_file() and not file.name.startswith("."):
                relative = f"assets/{file.relative_to(folder).as_posix()}"
                if write_if_changed(self.output, relative, file.read_bytes()):
                    changed.append(relative)
        if not changed:
            return None
        self.rebuilds += 1
        return Report(changed=changed, css_only=all(p.endswith(".css") for p in changed),
                      seconds=time.perf_counter() - started)

    def _update_content(self, paths: set[Path]) -> Report | None:
        """Re-parse changed sources and re-render the page families they affect."""
        started = time.perf_counter()
        sources, skipped = find_sources(self.content)
        current = dict(sources)
        hinted = set()
        for path in paths:
            try:
                hinted.add(path.absolute().relative_to(self.content.absolute()).as_posix())
            except ValueError:
                pass
        changed_docs: dict[str, Document | None] = {}
        for relative in sorted(set(self.stats) - set(current)):
            changed_docs[relative] = None
            self.stats.pop(relative)
            self.hashes.pop(relative, None)
            self.problems[relative] = []
        for relative, path in sources:
            try:
                data_hash, stat = _fingerprint(path)
            except OSError:
                continue
            if self.stats.get(relative) == stat and relative not in hinted:
                continue
            self.stats[relative] = stat
            if self.hashes.get(relative) == data_hash:
                continue
            self.hashes[relative] = data_hash
            doc, found = read_document(relative, path)
            self.problems[relative] = found
            if doc is not None:
                changed_docs[relative] = doc
            elif relative not in self.corpus:
                continue  # a new file that cannot be used: nothing to show yet
        for diagnostic in skipped:
            self.problems[diagnostic.path] = [diagnostic]
        if not changed_docs:
            return None
        report = Report(sources=sorted(changed_docs))
        affected = self._apply(changed_docs)
        if affected is None:
            full = self.build()
            full.sources = report.sources
            return full
        report.changed, report.pages = self._render(affected)
        self.rebuilds += 1
        report.seconds = time.perf_counter() - started
        return report

    def _apply(self, changed: dict[str, Document | None]) -> list[Family] | None:
        """Update the corpus with changed documents; return the families to re-render.

        Returns None when the change moved other documents' paths, which needs
        a full rebuild.
        """
        corpus, site = self.corpus, self.site
        old = {source: corpus.document(source) if source in corpus else None for source in changed}
        keys: set[Key] = set()
        groups: set[tuple[str, str]] = set()
        for doc in [*old.values(), *changed.values()]:
            if doc is not None:
                keys |= {m.key for m in doc.mentions}
                groups |= {(kind, normalise(name)) for kind, names in document_groups(doc).items()
                           for name in names}
        before_order = [d.source for d in corpus.documents]
        tips_before = {k: _tip(corpus, k) for k in keys}
        co_before = {k: set(corpus.co_mentioned(k)) for k in keys}
        paths_before = dict(site.urls.documents)
        for source, doc in changed.items():
            if doc is None:
                corpus.remove(source)
            else:
                corpus.add(doc)
        tips_after = {k: _tip(corpus, k) for k in keys}
        changed_tips = {k for k in keys if tips_before[k] != tips_after[k]}
        site.forget(changed_tips)
        after_order = [d.source for d in corpus.documents]
        if any(site.urls.documents.get(s, p) != p for s, p in paths_before.items() if s not in changed):
            return None  # another document's path moved (a case-only name clash): rebuild all

        affected: set[Family] = {("doc", s) for s in changed}
        affected |= {("entity", k) for k in keys}
        affected |= {("group", kind, key) for kind, key in groups}
        affected |= {("groups", kind) for kind, _ in groups}
        rows_changed = before_order != after_order or any(
            _row(old[s]) != _row(changed[s]) for s in changed)
        if rows_changed:
            affected.add(("home",))
            for order in (before_order, after_order):
                position = {s: i for i, s in enumerate(order)}
                for source in changed:
                    if source in position:
                        i = position[source]
                        affected |= {("doc", order[j]) for j in (i - 1, i + 1) if 0 <= j < len(order)}
        if changed_tips:
            affected |= {("home",), ("entities",)}
            for key in changed_tips:
                affected |= {("type", key[0]), ("top", key[0])}
                if key in corpus.entities:
                    affected |= {("doc", occ.doc) for occ in corpus.entity(key).occurrences}
                if not (tips_before[key] and tips_after[key]) or tips_before[key][0] != tips_after[key][0]:
                    # Its name appears in the related lists of every entity mentioned with it.
                    co = co_before[key] | set(corpus.co_mentioned(key))
                    affected |= {("entity", other) for other in co}
        return sorted(affected, key=repr)

    def _render(self, affected: list[Family]) -> tuple[list[str], int]:
        """Render families, write the files that changed and delete the stale ones."""
        changed, count = [], 0
        for family in affected:
            paths = []
            for page in family_pages(self.site, family):
                count += 1
                paths.append(page.path)
                if write_if_changed(self.output, page.path, render_page(self.env, page).encode("utf-8")):
                    changed.append(page.path)
            for stale in set(self.written.get(family, ())) - set(paths):
                delete_page(self.output, stale)
                changed.append(stale)
            if paths:
                self.written[family] = tuple(paths)
            else:
                self.written.pop(family, None)
        return changed, count

    def current_problems(self) -> list[Diagnostic]:
        """Return the warnings and errors of the sources changed while serving."""
        return [d for source in sorted(self.problems) for d in self.problems[source]]


def _tip(corpus: Corpus, key: Key) -> tuple[str, int, int] | None:
    """Return what a tooltip shows of an entity: name, documents, mentions."""
    if key not in corpus.entities:
        return None
    entity = corpus.entity(key)
    return entity.name, entity.doc_count, entity.mention_count


def _row(doc: Document | None) -> tuple | None:
    """Return what lists of documents show of one document."""
    if doc is None:
        return None
    header = doc.header
    return doc.title, doc.date, header.origin if header else "", header.classification if header else ""


def _fingerprint(path: Path) -> tuple[str, tuple[int, int]]:
    """Return a source file's content hash and its (mtime, size)."""
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), (stat.st_mtime_ns, stat.st_size)


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

