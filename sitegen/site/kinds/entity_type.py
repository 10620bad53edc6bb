"""The A-Z index of one entity type, paginated, with a letter index."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.index.corpus import mention_counts
from sitegen.model import ENTITY_TYPES, Key
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind, page_of
from sitegen.site.pages import Link, Page, Site, numbers, pager, pages_of
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

        Context: type_label, type_css, count, letters (Links), groups (letter, id, Links),
        top_href, pager, plus common keys.
        """
        type_ = family[1]
        corpus = site.corpus
        keys = corpus.type_order(type_)
        size = site.config.entities_per_page
        total = pages_of(len(keys), size)
        label = site.config.types[type_].label
        first_page: dict[str, int] = {}
        for i, key in enumerate(keys):
            first_page.setdefault(letter_of(corpus.name(key)), i // size + 1)
        for page in numbers(total, only):
            path = site.urls.entity_type(type_, page)
            context = site.common(
                path,
                f"{label}: A–Z" + (f" — page {page}" if page > 1 else ""),
                f"Every {label.lower()} in the archive, A to Z",
            )
            groups: dict[str, list[Link]] = {}
            for key in keys[(page - 1) * size : page * size]:
                name = corpus.name(key)
                groups.setdefault(letter_of(name), []).append(_entry(site, path, key, name))
            context.update(
                type_label=label,
                type_css=type_.lower(),
                count=len(keys),
                letters=[
                    Link(relative_url(path, site.urls.entity_type(type_, n), f"letter-{letter_id(letter)}"), letter)
                    for letter, n in first_page.items()
                ],
                groups=[(letter, letter_id(letter), links) for letter, links in groups.items()],
                top_href=relative_url(path, site.urls.entity_type_top(type_)),
                pager=pager(lambda n: site.urls.entity_type(type_, n), path, page, total),
            )
            yield Page(path, self.template, context)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the paths of every index page."""
        total = pages_of(mention_counts(site.corpus)[family[1]], site.config.entities_per_page)
        return [site.urls.entity_type(family[1], n) for n in range(1, total + 1)]

    def affected(self, site: Site, change: Change) -> Affected:
        """The page listing an entity whose name or counts changed; every page when the order moved."""
        size = site.config.entities_per_page
        for key in change.changed_tips:
            type_ = key[0]
            before, after = change.type_order_before[type_], tuple(site.corpus.type_order(type_))
            if before == after:
                yield (self.name, type_), {page_of(after.index(key), size)}
            else:
                yield (self.name, type_), None
        for key in change.moved:  # listed with or without a page of its own
            if key in site.corpus.entities:
                yield (self.name, key[0]), {page_of(site.corpus.type_order(key[0]).index(key), size)}
        # Where an entity without a page is listed, the titles of its documents show.
        for source in change.rows:
            for key in change.old_keys[source] | change.new_keys[source]:
                if key in site.corpus.entities and not site.has_page(key):
                    yield (self.name, key[0]), {page_of(site.corpus.type_order(key[0]).index(key), size)}


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
