"""Two builds of the same input give byte-identical trees (Pagefind's search bundle aside)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import sitegen.build.sources
from tests.conftest import ROOT, build_site
from tests.helpers import tree

#: Each test builds the demo several times.
pytestmark = pytest.mark.slow


def test_the_order_files_are_listed_in_does_not_matter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(ROOT / "content", tmp_path / "a")

    def shuffled(path):
        entries = list(os.scandir(path))
        random.Random(str(path)).shuffle(entries)
        return entries

    # Only the build's own view of the file system is shuffled.
    monkeypatch.setattr(sitegen.build.sources, "os", types.SimpleNamespace(**{**vars(os), "scandir": shuffled}))
    build_site(ROOT / "content", tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_the_clock_and_source_date_epoch_change_nothing(tmp_path: Path) -> None:
    """No build time is written anywhere; dates in the feed come from the documents."""
    trees = []
    for epoch in ("0", "1700000000", None):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        if epoch is not None:
            env["SOURCE_DATE_EPOCH"] = epoch
        env["PYTHONPATH"] = str(ROOT)
        out = tmp_path / f"site-{epoch}"
        subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "-q", "--content", str(ROOT / "content"), "--output", str(out)],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        trees.append(tree(out))
    assert trees[0] == trees[1] == trees[2]
    feed = trees[0]["feed.xml"].decode()
    assert "<updated>2010-" in feed or "<updated>2009-" in feed


def test_another_folder_and_another_copy_give_the_same_site(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "elsewhere" / "deep" / "content")
    build_site(ROOT / "content", tmp_path / "a")
    build_site(tmp_path / "elsewhere" / "deep" / "content", tmp_path / "elsewhere" / "out")
    assert tree(tmp_path / "a") == tree(tmp_path / "elsewhere" / "out")
