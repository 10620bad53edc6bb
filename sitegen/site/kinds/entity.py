"""An entity's pages: every document that mentions it, with a snippet per paragraph, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from markupsafe import Markup

from sitegen.index.corpus import MAX_RELATED
from sitegen.model import Entity, Key, Occurrence
from sitegen.parse.markdown import HIGHLIGHTED, render_markdown
from sitegen.site.change import Change
from sitegen.site.facets import TOP_WITH, facet_id
from sitegen.site.html import occurrence_item, plural
from sitegen.site.kinds.base import Affected, Family, PageKind, dated, page_of, year_link
from sitegen.site.pages import Link, Page, Site, numbers, pager, pages_of
from sitegen.site.timeline import Years, per_year, timeline
from sitegen.site.urls import relative_url, wikidata_url


class EntityPages(PageKind):
    """``("entity", key)``: every page of one entity."""

    name = "entity"
    template = "entity.html"

    def families(self, site: Site) -> Iterator[Family]:
        """Yield one family per entity with pages of its own."""
        for key in site.corpus.entities:
            if site.has_page(key):
                yield (self.name, key)

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the entity's pages while it exists and has pages of its own."""
        if family[1] in site.corpus.entities and site.has_page(family[1]):
            yield from entity_pages(site, site.corpus.entity(family[1]), only)

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return the paths of the entity's pages (none for an entity listed only on the A-Z index)."""
        key = family[1]
        if key not in site.corpus.entities or not site.has_page(key):
            return []
        return [site.urls.entity(key, n) for n in range(1, page_count(site, key) + 1)]

    def affected(self, site: Site, change: Change) -> Affected:
        """The entities the changed documents name, those mentioned with an entity whose name or
        link changed, and the first page of those with a note that changed or shows changed counts.

        Every page of an entity shows its name and its number of documents; its
        mentions and spellings are on its first page only. When the changed
        documents that name it are the same and kept their order, only the pages
        listing those it lists otherwise differ (Change.relists: their row, or
        the blocks, counts and snippets of its mentions there), and the first
        page when its counts or spellings changed, or the entities it lists as
        named with it, or their counts ("Mentioned with" is there, for an
        entity with research views).
        """
        corpus, size = site.corpus, site.config.entity_documents_per_page
        changed_tips = change.changed_tips
        for key in change.keys:
            if key not in corpus.entities:
                yield (self.name, key), None
                continue
            before, after = change.local(key)
            if change.renamed(key) or not (change.members_same(key) and change.same_order):
                yield (self.name, key), None
            else:
                pages = {
                    page_of(corpus.occurrence_index(key, s), size)
                    for s in change.documents
                    if key in change.new_keys[s] and change.relists(key, s)
                }
                if key in changed_tips or before[0] != after[0]:
                    pages.add(1)
                yield (self.name, key), pages
                if (
                    before[1] != after[1]
                    and site.has_research_views(key)
                    and site.related_moved(key, before[1], after[1], MAX_RELATED)
                ):
                    yield (self.name, key), {1}
        if changed_tips:
            for key in site.notes():
                if key in corpus.entities:
                    yield (self.name, key), {1}
        for key in changed_tips:
            if change.renamed(key):
                # Its name is in "Mentioned with" of entities mentioned with it that list it, now or
                # as the old versions of the changed documents had it.
                for other in set(corpus.co_mentioned(key)) | set(change.local(key)[0][1]):
                    if shown_with(site, change, other, key):
                        yield (self.name, other), related_page(site, other)
        for key in change.records:  # its description, Wikidata link or name
            yield (self.name, key), None
        if change.authority:  # notes' mentions are resolved as they are rendered
            for key in site.notes():
                yield (self.name, key), {1}
        for key in change.moved:
            yield (self.name, key), None  # its pages made or gone (by a note), or none either way
            # Its link is in "Mentioned with" of the entities mentioned with it that list it.
            for other in corpus.co_mentioned(key):
                if shown_with(site, change, other, key):
                    yield (self.name, other), related_page(site, other)
        for key in set(change.notes_before) | set(change.notes_after):
            if change.notes_before.get(key) in change.markdown or change.notes_after.get(key) in change.markdown:
                yield (self.name, key), {1}


def shown_with(site: Site, change: Change, other: Key, key: Key, among: int = MAX_RELATED) -> bool:
    """Return True when ``key`` is among the first ``among`` entities named with ``other`` (Site.related),
    before or after ``change``, or when that cannot be known: ``other`` is gone or has no research views
    (then only other rules render its pages)."""
    if other not in site.corpus.entities or not site.has_research_views(other):
        return True
    before, after = change.local(other)
    return site.listed_with(other, key, before[1], after[1], among)


def related_page(site: Site, key: Key) -> set[int] | None:
    """Return the pages of an entity that show who is named with it: its first page when it has
    research views, none when it has not, and all of them (None) when it is gone."""
    if key not in site.corpus.entities:
        return None
    return {1} if site.has_research_views(key) else set()


def entity_pages(site: Site, entity: Entity, only: set[int] | None = None) -> Iterator[Page]:
    """Yield an entity's pages: its documents with paragraph snippets, paginated.

    Context: entity, type_label, type_css, type_href, forms, authority_description (the
    editor's, from the authority file), wikidata (Link or None), research_views (True for an
    entity named in enough documents), timeline and related (Links) on the first page of an entity
    with research views, first_href on later pages (which leave out the mentions, spellings,
    timeline and related), occurrences (the documents' list
    items, html.occurrence_item) and first_number (the first one's number), pager, plus common keys.
    """
    size = site.config.entity_documents_per_page
    total = pages_of(entity.doc_count, size)
    label = site.config.types[entity.type].label
    record = site.resolver.authority.records.get(entity.key)
    dates, years = _dated(site, entity)
    views = site.has_research_views(entity.key)
    for page in numbers(total, only):
        path = site.urls.entity(entity.key, page)
        title = f"{entity.name} ({label})" + (f" — page {page}" if page > 1 else "")
        # A later page leaves out what one more mention changes (the mentions and spellings), so
        # that such an edit renders the first page and the one listing the document, not every page.
        if page == 1:
            counts = f"{plural(entity.doc_count, 'document')}, {plural(entity.mention_count, 'mention')}"
        else:
            last = min(page * size, entity.doc_count)
            counts = f"documents {(page - 1) * size + 1:,}–{last:,} of {entity.doc_count:,}"
        said = f". {record.description}" if record and record.description else ""
        context = site.common(path, title, f"{label} {entity.name}: {counts}{said}")
        # The timeline and "Mentioned with" are on the first page only, and only for an entity
        # named in enough documents for them to say more than its list (Site.has_research_views).
        first = page == 1 and views
        context.update(
            timeline=timeline(
                years.counts,
                partial(year_link, path, partial(site.urls.entity, entity.key), size, years.first),
                "mentions",
                years.months,
            )
            if first
            else None,
            first_href=relative_url(path, site.urls.entity(entity.key)) if page > 1 else "",
            research_views=views,
            entity=entity,
            type_label=label,
            type_css=entity.type.lower(),
            type_href=relative_url(path, site.urls.entity_type(entity.type)),
            forms=", ".join(f"{form} ({count})" for form, count in entity.forms[:12]),
            related=[
                (
                    Link(relative_url(path, site.entity_path(k)), site.corpus.name(k), count=n, kind=k[0].lower()),
                    facet_id(k) if i < TOP_WITH else "",
                )
                for i, (k, n) in enumerate(site.related(entity.key) if first else ())
            ],
            facets_href=relative_url(path, site.urls.entity_facets(entity.key)) if views else "",
            occurrences=Markup(
                "".join(
                    _occurrence(site, path, entity, occ, years.anchor(dates[index], index))
                    for index, occ in enumerate(entity.occurrences[(page - 1) * size : page * size], (page - 1) * size)
                )
            ),
            first_number=(page - 1) * size + 1,
            pager=pager(lambda n: site.urls.entity(entity.key, n), path, page, total),
            note_html="",
            authority_description=record.description if record else "",
            wikidata=Link(wikidata_url(record.wikidata), record.wikidata) if record and record.wikidata else None,
        )
        note = site.notes().get(entity.key)
        if note is not None and page == 1:
            frag = context["tips"] = site.fragments(path)
            context["note_html"] = site.redact_html(
                render_markdown(note.body, frag, site.link_resolver(path, note.source))
            )
            context["highlighted"] = HIGHLIGHTED in context["note_html"]
        yield Page(path, EntityPages.template, context)


def page_count(site: Site, key: Key) -> int:
    """Return how many pages list the documents of an entity in the corpus."""
    return pages_of(site.corpus.doc_total(key), site.config.entity_documents_per_page)


#: The dates of the documents of the entity whose pages a process rendered last, and their count by
#: year: an update may render the pages of one entity a few at a time (incremental.shared_out).
MEMO_DATED = "the last entity's documents by date"


def _dated(site: Site, entity: Entity) -> tuple[list[tuple[str, str]], Years]:
    """Return the year and month of each of an entity's documents, and their mentions by year."""
    last: dict[Key, tuple[list[tuple[str, str]], Years]] = site.memo(MEMO_DATED, dict)
    found = last.get(entity.key)
    if found is None:
        dates = [dated(site, occ.doc) for occ in entity.occurrences]
        last.clear()
        found = last[entity.key] = (dates, per_year(zip(dates, (occ.mentions for occ in entity.occurrences))))
    return found


def _occurrence(site: Site, path: str, entity: Entity, occ: Occurrence, year_id: str = "") -> str:
    """Return one document on an entity page, with a snippet per paragraph (and ``year_id``, the id
    of its year when it is that year's first), as a list item (html.occurrence_item)."""
    doc_path = site.urls.document(occ.doc)
    snippets = site.corpus.snippets(entity.key, occ.doc, [block for block, _ in occ.paragraphs])
    places = []
    for (block, count), text in zip(occ.paragraphs, snippets):
        label = {"header": "Header", "signature": "Signature"}.get(block, f"¶ {block[3:]}")
        places.append((relative_url(path, doc_path, block), label, text, count))
    row = site.doc_row(path, occ.doc)
    meta = " · ".join(part for part in (row.origin, row.date, plural(occ.mentions, "mention")) if part)
    return occurrence_item(row.href, row.title, meta, places, year_id)
