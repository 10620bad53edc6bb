"""The corpus index: entity identity, display names, co-mentions, groups."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter

import pytest

from sitegen.index.corpus import build_corpus
from sitegen.model import entity_key
from sitegen.parse.cable import parse_text


def corpus_of(*texts: str):
    return build_corpus([parse_text(f"d{i}.txt", t) for i, t in enumerate(texts)])


def test_case_and_spacing_do_not_split_an_entity() -> None:
    corpus = corpus_of("[LOC Peru  ] and [LOC PERU  ] .", "[LOC peru  ] and [LOC  Peru   ] .")
    peru = corpus.entities[("LOC", "peru")]
    assert peru.mention_count == 4 and peru.doc_count == 2
    assert len([k for k in corpus.entities if k[0] == "LOC"]) == 1


def test_punctuation_keeps_entities_apart() -> None:
    corpus = corpus_of("[LOC U.S.  ] and [LOC US  ] .")
    assert ("LOC", "u.s.") in corpus.entities and ("LOC", "us") in corpus.entities


def test_unicode_forms_are_one_entity() -> None:
    nfd = unicodedata.normalize("NFD", "José")
    assert nfd != "José"
    corpus = corpus_of(f"[PER {nfd}  ] .", "[PER José  ] .")
    assert list(corpus.entities) == [entity_key("PER", "José")]


def test_same_name_different_type_is_two_entities() -> None:
    corpus = corpus_of("[ORG GOP  ] and [MISC GOP  ] .")
    assert set(corpus.entities) == {("ORG", "gop"), ("MISC", "gop")}


def test_display_name_is_the_most_frequent_form() -> None:
    corpus = corpus_of("[PER ALAN GARCIA  ] [PER Alan Garcia  ] [PER Alan Garcia  ] .")
    assert corpus.entities[("PER", "alan garcia")].name == "Alan Garcia"
    assert corpus.entities[("PER", "alan garcia")].forms == (("Alan Garcia", 2), ("ALAN GARCIA", 1))


def test_paragraphs_and_co_mentions_are_kept() -> None:
    corpus = corpus_of("[PER Ann  ] met [PER Bob  ] .\n\n[PER Ann  ] left [LOC Lima  ] and [PER Ann  ] .")
    ann = corpus.entities[("PER", "ann")]
    assert ann.occurrences[0].paragraphs == (("par1", 1), ("par2", 2))
    assert dict(corpus.related(ann.key)) == {("PER", "bob"): 1, ("LOC", "lima"): 1}


def test_counting_co_mentions_stops_early_only_when_enough_others_share_more() -> None:
    rng = random.Random(3)
    texts = [
        "[PER Ann  ] met " + " ".join(f"[PER B{n:02}  ]" for n in range(30) if rng.random() < (n + 1) / 31) + " ."
        for _ in range(200)
    ]
    corpus = corpus_of(*texts)
    ann = ("PER", "ann")
    counts = corpus.co_mention_counts(ann)
    # Each paragraph names Ann once with the others it lists: each other's count is its paragraphs.
    assert counts == Counter(("PER", name.lower()) for text in texts for name in re.findall(r"\[PER (B\d\d) ", text))
    assert len(counts) == 30 and dict(corpus.related(ann)) == dict(counts.most_common(24))
    for ceiling in {0, *counts.values()}:  # each just below or at some counts
        for besides in ((), tuple(k for k in counts if k[1] >= "b20")):
            above = sum(1 for key, count in counts.items() if count > ceiling and key not in besides)
            found = corpus.co_mention_counts_unless(ann, ceiling, 24, besides)
            assert found is None if above >= 24 else found == counts, (ceiling, besides)
    read = []
    blocks = corpus._shared_blocks
    corpus._shared_blocks = lambda key: (read.append(block) or block for block in blocks(key))  # type: ignore[method-assign]
    assert corpus.co_mention_counts_unless(ann, 0, 24) is None
    assert 0 < len(read) < 200  # it stopped before the last paragraph


def test_documents_are_grouped_by_tag_origin_classification_and_year() -> None:
    cable = (
        "<code><pre>S E C R E T LIMA 000001 DECL : 2019/01/01 TAGS : <a href='/tag/PREL_0.html'>PREL</a> "
        "SUBJECT : X <a id='par1' href='#par1'>¶</a>1 . \nText <a href='/tag/PGOV_0.html'>PGOV</a> .\n</pre></code>"
    )
    corpus = corpus_of(cable)
    assert {k: list(v) for k, v in corpus.groups.items()} == {
        "tag": ["pgov", "prel"],
        "origin": ["lima"],
        "classification": ["secret"],
        "year": ["2009"],
    }
    assert corpus.groups["tag"]["prel"].name == "PREL"


def test_an_edit_places_again_only_the_documents_of_the_groups_it_changes() -> None:
    from dataclasses import replace

    from sitegen.model import Header

    def cable(source: str, origin: str, tag: str, date: str):
        doc = parse_text(source, "[PER Ann  ] met [LOC Lima  ] .")
        return replace(doc, date=date, header=Header(origin=origin, tags=(tag,)))

    corpus = build_corpus(
        [
            cable("a.txt", "LIMA", "PREL", "2009"),
            cable("b.txt", "PARIS", "PGOV", "2010"),
            cable("c.txt", "LIMA", "PGOV", "2008"),
        ]
    )
    assert corpus.groups["origin"]["lima"].docs == ("a.txt", "c.txt")
    assert corpus.group_names("tag") == {"pgov": "PGOV", "prel": "PREL"}
    assert corpus.group_size("tag", "pgov") == 2
    assert set(corpus._group_members) == {("origin", "lima")}  # only the group asked for was placed
    paris = corpus.groups["origin"]["paris"].docs
    corpus.add(cable("c.txt", "LIMA", "PGOV", "2011"))  # c.txt, now the newest, leaves and joins its groups
    assert corpus.groups["origin"]["lima"].docs == ("c.txt", "a.txt")
    assert corpus.groups["tag"]["pgov"].docs == ("c.txt", "b.txt")
    assert corpus.groups["origin"]["paris"].docs is paris  # not placed again


@pytest.mark.parametrize(("piece", "array_bytes"), [(1 << 16, 1 << 23), (2, 1 << 23), (1 << 16, 4)])
def test_an_index_written_and_restored_over_the_same_documents_is_the_same_corpus(
    piece: int, array_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from sitegen.index import pieces
    from sitegen.index.corpus import Corpus
    from sitegen.index.store import DocumentStore

    monkeypatch.setattr(pieces, "INDEX_PIECE", piece)  # 2: every large part in pieces
    monkeypatch.setattr(pieces, "ARRAYS_PIECE_BYTES", array_bytes)  # 4: each array a piece of its own
    texts = ("[PER Ann  ] met [PER Bob  ] in [LOC Lima  ] .", "[PER Ann  ] left [LOC Peru  ] .")
    # A given name puts Ann after Bob: the A-Z order is not the keys' order.
    corpus = Corpus([parse_text(f"d{i}.txt", t) for i, t in enumerate(texts)], names={("PER", "ann"): "Zoe Ann"})
    assert corpus.type_order("PER") == [("PER", "bob"), ("PER", "ann")]
    written = io.BytesIO()
    corpus.write_index(written)
    store = DocumentStore()
    for doc in corpus.documents:
        store.put(corpus.document(doc.source))
    again = Corpus.restored(io.BytesIO(written.getvalue()), store)
    for name in Corpus._STATE:  # every part, the tables of arrays included
        assert getattr(again, name) == getattr(corpus, name), name
    assert again._entity_numbers == corpus._entity_numbers
    assert again._type_orders == corpus._orders()
    assert list(again.entities) == list(corpus.entities)
    assert [again.entities[k] for k in again.entities] == [corpus.entities[k] for k in corpus.entities]
    assert again.related(("PER", "ann")) == corpus.related(("PER", "ann"))
    assert [d.source for d in again.documents] == [d.source for d in corpus.documents]
    assert again.entities[("PER", "ann")].occurrences == corpus.entities[("PER", "ann")].occurrences
    key = next(iter(again._places))
    assert again._entity_keys[again._entity_numbers[key]] is key  # one copy of each key, as before
    short = DocumentStore()
    short.put(corpus.document(corpus.documents[0].source))
    with pytest.raises(ValueError):
        Corpus.restored(io.BytesIO(written.getvalue()), short)


def test_the_index_numbers_entities_and_documents_for_the_caches_other_tables_and_gives_back_its_own() -> None:
    """The cache writes the families' paths and the entities' rows with the index's numbers for the
    entities and documents they name (Corpus.numbering); restored, the index gives back its own key
    or source for each number, and refuses a number it does not give."""
    from sitegen.index.corpus import Corpus

    texts = ("[PER Ann  ] met [PER Bob  ] in [LOC Lima  ] .", "[PER Ann  ] left [LOC Peru  ] .", "[LOC Lima  ] .")
    corpus = Corpus([parse_text(f"d{i}.txt", t) for i, t in enumerate(texts)])
    corpus.remove("d1.txt")  # its number is free: no document has it
    again = _written_and_restored(corpus)
    keys, sources = list(again.entities), [doc.source for doc in again.documents]
    assert len(keys) == 3 and sources == ["d0.txt", "d2.txt"]  # Peru went with d1
    assert list(map(corpus.numbering(sources)[1], sources)) == [0, 2]  # d1's number, 1, is free
    for names, way in ((keys, "entities"), (sources, "documents"), (sources[:0], "entities")):
        how, number = corpus.numbering(names)
        assert how == way and number is not None
        numbers = list(map(number, names))
        assert len(set(numbers)) == len(names)
        taken = again.unnumbered(how, numbers)
        assert taken == names and all(a is b for a, b in zip(taken, names))  # the index's own, not copies
    for names in ([("PER", "nobody")], [*keys, "d0.txt"], ["d1.txt"], ["PER"]):  # not all numbered alike
        assert corpus.numbering(names) == ("as is", None)
        assert again.unnumbered("as is", names) is names
    for how, numbers in (
        ("entities", [len(again._entity_keys)]),
        ("entities", [-1]),
        ("entities", [0, "x"]),
        ("documents", [1]),  # d1's number, free
        ("documents", [3]),
        ("documents", [-1]),
        ("names", [0]),
        ("entities", (0,)),
    ):
        with pytest.raises(ValueError):
            again.unnumbered(how, numbers)


def test_a_table_of_arrays_is_pickled_in_pieces_of_a_bounded_size_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entities named most often come first in the index, and their arrays hold most of its
    numbers: a piece of a table of arrays ends where its numbers would pass a size in bytes."""
    from array import array

    from sitegen.index import pieces

    monkeypatch.setattr(pieces, "INDEX_PIECE", 3)
    monkeypatch.setattr(pieces, "ARRAYS_PIECE_BYTES", 16)
    arrays = [array("I", range(n)) for n in (10, 1, 1, 1, 3, 0, 0, 0, 0)]  # 4 bytes a number
    # 40 bytes alone; then three of 4 (12 bytes), as 12 more would pass 16; then three entries at most.
    assert pieces.piece_sizes(len(arrays), arrays) == [1, 3, 3, 2]
    assert pieces.piece_sizes(7) == [3, 3, 1]
    assert pieces.piece_sizes(0, []) == [] and pieces.piece_sizes(0) == []


def test_a_table_written_in_pieces_is_read_back_whole_and_pickling_remembers_one_piece_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cache keeps every page family's paths and every entity's rows in pieces: each piece
    is a pickle of its own, so writing a million of them never remembers them all."""
    import io
    import pickle
    import tracemalloc
    from array import array

    from sitegen.index import pieces
    from sitegen.index.pieces import dump_in_pieces, load_in_pieces

    def again(value: object) -> object:
        file = io.BytesIO()
        dump_in_pieces(value, file)  # type: ignore[arg-type]
        file.write(b"after")
        file.seek(0)
        found = load_in_pieces(file)
        assert file.read() == b"after"  # each read ends where its table does
        return found

    monkeypatch.setattr(pieces, "INDEX_PIECE", 3)
    for size in (0, 1, 3, 4, 7):
        table = {("entity", ("PER", f"p{i}")): (f"entity/per/p{i}.html",) for i in range(size)}
        assert again(table) == table and list(again(table)) == list(table)  # type: ignore[arg-type]
        assert again(list(table)) == list(table)
    for damaged in [(b"list", 1), ("dict", 1, 2), ("set", 1)]:
        with pytest.raises(ValueError):
            load_in_pieces(io.BytesIO(pickle.dumps(damaged)))
    for piece in [(["a", "b"], ["x"]), (1, 2), ["a", "x"]]:  # keys without as many values; not lists
        with pytest.raises(ValueError):
            load_in_pieces(io.BytesIO(pickle.dumps(("dict", 1)) + pickle.dumps(piece)))
    with pytest.raises(ValueError):
        load_in_pieces(io.BytesIO(pickle.dumps(("list", 1)) + pickle.dumps(("a", "x"))))
    # A table of arrays, written with each key's number as the corpus index writes its tables by entity.
    numbers = {("PER", f"p{i}"): i for i in range(7)}
    places = {key: array("I", range(n)) for n, key in enumerate(numbers)}
    for arrays_bytes in (4, 1 << 23):  # 4: each array a piece of its own
        monkeypatch.setattr(pieces, "ARRAYS_PIECE_BYTES", arrays_bytes)
        file = io.BytesIO()
        dump_in_pieces(places, file, numbers.__getitem__, arrays=True)
        file.seek(0)
        assert load_in_pieces(file) == {numbers[key]: value for key, value in places.items()}
    for piece in [(["a"], array("Q", [2]), b"\0\0\0\0"), (["a"], array("Q", [1, 1]), b"\0" * 8), ("a", [], b"")]:
        with pytest.raises(ValueError):  # numbers short of the lengths; keys without lengths; not a list of keys
            load_in_pieces(io.BytesIO(pickle.dumps(("arrays", 1)) + pickle.dumps(piece)))

    monkeypatch.setattr(pieces, "INDEX_PIECE", 1 << 12)
    paths = {("entity", ("PER", f"person {i}")): (f"entity/per/person-{i}.html",) for i in range(100_000)}
    tracemalloc.start()
    try:
        file = io.BytesIO()
        before = tracemalloc.get_traced_memory()[0]
        dump_in_pieces(paths, _Discard())  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    dump_in_pieces(paths, file)
    file.seek(0)
    assert load_in_pieces(file) == paths
    assert peak < 3_000_000, peak  # a pickle of the whole table remembers 400,000 objects: tens of MB


class _Discard:
    """A file that forgets what is written to it."""

    def write(self, data: bytes) -> int:
        return len(data)


def _written_and_restored(corpus):
    """Return the corpus that the index ``corpus`` writes gives back, over the same documents."""
    import io

    from sitegen.index.corpus import Corpus
    from sitegen.index.store import DocumentStore

    written = io.BytesIO()
    corpus.write_index(written)
    store = DocumentStore()
    for doc in corpus.documents:
        store.put(corpus.document(doc.source))
    return Corpus.restored(io.BytesIO(written.getvalue()), store)


@pytest.mark.parametrize("restore", [False, True], ids=["kept", "written and restored between edits"])
def test_the_a_to_z_order_kept_up_to_date_through_edits_is_the_order_sorted_afresh(restore: bool) -> None:
    import random

    rng = random.Random(7)
    names = ["Alan Garcia", "alan garcia", "Zed", "Élodie", "Bob", "bob", "Carla", "Dan", "Eve", "Ana"]
    texts = {f"d{i}.txt": " and ".join(f"[PER {rng.choice(names)}  ]" for _ in range(3)) + " ." for i in range(12)}
    corpus = build_corpus([parse_text(s, t) for s, t in texts.items()])
    corpus.type_order("PER")  # sorted once; every edit below moves only what it changes
    for edit in range(60):
        if restore and edit % 7 == 3:  # the order is taken as the index kept it, with the edits made since
            corpus = _written_and_restored(corpus)
        source = rng.choice(sorted(texts))
        if rng.random() < 0.2 and len(texts) > 3:
            corpus.remove(source)
            del texts[source]
        else:
            texts[source] = " and ".join(f"[PER {rng.choice(names)}  ]" for _ in range(rng.randint(1, 3))) + " ."
            corpus.add(parse_text(source, texts[source]))
        fresh = build_corpus([parse_text(s, t) for s, t in texts.items()])
        assert corpus.type_order("PER") == fresh.type_order("PER")
        assert corpus.entity_order() == fresh.entity_order()
        assert [d.source for d in corpus.documents] == [d.source for d in fresh.documents]
        order = fresh.type_order("PER")
        assert [corpus.type_position(key) for key in order] == list(range(len(order)))


def test_the_most_mentioned_are_those_of_a_plain_sort_of_every_entity_by_its_count() -> None:
    from sitegen.index.corpus import top_entities
    from sitegen.model import ENTITY_TYPES

    rng = random.Random(11)
    names = ["Ann", "Bob", "Lima", "Peru", "UN", "OAS", "Quechua", "Zed", "Élodie", "ann"]
    texts = [
        " and ".join(f"[{rng.choice(ENTITY_TYPES)} {rng.choice(names)}  ]" for _ in range(rng.randint(1, 6))) + " ."
        for _ in range(40)
    ]
    corpus = corpus_of(*texts)
    kept = corpus.mention_totals()
    assert kept.keys() == set(ENTITY_TYPES)
    for type_ in ENTITY_TYPES:
        assert dict(zip(*kept[type_])) == {key: corpus.mention_total(key) for key in corpus.type_order(type_)}
    for type_ in [None, *ENTITY_TYPES]:
        keys = corpus.entity_order() if type_ is None else corpus.type_order(type_)
        plainly = sorted(keys, key=lambda k: (-corpus.mention_total(k), corpus.name(k).casefold(), k))
        for limit in (1, 3, 100):
            assert top_entities(corpus, limit, type_, kept) == top_entities(corpus, limit, type_) == plainly[:limit]
