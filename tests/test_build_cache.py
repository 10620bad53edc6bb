"""Parallel builds and the build manifest: same bytes as a serial build, and no work when nothing changed."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import Config
from sitegen.output import MARKER
from tests.conftest import ROOT, build_site
from tests.helpers import tree


def make(content: Path, output: Path, jobs: int = 1, **settings):
    return build(Config(root=ROOT, **settings), content, output, jobs=jobs)


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_builds_equal_a_serial_build(tmp_path: Path, jobs: int) -> None:
    serial = make(ROOT / "content", tmp_path / "serial", jobs=1)
    parallel = make(ROOT / "content", tmp_path / "parallel", jobs=jobs)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
    assert (serial.pages, serial.files) == (parallel.pages, parallel.files)


def test_hostile_input_builds_the_same_in_parallel(tmp_path: Path) -> None:
    hostile = Path(__file__).parent / "hostile" / "content"
    make(hostile, tmp_path / "serial", jobs=1, search=False)
    make(hostile, tmp_path / "parallel", jobs=2, search=False)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def test_nothing_changed_means_nothing_is_rebuilt(project: Path) -> None:
    first = make(project / "content", project / "site")
    assert not first.up_to_date
    index = project / "site" / "index.html"
    before = index.stat().st_mtime_ns
    again = make(project / "content", project / "site")
    assert again.up_to_date and index.stat().st_mtime_ns == before
    assert (again.documents, again.pages, again.files) == (first.documents, first.pages, first.files)
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]


@pytest.mark.parametrize("change", ["edit a source", "add a source", "delete a source", "configuration",
                                    "template", "deleted output file", "force"])
def test_any_change_rebuilds(project: Path, change: str) -> None:
    make(project / "content", project / "site")
    settings: dict = {}
    lima = project / "content" / "sample" / "09LIMA1669.txt"
    if change == "edit a source":
        lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
    elif change == "add a source":
        (project / "content" / "new.txt").write_text("About [LOC Peru  ] .\n", encoding="utf-8")
    elif change == "delete a source":
        lima.unlink()
    elif change == "configuration":
        settings = {"title": "Another title"}
    elif change == "template":
        (project / "templates").mkdir()
        (project / "templates" / "page.html").write_text("{{ body_html }}", encoding="utf-8")
        settings = {"root": project}
    elif change == "deleted output file":
        (project / "site" / "entities" / "index.html").unlink()
    config = Config(**{"root": ROOT, **settings})
    result = build(config, project / "content", project / "site", force=change == "force")
    assert not result.up_to_date
    clean = project / "clean"
    build(config, project / "content", clean)
    assert tree(project / "site") == tree(clean)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bad checksum", "other version", "empty", "missing"])
def test_a_damaged_manifest_is_ignored(project: Path, damage: str) -> None:
    make(project / "content", project / "site")
    marker = project / "site" / MARKER
    text = marker.read_text(encoding="utf-8")
    if damage == "garbage":
        marker.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        marker.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "bad checksum":
        marker.write_text(text.replace('"documents":42', '"documents":41'), encoding="utf-8")
    elif damage == "other version":
        marker.write_text(text.replace('"version": "', '"version": "0.0.0-', 1), encoding="utf-8")
    elif damage == "empty":
        marker.write_text("", encoding="utf-8")
    elif damage == "missing":
        marker.unlink()
        marker.write_text("", encoding="utf-8")
    (project / "site" / "index.html").write_text("stale", encoding="utf-8")
    result = make(project / "content", project / "site")
    assert not result.up_to_date
    assert (project / "site" / "index.html").read_text(encoding="utf-8") != "stale"


def test_many_edits_adds_renames_and_deletes_equal_a_clean_build(project: Path) -> None:
    rng = random.Random(11)
    content = project / "content"
    for step in range(12):
        files = sorted(content.rglob("*.txt"))
        action = rng.choice(["edit", "edit", "add", "rename", "delete", "retype"])
        target = rng.choice(files)
        if action == "edit":
            target.write_text(target.read_text(encoding="utf-8") + f" edit {step} [PER New Person {step}  ] .\n",
                              encoding="utf-8")
        elif action == "add":
            (content / f"added-{step}.txt").write_text(f"Added [LOC Peru  ] and [ORG Group {step}  ] .\n",
                                                       encoding="utf-8")
        elif action == "rename":
            target.rename(target.with_name(f"renamed-{step}-{target.name}"))
        elif action == "delete" and len(files) > 5:
            target.unlink()
        elif action == "retype":
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace("[LOC ", "[ORG ", 1), encoding="utf-8")
        result = make(content, project / "site", jobs=2)
        clean = project / f"clean-{step}"
        build_site(content, clean)
        assert tree(project / "site") == tree(clean), (step, action)
        assert not result.up_to_date or action == "delete"
