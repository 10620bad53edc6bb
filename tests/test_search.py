"""Full-text search (Pagefind) and the entity finder data, without a browser."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from sitegen.build import search
from sitegen.model import fold
from sitegen.site.finder import FIRST_PARTS
from tests.conftest import ROOT, build_site, preview_session
from tests.linkcheck import scan_page


def indexed_text(site: Path) -> dict[str, str]:
    """Return the text Pagefind indexed, by page URL."""
    pages = {}
    for fragment in (site / "pagefind" / "fragment").iterdir():
        data = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd") :])
        pages[data["url"]] = data["content"]
    return pages


def test_only_documents_and_markdown_pages_are_indexed_without_tooltips(demo_site: Path) -> None:
    entry = json.loads((demo_site / "pagefind" / "pagefind-entry.json").read_text())
    documents = len(list((demo_site / "doc").rglob("*.html")))
    pages = len(list((demo_site / "pages").rglob("*.html")))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == documents + pages
    text = indexed_text(demo_site)
    assert set(text) == {
        "/" + p.relative_to(demo_site).as_posix()
        for p in [*(demo_site / "doc").rglob("*.html"), *(demo_site / "pages").rglob("*.html")]
    }
    sample = text["/doc/sample/09lima1669.html"]
    assert "warmly welcomes" in sample
    assert "documents ·" not in sample and "¶" not in sample  # tooltips and permalinks are not text


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    result = build_site(ROOT / "content", tmp_path / "site", search=False)
    assert not result.warnings or all("Pagefind" not in w.message for w in result.warnings)
    assert not (tmp_path / "site" / "pagefind").exists()
    assert not (tmp_path / "site" / "search.html").exists()
    assert 'href="search.html"' not in (tmp_path / "site" / "index.html").read_text()


def test_a_missing_pagefind_is_a_warning_not_a_failure(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(search, "pagefind_command", lambda: None)
    result = build_site(ROOT / "content", tmp_path / "site")
    messages = [str(w) for w in result.warnings]
    assert any(m.startswith("warning: full-text search needs Pagefind: pip install 'pagefind[bin]'") for m in messages)
    assert (tmp_path / "site" / "doc" / "sample" / "09lima1669.html").exists()


@pytest.mark.slow
def test_live_preview_reindexes_an_edited_document(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    live = preview_session(None, tmp_path / "content", tmp_path / "site")
    assert not live.build().error and not live.search_stale
    lima = tmp_path / "content" / "sample" / "09LIMA1669.txt"
    lima.write_text(
        lima.read_text(encoding="utf-8").replace("warmly welcomes", "zanzibarish welcomes"), encoding="utf-8"
    )
    live.update({lima})
    live.drain()
    assert live.search_stale
    live.reindex_search()
    assert "zanzibarish" in indexed_text(tmp_path / "site")["/doc/sample/09lima1669.html"]
    assert not list((tmp_path / "site").glob(".pagefind*")), "the old bundle is removed"


def test_finder_data_lists_every_entity_under_each_word_initial(demo_site: Path) -> None:
    entities = json.loads((demo_site / "entities.json").read_text())["entities"]
    listed = (demo_site / "search" / "entities-_parts.js").read_text()
    assert json.loads(listed.split("=", 1)[1].rstrip().rstrip(";")) == sorted(FIRST_PARTS)  # the demo is small
    shards = {}
    for shard in FIRST_PARTS:
        script = (demo_site / "search" / f"entities-{shard}.js").read_text()
        assert script.startswith("(window.sitegenFinder = window.sitegenFinder || {})")
        assert "<" not in script
        shards[shard] = json.loads(script.split("=\n", 1)[1].rstrip().rstrip(";"))
    for entity in entities:
        words = [w for w in re.split(r"[^0-9a-z]+", fold(entity["name"])) if w]
        for word in words:
            rows = shards[word[0]]
            row = next((r for r in rows if r[0] == entity["name"] and r[1] == entity["type"].lower()), None)
            assert row is not None, (entity["name"], word)
            assert row[2] == entity["url"] and row[3] == entity["mentions"]
            assert (demo_site / row[2].partition("#")[0]).is_file()  # a page, or the A-Z page listing it
    # most-mentioned first within each part, documents (by their id) last
    for rows in shards.values():
        entities = [r[3] for r in rows if r[1] != "doc"]
        assert entities == sorted(entities, reverse=True)
        assert [r[1] for r in rows] == sorted((r[1] for r in rows), key=lambda kind: kind == "doc")


def test_document_pages_carry_search_filters(demo_site: Path) -> None:
    html = (demo_site / "doc" / "sample" / "09lima1669.html").read_text()
    filters = re.findall(r'data-pagefind-filter="(\w+)\[data-value\]" data-value="([^"]*)"', html)
    assert ("origin", "LIMA") in filters or any(k == "origin" for k, _ in filters)
    assert ("tag", "PREL") in filters and ("year", "2009") in filters
    assert ("classification", "CONFIDENTIAL") in filters
    assert not [k for k, _ in filters if k == "type"]  # nearly every cable has every type: it would narrow nothing
    assert scan_page(demo_site / "search.html").links


def test_search_is_skipped_with_a_warning_above_the_document_limit(tmp_path: Path) -> None:
    result = build_site(ROOT / "content", tmp_path / "site", search_max_documents=10)
    assert any(
        "full-text search is off: 41 documents is more than [search] max_documents = 10" in str(w)
        for w in result.warnings
    )
    assert not (tmp_path / "site" / "search.html").exists()
