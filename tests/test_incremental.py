"""Incremental updates give byte-identical output to a clean build, edit after edit."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from sitegen.config import Config
from sitegen.serve.session import PreviewSession
from sitegen.site import finder
from sitegen.site.kinds import finder as finder_kind
from tests.conftest import ROOT, build_into, build_site, preview_session
from tests.helpers import tree

#: Each test builds whole sites again and again.
pytestmark = pytest.mark.slow

SMALL_PAGES = {"documents_per_page": 4, "entity_documents_per_page": 2, "entities_per_page": 40}


def assert_same_as_clean_build(live: PreviewSession, tmp: Path, slices: bool = False) -> None:
    if slices:  # the way the preview server works: a few milliseconds at a time
        for _ in range(100_000):
            if not live.pending:
                break
            live.drain(seconds=0.002)
    live.drain()
    assert live.pending == {}
    clean = tmp / f"clean{live.rebuilds}"
    build_site(live.content, clean, entities=live.ctx.authority_file, **live.test_settings)
    actual, expected = tree(live.output), tree(clean)
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], path


def make_live(tmp_path: Path, small_pages: bool) -> PreviewSession:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    config = tmp_path / "sitegen.toml"
    settings = SMALL_PAGES if small_pages else {}
    config.write_text(
        "[pages]\n"
        + "".join(
            f"{name}={value}\n"
            for name, value in (
                ("documents", settings.get("documents_per_page", 50)),
                ("entity_documents", settings.get("entity_documents_per_page", 25)),
                ("entities", settings.get("entities_per_page", 500)),
            )
        ),
        encoding="utf-8",
    )
    site = preview_session(config, content, tmp_path / "site")
    site.test_settings = settings
    assert not site.build().error
    return site


@pytest.fixture
def live(tmp_path: Path) -> PreviewSession:
    return make_live(tmp_path, small_pages=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edits_adds_renames_and_deletes_match_a_clean_build(live: PreviewSession, tmp_path: Path) -> None:
    content = live.content
    lima = content / "sample" / "09LIMA1669.txt"
    steps = [
        # fix an annotation: a person becomes an organisation
        lambda: edit(lima, "[PER Alan Garcia  ]", "[ORG Alan Garcia  ]") or [lima],
        # change plain text only
        lambda: edit(lima, "warmly welcomes", "welcomes") or [lima],
        # a new entity that exists nowhere else, and a new document
        lambda: (
            (content / "new.txt").write_text("About [PER Zed Unique  ] and [LOC Peru  ] .\n", encoding="utf-8")
            and [content / "new.txt"]
        ),
        # rename a document
        lambda: [(content / "new.txt").rename(content / "renamed.txt"), content / "new.txt"],
        # change a subject (title) and a tag
        lambda: edit(lima, "SUBJECT: SCENESETTER", "SUBJECT: NEW SCENESETTER") or [lima],
        lambda: edit(lima, "<a href='/tag/PE_0.html'>PE</a>", "<a href='/tag/ZZ_0.html'>ZZ</a>") or [lima],
        # move a folder
        lambda: [(content / "sample").rename(content / "samples"), content / "sample"],
        # delete a document: its only entity disappears
        lambda: (content / "renamed.txt").unlink() or [content / "renamed.txt"],
        # fix it again after it was broken (see the next test)
        lambda: [shutil.copy(ROOT / "content/sample/09LIMA1669.txt", content / "samples" / "09LIMA1669.txt")],
    ]
    for step in steps:
        paths = step()
        live.update({Path(p) for p in paths})
        assert_same_as_clean_build(live, tmp_path)


def test_the_family_of_each_page_is_the_one_that_has_it_after_updates_of_a_site_taken_from_the_cache(
    tmp_path: Path,
) -> None:
    """The preview asks which family renders each page open (SiteState.owner). Of a site taken from
    the cache, it is made only when first asked, from the paths the site had then and those
    recorded since: it must be the family that has the path now."""
    content, output = tmp_path / "content", tmp_path / "site"
    shutil.copytree(ROOT / "content", content)
    assert build_site(content, output).pages
    live = preview_session(None, content, output)
    assert not live.build().error
    assert not live.state.recorded  # taken from the cache: nothing rendered yet
    lima = content / "sample" / "09LIMA1669.txt"
    for old, new in (
        ("[PER Alan Garcia  ]", "[ORG Alan Garcia  ]"),
        ("warmly welcomes", "[PER Zed Unique  ] welcomes"),
    ):
        edit(lima, old, new)
        live.update({lima})
        live.drain()
    assert live.state.recorded and live.state._owner is None
    owner = {path: (family, n) for family, paths in live.state.written.items() for n, path in enumerate(paths, 1)}
    assert live.state.owner == owner


def test_markdown_edits_match_a_clean_build(live: PreviewSession, tmp_path: Path) -> None:
    content = live.content
    about, intro = content / "about.md", content / "index.md"
    note = content / "entities" / "per" / "Alan Garcia.md"
    lima = content / "sample" / "09LIMA1669.txt"
    steps = [
        # edit a page's text, then its title and menu place (the navigation on every page)
        lambda: edit(about, "machine-made", "made by a machine") or [about],
        lambda: edit(about, "title: About", "title: About the cables") or [about],
        lambda: edit(about, "menu: 1", "menu: 9") or [about],
        # a new page in a folder, linking to another page
        lambda: (
            (content / "guides").mkdir()
            or (
                (content / "guides" / "new.md").write_text(
                    "# New\n\nSee [about](../about.md) and [LOC Peru  ].\n", encoding="utf-8"
                )
                and [content / "guides"]
            )
        ),
        # the home introduction mentions an entity that does not exist, then one that does
        lambda: edit(intro, "[ORG Shining Path  ]", "[ORG Nobody Inc  ]") or [intro],
        lambda: edit(intro, "[ORG Nobody Inc  ]", "[ORG Shining Path  ]") or [intro],
        # edit a note; add a note named by the entity's slug; delete a note
        lambda: edit(note, "President", "the President") or [note],
        lambda: (
            (content / "entities" / "loc").mkdir()
            or (
                (content / "entities" / "loc" / "peru.md").write_text("A country in South America.\n", encoding="utf-8")
                and [content / "entities" / "loc" / "peru.md"]
            )
        ),
        lambda: note.unlink() or [note],
        # a document edit changes counts that Markdown tooltips show
        lambda: edit(lima, "[PER Alan Garcia  ]", "[ORG Alan Garcia  ]") or [lima],
        # delete a page and the introduction
        lambda: about.unlink() or [about],
        lambda: intro.unlink() or [intro],
    ]
    for step in steps:
        paths = step()
        live.update({Path(p) for p in paths})
        assert_same_as_clean_build(live, tmp_path)


def test_random_annotation_edits_match_a_clean_build(live: PreviewSession, tmp_path: Path) -> None:
    rng = random.Random(7)
    files = sorted(live.content.rglob("*.txt"))
    for _ in range(8):
        path = rng.choice(files)
        text = path.read_text(encoding="utf-8")
        opens = [i for i in range(len(text)) if text.startswith(("[PER ", "[LOC ", "[ORG ", "[MISC "), i)]
        if not opens:
            continue
        i = rng.choice(opens)
        new_type = rng.choice(["PER", "LOC", "ORG", "MISC"])
        text = text[: i + 1] + new_type + text[text.index(" ", i) :]
        path.write_text(text, encoding="utf-8")
        live.update({path})
        assert_same_as_clean_build(live, tmp_path)


def test_a_broken_source_keeps_its_last_good_page_until_fixed(live: PreviewSession, tmp_path: Path) -> None:
    lima = live.content / "sample" / "09LIMA1669.txt"
    good = lima.read_bytes()
    page = live.output / "doc/sample/09lima1669.html"
    before = page.read_bytes()
    lima.write_bytes(b"")
    live.update({lima})
    assert page.read_bytes() == before
    assert [d.message for d in live.current_problems()] == ["empty file; skipped"]
    lima.write_bytes(good.replace(b"warmly", b"very warmly"))
    live.update({lima})
    assert live.current_problems() == []
    assert b"very warmly" in page.read_bytes()
    assert_same_as_clean_build(live, tmp_path)


def _random_step(rng: random.Random, content: Path) -> list[Path]:
    """Make one random editor's change to the content; return the paths touched."""
    files = sorted(content.rglob("*.txt"))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    action = rng.choice(["retype", "recase", "unwrap", "wrap", "subject", "date", "delete", "copy", "text"])
    opens = [m.start() for m in re.finditer(r"\[(PER|LOC|ORG|MISC) ", text)]
    if action == "retype" and opens:
        i = rng.choice(opens)
        text = text[: i + 1] + rng.choice(["PER", "LOC", "ORG", "MISC"]) + text[text.index(" ", i) :]
    elif action == "recase" and opens:
        i = rng.choice(opens)
        j = text.index("  ]", i)
        text = text[:i] + text[i:j].upper() + text[j:]
    elif action == "unwrap" and opens:
        i = rng.choice(opens)
        j = text.index("  ]", i)
        text = text[:i] + text[text.index(" ", i) + 1 : j] + text[j + 3 :]
    elif action == "wrap":
        lines = text.split("\n")
        n = rng.randrange(len(lines))
        lines[n] = lines[n] + f" [{rng.choice(['PER', 'LOC'])} Peru  ] ."
        text = "\n".join(lines)
    elif action == "subject" and "SUBJECT" in text:
        text = text.replace("SUBJECT", f"SUBJECT {rng.randrange(100)}", 1)
    elif action == "date" and "DECL" in text:
        text = re.sub(r"(\d{4})/", lambda m: f"{rng.randrange(1990, 2030)}/", text, count=1)
    elif action == "delete" and len(files) > 5:
        path.unlink()
        return [path]
    elif action == "copy":
        target = content / f"copy{rng.randrange(1000)}.txt"
        target.write_text(text, encoding="utf-8")
        return [target]
    else:
        text = text.replace(" . ", " , ", 1)
    path.write_text(text, encoding="utf-8")
    return [path]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_with_small_pages_match_a_clean_build(tmp_path: Path, seed: int) -> None:
    live = make_live(tmp_path, small_pages=True)
    rng = random.Random(seed)
    for _ in range(12):
        paths = _random_step(rng, live.content)
        live.update(set(paths))
        assert_same_as_clean_build(live, tmp_path, slices=True)


def test_template_edits_rerender_the_pages_that_use_them_and_match_a_clean_build(tmp_path: Path) -> None:
    from sitegen.config import load_config

    shutil.copytree(ROOT / "themes" / "default", tmp_path / "theme")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "templates").mkdir()
    config = tmp_path / "sitegen.toml"
    config.write_text('[site]\ntheme = "./theme"\n', encoding="utf-8")
    live = preview_session(config, tmp_path / "content", tmp_path / "site")
    assert not live.build().error
    theme = tmp_path / "theme" / "templates"

    def same_as_clean() -> None:
        live.drain()
        clean = tmp_path / f"clean{live.rebuilds}"
        build_into(load_config(config), live.content, clean)
        assert tree(live.output) == tree(clean)

    def step(path: Path, old: str, new: str) -> tuple:
        """Edit a template; return the report and the families queued by the change."""
        edit(path, old, new)
        report = live.update({path})
        return report, {family[0] for family in live.pending}

    # An entity page's own template: only entity pages wait; the open page is rendered at once.
    open_page = next(p for p in live.state.owner if p.startswith("entity/"))
    edit(theme / "entity.html", "{% block main %}", "{% block main %}<p class=edited>")
    report = live.update({theme / "entity.html"}, priority={open_page})
    assert not report.full and not report.error and report.changed == [open_page]
    assert {family[0] for family in live.pending} == {"entity"}
    assert "<p class=edited>" in (live.output / open_page).read_text(encoding="utf-8")
    same_as_clean()
    # A macro file: the pages whose templates import it.
    report, queued = step(theme / "_macros.html", "{% macro", "{# edited #}{% macro")
    assert queued == {"entities", "entity", "top", "type", "group", "home"}
    same_as_clean()
    # A project override of one template (a template of the same name, so not a new one).
    (tmp_path / "templates" / "source.html").write_text(
        (theme / "source.html").read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<p>o</p>"),
        encoding="utf-8",
    )
    live.update({tmp_path / "templates" / "source.html"})
    assert {family[0] for family in live.pending} == {"source"}
    same_as_clean()
    # A syntax error is reported, the pages stay as they were, and fixing it goes on from there.
    before = tree(live.output)
    report, queued = step(theme / "group.html", "{% block main %}", "{% block main %}{% if %}")
    assert report.error.startswith(str(theme / "group.html")) and not queued and tree(live.output) == before
    lima = live.content / "sample" / "09LIMA1669.txt"  # an edit meanwhile uses the last good templates
    edit(lima, "warmly welcomes", "welcomes")
    assert not live.update({lima}).error and live.template_error
    report, queued = step(theme / "group.html", "{% if %}", "")  # put back as it was: nothing to render
    assert report is not None and not report.error and not report.changed and not live.template_error
    report, queued = step(theme / "group.html", "{% block main %}", "{% block main %}{% if %}")
    assert report.error and live.template_error
    report, queued = step(theme / "group.html", "{% if %}", "<p>fixed</p>")
    assert not report.error and not live.template_error and "group" in queued
    same_as_clean()
    # The base template: every page; a new template: a whole build.
    report, queued = step(theme / "base.html", "</body>", "<!-- edited --></body>")
    assert {"doc", "source", "entity", "404", "home"} <= queued
    same_as_clean()
    (tmp_path / "templates" / "wide.html").write_text('{% extends "page.html" %}', encoding="utf-8")
    assert live.update({tmp_path / "templates" / "wide.html"}).full
    same_as_clean()


def test_every_page_uses_the_template_its_family_is_said_to_use(live: PreviewSession) -> None:
    """A template change re-renders the families that family_template names; a page using another would go stale."""
    from sitegen.site.kinds import family_pages, family_template

    seen = set()
    for family in live.state.written:
        for page in family_pages(live.site, family):
            assert page.template == family_template(live.site, family), family
            seen.add(family[0])
    assert {"home", "doc", "entity", "type", "top", "groups", "group", "404", "source", "page"} <= seen


#: Edits of the demo's authority file, each (old text, new text), in the order they are made.
AUTHORITY_EDITS = [
    ('aliases = ["U.S.", "US", "U.S"]', 'aliases = ["U.S.", "U.S"]'),  # an alias becomes its own entity again
    ('aliases = ["SL"]', 'aliases = ["SL", "Sendero Luminoso", "MISC:Shining Path"]'),  # new aliases, one across types
    ('name = "Shining Path"', 'name = "Sendero Luminoso (Shining Path)"'),  # renamed
    ('wikidata = "Q30"', 'wikidata = "Q30"\nalso = 1'),  # a mistake: the pages stay as they are
    ('wikidata = "Q30"\nalso = 1', 'wikidata = "Q31"'),  # fixed, with another Wikidata id
    ('names = ["SBU", "DECL", "DECL:"]', 'names = ["SBU", "DECL", "DECL:", "Lima"]'),  # a name dropped
    ("patterns = ['^X{4,}$']", "patterns = ['^X{4,}$', '^A']"),  # a pattern added
    ("patterns = ['^X{4,}$', '^A']", "patterns = ['^X{4,}$']"),  # and removed
    ('names = ["SBU", "DECL", "DECL:", "Lima"]', 'names = ["DECL", "DECL:"]'),  # names no longer dropped
    ("[drop]", '[[entity]]\nname = "Garcia"\ntype = "PER"\n\n[drop]'),  # a name the editors give: no short form
    ('[[entity]]\nname = "Garcia"\ntype = "PER"\n\n', ""),  # and short forms again
    ("[drop]", '[[entity]]\nname = "Alan García"\ntype = "PER"\naliases = ["Garcia", "Alan Garcia"]\n\n[drop]'),
    ('aliases = ["Garcia", "Alan Garcia"]', 'aliases = ["Alan Garcia"]'),  # short forms apply again
]


@pytest.mark.parametrize("small_pages", [False, True])
def test_authority_edits_update_in_place_and_match_a_clean_build(tmp_path: Path, small_pages: bool) -> None:
    shutil.copy(ROOT / "entities.toml", tmp_path / "entities.toml")
    live = make_live(tmp_path, small_pages=small_pages)
    authority = live.ctx.authority_file
    assert authority == tmp_path / "entities.toml"
    for old, new in AUTHORITY_EDITS:
        edit(authority, old, new)
        update = live.update({authority})
        assert update is not None and not update.full, (old, new)
        if "also = 1" in new:
            assert "unknown key 'also'" in update.error
            continue
        assert not update.error, update.error
        assert_same_as_clean_build(live, tmp_path, slices=small_pages)


def test_sitegen_build_takes_an_authority_edit_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.build import pipeline

    monkeypatch.setattr(pipeline, "MAX_CHANGED_SHARE", 1.0)  # the demo is small: every edit touches a tenth of it
    shutil.copy(ROOT / "entities.toml", tmp_path / "entities.toml")
    config = Config(root=ROOT, entities=tmp_path / "entities.toml")
    content = ROOT / "content"
    build_into(config, content, tmp_path / "site")
    edit(tmp_path / "entities.toml", 'aliases = ["SL"]', 'aliases = ["SL", "MISC:Shining Path"]')
    result = build_into(config, content, tmp_path / "site")
    assert result.update is not None and result.update.theme == ["authority file"]
    assert 0 < result.update.rendered < result.pages / 4
    build_into(config, content, tmp_path / "clean")
    assert tree(tmp_path / "site") == tree(tmp_path / "clean")


def test_sitegen_build_with_two_processes_takes_every_authority_edit_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages rendered by two processes: a merged name's redirect that becomes an entity page again,
    renames and dropped names all end as a clean build does."""
    from sitegen.build import pipeline

    monkeypatch.setattr(pipeline, "MAX_CHANGED_SHARE", 1.0)
    monkeypatch.setattr(pipeline, "MAX_RERENDERED_SHARE", 1.0)
    shutil.copy(ROOT / "entities.toml", tmp_path / "entities.toml")
    config = Config(root=ROOT, entities=tmp_path / "entities.toml", search=False)
    content = ROOT / "content"
    build_into(config, content, tmp_path / "site", jobs=2)
    in_place = 0
    for step, (old, new) in enumerate(AUTHORITY_EDITS):
        edit(tmp_path / "entities.toml", old, new)
        if "also = 1" in new:
            continue  # a mistake stops the build
        result = build_into(config, content, tmp_path / "site", jobs=2)
        in_place += result.update is not None
        clean = tmp_path / f"clean{step}"
        build_into(config, content, clean, force=True)
        assert tree(tmp_path / "site") == tree(clean), (old, new)
        shutil.rmtree(clean)
    assert in_place >= len(AUTHORITY_EDITS) - 4


def test_the_pages_an_edit_creates_or_removes_change_with_the_page_that_links_to_them(tmp_path: Path) -> None:
    live = make_live(tmp_path, small_pages=False)
    new = tmp_path / "content" / "cables" / "10LIMA1.txt"
    new.write_text("1. [PER Zyzzyva Quuxley  ] met [PER Zyzzyva Quuxley  ] in Lima .\n", encoding="utf-8")
    update = live.update({new})
    assert update is not None and not update.full and live.pending  # the rest follows in the background
    site = tmp_path / "site"
    page = (site / "doc" / "cables" / "10lima1.html").read_text(encoding="utf-8")
    assert 'href="../../entity/per/zyzzyva-quuxley.html"' in page
    assert (site / "entity" / "per" / "zyzzyva-quuxley.html").is_file()  # already there
    assert (site / "source" / "cables" / "10lima1.html").is_file()
    live.drain()
    new.unlink()
    update = live.update({new})
    assert update is not None
    assert not (site / "doc" / "cables" / "10lima1.html").exists()
    assert not (site / "entity" / "per" / "zyzzyva-quuxley.html").exists()  # gone with it
    assert not (site / "source" / "cables" / "10lima1.html").exists()


def test_a_drain_for_some_time_renders_the_pages_and_leaves_the_whole_site_files_however_long_it_may_take(
    live: PreviewSession,
) -> None:
    lima = live.content / "sample" / "09LIMA1669.txt"
    edit(lima, "[PER Alan Garcia  ]", "[ORG Alan Garcia  ]")  # counts change in every whole-site list
    live.update({lima})
    assert live.pending and not live.only_whole_site_pending()
    live.drain(seconds=600)  # time enough for everything: the pages are done, the whole-site files wait
    assert live.pending and live.only_whole_site_pending()
    live.drain(seconds=600)  # only they are left: now they are made
    assert live.pending == {}


def test_the_whole_site_files_made_in_a_process_of_their_own_match_a_clean_build_and_a_stop_leaves_them_pending(
    live: PreviewSession, tmp_path: Path
) -> None:
    lima = live.content / "sample" / "09LIMA1669.txt"
    edit(lima, "[PER Alan Garcia  ]", "[ORG Alan Garcia  ]")  # counts change in every whole-site list
    live.update({lima})
    while live.pending and not live.only_whole_site_pending():
        live.drain(seconds=0.05)
    waiting = dict(live.pending)
    assert waiting and live.only_whole_site_pending()
    before = tree(live.output)
    stopped = live.start_whole_site()
    stopped.stop()  # a newer save: nothing is taken in, every file is whole
    assert live.pending == waiting
    assert not [p for p in live.output.rglob("*") if p.name.endswith(".sitegen-tmp")]
    assert all(tree(live.output)[path] for path in before)
    job = live.start_whole_site()
    changed, count = live.finish_whole_site(job) or ([], 0)
    assert count >= len(waiting) and changed and live.pending == {}  # taken in from the other process
    assert_same_as_clean_build(live, tmp_path)


def test_an_entitys_filter_data_and_mentioned_with_are_rendered_again_only_when_what_they_list_changes(
    tmp_path: Path,
) -> None:
    """Alan Garcia is named in six documents: with Person A01 to A19 in three paragraphs and with A20
    to A26 in two, so his filter lists A01 to A20 and "Mentioned with" A01 to A24. Edits of the last
    document (listed on his third page, not his first) change who is named with him there; a
    seventh document renames others."""
    content = tmp_path / "content"
    content.mkdir()
    first, second = (
        " ".join(f"[PER Person A{n:02}  ]" for n in range(1, 20)),
        " ".join(f"[PER Person A{n}  ]" for n in range(20, 27)),
    )
    for n, words in enumerate([first, first, first, second, second], 1):
        (content / f"10TEST{n}.txt").write_text(f"1. [PER Alan Garcia  ] with {words} .\n", encoding="utf-8")
    last, seventh = content / "10TEST6.txt", content / "10TEST7.txt"

    def named_with_him(words: str) -> str:
        return f"1. [PER Alan Garcia  ] met the press .\n\n2. [PER Alan Garcia  ] spoke {words} .\n"

    last.write_text(named_with_him(""), encoding="utf-8")
    config = tmp_path / "sitegen.toml"
    config.write_text("[pages]\nentity_documents = 2\n", encoding="utf-8")
    live = preview_session(config, content, tmp_path / "site")
    live.test_settings = {"entity_documents_per_page": 2}
    assert not live.build().error
    garcia = ("PER", "alan garcia")
    assert [k[1] for k, _ in live.site.related(garcia)][19:24] == [f"person a{n}" for n in range(20, 25)]
    assert live.site.corpus.occurrence_index(garcia, "10TEST6.txt") == 5  # on his third page

    def edited(path: Path, text: str) -> tuple[bool, bool]:
        """Write ``text`` to ``path``; return whether his filter data and his first page are rendered
        again; check the site against a clean build."""
        path.write_text(text, encoding="utf-8")
        live.update({path})
        facets, entity = live.pending.get(("facets", garcia), ()), live.pending.get(("entity", garcia), set())
        assert_same_as_clean_build(live, tmp_path)
        return facets is None, entity is None or 1 in entity

    # Named once with him: too few times to be listed with him, or to filter by.
    assert edited(last, named_with_him("and [PER Zed Newcomer  ]")) == (False, False)
    # Renamed elsewhere: he does not list it.
    assert edited(seventh, "1. [PER ZED NEWCOMER  ] [PER ZED NEWCOMER  ] .\n") == (False, False)
    # A05, which he lists, renamed elsewhere.
    assert edited(seventh, "1. " + "[PER PERSON A05  ] " * 4 + ".\n") == (True, True)
    # A20 is named with him a third time: still twentieth, and now a filter of this document.
    assert edited(last, named_with_him("and [PER Person A20  ]")) == (True, True)
    # So is A21: its count changes in "Mentioned with", but it is not a filter.
    assert edited(last, named_with_him("and [PER Person A20  ] [PER Person A21  ]")) == (False, True)
    # Without A20 again, A21 takes its place among the filters.
    assert edited(last, named_with_him("and [PER Person A21  ]")) == (True, True)


def test_an_edit_renders_the_page_listing_a_document_only_for_the_entities_it_lists_otherwise(
    tmp_path: Path,
) -> None:
    """An entity's page lists a document with the snippet of its first mention in each paragraph:
    an edit of the document's words renders it again only for the entities whose snippets the words
    reach, and one more mention for that entity alone."""
    content = tmp_path / "content"
    content.mkdir()
    far = " ".join(f"word{n}" for n in range(40))
    for n in range(1, 4):
        (content / f"10TEST{n}.txt").write_text(
            f"Meeting notes {n}\n\n1. Talks in [LOC Lima  ] on day {n} .\n\n2. [PER Alan Garcia  ] spoke , then {far} END .\n",
            encoding="utf-8",
        )
    config = tmp_path / "sitegen.toml"
    config.write_text("[pages]\n", encoding="utf-8")
    live = preview_session(config, content, tmp_path / "site")
    live.test_settings = {}
    assert not live.build().error
    lima, garcia = ("LOC", "lima"), ("PER", "alan garcia")
    cable = content / "10TEST2.txt"

    def edited(old: str, new: str) -> dict:
        """Edit the cable; return the entity pages waiting to be rendered, and check the site."""
        edit(cable, old, new)
        live.update({cable})
        waiting = {key: live.pending.get(("entity", key), set()) for key in (lima, garcia)}
        assert_same_as_clean_build(live, tmp_path)
        return {key[1]: pages for key, pages in waiting.items() if pages is None or pages}

    # Words far from both mentions: no snippet changes, no entity page waits.
    assert edited("END", "FIN") == {}
    # Words beside his mention: his page listing the cable, not Lima's.
    assert edited("spoke ,", "spoke briefly ,") == {"alan garcia": {1}}
    # Words beside Lima's mention, in another paragraph.
    assert edited("on day 2", "on the second day") == {"lima": {1}}
    # One more mention of him, far from Lima: his first page (his counts), not Lima's.
    assert edited("FIN", "FIN [PER Alan Garcia  ]") == {"alan garcia": {1}}
    # A new entity beside Lima: Lima's snippet reads otherwise.
    assert edited("Talks in", "Talks with [ORG Shining Path  ] in") == {"lima": {1}}


def test_a_note_that_gives_an_entity_its_pages_gives_it_its_research_views_too(tmp_path: Path) -> None:
    """Named six times, fewer than entity_min_mentions: no pages until a note gives it some, and with
    them its timeline, "Mentioned with" and filter data (named in five documents or more)."""
    content = tmp_path / "content"
    content.mkdir()
    for n in range(1, 7):
        (content / f"10TEST{n}.txt").write_text(
            f"1. [PER Ann Lee  ] met [PER Bob Roe  ] in [LOC Lima  ] on day {n} .\n", encoding="utf-8"
        )
    config = tmp_path / "sitegen.toml"
    config.write_text("[pages]\nentity_min_mentions = 10\n", encoding="utf-8")
    live = preview_session(config, content, tmp_path / "site")
    live.test_settings = {"entity_min_mentions": 10}
    assert not live.build().error
    site = tmp_path / "site" / "entity" / "per"
    assert not (site / "ann-lee.html").exists()
    note = content / "entities" / "per" / "Ann Lee.md"
    note.parent.mkdir(parents=True)
    note.write_text("A trade envoy.\n", encoding="utf-8")
    live.update({note})
    assert_same_as_clean_build(live, tmp_path)
    assert (site / "ann-lee.html").is_file() and (site / "ann-lee.facets.js").is_file()
    note.unlink()
    live.update({note})
    assert_same_as_clean_build(live, tmp_path)
    assert not (site / "ann-lee.html").exists() and not (site / "ann-lee.facets.js").exists()


def test_an_edit_in_a_site_without_source_views_or_data_files_writes_neither(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "golden" / "content", content)
    config = tmp_path / "sitegen.toml"
    config.write_text("[pages]\nsource_views = false\ndocument_data = false\n", encoding="utf-8")
    live = preview_session(config, content, tmp_path / "site")
    live.test_settings = {"source_views": False, "document_data": False}
    assert not live.build().error
    quito = content / "09QUITO160.txt"
    quito.write_text(quito.read_text(encoding="utf-8") + "\n9. [PER Zed Newcomer  ] arrived .\n", encoding="utf-8")
    live.update({quito})
    assert_same_as_clean_build(live, tmp_path)
    assert not (live.output / "source").exists() and not list(live.output.rglob("09quito160.json"))


def test_one_more_mention_of_a_much_named_entity_changes_only_the_pages_whose_tooltip_reads_differently(
    tmp_path: Path,
) -> None:
    """Tooltips round counts from 100 on: a mention more of Lima, named in 120 documents, changes
    none of the other 119 pages, until its count rounds to other figures; then it changes them all."""
    content, out = tmp_path / "content", tmp_path / "site"
    content.mkdir()
    for n in range(1, 121):
        (content / f"10TEST{n}.txt").write_text(f"1. Talks in [LOC Lima  ] on day {n} .\n", encoding="utf-8")
    build_site(content, out)
    other = out / "doc" / "10test2.html"
    assert "Location\\a Lima\\a about 120 documents · about 120 mentions" in other.read_text(encoding="utf-8")
    edited = content / "10TEST1.txt"

    def mentions_of_lima(count: int) -> list[str]:
        """Name Lima ``count`` times in the first cable; return the documents' pages the update changed
        (and check that it rendered few pages again, unless it changed them all)."""
        more = "[LOC Lima  ] " * (count - 1)
        edited.write_text(f"1. Talks in [LOC Lima  ] on day 1 .\n\n2. {more}.\n", encoding="utf-8")
        result = build_site(content, out)
        assert result.update is not None and not result.update.full
        clean = tmp_path / f"clean{count}"
        build_site(content, clean)
        assert tree(out) == tree(clean)
        pages = sorted(path for path in result.update.changed if path.startswith("doc/") and path.endswith(".html"))
        assert len(pages) > 1 or result.update.rendered < 100, result.update.rendered  # not the 120 documents
        return pages

    assert mentions_of_lima(2) == ["doc/10test1.html"]  # 121 mentions: still about 120
    assert mentions_of_lima(5) == ["doc/10test1.html"]  # 124
    assert len(mentions_of_lima(6)) == 120  # 125: about 130, on every page that names Lima
    assert "about 130 mentions" in other.read_text(encoding="utf-8")


def test_one_more_mention_renders_an_entitys_first_page_and_the_page_listing_the_document(tmp_path: Path) -> None:
    """Only an entity's first page shows its mentions and spellings: one more mention of Lima in a
    cable on its third page renders its first and third pages again, not the other four."""
    content, out = tmp_path / "content", tmp_path / "site"
    content.mkdir()
    for n in range(1, 31):
        (content / f"10TEST{n:02}.txt").write_text(f"1. Talks in [LOC Lima  ] on day {n} .\n", encoding="utf-8")
    build_site(content, out, entity_documents_per_page=5)
    lima = ["lima.html"] + [f"lima.{n}.html" for n in range(2, 7)]
    assert sorted(path.name for path in (out / "entity" / "loc").glob("lima*.html")) == sorted(lima)
    third = (out / "entity" / "loc" / lima[2]).read_text(encoding="utf-8")
    listed = re.findall(r'href="\.\./\.\./doc/(10test\d+)\.html"', third)
    assert len(listed) == 5, listed
    assert "<dt>Mentions</dt>" not in third and "Written as" not in third
    assert 'how it is written, when and with whom: <a href="../../entity/loc/lima.html">' in third
    first = (out / "entity" / "loc" / lima[0]).read_text(encoding="utf-8")
    assert "<dt>Mentions</dt><dd>30</dd>" in first and "Lima (30)" in first

    edit(content / f"{listed[2].upper()}.txt", "on day", "and [LOC LIMA  ] on day")
    result = build_site(content, out, entity_documents_per_page=5)
    assert result.update is not None and not result.update.full
    entity_pages = {p for p in result.update.changed if p.startswith("entity/loc/lima") and p.endswith(".html")}
    assert entity_pages == {f"entity/loc/{lima[0]}", f"entity/loc/{lima[2]}"}
    assert "<dt>Mentions</dt><dd>31</dd>" in (out / "entity" / "loc" / lima[0]).read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build_site(content, clean, entity_documents_per_page=5)
    assert tree(out) == tree(clean)


def test_the_finders_parts_split_and_join_as_edits_add_and_remove_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row of the entity finder is in the parts of its words: 80 new people named Tomasz Talavera
    split the part of "t" and change no part of other letters; removing them joins it again; a new
    title changes the part of its cable's id. Each update renders the parts of those first
    characters only, and equals a clean build."""
    monkeypatch.setattr(finder, "PART_BYTES", 22_000)  # the demo's largest part is about 21 KB
    monkeypatch.setattr(finder, "TOP_BYTES", 5_000)
    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(ROOT / "content", content)
    build_site(content, out)
    log = tmp_path / "rendered.txt"  # a file, as the parts may be rendered in another process
    scripts = finder_kind.letter_scripts

    def logged(site, letter, only=None):
        with log.open("a", encoding="utf-8") as file:
            file.write(letter + "\n")
        return scripts(site, letter, only)

    monkeypatch.setattr(finder_kind, "letter_scripts", logged)

    def parts() -> set[str]:
        return {path.name for path in (out / "search").glob("entities-*.js")}

    def update(number: int) -> tuple[set[str], set[str]]:
        """Build again; check the result against a clean build; return the finder's parts it changed
        and the first characters whose parts it rendered."""
        log.write_text("", encoding="utf-8")
        result = build_site(content, out)
        assert result.update is not None and not result.update.full
        rendered = set(log.read_text(encoding="utf-8").split())
        clean = tmp_path / f"clean{number}"
        build_site(content, clean)
        assert tree(out) == tree(clean)
        changed = {p.removeprefix("search/") for p in result.update.changed if p.startswith("search/entities-")}
        return changed, rendered

    first = parts()
    assert "entities-t.js" in first and not any(name.startswith("entities-t") and len(name) > 15 for name in first)
    people = content / "people.txt"
    people.write_text("1. " + " ".join(f"[PER Tomasz Talavera{n}  ] met" for n in range(80)) + " .\n", "utf-8")
    changed, rendered = update(1)
    split = parts() - first
    assert split and all(name.startswith("entities-t") for name in split)  # "ta", "to"...
    assert split <= changed and all(name.startswith(("entities-t", "entities-_parts")) for name in changed)
    assert rendered == {"t"} and "entities-_parts.js" in changed  # the list of parts names the new ones

    people.unlink()
    changed, rendered = update(2)
    assert parts() == first
    assert "entities-t.js" in changed and all(name.startswith(("entities-t", "entities-_parts")) for name in changed)
    assert rendered == {"t"} and "entities-_parts.js" in changed

    edit(content / "sample" / "09LIMA1669.txt", "SUBJECT: SCENESETTER", "SUBJECT: BRIEFING")
    changed, rendered = update(3)  # found by its id, 09LIMA1669, with its subject
    assert changed == {"entities-0.js"} and rendered == {"0"}

    # A mention of Lima added: Lima's count, in the parts of "l"; nothing else of the finder changes.
    edit(content / "sample" / "09LIMA1669.txt", "End Summary .", "End Summary in [LOC Lima  ] .")
    changed, rendered = update(4)
    assert rendered == {"l"} and changed == {"entities-l.js"}


def test_a_save_through_a_temporary_file_looks_only_at_the_saved_source(
    live: PreviewSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editors save by writing a temporary file and renaming it over the source; the watcher then
    names the temporary file too, which is gone. The preview must not list the whole content
    folder for it (10,000 sources take a quarter of a second), but must for a folder moved away."""
    import sitegen.build.incremental as incremental

    listed: list[Path] = []
    real = incremental.find_sources

    def counted(content, formats):
        listed.append(content)
        return real(content, formats)

    monkeypatch.setattr(incremental, "find_sources", counted)
    lima = live.content / "sample" / "09LIMA1669.txt"
    temporary = lima.with_name("sed4Xq2Z")
    temporary.write_text(lima.read_text(encoding="utf-8").replace("warmly", "TEMPSAVED warmly"), encoding="utf-8")
    os.replace(temporary, lima)
    update = live.update({temporary, lima})
    assert update is not None and update.sources == ["sample/09LIMA1669.txt"]
    assert listed == []
    assert_same_as_clean_build(live, tmp_path)
    assert "TEMPSAVED" in (live.output / "doc" / "sample" / "09lima1669.html").read_text(encoding="utf-8")

    (live.content / "sample").rename(tmp_path / "aside")  # one event, for the folder
    update = live.update({live.content / "sample"})
    assert update is not None and update.sources == ["sample/09LIMA1669.txt"]
    assert listed == [live.content]
    assert_same_as_clean_build(live, tmp_path)


def test_the_rows_of_entities_an_edit_brings_are_missing_until_made_however_many_edits_came_before(
    live: PreviewSession,
) -> None:
    """Once every entity was looked at, only those an edit forgot can lack their rows (Site.rows_missing)."""
    content, site = live.content, live.site
    for key in site.rows_missing():  # every entity is looked at
        site.entity_row(key)
    assert site.rows_missing() == []
    for number in range(3):
        new = content / f"new{number}.txt"
        new.write_text(f"About [PER Zed Unique{number}  ] and [LOC Peru  ] .\n", encoding="utf-8")
        live.update({new})
        assert ("PER", f"zed unique{number}") in site.rows_missing()
        assert set(site.kept_rows()) == set(site.corpus.entities)
        assert site.rows_missing() == []
