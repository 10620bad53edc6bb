"""PageKind: what every kind of page (document, entity, feed...) says about itself.

A kind's pages are grouped in families: all pages rendered together, such as
every page of one entity. A family is named by a tuple whose first item is
the kind's name and whose other items say which one: ``("entity", key)``,
``("doc", source)``, ``("home",)``. Builds walk every family of every kind;
an update in place asks each kind which of its pages a change affects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ClassVar

from sitegen.site.timeline import anchor_id, when
from sitegen.site.urls import relative_url

if TYPE_CHECKING:
    from sitegen.site.change import Change
    from sitegen.site.pages import Page, Site

#: One family of pages: the kind's name, then what picks one family of that kind.
Family = tuple
#: Page numbers of a family (1 is the first page); None for all of them.
Numbers = set[int] | None
#: What a change affects: families with the page numbers to render again.
Affected = Iterator[tuple[Family, Numbers]]


class PageKind:
    """One kind of page: its template, its families, their pages and paths, and what a change affects."""

    name: ClassVar[str]
    """The first item of each of its families."""
    template: ClassVar[str] = ""
    """The template its pages are rendered with; empty for data files."""
    whole_site: ClassVar[bool] = False
    """True for files made from the whole corpus: an update renders them after every page."""
    per_document: ClassVar[bool] = False
    """True when each family is one document's: a build renders those of a document together."""
    lists_pages: ClassVar[bool] = False
    """True when it lists every page of the site: rendered again whenever a page comes or goes."""
    together: ClassVar[bool] = False
    """True when its families share what they are made from: an update renders those it renders
    again in one process, after making it once (see prepare)."""
    in_sitemap: ClassVar[bool] = True
    """False for pages that are not content of their own (redirects): the sitemap leaves them out."""

    def enabled(self, site: Site) -> bool:
        """Return whether the site has pages of this kind at all (the configuration can turn some off)."""
        return True

    def families(self, site: Site) -> Iterator[Family]:
        """Yield the kind's families in the site, in a fixed order."""
        yield (self.name,)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the pages of one family (only the page numbers in ``only``); none when its subject is gone."""
        raise NotImplementedError

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the output paths the family has now, without rendering anything."""
        raise NotImplementedError

    def cost(self, site: Site, family: Family, pages: int) -> int:
        """Return about how long ``pages`` pages of a family take to render, in pages of a list of
        documents: an update's processes take the costliest first (incremental.shared_out)."""
        return pages

    def template_of(self, site: Site, family: Family) -> str:
        """Return the template a family's pages are rendered with ("" for none)."""
        return self.template

    def prepare(self, site: Site, families: list[Family]) -> None:
        """Make what the pages of ``families``, about to be rendered in this process, share (kept in
        the site); by default nothing."""

    def listings(self, family: Family) -> tuple[Family, ...]:
        """Return the families whose pages list the paths of ``family``'s pages: an update renders
        them again when that family's set of pages changed."""
        return ()

    def affected(self, site: Site, change: Change) -> Affected:
        """Yield the families (with page numbers) that can look different after ``change``.

        ``site`` is the site after the change; ``change`` holds what was true
        before it. The default: nothing a source says shows on this kind's pages.
        """
        return iter(())


class PerDocument(PageKind):
    """A kind with one page per document, whose families are ``(name, source)``."""

    per_document = True

    def path_of(self, site: Site, source: str) -> str:
        """Return the output path of the page of one document."""
        raise NotImplementedError

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per document."""
        for doc in site.corpus.documents:
            yield (self.name, doc.source)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the page's path, while the document exists."""
        return [self.path_of(site, family[1])] if family[1] in site.corpus else []

    def affected(self, site: Site, change: Change) -> Affected:
        """The changed documents' pages."""
        for source in change.documents:
            yield (self.name, source), None


def page_of(index: int, size: int) -> int:
    """Return the number of the page that shows item ``index`` (from 0) of a list cut in pages of ``size``."""
    return index // size + 1


def year_page(site: Site, path: str, year: str) -> str:
    """Return the link from ``path`` to a year's page of documents."""
    return relative_url(path, site.urls.group("year", year))


def dated(site: Site, source: str) -> tuple[str, str]:
    """Return the year and month of a document, as timelines count it (see timeline.when)."""
    summary = site.corpus.summary(source)
    return when(summary.date, summary.year)


def year_link(path: str, page_url: Callable[[int], str], size: int, first: dict[str, int], period: str) -> str:
    """Return the link from ``path`` to where a list cut in pages of ``size`` (page ``n`` at
    ``page_url(n)``) reaches its first item of a year or month (see timeline.Years)."""
    return relative_url(path, page_url(page_of(first[period], size)), anchor_id(period))
