"""One tag's (origin's, classification's, year's) list of documents, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial

from sitegen.model import GROUP_KINDS
from sitegen.site.change import Change
from sitegen.site.html import plural
from sitegen.site.kinds.base import Affected, Family, PageKind, dated, page_of, year_link
from sitegen.site.pages import GROUP_SINGULAR, DocRow, Page, Site, numbers, pager, pages_of
from sitegen.site.timeline import per_year, timeline
from sitegen.site.urls import relative_url


class GroupPages(PageKind):
    """``("group", KIND, key)``: every page of one group."""

    name = "group"
    template = "group.html"

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per group of each kind."""
        for kind in GROUP_KINDS:
            for key in site.corpus.groups[kind]:
                yield (self.name, kind, key)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the group's pages when it still exists.

        Context: kind_label, name, index_href, count, rows, pager, plus common keys.
        """
        _, kind, key = family
        group = site.corpus.groups[kind].get(key)
        if group is None:
            return
        size = site.config.documents_per_page
        total = pages_of(len(group.docs), size)
        dates = [dated(site, source) for source in group.docs]
        years = per_year((date, 1) for date in dates)
        for page in numbers(total, only):
            path = site.urls.group(kind, key, page)
            title = f"{GROUP_SINGULAR[kind]}: {group.name}" + (f" — page {page}" if page > 1 else "")
            context = site.common(path, title, f"{plural(len(group.docs), 'document')} with {kind} {group.name}")
            context.update(
                kind_label=GROUP_SINGULAR[kind],
                name=group.name,
                count=len(group.docs),
                index_href=relative_url(path, site.urls.group_index(kind)),
                rows=[
                    _row(site, path, source, years.anchor(dates[index], index))
                    for index, source in enumerate(group.docs[(page - 1) * size : page * size], (page - 1) * size)
                ],
                timeline=timeline(
                    years.counts,
                    partial(year_link, path, partial(site.urls.group, kind, key), size, years.first),
                    "documents",
                    years.months,
                )
                if page == 1 and kind != "year"  # a year's page is one year
                else None,
                pager=pager(lambda n: site.urls.group(kind, key, n), path, page, total),
            )
            yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the paths of the group's pages."""
        _, kind, key = family
        group = site.corpus.groups[kind].get(key)
        if group is None:
            return []
        total = pages_of(len(group.docs), site.config.documents_per_page)
        return [site.urls.group(kind, key, n) for n in range(1, total + 1)]

    def affected(self, site: Site, change: Change) -> Affected:
        """The groups of the changed documents: every page when members or the order changed,
        else the pages listing a changed document whose row changed."""
        size = site.config.documents_per_page
        for kind, key in change.groups:
            members = change.group_members_same((kind, key))
            group = site.corpus.groups[kind].get(key)
            if group is None or not members or not change.same_order:
                yield (self.name, kind, key), None
                continue
            listed = [s for s in change.documents if (kind, key) in change.new_groups[s]]
            if any(s in change.rows for s in listed):  # page 1 too: its timeline shows their years
                yield (self.name, kind, key), {1} | {page_of(group.docs.index(s), size) for s in listed}


def _row(site: Site, path: str, source: str, ident: str) -> DocRow:
    """Return a document's row, with the id of its year when it is the group's first of that year."""
    row = site.doc_row(path, source)
    return replace(row, ident=ident) if ident else row
