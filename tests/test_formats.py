"""The NER formats: CoNLL, JSONL/JSON, brat and spaCy files read into documents, and sites built from them.

``tests/formats/content`` holds a small corpus in each format; its whole site
is a golden site (``pytest --update-goldens`` rewrites it).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from sitegen.build.sources import find_sources, read_source
from sitegen.config import parse_config
from sitegen.errors import ConfigError
from sitegen.model import Document, Mention
from sitegen.parse.formats import Formats
from sitegen.parse.labels import Labels
from tests.conftest import build_site
from tests.helpers import compare_golden

FORMATS = Path(__file__).parent / "formats"
RE3D = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "re3d"
RE3D_MAP = {"Temporal": "none", "DocumentReference": "MISC", "Weapon": "MISC", "MilitaryPlatform": "MISC"}


def read_all(folder: Path, formats: Formats | None = None) -> dict[str, tuple[Document | None, list[str]]]:
    """Return each source of a folder as (document, warnings as printed)."""
    formats = formats or Formats()
    files, skipped = find_sources(folder, formats)
    found = {}
    for relative, path in files:
        source = read_source(relative, path, formats)
        found[relative] = (source.document, [str(d) for d in source.diagnostics])
    for diagnostic in skipped:
        found[diagnostic.path] = (None, [str(diagnostic)])
    return found


def mentions(doc: Document | None) -> list[tuple[str, str]]:
    """Return a document's mentions as (type, words)."""
    assert doc is not None
    return [(m.type, m.text) for m in doc.mentions]


def body(doc: Document | None) -> list[str]:
    """Return each paragraph's text."""
    assert doc is not None
    return [
        "".join(s if isinstance(s, str) else s.text for s in p.text if isinstance(s, (str, Mention)))
        for p in doc.paragraphs
    ]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- CoNLL ---------------------------------------------------------------------------------------


def test_conll_documents_split_at_docstart_with_iob1_labels() -> None:
    found = read_all(FORMATS / "content")
    first, warnings = found["benchmark.conll#1"]
    assert warnings == []
    assert body(first) == ["EU rejects German call to boycott British lamb.", "Peter Blackburn"]
    assert mentions(first) == [("ORG", "EU"), ("MISC", "German"), ("MISC", "British"), ("PER", "Peter Blackburn")]
    second = found["benchmark.conll#2"][0]
    assert mentions(second)[:3] == [("LOC", "BRUSSELS"), ("ORG", "European Commission"), ("MISC", "German")]
    assert ("PER", "Werner Zwingmann") in mentions(second) and ("LOC", "Germany") in mentions(second)
    assert body(second)[2].startswith("Germany's representative to the European Union's veterinary committee")
    assert second is not None and second.paragraphs[1].line == 21  # the line of the sentence's first token
    assert [m.line for m in second.mentions[:2]] == [18, 22]


def test_conll_bioes_labels_are_mapped_and_unknown_ones_kept_as_misc() -> None:
    doc, warnings = read_all(FORMATS / "content")["andes.iob"]
    assert body(doc)[0] == "Alan Garcia met officials of the Shining Path in Lima (Peru) on Monday."
    assert mentions(doc) == [
        ("PER", "Alan Garcia"),
        ("ORG", "Shining Path"),
        ("LOC", "Lima"),
        ("LOC", "Peru"),  # DATE is not an entity: Monday stays plain text
        ("MISC", "Peruvian"),  # NORP
        ("MISC", "Andes"),
    ]
    assert warnings == ["andes.iob:24:1: warning: label(s) not in [types.map], kept as MISC: MOUNTAIN"]


def test_conll_iob2_adjacent_entities_and_lines_without_a_label(tmp_path: Path) -> None:
    write(tmp_path, "a.conll", "Lula B-PER\nDilma B-PER\nRousseff I-PER\nspoke\nin O\nBrazil B-LOC\n")
    doc, warnings = read_all(tmp_path)["a.conll"]
    assert mentions(doc) == [("PER", "Lula"), ("PER", "Dilma Rousseff"), ("LOC", "Brazil")]
    assert warnings == ["a.conll:4:1: warning: token 'spoke' has no label column; read as O"]


def test_conll_tokens_are_joined_as_typed(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.conll",
        "\n".join(
            [
                "Daesh B-ORG",
                "’ O",
                "s O",
                "victims O",
                "' O",
                "families O",
                "( O",
                "PNP B-ORG",
                ") O",
                "do O",
                "n't O",
                ". O",
            ]
        ),
    )
    assert body(read_all(tmp_path)["a.conll"][0]) == ["Daesh’s victims' families (PNP) don't."]


def test_conll_with_a_label_map_from_the_configuration(tmp_path: Path) -> None:
    write(tmp_path, "a.conll", "HMS B-MilitaryPlatform\nVictory I-MilitaryPlatform\nsailed O\ntoday B-Temporal\n")
    config = parse_config(
        {"types": {"map": {"MilitaryPlatform": "MISC", "Temporal": "none"}}}, "sitegen.toml", tmp_path
    )
    doc, warnings = read_all(tmp_path, config.formats)["a.conll"]
    assert mentions(doc) == [("MISC", "HMS Victory")] and warnings == []


def test_an_empty_document_is_skipped_with_a_message(tmp_path: Path) -> None:
    write(tmp_path, "empty.conll", "")
    write(tmp_path, "blank.jsonl", "\n\n")
    write(tmp_path, "notext.json", '{"text": "  ", "spans": []}')
    found = read_all(tmp_path)
    assert found["empty.conll"] == (None, ["empty.conll: warning: empty file; skipped"])
    assert found["blank.jsonl"] == (None, ["blank.jsonl: warning: file holds only white space; skipped"])
    assert found["notext.json"] == (None, ["notext.json:1:1: warning: the document's text is empty; skipped"])


# -- JSONL and JSON ------------------------------------------------------------------------------


def test_jsonl_documents_are_named_by_their_id_with_their_meta() -> None:
    found = read_all(FORMATS / "content")
    doc, warnings = found["news.jsonl#LIMA-0001"]
    assert warnings == []
    assert doc is not None and doc.title == "LIMA-0001: Garcia in Lima" and doc.date == "2009-05-14"
    assert doc.header is not None and doc.header.tags == ("PREL", "PGOV")
    assert body(doc) == ["Alan Garcia visited Lima on Monday.", "He met the Shining Path's envoy."]
    assert mentions(doc) == [("PER", "Alan Garcia"), ("LOC", "Lima"), ("ORG", "Shining Path")]
    doccano = found["news.jsonl#line-2"][0]
    assert mentions(doccano) == [("PER", "Ollanta Humala"), ("LOC", "Cusco")]
    spacy_json = found["spacy-doc.json"][0]
    assert mentions(spacy_json) == [("ORG", "United Nations"), ("LOC", "Geneva"), ("PER", "Michelle Bachelet")]


def test_spans_that_do_not_fit_are_warnings_and_the_rest_builds(tmp_path: Path) -> None:
    text = "Alan Garcia met Ollanta Humala in Lima."
    spans = [
        {"start": 0, "end": 11, "label": "PER"},
        {"start": 4, "end": 11, "label": "PER"},  # overlaps the first
        {"start": 16, "end": 30, "label": "PER", "text": "Keiko Fujimori"},  # the text there is another name
        {"start": 34, "end": 99, "label": "LOC"},  # past the end
        {"start": 20, "end": 20, "label": "ORG"},  # empty
        {"start": 34, "end": 38},  # no label
    ]
    lines = [
        json.dumps({"id": "a", "text": "First document."}),
        "{not json",
        json.dumps({"id": "b", "text": text, "spans": spans}),
    ]
    write(tmp_path, "news.jsonl", "\n".join(lines) + "\n")
    found = read_all(tmp_path)
    assert found["news.jsonl#a"][0] is not None
    assert found["news.jsonl#line-2"][0] is None
    assert found["news.jsonl#line-2"][1][0].startswith("news.jsonl#line-2:2:2: warning: not valid JSON")
    doc, warnings = found["news.jsonl#b"]
    assert mentions(doc) == [("PER", "Alan Garcia")]
    assert body(doc) == [text]
    assert warnings == [
        'news.jsonl#b:3:1: warning: "spans" entry 6 is not a span with a start, an end and a label; ignored',
        "news.jsonl#b:3:1: warning: span 16-30 (PER) should cover 'Keiko Fujimori' but the text there is"
        " 'Ollanta Humala'; ignored",
        "news.jsonl#b:3:1: warning: span 34-99 (LOC) is outside the text of 39 characters; ignored",
        "news.jsonl#b:3:1: warning: span 20-20 (ORG) is outside the text of 39 characters; ignored",
        "news.jsonl#b:3:1: warning: span 4-11 (PER) overlaps the span 0-11 before it; only that one is linked",
    ]


def test_a_span_across_a_line_break_is_one_mention_and_across_a_paragraph_break_is_refused(tmp_path: Path) -> None:
    text = "The Shining\nPath met.\n\nIn Lima\n\nPeru."
    write(tmp_path, "a.json", json.dumps({"text": text, "spans": [[4, 16, "ORG"], [26, 37, "LOC"]]}))
    doc, warnings = read_all(tmp_path)["a.json"]
    assert mentions(doc) == [("ORG", "Shining Path")]
    assert warnings == ["a.json:1:1: warning: span 26-37 (LOC) runs across a paragraph break; ignored"]


# -- brat ------------------------------------------------------------------------------------------


def test_brat_annotations_are_read_with_their_text_which_is_no_document_of_its_own() -> None:
    found = read_all(FORMATS / "content")
    assert "brat/chavez.txt" not in found
    doc, warnings = found["brat/chavez.ann"]
    assert warnings == []
    assert mentions(doc) == [
        ("PER", "Hugo Chavez"),
        ("LOC", "Caracas"),
        ("MISC", "Venezuelan"),
        ("MISC", "Colombian"),
        ("LOC", "Bogota"),
    ]
    assert doc is not None and [(m.line, m.col) for m in doc.mentions][:3] == [(1, 1), (1, 22), (3, 1)]


def test_brat_without_its_text_or_with_broken_lines(tmp_path: Path) -> None:
    write(tmp_path, "alone.ann", "T1\tPER 0 4\tLula\n")
    write(tmp_path, "b.txt", "Lula met Dilma in Brasilia.\n")
    write(
        tmp_path, "b.ann", "T1\tPER 0 4\tLula\nT2 PER 9 14 Dilma\nT3\tPER 9 14\tKeiko\nT4\tLOC 18 20;21 26\tBrasilia\n"
    )
    found = read_all(tmp_path)
    assert found["alone.ann"] == (
        None,
        ["alone.ann: warning: no text beside the annotations: alone.txt is missing; skipped"],
    )
    doc, warnings = found["b.ann"]
    assert mentions(doc) == [("PER", "Lula"), ("LOC", "Br")]
    assert warnings == [
        "b.ann:2:1: warning: entity line is not 'T<id> TAB <label> <start> <end> TAB <words>'; ignored",
        "b.ann:4:1: warning: discontinuous entity; only its first part is linked",
        "b.ann:3:4: warning: span 9-14 (PER) should cover 'Keiko' but the text there is 'Dilma'; ignored",
    ]


def test_brat_offsets_count_the_carriage_returns_of_windows_line_ends(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_bytes(b"Lula spoke.\r\n\r\nDilma met Lula.\r\n")
    write(tmp_path, "w.ann", "T1\tPER 0 4\tLula\nT2\tPER 15 20\tDilma\nT3\tPER 25 29\tLula\n")
    doc, warnings = read_all(tmp_path)["w.ann"]
    assert warnings == [] and mentions(doc) == [("PER", "Lula"), ("PER", "Dilma"), ("PER", "Lula")]


def test_doccano_offsets_and_conll_u_comments(tmp_path: Path) -> None:
    entity = {"id": 7, "label": "ORG", "start_offset": 4, "end_offset": 13}
    write(tmp_path, "d.jsonl", json.dumps({"id": 1, "text": "The Petrobras board", "entities": [entity]}))
    write(tmp_path, "u.conll", "# sent_id = 1\n# text = Lula spoke\nLula B-PER\nspoke O\n")
    found = read_all(tmp_path)
    assert mentions(found["d.jsonl#1"][0]) == [("ORG", "Petrobras")]
    assert body(found["u.conll"][0]) == ["Lula spoke"] and found["u.conll"][1] == []


# -- spaCy -----------------------------------------------------------------------------------------


def test_spacy_docbin_documents_are_numbered() -> None:
    pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'sitegen[ner]')")
    found = read_all(FORMATS / "content")
    assert mentions(found["brazil.spacy#1"][0]) == [("PER", "Dilma Rousseff"), ("PER", "Lula"), ("LOC", "Brasilia")]
    assert mentions(found["brazil.spacy#2"][0]) == [("ORG", "Petrobras"), ("ORG", "Senate")]


def test_without_spacy_a_docbin_says_how_to_read_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from sitegen.parse import spacy_docs

    monkeypatch.setitem(sys.modules, "spacy", None)
    spacy_docs._texts.cache_clear()
    shutil.copy(FORMATS / "content" / "brazil.spacy", tmp_path / "x.spacy")
    try:
        assert read_all(tmp_path)["x.spacy"] == (
            None,
            ["x.spacy: warning: reading .spacy files needs spaCy: pip install 'sitegen[ner]'; skipped"],
        )
    finally:
        spacy_docs._texts.cache_clear()


def test_a_hash_in_the_name_of_a_file_that_is_one_document_names_no_part_of_it(tmp_path: Path) -> None:
    write(tmp_path, "v1.2#3.txt", "[PER Alan Garcia  ] met [LOC Lima  ] .\n")
    write(tmp_path, "notes #1.jsonl", json.dumps({"id": "a#b", "text": "Lula spoke.", "spans": [[0, 4, "PER"]]}))
    found = read_all(tmp_path)
    assert mentions(found["v1.2#3.txt"][0]) == [("PER", "Alan Garcia"), ("LOC", "Lima")]
    assert mentions(found["notes #1.jsonl#a-b"][0]) == [("PER", "Lula")]


# -- configuration -----------------------------------------------------------------------------------


def test_the_configuration_chooses_formats_and_checks_the_label_map(tmp_path: Path) -> None:
    config = parse_config({"formats": {".tsv": "conll", ".json": "none"}}, "sitegen.toml", tmp_path)
    write(tmp_path, "a.tsv", "Lima\tB-LOC\n")
    write(tmp_path, "b.json", '{"text": "x"}')
    assert list(read_all(tmp_path, config.formats)) == ["a.tsv"]
    for bad, message in [
        ({"types": {"map": {"GPE": "PLACE"}}}, "[types.map] GPE = 'PLACE': expected PER, LOC, ORG, MISC"),
        ({"formats": {".tsv": "excel"}}, "[formats] .tsv = 'excel': expected one of cable, conll"),
        ({"formats": {"tsv": "conll"}}, "expected a file suffix"),
    ]:
        with pytest.raises(ConfigError, match=None) as caught:
            parse_config(bad, "sitegen.toml", tmp_path)
        assert message in str(caught.value)
    assert Labels().type_of("gpe") == ("LOC", True) and Labels().type_of("Weapon") == ("MISC", False)


# -- sites -----------------------------------------------------------------------------------------


def test_golden_formats_site(tmp_path: Path, update_goldens: bool) -> None:
    pytest.importorskip("spacy", reason="the golden site has a .spacy file; spaCy is not installed")
    out = tmp_path / "site"
    result = build_site(FORMATS / "content", out, title="Formats", search=False)
    assert [str(w) for w in result.warnings] == [
        "andes.iob:24:1: warning: label(s) not in [types.map], kept as MISC: MOUNTAIN"
    ]
    compare_golden(out, FORMATS / "site", update_goldens, skip=("assets",))  # the theme's files: tests/golden has them


def test_editing_one_document_of_a_jsonl_file_or_a_brat_text_rebuilds_what_changed(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FORMATS / "content", content)
    (content / "brazil.spacy").unlink()
    more = [
        json.dumps({"id": f"n{i}", "text": f"Dilma Rousseff spoke {i} times.", "spans": [[0, 14, "PER"]]})
        for i in range(40)
    ]
    write(content, "more.jsonl", "\n".join(more))  # enough documents for one edit to be updated in place
    out = tmp_path / "site"
    build_site(content, out, search=False)
    other = (out / "doc" / "news" / "line-2.html").stat().st_mtime_ns
    news = content / "news.jsonl"
    time.sleep(0.01)
    news.write_text(news.read_text(encoding="utf-8").replace("visited Lima", "VISITED Lima"), encoding="utf-8")
    chavez = content / "brat" / "chavez.txt"
    chavez.write_text(chavez.read_text(encoding="utf-8").replace("spoke in", "spoke at"), encoding="utf-8")
    result = build_site(content, out, search=False)
    assert result.update is not None  # updated in place, not built again
    assert "VISITED" in (out / "doc" / "news" / "lima-0001.html").read_text(encoding="utf-8")
    assert (out / "doc" / "news" / "line-2.html").stat().st_mtime_ns == other  # its line did not change
    assert "spoke at" in (out / "doc" / "brat" / "chavez.html").read_text(encoding="utf-8")
    assert "spoke at" in (out / "source" / "brat" / "chavez.html").read_text(encoding="utf-8")
    # The text alone edited: the build sees it too, though the .ann file is as it was.
    time.sleep(0.01)
    chavez.write_text(chavez.read_text(encoding="utf-8").replace("spoke at", "spoke to"), encoding="utf-8")
    result = build_site(content, out, search=False)
    assert not result.up_to_date and result.update is not None
    assert "spoke to" in (out / "doc" / "brat" / "chavez.html").read_text(encoding="utf-8")


@pytest.mark.skipif(not RE3D.is_dir(), reason=f"the re3d corpus is not at {RE3D}")
def test_re3d_builds_with_a_label_map_every_document_with_a_page_and_every_mapped_mention_linked(
    tmp_path: Path,
) -> None:
    config = parse_config({"types": {"map": RE3D_MAP}}, "sitegen.toml", tmp_path)
    out = tmp_path / "site"
    result = build_site(RE3D, out, search=False, formats=config.formats)
    assert not [w for w in result.warnings if "label(s) not in" in str(w)]
    files = sorted(RE3D.rglob("*.conll"))
    assert len(files) == 75
    for file in files:
        expected = 0
        previous = "O"
        for line in file.read_text(encoding="utf-8").split("\n"):
            label = line.split()[-1] if line.split() else "O"
            kind = label[2:] if label != "O" else ""
            linked = kind and config.formats.labels.type_of(kind)[0] is not None  # not Temporal, Money, Quantity
            if linked and (label.startswith("B-") or previous[2:] != kind):
                expected += 1
            previous = label
        relative = file.relative_to(RE3D).with_suffix(".html").as_posix().lower()
        page = (out / "doc" / relative).read_text(encoding="utf-8")
        assert page.count('<a class="m m-') == expected, file.name


def test_the_preview_updates_a_jsonl_document_a_brat_text_and_a_new_conll_file(tmp_path: Path) -> None:
    from tests.test_serve import Server

    shutil.copytree(FORMATS / "content", tmp_path / "content")
    (tmp_path / "content" / "brazil.spacy").unlink()
    (tmp_path / "sitegen.toml").write_text("[search]\nenabled = false\n", encoding="utf-8")
    server = Server(tmp_path)
    try:
        news = tmp_path / "content" / "news.jsonl"
        news.write_text(news.read_text(encoding="utf-8").replace("visited Lima", "VISITED Lima"), encoding="utf-8")
        server.eventually("doc/news/lima-0001.html", lambda status, body: "VISITED" in body)
        chavez = tmp_path / "content" / "brat" / "chavez.txt"
        chavez.write_text(chavez.read_text(encoding="utf-8").replace("spoke in", "spoke at"), encoding="utf-8")
        server.eventually("doc/brat/chavez.html", lambda status, body: "spoke at" in body)
        write(
            tmp_path / "content", "new.conll", "Zyzzyva B-PER\nQuuxley I-PER\nspoke O\n\nZyzzyva B-PER\nQuuxley I-PER\n"
        )
        server.eventually("entity/per/zyzzyva-quuxley.html", lambda status, body: status == 200)
        server.eventually("doc/new.html", lambda status, body: status == 200 and '<a class="m m-per"' in body)
    finally:
        server.stop()
