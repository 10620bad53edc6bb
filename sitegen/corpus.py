"""Documents -> Corpus: the entity index, co-mentions and document groups (pure)."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from sitegen.model import (
    ENTITY_TYPES, GROUP_KINDS, Corpus, Document, Entity, Group, Occurrence, TagRef,
    normalise,
)

#: Paragraphs naming more distinct entities than this are lists, not prose;
#: they are left out of co-mention counts, which grow with the square of it.
MAX_CO_MENTIONS = 60
#: How many related entities each entity keeps.
MAX_RELATED = 24


def order_documents(documents: Iterable[Document]) -> list[Document]:
    """Return documents newest first; undated ones last; ties by source path."""
    by_path = sorted(documents, key=lambda d: d.source)
    return sorted(by_path, key=lambda d: d.date, reverse=True)


def _display(forms: Counter[str]) -> str:
    """Return the most frequent form; on a tie prefer mixed case, then the first in order."""
    return min(forms, key=lambda f: (-forms[f], f.isupper(), f))


def document_groups(doc: Document) -> dict[str, list[str]]:
    """Return the group names a document belongs to, by kind."""
    header = doc.header
    tags = list(header.tags) if header else []
    for par in doc.paragraphs:
        tags += [s.name for s in par.text if isinstance(s, TagRef)]
    return {
        "tag": tags,
        "origin": [header.origin] if header and header.origin else [],
        "classification": [header.classification] if header and header.classification else [],
        "year": [doc.year] if doc.year else [],
    }


def build_corpus(documents: Iterable[Document]) -> Corpus:
    """Index every mention and group of the documents into one Corpus."""
    docs = tuple(order_documents(documents))
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    places: dict[tuple[str, str], dict[int, Counter[str]]] = defaultdict(dict)
    related: dict[tuple[str, str], Counter] = defaultdict(Counter)
    group_docs: dict[str, dict[str, list[int]]] = {kind: defaultdict(list) for kind in GROUP_KINDS}
    group_forms: dict[str, dict[str, Counter[str]]] = {kind: defaultdict(Counter) for kind in GROUP_KINDS}

    for index, doc in enumerate(docs):
        blocks: dict[str, set] = defaultdict(set)
        for mention in doc.mentions:
            key = mention.key
            forms[key][mention.text] += 1
            places[key].setdefault(index, Counter())[mention.paragraph] += 1
            blocks[mention.paragraph].add(key)
        for keys in blocks.values():
            if 1 < len(keys) <= MAX_CO_MENTIONS:
                for key in keys:
                    counter = related[key]
                    for other in keys:
                        if other != key:
                            counter[other] += 1
        for kind, names in document_groups(doc).items():
            seen = set()
            for name in names:
                key = normalise(name)
                group_forms[kind][key][" ".join(name.split())] += 1
                if key not in seen:
                    seen.add(key)
                    group_docs[kind][key].append(index)

    entities: dict[tuple[str, str], Entity] = {}
    for key in forms:
        occurrences = tuple(
            Occurrence(doc, tuple(counts.items()))  # counters keep source order
            for doc, counts in sorted(places[key].items()))
        entities[key] = Entity(
            key=key,
            name=_display(forms[key]),
            forms=tuple(sorted(forms[key].items(), key=lambda kv: (-kv[1], kv[0]))),
            occurrences=occurrences,
            mention_count=sum(forms[key].values()),
            related=tuple(sorted(related[key].items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_RELATED]),
        )
    type_rank = {t: i for i, t in enumerate(ENTITY_TYPES)}
    ordered = dict(sorted(entities.items(), key=lambda kv: (
        type_rank.get(kv[0][0], len(type_rank)), kv[1].name.casefold(), kv[0][1])))

    groups: dict[str, dict[str, Group]] = {}
    for kind in GROUP_KINDS:
        made = [Group(kind, key, _display(group_forms[kind][key]), tuple(indices))
                for key, indices in group_docs[kind].items()]
        reverse = kind == "year"
        made.sort(key=lambda g: (g.name.casefold(), g.key), reverse=reverse)
        groups[kind] = {g.key: g for g in made}
    return Corpus(documents=docs, entities=ordered, groups=groups)


def mention_counts(corpus: Corpus) -> dict[str, int]:
    """Return the number of entities of each type."""
    counts = Counter(key[0] for key in corpus.entities)
    return {t: counts.get(t, 0) for t in ENTITY_TYPES}


def top_entities(corpus: Corpus, limit: int, type_: str | None = None) -> list[Entity]:
    """Return the most-mentioned entities, optionally of one type."""
    pool = (e for e in corpus.entities.values() if type_ is None or e.type == type_)
    return sorted(pool, key=lambda e: (-e.mention_count, e.name.casefold(), e.key))[:limit]

