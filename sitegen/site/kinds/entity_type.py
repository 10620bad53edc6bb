"""The A-Z index of one entity type, paginated, with a letter index."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import partial

from sitegen.index.corpus import mention_counts
from sitegen.model import ENTITY_TYPES, Key
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind, year_page
from sitegen.site.pages import Link, Page, Site, first_difference, numbers, pager, pages_of
from sitegen.site.timeline import timeline
from sitegen.site.urls import relative_url


class EntityType(PageKind):
    """``("type", TYPE)``: every page of one type's A-Z index."""

    name = "type"
    template = "entity_type.html"

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per entity type."""
        for type_ in ENTITY_TYPES:
            yield (self.name, type_)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the index pages.

        Context: type_label, type_css, count (the first page only, else None), letters (Links),
        groups (letter, id, Links),
        top_href, pager, plus common keys.
        """
        type_ = family[1]
        corpus = site.corpus
        keys = corpus.type_order(type_)
        size = site.config.entities_per_page
        total = pages_of(len(keys), size)
        label = site.config.types[type_].label
        starts, see = _current_layout(site, type_)
        for page in numbers(total, only):
            path = site.urls.entity_type(type_, page)
            context = site.common(
                path,
                f"{label}: A–Z" + (f" — page {page}" if page > 1 else ""),
                f"Every {label.lower()} in the archive, A to Z",
            )
            entries = [
                (corpus.name(key), _entry(site, path, key, corpus.name(key)))
                for key in keys[(page - 1) * size : page * size]
            ]
            for alias, target in (entry for n, entry in see if n == page):
                link = Link(
                    relative_url(path, site.entity_path(target)), corpus.name(target), kind=target[0].lower(), see=alias
                )
                entries.append((alias, link))
            groups: dict[str, list[Link]] = {}
            for name, link in sorted(entries, key=lambda entry: entry[0].casefold()):
                groups.setdefault(letter_of(name), []).append(link)
            context.update(
                type_label=label,
                type_css=type_.lower(),
                count=len(keys) if page == 1 else None,  # on the first page only: a new name changes no other
                letters=[
                    Link(relative_url(path, site.urls.entity_type(type_, n), f"letter-{letter_id(letter)}"), letter)
                    for letter, n in starts
                ],
                groups=[(letter, letter_id(letter), links) for letter, links in groups.items()],
                top_href=relative_url(path, site.urls.entity_type_top(type_)),
                timeline=timeline(corpus.type_years(type_), partial(year_page, site, path), "mentions")
                if page == 1
                else None,
                pager=pager(lambda n: site.urls.entity_type(type_, n), path, page, total),
            )
            yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the paths of every index page."""
        total = pages_of(mention_counts(site.corpus)[family[1]], site.config.entities_per_page)
        return [site.urls.entity_type(family[1], n) for n in range(1, total + 1)]

    def affected(self, site: Site, change: Change) -> Affected:
        """The page listing an entity whose name or counts changed; when the order moved, the pages
        whose entries moved (see _moved)."""
        types = {key[0] for key in change.changed_tips}
        moved = {t: _moved(site, t, change) for t in types}
        for key in change.changed_tips:
            pages = moved[key[0]]
            if pages is not None and key in site.corpus.entities:  # one gone moved the others: in pages
                pages = pages | {site.az_page(key)}
            yield (self.name, key[0]), pages
        # Aliases are listed under their own names, with their entity's name and link.
        records = site.resolver.authority.records
        named = {k for k in change.changed_tips | change.moved if change.renamed(k) or k in change.moved}
        for alias in change.aliases | {a for k in named if k in records for a in records[k].aliases}:
            yield (self.name, alias[0]), None
        for key in change.moved:  # listed with or without a page of its own
            if key in site.corpus.entities:
                yield (self.name, key[0]), {site.az_page(key)}
        # The first page's timeline: mentions of the type per year, which change with an entity's
        # counts or a document's date.
        dated = {key for source in change.rows for key in change.old_keys[source] | change.new_keys[source]}
        for type_ in {key[0] for key in change.changed_tips | dated}:
            yield (self.name, type_), {1}
        # Where an entity without a page is listed, the titles of its documents show.
        for source in change.rows:
            for key in change.old_keys[source] | change.new_keys[source]:
                if key in site.corpus.entities and not site.has_page(key):
                    yield (self.name, key[0]), {site.az_page(key)}


def _moved(site: Site, type_: str, change: Change) -> set[int] | None:
    """Return the pages of a type's index whose entries an edit moved: those from the first place
    where the order differs to the last (to the end when entities came or went), with the first
    page, which shows the count. None (every page) when the number of pages, the pages the letters
    start on, or the aliases' pages changed, or the authority file did. An entity renamed in place
    changes its own entry only (the caller's), unless it changed where its letter starts."""
    before, after = change.type_order_before[type_], site.corpus.type_order(type_)
    same = len(before) == len(after) and before == tuple(after)
    if same and not any(key[0] == type_ and change.renamed(key) for key in change.changed_tips):
        return set()
    size = site.config.entities_per_page
    total = pages_of(len(after), size)
    if change.authority or pages_of(len(before), size) != total:
        return None

    def name_before(key: Key) -> str:
        tip = change.tips_before.get(key)
        return tip[0] if tip else site.corpus.name(key)

    if _layout(site, type_, before, name_before) != _current_layout(site, type_):
        return None
    if same:  # renamed in place
        return set()
    first = first_difference(before, after)
    last = len(after) - 1
    if len(before) == len(after):
        last = next(i for i in range(last, -1, -1) if before[i] != after[i])
    return {1} | set(range(first // size + 1, last // size + 2))


#: The layout of a type's index as the site is now (followed by the type), made once per change: the
#: rule that decides which pages an edit moved and the pages themselves both need it.
MEMO_LAYOUT = "az-layout-"


def _current_layout(site: Site, type_: str) -> tuple[list[tuple[str, int]], list[tuple[int, tuple[str, Key]]]]:
    """Return the layout (see _layout) of a type's index as the site is now."""
    corpus = site.corpus
    return site.memo(
        MEMO_LAYOUT + type_, lambda: _layout(site, type_, corpus.type_order(type_), corpus.names.__getitem__)
    )


def _layout(
    site: Site, type_: str, keys: Sequence[Key], name: Callable[[Key], str]
) -> tuple[list[tuple[str, int]], list[tuple[int, tuple[str, Key]]]]:
    """Return what every page of a type's index shows of the others, for ``keys`` in A-Z order named
    by ``name``: the page each letter starts on, in A-Z order, and the aliases with their pages.

    A letter starts where its first entry is when the names and the aliases are sorted together,
    each alias after the names it sorts equal to. The keys come sorted by their names (as the
    corpus keeps each type's order), so a letter's first name is its first in ``keys``: only those
    are compared with the aliases, rather than every name sorted again at each edit (keys out of
    that order are sorted first).
    """
    size = site.config.entities_per_page
    names = list(map(name, keys))
    folded = list(map(str.casefold, names))
    see = _see_also(site, type_, folded[size::size])
    order: Sequence[int] = range(len(names))
    if not all(map(str.__le__, folded, folded[1:])):  # not in A-Z order: sort them (ties stay in order)
        order = sorted(order, key=folded.__getitem__)
    first: dict[str, tuple[str, int, int, int]] = {}  # letter: where its first entry sorts, and its page
    previous = None
    for i in order:
        written = names[i]
        if written[:1] != previous:  # a letter's first name starts with another character than the last
            previous = written[:1]
            first.setdefault(letter_of(written), (folded[i], 0, i, i // size + 1))
    for j, (number, (written, _)) in enumerate(see):
        letter, place = letter_of(written), (written.casefold(), 1, j, number)
        if letter not in first or place < first[letter]:
            first[letter] = place
    return [(letter, place[3]) for letter, place in sorted(first.items(), key=lambda item: item[1])], see


def _see_also(site: Site, type_: str, boundaries: list[str]) -> list[tuple[int, tuple[str, Key]]]:
    """Return the aliases of this type that the authority file gives entities the site has, each
    with the index page it sorts on (``boundaries`` are the first names of pages 2, 3...)."""
    authority, corpus = site.resolver.authority, site.corpus
    found = []
    for alias, target in authority.alias_of.items():
        if alias[0] == type_ and alias != target and target in corpus.entities:
            written = authority.written.get(alias, alias[1])
            found.append((bisect_right(boundaries, written.casefold()) + 1, (written, target)))
    return sorted(found)


def _entry(site: Site, path: str, key: Key, name: str) -> Link:
    """Return an entity's entry: a link to its page, or for an entity without one, its name with
    an id that its mentions link to and the documents that mention it."""
    corpus = site.corpus
    count, kind = corpus.mention_total(key), key[0].lower()
    if site.has_page(key):
        return Link(relative_url(path, site.entity_path(key)), name, count=count, kind=kind)
    places = tuple(
        Link(relative_url(path, site.urls.document(source)), corpus.summary(source).title)
        for source in sorted(corpus.sources_of(key))
    )
    return Link("", name, count=count, kind=kind, id=site.urls.entity_anchor(key), places=places)


def letter_of(name: str) -> str:
    """Return the index letter of a name: A-Z, or # for anything else."""
    first = name[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def letter_id(letter: str) -> str:
    """Return the element id part of an index letter."""
    return letter.lower() if letter != "#" else "other"
