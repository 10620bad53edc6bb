"""Entity pages for research: where a reader is in a long list."""

from __future__ import annotations

import csv
import json
import re
import shutil
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


def test_without_script_a_timeline_bar_leads_to_the_entitys_documents_of_its_year(browser, long_lists: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((long_lists / "entity/loc/peru.html").as_uri())
    assert not page.locator("details.facets").is_visible()  # the page is its plain list
    bars = page.locator(".timeline-bars a")
    assert bars.count() >= 2
    table = [row.locator("td").all_text_contents() for row in page.locator(".timeline-table tbody tr").all()]
    assert sum(int(cells[1].replace(",", "")) for cells in table) == int(
        page.locator(".meta dd").nth(2).inner_text().replace(",", "")
    )  # the bars add up to the entity's mentions
    year = bars.first.get_attribute("data-year")
    bars.first.click()
    page.wait_for_url(f"**#year-{year}")
    target = page.locator(f"#year-{year}")
    assert target.count() == 1 and f"· {year}" in target.locator(".doc-meta").inner_text()
    context.close()


MENTION = re.compile(r'<a class="m m-\w+" href="([^"#]+)')
BLOCK = re.compile(r'<(?:div|section|header|footer|p)\b[^>]* id="(?:par[^"]*|header|signature)"')


def named_together(doc: Path, one: str, other: str) -> bool:
    """Return True when a block of a document page links mentions to both entity pages."""
    blocks = BLOCK.split(doc.read_text(encoding="utf-8"))[1:]
    return any(
        {one, other} <= {href.rsplit("/", 2)[-2] + "/" + href.rsplit("/", 1)[-1] for href in MENTION.findall(block)}
        for block in blocks
    )


def plain_list(page) -> list[tuple[str, str]]:
    """Return the documents of the entity's plain list: (link, meta)."""
    items = page.locator("ol.occurrences > li")
    return [
        (items.nth(i).locator("h3 a").get_attribute("href"), items.nth(i).locator(".doc-meta").inner_text())
        for i in range(items.count())
    ]


def filtered(page) -> list[str]:
    page.locator(".facet-results").wait_for(state="visible")
    return page.locator("ol.filtered > li h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_the_timeline_and_the_facets_narrow_an_entitys_documents_from_disk_and_over_http(
    browser, long_lists: Path
) -> None:
    from tests.conftest import serve_folder

    base, server = serve_folder(long_lists)
    try:
        for start in ((long_lists / "entity/loc/peru.html").as_uri(), base + "entity/loc/peru.html"):
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.goto(start)
            every = plain_list(page)
            assert len(every) == 20 and not page.locator("script[src$='.facets.js']").count()  # loaded when used
            # A bar shows its year's documents, and only those.
            bar = page.locator(".timeline-bars a").first
            year = bar.get_attribute("data-year")
            bar.click()
            assert filtered(page) == [href for href, meta in every if f" {year}" in meta]
            assert page.locator(".facet-status").inner_text() == f"{len(filtered(page))} of 20 documents"
            assert not page.locator("ol.occurrences").is_visible()
            # Year and origin together: any chosen year, and the origin.
            page.locator(".facet-clear").click()
            assert page.locator("ol.occurrences").is_visible() and not page.locator("ol.filtered > li").count()
            page.locator(".facet-year label", has_text="2006").locator("input").check()
            page.locator(".facet-year label", has_text="2005").locator("input").check()
            page.locator(".facet-origin label", has_text="LIMA").locator("input").check()
            expected = [h for h, m in every if m.startswith("LIMA ·") and re.search(r"· 200[56]\b", m)]
            assert 0 < len(expected) < 20 and filtered(page) == expected
            # The counts say what each choice would give.
            santiago = page.locator(".facet-origin label", has_text="SANTIAGO")
            n = int(re.search(r"\((\d+)\)", santiago.inner_text()).group(1))
            assert n == len([h for h, m in every if m.startswith("SANTIAGO ·") and re.search(r"· 200[56]\b", m)])
            # The address keeps the choice; opening it again shows the same documents.
            assert "#filter=" in page.url and "origin=LIMA" in page.url
            page.goto("about:blank")
            page.goto(start.split("#")[0] + "#filter=year=2006&year=2005&origin=LIMA")
            assert filtered(page) == expected
            # "both": the documents where the other entity is named in a paragraph with it.
            folder = (long_lists / "entity/loc/peru.html").parent
            for n in (0, 7, -1):
                page.goto(start.split("#")[0])
                both = page.locator("a.both").nth(n)
                other = both.locator("xpath=..").locator("a.ent").get_attribute("href").rsplit("/", 2)
                both.click()
                together = filtered(page)
                for href, _ in every:
                    named = named_together((folder / href).resolve(), "loc/peru.html", other[-2] + "/" + other[-1])
                    assert (href in together) == named, (other, href)
                assert together and len(together) < 20
            # Two entities named with it: the documents naming each of them with it.
            page.goto(start.split("#")[0])
            page.locator("details.facets summary").click()
            boxes = page.locator(".facet-with input")
            boxes.first.wait_for()
            labels = [boxes.nth(i).evaluate("b => b.parentNode.textContent.trim()") for i in (0, 1)]
            shown = [re.fullmatch(r"(.+) \((Person|Location|Organisation|Other)\) \(\d+\)", label) for label in labels]
            assert all(shown), labels  # each entity with its type's name and how many documents it gives
            names = [found.group(1) for found in shown]
            kinds = {"Person": "per", "Location": "loc", "Organisation": "org", "Other": "misc"}
            boxes.nth(0).check()
            boxes.nth(1).check()
            hrefs = {
                name: page.locator("ol.ranked-bars a.ent", has_text=name).first.get_attribute("href").rsplit("/", 2)
                for name in names
            }
            both_of = [
                h
                for h, _ in every
                if all(
                    named_together((folder / h).resolve(), "loc/peru.html", f"{x[-2]}/{x[-1]}") for x in hrefs.values()
                )
            ]
            assert [hrefs[found.group(1)][-2] for found in shown] == [kinds[found.group(2)] for found in shown]
            assert filtered(page) == both_of
            assert not errors
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
    from sitegen.render.escape import script_json
    from sitegen.site import finder

    monkeypatch.setattr(finder, "PART_BYTES", 2_000)
    monkeypatch.setattr(finder, "TOP_BYTES", 1_500)
    names = [
        f"{first}{second}{third} Name{i}" for i in range(40) for first in "ta" for second in "hoe" for third in "rnm"
    ]
    rows = [
        (script_json([name, "per", f"entity/per/{i}.html", 1000 - i]), finder.words(name))
        for i, name in enumerate(names)
    ]
    parts = finder.finder_parts([row for row, _ in rows], [found for _, found in rows])
    sizes = {name: sum(len(rows[n][0]) + 1 for n in members) for name, members in parts.items()}
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


def test_a_timeline_of_a_few_years_is_drawn_by_month_and_a_longer_one_by_year() -> None:
    from sitegen.site.timeline import timeline

    counts = {"2008": (3, 2), "2009": (4, 1)}
    months = {"2008-03": (2, 1), "2008-11": (1, 1), "2009-01": (4, 1)}
    drawn = timeline(counts, lambda period: f"#{period}", "mentions", months)
    assert drawn is not None and drawn.unit == "month"
    assert [bar.year for bar in drawn.bars][:2] == ["2008-03", "2008-04"] and len(drawn.bars) == 11
    assert [(bar.label, bar.count, bar.href) for bar in drawn.bars if bar.count] == [
        ("Mar 2008", 2, "#2008-03"),
        ("Nov 2008", 1, "#2008-11"),
        ("Jan 2009", 4, "#2009-01"),
    ]
    assert (drawn.first, drawn.last) == ("Mar 2008", "Jan 2009")
    longer = timeline({**counts, "2005": (1, 1)}, str, "mentions", {**months, "2005-06": (1, 1)})
    assert longer is not None and longer.unit == "year" and len(longer.bars) == 5
    undated = timeline(counts, str, "mentions", {"2008-03": (1, 1), "2009-01": (1, 1)})  # most have no month
    assert undated is not None and undated.unit == "year"


def test_a_month_bar_narrows_an_entitys_documents_to_its_month(browser, tmp_path: Path) -> None:
    build_site(ROOT / "content", tmp_path / "site", research_min_documents=2)
    page = browser.new_page()
    page.goto((tmp_path / "site/entity/loc/embassy-caracas.html").as_uri())
    bars = page.locator(".timeline-bars a[data-month]")
    assert bars.count() >= 2
    assert page.locator(".timeline-table th").first.text_content() == "Month"
    month = bars.last.get_attribute("data-month")
    every = plain_list(page)
    bars.last.click()
    shown = filtered(page)
    assert shown and shown == [href for href, meta in every if f"· {month}" in meta]
    page.close()


def test_each_types_index_has_a_timeline_of_its_mentions(demo_site: Path) -> None:
    html = (demo_site / "entities" / "per.html").read_text(encoding="utf-8")
    assert not (demo_site / "entities" / "per.2.html").exists()  # every person is on this page
    timeline = html[html.index('class="timeline"') : html.index("</section>", html.index('class="timeline"'))]
    per_year = [int(n.replace(",", "")) for n in re.findall(r"</a></td><td>([\d,]+)</td>", timeline)]
    listed = html[html.index("</section>", html.index('class="timeline"')) :]
    counts = [int(n.replace(",", "")) for n in re.findall(r'<span class="count">([\d,]+)</span>', listed)]
    assert len(per_year) >= 3 and sum(per_year) == sum(counts)
    assert re.search(r'<a href="../year/\d{4}.html" data-year="\d{4}"', timeline)


def test_only_entities_named_in_enough_documents_have_a_filter(demo_site: Path) -> None:
    """A filter narrows nothing on a page that shows an entity's few documents: no data file is written."""
    pages = sorted((demo_site / "entity").glob("*/*.html"))
    checked = {"with": 0, "without": 0}
    for page in pages:
        if re.search(r"\.\d+\.html$", page.name):
            continue  # later pages of a long list
        html = page.read_text(encoding="utf-8")
        found = re.search(r"<dt>Documents</dt><dd>([\d,]+)</dd>", html)
        if found is None:
            continue  # an alias's page that leads to its entity's
        documents = int(found.group(1).replace(",", ""))
        script = page.with_name(page.name.removesuffix(".html") + ".facets.js")
        if documents >= 5:
            assert 'data-facets="' in html and script.exists(), page
            checked["with"] += 1
        else:
            assert "data-facets" not in html and "data-with" not in html and not script.exists(), page
            checked["without"] += 1
    assert checked["with"] >= 5 and checked["without"] >= 50, checked


def test_only_an_entity_named_in_enough_documents_has_a_timeline_related_entities_and_filters(
    demo_site: Path,
) -> None:
    rows = {row["url"]: int(row["documents"]) for row in csv.DictReader(open(demo_site / "entities.csv"))}
    few = [url for url, docs in rows.items() if url.startswith("entity/") and 2 <= docs < 5]
    many = [url for url, docs in rows.items() if url.startswith("entity/") and docs >= 5]
    assert few and many
    for url in few[:20]:
        html = (demo_site / url).read_text(encoding="utf-8")
        assert 'class="timeline"' not in html and "related-title" not in html and "data-facets" not in html, url
        assert html.count('<li id="year-') + html.count("<li><h3>") == rows[url]  # every document is listed
        assert not (demo_site / url.replace(".html", ".facets.js")).exists()
    for url in many[:20]:
        html = (demo_site / url).read_text(encoding="utf-8")
        assert 'class="timeline"' in html and "related-title" in html and "data-facets" in html, url
        assert (demo_site / url.replace(".html", ".facets.js")).is_file()


def test_the_rows_of_a_few_characters_are_those_of_every_row_that_has_a_word_starting_with_them(
    tmp_path: Path,
) -> None:
    from sitegen.site import finder

    content = tmp_path / "content"
    content.mkdir()
    texts = {
        "a.txt": "[PER Zoë Quist  ] met [PER Quentin Ärger  ] and [ORG _Zeta 9 Group  ] in [LOC Zürich  ] .",
        "b.txt": "[PER Zara Zed  ] , [PER Øyvind Qvale  ] and [MISC 2010s  ] ; [ORG ...  ] [LOC Quito  ] .",
        "c.txt": "[PER Alan Garcia  ] and [PER Quentin Ärger  ] in [LOC Lima  ] .",
        # As often named and of one name: in the order of their keys, whatever the order of types.
        "d.txt": "[PER Lima  ] and [ORG LIMA  ] .",
    }
    for name, text in texts.items():
        (content / name).write_text(text + "\n", encoding="utf-8")
    shutil.copy(ROOT / "content" / "cables" / "02BOGOTA3281.txt", content)  # a cable, found by its id
    memos = [("memo BOGOTA-7", "Lima"), ("Ämter Qu 9", "Quito"), ("...Zeta", "Lima")]  # ids of words of their own
    (content / "memos.jsonl").write_text(
        "".join(
            json.dumps({"text": f"{place} .", "spans": [[0, len(place), "LOC"]], "meta": {"id": ident}}) + "\n"
            for ident, place in memos
        ),
        encoding="utf-8",
    )
    result = build_site(content, tmp_path / "site", search=False)
    assert result.state is not None
    site = result.state.site
    every = list(zip(*finder.finder_rows(site)))
    # Entities most-mentioned first, then by folded name, then by key; then the documents.
    corpus, by_row = site.corpus, {site.entity_row(key).finder: key for key in site.corpus.entities}
    shown = [by_row[row] for row, _ in every if row in by_row]
    assert shown == sorted(corpus.entities, key=lambda k: (-corpus.mention_total(k), corpus.name(k).casefold(), k))
    assert [row for row, _ in every[len(shown) :]] == [row for row, _ in every if row not in by_row]
    assert shown.index(("ORG", "lima")) + 1 == shown.index(("PER", "lima"))  # one name and count: by key
    for letters in (["q"], ["z", "q"], ["_"], ["9", "2"], ["y", "o"], ["a"], ["x"], ["0"], ["b"], ["m"], ["l"]):
        site.forget_entities()  # as after an edit: the rows of the characters its rows' words start with
        few = [
            (row, sorted(w for w in found if w[0] in letters)) for row, found in zip(*finder.finder_rows(site, letters))
        ]
        expected = [(row, sorted(w for w in found if w[0] in letters)) for row, found in every]
        assert few == [(row, found) for row, found in expected if found], letters  # the same rows, in the same order
        assert (
            len(few)
            == {"q": 5, "z": 9, "_": 4, "9": 3, "y": 4, "a": 8, "x": 0, "0": 1, "b": 2, "m": 2, "l": 5}[letters[0]]
        ), letters
    site.forget_entities()
    for letters in (["q"], ["z", "q"], ["a", "z", "_"], ["q"]):  # as a preview asks, a few at a time after one change
        few = [
            (row, sorted(w for w in found if w[0] in letters)) for row, found in zip(*finder.finder_rows(site, letters))
        ]
        expected = [(row, sorted(w for w in found if w[0] in letters)) for row, found in every]
        assert few == [(row, found) for row, found in expected if found], letters
