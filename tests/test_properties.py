"""Properties of the parser, slugs and URLs, checked on generated input with Hypothesis."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sitegen.build.output import safe_path
from sitegen.errors import SitegenError, SourceError
from sitegen.model import ENTITY_TYPES, Mention, normalise, plain_text
from sitegen.parse.cable import parse_document, parse_text
from sitegen.parse.conll import split_conll
from sitegen.parse.formats import FORMATS, read_document
from sitegen.parse.labels import Labels
from sitegen.parse.spans import Span, span_document
from sitegen.site.html import rough
from sitegen.site.urls import Urls, document_paths, relative_url, slugify

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words of plain text: anything but brackets, angle brackets and white space.
word = st.text(
    st.characters(blacklist_characters="[]<>", blacklist_categories=("Cs", "Cc", "Z")), min_size=1, max_size=12
)
lower_word = st.text("abcdefghijklmnopqrstuvwxyzéñ", min_size=1, max_size=10)
mention = st.tuples(st.sampled_from(ENTITY_TYPES), st.lists(word, min_size=1, max_size=4))
token = st.one_of(lower_word.map(lambda w: ("text", w)), mention.map(lambda m: ("mention", m)))
line = st.lists(token, min_size=1, max_size=12)


def render(lines: list[list[tuple]], spaces: list[str]) -> str:
    """Write generated lines in the tagged format."""
    out = []
    for tokens in lines:
        parts = []
        for kind, value in tokens:
            parts.append(value if kind == "text" else f"[{value[0]} {' '.join(value[1])}  ]")
        out.append(spaces[len(out) % len(spaces)].join(parts))
    return "\n".join(out) + "\n"


def all_segments(doc) -> list:
    segments = list(doc.header_text)
    for par in doc.paragraphs:
        segments += list(par.heading) + [" "] + list(par.text) + [" "]
    return segments + list(doc.signature)


@SETTINGS
@given(st.text())
def test_the_parser_never_raises_on_any_text(text: str) -> None:
    doc = parse_text("x.txt", text)
    assert doc.source == "x.txt"


@SETTINGS
@given(st.binary(max_size=2000))
def test_reading_any_bytes_raises_only_the_projects_errors(data: bytes) -> None:
    try:
        parse_document("x.txt", data)
    except SitegenError:
        pass


@SETTINGS
@given(st.lists(line, min_size=1, max_size=8), st.lists(st.sampled_from([" ", "  ", " \t "]), min_size=1))
def test_text_outside_the_markup_is_kept_in_order(lines, spaces) -> None:
    source = render(lines, spaces)
    doc = parse_text("x.txt", source)
    expected = [value if kind == "text" else " ".join(value[1]) for tokens in lines for kind, value in tokens]
    actual = plain_text(all_segments(doc)).split()
    assert actual == " ".join(expected).split()
    assert [(m.type, m.text) for m in doc.mentions] == [
        (value[0], " ".join(" ".join(value[1]).split()))
        for tokens in lines
        for kind, value in tokens
        if kind == "mention"
    ]


@SETTINGS
@given(st.lists(line, min_size=1, max_size=8), st.lists(st.sampled_from([" ", "  ", " x "]), min_size=1))
def test_mention_positions_point_at_their_text(lines, spaces) -> None:
    source = render(lines, spaces)
    rows = source.split("\n")
    doc = parse_text("x.txt", source)
    assert len(doc.mentions) == sum(kind == "mention" for tokens in lines for kind, _ in tokens)
    for m in doc.mentions:
        at = rows[m.line - 1][m.col - 1 :]
        assert at.startswith(f"[{m.type} "), (m, at[:40])
        inside = at[len(m.type) + 2 : at.index("]")]
        assert " ".join(inside.split()) == m.text


names = st.text(max_size=80)


@SETTINGS
@given(st.sampled_from(ENTITY_TYPES), names, st.integers(1, 500))
def test_entity_urls_stay_inside_the_site(type_: str, name: str, page: int) -> None:
    path = Urls.entity((type_, normalise(name)), page)
    assert not path.startswith("/") and ".." not in path.split("/") and "\\" not in path
    assert all(c.isascii() and (c.isalnum() or c in "-_./") for c in path), path
    root = Path("/site")
    assert root in safe_path(root, path).parents
    for kind in ("tag", "origin", "classification", "year"):
        group = Urls.group(kind, name, page)
        assert root in safe_path(root, group).parents
        link = relative_url("doc/a/b.html", group)
        assert posixpath.normpath(posixpath.join("doc/a", link.split("#")[0])) == group


@SETTINGS
@given(names, names)
def test_distinct_keys_give_distinct_slugs(a: str, b: str) -> None:
    assume(normalise(a) != normalise(b))
    assert slugify(a) != slugify(b)


@SETTINGS
@given(
    st.lists(
        st.lists(
            st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=20),
            min_size=1,
            max_size=3,
        ).map("/".join),
        min_size=1,
        max_size=12,
        unique=True,
    )
)
def test_document_paths_are_distinct_and_inside_the_site(sources: list[str]) -> None:
    sources = [s + ".txt" for s in sources]
    assume(len(set(sources)) == len(sources))
    paths = document_paths(sources)
    assert len(set(paths.values())) == len(sources)
    for path in paths.values():
        assert path.startswith("doc/") and ".." not in path.split("/")
        assert Path("/site") in safe_path(Path("/site"), path).parents


def test_a_mention_key_ignores_case_and_unicode_form() -> None:
    assert Mention("PER", "Jos\u00e9", 1, 1).key == Mention("PER", "JOSE\u0301", 1, 1).key


@SETTINGS
@given(
    st.lists(line, min_size=1, max_size=8),
    st.sampled_from([" ", "  ", "\t", " \u00a0 "]),
    st.integers(min_value=0, max_value=100),
)
def test_stored_blocks_give_the_snippets_of_the_document(lines, space, width) -> None:
    """Entity pages take snippets from the store's plain-string blocks; they must match the parsed text."""
    from sitegen.index.snippets import entity_snippet
    from sitegen.index.store import DocumentStore, block_words
    from sitegen.parse.reading import reading_segments
    from sitegen.site.html import snippet, snippet_reach

    doc = parse_text("d.txt", render(lines, [space]))
    store = DocumentStore()
    store.put(doc)
    assert store.get("d.txt") == doc
    blocks = store.blocks("d.txt")
    read = reading_segments  # entity pages show reading text, as document pages do
    texts = {"header": read(doc.header_text), "signature": read(doc.signature)}
    texts.update(
        {p.anchor: read(p.heading) + (" ",) + read(p.text) if p.heading else read(p.text) for p in doc.paragraphs}
    )
    assert set(blocks) == set(texts)
    for block, segments in texts.items():
        for key in {m.key for m in segments if isinstance(m, Mention)}:
            words, index = block_words(blocks[block], blocks[block][2][key], snippet_reach(width))
            assert snippet(words, key, width, index) == snippet(segments, key, width)
            assert entity_snippet(blocks[block], key, width) == snippet(segments, key, width)


# Small documents over a small vocabulary, so entities are shared between them.
names = st.sampled_from(["Ann", "ANN", "Bob", "Lima", "U.S.", "Peru", "peru"])
small_par = st.lists(st.tuples(st.sampled_from(ENTITY_TYPES[:2]), names), min_size=0, max_size=5)
small_doc = st.lists(small_par, min_size=1, max_size=4)
edit = st.tuples(st.integers(0, 4), st.one_of(st.none(), small_doc))


def small_text(pars: list[list[tuple[str, str]]]) -> str:
    """Write paragraphs of mentions separated by plain words."""
    return "\n\n".join(" and ".join(f"[{t} {n}  ]" for t, n in par) + " ." for par in pars) + "\n"


def corpus_views(corpus) -> dict:
    """Return everything pages read from a corpus."""
    return {
        "documents": [d.source for d in corpus.documents],
        "entities": {key: corpus.entities[key] for key in corpus.entities},
        "order": list(corpus.entities),
        "totals": {
            key: (corpus.doc_total(key), corpus.mention_total(key), corpus.name(key), sorted(corpus.sources_of(key)))
            for key in corpus.entities
        },
        "groups": corpus.groups,
    }


@SETTINGS
@given(st.lists(edit, min_size=1, max_size=12))
def test_a_corpus_changed_document_by_document_equals_one_built_at_once(edits) -> None:
    from sitegen.index.corpus import Corpus

    changing, final = Corpus(), {}
    for number, pars in edits:
        source = f"d{number}.txt"
        if pars is None:
            changing.remove(source)
            final.pop(source, None)
        else:
            changing.add(parse_text(source, small_text(pars)))
            final[source] = pars
        changing.entities and changing.entity(next(iter(changing.entities)))  # materialise between changes
    fresh = Corpus(parse_text(source, small_text(pars)) for source, pars in sorted(final.items()))
    assert corpus_views(changing) == corpus_views(fresh)


@pytest.mark.slow
@SETTINGS
@given(
    st.lists(small_doc, min_size=1, max_size=6),
    st.lists(edit, max_size=4),
    st.integers(1, 3),
    st.sampled_from([1, 1, 1, 2]),
)
def test_snippets_grouped_by_entity_are_the_documents_own(docs, edits, buckets, jobs) -> None:
    """Entity pages read snippets grouped by entity; they must be the snippets of the current documents,
    also for documents changed after the grouping."""
    from unittest import mock

    from sitegen.index.corpus import Corpus
    from sitegen.index.snippets import entity_snippet
    from sitegen.index.store import DocumentStore

    store = DocumentStore()
    corpus = Corpus(store=store)
    for number, pars in enumerate(docs):
        corpus.add(parse_text(f"d{number}.txt", small_text(pars)))
    corpus.add(parse_text("d0.txt", small_text(docs[-1])))  # an older version stays in the store's file
    with mock.patch("sitegen.index.snippets.BUCKETS", buckets), mock.patch("sitegen.index.snippets.SPILL", 64):
        corpus.group_snippets(jobs)
    grouped = {f"d{number}.txt" for number in range(len(docs))}
    for number, pars in edits:
        if pars is None:
            corpus.remove(f"d{number}.txt")
        else:
            corpus.add(parse_text(f"d{number}.txt", small_text(pars)))
        grouped.discard(f"d{number}.txt")
    for key in corpus.entities:
        for occ in corpus.entity(key).occurrences:
            blocks = [block for block, _ in occ.paragraphs]
            texts = store.blocks(occ.doc)
            assert corpus.snippets(key, occ.doc, blocks) == [entity_snippet(texts[b], key) for b in blocks]
            if occ.doc in grouped:  # read from the grouped file, not made again
                with mock.patch("sitegen.index.corpus.entity_snippet", side_effect=AssertionError):
                    corpus.snippets(key, occ.doc, blocks)


# Lines made of the characters that mentions are built from, so near-misses are common.
bracket_soup = st.lists(
    st.sampled_from([*"[] PERLOCpermiscMISCORGx\n", "[PER ", "[LOC ", "  ]", "[Foo "]), max_size=30
).map("".join)


@SETTINGS
@given(bracket_soup)
def test_the_source_view_highlights_exactly_the_mentions_the_parser_reads(text: str) -> None:
    from pygments.token import Name

    from sitegen.parse.inline import scan_line
    from sitegen.render.highlight import CableLexer

    parsed = []
    for number, line_text in enumerate(text.split("\n"), 1):
        items = scan_line(line_text, "x.txt", number, [])
        parsed += [(m.type, m.text) for m in items if isinstance(m, Mention)]
    highlighted = [
        (str(token).rsplit(".", 1)[-1], " ".join(value.split()))
        for token, value in CableLexer().get_tokens(text)
        if token in Name.Entity
    ]
    assert highlighted == parsed


# -- the NER formats' readers --------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=400), st.binary(max_size=200), st.sampled_from(["conll", "jsonl", "json", "brat"]))
def test_no_bytes_crash_a_reader(data: bytes, companion: bytes, name: str) -> None:
    fmt = FORMATS[name]
    try:
        read_document(f"x{fmt.suffixes[0]}", fmt, data, Labels(), None, companion if name == "brat" else None)
    except SourceError:
        pass  # an unusable file: a message, not a crash


@SETTINGS
@given(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120),
    st.lists(st.tuples(st.integers(-5, 130), st.integers(-5, 130), st.sampled_from(["PER", "GPE", "Weapon", "DATE"]))),
)
def test_every_linked_mention_is_the_words_of_its_span(text: str, spans: list[tuple[int, int, str]]) -> None:
    text = text.replace("\r", " ")
    doc = span_document("x.json", text, [Span(a, b, label) for a, b, label in spans], Labels(), lambda offset: (1, 1))
    words = {" ".join(text[a:b].split()) for a, b, _ in spans if 0 <= a < b <= len(text)}
    assert all(m.text in words and m.type in ENTITY_TYPES for m in doc.mentions)
    shown = "".join(
        s if isinstance(s, str) else s.text for p in doc.paragraphs for s in p.text if isinstance(s, (str, Mention))
    )
    assert "".join(shown.split()) == "".join(text.split())  # no word lost or added


@SETTINGS
@given(
    st.lists(
        st.lists(st.sampled_from(["Lima B-LOC", "Garcia I-PER", "met O", "", "-DOCSTART- -X- O", "x"]), max_size=8),
        max_size=6,
    )
)
def test_conll_documents_cover_the_file_in_order(blocks: list[list[str]]) -> None:
    text = "\n".join(line for block in blocks for line in block)
    parts = split_conll(text)
    assert parts and all(a.last < b.first for a, b in pairwise(parts))


@SETTINGS
@given(st.text())
def test_escaping_text_for_html_is_markupsafes(text: str) -> None:
    from markupsafe import escape

    from sitegen.render.escape import escape_html

    assert escape_html(text) == str(escape(text))
    assert escape_html("<a href='x'>\"&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&#34;&amp;&#34;&lt;/a&gt;"


@SETTINGS
@given(st.text(alphabet=st.sampled_from("ab&<>\"'\n\r\t é\x00")))
def test_escaping_text_for_the_feed_and_sitemap_is_xml_sax_saxutils(text: str) -> None:
    from xml.sax import saxutils

    from sitegen.site.exports import escape, quoteattr

    assert escape(text) == saxutils.escape(text)
    assert quoteattr(text) == saxutils.quoteattr(text)


@pytest.mark.parametrize(
    ("count", "said"),
    [
        (1, "1 mention"),
        (99, "99 mentions"),
        (100, "about 100 mentions"),
        (105, "about 110 mentions"),
        (3449, "about 3,400 mentions"),
        (3450, "about 3,500 mentions"),
        (16212, "about 16,000 mentions"),
        (99500, "about 100,000 mentions"),
    ],
)
def test_a_tooltip_says_counts_exactly_below_100_and_to_two_figures_above(count: int, said: str) -> None:
    assert rough(count, "mention") == said


@given(st.integers(min_value=100, max_value=10**9))
def test_a_rounded_count_is_within_five_percent_and_only_two_figures(count: int) -> None:
    shown = int(rough(count, "mention").removeprefix("about ").removesuffix(" mentions").replace(",", ""))
    assert abs(shown - count) <= count * 0.05 and len(str(shown).rstrip("0")) <= 2


_DATES = st.sampled_from(["", "2009", "2010", "2009-03-01", "2009-03-02", "2010-01-05"])
_NUMBERS = st.sampled_from(["", "7", "12", "100", "x1"])


@st.composite
def _dated_documents(draw) -> list:
    """Draw documents of a few sources, each with a date and a cable number from a small set, so
    that many share them and only their source paths order them."""
    from sitegen.model import Header
    from sitegen.parse.cable import parse_text

    documents = []
    for source in draw(st.lists(st.sampled_from([f"d{i}.txt" for i in range(12)]), min_size=1, unique=True)):
        doc = parse_text(source, "[PER Ann  ] met [LOC Lima  ] .")
        header = (
            Header(
                number=draw(_NUMBERS),
                origin=draw(st.sampled_from(["", "LIMA", "PARIS"])),
                tags=tuple(draw(st.lists(st.sampled_from(["PREL", "PGOV", "ECON"]), unique=True))),
            )
            if draw(st.booleans())
            else None
        )
        documents.append(replace(doc, date=draw(_DATES), header=header))
    return documents


@given(_dated_documents(), st.lists(st.tuples(st.booleans(), _dated_documents()), max_size=8))
@settings(max_examples=150, deadline=None)
def test_the_documents_order_kept_through_edits_is_the_order_sorted_anew(start: list, edits: list) -> None:
    """Corpus.documents places the documents of an edit in the order it keeps; the result must be
    the order of a corpus of the same documents made at once. So must each group's documents, which
    are placed again only in the groups an edit's documents leave or join."""
    from sitegen.index.corpus import build_corpus

    corpus = build_corpus(start)
    corpus.documents  # noqa: B018 - the order is made, then kept
    held = {doc.source: doc for doc in start}
    for removes, documents in edits:
        for doc in documents:
            if removes:
                corpus.remove(doc.source)
                held.pop(doc.source, None)
            else:
                corpus.add(doc)
                held[doc.source] = doc
        kept = [(d.source, d.date) for d in corpus.documents]
        assert kept == [(d.source, d.date) for d in build_corpus(held.values()).documents]
        assert [corpus.position(source) for source, _ in kept] == list(range(len(kept)))
        fresh = build_corpus(held.values()).groups
        assert {kind: list(groups.values()) for kind, groups in corpus.groups.items()} == {
            kind: list(groups.values()) for kind, groups in fresh.items()
        }


_INDEX_NAMES = st.text(alphabet=st.sampled_from(list("aAbBzZ1#éÉßΩωİı")), max_size=3)


@SETTINGS
@given(st.lists(_INDEX_NAMES, max_size=30), st.lists(_INDEX_NAMES, max_size=4), st.integers(1, 4), st.booleans())
def test_the_pages_the_letters_start_on_are_those_of_every_name_and_alias_sorted_together(
    names: list[str], aliases: list[str], size: int, in_order: bool
) -> None:
    """The A-Z index finds where each letter starts from the names in the order the corpus keeps,
    merging in the aliases; it must say what sorting every name and alias together says."""
    from bisect import bisect_right
    from types import SimpleNamespace
    from unittest import mock

    from sitegen.site.kinds import entity_type

    keys = [("PER", f"k{i:02}") for i in range(len(names))]
    named = dict(zip(keys, names, strict=True))
    if in_order:  # as Corpus.type_order keeps them
        keys.sort(key=lambda key: (named[key].casefold(), key[1]))
    site = SimpleNamespace(config=SimpleNamespace(entities_per_page=size))

    def see_also(site, type_, boundaries):
        return sorted((bisect_right(boundaries, a.casefold()) + 1, (a, ("PER", "x"))) for a in aliases)

    with mock.patch.object(entity_type, "_see_also", see_also):
        starts, see = entity_type._layout(site, "PER", keys, named.__getitem__)  # type: ignore[arg-type]
    listed = [(named[key], i // size + 1) for i, key in enumerate(keys)] + [(a, n) for n, (a, _) in see]
    expected: dict[str, int] = {}
    for entry, number in sorted(listed, key=lambda item: item[0].casefold()):
        expected.setdefault(entity_type.letter_of(entry), number)
    assert starts == list(expected.items())
