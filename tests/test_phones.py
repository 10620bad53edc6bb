"""Every kind of page on a phone (390×844, touch) and on a desktop (1280×900), in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import tooltip

#: One page of each kind of the demo site.
PAGES = [
    "index.html",
    "doc/sample/09lima1669.html",
    "entity/loc/peru.html",
    "entities/index.html",
    "entities/per.html",
    "entities/org-top.html",
    "tag/prel.html",
    "browse/tags.html",
    "origin/lima.html",
    "classification/confidential.html",
    "year/2009.html",
    "pages/about.html",
    "search.html",
    "source/sample/09lima1669.html",
    "404.html",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(params=[SMALL_PHONE, PHONE, DESKTOP], ids=["320", "390", "1280"])
def device(browser, request):
    context = browser.new_context(**request.param)
    yield context.new_page(), request.param["viewport"]["width"]
    context.close()


def test_no_page_is_wider_than_the_screen_and_the_finder_shows_no_empty_list(device, demo_site: Path) -> None:
    page, width = device
    for path in PAGES:
        assert (demo_site / path).is_file(), path
        page.goto((demo_site / path).as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        listbox = page.locator("#finder-list")
        if listbox.count():
            assert not listbox.is_visible(), f"{path}: an empty finder list is shown"


def test_a_documents_text_starts_on_the_first_screen(device, demo_site: Path) -> None:
    page, width = device
    page.goto((demo_site / "doc/sample/09lima1669.html").as_uri())
    top = page.locator(".body .par").first.bounding_box()
    assert top is not None and top["y"] < {320: 640, 390: 844, 1280: 900}[width] * 0.8
    assert page.locator(".byline").inner_text() == "CONFIDENTIAL · LIMA · 2009"


def test_the_first_tap_on_a_mention_shows_its_tooltip_and_the_second_follows_it(browser, demo_site: Path) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    url = (demo_site / "doc/sample/09lima1669.html").as_uri()
    page.goto(url)
    mentions = page.locator(".body a.m")
    for index in (0, mentions.count() - 1):  # one near each edge of the text
        mention = mentions.nth(index)
        mention.scroll_into_view_if_needed()
        mention.tap()
        box = tooltip(mention)
        assert box["shown"] and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.url == url
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    mention = mentions.first
    href = mention.get_attribute("href")
    mention.scroll_into_view_if_needed()
    mention.tap()
    mention.tap()
    page.wait_for_url(lambda u: u != url)
    assert page.url.split("#")[0].endswith(href.removeprefix("../../").split("#")[0])
    context.close()


def test_a_tooltip_at_the_right_edge_stays_inside_the_window(browser, demo_site: Path) -> None:
    context = browser.new_context(viewport={"width": 500, "height": 900})
    page = context.new_page()
    page.goto((demo_site / "doc/sample/09lima1669.html").as_uri())
    mentions = page.locator(".body a.m")
    rightmost = max(range(mentions.count()), key=lambda i: mentions.nth(i).bounding_box()["x"])
    mention = mentions.nth(rightmost)
    mention.hover()
    box = tooltip(mention)
    assert box["shown"] and box["x"] + box["width"] <= 500 - 7, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 500
    context.close()


def test_only_pages_with_highlighted_code_load_the_pygments_stylesheet(demo_site: Path) -> None:
    link = 'href="../../assets/pygments.css"'
    assert link not in (demo_site / "doc/sample/09lima1669.html").read_text(encoding="utf-8")
    assert link in (demo_site / "source/sample/09lima1669.html").read_text(encoding="utf-8")
    assert "pygments.css" not in (demo_site / "index.html").read_text(encoding="utf-8")
