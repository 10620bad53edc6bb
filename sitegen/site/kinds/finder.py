"""The entity finder's data: scripts of rows by the start of their words, loaded as the reader types (site/finder.py)."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site.change import Change
from sitegen.site.finder import FIRST_PARTS, INDEX, changed_letters, letter_scripts, make_parts, part_names, parts_index
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site


class FinderData(PageKind):
    """``("finder", character)``: the parts of the rows whose words start with that character,
    search/entities-*.js; ``("finder",)``: the list of every part, search/entities-_parts.js.

    Each first character is a family of its own, so that an edit renders
    only the parts of the characters its rows' words start with.
    """

    name = "finder"
    whole_site = True
    together = True

    def families(self, site: Site) -> Iterator[Family]:
        """Yield a family per first character, then the list of parts."""
        for letter in FIRST_PARTS:
            yield (self.name, letter)
        yield (self.name,)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield one script per part of the family's character (those numbered in ``only``), or the list."""
        if len(family) == 1:
            if only is None or 1 in only:
                yield Page(site.urls.finder(INDEX), "", {"body": parts_index(site)})
            return
        for shard, script in letter_scripts(site, family[1], only):
            yield Page(site.urls.finder(shard), "", {"body": script})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the path of every part of the family's character, or of the list."""
        if len(family) == 1:
            return [site.urls.finder(INDEX)]
        return [site.urls.finder(name) for name in part_names(site, family[1])]

    def prepare(self, site: Site, families: list[Family]) -> None:
        """Make the rows and parts of the characters about to be rendered at once: an entity's row is
        in the parts of each first character of its words, and is sorted and placed once."""
        make_parts(site, [family[1] for family in families if len(family) == 2])

    def listings(self, family: Family) -> tuple[Family, ...]:
        """The list of parts names the parts of every character."""
        return ((self.name,),) if len(family) == 2 else ()

    def affected(self, site: Site, change: Change) -> Affected:
        """Entities' names, counts and links are in it, and the documents' ids, titles and paths: the
        parts of the characters their words start with (and the list, once their parts are made,
        when they are other parts than before: see listings)."""
        for letter in sorted(changed_letters(site, change)):
            yield (self.name, letter), None
