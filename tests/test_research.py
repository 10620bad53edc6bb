"""Entity pages for research: where a reader is in a long list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.site.pages import pager
from tests.conftest import ROOT, build_site


def shown(page: int, pages: int) -> list[str]:
    return [link.text for link in pager(lambda n: f"list.{n}.html", "list.html", page, pages).links]


def test_a_long_lists_pager_shows_first_last_neighbours_and_ellipses() -> None:
    assert shown(1, 119) == ["1", "2", "3", "4", "…", "119"]
    assert shown(57, 119) == ["1", "…", "54", "55", "56", "57", "58", "59", "60", "…", "119"]
    assert shown(119, 119) == ["1", "…", "116", "117", "118", "119"]
    assert shown(5, 119)[:7] == ["1", "2", "3", "4", "5", "6", "7"]  # no ellipsis for no gap
    assert shown(3, 12) == [str(n) for n in range(1, 13)]  # a short list shows every page


@pytest.fixture(scope="module")
def long_lists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("long") / "site"
    build_site(ROOT / "content", out, entities_per_page=10)
    return out


def test_the_jump_to_a_page_goes_there(browser, long_lists: Path) -> None:
    page = browser.new_page()
    page.goto((long_lists / "entities" / "org.html").as_uri())
    pager = page.get_by_role("navigation", name="Pages of the index")
    assert pager.locator(".gap").count() == 1
    last = int(pager.locator("li").last.inner_text())
    assert last > 30
    box = pager.get_by_role("spinbutton", name="Page")
    box.fill("25")
    box.press("Enter")
    page.wait_for_url("**/entities/org.25.html")
    assert page.get_by_role("navigation", name="Pages of the index").locator(".gap").count() == 2
    page.close()


def test_a_timeline_bar_leads_to_the_entitys_documents_of_its_year(browser, long_lists: Path) -> None:
    from tests.conftest import serve_folder

    base, server = serve_folder(long_lists)
    try:
        for start in ((long_lists / "entity/loc/peru.html").as_uri(), base + "entity/loc/peru.html"):
            page = browser.new_page()
            page.goto(start)
            bars = page.locator(".timeline-bars a")
            assert bars.count() >= 2
            table = [row.locator("td").all_text_contents() for row in page.locator(".timeline-table tbody tr").all()]
            assert sum(int(cells[1].replace(",", "")) for cells in table) == int(
                page.locator(".meta dd").nth(2).inner_text().replace(",", "")
            )  # the bars add up to the entity's mentions
            label = bars.first.get_attribute("aria-label")
            year = label[:4]
            bars.first.click()
            page.wait_for_url(f"**#year-{year}")
            target = page.locator(f"#year-{year}")
            assert target.count() == 1 and f"· {year}" in target.locator(".doc-meta").inner_text()
            page.close()
    finally:
        server.shutdown()


def test_the_home_page_timeline_counts_documents_per_year(demo_site: Path) -> None:
    html = (demo_site / "index.html").read_text(encoding="utf-8")
    counts = [
        int(n.replace(",", ""))
        for n in re.findall(r'<tr><td><a href="year/\d{4}.html">\d{4}</a></td><td>([\d,]+)</td>', html)
    ]
    assert sum(counts) == 41


def choose(parts: set[str], query: str) -> str:
    """Return the part the finder loads for a query (as sitegen.js chooses it)."""
    if not re.match(r"[a-z0-9]", query):
        return "_"
    word = max(re.split(r"[^0-9a-z]+", query), key=len)
    return next((word[:n] for n in range(len(word), 1, -1) if word[:n] in parts), word[0])


def test_finder_parts_stay_small_and_every_name_is_found_by_every_prefix(monkeypatch) -> None:
    from sitegen.site import finder

    monkeypatch.setattr(finder, "PART_BYTES", 2_000)
    monkeypatch.setattr(finder, "TOP_BYTES", 1_500)
    names = [
        f"{first}{second}{third} Name{i}" for i in range(40) for first in "ta" for second in "hoe" for third in "rnm"
    ]
    rows = [([name, "per", f"entity/per/{i}.html", 1000 - i], finder.words(name)) for i, name in enumerate(names)]
    parts = finder.finder_parts(rows)
    sizes = {name: sum(len(finder._dumps(rows[n][0])) + 1 for n in members) for name, members in parts.items()}
    assert len(parts) > len(finder.FIRST_PARTS)  # t and a were split
    assert all(size <= 2_000 for size in sizes.values()), sizes
    for number, (row, words) in enumerate(rows):
        for word in words:
            for length in range(1, len(word) + 1):
                query = word[:length]
                members = set(parts[choose(set(parts), query)])
                matching = [n for n, (_, w) in enumerate(rows) if any(x.startswith(query) for x in w)]
                assert set(matching[:12]) <= members, (query, row)  # the first screen of matches is there
            assert number in parts[choose(set(parts), word)], (word, row)  # the whole word finds it


def test_an_origins_timeline_leads_to_its_documents_of_each_year(browser, long_lists: Path) -> None:
    page = browser.new_page()
    page.goto((long_lists / "origin" / "lima.html").as_uri())
    bars = page.locator(".timeline-bars a")
    years = [bars.nth(i).get_attribute("aria-label")[:4] for i in range(bars.count())]
    assert len(years) >= 2
    bars.last.click()
    page.wait_for_url(f"**#year-{years[-1]}")
    row = page.locator(f"tr#year-{years[-1]}")
    assert row.count() == 1 and years[-1] in row.locator("td").nth(2).inner_text()
    page.close()
