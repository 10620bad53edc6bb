"""Render and write stage of a whole build: every page into a staging folder, swapped in when complete."""

from __future__ import annotations

import gc
from functools import partial
from typing import Any

from jinja2 import Environment

from sitegen.build.context import BuildContext
from sitegen.build.output import Staging, staged_output
from sitegen.build.parallel import fork_map
from sitegen.build.search import build_index
from sitegen.errors import Diagnostic
from sitegen.model import Key
from sitegen.render.templates import render_parts
from sitegen.report import log
from sitegen.site.kinds import Family, families, family_pages, kind_of, prepare, together
from sitegen.site.pages import Site
from sitegen.site.rows import EntityRow, entity_row

#: Entities whose rows a process makes at a time.
ROWS_BATCH = 4000
#: A previous site with more files than this is deleted in the background after the swap.
LARGE_SITE = 5000
#: Page families a rendering process takes at a time.
BATCH = 64
#: The stylesheet of highlighted code, written beside the theme's files.
PYGMENTS_CSS = "pygments.css"
#: The stylesheet of the entity types' colours, written beside the theme's files.
COLOURS_CSS = "colours.css"


def write_site(
    ctx: BuildContext, site: Site, env: Environment, previous_files: int = 0
) -> tuple[dict[Family, list[str]], list[Diagnostic], int]:
    """Render every page into a staging folder and swap it into the output folder.

    With ``ctx.jobs`` > 1 the page families are rendered by that many
    processes, this one and forked workers; each renders whole families from
    the same read-only site, so the files are the same as a serial build's.
    Returns the output paths of each page family, the problems of the
    search index and the bytes of the pages (the search index apart). A failure leaves the previous output as it was; a previous
    site of more than LARGE_SITE files (``previous_files``) is deleted in
    the background.
    """
    progress = ctx.reporter.progress
    all_families = list(families(site))
    work = render_order(all_families)
    jobs = ctx.jobs if len(work) >= 2 * BATCH else 1
    count = len(site.corpus)
    log.debug("making the snippets of %d documents with %d process(es)", count, jobs)
    site.corpus.group_snippets(jobs, lambda done: progress.update("snippets", done, count))
    make_rows(site, jobs)
    late: list[Diagnostic] = []
    with staged_output(ctx.output, large=previous_files > LARGE_SITE) as staging:
        log.debug("rendering %d page families with %d process(es)", len(work), jobs)
        freeze_heap()  # also keeps the collector from touching (and so copying) the shared objects in each worker
        expected, done = page_estimate(site), 0
        # Filled in the families' order as they come (a copy in that order would be a second table of millions).
        rendered: dict[Family, list[str]] = dict.fromkeys(all_families)  # type: ignore[assignment]
        del all_families
        render = partial(render_group, site, env, staging)
        size = 0
        groups = together(work)  # families that share what they are made from go to one process
        for group, results in zip(
            groups, fork_map(render, groups, jobs, what="rendering pages", batch=BATCH, here=True)
        ):
            for family, (paths, written_bytes) in zip(group, results):
                rendered[family] = paths
                size += written_bytes
                done += len(paths)
            progress.update("writing", done, max(expected, done))
        before = staging.bytes
        staging.copy_tree(ctx.theme / "static", "assets")
        for path, text in generated_assets(site).items():
            staging.write(path, text)
        size += staging.bytes - before
        if site.search:
            progress.message("indexing for search (Pagefind)…")
            index = build_index(
                staging.root,
                site.config.search_part_bytes,
                progress=lambda done, total: progress.update("indexing", done, total),
            )
            if index.error:
                late.append(Diagnostic("", 0, 0, index.error))
    return rendered, late, size


def make_rows(site: Site, jobs: int) -> None:
    """Make the rows in the whole-site data files of the entities that have none yet (Site.entity_row),
    with ``jobs`` processes when there are many: the data files are then joined from them wherever
    they are rendered, and the cache keeps them for the next build."""
    missing = site.rows_missing()
    if not missing:
        return
    site.entity_row(missing[0])
    site.corpus.type_position(missing[0])  # the A-Z order, sorted once for every process
    chunks = [missing[start : start + ROWS_BATCH] for start in range(1, len(missing), ROWS_BATCH)]
    log.debug("making the rows of %d entities", len(missing))
    if len(chunks) > 1:
        made = fork_map(partial(_rows_of, site), chunks, jobs, what="making rows", here=True)
    else:
        made = map(partial(_rows_of, site), chunks)
    for chunk, rows in zip(chunks, made):
        site.take_rows(dict(zip(chunk, rows)))
    site.rows_missing()  # none now: lets go of the set of every entity it looked for


def _rows_of(site: Site, keys: list[Key]) -> list[EntityRow]:
    """Return the rows of some entities (in any process)."""
    return [entity_row(site, key) for key in keys]


def render_family(site: Site, env: Environment, staging: Staging, family: Family) -> tuple[list[str], int]:
    """Render and write the pages of one family; return their output paths and bytes (the process
    that renders them may be a worker, whose staging folder counts apart)."""
    paths = []
    before = staging.bytes
    for page in family_pages(site, family):
        staging.write(page.path, render_parts(env, page))
        paths.append(page.path)
    return paths, staging.bytes - before


def render_group(
    site: Site, env: Environment, staging: Staging, group: tuple[Family, ...]
) -> list[tuple[list[str], int]]:
    """Render and write the families of a group (see kinds.together), after making what they share."""
    prepare(site, list(group))
    return [render_family(site, env, staging, family) for family in group]


def render_order(work: list[Family]) -> list[Family]:
    """Return page families in the order to render them: the whole-site files and lists first, then
    each document's page, source view and data together, then each entity's pages and facet data
    together.

    The whole-site files (the finder's parts above all) hold for a moment
    a little of every entity, so they come first, while the processes
    hold least: each process holds more as it goes, the output paths of
    what it rendered. Families of one subject read the same document from
    the corpus's store, or the same entity from its index, which then has
    it at hand. The order of the output does not change.
    """

    def order(family: Family) -> tuple[int, str, Any]:
        if kind_of(family).per_document:
            return (1, family[1], family[0])
        if len(family) == 2 and isinstance(family[1], tuple):  # an entity's key
            return (2, "", family[1])
        return (0, "", "")

    return sorted(work, key=order)


def generated_assets(site: Site) -> dict[str, str]:
    """Return the stylesheets sitegen writes beside the theme's files, by output path: the entity
    types' colours and the highlighting of code, which the configuration's look decides."""
    return {site.urls.asset(COLOURS_CSS): colours_css(site), site.urls.asset(PYGMENTS_CSS): code_css(site)}


def colours_css(site: Site) -> str:
    """Return the stylesheet of the entity types' colours, as custom properties (``--per``…) in the
    light and the dark colour scheme."""
    types = [(t.lower(), site.config.types[t]) for t in sorted(site.config.types)]
    light = "".join(f" --{css}: {t.color};" for css, t in types)
    dark = "".join(f" --{css}: {t.dark_color};" for css, t in types)
    return f":root {{{light} }}\n@media (prefers-color-scheme: dark) {{\n  :root {{{dark} }}\n}}\n"


def code_css(site: Site) -> str:
    """Return the stylesheet of highlighted code in the site's Pygments styles and entity colours."""
    from sitegen.render.highlight import pygments_css  # Pygments: only when the site is written

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


def page_estimate(site: Site) -> int:
    """Return roughly how many pages the site has, for the progress display."""
    corpus = site.corpus
    groups = sum(len(g) for g in corpus.groups.values())
    return len(corpus.documents) + len(corpus.entities) + groups + 20
