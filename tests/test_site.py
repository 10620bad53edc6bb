"""A built site as a reader meets it: links, mentions, tags, pages and escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.build.sources import find_sources, read_source
from sitegen.index.resolve import Resolver
from sitegen.parse.authority import load_authority
from tests.conftest import ROOT, build_site
from tests.linkcheck import check_site, scan_page


@pytest.mark.slow
def test_demo_site_has_no_broken_links_and_every_mention_links_both_ways(demo_site: Path) -> None:
    result = check_site(demo_site)
    assert result.problems == []
    assert result.pages > 600 and result.mentions > 4000


def test_every_parsed_mention_is_rendered_as_a_link(demo_site: Path) -> None:
    sources, _ = find_sources(ROOT / "content")
    resolve = Resolver(load_authority(ROOT / "entities.toml"))  # names the demo's authority file drops are text
    parsed = sum(
        len(resolve(read_source(rel, path).document).mentions) for rel, path in sources if rel.endswith(".txt")
    )
    rendered = sum(len(scan_page(p).mentions) for p in (demo_site / "doc").rglob("*.html"))
    assert rendered == parsed


def test_document_page_follows_the_html_contract(demo_site: Path) -> None:
    html = (demo_site / "doc/sample/09lima1669.html").read_text(encoding="utf-8")
    mentions = re.findall(r'<a class="m m-(\w+)" href="([^"]+)"', html)
    assert mentions and all(
        href.startswith(f"../../entity/{css}/")
        or re.fullmatch(rf"\.\./\.\./entities/{css}(\.\d+)?\.html#e-[a-z0-9-]+", href)
        for css, href in mentions
    )
    assert {css for css, _ in mentions} == {"per", "loc", "org", "misc"}
    listed = [href for _, href in mentions if "#e-" in href]
    assert listed, "entities mentioned once link to their entry on the A-Z index"
    assert re.findall(r'<div class="par" id="(par\d+)">', html) == [f"par{i}" for i in range(1, 10)]
    assert '<a class="permalink" href="#par3">3.</a>' in html  # a paragraph's number is its permalink
    assert 'href="../../tag/prel.html">PREL</a>' in html
    assert 'href="../../origin/lima.html">LIMA</a>' in html
    assert 'href="../../classification/confidential.html">CONFIDENTIAL</a>' in html
    assert 'href="../../year/2009.html">2009</a>' in html
    # Each entity's tooltip is on the page once, however often it is mentioned: a description that
    # its mentions name, and the text the theme shows on hover, in the page's head.
    tips = re.findall(r'aria-describedby="(tip-\d+)">Alan Garcia</a>', html)
    assert tips and len(set(tips)) == 1
    described = re.findall(r'aria-describedby="(tip-\d+)"', html)
    assert max(described.count(tip) for tip in described) > 3  # one tooltip for many mentions
    described = re.search(rf'<li id="{tips[0]}">(.*?)</li>', html).group(1)
    assert described.startswith("Person: Alan Garcia, ") and re.search(r"\d+ documents? · \d+ mentions?$", described)
    shown = re.search(rf'\[aria-describedby="{tips[0]}"\]{{--tip:"(.*?)"}}', html).group(1)
    assert re.fullmatch(r"Person\\a Alan Garcia\\a \d+ documents? · \d+ mentions?", shown), shown
    assert html.count(f'id="{tips[0]}"') == 1 and html.count(f'[aria-describedby="{tips[0]}"]') == 1


def test_home_page_shows_figures_and_documents(demo_site: Path) -> None:
    html = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "<dt>Documents</dt><dd>41</dd>" in html
    assert "Most-mentioned entities" in html
    assert html.count('<tr><td><a href="doc/') == 41


def test_build_output_contains_no_live_reload_or_absolute_links(demo_site: Path) -> None:
    for page in demo_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(href|src)="/', html), page
        assert "__sitegen" not in html and "EventSource" not in html, page


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "x.txt").write_text(
        "<code><pre>S E C R E T LIMA 000001 TAGS : <a href='/tag/\"><script>alert(1)</script>_0.html'>"
        "<img src=x onerror=alert(2)></a> SUBJECT : <script>alert(3)</script> "
        "<a id='par1' href='#par1'>¶</a>1 . \n"
        "[PER <script>alert(4)</script>  ] and <img src=x onerror=alert(5)> \" ' "
        '<a href="javascript:alert(6)">x</a> .\n</pre></code>',
        encoding="utf-8",
    )
    out = tmp_path / "site"
    build_site(content, out)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert 'href="javascript:' not in html, page
    assert check_site(out).problems == []


def build_peru_site(tmp_path: Path, documents: int, **settings) -> Path:
    """Build ``documents`` small documents that all name Peru; return the site folder."""
    content = tmp_path / "content"
    content.mkdir()
    for i in range(documents):
        (content / f"d{i:02}.txt").write_text(f"Doc {i} about [LOC Peru  ] .\n", encoding="utf-8")
    build_site(content, tmp_path / "site", **settings)
    return tmp_path / "site"


def test_paginated_entity_pages_keep_every_document(tmp_path: Path) -> None:
    out = build_peru_site(tmp_path, 7, entity_documents_per_page=3, documents_per_page=2)
    pages = sorted(p.name for p in (out / "entity/loc").iterdir())
    assert pages == ["peru.2.html", "peru.3.html", "peru.facets.js", "peru.html"]
    # each page numbers its documents on from the last: 1-3, 4-6, 7
    ols = [
        re.search(r'<ol class="occurrences"( start="\d+")?>', (out / "entity/loc" / name).read_text(encoding="utf-8"))
        for name in ("peru.html", "peru.2.html", "peru.3.html")
    ]
    assert [m.group(1) if m else "missing" for m in ols] == [None, ' start="4"', ' start="7"']
    assert sorted(p.name for p in out.glob("index*.html")) == [
        "index.2.html",
        "index.3.html",
        "index.4.html",
        "index.html",
    ]
    assert check_site(out).problems == []


def test_a_long_pager_links_the_first_last_and_nearby_pages(tmp_path: Path) -> None:
    out = build_peru_site(tmp_path, 40, entity_documents_per_page=1, documents_per_page=1)

    def pager_links(page: Path) -> list[str]:
        nav = re.search(r'<nav class="pager".*?</nav>', page.read_text(encoding="utf-8"), re.S).group(0)
        return [
            (href.rsplit("/", 1)[-1], n)
            for href, n in re.findall(r'<li>(?:<a href="([^"]+)">|<span aria-current="page">)(\d+)', nav)
        ]

    assert pager_links(out / "entity/loc/peru.20.html") == [
        ("peru.html", "1"),
        ("peru.17.html", "17"),
        ("peru.18.html", "18"),
        ("peru.19.html", "19"),
        ("", "20"),
        ("peru.21.html", "21"),
        ("peru.22.html", "22"),
        ("peru.23.html", "23"),
        ("peru.40.html", "40"),
    ]
    assert [n for _, n in pager_links(out / "index.html")] == ["1", "2", "3", "4", "40"]
    assert [n for _, n in pager_links(out / "index.40.html")] == ["1", "37", "38", "39", "40"]
    assert check_site(out).problems == []
