"""``[pages] minify``: smaller HTML pages that a browser reads as the same pages."""

from __future__ import annotations

import base64
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.config import Config, ConfigError, load_config
from tests.conftest import ROOT, build_into, build_site, serve_folder
from tests.helpers import tree
from tests.linkcheck import check_site
from tests.test_hostile import HOSTILE
from tests.test_quality import nu_errors

#: Tags a minifier may leave out because the parser puts them back.
_IMPLIED = {"html", "head", "body", "tbody"}
#: Attributes a minifier may leave out because they say what the default is.
_DEFAULTS = {("button", "type", "submit")}


def attribute(tag: str, name: str, value: str | None) -> tuple[str, str] | None:
    """Return an attribute as a browser reads it (None: as if it were not there): an attribute
    without a value is empty, and the viewport's list may be written without spaces."""
    value = value or ""
    if (tag, name, value) in _DEFAULTS:
        return None
    if tag == "meta" and name == "content":
        value = re.sub(r",\s+", ",", value)
    return name, value


class _Reading(HTMLParser):
    """What a page is to a browser, but for the whitespace between its elements.

    A title's text is text to the end of the title, as a browser reads it,
    whatever it holds: a minified title may spell ``<`` as itself.
    """

    CDATA_CONTENT_ELEMENTS = ("script", "style", "title", "textarea")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []
        self.text: list[str] = []
        self.verbatim: list[str] = []  # the text of pre, style and script elements
        self._inside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _IMPLIED or attrs:
            read = (attribute(tag, name, value) for name, value in attrs)
            self.elements.append((tag, sorted(a for a in read if a is not None)))
        if tag in ("pre", "style", "script"):
            self._inside.append(tag)
            self.verbatim.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self._inside and self._inside[-1] == tag:
            self._inside.pop()

    def handle_data(self, data: str) -> None:
        if self.cdata_elem in ("title", "textarea"):
            data = html.unescape(data)
        if self._inside:  # a style or script may lose the line ends around it
            self.verbatim.append(data if self._inside[-1] == "pre" else data.strip())
        self.text.append(re.sub(r"\s+", "", data))


def reading(page: bytes) -> _Reading:
    parser = _Reading()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser


def assert_read_alike(written: bytes, minified: bytes, path: str) -> _Reading:
    """Assert that a minified page is the page as written to a browser; return how it reads."""
    was, now = reading(written), reading(minified)
    assert now.elements == was.elements, path  # every element and attribute, in order: none more
    assert "".join(now.text) == "".join(was.text), path  # every word
    assert now.verbatim == was.verbatim, path  # code, source lines, the tooltips' style: as written
    return now


def test_a_minified_site_has_the_same_pages_in_fewer_bytes(tmp_path: Path) -> None:
    content = ROOT / "content"
    plain, small = tmp_path / "plain", tmp_path / "small"
    build_site(content, plain, search=False)
    build_into(Config(root=ROOT, search=False, minify=True), content, small, jobs=2)  # workers minify too
    before, after = tree(plain), tree(small)
    assert set(before) == set(after)
    pages = sorted(path for path in before if path.endswith(".html"))
    assert len(pages) > 600
    for path in sorted(before):
        if not path.endswith(".html"):
            assert after[path] == before[path], path
            continue
        assert len(after[path]) < len(before[path]), path
        assert_read_alike(before[path], after[path], path)
    html_before = sum(len(before[p]) for p in pages)
    html_after = sum(len(after[p]) for p in pages)
    assert html_after < 0.95 * html_before, (html_before, html_after)
    checked, expected = check_site(small), check_site(plain)  # links, fragments, mentions linked both ways
    assert (checked.pages, checked.mentions, checked.problems) == (expected.pages, expected.mentions, expected.problems)
    assert checked.mentions > 1000
    assert nu_errors(small) == []  # valid HTML still (the Nu HTML Checker)
    doc = (small / "doc" / "sample" / "09lima1669.html").read_text(encoding="utf-8")
    assert "\n  " not in doc.split("<pre", 1)[0] and '<a class="m m-per" aria-describedby=tip-' in doc


def test_a_site_updated_in_place_with_minify_on_equals_its_clean_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    site, clean = tmp_path / "site", tmp_path / "clean"
    build_site(content, site, search=False)  # not minified: switching it on rewrites every page
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("[PER Alan Garcia  ]", "[PER Alan Garcia Perez  ]", 1))
    build_site(content, site, search=False, minify=True)  # in place
    build_site(content, clean, search=False, minify=True)
    ours, theirs = tree(site), tree(clean)  # every file but the manifest
    assert set(ours) == set(theirs)
    assert [p for p in ours if ours[p] != theirs[p]] == []
    assert "Alan Garcia Perez" in (site / "doc" / "sample" / "09lima1669.html").read_text(encoding="utf-8")


def test_hostile_input_stays_escaped_in_a_minified_site(tmp_path: Path) -> None:
    plain, small = tmp_path / "plain", tmp_path / "small"
    build_site(HOSTILE, plain, entity_min_mentions=1, search=False)
    build_site(HOSTILE, small, entity_min_mentions=1, search=False, minify=True)
    before, after = tree(plain), tree(small)
    pages = [path for path in after if path.endswith(".html")]
    assert len(pages) > 100
    for path in pages:
        now = assert_read_alike(before[path], after[path], path)  # no script or handler more
        scripts = [attrs for tag, attrs in now.elements if tag == "script"]
        assert all(dict(attrs)["src"].endswith("assets/sitegen.js") for attrs in scripts), path
    injected = after["doc/script-injection.html"].decode("utf-8")
    assert "\\3c /style\\3e \\3c script\\3e window.pwned" in injected  # the tooltip's text, still escaped
    assert nu_errors(small) == []


def test_the_switch_is_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "sitegen.toml"
    config.write_text("[pages]\nminify = true\n", encoding="utf-8")
    assert (load_config(config).minify, load_config(None).minify) == (True, False)
    config.write_text("[pages]\nminify = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[pages\] minify must be true or false, not 1"):
        load_config(config)


#: Compares two screenshots in the browser: how many pixels differ by more than the few levels
#: that drawing the same page twice may (an input's rounded border comes out a little differently).
_PIXELS_APART = """async ([a, b]) => {
  const load = (src) => new Promise((done) => { const image = new Image(); image.onload = () => done(image); image.src = src; });
  const [one, two] = await Promise.all([load(a), load(b)]);
  if (one.width !== two.width || one.height !== two.height) return one.width * one.height;
  const canvas = new OffscreenCanvas(one.width, one.height), draw = canvas.getContext("2d");
  draw.drawImage(one, 0, 0);
  const p = draw.getImageData(0, 0, one.width, one.height).data;
  draw.clearRect(0, 0, one.width, one.height);
  draw.drawImage(two, 0, 0);
  const q = draw.getImageData(0, 0, one.width, one.height).data;
  let apart = 0;
  for (let i = 0; i < p.length; i += 4) {
    if (Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]) > 24) apart++;
  }
  return apart;
}"""


def pixels_apart(page, one: bytes, two: bytes) -> int:  # type: ignore[no-untyped-def]
    """Return how many pixels of two PNG screenshots differ visibly (all of them when their sizes do)."""
    urls = ["data:image/png;base64," + base64.b64encode(shot).decode() for shot in (one, two)]
    page.goto("about:blank")
    return int(page.evaluate(_PIXELS_APART, urls))


@pytest.mark.browser
def test_a_minified_page_looks_and_works_as_written(tmp_path: Path, browser) -> None:
    content = ROOT / "content"
    plain, small = tmp_path / "plain", tmp_path / "small"
    build_site(content, plain)
    build_site(content, small, minify=True)
    targets = [
        "index.html",
        "doc/sample/09lima1669.html",
        "source/sample/09lima1669.html",
        "entity/loc/peru.html",
        "entities/index.html",
        "entities/per.html",
        "browse/tags.html",
        "pages/about.html",
    ]
    base_plain, server_plain = serve_folder(plain)
    base_small, server_small = serve_folder(small)
    try:
        for width, touch in ((1280, False), (390, True)):
            context = browser.new_context(viewport={"width": width, "height": 900}, has_touch=touch)
            page = context.new_page()
            try:
                for target in targets:
                    shots = []
                    for base in (base_plain, base_small):
                        page.goto(base + target)
                        page.wait_for_load_state("load")
                        shots.append(page.screenshot(full_page=True, animations="disabled", caret="hide"))
                    assert pixels_apart(page, *shots) == 0, f"{target} at {width} px"
                page.goto(base_small + "doc/sample/09lima1669.html")
                mention = page.locator("div.par a.m").first
                mention.focus()
                tip = page.evaluate(
                    "() => { const a = document.activeElement;"
                    " return [getComputedStyle(a, '::after').display, getComputedStyle(a, '::after').content,"
                    " document.getElementById(a.getAttribute('aria-describedby')).textContent]; }"
                )
                assert tip[0] == "block" and "documents" in tip[1] and "document" in tip[2], tip
                page.goto(base_small + "search.html")  # Pagefind indexed the minified pages
                page.locator("#search input").fill("ussouthcom")
                found = page.locator(".pagefind-ui__result-link", has_text="USSOUTHCOM").first
                found.wait_for(state="visible", timeout=15_000)
            finally:
                context.close()
    finally:
        server_plain.shutdown()
        server_small.shutdown()
