"""The site that pages are made from, and what every page shares.

``Site`` holds the corpus, the Markdown files, the configuration and the
paths; the page kinds in sitegen/kinds/ turn it into Page objects (output
path, template name, context). Every link in a context is already relative
to the page it is on, so the templates only print values.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from sitegen.config import Config
from sitegen.index.corpus import MAX_RELATED, Corpus, most_related, top_entities
from sitegen.index.resolve import Resolver
from sitegen.model import ENTITY_TYPES, GROUP_KINDS, Key
from sitegen.parse.markdown import MarkdownSource, markdown_link, note_key
from sitegen.site import exports
from sitegen.site.html import EntityInfo, FragmentRenderer, shown_date
from sitegen.site.rows import EntityRow, entity_row
from sitegen.site.urls import Urls, absolute_url, document_paths, leaves_site, relative_url, slugify

if TYPE_CHECKING:
    from sitegen.site.finder import FinderSeed

#: The entities most often named with one, with the paragraphs they share (Corpus.related).
Related = tuple[tuple[Key, int], ...]

GROUP_TITLES = {"tag": "Tags", "origin": "Origins", "classification": "Classifications", "year": "Years"}
GROUP_SINGULAR = {"tag": "Tag", "origin": "Origin", "classification": "Classification", "year": "Year"}


@dataclass(frozen=True)
class Page:
    """One output page before rendering."""

    path: str
    """Output path relative to the site root."""
    template: str
    """Template file name."""
    context: dict[str, Any]
    """Values the template prints; see each page function for its keys."""


@dataclass(frozen=True)
class Link:
    """A link as the templates print it."""

    href: str
    """Relative link; empty for a value that links nowhere."""
    text: str
    """Link text."""
    current: bool = False
    """True when the link points at the page it is on."""
    count: int | None = None
    """A number shown beside the link, such as a mention count."""
    kind: str = ""
    """Entity type in lower case, for styling links to entities."""
    id: str = ""
    """The element id of the entry, for links to it."""
    places: tuple[Link, ...] = ()
    """Where the thing named is found, shown after it (the documents of an entity without a page)."""
    see: str = ""
    """Another name of the thing linked, listed under it: an alias on the A-Z index."""


@dataclass(frozen=True)
class DocRow:
    """One document in a list of documents."""

    href: str
    title: str
    origin: str
    date: str
    classification: str
    note: str = ""
    ident: str = ""
    """The element id of the row, when links lead to it (``year-2009``)."""


@dataclass(frozen=True)
class Pager:
    """Links between the pages of a paginated list."""

    page: int
    pages: int
    links: tuple[Link, ...]
    """The pages linked to, in order; a link without an address (``…``) stands for pages left out."""
    prev: str = ""
    next: str = ""
    first: str = ""
    """The address of page 1, for the jump to a page."""
    pattern: str = ""
    """The address of page ``{n}`` for any other page, for the jump to a page."""


#: How many entities' tooltips and links each process keeps (about 500 bytes each).
ENTITY_INFO_CACHE = 1 << 16
#: Site.memo: every entity's rows in display order (see Site.rows_in_order).
MEMO_ROWS = "rows in order"
#: Site.memo: how many times each entity is mentioned, by type (see Site.top_entities).
MEMO_TOTALS = "mention totals"


def _no_text(source: str) -> tuple[str, int, str] | None:
    """Default source reader: no source text is available."""
    return None


@dataclass
class Site:
    """Everything pages are computed from: corpus, Markdown, configuration and paths.

    Entity paths and tooltip data are cached per entity; after the corpus
    changes, ``forget`` drops what the change made stale.
    """

    corpus: Corpus
    config: Config
    markdown: dict[str, MarkdownSource] = field(default_factory=dict)
    """Parsed Markdown files by source path: pages, the home introduction, entity notes."""
    read_text: Callable[[str], tuple[str, int, str] | None] = _no_text
    """Returns what a document's source view shows (build/sources.py SourceText: its text, the number
    of its first line, its lexer), or None."""
    templates: frozenset[str] = frozenset()
    """Template names available; a page asking for another one gets the default."""
    search: bool = False
    """True when the full-text search index is built."""
    resolver: Resolver = field(default_factory=Resolver)
    """Which entity each mention names (the authority file and the name rules)."""
    kept_paths: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Each document's output path as the build that made the cache recorded it (kinds.document.kept_paths),
    taken as it is when the documents are the same ones (see _set_urls)."""
    urls: Urls = field(init=False)

    def __post_init__(self) -> None:
        """Assign output paths to the documents and pages."""
        self._info: dict[Key, EntityInfo] = {}
        self._paths: dict[Key, str] = {}
        """Where links to each entity go, once asked (see entity_path)."""
        self._rows: dict[Key, EntityRow] = {}
        """Each entity's rows in the whole-site data files, once made (see entity_row)."""
        self._rows_unsure: set[Key] | None = None
        """The only entities that may have no rows (see rows_missing); None: any may."""
        self._rows_touched: set[Key] | None = None
        """The entities whose rows were made, taken or let go of since the rows were taken from the
        cache (see rows_touched); None: any may have been."""
        self.finder_seed: FinderSeed | None = None
        """The entities by the first characters of their words, as the cache's index lists them
        (site/finder.py), when the site was taken from it."""
        self.finder_names: dict[str, tuple[str, ...]] = {}
        """The names of the entity finder's parts by the first character of their words, once made
        (site/finder.py), or as the build that made the cache wrote them; an edit forgets those of
        the characters whose rows it changed (forget_finder)."""
        self._related: dict[Key, Related] = {}
        self._last_related: tuple[Key, Related] | None = None
        """The entity ``related`` last counted for, and what it found: an entity's pages and the data
        that filters its documents are rendered one after the other, and both show it."""
        self._related_before: dict[Key, Related] = {}
        """Who is and was named with the entities an edit's rules counted (see related_before)."""
        self._outranked_by: set[tuple[Key, frozenset[Key]]] = set()
        """What an edit's rules found without counting everything (see _outranked)."""
        self._notes: dict[Key, MarkdownSource] | None = None
        self._memo: dict[str, Any] = {}
        """Whole-site data that more than one step of a render needs (see memo)."""
        self._url_sources: tuple[frozenset[str], frozenset[str]] | None = None
        """The documents' and pages' sources that ``urls`` was computed from."""
        self._set_urls()

    def _set_urls(self) -> None:
        """Compute the output paths of documents and Markdown pages, unless the sources they are
        computed from are the ones they were last computed from (most edits)."""
        pages = [s for s, m in self.markdown.items() if m.kind == "page"]
        documents = [d.source for d in self.corpus.documents]
        sources = frozenset(documents), frozenset(pages)
        if sources != self._url_sources:
            kept, self.kept_paths = self.kept_paths, {}
            # The same documents have the same paths: an update of a site taken from the cache finds them there.
            same = kept.keys() == sources[0]  # a keys view compares as a set: sizes first
            paths = dict(kept) if same else document_paths(documents, formats=self.config.formats)
            self.urls = Urls(paths, document_paths(pages, "pages"))
            self._url_sources = sources
        self._notes = None

    def forget(self) -> None:
        """Drop what a change of documents made stale: entity data and document paths."""
        self.forget_entities()
        self._set_urls()

    def set_markdown(self, markdown: dict[str, MarkdownSource]) -> None:
        """Replace the Markdown files (after an edit)."""
        self.markdown = markdown
        self._set_urls()
        self.forget_entities()  # a note gives its entity a page

    def nav_pages(self) -> list[MarkdownSource]:
        """Return the Markdown pages listed in the navigation, in menu order."""
        pages = [m for m in self.markdown.values() if m.kind == "page" and m.nav]
        return sorted(pages, key=lambda m: (m.menu, m.title.casefold(), m.source))

    @property
    def intro(self) -> MarkdownSource | None:
        """Return the home page introduction (content/index.md), if any."""
        page = self.markdown.get("index.md")
        return page if page is not None and page.kind == "intro" else None

    def notes(self) -> dict[Key, MarkdownSource]:
        """Return the editors' notes by entity; a note's file name is the entity's name or its slug."""
        if self._notes is None:
            notes: dict[Key, MarkdownSource] = {}
            by_slug: dict[str, dict[str, Key]] = {}
            for page in sorted(self.markdown.values(), key=lambda m: m.source):
                if page.kind != "note":
                    continue
                key = note_key(page)
                key = self.resolver.authority.alias_of.get(key, key)  # a note named by an alias
                if key not in self.corpus.entities:
                    type_ = key[0]
                    if type_ not in by_slug:
                        by_slug[type_] = {slugify(k[1]): k for k in self.corpus.type_order(type_)}
                    key = by_slug[type_].get(slugify(key[1]), by_slug[type_].get(key[1], key))
                notes.setdefault(key, page)
            self._notes = notes
        return self._notes

    def link_resolver(self, path: str, source: str) -> Callable[[str], str | None]:
        """Return a function that turns links to other Markdown files into links to their pages."""

        def resolve(href: str) -> str | None:
            if leaves_site(path, href):
                return ""
            found = markdown_link(href, source)
            if found is None:
                return None
            target, fragment = found
            if target in self.urls.pages:
                return relative_url(path, self.urls.pages[target], fragment)
            if target == "index.md":
                return relative_url(path, self.urls.home(), fragment)
            return None

        return resolve

    def template(self, name: str, default: str) -> str:
        """Return ``name`` if that template exists, else ``default``."""
        return name if name and name in self.templates else default

    def forget_entities(self) -> None:
        """Drop cached data of entities whose counts or names may have changed.

        Where an entity without a page is listed can move with any other
        entity of its type, so what mentions link to is forgotten for all.
        """
        self._notes = None
        self._info.clear()
        self._paths.clear()
        self._related.clear()
        self._last_related = None
        self._related_before.clear()
        self._outranked_by.clear()
        self._memo.clear()

    def memo(self, name: str, make: Callable[[], Any]) -> Any:
        """Return the whole-site data called ``name``, made by ``make()`` the first time after a change."""
        if name not in self._memo:
            self._memo[name] = make()
        return self._memo[name]

    def drop_memo(self, name: str) -> None:
        """Let go of the data called ``name`` (large data, once its pages are written)."""
        self._memo.pop(name, None)

    def entity_row(self, key: Key) -> EntityRow:
        """Return an entity's rows in the whole-site data files (rows.entity_row), made once and kept
        until an edit changes them (forget_rows)."""
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = entity_row(self, key)
            if self._rows_touched is not None:
                self._rows_touched.add(key)
        return row

    def top_entities(self, limit: int, type_: str | None = None) -> list[Key]:
        """Return the most-mentioned entities (corpus.top_entities), every entity's count taken once per
        change of the site for every list of them (the home page's, the entities index's, each type's)."""
        return top_entities(self.corpus, limit, type_, self.memo(MEMO_TOTALS, self.corpus.mention_totals))

    def rows_in_order(self) -> list[EntityRow]:
        """Return every entity's rows in display order (made where missing), kept for the data files
        that are made of them until an edit changes any (forget_rows)."""

        def make() -> list[EntityRow]:
            rows, keys = self._rows, self.corpus.entities
            try:
                return list(map(rows.__getitem__, keys))
            except KeyError:  # some are not made yet
                return [self.entity_row(key) for key in keys]

        return self.memo(MEMO_ROWS, make)

    def rows_missing(self) -> list[Key]:
        """Return the entities whose rows are not made yet: in display order when any entity may
        have none, else (once every entity was looked at) among those an edit forgot since, by key."""
        rows, entities = self._rows, self.corpus.entities
        if self._rows_unsure is None:
            missing = [key for key in entities if key not in rows]
        else:
            missing = sorted(key for key in self._rows_unsure if key in entities and key not in rows)
        self._rows_unsure = set(missing)
        return missing

    def take_rows(self, rows: dict[Key, EntityRow], cached: bool = False, changed: Iterable[Key] = ()) -> None:
        """Keep rows made elsewhere: in other processes, or (``cached``) taken from the cache's index
        and its journal, which ``changed`` the rows of some entities since the index was written
        (rows_touched counts from these)."""
        self._rows.update(rows)
        if cached:
            self._rows_touched = set(changed)
        elif self._rows_touched is not None:
            self._rows_touched.update(rows)

    def rows_touched(self) -> set[Key] | None:
        """Return the entities whose rows may differ from those of the cache's index: changed by its
        journal, or made, taken from other processes or let go of since the rows were taken from the
        cache (None: any may, as after the authority file's edit). The journal of an update compares
        only theirs (journal.journal_of), and the finder looks again only at theirs (finder._seeded)."""
        return self._rows_touched

    def kept_rows(self) -> dict[Key, EntityRow]:
        """Return every entity's rows, made where missing, and let go of those of entities gone (what
        the cache keeps)."""
        rows, entities = self._rows, self.corpus.entities
        for key in self.rows_missing():
            self.entity_row(key)
        if len(rows) != len(entities):  # some are of entities gone: every entity has its rows now
            self._rows = {key: rows[key] for key in entities}
            if self._rows_touched is not None:
                self._rows_touched.update(key for key in rows if key not in self._rows)
        return self._rows

    def forget_rows(self, keys: Iterable[Key] | None) -> None:
        """Let go of the rows of ``keys`` (None: all), which an edit changed."""
        self.drop_memo(MEMO_ROWS)
        if keys is None:
            self._rows.clear()
            self._rows_unsure = self._rows_touched = None
        else:
            for key in keys:
                self._rows.pop(key, None)
                if self._rows_unsure is not None:
                    self._rows_unsure.add(key)
                if self._rows_touched is not None:
                    self._rows_touched.add(key)

    def forget_finder(self, letters: Iterable[str]) -> None:
        """Let go of the finder's part names of ``letters``, whose rows an edit changed."""
        for letter in letters:
            self.finder_names.pop(letter, None)

    def has_page(self, key: Key) -> bool:
        """Return True when an entity has pages of its own: mentioned often enough, or named by the
        editors (in the authority file or a note)."""
        return (
            self.corpus.mention_total(key) >= self.config.entity_min_mentions
            or key in self.resolver.authority.records
            or key in self.notes()
        )

    def has_research_views(self, key: Key) -> bool:
        """Return True when an entity's first page has its timeline, "Mentioned with" and the filter
        of its documents (whose data is written beside its pages): it has pages of its own and is
        named in enough documents for them to say more than its list of documents."""
        return self.has_page(key) and self.corpus.doc_total(key) >= self.config.research_min_documents

    def entity_path(self, key: Key) -> str:
        """Return where links to an entity go: its first page, or for an entity without a page of its
        own, its entry on the A-Z index (``entities/per.2.html#e-slug``)."""
        path = self._paths.get(key)
        if path is None:
            if self.has_page(key):
                path = self.urls.entity(key)
            else:
                path = f"{self.urls.entity_type(key[0], self.az_page(key))}#{self.urls.entity_anchor(key)}"
            self._paths[key] = path
        return path

    def az_page(self, key: Key) -> int:
        """Return the number of the page of its type's A-Z index that lists an entity."""
        return self.corpus.type_position(key) // self.config.entities_per_page + 1

    def entity_links(self, types: Iterable[str], keys: Iterable[Key]) -> tuple[dict[Key, str], dict[str, list[Key]]]:
        """Return where links go for ``keys``, and the A-Z order of each of ``types``: what an edit
        compares (moved_links) to find the entities whose links moved."""
        found = {k: self.entity_path(k) for k in keys if k in self.corpus.entities}
        return found, {type_: list(self.corpus.type_order(type_)) for type_ in types}

    def moved_links(
        self, before: tuple[dict[Key, str], dict[str, list[Key]]], after: tuple[dict[Key, str], dict[str, list[Key]]]
    ) -> set[Key]:
        """Return the entities whose links differ between two ``entity_links``: those of the given keys
        whose path changed, and the entities without a page whose entry moved to another page of
        their type's A-Z index (only the stretch of the order that differs is looked at: an entity
        before it keeps its place, one after it moves by the number of entries added or removed)."""
        named_before, orders_before = before
        named_after, orders_after = after
        moved = {k for k in named_before.keys() | named_after.keys() if named_before.get(k) != named_after.get(k)}
        per = self.config.entities_per_page
        for type_, new in orders_after.items():
            old = orders_before.get(type_, [])
            if old == new:
                continue
            start = first_difference(old, new)
            end = 0  # entries equal at the end, counted from it
            while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
                end += 1
            place = {key: i for i, key in enumerate(old[start : len(old) - end], start)}
            for i in range(start, len(new) - end):
                key = new[i]
                if key in named_after or key in named_before:
                    continue
                if (place[key] // per if key in place else None) != i // per and not self.has_page(key):
                    moved.add(key)
            for key in set(place) - set(new[start : len(new) - end]):
                if key not in named_before:
                    moved.add(key)  # no longer listed
            shift = len(new) - len(old)  # the entries after the stretch moved by as many places
            if shift:
                for i in range(len(new) - end, len(new)):
                    key = new[i]
                    if (i - shift) // per != i // per and key not in named_after and not self.has_page(key):
                        moved.add(key)
        return moved

    def related(self, key: Key) -> Related:
        """Return the entities most often named in a paragraph with one (Corpus.related)."""
        known = self._related.get(key)
        if known is not None:
            return known
        last = self._last_related
        if last is None or last[0] != key:
            last = self._last_related = (key, self.corpus.related(key))
        return last[1]

    def related_before(self, key: Key, before: Counter[Key], after: Counter[Key]) -> Related:
        """Return what ``related`` gave before an edit that changed who is named with an entity within
        the changed documents from ``before`` to ``after`` (Change.local_before and local_after)."""
        if key not in self._related_before:
            self._remember(key, self.corpus.co_mention_counts(key), before, after)
        return self._related_before[key]

    def related_moved(self, key: Key, before: Counter[Key], after: Counter[Key], among: int) -> bool:
        """Return True when such an edit (see related_before) changed the first ``among`` entities of
        ``related``, or their counts: an entity whose count changed is among them, before or after."""
        changed = {k for k in before.keys() | after.keys() if before[k] != after[k]}
        if not changed or self._outranked(key, changed, before, after):
            return False
        listed = {k for k, _ in self._related[key][:among]} | {k for k, _ in self._related_before[key][:among]}
        return not listed.isdisjoint(changed)

    def listed_with(self, key: Key, other: Key, before: Counter[Key], after: Counter[Key], among: int) -> bool:
        """Return True when ``other`` is among the first ``among`` entities of ``related(key)``, before
        or after an edit (see related_before)."""
        if self._outranked(key, {other}, before, after):
            return False
        return any(k == other for k, _ in (*self._related[key][:among], *self._related_before[key][:among]))

    def _outranked(self, key: Key, names: set[Key], before: Counter[Key], after: Counter[Key]) -> bool:
        """Return True when none of ``names`` is among the MAX_RELATED entities of ``related(key)``,
        before or after an edit (see related_before), as known without counting everything: counting
        stops as soon as that many others are found to share more paragraphs with it than any of
        ``names`` can (the usual edit names an entity seldom named with it). Otherwise every count is
        made and ``related`` is kept, before and after, and this returns False."""
        proof = (key, frozenset(names))
        if proof in self._outranked_by:
            return True
        if key in self._related_before:
            return False
        changed = {k for k in before.keys() | after.keys() if before[k] != after[k]} | names
        ceiling = max(self._most_shared(k, before, after) for k in names)
        counts = self.corpus.co_mention_counts_unless(key, ceiling, MAX_RELATED, changed)
        if counts is None:
            self._outranked_by.add(proof)
            return True
        self._remember(key, counts, before, after)
        return False

    def _most_shared(self, key: Key, before: Counter[Key], after: Counter[Key]) -> int:
        """Return the most paragraphs an entity can share with another, before or after an edit that
        changed their shared paragraphs within the changed documents from ``before[key]`` to ``after[key]``:
        no more than its mentions (after), and as many more as the edit took away."""
        now = self.corpus.mention_total(key) if key in self.corpus.entities else 0
        return now + max(0, before[key] - after[key])

    def _remember(self, key: Key, counts: Counter[Key], before: Counter[Key], after: Counter[Key]) -> None:
        """Keep ``related`` of an entity from its counts now, and as it was before an edit (see
        related_before), for the rules of an edit and the pages rendered next (a forked worker has them)."""
        self._related[key] = most_related(counts)
        counts.subtract(after)
        counts.update(before)
        self._related_before[key] = most_related(+counts)

    def entity_info(self, key: Key) -> EntityInfo | None:
        """Return what a mention needs to know about an entity (None if unknown)."""
        info = self._info.get(key)
        if info is None and key in self.corpus.entities:
            corpus = self.corpus
            info = EntityInfo.make(
                self.entity_path(key),
                self.config.types[key[0]].label,
                corpus.name(key),
                corpus.doc_total(key),
                corpus.mention_total(key),
                self.has_page(key),
            )
            if len(self._info) >= ENTITY_INFO_CACHE:
                self._info.clear()  # the entities that most pages name are back in it after a few pages
            self._info[key] = info
        return info

    def redact(self, text: str) -> str:
        """Return text with every name the authority file withholds replaced."""
        return self.resolver.redact(text)

    def redact_html(self, html: Markup) -> Markup:
        """Return HTML with every withheld name replaced (the replacement holds no markup)."""
        redacted = self.resolver.redact(str(html))
        return html if redacted == html else Markup(redacted)

    def fragments(self, path: str) -> FragmentRenderer:
        """Return a renderer of running text for the page at ``path``."""
        return FragmentRenderer(
            "../" * path.count("/"), self.entity_info, lambda tag: self.urls.group("tag", tag), self.resolver.mention
        )

    def common(self, path: str, title: str, description: str = "") -> dict[str, Any]:
        """Return the context every page has: site title, navigation, assets, types."""
        chrome = self.memo(f"chrome {path.count('/')}", lambda: self._chrome(path))
        return {
            **chrome["same"],
            "page_title": title,
            "description": description or f"{title} — {self.config.title}",
            "nav": [replace(link, current=True) if target == path else link for target, link in chrome["nav"]],
            "canonical": absolute_url(self.config.base_url, path) if self.config.base_url else "",
            "og_type": "article" if path.startswith("doc/") else "website",
            "highlighted": False,  # True on pages with highlighted code: they link the Pygments stylesheet
            "tips": None,  # the page's FragmentRenderer when it mentions entities: their tooltips
        }

    def _chrome(self, path: str) -> dict[str, Any]:
        """Return what ``common`` gives every page as deep in folders as ``path`` (its links are
        relative: they climb to the site root), with each link of the navigation and its target."""
        link = lambda to: relative_url(path, to)
        targets = [(self.urls.home(), "Documents"), (self.urls.entities(), "Entities")]
        targets += [(self.urls.group_index(kind), GROUP_TITLES[kind]) for kind in GROUP_KINDS]
        targets += [(self.urls.page(m.source), self.redact(m.title)) for m in self.nav_pages()]
        if self.search:
            targets.append((self.urls.search(), "Search"))
        return {
            "nav": [(target, Link(link(target), text)) for target, text in targets],
            "same": {
                "site_title": self.config.title,
                "home_href": link(self.urls.home()),
                "css_href": link(self.urls.asset("style.css")),
                "code_css_href": link(self.urls.asset("pygments.css")),
                "colours_css_href": link(self.urls.asset("colours.css")),
                "js_href": link(self.urls.asset("sitegen.js")),
                "types": [(t.lower(), self.config.types[t]) for t in ENTITY_TYPES],
                "feed_href": link(exports.FEED),
                "root": "../" * path.count("/"),
                "finder_href": link(self.urls.finder("SHARD")),
                "entities_href": link(self.urls.entities()),
                "tagger": self.config.tagger,
            },
        }

    def doc_row(self, path: str, source: str, note: str = "") -> DocRow:
        """Return a document as a row of a list on the page at ``path``."""
        doc = self.corpus.summary(source)
        header = doc.header
        return DocRow(
            href=relative_url(path, self.urls.document(source)),
            title=doc.title,
            origin=header.origin if header else "",
            date=shown_date(doc.date),
            classification=header.classification if header else "",
            note=note,
        )


def pager(path_of: Any, path: str, page: int, pages: int) -> Pager:
    """Return the links between the pages of a list: all of them, or for a long list the first, the last
    and those near this page (only those are made, so each page of a long list costs the same)."""
    links: list[Link] = []
    previous = 0
    for n in _window(page, pages):
        if n > previous + 1:
            links.append(Link("", "…"))  # the pages between are left out
        links.append(Link(relative_url(path, path_of(n)), str(n), n == page))
        previous = n
    return Pager(
        page=page,
        pages=pages,
        links=tuple(links),
        prev=relative_url(path, path_of(page - 1)) if page > 1 else "",
        next=relative_url(path, path_of(page + 1)) if page < pages else "",
        first=relative_url(path, path_of(1)),
        pattern=relative_url(path, path_of(_ANY_PAGE)).replace(str(_ANY_PAGE), "{n}"),
    )


#: A page number that no path holds otherwise, to make the pattern of the pages' paths.
_ANY_PAGE = 987654321


def _window(page: int, pages: int) -> list[int]:
    """Return the page numbers a pager links to."""
    if pages <= 30:
        return list(range(1, pages + 1))
    return sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})


def numbers(total: int, only: set[int] | None) -> list[int]:
    """Return the page numbers to render: all of 1..total, or those asked for."""
    return [n for n in range(1, total + 1) if only is None or n in only]


def first_difference(old: Sequence, new: Sequence) -> int:
    """Return the first place where two orders differ (the shorter one's length when it starts the other)."""
    return next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))


def pages_of(count: int, size: int) -> int:
    """Return the number of pages a list of ``count`` items needs."""
    return max(1, math.ceil(count / size))


def entity_links(site: Site, path: str, keys: list[Key]) -> list[Link]:
    """Return links to entity pages, with mention counts."""
    corpus = site.corpus
    return [
        Link(relative_url(path, site.entity_path(k)), corpus.name(k), count=corpus.mention_total(k), kind=k[0].lower())
        for k in keys
    ]
