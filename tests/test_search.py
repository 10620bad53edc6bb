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


def part_folders(site: Path) -> dict[str, int]:
    """Return each part of the index with the inode of its folder, which indexing the part again replaces."""
    return {part.name: part.stat().st_ino for part in (site / "pagefind").glob("p*")}


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
    before = part_folders(site)
    lima = tmp_path / "content" / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly welcomes", "zanzibarish welcomes"), "utf-8")
    build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    after = part_folders(site)
    assert set(after) == set(before)
    assert {name for name in after if after[name] != before[name]} == {mine}
    assert "zanzibarish" in indexed_text(site)["/doc/sample/09lima1669.html"]


def test_an_edit_that_changes_other_pages_only_where_search_does_not_read_reindexes_one_part(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    site = tmp_path / "site"
    build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    count = json.loads((site / "pagefind" / "parts.json").read_text())["count"]
    edited = "doc/sample/09lima1669.html"
    # "Peruvian" is named in 15 documents, 44 times: its tooltip says the exact count.
    naming = [
        page.relative_to(site).as_posix()
        for page in (site / "doc").rglob("*.html")
        if "\\a Peruvian\\a 15 documents · 44 mentions" in page.read_text(encoding="utf-8")
    ]
    others = {search.part_of(path, count) for path in naming} - {search.part_of(edited, count)}
    assert edited in naming and others, "the pages that name Peruvian are in more than one part"
    before = part_folders(site)
    lima = tmp_path / "content" / "sample" / "09LIMA1669.txt"
    text = lima.read_text(encoding="utf-8").replace("warmly welcomes", "warmly welcomes [MISC Peruvian  ]")
    lima.write_text(text, "utf-8")
    build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    for path in naming:  # every page that names Peruvian is written again
        assert "\\a Peruvian\\a 15 documents · 45 mentions" in (site / path).read_text(encoding="utf-8")
    after = part_folders(site)
    assert {name for name in after if after[name] != before[name]} == {f"p{search.part_of(edited, count) + 1}"}
    assert "welcomes Peruvian" in indexed_text(site)["/" + edited]


def test_a_deleted_document_leaves_the_search_index(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    site = tmp_path / "site"
    build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    assert "/doc/sample/09lima1669.html" in indexed_text(site)
    (tmp_path / "content" / "sample" / "09LIMA1669.txt").unlink()
    result = build_site(tmp_path / "content", site, search_part_megabytes=0.25)
    assert result.update is not None and not (site / "doc" / "sample" / "09lima1669.html").exists()
    assert "/doc/sample/09lima1669.html" not in indexed_text(site)


def test_what_search_reads_of_a_page_leaves_out_only_what_pagefind_does_not_index(demo_site: Path) -> None:
    page = (demo_site / "doc" / "sample" / "09lima1669.html").read_bytes()
    read = search.searched_text(page)
    assert read != page and b"documents \xc2\xb7" not in read  # the tooltips' text is left out

    def same(old: bytes, new: bytes) -> bool:
        assert old in page, old
        return search.searched_text(page.replace(old, new)) == read

    tip = re.search(rb'aria-describedby="(tip-\d+)"', page).group(1)  # type: ignore[union-attr]
    assert same(b'<style id="tips">', b'<style id="tips">.x{--tip:"Location\\a Peru\\a 99 mentions"}')
    assert same(b'aria-describedby="' + tip + b'"', b'aria-describedby="tip-99"')
    assert same(b'href="../../entity/loc/peru.html"', b'href="../../entity/loc/peru-2.html"')
    neighbour = re.search(rb'<a rel="next" href="[^"]*"><span>Next \xe2\x86\x92</span> ([^<]+)</a>', page)
    assert neighbour is not None and same(neighbour.group(1), b"Another title")
    assert not same(b"warmly welcomes", b"warmly greets")
    assert not same(b'id="par3"', b'id="par33"')
    assert not same(b'data-value="LIMA"', b'data-value="QUITO"')
    assert not same(b'class="permalink"', b'class="number"')  # a class may leave text out of the index
    assert not same(b"<h1", b'<h1 data-pagefind-meta="title"')
    # An element left out of the index still gives its metadata and filters.
    ignored = b'<p data-pagefind-ignore><span data-pagefind-filter="who">Ana</span></p>'
    article = b"<article data-pagefind-body>"
    with_filter = search.searched_text(b"<body>" + article + ignored + b"</article></body>")
    assert with_filter != search.searched_text(
        b"<body>" + article + ignored.replace(b"Ana", b"Bo") + b"</article></body>"
    )
    # Without a marked body, or with search settings outside it, the page is compared whole.
    assert search.searched_text(b"<body><p>text</p></body>") == b"<body><p>text</p></body>"
    outside = b'<body><p data-pagefind-meta="x" title="a"></p>' + article + b"<p>t</p></article></body>"
    assert search.searched_text(outside) == outside


def test_what_search_reads_of_a_minified_page_still_follows_its_text(tmp_path: Path) -> None:
    """A minified page leaves out end tags such as ``</p>``: an element marked to be left out of the
    index whose end tag may be missing is kept, so that the text after it is still compared."""
    ignored = b"<body><article data-pagefind-body><p data-pagefind-ignore>links<p>the text</article>"
    assert search.searched_text(ignored) != search.searched_text(ignored.replace(b"the text", b"new words"))
    site = tmp_path / "site"
    build_site(ROOT / "content", site, search=False, minify=True)
    page = (site / "doc" / "sample" / "09lima1669.html").read_bytes()
    read = search.searched_text(page)
    assert read != page and b"documents \xc2\xb7" not in read  # the tooltips' text is left out
    assert b"</p>" not in page[page.find(b"class=doc-data") :][:400]  # its end tag is left out
    assert search.searched_text(page.replace(b"warmly welcomes", b"warmly greets")) != read
    last = page.rfind(b" <a class=source-link", 0, page.find(b"</article>"))
    assert last > 0 and search.searched_text(page[:last] + b" NEW" + page[last:]) != read  # the last paragraph
    tip = re.search(rb"aria-describedby=(tip-\d+) ", page).group(1)  # type: ignore[union-attr]
    assert search.searched_text(page.replace(b"aria-describedby=" + tip + b" ", b"aria-describedby=tip-99 ")) == read


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
