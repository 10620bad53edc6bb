"""An edit of some sources, taken into a site: what was true before, for the page kinds' rules.

``apply_change`` puts changed documents and Markdown files into the site's
corpus and returns a ``Change``: the facts from before the edit that the
kinds' ``affected`` rules compare with the site after it. The rules
themselves live with each kind (sitegen/kinds/), so deciding what an edit
affects is a pure function of the change and the site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sitegen.index.corpus import Corpus, co_mention_blocks, document_groups
from sitegen.index.resolve import Resolver
from sitegen.index.snippets import entity_snippet
from sitegen.index.store import Block
from sitegen.model import Document, Key, group_key
from sitegen.parse.authority import Authority
from sitegen.parse.markdown import MarkdownSource, note_key
from sitegen.site.exports import feed_documents
from sitegen.site.finder import changed_letters
from sitegen.site.html import tooltip_counts
from sitegen.site.pages import Site

#: What a tooltip shows of an entity: name, documents, mentions; None when it is gone.
Tip = tuple[str, int, int] | None
#: Per entity, its spellings and the entities named with it, within some documents.
LocalView = dict[Key, tuple[Counter, Counter]]
#: What lists of documents show of one document; None when it is gone.
Row = tuple | None
#: The local view of an entity the changed documents do not name (read only).
_NOBODY: tuple[Counter, Counter] = (Counter(), Counter())


@dataclass(frozen=True)
class Change:
    """What changed in a site, with the facts from before the edit that pages may show."""

    documents: tuple[str, ...] = ()
    """The documents changed, added or deleted."""
    old_keys: dict[str, frozenset[Key]] = field(default_factory=dict)
    """Per changed document, the entities it named before."""
    new_keys: dict[str, frozenset[Key]] = field(default_factory=dict)
    """Per changed document, the entities it names now."""
    old_groups: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    """Per changed document, the (kind, key) of the groups it was in."""
    new_groups: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    """Per changed document, the groups it is in now."""
    order_before: tuple[str, ...] = ()
    """Every document in site order, before."""
    order_after: tuple[str, ...] = ()
    """Every document in site order, after."""
    rows: frozenset[str] = frozenset()
    """Changed documents whose row in a list of documents (title, date...) changed."""
    relisted: dict[str, frozenset[Key]] = field(default_factory=dict)
    """Per changed document, the entities whose pages may list it otherwise: the blocks naming
    them, how often, or the words around them there (their snippets)."""
    refs_before: dict[str, str] = field(default_factory=dict)
    """Per changed document that had one, its reference id before (the entity finder finds it by it)."""
    feed_before: frozenset[str] = frozenset()
    """The documents the feed listed before."""
    tips_before: dict[Key, Tip] = field(default_factory=dict)
    """Per entity named in a changed document, its tooltip before."""
    tips_after: dict[Key, Tip] = field(default_factory=dict)
    """The same, after."""
    local_before: LocalView = field(default_factory=dict)
    """Spellings and co-mentions within the changed documents, before."""
    local_after: LocalView = field(default_factory=dict)
    """The same, after."""
    type_order_before: dict[str, tuple[Key, ...]] = field(default_factory=dict)
    """Per type of an entity named in a changed document, its A-Z order before."""
    markdown: frozenset[str] = frozenset()
    """The Markdown files changed, added or deleted."""
    notes_before: dict[Key, str] = field(default_factory=dict)
    """The source of each entity's note, before."""
    notes_after: dict[Key, str] = field(default_factory=dict)
    """The same, after."""
    moved: frozenset[Key] = frozenset()
    """Entities whose links go elsewhere now: a page made or gone, or a new place on the A-Z index."""
    authority: bool = False
    """True when the authority file changed (Markdown mentions are resolved as pages are rendered)."""
    records: frozenset[Key] = frozenset()
    """Entities whose record in the authority file (name, description, Wikidata id, aliases) changed."""
    aliases: frozenset[Key] = frozenset()
    """Names that became or stopped being an alias, or now name another entity."""

    @property
    def keys(self) -> set[Key]:
        """Return every entity named in a changed document, before or after."""
        return set().union(*self.old_keys.values(), *self.new_keys.values())

    @property
    def groups(self) -> set[tuple[str, str]]:
        """Return every group a changed document was or is in."""
        return set().union(*self.old_groups.values(), *self.new_groups.values())

    def local(self, key: Key) -> tuple[tuple[Counter, Counter], tuple[Counter, Counter]]:
        """Return an entity's spellings and co-mentions within the changed documents, before and after
        (empty where the documents do not name it)."""
        return self.local_before.get(key, _NOBODY), self.local_after.get(key, _NOBODY)

    @property
    def changed_tips(self) -> set[Key]:
        """Return the entities whose name or counts changed."""
        return {k for k in self.tips_before if self.tips_before[k] != self.tips_after[k]}

    @property
    def changed_tooltips(self) -> set[Key]:
        """Return the entities whose tooltip reads differently: a new name, or counts that round to
        other figures (html.tooltip_counts). Only these change the pages that merely name an entity."""
        return {k for k in self.tips_before if _tooltip(self.tips_before[k]) != _tooltip(self.tips_after[k])}

    @property
    def same_order(self) -> bool:
        """Return True when the documents are the same and in the same order."""
        return self.order_before == self.order_after

    def relists(self, key: Key, source: str) -> bool:
        """Return True when an entity's pages may list a changed document otherwise than before (its
        row, or what relisted says); a document not compared counts as changed."""
        if source in self.rows:
            return True
        relisted = self.relisted.get(source)
        return relisted is None or key in relisted

    def renamed(self, key: Key) -> bool:
        """Return True when an entity's shown name changed (or it came or went)."""
        before, after = self.tips_before.get(key), self.tips_after.get(key)
        return not (before and after) or before[0] != after[0]

    def members_same(self, key: Key) -> bool:
        """Return True when the changed documents that name an entity are the same before and after."""
        return {s for s in self.documents if key in self.old_keys[s]} == {
            s for s in self.documents if key in self.new_keys[s]
        }

    def group_members_same(self, group: tuple[str, str]) -> bool:
        """Return True when the changed documents in a group are the same before and after."""
        return {s for s in self.documents if group in self.old_groups[s]} == {
            s for s in self.documents if group in self.new_groups[s]
        }


class NeedsRebuild(Exception):
    """The edit moves pages other than its own (a menu change, a path clash): build everything."""


def apply_markdown(site: Site, changed: dict[str, MarkdownSource | None]) -> dict:
    """Put changed Markdown files into the site; return the Change fields they make.

    A change to the navigation (a page added, removed, renamed or moved in
    the menu) shows on every page: that raises NeedsRebuild.
    """
    if not changed:
        return {}
    notes_before = {k: p.source for k, p in site.notes().items()}
    markdown = dict(site.markdown)
    for source, page in changed.items():
        if page is None:
            markdown.pop(source, None)
        else:
            markdown[source] = page
    nav_before = [(p.source, p.title, p.menu) for p in site.nav_pages()]
    pages_before = set(site.urls.pages)
    site.set_markdown(markdown)
    if [(p.source, p.title, p.menu) for p in site.nav_pages()] != nav_before or set(site.urls.pages) != pages_before:
        raise NeedsRebuild
    return {
        "markdown": frozenset(changed),
        "notes_before": notes_before,
        "notes_after": {k: p.source for k, p in site.notes().items()},
    }


def apply_documents(site: Site, changed: dict[str, Document | None], names: dict[Key, str] | None = None) -> dict:
    """Put changed documents into the site's corpus; return the Change fields they make.

    ``names`` are the names the authority file gives now, when it changed
    (the documents naming a renamed entity are among the changed ones).
    Raises NeedsRebuild when the change moved other documents' paths.
    """
    corpus = site.corpus
    if not changed:
        if names is not None:
            corpus.give_names(names)
        return {}
    old = {source: corpus.document(source) if source in corpus else None for source in changed}
    old_blocks = {source: corpus.blocks(source) for source, doc in old.items() if doc is not None}
    old_keys = {s: _keys(d) for s, d in old.items()}
    new_keys = {s: _keys(d) for s, d in changed.items()}
    keys: set[Key] = set().union(*old_keys.values(), *new_keys.values())
    order_before = tuple(d.source for d in corpus.documents)
    fields = {
        "documents": tuple(changed),
        "old_keys": old_keys,
        "new_keys": new_keys,
        "old_groups": {s: _groups(d) for s, d in old.items()},
        "new_groups": {s: _groups(d) for s, d in changed.items()},
        "order_before": order_before,
        "refs_before": {s: d.ref for s, d in old.items() if d is not None and d.ref},
        "feed_before": frozenset(d.source for d in feed_documents(corpus.documents)),
        "tips_before": {k: tip(corpus, k) for k in keys},
        "local_before": local_view(old.values()),
        "local_after": local_view(changed.values()),
        "type_order_before": {t: tuple(corpus.type_order(t)) for t in {k[0] for k in keys}},
        "rows": frozenset(s for s in changed if _row(old[s]) != _row(changed[s])),
    }
    if names is not None:
        corpus.give_names(names)
    for source, doc in changed.items():
        if doc is None:
            corpus.remove(source)
        else:
            corpus.add(doc)
    fields["relisted"] = {
        source: relisted(old[source], old_blocks.get(source), doc, corpus.blocks(source) if doc else None)
        for source, doc in changed.items()
    }
    fields["order_after"] = order_after = tuple(d.source for d in corpus.documents)
    fields["tips_after"] = {k: tip(corpus, k) for k in keys}
    if set(order_before) != set(order_after):
        paths_before = dict(site.urls.documents)
        site.forget()
        if any(site.urls.documents.get(s, p) != p for s, p in paths_before.items() if s not in changed):
            raise NeedsRebuild  # another document's path moved (a case-only name clash)
    else:
        site.forget_entities()
    return fields


def apply_change(
    site: Site,
    documents: dict[str, Document | None],
    markdown: dict[str, MarkdownSource | None],
    resolver: Resolver | None = None,
) -> Change:
    """Put changed documents and Markdown files into the site; return what changed.

    Markdown goes first, as the notes of the entities that documents name
    depend on it. ``resolver`` is the site's new resolver after an edit of
    the authority file; ``documents`` then holds every document it resolves
    otherwise, and those that name an entity it renames. Raises NeedsRebuild
    when the edit needs everything built again.
    """
    types, keys = _touched(site, documents, markdown)
    fields: dict = {}
    names = None
    if resolver is not None:
        before, after = site.resolver.authority, resolver.authority
        records = {k for k in before.records.keys() | after.records.keys() if _shown(before, k) != _shown(after, k)}
        aliases = {
            a for a in before.alias_of.keys() | after.alias_of.keys() if before.alias_of.get(a) != after.alias_of.get(a)
        }
        keys |= records | aliases | {before.alias_of[a] for a in aliases if a in before.alias_of}
        types |= {k[0] for k in keys}
        fields = {"authority": True, "records": frozenset(records), "aliases": frozenset(aliases)}
        names = {key: record.name for key, record in after.records.items()}
    links_before = site.entity_links(types, keys)
    if resolver is not None:
        site.resolver = resolver
        site.forget_entities()
    fields.update(apply_markdown(site, markdown))
    fields.update(apply_documents(site, documents, names))
    links_after = site.entity_links(types, keys)
    fields["moved"] = frozenset(site.moved_links(links_before, links_after))
    change = Change(**fields)
    # An entity's rows in the data files show its name, spellings, counts, link and record.
    site.forget_rows(None if change.authority else change.keys | change.moved | change.records | change.aliases)
    site.forget_finder(changed_letters(site, change))  # the finder's parts of their words' first characters
    return change


def _shown(authority: Authority, key: Key) -> tuple | None:
    """Return what the pages show of an entity's record in the authority file (not where it is written)."""
    record = authority.records.get(key)
    return None if record is None else (record.name, record.aliases, record.wikidata, record.description)


def _touched(
    site: Site, documents: dict[str, Document | None], markdown: dict[str, MarkdownSource | None]
) -> tuple[set[str], set[Key]]:
    """Return the entity types and the entities whose links an edit may move: those the changed
    documents name, before and after, and those of changed notes."""
    corpus = site.corpus
    keys: set[Key] = set()
    for source, doc in documents.items():
        keys |= _keys(doc) | (_keys(corpus.document(source)) if source in corpus else frozenset())
    for source, changed in markdown.items():
        for page in (site.markdown.get(source), changed):
            if page is not None and page.kind == "note":
                keys.add(note_key(page))
    keys |= {k for k, page in site.notes().items() if page.source in markdown}
    return {k[0] for k in keys}, keys


def _tooltip(tip: Tip) -> tuple[str, str] | None:
    """Return what a tooltip reads of an entity's Tip: its name and its counts as rounded."""
    return None if tip is None else (tip[0], tooltip_counts(tip[1], tip[2]))


def tip(corpus: Corpus, key: Key) -> Tip:
    """Return what a tooltip shows of an entity: name, documents, mentions."""
    if key not in corpus.entities:
        return None
    return corpus.name(key), corpus.doc_total(key), corpus.mention_total(key)


def local_view(docs: Iterable[Document | None]) -> LocalView:
    """Return, per entity, its spellings and co-mentions within some documents."""
    view: LocalView = {}
    for doc in docs:
        if doc is None:
            continue
        for mention in doc.mentions:
            view.setdefault(mention.key, (Counter(), Counter()))[0][mention.text] += 1
        for keys in co_mention_blocks(doc).values():
            for key in keys:
                view[key][1].update(other for other in keys if other != key)
    return view


def relisted(
    old: Document | None, old_blocks: dict[str, Block] | None, new: Document | None, new_blocks: dict[str, Block] | None
) -> frozenset[Key]:
    """Return the entities whose pages may list a changed document otherwise: the blocks where it
    names them or how often, or the words around their first mention in one of those blocks (the
    snippet, index/snippets.py). Every entity a new or deleted document names."""
    if old is None or new is None or old_blocks is None or new_blocks is None:
        return _keys(old) | _keys(new)
    before, after = _blocks_naming(old), _blocks_naming(new)
    return frozenset(
        key
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
        or any(
            entity_snippet(old_blocks.get(b), key) != entity_snippet(new_blocks.get(b), key)
            for b in dict.fromkeys(after[key])
        )
    )


def _blocks_naming(doc: Document) -> dict[Key, list[str]]:
    """Return, per entity a document names, the block of each of its mentions in order."""
    blocks: dict[Key, list[str]] = {}
    for mention in doc.mentions:
        blocks.setdefault(mention.key, []).append(mention.paragraph)
    return blocks


def _keys(doc: Document | None) -> frozenset[Key]:
    """Return the entities a document names."""
    return frozenset(m.key for m in doc.mentions) if doc else frozenset()


def _groups(doc: Document | None) -> frozenset[tuple[str, str]]:
    """Return the (kind, key) of every group a document belongs to."""
    if doc is None:
        return frozenset()
    return frozenset((kind, group_key(kind, name)) for kind, names in document_groups(doc).items() for name in names)


def _row(doc: Document | None) -> Row:
    """Return what lists of documents show of one document."""
    if doc is None:
        return None
    header = doc.header
    return doc.title, doc.date, header.origin if header else "", header.classification if header else ""
