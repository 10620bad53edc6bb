"""Incremental updates give byte-identical output to a clean build, edit after edit."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from sitegen.live import LiveSite
from tests.conftest import ROOT, build_site


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_as_clean_build(live: LiveSite, tmp: Path) -> None:
    clean = tmp / f"clean{live.rebuilds}"
    build_site(live.content, clean)
    actual, expected = tree(live.output), tree(clean)
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], path


@pytest.fixture
def live(tmp_path: Path) -> LiveSite:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    site = LiveSite(None, content, tmp_path / "site")
    site.config = site.config.__class__(root=ROOT)
    site.config_path = None
    assert not site.build().error
    return site


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edits_adds_renames_and_deletes_match_a_clean_build(live: LiveSite, tmp_path: Path) -> None:
    content = live.content
    lima = content / "sample" / "09LIMA1669.txt"
    steps = [
        # fix an annotation: a person becomes an organisation
        lambda: edit(lima, "[PER Alan Garcia  ]", "[ORG Alan Garcia  ]") or [lima],
        # change plain text only
        lambda: edit(lima, "warmly welcomes", "welcomes") or [lima],
        # a new entity that exists nowhere else, and a new document
        lambda: (content / "new.txt").write_text("About [PER Zed Unique  ] and [LOC Peru  ] .\n", encoding="utf-8")
                and [content / "new.txt"],
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


def test_random_annotation_edits_match_a_clean_build(live: LiveSite, tmp_path: Path) -> None:
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
        text = text[:i + 1] + new_type + text[text.index(" ", i):]
        path.write_text(text, encoding="utf-8")
        live.update({path})
        assert_same_as_clean_build(live, tmp_path)


def test_a_broken_source_keeps_its_last_good_page_until_fixed(live: LiveSite, tmp_path: Path) -> None:
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
