"""Gather stage: the parsed sources and their corpus become a Site, with the warnings only the whole site shows."""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from jinja2 import Environment

from sitegen.build.cache import CACHE_GAP, Cache
from sitegen.build.context import BuildContext
from sitegen.build.journal import Base, Journal, Restored, read_tables, restored
from sitegen.build.sources import Source, parse_into, source_reader
from sitegen.errors import Diagnostic
from sitegen.index.corpus import Corpus
from sitegen.index.resolve import Resolver
from sitegen.index.store import DocumentStore
from sitegen.model import Key
from sitegen.parse.authority import Authority
from sitegen.parse.markdown import unknown_mentions
from sitegen.report import log
from sitegen.site.kinds.base import Family
from sitegen.site.kinds.document import kept_paths
from sitegen.site.pages import Site
from sitegen.site.rows import EntityRow


def make_site(
    ctx: BuildContext,
    env: Environment,
    resolver: Resolver,
    corpus: Corpus,
    sources: Iterable[Source],
    written: Mapping[Family, Sequence[str]] | None = None,
) -> Site:
    """Return the Site of a corpus and the Markdown files among its sources (its documents' paths
    taken from ``written``, the paths of the page families of the build that made the cache, when
    they are the same documents)."""
    markdown = {source.relative: source.markdown for source in sources if source.markdown is not None}
    return Site(
        corpus,
        ctx.config,
        markdown,
        source_reader(ctx.content, ctx.config.formats),
        frozenset(env.list_templates()),
        ctx.config.search,
        resolver,
        kept_paths(written) if written else {},
    )


def load_site(
    ctx: BuildContext, env: Environment, resolver: Resolver, files: list[tuple[str, str]], cache: Cache | None
) -> tuple[list[Source], Site]:
    """Parse the source files (reusing unchanged ones from ``cache``) and return them with the Site they make.

    The parsed documents are kept in a store beside the output folder; ``ctx.jobs`` processes parse them.
    """
    corpus = _corpus(ctx, resolver)
    sources = parse_into(corpus, files, ctx.reporter.progress, cache, ctx.jobs, resolver, ctx.config.formats)
    return sources, make_site(ctx, env, resolver, corpus, sources)


def cached_site(
    ctx: BuildContext, env: Environment, resolver: Resolver, cache: Cache
) -> tuple[list[Source], Site, dict | None, Base | None] | None:
    """Return the sources in a cache, the Site they make, parsing nothing (they were resolved as
    ``resolver`` would), the output paths of each page family as the cache recorded them, and the
    index they were taken from (see build/journal.py); None when the cache's records turn out to be
    damaged.

    The index kept in the cache is taken as it is, with the documents read
    from the cache file when a page needs them, and brought up to date with
    the journal after it; without one (or when it does not fit), every
    cached document is indexed again, and the paths are not known (None).
    """
    sources = list(cache.sources.values())
    with _long_lived():
        found = _restored(ctx, resolver, cache)  # the index only: no document is read yet
    if not cache.sound():
        log.debug("the cache of parsed sources is not used: %s", "; ".join(cache.damaged))
        return None
    if found is not None:
        try:
            found.catch_up(cache)
        except (ValueError, OSError, EOFError, pickle.UnpicklingError) as exc:
            log.debug("the cached index is not used: %s", exc)
            found = None
    rows: dict[Key, EntityRow] = {}
    written, base = None, None
    if found is None:
        corpus = _corpus(ctx, resolver)
        for source in sources:
            data = cache.data(source.relative)
            if data is not None:
                corpus.add(pickle.loads(data), data, cache.extra(source.relative))
    else:
        corpus, written, rows, base = found.corpus, found.written, found.rows, found.base
    site = make_site(ctx, env, resolver, corpus, sources, written)
    site.take_rows(rows, cached=found is not None, changed=base.journaled if base is not None else ())
    if found is not None:
        site.finder_seed = found.seed
    return sources, site, written, base


@contextmanager
def _long_lived() -> Iterator[None]:
    """Make objects that live as long as the build without the cyclic garbage collector, then exempt
    them from it (as write.freeze_heap does after parsing).

    Taking an index from the cache makes millions of objects at once, none of
    them garbage; the collector's passes over them while they are made cost
    a third of the time it takes. (A process takes an index once: a build,
    or a preview as it starts.)
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _restored(ctx: BuildContext, resolver: Resolver, cache: Cache) -> Restored | None:
    """Return the index kept in the cache (the corpus index over the cached documents, the paths
    of each page family and the entities' rows in the data files) with its journal, all but its
    documents brought up to date; None when there is none to trust for ``resolver``'s names."""
    stream = cache.index()
    if stream is None or cache.file is None:
        return None
    store = DocumentStore.beside(ctx.output)
    try:
        with stream:
            journal = Journal.read(cache)
            store.adopt(cache.file, cache.where, CACHE_GAP)
            corpus = Corpus.restored(stream, store, journal.documents)
            written, rows, letters = read_tables(corpus, stream)
            found = restored(cache, corpus, written, rows, journal, letters)
    except (ValueError, OSError, EOFError, pickle.UnpicklingError) as exc:
        log.debug("the cached index is not used: %s", exc)
        return None
    if corpus.given_names != {key: record.name for key, record in resolver.authority.records.items()}:
        return None
    log.debug(
        "the index of %d documents is taken from the cache, %d of them changed since it was written",
        len(corpus),
        len(journal.documents),
    )
    return found


def _corpus(ctx: BuildContext, resolver: Resolver) -> Corpus:
    """Return an empty corpus whose documents go to a store beside the output folder."""
    names = {key: record.name for key, record in resolver.authority.records.items()}
    return Corpus(store=DocumentStore.beside(ctx.output), names=names)


def source_warnings(sources: Iterable[Source], skipped: list[Diagnostic], site: Site) -> list[Diagnostic]:
    """Return a build's warnings in the order they are reported: files skipped, each source's, then the site's."""
    sources = list(sources)
    return (
        skipped
        + [d for source in sources for d in source.diagnostics]
        + site_warnings(site)
        + authority_warnings(site.resolver.authority, sources)
    )


def authority_warnings(authority: Authority, sources: Iterable[Source]) -> list[Diagnostic]:
    """Return a warning for each rule of the authority file that no source used."""
    used = set().union(*(source.rules for source in sources))
    for record in authority.records.values():  # an entity is used when any of its names is
        names = [f"alias:{k[0]}:{k[1]}" for k in (record.key, *record.aliases)]
        if any(name in used for name in names):
            used.add(names[0])  # its own name need not be written anywhere: each unused alias is told
        else:
            used.update(names[1:])  # nothing of it is mentioned: one warning, about the entity
    return [
        Diagnostic(authority.path, line, 1, f"{_describe(rule, authority)} matches no mention; is it still needed?")
        for rule, line in sorted(authority.lines.items(), key=lambda item: item[1])
        if rule not in used
    ]


def _describe(rule: str, authority: Authority) -> str:
    """Return a rule of the authority file as its warning names it."""
    kind, _, name = rule.partition(":")
    if kind == "alias":
        type_, _, name = name.partition(":")
        record = authority.records.get((type_, name))
        if record is not None:
            return f"[[entity]] '{record.name}' ({type_}), under any of its names,"
        return f"the alias '{name}' ({type_})"
    return {"drop": "[drop] name", "pattern": "[drop] pattern", "withhold": "[withhold] name"}[kind] + f" '{name}'"


def site_warnings(site: Site) -> list[Diagnostic]:
    """Return the problems that only the whole site reveals: links to unknown entities and the like."""
    warnings: list[Diagnostic] = []
    shown = {page.source for key, page in site.notes().items() if key in site.corpus.entities}
    for page in sorted(site.markdown.values(), key=lambda m: m.source):
        warnings += unknown_mentions(page, site.corpus.entities, site.resolver.mention)
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
    return warnings + duplicate_cables(site)


def duplicate_cables(site: Site) -> list[Diagnostic]:
    """Return a warning for each document that is the same cable (the same reference id) as another."""
    first: dict[str, str] = {}
    warnings = []
    for doc in sorted(site.corpus.documents, key=lambda d: d.source):
        if not doc.ref:
            continue
        if doc.ref in first:
            warnings.append(
                Diagnostic(doc.source, 1, 1, f"the same cable ({doc.ref}) as {first[doc.ref]}; both are published")
            )
        else:
            first[doc.ref] = doc.source
    return warnings
