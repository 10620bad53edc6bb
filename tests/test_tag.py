"""``sitegen tag``: plain text tagged by a spaCy pipeline, then built into a site whose pages link their entities.

The pipeline here is spaCy's own, made in the test (a blank English pipeline
with an entity ruler that knows the demo's names) and saved to a folder, so
the test runs without downloading a statistical model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sitegen.parse.mention import MENTION
from tests.conftest import ROOT
from tests.test_cli import run

CABLES = ["05LIMA2158.txt", "04CARACAS2200.txt", "02BOGOTA3281.txt"]


def plain(text: str) -> tuple[str, set[tuple[str, str]]]:
    """Return a tagged cable's text without its markup, and its mentions as (type, words)."""
    mentions = {(m.group("type").upper(), " ".join(m.group("words").split())) for m in MENTION.finditer(text)}
    text = MENTION.sub(lambda m: " ".join(m.group("words").split()), text)
    text = re.sub(r"</?(?:code|pre)>|<a\b[^>]*>|</a>", "", text)
    return text, mentions


@pytest.fixture
def texts_and_model(tmp_path: Path) -> tuple[Path, Path, set[tuple[str, str]]]:
    spacy = pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'sitegen[ner]')")
    texts = tmp_path / "texts"
    (texts / "andes").mkdir(parents=True)
    names: set[tuple[str, str]] = set()
    for i, name in enumerate(CABLES):
        text, found = plain((ROOT / "content" / "cables" / name).read_text(encoding="utf-8"))
        (texts / ("andes" if i else "") / name).write_text(text, encoding="utf-8")
        names |= found
    labels = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "NORP"}
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": labels[t], "pattern": words} for t, words in sorted(names)])
    nlp.meta["name"] = "demo_ruler"
    nlp.meta["version"] = "1.0.0"
    nlp.to_disk(tmp_path / "model")
    return texts, tmp_path / "model", names


def test_tag_then_build_gives_pages_that_link_their_entities(tmp_path: Path, texts_and_model) -> None:
    _, model, names = texts_and_model
    done = run("tag", "texts", "content", "--model", str(model), "-j", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Tagged 3 files" in done.stdout and "spaCy" in done.stdout and "en_demo_ruler 1.0.0" in done.stdout
    written = sorted(p.relative_to(tmp_path / "content").as_posix() for p in (tmp_path / "content").rglob("*.json"))
    assert written == ["05LIMA2158.json", "andes/02BOGOTA3281.json", "andes/04CARACAS2200.json"]
    document = json.loads((tmp_path / "content" / "05LIMA2158.json").read_text(encoding="utf-8"))
    assert document["meta"]["tagger"].startswith("spaCy ") and document["ents"]
    again = run("tag", "texts", "content", "--model", str(model), cwd=tmp_path)
    assert "Tagged 0 files" in again.stdout and "3 files already up to date" in again.stdout
    built = run("build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "doc" / "05lima2158.html").read_text(encoding="utf-8")
    linked = re.findall(r'<a class="m m-(\w+)" href="[^"]+"[^>]*>([^<]+)</a>', page)
    assert len(linked) > 20
    mapped = {"per": "PER", "loc": "LOC", "org": "ORG", "misc": "MISC"}
    squeezed = {(t, "".join(w.split())) for t, w in names}
    known = [(t, w) for t, w in linked if (mapped[t], "".join(w.split())) in squeezed]
    assert len(known) >= 0.9 * len(linked)  # spaCy's labels mapped back to the types the cables had
    assert any(t == "per" for t, _ in linked) and any(t == "loc" for t, _ in linked)
    assert (tmp_path / "site" / "doc" / "andes" / "04caracas2200.html").exists()


def test_tag_says_how_to_get_a_missing_model(tmp_path: Path) -> None:
    pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'sitegen[ner]')")
    (tmp_path / "texts").mkdir()
    done = run("tag", "texts", "content", "--model", "xx_no_such_model", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        "cannot load the spaCy model 'xx_no_such_model': install it with: python -m spacy download xx_no_such_model"
        in done.stderr
    )


def test_tag_without_spacy_says_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "hide").mkdir()
    (tmp_path / "hide" / "spacy.py").write_text("raise ImportError('no spaCy here')\n", encoding="utf-8")
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'hide'}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "tag", "texts", "content"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "sitegen tag needs spaCy, an optional extra: pip install 'sitegen[ner]'" in done.stderr
