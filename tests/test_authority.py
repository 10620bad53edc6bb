"""The authority file (entities.toml) and safe name normalisation: what readers see of each entity."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.build.context import BuildContext
from sitegen.build.pipeline import build
from sitegen.build.search import pagefind_command
from sitegen.config import Config
from sitegen.errors import ConfigError
from sitegen.index.resolve import NameRules, clean_name
from sitegen.parse.authority import load_authority
from sitegen.serve.session import PreviewSession
from tests.conftest import ROOT
from tests.helpers import tree

GOLDEN = ROOT / "tests" / "golden" / "content"

AUTHORITY = """\
[[entity]]
name = "United States"
type = "LOC"
aliases = ["U.S.", "US"]
wikidata = "Q30"
description = "The country whose embassy wrote these cables."

[[entity]]
name = "Peruvian people"
type = "MISC"
aliases = ["MISC:Peruvian"]

[drop]
names = ["Region"]

[withhold]
names = ["José", "P. Michael McKinley"]
"""


def project(tmp_path: Path, authority: str = AUTHORITY, **settings) -> BuildContext:
    shutil.copytree(GOLDEN, tmp_path / "content")
    (tmp_path / "entities.toml").write_text(authority, encoding="utf-8")
    config = Config(root=tmp_path, theme=str(ROOT / "themes" / "default"), **settings)
    return BuildContext(config, tmp_path / "content", tmp_path / "site")


def entities(site: Path) -> dict[tuple[str, str], dict]:
    rows = json.loads((site / "entities.json").read_text(encoding="utf-8"))
    rows = rows["entities"] if isinstance(rows, dict) else rows
    return {(row["type"], row["name"]): row for row in rows}


def test_aliases_make_one_entity_with_its_name_description_and_wikidata_link(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    build(ctx)
    found = entities(ctx.output)
    assert ("LOC", "U.S.") not in found and ("LOC", "US") not in found
    united = found[("LOC", "United States")]
    assert united["mentions"] == 3 and united["wikidata"] == "Q30"
    assert {f["form"] for f in united["forms"]} == {"U.S.", "US"}  # every spelling stays visible
    page = (ctx.output / "entity" / "loc" / "united-states.html").read_text(encoding="utf-8")
    assert "The country whose embassy wrote these cables." in page
    assert 'href="https://www.wikidata.org/wiki/Q30"' in page
    doc = (ctx.output / "doc" / "09quito160.html").read_text(encoding="utf-8")
    assert doc.count("entity/loc/united-states.html") == 3  # both spellings and the entity panel: one page
    # The A-Z index lists each alias under its own name, leading to the entity.
    index = (ctx.output / "entities" / "loc.html").read_text(encoding="utf-8")
    see = '<li class="see">{} → <a class="ent ent-loc" href="../entity/loc/united-states.html">United States</a></li>'
    assert see.format("US") in index and see.format("U.S.") in index
    assert index.index(see.format("U.S.")) < index.index(see.format("US"))  # in A-Z order


def test_an_alias_of_another_type_takes_its_mentions(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    build(ctx)
    found = entities(ctx.output)
    assert ("MISC", "Peruvian") not in found
    assert found[("MISC", "Peruvian people")]["mentions"] == 1


def test_a_dropped_name_is_plain_text_without_a_page(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    build(ctx)
    assert not any(name == "Region" for _, name in entities(ctx.output))
    page = (ctx.output / "doc" / "09lima1669.html").read_text(encoding="utf-8")
    assert "Region" in page and not (ctx.output / "entity" / "loc" / "region.html").exists()


def every_byte(site: Path) -> bytes:
    """Return every file of a site, with Pagefind's compressed index read back."""
    parts = []
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix.startswith(".pf_"):
                data = gzip.decompress(data)
            parts.append(data)
    return b"\n".join(parts)


def test_a_withheld_name_is_in_no_byte_of_the_site(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    if pagefind_command() is None:
        pytest.skip("Pagefind is not installed (pip install 'pagefind[bin]')")
    result = build(ctx)
    everything = every_byte(ctx.output)
    assert list(ctx.output.glob("pagefind/p*/fragment/*.pf_fragment"))  # the search index was built and read
    for name in ("José", "Jose\u0301", "Michael McKinley", "Jos\\u00e9", "Jos&#233;", "Michael\\u00a0McKinley"):
        assert name.encode("utf-8") not in everything, name
    assert b"[withheld]" in everything
    doc = (ctx.output / "doc" / "09quito160.html").read_text(encoding="utf-8")
    assert 'class="m m-per">[withheld]</span>' in doc  # keeps its type, links nowhere
    assert not any(d.path.endswith("entities.toml") for d in result.warnings)


def test_withheld_names_written_without_tags_are_withheld_too(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    (ctx.content / "untagged.txt").write_text(
        "A note that Jose\u0301 and P.  Michael McKinley met.\n", encoding="utf-8"
    )
    build(ctx)
    page = (ctx.output / "doc" / "untagged.html").read_text(encoding="utf-8")
    assert "[withheld] and [withheld] met" in page


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Costa Rica 's", "Costa Rica"),
        ("the United States", "United States"),
        ("--Egypt", "Egypt"),
        ("& welcome8", "welcome8"),
        ("U.S.", "U.S."),
        ("Peru.", "Peru"),
        ("the", "the"),
        ("Garcia’s", "Garcia"),
    ],
)
def test_safe_normalisation_drops_what_is_not_part_of_a_name(text: str, name: str) -> None:
    assert clean_name(text, NameRules()) == name


def test_each_normalisation_can_be_turned_off() -> None:
    assert clean_name("the Costa Rica 's", NameRules(possessive=False)) == "Costa Rica 's"
    assert clean_name("the Costa Rica 's", NameRules(article=False)) == "the Costa Rica"
    assert clean_name("--Egypt", NameRules(punctuation=False)) == "--Egypt"


def test_possessives_join_their_entity_and_its_name_is_the_clean_spelling(tmp_path: Path) -> None:
    ctx = project(tmp_path, authority="")
    (ctx.content / "more.txt").write_text(
        "[LOC Peru  ] said [LOC Peru 's  ] envoy met [LOC Peru 's  ] critics .\n", encoding="utf-8"
    )
    build(ctx)
    found = entities(ctx.output)
    assert ("LOC", "Peru 's") not in found
    assert {f["form"] for f in found[("LOC", "Peru")]["forms"]} >= {"Peru", "Peru 's"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[entity]]\nname = 'A'\ntype = 'LOC'\n[[entity]\n", "entities.toml: "),
        (
            "[[entity]]\nname = 'A'\ntype = 'LOC'\naliases = ['X']\n\n[[entity]]\nname = 'B'\ntype = 'LOC'\naliases = ['X']\n",
            "entities.toml:9: 'X' is claimed by 'B' (line 9) and by 'A' (line 4)",
        ),
        (
            "[drop]\nnames = ['SBU']\n[withhold]\nnames = ['SBU']\n",
            "entities.toml:2: 'SBU' is both dropped (line 2) and withheld (line 4)",
        ),
        (
            "[[entity]]\nname = 'Peru'\ntype = 'LOC'\n[drop]\nnames = ['Peru']\n",
            "entities.toml:5: 'Peru' is dropped (line 5) but is a name of the entity 'Peru' (line 2)",
        ),
        (
            "[drop]\npatterns = ['(unclosed']\n",
            "entities.toml:2: [drop] pattern '(unclosed' is not a regular expression",
        ),
        ("[[entity]]\nname = 'A'\ntype = 'PLACE'\n", "entities.toml:2: [[entity]] 'A' needs a type"),
        ("[[entity]]\nname = 'A'\ntype = 'LOC'\nwikidata = 'http://x'\n", "wikidata of 'A' must be an id like"),
        ("[[entity]]\nname = 'A'\ntype = 'LOC'\nalias = ['B']\n", "unknown key 'alias' in [[entity]]"),
        ("[keep]\nnames = []\n", "unknown section 'keep'"),
    ],
)
def test_mistakes_in_the_authority_file_are_errors_with_their_lines(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "entities.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_authority(path)
    assert message in str(error.value)


def test_a_broken_authority_file_stops_the_build_with_status_2_and_keeps_the_site(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    build(ctx)
    before = tree(ctx.output)
    (tmp_path / "entities.toml").write_text("[drop]\npatterns = ['(']\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitegen",
            "build",
            "--content",
            "content",
            "--output",
            "site",
            "--config",
            str(tmp_path / "sitegen.toml"),
        ]
        if (tmp_path / "sitegen.toml").exists()
        else [sys.executable, "-m", "sitegen", "build", "--content", "content", "--output", "site"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2, done.stderr
    assert "entities.toml:2: [drop] pattern '(' is not a regular expression" in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(ctx.output) == before


def test_a_rule_that_matches_nothing_is_a_warning_with_its_line(tmp_path: Path) -> None:
    ctx = project(tmp_path, authority=AUTHORITY.replace('names = ["Region"]', 'names = ["Region", "Atlantis"]'))
    warnings = [str(w) for w in build(ctx).warnings]
    assert any(
        w.endswith("entities.toml:14:1: warning: [drop] name 'atlantis' matches no mention; is it still needed?")
        for w in warnings
    ), warnings


def test_an_edit_of_the_authority_file_rebuilds_what_it_changes(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    build(ctx)
    assert build(ctx).up_to_date
    (tmp_path / "entities.toml").write_text(AUTHORITY.replace('"Region"', '"Ecuador"'), encoding="utf-8")
    result = build(ctx)
    assert not result.up_to_date
    assert not any(name == "Ecuador" for _, name in entities(ctx.output))
    build(BuildContext(ctx.config, ctx.content, tmp_path / "clean"))
    assert tree(ctx.output) == tree(tmp_path / "clean")


def test_the_preview_rebuilds_when_the_authority_file_changes(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    session = PreviewSession(ctx)
    assert not session.build().error
    assert tmp_path / "entities.toml" in session.watched()
    (tmp_path / "entities.toml").write_text(AUTHORITY.replace('"Region"', '"Ecuador"'), encoding="utf-8")
    update = session.update({tmp_path / "entities.toml"})
    assert update is not None and not update.full and not update.error  # in place
    session.drain()
    assert not any(name == "Ecuador" for _, name in entities(ctx.output))
    assert "Ecuador" not in (ctx.output / "entities" / "loc.html").read_text(encoding="utf-8")
    build(BuildContext(ctx.config, ctx.content, tmp_path / "clean"))
    assert tree(ctx.output) == tree(tmp_path / "clean")


NOTE = """\
---
aliases: ["Region", "LOC:Lima"]
wikidata: Q2868
description: The capital of Peru.
---
Lima is on the coast.
"""


def test_a_notes_front_matter_gives_its_entity_aliases_a_wikidata_id_and_a_description(tmp_path: Path) -> None:
    ctx = project(tmp_path, authority="")
    (ctx.content / "entities" / "loc").mkdir(parents=True)
    (ctx.content / "entities" / "loc" / "Peru.md").write_text(NOTE, encoding="utf-8")
    build(ctx)
    found = entities(ctx.output)
    assert ("LOC", "Region") not in found and ("LOC", "Lima") not in found
    peru = found[("LOC", "Peru")]
    assert peru["wikidata"] == "Q2868" and {a["key"] for a in peru["aliases"]} == {"region", "lima"}
    page = (ctx.output / "entity" / "loc" / "peru.html").read_text(encoding="utf-8")
    assert "The capital of Peru." in page and "https://www.wikidata.org/wiki/Q2868" in page
    assert "Lima is on the coast." in page


@pytest.mark.parametrize(
    ("authority", "aliases", "message"),
    [
        (AUTHORITY, '["U.S."]', "Peru.md:2: 'U.S.' is an alias of 'United States' in {file}:4"),
        (
            '[[entity]]\nname = "Peru"\ntype = "LOC"\nwikidata = "Q419"\n',
            "[]",
            "Peru.md:3: the wikidata of 'Peru' is 'Q2868' here but 'Q419' in {file}:2",
        ),
        (
            '[drop]\nnames = ["Region"]\n',
            '["Region"]',
            "Peru.md:2: 'Region' is an alias of 'Peru' but is dropped in {file}",
        ),
    ],
)
def test_a_note_that_contradicts_the_authority_file_is_an_error_naming_both(
    tmp_path: Path, authority: str, aliases: str, message: str
) -> None:
    ctx = project(tmp_path, authority=authority)
    (ctx.content / "entities" / "loc").mkdir(parents=True)
    note = NOTE.replace('["Region", "LOC:Lima"]', aliases)
    (ctx.content / "entities" / "loc" / "Peru.md").write_text(note, encoding="utf-8")
    with pytest.raises(ConfigError) as failed:
        build(ctx)
    assert f"{ctx.content.as_posix()}/entities/loc/" in str(failed.value)
    assert message.format(file=tmp_path / "entities.toml") in str(failed.value)


def test_the_preview_takes_a_notes_front_matter_in_place(tmp_path: Path) -> None:
    ctx = project(tmp_path, authority="")
    session = PreviewSession(ctx)
    assert not session.build().error
    note = ctx.content / "entities" / "loc" / "Peru.md"
    note.parent.mkdir(parents=True)
    note.write_text(NOTE, encoding="utf-8")
    update = session.update({note})
    assert update is not None and not update.full and not update.error
    session.drain()
    assert ("LOC", "Region") not in entities(ctx.output)
    build(BuildContext(ctx.config, ctx.content, tmp_path / "clean"))
    assert tree(ctx.output) == tree(tmp_path / "clean")


def test_a_short_form_is_the_one_person_of_its_document_with_that_last_name(tmp_path: Path) -> None:
    ctx = project(tmp_path, authority="")
    (ctx.content / "two.txt").write_text(
        "[PER Ana Garcia  ] and [PER Luis Garcia  ] met ; [PER Garcia  ] spoke .\n", encoding="utf-8"
    )
    build(ctx)
    found = entities(ctx.output)
    # 09LIMA1669 names one Garcia: Alan Garcia; two.txt names two, so its "Garcia" stays who it was.
    assert {f["form"] for f in found[("PER", "Alan Garcia")]["forms"]} == {"Alan Garcia", "Garcia"}
    assert found[("PER", "Garcia")]["documents"] == 1


def test_short_forms_can_be_turned_off(tmp_path: Path) -> None:
    ctx = project(tmp_path, authority="", short_forms=False)
    build(ctx)
    assert ("PER", "Garcia") in entities(ctx.output)


def test_data_files_carry_entity_ids_aliases_and_the_tagger(tmp_path: Path) -> None:
    ctx = project(tmp_path)
    (tmp_path / "sitegen.toml").write_text('[annotations]\ntagger = "Illinois NER"\n', encoding="utf-8")
    ctx = BuildContext.load(tmp_path / "sitegen.toml", ctx.content, ctx.output)
    build(ctx)
    data = json.loads((ctx.output / "entities.json").read_text(encoding="utf-8"))
    assert data["tagger"] == "Illinois NER"
    united = next(row for row in data["entities"] if row["name"] == "United States")
    assert united["id"] == "loc:united states"
    assert {"type": "LOC", "key": "us"} in united["aliases"]
    doc = json.loads((ctx.output / "doc" / "09quito160.json").read_text(encoding="utf-8"))
    assert {m["text"]: m["entity"] for m in doc["mentions"]}["US"] == "loc:united states"
    assert "Entities tagged by Illinois NER." in (ctx.output / "index.html").read_text(encoding="utf-8")
    csv = (ctx.output / "entities.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].endswith(",id") and any(line.endswith(",loc:united states") for line in csv)


def test_a_merged_name_keeps_its_old_address_as_a_redirect_out_of_the_sitemap(tmp_path: Path) -> None:
    from tests.linkcheck import check_site

    ctx = project(tmp_path, base_url="https://example.org/cables/")
    build(ctx)
    page = (ctx.output / "entity" / "loc" / "us.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../../entity/loc/united-states.html">' in page
    assert '<link rel="canonical" href="https://example.org/cables/entity/loc/united-states.html">' in page
    assert "US is now part of" in page
    sitemap = (ctx.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "entity/loc/united-states.html" in sitemap and "entity/loc/us.html" not in sitemap
    local = BuildContext(replace(ctx.config, base_url=""), ctx.content, tmp_path / "local")
    build(local)
    assert check_site(local.output).problems == []  # the redirects' and the Wikidata links included
