"""Entity labels of other taggers -> the four types the site shows: the ``[types.map]`` table.

Readers of CoNLL, JSONL, brat and spaCy files meet labels such as ``GPE``,
``B-PERSON`` or ``Organisation``. ``Labels`` maps each (matched without
regard to case) to PER, LOC, ORG or MISC, or to nothing: a label mapped to
``none`` is not an entity the site follows (dates, amounts), and its spans
stay plain text. A label the map does not know is kept as MISC, and the
document says which ones those were.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sitegen.model import ENTITY_TYPES

#: The label that drops a span: it stays plain text.
NONE = "none"

#: Labels of the CoNLL-2003 and OntoNotes 5 sets (spaCy's English models), and common spellings of the four types.
DEFAULT_MAP: dict[str, str] = {
    # the four types, and how other tools spell them
    "PER": "PER",
    "PERSON": "PER",
    "PEOPLE": "PER",
    "LOC": "LOC",
    "LOCATION": "LOC",
    "GPE": "LOC",
    "FAC": "LOC",
    "FACILITY": "LOC",
    "ORG": "ORG",
    "ORGANIZATION": "ORG",
    "ORGANISATION": "ORG",
    "MISC": "MISC",
    "MISCELLANEOUS": "MISC",
    # OntoNotes names that are neither people, places nor organisations
    "NORP": "MISC",
    "NATIONALITY": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    # OntoNotes values: not entities a reader follows from page to page
    "DATE": NONE,
    "TIME": NONE,
    "PERCENT": NONE,
    "MONEY": NONE,
    "QUANTITY": NONE,
    "ORDINAL": NONE,
    "CARDINAL": NONE,
}


@dataclass(frozen=True)
class Labels:
    """How a reader turns a tagger's labels into the site's entity types."""

    map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MAP))
    """Type (PER, LOC, ORG, MISC) or ``none`` of each label, upper-cased."""

    def type_of(self, label: str) -> tuple[str | None, bool]:
        """Return the type a label is read as (None: not an entity) and whether the map knows it."""
        written = label.strip()
        if written.upper() in self.map:
            found = self.map[written.upper()]
            return (None if found == NONE else found), True
        return "MISC", False

    def with_map(self, table: dict[str, str]) -> Labels:
        """Return these labels with a configuration's ``[types.map]`` entries laid over the defaults."""
        merged = dict(self.map)
        merged.update({label.strip().upper(): value for label, value in table.items()})
        return Labels(merged)


def valid_target(value: str) -> str | None:
    """Return what a ``[types.map]`` value maps to (an entity type or ``none``), None when it is neither."""
    upper = value.strip().upper()
    if upper in ENTITY_TYPES:
        return upper
    if upper == NONE.upper():
        return NONE
    return None
