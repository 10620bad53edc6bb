"""Orchestration: read -> parse -> gather -> render -> write.

Only ``read_sources`` and the writing at the end touch the disk; the stages in
between are the pure functions of cable.py, corpus.py and pages.py.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from sitegen.cable import parse_document
from sitegen.config import Config
from sitegen.corpus import build_corpus
from sitegen.errors import ConfigError, Diagnostic, SourceError
from sitegen.model import Document
from sitegen.output import check_output, staged_output
from sitegen.pages import Site, all_pages
from sitegen.progress import Progress
from sitegen.render import find_theme, make_environment, render_page

#: File name patterns of documents, by suffix.
DOCUMENT_SUFFIXES = (".txt",)


@dataclass
class BuildResult:
    """What one build did."""

    documents: int = 0
    entities: int = 0
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    warnings: list[Diagnostic] = field(default_factory=list)


def is_ignored(name: str) -> bool:
    """Return True for hidden files and editors' swap, backup and lock files."""
    return (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
            or name == "4913")


def find_sources(content: Path) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """Return every document under ``content`` as (relative posix path, file path), sorted.

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
            elif name.endswith(DOCUMENT_SUFFIXES):
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


def read_document(relative: str, path: str | Path) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse one source file; never raises for bad input."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        return None, [Diagnostic(relative, 0, 0, f"cannot read file: {exc.strerror or exc}")]
    try:
        doc = parse_document(relative, data)
    except SourceError as exc:
        return None, [exc.diagnostic]
    except RecursionError:
        return None, [Diagnostic(relative, 0, 0, "file is too deeply nested to parse; skipped")]
    return doc, list(doc.diagnostics)


def parse_all(sources: list[tuple[str, str]], progress: Progress) -> tuple[list[Document], list[Diagnostic]]:
    """Parse every source file independently, collecting warnings in source order."""
    documents, warnings = [], []
    for done, (relative, path) in enumerate(sources, 1):
        doc, found = read_document(relative, path)
        warnings += found
        if doc is not None:
            documents.append(doc)
        progress.update("parsing", done, len(sources))
    return documents, warnings


def build(config: Config, content: Path, output: Path,
          progress: Progress | None = None,
          on_warning: Callable[[Diagnostic], None] | None = None) -> BuildResult:
    """Build the site from ``content`` into ``output`` and return what was done."""
    started = time.perf_counter()
    progress = progress or Progress(enabled=False)
    if not content.is_dir():
        raise ConfigError(f"content folder {content} does not exist; pass --content DIR")
    check_output(output, content)
    theme = find_theme(config.theme, config.root)
    env = make_environment(theme, config.root / config.templates)

    sources, skipped = find_sources(content)
    documents, warnings = parse_all(sources, progress)
    warnings = skipped + warnings
    if on_warning:
        progress.clear()
        for warning in warnings:
            on_warning(warning)
    corpus = build_corpus(documents)
    site = Site(corpus, config)

    result = BuildResult(documents=len(documents), entities=len(corpus.entities), warnings=warnings)
    expected = _page_estimate(site)
    with staged_output(output) as staging:
        for page in _counted(all_pages(site), result):
            staging.write(page.path, render_page(env, page))
            progress.update("writing", result.pages, max(expected, result.pages))
        staging.copy_tree(theme / "static", "assets")
        result.files = staging.count
    progress.clear()
    result.seconds = time.perf_counter() - started
    return result


def _counted(pages: Iterator, result: BuildResult) -> Iterator:
    """Yield pages while counting them into the result."""
    for page in pages:
        result.pages += 1
        yield page


def _page_estimate(site: Site) -> int:
    """Return roughly how many pages the site has, for the progress display."""
    corpus = site.corpus
    groups = sum(len(g) for g in corpus.groups.values())
    return len(corpus.documents) + len(corpus.entities) + groups + 20
