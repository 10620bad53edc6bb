"""Full-text search (Pagefind) and the entity finder data, without a browser."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from sitegen.build import search
from sitegen.config import load_config
from sitegen.errors import ConfigError
from sitegen.model import fold
from sitegen.site.finder import FIRST_PARTS
from tests.conftest import ROOT, build_site, preview_session
from tests.linkcheck import scan_page


def indexed_text(site: Path) -> dict[str, str]:
    """Return the text Pagefind indexed, by page URL, over every part of the index."""
    pages = {}
    for fragment in (site / "pagefind").glob("p*/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd") :])
        assert data["url"] not in pages, f"{data['url']} is in two parts"
        pages[data["url"]] = data["content"]
    return pages


def part_pages(site: Path) -> dict[str, int]:
    """Return how many pages each part of the index holds, as the search page finds the parts."""
    listed = json.loads((site / "pagefind" / "parts.json").read_text())
    return {
        name: sum(
            lang["page_count"]
            for lang in json.loads((site / "pagefind" / name / "pagefind-entry.json").read_text())["languages"].values()
        )
        for name in listed["parts"]
    }


def test_only_documents_and_markdown_pages_are_indexed_without_tooltips(demo_site: Path) -> None:
    documents = len(list((demo_site / "doc").rglob("*.html")))
    pages = len(list((demo_site / "pages").rglob("*.html")))
    assert part_pages(demo_site) == {"p1": documents + pages}  # a small site is one part
    text = indexed_text(demo_site)
    assert set(text) == {
        "/" + p.relative_to(demo_site).as_posix()
        for p in [*(demo_site / "doc").rglob("*.html"), *(demo_site / "pages").rglob("*.html")]
    }
    sample = text["/doc/sample/09lima1669.html"]
    assert "warmly welcomes" in sample
    assert "documents ·" not in sample and "¶" not in sample  # tooltips and permalinks are not text


def test_a_large_site_is_indexed_whole_in_parts_of_the_configured_size(tmp_path: Path) -> None:
    result = build_site(ROOT / "content", tmp_path / "site", search_part_megabytes=0.25)
    site = tmp_path / "site"
    assert not [w for w in result.warnings if "Pagefind" in w.message or "search" in w.message]
    html = [p for folder in ("doc", "pages") for p in (site / folder).rglob("*.html")]
    parts = part_pages(site)
    assert len(parts) >= 5 and sum(parts.values()) == len(html)  # every page, each in one part
    assert set(indexed_text(site)) == {"/" + p.relative_to(site).as_posix() for p in html}
    assert (site / "pagefind" / "pagefind-ui.js").is_file()  # the interface, beside the parts
    sizes = dict.fromkeys(parts, 0)
    for page in html:
        path = page.relative_to(site).as_posix()
        sizes[f"p{search.part_of(path, json.loads((site / 'pagefind' / 'parts.json').read_text())['count']) + 1}"] += (
            page.stat().st_size
        )
    assert max(sizes.values()) < 3 * 0.25 * 2**20  # parts are about the size asked for


def test_an_edit_reindexes_only_the_part_of_the_pages_it_changed(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    site = tmp_path / "site"
    build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    count = json.loads((site / "pagefind" / "parts.json").read_text())["count"]
    mine = f"p{search.part_of('doc/sample/09lima1669.html', count) + 1}"
    before = {part.name: part.stat().st_ino for part in (site / "pagefind").glob("p*")}
    lima = tmp_path / "content" / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly welcomes", "zanzibarish welcomes"), "utf-8")
    build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    after = {part.name: part.stat().st_ino for part in (site / "pagefind").glob("p*")}
    assert set(after) == set(before)
    assert {name for name in after if after[name] != before[name]} == {mine}
    assert "zanzibarish" in indexed_text(site)["/doc/sample/09lima1669.html"]


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
    assert not list((tmp_path / "site" / "pagefind").glob(".*")), "the old bundle is removed"
    assert not list(tmp_path.glob(".*sitegen-search")), "and so are the pages laid out for Pagefind"


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


def test_the_old_document_limit_is_an_error_that_says_what_replaced_it(tmp_path: Path) -> None:
    (tmp_path / "sitegen.toml").write_text("[search]\nmax_documents = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"max_documents is no longer used: every document is indexed"):
        load_config(tmp_path / "sitegen.toml")


def test_indexing_stops_at_once_when_cancelled_and_leaves_a_usable_index(tmp_path: Path, monkeypatch) -> None:
    import threading
    import time

    site = tmp_path / "site"
    build_site(ROOT / "content", site)
    parts = json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8"))
    real = search.pagefind_command()
    assert real is not None
    slow = tmp_path / "slow-pagefind"  # Pagefind on a large archive: here, one that takes 30 s
    slow.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_command", lambda: [str(slow)])
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    index = search.build_index(site, 150_000_000, cancel=cancel)
    assert index.cancelled and time.monotonic() - started < 2
    assert json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8")) == parts  # as it was
    assert not list(tmp_path.glob(".*sitegen-search")) and not list((site / "pagefind").glob(".*sitegen-tmp"))
