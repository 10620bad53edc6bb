"""Gather stage: the parsed sources and their corpus become a Site, with the warnings only the whole site shows."""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment

from sitegen.build.cache import Cache
from sitegen.build.sources import Source, parse_into, source_reader
from sitegen.config import Config
from sitegen.errors import Diagnostic
from sitegen.index.corpus import Corpus
from sitegen.index.store import DocumentStore
from sitegen.parse.markdown import MarkdownSource, unknown_mentions
from sitegen.report import Progress
from sitegen.site.pages import Site


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
    sources = parse_into(corpus, files, progress, cache, jobs)
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
