"""Which entity each mention names: safe normalisation of names and the editors' authority file.

``Resolver`` turns a parsed document into the document the site shows. It
runs after parsing (parsed documents stay as the tagger wrote them) and
before indexing, and it never changes what a mention says, only which
entity it names:

- a name's key drops a possessive ending (``Costa Rica 's``), stray
  punctuation at either end (``--Egypt``) and a leading ``the``; each rule
  can be turned off in ``[entities]`` of sitegen.toml;
- an alias in the authority file names its entity (``US`` -> ``United
  States``), across types when written ``TYPE:name``;
- a dropped name is not an entity: its words stay as plain text;
- a withheld name is never published: its mention becomes ``[withheld]``
  (keeping its type, naming no entity) and every occurrence of it in the
  document's text and header becomes ``[withheld]`` too.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from sitegen.model import Document, Header, Key, Mention, Segments, TagRef, entity_key, normalise
from sitegen.parse.authority import WITHHELD, Authority
from sitegen.parse.mention import MENTION, words

_POSSESSIVE = re.compile(r"\s*['’]\s*s$", re.IGNORECASE)
_ARTICLE = re.compile(r"^the\s+(?=\S)", re.IGNORECASE)


@dataclass(frozen=True)
class NameRules:
    """Which safe normalisations make an entity's key from a mention's words."""

    possessive: bool = True
    """``Costa Rica 's`` is Costa Rica."""
    punctuation: bool = True
    """``--Egypt`` is Egypt; a full stop is kept after an abbreviation (``U.S.``)."""
    article: bool = True
    """``the United States`` is United States."""
    short_forms: bool = True
    """In one document, a one-word person name that ends exactly one longer person name there is that person."""


def clean_name(text: str, rules: NameRules) -> str:
    """Return the part of a mention's words that names the entity (the words themselves when nothing is left)."""
    name = unicodedata.normalize("NFC", text)
    for _ in range(2):  # "the Costa Rica 's ," needs both rules twice at most
        if rules.punctuation:
            start, end = 0, len(name)
            while start < end and _stray(name[start]):
                start += 1
            while end > start and _stray(name[end - 1]) and name[end - 1] != ".":
                end -= 1
            name = name[start:end]
            if name.endswith(".") and name.count(".") == 1 and len(name.split()[-1]) > 4:
                name = name[:-1]
        if rules.possessive:
            name = _POSSESSIVE.sub("", name)
        if rules.article:
            name = _ARTICLE.sub("", name)
    name = name.strip()
    return name if name else text


def _stray(char: str) -> bool:
    """Return True for punctuation, symbols and spaces: what may be stripped from the ends of a name."""
    return char.isspace() or unicodedata.category(char)[0] in "PS"


@dataclass
class Resolver:
    """Resolves the mentions of documents with one set of rules; remembers which rules were used."""

    authority: Authority = field(default_factory=Authority)
    """The editors' decisions."""
    rules: NameRules = field(default_factory=NameRules)
    """The safe normalisations."""
    used: set[str] = field(default_factory=set)
    """The authority's rules that matched some mention (see Authority.lines)."""

    def __post_init__(self) -> None:
        self._withheld = self.authority.withheld_text()
        self._short: dict[Key, Key] = {}
        self._decided: dict[tuple[str, str], tuple[str, Key, str]] = {}
        """What the mentions of one document name, by type and words (each is decided once)."""

    @property
    def digest(self) -> str:
        """Return what identifies the resolution: parsed documents resolved otherwise are not reused."""
        return hashlib.sha256(f"{self.rules}|{self.authority.digest}".encode()).hexdigest()

    def resolve(self, doc: Document) -> tuple[Document, frozenset[str]]:
        """Return the document as the site shows it (the same object when nothing changes) and the
        authority's rules it used."""
        before, self.used = self.used, set()
        try:
            resolved = self(doc)
            return resolved, frozenset(self.used)
        finally:
            self.used = before | self.used

    def __call__(self, doc: Document) -> Document:
        """Return the document as the site shows it (the same object when nothing changes)."""
        self._decided = {}
        self._short = self._short_forms(doc) if self.rules.short_forms else {}
        header_text = self._segments(doc.header_text, "header")
        paragraphs = []
        for p in doc.paragraphs:
            heading, text = self._segments(p.heading, p.anchor), self._segments(p.text, p.anchor)
            paragraphs.append(p if heading is p.heading and text is p.text else replace(p, heading=heading, text=text))
        signature = self._segments(doc.signature, "signature")
        title, header = self._text(doc.title), _redacted_header(doc.header, self._text)
        if (
            header_text is doc.header_text
            and signature is doc.signature
            and title is doc.title
            and header is doc.header
            and all(new is old for new, old in zip(paragraphs, doc.paragraphs))
        ):
            return doc
        blocks = [header_text, *(p.heading + p.text for p in paragraphs), signature]
        mentions = tuple(item for items in blocks for item in items if isinstance(item, Mention) and item.key[1])
        return replace(
            doc,
            title=title,
            header=header,
            header_text=header_text,
            paragraphs=tuple(paragraphs),
            signature=signature,
            mentions=mentions,
        )

    def _segments(self, items: Segments, block: str) -> Segments:
        """Return running text as the site shows it (the same tuple when nothing changes)."""
        out: list[str | Mention | TagRef] | None = None
        for i, item in enumerate(items):
            new: str | Mention | TagRef = self._text(item) if isinstance(item, str) else self._segment(item)
            if isinstance(new, Mention) and new.key in self._short:
                new = _rekeyed(new, self._short[new.key])
            if new is not item:
                if out is None:
                    out = list(items[:i])
                if isinstance(new, Mention) and new.paragraph != block:
                    new = replace(new, paragraph=block)
            if out is not None:
                out.append(new)
        return items if out is None else tuple(out)

    def _short_forms(self, doc: Document) -> dict[Key, Key]:
        """Return, for one document, each one-word person name that ends exactly one longer person
        name of the same document, with the key of that person (names the authority file gives are left alone)."""
        people = set()
        for mention in doc.mentions:
            if mention.type == "PER":
                shown = self._segment(mention)
                if isinstance(shown, Mention) and shown.key[1] and shown.key[0] == "PER":
                    people.add(shown.key)
        ends: dict[str, list[Key]] = {}
        for key in people:
            words = key[1].split()
            if len(words) > 1:
                ends.setdefault(words[-1], []).append(key)
        named = self.authority.records
        return {
            key: ends[key[1]][0]
            for key in people
            if " " not in key[1] and len(ends.get(key[1], ())) == 1 and key not in named
        }

    def mention(self, item: Mention) -> str | Mention:
        """Return one mention as the site shows it: the same, re-keyed, plain text (dropped) or withheld."""
        shown = self._segment(item)
        assert not isinstance(shown, TagRef)
        return shown

    def _segment(self, item: Mention | TagRef) -> str | Mention | TagRef:
        """Return a mention as it names its entity: the same, re-keyed, plain text, or withheld."""
        if not isinstance(item, Mention):
            return item
        decision = self._decided.get((item.type, item.text))
        if decision is None:
            decision = self._decided[(item.type, item.text)] = self._decide(item.type, item.text)
        what, key, rule = decision
        if rule:
            self.used.add(rule)
        if what == "withhold":
            return Mention(item.type, WITHHELD, item.line, item.col, item.paragraph, (item.type, ""))
        if what == "drop":
            return item.text
        return item if key == item.key else _rekeyed(item, key)

    def decide(self, type_: str, text: str) -> tuple[str, Key]:
        """Return what a mention of these words names, by the authority and the name rules alone
        (short forms aside): ("withhold" | "drop" | "entity", its key)."""
        what, key, _ = self._decide(type_, text)
        return what, key

    def _decide(self, type_: str, text: str) -> tuple[str, Key, str]:
        """Return what a mention of these words names: ("withhold" | "drop" | "entity", its key, the rule used)."""
        authority, written = self.authority, normalise(text)
        name = clean_name(text, self.rules)
        cleaned = normalise(name)
        for candidate in dict.fromkeys((written, cleaned)):
            if candidate in authority.withhold:
                return "withhold", (type_, ""), f"withhold:{candidate}"
        for candidate in dict.fromkeys((written, cleaned)):
            if candidate in authority.drop:
                return "drop", (type_, ""), f"drop:{candidate}"
        for pattern in authority.drop_patterns:
            if pattern.search(text) or pattern.search(name):
                return "drop", (type_, ""), f"pattern:{pattern.pattern}"
        for candidate in dict.fromkeys((written, cleaned)):
            target = authority.alias_of.get((type_, candidate))
            if target is not None:
                return "entity", target, f"alias:{type_}:{candidate}"
        return "entity", entity_key(type_, name), ""

    def _text(self, text: str) -> str:
        """Return running text with every withheld name replaced."""
        if self._withheld is None:
            return text
        composed = unicodedata.normalize("NFC", text) if not text.isascii() else text  # as keys are
        found = self._withheld.sub(WITHHELD, composed)
        if found == composed:
            return text
        for match in self._withheld.finditer(composed):
            self.used.add(f"withhold:{normalise(match.group(0))}")
        return found

    def redact(self, text: str) -> str:
        """Return text with every withheld name replaced, tagged or not: a mention of one becomes
        ``[withheld]`` whole (for source views and Markdown)."""
        if self._withheld is None:
            return text

        def mention(found: re.Match[str]) -> str:
            item = Mention(found.group("type").upper(), words(found), 0, 0)
            shown = self._segment(item)
            return WITHHELD if isinstance(shown, Mention) and not shown.key[1] else found.group(0)

        return self._text(MENTION.sub(mention, text))


def _rekeyed(item: Mention, key: Key) -> Mention:
    """Return a mention that names another entity (whose type it takes)."""
    shared = entity_key(key[0], key[1])
    return Mention(key[0], item.text, item.line, item.col, item.paragraph, shared)


def _redacted_header(header: Header | None, redact: Callable[[str], str]) -> Header | None:
    """Return a header with withheld names replaced in its text fields."""
    if header is None:
        return None
    fields = {name: redact(getattr(header, name)) for name in ("subject", "classified_by", "reason", "caveats")}
    if all(fields[name] == getattr(header, name) for name in fields):
        return header
    return replace(
        header,
        subject=fields["subject"],
        classified_by=fields["classified_by"],
        reason=fields["reason"],
        caveats=fields["caveats"],
    )


def stale_rules(used: Iterable[str], old: Authority, new: Authority) -> set[str]:
    """Return the rules among ``used`` (see Resolver.used) that ``new`` no longer has as ``old`` had them."""
    patterns = {p.pattern for p in new.drop_patterns}
    stale = set()
    for rule in used:
        kind, _, rest = rule.partition(":")
        if kind == "alias":
            type_, _, name = rest.partition(":")
            gone = old.alias_of.get((type_, name)) != new.alias_of.get((type_, name))
        elif kind == "drop":
            gone = rest not in new.drop
        elif kind == "pattern":
            gone = rest not in patterns
        else:
            gone = rest not in new.withhold
        if gone:
            stale.add(rule)
    return stale


def resolved_otherwise(spellings: Iterable[tuple[Key, Iterable[str]]], old: Resolver, new: Resolver) -> set[Key]:
    """Return the entities that some of their spellings would no longer name under ``new``.

    ``spellings`` gives each entity with the words its mentions are written
    in. An entity that the authority file names, or stops naming, is in the
    result too: short forms leave the names it gives alone.
    """
    named = old.authority.records.keys() ^ new.authority.records.keys()
    found = set(named)
    for key, texts in spellings:
        for text in texts:
            before = old.decide(key[0], text)
            if before != new.decide(key[0], text) or before[1] in named:
                found.add(key)
                break
    return found
