"""entities.toml -> Authority: the editors' decisions about entities.

An authority file names entities (with their aliases, a Wikidata id and a
description), drops names that are not entities and withholds names that
must never be published:

    [[entity]]
    name = "United States"
    type = "LOC"
    aliases = ["U.S.", "US", "MISC:U.S."]   # "TYPE:name" takes a mention of another type
    wikidata = "Q30"
    description = "…"

    [drop]
    names = ["SBU", "DECL:"]
    patterns = ['^X{4,}']

    [withhold]
    names = ["John Doe"]

Names are compared as entity keys are (NFC, white space, case). Mistakes
are ConfigErrors naming the file and line; a rule that matches nothing is
reported by the build as a warning.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.errors import ConfigError
from sitegen.model import ENTITY_TYPES, Key, entity_key, normalise

if TYPE_CHECKING:
    from sitegen.parse.markdown import MarkdownSource

#: What stands in the text for a withheld name.
WITHHELD = "[withheld]"
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Record:
    """One entity the authority file names."""

    key: Key
    """Its identity: type and normalised name."""
    name: str
    """The name shown on every page."""
    aliases: tuple[Key, ...] = ()
    """Other names (and types) whose mentions are this entity."""
    wikidata: str = ""
    """Its Wikidata id, ``Q30``; empty when not given."""
    description: str = ""
    """One line shown under the name."""
    line: int = 0
    """The line of the authority file where it is named."""


@dataclass(frozen=True)
class Authority:
    """The editors' decisions: entities and their aliases, names dropped, names withheld."""

    records: dict[Key, Record] = field(default_factory=dict)
    """The entities named, by key."""
    alias_of: dict[Key, Key] = field(default_factory=dict)
    """Every alias (and every entity's own key) -> the key of the entity it names."""
    drop: frozenset[str] = frozenset()
    """Normalised names that are not entities, of any type."""
    drop_patterns: tuple[re.Pattern[str], ...] = ()
    """Regular expressions over a name: a name that matches one is not an entity."""
    withhold: frozenset[str] = frozenset()
    """Normalised names never published, of any type."""
    written: dict[Key, str] = field(default_factory=dict)
    """Each alias as the file writes it (without a ``TYPE:`` prefix), by its key."""
    lines: dict[str, int] = field(default_factory=dict)
    """The line of each rule, by ``drop:NAME``, ``pattern:REGEX``, ``withhold:NAME`` or ``alias:TYPE:NAME``."""
    path: str = ""
    """The file it was read from, as shown in messages; empty when there is none."""
    digest: str = ""
    """A hash of the file: a different one means different pages."""

    def __bool__(self) -> bool:
        return bool(self.records or self.drop or self.drop_patterns or self.withhold)

    def withheld_text(self) -> re.Pattern[str] | None:
        """Return a pattern of every withheld name as it may be written in running text, or None."""
        if not self.withhold:
            return None
        names = sorted(self.withhold, key=len, reverse=True)
        words = (r"\s+".join(re.escape(w) for w in name.split()) for name in names)
        return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def load_authority(path: Path, shown: str | None = None) -> Authority:
    """Read an authority file; a missing file is an empty authority. Raise ConfigError for mistakes."""
    shown = shown or str(path.absolute())
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Authority()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: {exc}") from None
    authority = parse_authority(data, text, shown)
    return replace(authority, path=shown, digest=hashlib.sha256(text.encode("utf-8")).hexdigest())


class _Lines:
    """Finds the line where a value is written, for messages: the n-th time it appears quoted."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.seen: dict[str, int] = {}

    def of(self, value: str) -> int:
        """Return the line of the next occurrence of ``value`` written as a TOML string (0 if not found)."""
        quoted = [f'"{value}"', f"'{value}'", '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"']
        start = self.seen.get(value, 0)
        for number in range(start, len(self.lines)):
            if any(q in self.lines[number] for q in quoted):
                self.seen[value] = number + 1
                return number + 1
        return 0


def parse_authority(data: dict[str, Any], text: str, shown: str) -> Authority:
    """Check a parsed authority file and turn it into an Authority."""
    lines = _Lines(text)

    def fail(message: str, line: int = 0) -> ConfigError:
        return ConfigError(f"{shown}:{line}: {message}" if line else f"{shown}: {message}")

    for section in data:
        if section not in ("entity", "drop", "withhold"):
            raise fail(f"unknown section '{section}' (expected [[entity]], [drop] and [withhold])")
    rule_lines: dict[str, int] = {}
    records: dict[Key, Record] = {}
    alias_of: dict[Key, Key] = {}
    claimed: dict[Key, tuple[str, int]] = {}
    written: dict[Key, str] = {}
    entities = data.get("entity", [])
    if not isinstance(entities, list):
        raise fail("'entity' must be a list of [[entity]] tables")
    for table in entities:
        if not isinstance(table, dict):
            raise fail("each [[entity]] must be a table")
        for field_name in table:
            if field_name not in ("name", "type", "aliases", "wikidata", "description"):
                raise fail(
                    f"unknown key '{field_name}' in [[entity]]; known keys: name, type, aliases, wikidata, description"
                )
        name, type_ = table.get("name"), table.get("type")
        if not isinstance(name, str) or not name.strip():
            raise fail("every [[entity]] needs a name (text)")
        line = lines.of(name)
        if type_ not in ENTITY_TYPES:
            raise fail(f"[[entity]] '{name}' needs a type: one of {', '.join(ENTITY_TYPES)}", line)
        own = (type_, normalise(name))
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise fail(f"aliases of '{name}' must be a list of names", line)
        wikidata = table.get("wikidata", "")
        if not isinstance(wikidata, str) or (wikidata and not _WIKIDATA.match(wikidata)):
            raise fail(f"wikidata of '{name}' must be an id like \"Q30\", not {wikidata!r}", line)
        description = table.get("description", "")
        if not isinstance(description, str):
            raise fail(f"description of '{name}' must be text", line)
        keys: list[Key] = []
        for alias, alias_line in [(name, line)] + [(a, lines.of(a)) for a in aliases]:
            found = _alias_key(alias, type_)
            if found is None:
                raise fail(
                    f"alias '{alias}' of '{name}': the type before ':' must be one of {', '.join(ENTITY_TYPES)}",
                    alias_line,
                )
            key = found
            if key in claimed and alias_of[key] != own:
                other, other_line = claimed[key]
                raise fail(
                    f"'{alias}' is claimed by '{name}' (line {alias_line}) and by '{other}' (line {other_line})",
                    alias_line,
                )
            claimed[key] = (name, alias_line)
            alias_of[key] = own
            written[key] = _written(alias)
            rule_lines[f"alias:{key[0]}:{key[1]}"] = alias_line
            if key != own:
                keys.append(key)
        records[own] = Record(own, " ".join(name.split()), tuple(keys), wikidata, " ".join(description.split()), line)
    drop_table = _table(data, "drop", ("names", "patterns"), fail)
    drop_names = _names(drop_table, "drop", fail)
    patterns = []
    for pattern in drop_table.get("patterns", []):
        if not isinstance(pattern, str):
            raise fail("[drop] patterns must be a list of regular expressions")
        line = lines.of(pattern)
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            raise fail(f"[drop] pattern {pattern!r} is not a regular expression: {exc}", line) from None
        rule_lines[f"pattern:{pattern}"] = line
    withhold_names = _names(_table(data, "withhold", ("names",), fail), "withhold", fail)
    for kind, names in (("drop", drop_names), ("withhold", withhold_names)):
        for name in names:
            rule_lines[f"{kind}:{normalise(name)}"] = lines.of(name)
    withheld = {normalise(n) for n in withhold_names}
    for name in drop_names:
        if normalise(name) in withheld:
            raise fail(
                f"'{name}' is both dropped (line {rule_lines['drop:' + normalise(name)]}) and withheld "
                f"(line {rule_lines['withhold:' + normalise(name)]})",
                rule_lines["drop:" + normalise(name)],
            )
    entity_named: dict[str, Key] = {}  # the first entity each name belongs to, under any type
    for alias_key, entity in alias_of.items():
        entity_named.setdefault(alias_key[1], entity)
    for kind, names in (("drop", drop_names), ("withhold", withhold_names)):
        for name in names:
            owner = entity_named.get(normalise(name))
            if owner is not None:
                line = rule_lines[f"{kind}:{normalise(name)}"]
                raise fail(
                    f"'{name}' is {'dropped' if kind == 'drop' else 'withheld'} (line {line}) but is a name of"
                    f" the entity '{records[owner].name}' (line {records[owner].line})",
                    line,
                )
    return Authority(
        records=records,
        alias_of=alias_of,
        drop=frozenset(normalise(n) for n in drop_names),
        drop_patterns=tuple(patterns),
        withhold=frozenset(normalise(n) for n in withhold_names),
        written=written,
        lines=rule_lines,
    )


def _written(alias: str) -> str:
    """Return an alias as pages show it: without a ``TYPE:`` prefix."""
    head, sep, rest = alias.partition(":")
    return " ".join((rest if sep and head in ENTITY_TYPES and rest.strip() else alias).split())


def _alias_key(alias: str, type_: str) -> Key | None:
    """Return the key an alias matches: of the entity's type, or of the type written before ``:``."""
    head, sep, rest = alias.partition(":")
    if sep and head.isupper() and head.isalpha() and rest.strip():
        if head not in ENTITY_TYPES:
            return None
        return head, normalise(rest)
    return type_, normalise(alias)


def _table(data: dict[str, Any], name: str, keys: tuple[str, ...], fail: Any) -> dict[str, Any]:
    """Return one of the rule tables, checked."""
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise fail(f"[{name}] must be a table")
    for key in table:
        if key not in keys:
            raise fail(f"unknown key '{key}' in [{name}]; known keys: {', '.join(keys)}")
    return table


def _names(table: dict[str, Any], section: str, fail: Any) -> list[str]:
    """Return the names of a rule table, checked."""
    names = table.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise fail(f"[{section}] names must be a list of names")
    return names


def merge_notes(authority: Authority, notes: Iterable[MarkdownSource], folder: str = "") -> Authority:
    """Return the authority file with what the editors' notes say in their front matter: aliases,
    a Wikidata id and a description of the entity each note is about.

    A note named by an alias is about that alias's entity. Raise
    ConfigError, naming both places, when a note says otherwise than the
    authority file or another note: a different Wikidata id or
    description, an alias that names another entity, or a name that is
    dropped or withheld. Messages name a note by ``folder`` (the content
    folder as shown) and its path there.
    """
    records, alias_of, written = dict(authority.records), dict(authority.alias_of), dict(authority.written)
    said: dict[Key, str] = {}  # where each record's fields were said, when a note said them
    placed: dict[Key, str] = {}  # where each alias was claimed, when a note claimed it
    merged = hashlib.sha256(authority.digest.encode())
    for note in sorted(notes, key=lambda n: n.source):
        shown = f"{folder}/{note.source}" if folder else note.source
        if note.kind != "note" or not (note.aliases or note.wikidata or note.description):
            continue
        merged.update(repr((note.source, note.entity, note.aliases, note.wikidata, note.description)).encode())
        type_, name = note.entity
        own = alias_of.get(entity_key(type_, name), entity_key(type_, name))
        here = f"{shown}:{note.line_of('aliases')}"
        for kind, names in (("dropped", authority.drop), ("withheld", authority.withhold)):
            if own[1] in names:
                raise ConfigError(
                    f"{shown}:1: '{name}' has a note with aliases or a description but is {kind} in {authority.path}"
                )
        record = records.get(own) or Record(own, " ".join(name.split()), line=0)
        where = said.get(own) or f"{authority.path}:{record.line}"
        for field_name in ("wikidata", "description"):
            value, before = getattr(note, field_name), getattr(record, field_name)
            if value and field_name == "wikidata" and not _WIKIDATA.match(value):
                raise ConfigError(
                    f'{note.source}:{note.line_of(field_name)}: wikidata must be an id like "Q30", not {value!r}'
                )
            if value and before and value != before:
                raise ConfigError(
                    f"{shown}:{note.line_of(field_name)}: the {field_name} of '{record.name}' is {value!r} here"
                    f" but {before!r} in {where}"
                )
        aliases = list(record.aliases)
        for alias in note.aliases:
            key = _alias_key(alias, own[0])
            if key is None:
                raise ConfigError(
                    f"{here}: alias '{alias}': the type before ':' must be one of {', '.join(ENTITY_TYPES)}"
                )
            owner = alias_of.get(key)
            if owner is not None and owner != own:
                other = placed.get(key) or f"{authority.path}:{authority.lines.get(f'alias:{key[0]}:{key[1]}', 0)}"
                raise ConfigError(f"{here}: '{alias}' is an alias of '{records[owner].name}' in {other}")
            for kind, names in (("dropped", authority.drop), ("withheld", authority.withhold)):
                if key[1] in names:
                    raise ConfigError(
                        f"{here}: '{alias}' is an alias of '{record.name}' but is {kind} in {authority.path}"
                    )
            if key not in alias_of:
                alias_of[key], placed[key] = own, here
                written[key] = _written(alias)
            if key != own and key not in aliases:
                aliases.append(key)
        alias_of.setdefault(own, own)
        records[own] = replace(
            record,
            aliases=tuple(aliases),
            wikidata=record.wikidata or note.wikidata,
            description=record.description or note.description,
        )
        said.setdefault(own, f"{shown}:{note.line_of('description')}")
    if records == authority.records:
        return authority
    return replace(authority, records=records, alias_of=alias_of, written=written, digest=merged.hexdigest())
