"""Data and discovery files: they parse, and they agree with the pages."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from sitegen.build import write
from sitegen.config import load_config
from sitegen.errors import ConfigError
from sitegen.site import exports, pages
from sitegen.site.finder import FIRST_PARTS
from tests.conftest import ROOT, build_site
from tests.linkcheck import check_site, scan_page

ATOM = "{http://www.w3.org/2005/Atom}"


def test_entities_json_and_csv_agree_with_the_entity_pages(demo_site: Path) -> None:
    data = json.loads((demo_site / "entities.json").read_text(encoding="utf-8"))["entities"]
    pages = {
        p.relative_to(demo_site).as_posix()
        for p in (demo_site / "entity").rglob("*.html")
        if p.name.count(".") == 1 and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")  # not redirects
    }
    assert {e["url"] for e in data if "#" not in e["url"]} == pages
    listed = [e for e in data if "#" in e["url"]]  # mentioned once: an entry on the A-Z index
    assert listed and all(e["mentions"] == 1 for e in listed)
    for entity in listed:
        path, fragment = entity["url"].split("#")
        assert f'<li id="{fragment}" class="listed">' in (demo_site / path).read_text(encoding="utf-8")
    for entity in [e for e in data if "#" not in e["url"]][:50]:
        html = (demo_site / entity["url"]).read_text(encoding="utf-8")
        assert f"<dt>Documents</dt><dd>{entity['documents']:,}</dd>" in html
        assert f"<dt>Mentions</dt><dd>{entity['mentions']:,}</dd>" in html
        assert sum(f["count"] for f in entity["forms"]) == entity["mentions"]
    with (demo_site / "entities.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["type"], r["name"], int(r["mentions"]), r["url"]) for r in rows] == [
        (e["type"], e["name"], e["mentions"], e["url"]) for e in data
    ]


def test_whole_site_data_files_are_written_in_parts_that_join_into_the_same_files(
    demo_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """entities.json and entities.csv are made a few entities at a time, never held whole, from rows
    made once per entity for them and the finder."""
    monkeypatch.setattr(exports, "PART", 7)
    made, whole, rows, real_row = [], exports.entities_json, Counter(), pages.entity_row

    def counted(site):
        for part in whole(site):
            made.append(part)
            yield part

    def each_row(site, key):
        rows[key] += 1
        return real_row(site, key)

    monkeypatch.setattr(exports, "entities_json", counted)
    monkeypatch.setattr(pages, "entity_row", each_row)
    monkeypatch.setattr(write, "entity_row", each_row)
    build_site(ROOT / "content", tmp_path / "site")
    entities = len(json.loads((demo_site / "entities.json").read_text(encoding="utf-8"))["entities"])
    assert len(made) == 2 + -(-entities // 7)
    assert len(rows) == entities and set(rows.values()) == {1}  # for the JSON, the CSV and the finder
    finder = sorted(p.relative_to(demo_site) for p in (demo_site / "search").glob("entities-*.js"))
    assert len(finder) == len(FIRST_PARTS) + 1  # a part per first character, and the list of parts
    for name in ["entities.json", "entities.csv", *finder]:
        assert (tmp_path / "site" / name).read_bytes() == (demo_site / name).read_bytes(), name


def test_document_json_matches_its_page(demo_site: Path) -> None:
    page = demo_site / "doc/sample/09lima1669.html"
    data = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["source"] == "sample/09LIMA1669.txt" and data["header"]["origin"] == "LIMA"
    assert data["header"]["tags"] == ["PREL", "PGOV", "PTER", "MASS", "MOPS", "SOCI", "PE"]
    scan = scan_page(page)
    assert len(data["mentions"]) == len(scan.mentions)
    assert [p["id"] for p in data["paragraphs"]] == [f"par{i}" for i in range(1, 10)]
    source = (ROOT / "content" / data["source"]).read_text(encoding="utf-8").split("\n")
    for mention in data["mentions"]:
        line = source[mention["line"] - 1]
        written = re.match(r"\[(PER|LOC|ORG|MISC) (.*?)\s*\]", line[mention["column"] - 1 :])
        assert written and written.group(2) == mention["text"]  # the type may be the authority file's
        assert mention["entity"].startswith(mention["type"].lower() + ":")
        assert (demo_site / mention["entity_url"].partition("#")[0]).is_file()
    assert 'href="../../doc/sample/09lima1669.json"' in page.read_text(encoding="utf-8")


def test_feed_robots_and_page_metadata(demo_site: Path) -> None:
    feed = ET.parse(demo_site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 50
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    for entry in entries:
        assert (demo_site / entry.find(f"{ATOM}link").get("href")).is_file()
    assert (demo_site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert not (demo_site / "sitemap.xml").exists()
    html = (demo_site / "doc/sample/09lima1669.html").read_text(encoding="utf-8")
    for needle in (
        '<meta property="og:title" content="09LIMA1669: SCENESETTER',
        '<meta property="og:type" content="article">',
        '<meta name="description" content="',
        'type="application/atom+xml"',
    ):
        assert needle in html
    # An entity page's description says what it is; the editor's description is on the page and in it.
    shining = scan_meta(demo_site / "entity/org/shining-path.html")
    assert re.fullmatch(r"Organisation Shining Path: \d+ documents?, \d+ mentions?\. Sendero Luminoso, .*", shining)
    assert '<p class="description">Sendero Luminoso' in (demo_site / "entity/org/shining-path.html").read_text()
    garcia = scan_meta(demo_site / "entity/per/alan-garcia.html")
    assert re.fullmatch(r"Person Alan Garcia: \d+ documents?, \d+ mentions?", garcia)
    assert 'class="description"' not in (demo_site / "entity/per/alan-garcia.html").read_text()


def scan_meta(page: Path) -> str:
    """Return a page's meta description, checking that Open Graph says the same."""
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert found and f'<meta property="og:description" content="{found[1]}">' in html
    return found[1]


def test_sitemap_and_absolute_urls_with_a_base_url(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(ROOT / "tests" / "golden" / "content", out, base_url="https://example.org/archive/")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = [u.find(f"{ns}loc").text for u in ET.parse(out / "sitemap.xml").getroot()]
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.name != "404.html")
    assert urls == ["https://example.org/archive/" + p for p in pages]
    assert "Sitemap: https://example.org/archive/sitemap.xml" in (out / "robots.txt").read_text()
    data = json.loads((out / "entities.json").read_text(encoding="utf-8"))["entities"]
    assert all(
        e["url"].startswith(("https://example.org/archive/entity/", "https://example.org/archive/entities/"))
        for e in data
    )
    assert '<base href="https://example.org/archive/">' in (out / "404.html").read_text(encoding="utf-8")


def test_a_site_without_source_views_or_data_files_neither_writes_nor_links_them(tmp_path: Path) -> None:
    content, out = ROOT / "tests" / "golden" / "content", tmp_path / "site"
    base = "https://example.org/archive/"
    build_site(content, out, base_url=base)
    assert list((out / "source").rglob("*.html")) and list((out / "doc").rglob("*.json"))
    build_site(content, out, base_url=base, source_views=False, document_data=False)  # in place: both go
    assert not (out / "source").exists() and not list((out / "doc").rglob("*.json"))
    broken = [p for p in check_site(out).problems if f"link '{base}" not in p]  # not the canonical links
    assert not broken, broken[:5]
    hrefs = [url for page in out.rglob("*.html") for _, url in scan_page(page).links]
    data = [h for h in hrefs if h.split("#")[0].endswith(".json") and not h.endswith("entities.json")]
    assert not data and not [h for h in hrefs if "source/" in h]
    doc = (out / "doc" / "09quito160.html").read_text(encoding="utf-8")
    assert "Annotated source" not in doc and "source-link" not in doc and 'class="doc-data"' not in doc
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    listed = [u.find(f"{ns}loc").text for u in ET.parse(out / "sitemap.xml").getroot()]
    assert listed and not [u for u in listed if "/source/" in u]
    build_site(content, out, base_url=base, source_views=True, document_data=False)  # views back, no data
    view = (out / "source" / "09quito160.html").read_text(encoding="utf-8")
    assert "Back to the document" in view and ".json" not in view
    doc = (out / "doc" / "09quito160.html").read_text(encoding="utf-8")
    assert "Annotated source" in doc and "source-link" in doc and "as data (JSON)" not in doc
    assert not [p for p in check_site(out).problems if f"link '{base}" not in p]


def test_the_switches_of_source_views_and_data_files_are_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "sitegen.toml"
    config.write_text("[pages]\nsource_views = false\ndocument_data = true\n", encoding="utf-8")
    settings = load_config(config)
    assert (settings.source_views, settings.document_data, load_config(None).source_views) == (False, True, True)
    config.write_text('[pages]\nsource_views = "no"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[pages\] source_views must be true or false, not 'no'"):
        load_config(config)
    config.write_text("[pages]\nsource_view = false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key 'source_view' in \[pages\]; known keys: .*source_views"):
        load_config(config)
