"""Annotation QA: what an editor should look at before publishing (``sitegen check``).

``find_problems`` reads resolved documents (names as the site would show
them, after the authority file) and returns findings, each with where it
first occurs and how many mentions it concerns:

- ``type conflict``: one name under several types, with the share of each;
- ``near duplicate``: names of one type that differ only by case, accents,
  punctuation, spacing, ``the`` or a possessive;
- ``likely junk``: redaction runs (``XXXXXXXX``), unbalanced brackets, names
  that are only digits, dates or punctuation, names of more than eight words;
- ``alias candidate``: a one-word person name that ends exactly one longer
  person name in the archive; an acronym in parentheses right after a name
  (``Shining Path ( SL )``);
- ``unused rule``: a rule of the authority file that matches nothing.

``suggestions`` turns findings into an authority file to review.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sitegen.index.corpus import display_name
from sitegen.model import Document, Key, Mention, fold, normalise

#: Names longer than this many words are likely a tagging error.
MAX_WORDS = 8
_REDACTION = re.compile(r"X{4,}", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^[\W\d_]*$|^\d{1,4}([/.-]\d{1,4}){1,2}$")
_ACRONYM = re.compile(r"^\s*\(\s*([A-Z][A-Z0-9-]{1,9})\s*\)")


@dataclass(frozen=True)
class Finding:
    """One thing an editor should look at."""

    kind: str
    """``type conflict``, ``near duplicate``, ``likely junk``, ``alias candidate`` or ``unused rule``."""
    message: str
    """What it is, in one sentence."""
    where: str
    """``file:line:col`` of its first occurrence."""
    mentions: int
    """How many mentions it concerns (its weight in the report)."""
    names: tuple[str, ...] = ()
    """The names concerned, most mentioned first (for suggestions and scripts)."""
    type: str = ""
    """The entity type concerned, when there is one."""


@dataclass
class _Tally:
    """What the documents say about each entity: its spellings, where it first occurs."""

    spellings: dict[Key, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    first: dict[Key, str] = field(default_factory=dict)
    acronyms: dict[tuple[Key, str], tuple[int, str]] = field(default_factory=dict)

    def add(self, doc: Document) -> None:
        for block in _blocks(doc):
            items = list(block)
            for i, item in enumerate(items):
                if not isinstance(item, Mention) or not item.key[1]:
                    continue
                self.spellings[item.key][item.text] += 1
                self.first.setdefault(item.key, f"{doc.source}:{item.line}:{item.col}")
                after = items[i + 1] if i + 1 < len(items) else ""
                found = _ACRONYM.match(after) if isinstance(after, str) else None
                if found and normalise(found.group(1)) != item.key[1]:
                    count, where = self.acronyms.get((item.key, found.group(1)), (0, ""))
                    self.acronyms[(item.key, found.group(1))] = (
                        count + 1,
                        where or f"{doc.source}:{item.line}:{item.col}",
                    )


def _blocks(doc: Document) -> Iterable[tuple]:
    """Yield the running text of every block of a document."""
    yield doc.header_text
    for paragraph in doc.paragraphs:
        yield paragraph.heading + paragraph.text
    yield doc.signature


def folded(name: str) -> str:
    """Return what two spellings of one name share: no accents, punctuation, spacing, ``the``, possessive."""
    text = re.sub(r"['’]\s*s\b", "", fold(name))
    text = re.sub(r"^the\s+", "", text.strip())
    return re.sub(r"[\W_]+", "", text)


def find_problems(documents: Iterable[Document]) -> list[Finding]:
    """Return the findings about resolved documents, the most mentioned first within each kind."""
    tally = _Tally()
    for doc in documents:
        tally.add(doc)
    totals = {key: sum(forms.values()) for key, forms in tally.spellings.items()}

    def shown(key: Key) -> str:
        return display_name(tally.spellings[key], key[1])

    findings: list[Finding] = []
    by_name: dict[str, list[Key]] = defaultdict(list)
    for key in tally.spellings:
        by_name[key[1]].append(key)
    for keys in by_name.values():
        if len(keys) > 1:
            keys.sort(key=lambda k: -totals[k])
            total = sum(totals[k] for k in keys)
            shares = ", ".join(f"{k[0]} {totals[k] * 100 // total}% ({totals[k]:,})" for k in keys)
            findings.append(
                Finding(
                    "type conflict",
                    f"'{shown(keys[0])}' is tagged as {shares}",
                    tally.first[keys[0]],
                    total,
                    (shown(keys[0]),),
                    keys[0][0],
                )
            )
    by_fold: dict[tuple[str, str], list[Key]] = defaultdict(list)
    for key in tally.spellings:
        folded_key = folded(key[1])
        if folded_key:
            by_fold[(key[0], folded_key)].append(key)
    for (type_, _), keys in by_fold.items():
        if len(keys) > 1:
            keys.sort(key=lambda k: -totals[k])
            names = tuple(shown(k) for k in keys)
            findings.append(
                Finding(
                    "near duplicate",
                    f"{type_} " + " / ".join(f"'{n}' ({totals[k]:,})" for n, k in zip(names, keys)),
                    tally.first[keys[0]],
                    sum(totals[k] for k in keys),
                    names,
                    type_,
                )
            )
    for key, total in totals.items():
        name = shown(key)
        reason = _junk(name)
        if reason:
            findings.append(
                Finding("likely junk", f"{key[0]} '{name}': {reason}", tally.first[key], total, (name,), key[0])
            )
    ends: dict[str, list[Key]] = defaultdict(list)
    for key in tally.spellings:
        words = key[1].split()
        if key[0] == "PER" and len(words) > 1:
            ends[words[-1]].append(key)
    for key, total in totals.items():
        if key[0] == "PER" and " " not in key[1] and len(ends.get(key[1], ())) == 1:
            full = ends[key[1]][0]
            findings.append(
                Finding(
                    "alias candidate",
                    f"PER '{shown(key)}' ({total:,}) may be '{shown(full)}' ({totals[full]:,}),"
                    " the only person of that name",
                    tally.first[key],
                    total,
                    (shown(full), shown(key)),
                    "PER",
                )
            )
    for (key, acronym), (count, where) in tally.acronyms.items():
        if count >= 1:
            findings.append(
                Finding(
                    "alias candidate",
                    f"{key[0]} '{acronym}' may be '{shown(key)}', written after it in"
                    f" parentheses {count:,} time{'s' if count != 1 else ''}",
                    where,
                    count,
                    (shown(key), acronym),
                    key[0],
                )
            )
    order = ["type conflict", "near duplicate", "likely junk", "alias candidate", "unused rule"]
    findings.sort(key=lambda f: (order.index(f.kind), -f.mentions, f.message))
    return findings


def _junk(name: str) -> str:
    """Return why a name looks like tagger noise, or ''."""
    if _REDACTION.search(name):
        return "a redaction run"
    if any(name.count(a) != name.count(b) for a, b in ("()", "[]", "{}")):
        return "unbalanced brackets"
    if _NOT_A_NAME.match(name):
        return "only digits, a date or punctuation"
    if len(name.split()) > MAX_WORDS:
        return f"more than {MAX_WORDS} words"
    return ""


def suggestions(findings: Iterable[Finding]) -> str:
    """Return an authority file (TOML) that would act on the findings, for an editor to review."""
    entities: dict[tuple[str, str], list[str]] = {}
    claimed: dict[Key, tuple[str, str]] = {}  # every name suggested, so that none is claimed twice
    drop: list[str] = []
    for finding in findings:
        if finding.kind in ("near duplicate", "alias candidate") and finding.type and len(finding.names) > 1:
            head = (finding.type, finding.names[0])
            if claimed.get((finding.type, normalise(head[1])), head) != head:
                continue  # its name is already another suggestion's alias
            claimed[(finding.type, normalise(head[1]))] = head
            aliases = entities.setdefault(head, [])
            for name in finding.names[1:]:
                key = (finding.type, normalise(name))
                if key not in claimed:
                    claimed[key] = head
                    aliases.append(name)
        elif finding.kind == "likely junk" and finding.names:
            drop.append(finding.names[0])
    named = {normalise(name) for _, name in entities} | {key[1] for key in claimed}
    drop = [name for name in drop if normalise(name) not in named]
    lines = ["# Suggestions of `sitegen check`: review every line before keeping this file.", ""]
    for (type_, name), aliases in entities.items():
        if not aliases:
            continue
        lines += ["[[entity]]", f"name = {_toml(name)}", f'type = "{type_}"']
        lines += [f"aliases = [{', '.join(_toml(a) for a in dict.fromkeys(aliases))}]", ""]
    if drop:
        lines += ["[drop]", "names = [", *(f"    {_toml(n)}," for n in dict.fromkeys(drop)), "]", ""]
    return "\n".join(lines)


def _toml(text: str) -> str:
    """Return text as a TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'
