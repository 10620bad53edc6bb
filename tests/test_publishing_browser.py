"""Markdown pages, source views, full-text search and the entity finder in headless Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import serve_folder
from tests.helpers import tooltip

pytestmark = pytest.mark.browser
DOC = "doc/sample/09lima1669.html"
SOURCE = "source/sample/09lima1669.html"


@pytest.fixture(scope="module")
def served(demo_site: Path, tmp_path_factory: pytest.TempPathFactory):
    """Serve the demo site under a sub-path, as a static host would."""
    root = tmp_path_factory.mktemp("host")
    shutil.copytree(demo_site, root / "archive")
    base, server = serve_folder(root)
    yield base + "archive/"
    server.shutdown()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_full_text_search_finds_a_word_and_opens_the_document(page, served: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served + "index.html")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Search").click()
    page.wait_for_url("**/search.html")
    box = page.locator("#search input")
    box.wait_for(state="visible")
    box.fill("ussouthcom")
    result = page.locator(".pagefind-ui__result-link", has_text="USSOUTHCOM").first
    result.wait_for(state="visible", timeout=15_000)
    result.click()
    page.wait_for_url("**/doc/sample/09lima1669.html")
    assert "SCENESETTER" in page.locator("h1").inner_text().upper()
    # A cable is found by its reference id.
    page.goto(served + "search.html")
    page.locator("#search input").fill("09LIMA1669")
    result = page.locator(".pagefind-ui__result-link", has_text="09LIMA1669").first
    result.wait_for(state="visible", timeout=15_000)
    assert not errors


def test_search_results_show_each_cables_id_byline_and_best_paragraphs_with_filters_that_narrow(
    page, served: str
) -> None:
    page.goto(served + "search.html")
    page.locator("#search input").fill("warmly")
    # Pagefind shows a placeholder result first; wait for the loaded one.
    result = page.locator(".pagefind-ui__result", has=page.locator(".pagefind-ui__result-link")).first
    result.wait_for(state="visible", timeout=15_000)
    for name in ("classification", "tag", "origin", "year"):  # the filters appear one after another
        page.locator(".pagefind-ui__filter-name", has_text=name).first.wait_for(state="visible", timeout=15_000)
    text = result.inner_text()
    assert re.match(r"\d{2}[A-Z]+\d+: ", text), text  # the cable's id, then its subject
    assert re.search(r"Cable: [A-Z ]+ · [A-Z ]+ · \d{4}", text), text  # classification, origin, date
    paragraphs = result.locator(".pagefind-ui__result-nested .pagefind-ui__result-link")
    assert paragraphs.count() >= 1
    hrefs = [paragraphs.nth(i).get_attribute("href") for i in range(paragraphs.count())]
    assert all(re.search(r"\.html#par[0-9]+$", href) for href in hrefs), hrefs
    filters = {f.strip().lower() for f in page.locator(".pagefind-ui__filter-name").all_inner_texts()}
    assert {"classification", "tag", "origin", "year"} <= filters and "type" not in filters
    page.locator(".pagefind-ui__filter-name", has_text="origin").click()
    values = page.locator(".pagefind-ui__filter-block", has_text="origin").locator(".pagefind-ui__filter-label")
    shown = values.all_inner_texts()
    assert shown and not any(text.strip().endswith("(0)") for text in shown), shown  # only values in the results
    paragraphs.first.click()
    page.wait_for_url(re.compile(r"#par[0-9]+$"))
    assert page.locator(".par:target").count() == 1


def test_search_page_explains_it_needs_a_server_when_opened_from_disk(page, demo_site: Path) -> None:
    page.goto((demo_site / "search.html").as_uri())
    note = page.locator(".search-offline")
    note.wait_for(state="visible")
    assert "web server" in note.inner_text()


def test_entity_finder_works_from_disk(page, demo_site: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((demo_site / DOC).as_uri())
    box = page.get_by_role("combobox", name="Find an entity")
    box.fill("garc")
    option = page.get_by_role("option").filter(has_text="Alan Garcia").first
    option.wait_for(state="visible")
    box.press("ArrowDown")
    assert page.get_by_role("option", selected=True).count() == 1
    # Prefix matching on any word of the name, accents and case ignored.
    box.fill("GARCÍA")
    option.wait_for(state="visible")
    box.fill("alan g")
    option.wait_for(state="visible")
    box.press("Enter")
    page.wait_for_url("**/entity/per/alan-garcia.html")
    assert page.locator("h1").inner_text().strip() == "Alan Garcia"
    box = page.get_by_role("combobox", name="Find an entity")
    # An alias from the authority file finds its entity, and says which alias matched.
    box.fill("sl")
    option = page.get_by_role("option").filter(has_text="Shining Path").first
    option.wait_for(state="visible")
    assert "(SL)" in option.inner_text()
    box.press("Enter")
    page.wait_for_url("**/entity/org/shining-path.html")
    # A cable is found by its reference id.
    box = page.get_by_role("combobox", name="Find an entity")
    box.fill("09lima16")
    option = page.get_by_role("option").filter(has_text="09LIMA1669").first
    option.wait_for(state="visible")
    assert "Document · SCENESETTER" in option.inner_text()
    box.press("Enter")
    page.wait_for_url("**/doc/*/09lima1669.html")
    box = page.get_by_role("combobox", name="Find an entity")
    box.fill("zzzzqqq")
    page.get_by_text("No entity matches").wait_for(state="attached")
    assert page.get_by_role("option").count() == 0
    assert not errors


def test_source_view_links_lines_and_back(page, served: str) -> None:
    page.goto(served + DOC)
    page.get_by_role("link", name="Annotated source").click()
    page.wait_for_url("**/" + SOURCE)
    assert page.locator(".source-lines code > span").count() > 50
    number = page.locator("#L12 > a").first  # each line starts with the link to it, styled as a gutter
    assert number.inner_text() == "12" and number.get_attribute("href") == "#L12"
    assert number.evaluate("el => getComputedStyle(el).display") == "inline-block"
    assert page.locator("#L12").evaluate("el => getComputedStyle(el).display") == "block"
    mention = page.locator("#L4 .ni-PER", has_text="Alan Garcia")
    assert mention.count() == 1
    page.goto(served + SOURCE + "#L12")
    line = page.locator("#L12")
    assert line.evaluate("el => el.matches(':target')")
    background = line.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.locator("h1 a").click()
    page.wait_for_url("**/" + DOC)
    # A paragraph's source link lands on its first line.
    page.goto(served + DOC)
    page.locator("#par3").hover()
    page.locator("#par3").get_by_role("link", name="source").click()
    assert page.url.split("#")[-1].startswith("L")
    assert page.locator(page.url.split("#")[-1].join(["#", ""])).evaluate("el => el.matches(':target')")


def test_markdown_page_is_in_the_navigation_and_its_mentions_have_tooltips(page, served: str) -> None:
    page.goto(served + "index.html")
    intro = page.locator(".intro a.m", has_text="Alan Garcia").first
    intro.hover()
    assert tooltip(intro)["shown"]
    page.get_by_role("navigation", name="Site").get_by_role("link", name="About").click()
    page.wait_for_url("**/pages/about.html")
    assert page.locator("h1").inner_text() == "About this archive"
    mention = page.locator("article a.m", has_text="Alan Garcia").first
    mention.hover()
    assert tooltip(mention)["text"].startswith("Person Alan Garcia")
    assert page.locator("pre.highlight code.language-json span").count() > 3
    mention.click()
    page.wait_for_url("**/entity/per/alan-garcia.html")
    note = page.locator("section.note")
    assert "President" in note.inner_text()


def test_without_javascript_the_finder_is_hidden_and_search_says_why(browser, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + DOC)
    assert not page.locator("form.finder").is_visible()
    page.goto(served + "search.html")
    assert "needs JavaScript" in page.locator("main").inner_text()
    context.close()
