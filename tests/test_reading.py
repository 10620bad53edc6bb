"""Reading text: documents shown as a person would have typed them, and their headers parsed whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.model import Mention, plain_text
from sitegen.parse.cable import parse_document, parse_text
from sitegen.parse.header import iso_date, parse_header, reference, sent_date
from sitegen.parse.reading import is_caps, reading, reading_text
from sitegen.site.kinds.document import reading_paragraphs
from tests.conftest import ROOT

CABLES = ROOT.parent / "shared" / "corpus" / "cables"


def show(segments) -> str:
    return "".join(s if isinstance(s, str) else f"{{{s.text}}}" if isinstance(s, Mention) else s.name for s in segments)


def blocks(source: str) -> list[tuple[str, str]]:
    doc = parse_text("doc.txt", source)
    return [(b.kind, show(b.segments)) for p in doc.paragraphs for b in reading(p.text)]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("[LOC Peru  ] 's president", "{Peru}'s president"),
        ("( C ) Summary : yes , no .", "(C) Summary: yes, no."),
        ("they do n't , and [LOC Costa Rica 's  ] role", "they don't, and {Costa Rica's} role"),
        ("the ZANU - PF party", "the ZANU-PF party"),
        ('he said " some words " and left', 'he said "some words" and left'),
        ('a " [ORG Sao Paulo Forum  ] " meeting', 'a "{Sao Paulo Forum}" meeting'),
        ("cost $ 5 million", "cost $5 million"),
        ("a “ RETIREMENT PACKAGE ” for", "a “RETIREMENT PACKAGE” for"),
        ("the [ORG Association (  ] Interfarma ) says", "the {Association (}Interfarma) says"),
    ],
)
def test_tokens_are_joined_as_typed_and_mentions_stay_whole(written: str, read: str) -> None:
    assert blocks(written + "\n") == [("p", read)]


def test_line_breaks_rules_and_page_breaks() -> None:
    source = (
        "The first line < br > goes on here . < br > < br > Polling Data < br > - - - - - - < br > "
        "Polls CONFIDENTIAL PAGE 03 HARARE 05461 02 OF 03 271459Z vary . COMMENT ------- "
        "Not much .\n"
    )
    assert blocks(source) == [
        ("p", "The first line goes on here."),
        ("h", "Polling Data"),
        ("p", "Polls vary."),
        ("h", "COMMENT"),
        ("p", "Not much."),
    ]


def test_a_break_that_a_mention_cut_in_two_is_a_break() -> None:
    assert blocks("Minister of < br [ORG > Agriculture  ] ) , and more .\n") == [
        ("p", "Minister of {Agriculture}), and more.")
    ]


def test_a_heading_at_the_end_of_a_paragraph_stays_there_and_the_number_is_not_repeated() -> None:
    doc = parse_text(
        "doc.txt",
        "<a id='par1' href='#par1'>¶</a>1 . ( C ) Text . < br > < br > Next Part < br > ----- < br >\n"
        "<a id='par2' href='#par2'>¶</a>2 . More text .\n",
    )
    out = [
        (p.anchor, [show(h.segments) for h in hs], [show(b.segments) for b in bs])
        for p, hs, bs in reading_paragraphs(doc.paragraphs)
    ]
    assert out == [("par1", [], ["(C) Text.", "Next Part"]), ("par2", [], ["More text."])]


def test_every_source_anchor_keeps_its_id() -> None:
    doc = parse_text(
        "doc.txt",
        "<a id='par1' href='#par1'>¶</a>1 . SEPTEMBER , <a id='par2000' href='#par2000'>¶</a>2000 . \n"
        "<a id='par010' href='#par010'>¶</a>10 . Ten .\n",
    )
    assert [(p.anchor, p.ids) for p in doc.paragraphs] == [("par1", ("par2000",)), ("par10", ("par010",))]
    assert "2000" in plain_text(doc.paragraphs[0].text)


def test_capitals_are_recognised() -> None:
    assert is_caps("SCENESETTER FOR USSOUTHCOM COMMANDER")
    assert not is_caps("Scenesetter for the USSOUTHCOM commander")
    assert not is_caps("UN EU")  # too short to tell


# What reading_text and is_caps do, written plainly: each rule one search through the text, the
# letters counted by two searches. The code does the same with fewer searches; these say what.
_PLAIN_RULES = [
    (r"\s+", " "),
    (r" +([,.;:!?%)\]}])", r"\1"),
    (r"([(\[{]) +", r"\1"),
    (r" +(['’](?:s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\b)", r"\1"),
    (r" +([nN]['’][tT])\b", r"\1"),
    (r"(?<=[0-9A-Za-z\u00c0-\uffff\ue000\ue001]) - (?=[0-9A-Za-z\u00c0-\uffff\ue000\ue001])", "-"),
    (r"\$ +(?=[0-9])", "$"),
    (r"([“‘]) +", r"\1"),
    (r" +(”)", r"\1"),
]


def _plainly_joined(text: str) -> str:
    for pattern, replacement in _PLAIN_RULES:
        text = re.sub(pattern, replacement, text)
    return text


def _plainly_caps(text: str) -> bool:
    upper = len(re.findall(r"[^\W\d_a-z\u00df-\u00ff]", text))
    lower = len(re.findall(r"[a-z\u00df-\u00ff]", text))
    return upper + lower >= 12 and upper >= 0.8 * (upper + lower)


# Pieces of tokenised text, written one after the other.
_TOKENS = [
    *(" ", "  ", "\t", "\n", "\xa0", "\u2003"),  # spaces of every kind
    *("a", "Z", "é", "9", "1", "s", "RE", "ll", "'", "’", "n't", "N’T"),  # words and clitics
    *("-", " - ", "$", "(", ")", "[", "]", "{", "}", ",", ".", ";", ":", "!", "?", "%", "“", "”", "‘"),
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=16))
def test_tokens_are_joined_as_the_plain_rules_join_them(tokens: list[str]) -> None:
    text = "".join(tokens)
    assert reading_text(text) == _plainly_joined(text).strip()


@given(st.text(st.characters(max_codepoint=0x2FF) | st.sampled_from("“”ЖжΣσ中²ª"), max_size=40))
def test_capitals_are_counted_as_the_plain_searches_count_them(text: str) -> None:
    assert is_caps(text) == _plainly_caps(text)
    assert is_caps(text.upper() * 3) == _plainly_caps(text.upper() * 3)


@given(st.lists(st.one_of(st.text(max_size=12), st.text(min_size=1, max_size=8)), max_size=12), st.data())
def test_reading_never_loses_or_reorders_a_mention(texts: list[str], data: st.DataObject) -> None:
    segments = []
    for i, text in enumerate(texts):  # every other one a mention, numbered by its line
        segments.append(Mention("PER", text, i, 1) if data.draw(st.booleans()) else text)
    segments = [s for s in segments if not (isinstance(s, str) and "PAGE" in s)]  # page-break lines are removed
    out = [s for b in reading(tuple(segments)) for s in b.segments if isinstance(s, Mention)]
    assert [m.line for m in out] == [m.line for m in segments if isinstance(m, Mention)]


def test_header_fields_parsed_whole() -> None:
    header = parse_header(
        "C O N F I D E N T I A L SECTION 01 OF 02 HARARE 005461 SIPDIS NSC FOR SENIOR AFRICA DIRECTOR "
        "E.O. 12958 : DECL : 09/21/2010 TAGS : PGOV PINS ZI ZANU - PF SUBJECT : ZANU - PF 'S DEAL "
        "CLASSIFIED BY : DCM EARL IRVING . REASONS : 1.5 ( B ) AND ( D ) . SUMMARY ------- the text",
        (),
        "00HARARE5461.txt",
    )
    assert (header.classification, header.origin, header.number) == ("CONFIDENTIAL", "HARARE", "005461")
    assert header.caveats == "SIPDIS" and header.routing == "NSC FOR SENIOR AFRICA DIRECTOR"
    assert header.tags == ("PGOV", "PINS", "ZI", "ZANU-PF")
    assert header.subject == "ZANU-PF'S DEAL" and header.decl == "2010-09-21"
    assert header.reason == "1.5 (B) AND (D)." and header.classified_by == "DCM EARL IRVING."


def test_a_subject_without_its_label_and_an_origin_from_the_file_name() -> None:
    header = parse_header(
        "S E C R E T R E T PESHAWAR 001452 TAGS : PGOV PE RUN - OFF , SEEKS SUPPORT", (), "06PESHAWAR1452.txt"
    )
    assert header.origin == "PESHAWAR" and header.subject == "RUN-OFF, SEEKS SUPPORT"
    assert parse_header("UNCLAS SAO PAULO 000092 SUBJECT : X Y", (), "09SAOPAULO92.txt").origin == "SAO PAULO"
    assert reference("cables/09LIMA1669.txt") == ("09LIMA1669", "LIMA", "1669", "2009")
    assert reference("notes.txt") is None


@pytest.mark.parametrize(
    ("flat", "date"),
    [
        ("Cable dated:2002 - 11 - 15T12:40:00S E C R E T", "2002-11-15T12:40:00"),
        ("i d : 2745 date : 4/11/2002 20:44 refid : 02BOGOTA3281", "2002-04-11T20:44"),
        ("27613,2/24/2005 16:09,05BOGOTA1775,", "2005-02-24T16:09"),
        ("Tuesday , 05 December 2006 , 15:44 C O N F I D E N T I A L", "2006-12-05T15:44"),
        ("2009 - 04 - 09 14:33:00 09BERN169 Embassy Bern", "2009-04-09T14:33:00"),
        ("C O N F I D E N T I A L LIMA 001669", ""),
    ],
)
def test_every_date_is_iso_8601(flat: str, date: str) -> None:
    assert sent_date(flat) == date


def test_declassification_dates_are_iso() -> None:
    assert [iso_date(d) for d in ("01/21/2019", "12/20/07", "2019/11/25", "N / A")] == [
        "2019-01-21",
        "2007-12-20",
        "2019-11-25",
        "N / A",
    ]


@pytest.mark.slow
def test_the_shared_corpus_reads_clean_with_full_headers_ids_and_anchors() -> None:
    if not CABLES.is_dir():
        pytest.skip("the shared corpus (../shared/corpus/cables) is not here; CI has it")
    files = sorted(CABLES.glob("*.txt"))
    assert len(files) > 5000
    shares = {"subject": 0, "origin": 0, "date": 0}
    problems: list[str] = []
    without_id: list[str] = []
    for path in files:
        data = path.read_bytes()
        doc = parse_document(path.name, data)
        header = doc.header
        shares["subject"] += bool(header and header.subject)
        shares["origin"] += bool(header and header.origin)
        shares["date"] += bool(doc.date)
        if not doc.ref:
            without_id.append(path.name)  # neither its file name nor its header gives one
        elif not doc.title.startswith(f"{doc.ref}:") and doc.title != doc.ref:
            problems.append(f"{path.name}: title without its id: {doc.title!r}")
        for par, headings, texts in reading_paragraphs(doc.paragraphs):
            for block in headings + texts:
                text = show(block.segments)
                for token in (" , ", " 's", "< br", "br >", " . ", "( ", " )"):
                    if token in text:
                        problems.append(f"{path.name}#{par.anchor}: {token!r} in {text[:120]!r}")
        page_ids = {p.anchor for p in doc.paragraphs} | {i for p in doc.paragraphs for i in p.ids} | set(doc.header_ids)
        for ident in re.findall(r"<a\s+id\s*=\s*['\"](par[^'\"]*)['\"]", data.decode("utf-8", "replace")):
            if ident not in page_ids:
                problems.append(f"{path.name}: #{ident} lands nowhere")
    assert problems == []
    assert len(without_id) <= 2, without_id  # 08SECTION01GF02BISHIEK21.txt: garbled name and header
    share = {name: count / len(files) for name, count in shares.items()}
    print(f"of {len(files):,} cables: " + ", ".join(f"{n} {v:.1%}" for n, v in share.items()))
    # docs/content.md gives these shares
    assert share["subject"] > 0.97 and share["origin"] > 0.99 and share["date"] > 0.999


def test_two_copies_of_one_cable_are_a_warning(tmp_path: Path) -> None:
    from tests.conftest import build_site

    content = tmp_path / "content"
    (content / "a").mkdir(parents=True)
    (content / "b").mkdir()
    cable = (ROOT / "content" / "sample" / "09LIMA1669.txt").read_bytes()
    (content / "a" / "09LIMA1669.txt").write_bytes(cable)
    (content / "b" / "09LIMA1669.txt").write_bytes(cable)
    result = build_site(content, tmp_path / "site")
    assert [str(w) for w in result.warnings if "same cable" in w.message] == [
        "b/09LIMA1669.txt:1:1: warning: the same cable (09LIMA1669) as a/09LIMA1669.txt; both are published"
    ]


def test_documents_of_a_year_are_in_the_order_they_were_sent(tmp_path: Path) -> None:
    from tests.conftest import build_site

    content = tmp_path / "content"
    content.mkdir()
    for name in ("10ABUDHABI5", "10ABUDHABI103", "10ABUDHABI60"):  # by file name: 103, 5, 60
        (content / f"{name}.txt").write_text(f"UNCLAS ABU DHABI {name[10:]} SUBJECT : CABLE {name[10:]}\nText .\n")
    build_site(content, tmp_path / "site")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    sent = ("10ABUDHABI103", "10ABUDHABI60", "10ABUDHABI5")  # newest first
    assert [home.index(f"{n}: CABLE") for n in sent] == sorted(home.index(f"{n}: CABLE") for n in sent)


def test_an_origin_is_one_however_cables_spell_it(tmp_path: Path) -> None:
    from tests.conftest import build_site

    content = tmp_path / "content"
    content.mkdir()
    (content / "09LAPAZ96.txt").write_text("UNCLAS SIPDIS SUBJECT : ONE\nText .\n")  # no origin: the file name's
    (content / "09LAPAZ97.txt").write_text("UNCLAS LA PAZ 000097 SUBJECT : TWO\nText .\n")
    build_site(content, tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site" / "origin").glob("*.html")) == ["lapaz.html"]
    page = (tmp_path / "site" / "origin" / "lapaz.html").read_text(encoding="utf-8")
    assert "09LAPAZ96: ONE" in page and "09LAPAZ97: TWO" in page
