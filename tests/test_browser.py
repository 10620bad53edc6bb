"""The demo site in headless Chromium: tooltips, keyboard focus, permalinks, sub-paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import serve_folder
from tests.helpers import tooltip

pytestmark = pytest.mark.browser
DOC = "doc/sample/09lima1669.html"


@pytest.fixture(scope="module")
def served(demo_site: Path, tmp_path_factory: pytest.TempPathFactory):
    """Serve the demo site under a sub-path, as a static host would."""
    root = tmp_path_factory.mktemp("host")
    shutil.copytree(demo_site, root / "archive" / "cables")
    base, server = serve_folder(root)
    yield base + "archive/cables/"
    server.shutdown()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(browser, request):
    context = browser.new_context(java_script_enabled=request.param, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def first_mention(page, name: str):
    return page.locator("div.par a.m", has_text=name).first


def test_hovering_a_mention_shows_its_tooltip(page, served: str) -> None:
    page.goto(served + DOC)
    mention = first_mention(page, "Alan Garcia")
    assert not tooltip(mention)["shown"]
    mention.hover()
    tip = tooltip(mention)
    assert tip["shown"] and tip["width"] > 50
    assert tip["text"].startswith("Person Alan Garcia")
    assert "document" in tip["text"] and "mention" in tip["text"]


def test_tabbing_to_a_mention_shows_its_tooltip(page, served: str) -> None:
    page.goto(served + DOC)
    target = first_mention(page, "Alan Garcia")
    for _ in range(200):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("never reached the mention with the Tab key")
    tip = tooltip(target)
    assert tip["shown"] and tip["text"].startswith("Person Alan Garcia")
    assert tip["description"].startswith("Person: Alan Garcia, ")


def test_opening_a_permalink_highlights_its_paragraph(page, served: str) -> None:
    page.goto(served + DOC + "#par3")
    par3 = page.locator("#par3")
    par2 = page.locator("#par2")
    assert par3.evaluate("el => el.matches(':target')")
    background = par3.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background != par2.evaluate("el => getComputedStyle(el).backgroundColor")
    assert par3.locator("a.permalink").is_visible()
    assert par3.evaluate("el => el.getBoundingClientRect().top") < 200


def test_clicking_a_mention_reaches_its_entity_page_and_back(page, served: str) -> None:
    page.goto(served + DOC)
    first_mention(page, "Alan Garcia").click()
    assert page.url.startswith(served + "entity/per/")
    assert page.locator("h1").inner_text() == "Alan Garcia"
    page.locator(".kwic a").first.click()
    assert page.url.startswith(served + "doc/") and "#par" in page.url


def test_site_works_from_disk(browser, demo_site: Path) -> None:
    page = browser.new_page()
    page.goto((demo_site / "index.html").as_uri())
    page.locator("table.docs a").first.click()
    assert page.url.startswith((demo_site / "doc").as_uri())
    page.locator("div.par a.m").first.hover()
    assert tooltip(page.locator("div.par a.m").first)["shown"]
    page.close()


def test_escape_dismisses_a_tooltip(browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + DOC)
    mention = first_mention(page, "Alan Garcia")
    mention.focus()
    assert tooltip(mention)["shown"]
    page.keyboard.press("Escape")
    assert not tooltip(mention)["shown"]
    page.close()


def test_a_printed_page_names_each_mentions_type_after_it(page, served: str) -> None:
    page.goto(served + DOC)
    page.emulate_media(media="print")
    labels = {
        css: page.locator(f"div.par .m-{css}").first.evaluate("el => getComputedStyle(el, '::after').content")
        for css in ("per", "loc", "org", "misc")
    }
    assert labels == {"per": '" [PER]"', "loc": '" [LOC]"', "org": '" [ORG]"', "misc": '" [MISC]"'}
    assert page.locator(".site-header nav").is_hidden()
