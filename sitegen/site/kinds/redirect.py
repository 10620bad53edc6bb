"""Redirect pages: the old address of a name that the authority file merged into an entity."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site
from sitegen.site.urls import absolute_url, relative_url


class Redirect(PageKind):
    """``("redirect", alias key)``: a page at an alias's own entity address that sends readers on.

    A link made before the alias was merged (``entity/loc/us.html``) keeps
    working: the page refreshes to the entity it joined and names it as its
    canonical address. It is not in the sitemap, and search does not index it.
    """

    name = "redirect"
    template = "redirect.html"
    in_sitemap = False

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per alias of an entity the site has."""
        for alias, target in sorted(site.resolver.authority.alias_of.items()):
            if alias != target and target in site.corpus.entities:
                yield (self.name, alias)

    def _target(self, site: Site, family: Family) -> tuple | None:
        target = site.resolver.authority.alias_of.get(family[1])
        return target if target is not None and target != family[1] and target in site.corpus.entities else None

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the redirect page while its entity exists.

        Context: name, written, target_href, canonical_href, site_title.
        """
        target = self._target(site, family)
        if target is None:
            return
        path, to = site.urls.entity(family[1]), site.entity_path(target)
        context = {
            "site_title": site.config.title,
            "name": site.corpus.name(target),
            "written": site.resolver.authority.written.get(family[1], family[1][1]),
            "target_href": relative_url(path, to),
            "canonical_href": absolute_url(site.config.base_url, to)
            if site.config.base_url
            else relative_url(path, to),
        }
        yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the page's path while its entity exists."""
        return [site.urls.entity(family[1])] if self._target(site, family) is not None else []

    def affected(self, site: Site, change: Change) -> Affected:
        """The aliases of entities that came or went, or whose name or address changed; names that
        became, stopped being or changed what alias they are."""
        for alias in change.aliases:
            yield (self.name, alias), None
        changed = {key for key in change.changed_tips if change.renamed(key)} | change.moved
        for alias, target in site.resolver.authority.alias_of.items():
            if target in changed and alias != target:
                yield (self.name, alias), None
