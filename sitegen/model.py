"""The data that flows between stages: documents, mentions, entities, corpus.

Everything here is plain data (frozen dataclasses and tuples), so documents can
be parsed in separate processes and cached, and the corpus can be rebuilt from
any set of documents.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field

from sitegen.errors import Diagnostic

#: Entity types in the order they are shown, with their default labels.
ENTITY_TYPES: tuple[str, ...] = ("PER", "LOC", "ORG", "MISC")


def normalise(name: str) -> str:
    """Return a name's identity: NFC, white space collapsed, case folded."""
    if name.isascii():  # NFC changes no ASCII text
        return " ".join(name.split()).lower()
    normal = " ".join(unicodedata.normalize("NFC", name).split()).casefold()
    return unicodedata.normalize("NFC", normal)


def group_key(kind: str, name: str) -> str:
    """Return the identity of a tag, origin, classification or year: its normalised name; for an
    origin, without spaces or punctuation (``LA PAZ`` from a header is ``LAPAZ`` from a file name)."""
    key = normalise(name)
    return re.sub(r"[\W_]+", "", key) if kind == "origin" else key


def fold(text: str) -> str:
    """Return text with accents removed and case folded: how the entity finder compares names."""
    if text.isascii():  # no accents, and ASCII folds as it lowers
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: An entity's identity: its type and its normalised name, ("PER", "alan garcia").
Key = tuple[str, str]

_KEYS: dict[Key, Key] = {}


def entity_key(type_: str, name: str) -> tuple[str, str]:
    """Return the identity of an entity: its type and its normalised name.

    Equal keys are one shared object, so a corpus holds each only once.
    """
    key = _KEYS.get((type_, name))
    if key is None:
        key = _KEYS[(type_, name)] = (sys.intern(type_), sys.intern(normalise(name)))
    return key


def entity_id(key: Key) -> str:
    """Return an entity's stable identifier in the data files: ``loc:united states``."""
    return f"{key[0].lower()}:{key[1]}"


@dataclass(frozen=True, slots=True)
class Mention:
    """One tagged span such as ``[PER Alan Garcia  ]``."""

    type: str
    """Entity type as written in the source, upper-cased: PER, LOC, ORG or MISC."""
    text: str
    """Surface text between the type and the closing bracket, trimmed."""
    line: int
    """1-based source line of the opening bracket."""
    col: int
    """1-based source column (characters) of the opening bracket."""
    paragraph: str = ""
    """Anchor id of the block holding it: ``par3``, ``header`` or ``signature``."""
    key: tuple[str, str] = field(default=("", ""), compare=False, repr=False)
    """Identity of the entity it names; derived from type and text."""

    def __post_init__(self) -> None:
        """Derive the entity key once, since every stage asks for it."""
        if not self.key[0]:
            object.__setattr__(self, "key", entity_key(self.type, self.text))

    def but(self, *, text: str | None = None, paragraph: str | None = None) -> Mention:
        """Return this mention with other words as shown or in another block, naming the same entity
        (what ``dataclasses.replace`` does, in half the time: documents hold hundreds of mentions)."""
        return Mention(
            self.type,
            self.text if text is None else text,
            self.line,
            self.col,
            self.paragraph if paragraph is None else paragraph,
            self.key,
        )

    def __reduce__(self):
        """Pickle as the constructor's arguments: much faster than a slotted dataclass's state.

        The key goes too only when it is not the one the words make (an alias, a cleaned name).
        """
        if self.key is _KEYS.get((self.type, self.text)):
            return _mention, (self.type, self.text, self.line, self.col, self.paragraph)
        return _mention, (self.type, self.text, self.line, self.col, self.paragraph, self.key)


def _mention(type_: str, text: str, line: int, col: int, paragraph: str, key: Key | None = None) -> Mention:
    """Unpickle a mention, sharing its strings and key with the other documents'."""
    shared = entity_key(type_, text) if key is None else (_shared(key) if key[1] else (sys.intern(key[0]), ""))
    return Mention(sys.intern(type_), sys.intern(text), line, col, sys.intern(paragraph), shared)


def _shared(key: Key) -> Key:
    """Return the one shared object of an entity key that is already normalised."""
    return entity_key(key[0], key[1])


@dataclass(frozen=True, slots=True)
class TagRef:
    """A link to a tag page written in the source, such as the TAGS links."""

    name: str
    """Tag name, e.g. ``PREL``."""
    line: int
    """1-based source line of the link."""
    col: int
    """1-based source column of the link."""

    def __reduce__(self):
        """Pickle as the constructor's arguments."""
        return TagRef, (self.name, self.line, self.col)


#: Running text: strings, mentions and tag links in source order; "\n" ends a line.
Segments = tuple["str | Mention | TagRef", ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A numbered (or implied) paragraph of a document body."""

    anchor: str
    """Unique element id, ``par3``; a repeated number gets ``par3-2``."""
    number: str
    """Number as written in the source (``3``), or the implied position."""
    text: Segments
    """The paragraph's text."""
    line: int
    """1-based source line where the paragraph starts."""
    heading: Segments = ()
    """Section heading written just before the paragraph's anchor, if any."""
    ids: tuple[str, ...] = ()
    """Other anchors of the source inside the paragraph (``par2000`` of ``SEPTEMBER , 2000``): links to them
    land on it."""

    def __reduce__(self):
        """Pickle as the constructor's arguments."""
        return Paragraph, (self.anchor, self.number, self.text, self.line, self.heading, self.ids)


@dataclass(frozen=True, slots=True)
class Header:
    """Fields of a cable header; any of them may be empty."""

    classification: str = ""
    """Normalised classification, e.g. ``CONFIDENTIAL``."""
    origin: str = ""
    """Sending post, e.g. ``LIMA``."""
    number: str = ""
    """Cable number at that post, e.g. ``001669``."""
    caveats: str = ""
    """Handling caveats and routing between the number and E.O., e.g. ``NOFORN SIPDIS``."""
    decl: str = ""
    """Declassification date as written, e.g. ``2019/11/25``."""
    tags: tuple[str, ...] = ()
    """TAGS in source order, e.g. ``('PREL', 'PGOV')``."""
    subject: str = ""
    """SUBJECT text."""
    classified_by: str = ""
    """CLASSIFIED BY text."""
    reason: str = ""
    """REASON text."""
    routing: str = ""
    """Who the cable is for, as the header routes it: ``STATE FOR SCA/FO NSC FOR JWOOD``."""

    def __post_init__(self) -> None:
        """Share the fields that many documents have in common, so that the corpus's summaries hold each once."""
        for name in ("classification", "origin", "caveats", "decl"):
            object.__setattr__(self, name, sys.intern(getattr(self, name)))
        object.__setattr__(self, "tags", tuple(map(sys.intern, self.tags)))

    def __reduce__(self):
        """Pickle as its fields, in order (see _unpickled_header)."""
        return _unpickled_header, (
            self.classification,
            self.origin,
            self.number,
            self.caveats,
            self.decl,
            self.tags,
            self.subject,
            self.classified_by,
            self.reason,
            self.routing,
        )


_HEADER_SETTERS = tuple(getattr(Header, name).__set__ for name in Header.__slots__)


def _unpickled_header(*values: object) -> Header:
    """Return the Header that __reduce__ pickled, without sharing its fields again as __post_init__
    does: they were shared when it was made, and a pickle keeps them shared. (An index taken from
    the cache holds a header per document; this makes it a third quicker.)"""
    header = object.__new__(Header)
    for set_field, value in zip(_HEADER_SETTERS, values, strict=True):
        set_field(header, value)
    return header


@dataclass(frozen=True)
class Document:
    """One parsed source file."""

    source: str
    """Path of the source relative to the content folder, with ``/`` separators."""
    title: str
    """Title shown in lists: the subject, the first line or the file name."""
    header: Header | None
    """Cable header fields, or None for plain tagged text."""
    header_text: Segments
    """The raw header line as running text (shown under the metadata)."""
    paragraphs: tuple[Paragraph, ...]
    """Body paragraphs in source order."""
    signature: Segments
    """The signer's name from the last line, if one was recognised."""
    date: str
    """Best known date, ``YYYY-MM-DD``, ``YYYY`` or empty."""
    year: str
    """Year used for browsing, or empty when unknown."""
    mentions: tuple[Mention, ...]
    """Every mention in source order, header and signature included."""
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)
    """Warnings found while parsing."""
    ref: str = ""
    """The reference id every citation uses (``09LIMA1669``), or empty when there is none."""
    header_ids: tuple[str, ...] = ()
    """Anchors of the source inside the header (``parB`` of a list of references)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What lists of documents show of one document; the corpus keeps this in memory, not the whole document."""

    source: str
    """Path of the source relative to the content folder."""
    title: str
    """Title shown in lists."""
    header: Header | None
    """Cable header fields, or None for plain tagged text."""
    date: str
    """Best known date, ``YYYY-MM-DD``, ``YYYY`` or empty."""
    year: str
    """Year used for browsing, or empty when unknown."""
    ref: str = ""
    """The reference id (``09LIMA1669``), or empty."""

    @classmethod
    def of(cls, doc: Document) -> Summary:
        """Return the summary of a document; its date is shared with other summaries (as the header's fields are)."""
        return cls(doc.source, doc.title, doc.header, sys.intern(doc.date), sys.intern(doc.year), doc.ref)

    def __reduce__(self):
        """Pickle as the constructor's arguments (the cache keeps one summary per document)."""
        return Summary, (self.source, self.title, self.header, self.date, self.year, self.ref)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where one entity occurs in one document."""

    doc: str
    """Source path of the document."""
    paragraphs: tuple[tuple[str, int], ...]
    """Anchor ids of the blocks that mention it, with the mention count in each."""

    @property
    def mentions(self) -> int:
        """Return the number of mentions in this document."""
        return sum(count for _, count in self.paragraphs)

    def __reduce__(self):
        """Pickle as the constructor's arguments."""
        return Occurrence, (self.doc, self.paragraphs)


@dataclass(frozen=True)
class Entity:
    """An entity of the corpus index: all mentions with one identity."""

    key: tuple[str, str]
    """Identity: type and normalised name."""
    name: str
    """Display name: the most frequent surface form."""
    forms: tuple[tuple[str, int], ...]
    """Surface forms with their counts, most frequent first."""
    occurrences: tuple[Occurrence, ...]
    """The documents that mention it, in corpus order."""
    mention_count: int
    """Number of mentions in the whole corpus."""

    @property
    def type(self) -> str:
        """Return the entity type."""
        return self.key[0]

    @property
    def doc_count(self) -> int:
        """Return the number of documents that mention it."""
        return len(self.occurrences)


@dataclass(frozen=True)
class Group:
    """Documents that share a tag, an origin, a classification or a year."""

    kind: str
    """``tag``, ``origin``, ``classification`` or ``year``."""
    key: str
    """Normalised name: the identity of the group."""
    name: str
    """Display name: the most frequent spelling."""
    docs: tuple[str, ...]
    """Source paths of its documents, in corpus order."""


#: The ways documents are grouped, in the order they are shown.
GROUP_KINDS: tuple[str, ...] = ("tag", "origin", "classification", "year")


def merge_text(items: list) -> list:
    """Return segments with adjacent strings joined and empty ones left out, so that running text
    alternates between text and markup."""
    out: list = []
    for item in items:
        if isinstance(item, str) and out and isinstance(out[-1], str):
            out[-1] += item
        elif not (isinstance(item, str) and not item):
            out.append(item)
    return out


def plain_text(segments: Segments | list) -> str:
    """Return running text with its markup removed: mentions and tags as their words."""
    parts = []
    for seg in segments:
        if isinstance(seg, str):
            parts.append(seg)
        elif isinstance(seg, Mention):
            parts.append(seg.text)
        elif isinstance(seg, TagRef):
            parts.append(seg.name)
    return "".join(parts)
