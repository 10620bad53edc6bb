"""Live reload in headless Chromium: edits appear, errors overlay, stylesheets swap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers import tooltip
from tests.test_serve import LIMA, Server, replace_in

pytestmark = pytest.mark.browser
DOC = "doc/sample/09lima1669.html"


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of the demo with a theme of its own; its pages minified when the test asks for it."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "themes" / "default", tmp_path / "themes" / "mine")
    minify = "[pages]\nminify = true\n" if getattr(request, "param", False) else ""
    (tmp_path / "sitegen.toml").write_text(f'[site]\ntheme = "mine"\n{minify}', encoding="utf-8")
    (tmp_path / "templates").mkdir()
    return tmp_path


@pytest.fixture
def server(project: Path):
    running = Server(project)
    yield running
    running.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def open_live(page, server: Server, path: str) -> None:
    page.goto(server.base + path)
    page.wait_for_function("() => !!document.querySelector('script[src=\"/__sitegen/live.js\"]')")
    page.wait_for_timeout(300)  # let the event stream connect


def test_an_edit_appears_without_touching_the_page_and_keeps_the_scroll(page, server: Server, project: Path) -> None:
    open_live(page, server, DOC)
    page.evaluate("window.scrollTo(0, 900)")
    replace_in(project / LIMA, "Notwithstanding its recent", "LIVE-EDIT Notwithstanding its recent")
    page.wait_for_function("() => document.body.innerText.includes('LIVE-EDIT')", timeout=10000)
    page.wait_for_function("() => window.scrollY > 800", timeout=5000)


def test_a_page_that_did_not_change_is_not_reloaded(page, server: Server, project: Path) -> None:
    open_live(page, server, "doc/cables/05lima2158.html")
    page.evaluate("window.__marker = 1")
    replace_in(project / LIMA, "warmly", "kindly")
    server.wait_for("Rebuilt")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__marker") == 1


def test_a_broken_template_shows_an_overlay_until_fixed(page, server: Server, project: Path) -> None:
    open_live(page, server, DOC)
    override = project / "templates" / "document.html"
    override.write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ doc.title }\n{% endblock %}\n', encoding="utf-8"
    )
    overlay = page.locator("#sitegen-overlay")
    overlay.wait_for(state="visible", timeout=15000)
    text = overlay.inner_text()
    assert "Build failed" in text and "document.html:3" in text
    assert server.get(DOC)[0] == 200  # the last good page is still served
    override.unlink()
    overlay.wait_for(state="detached", timeout=15000)


def test_a_source_warning_shows_in_the_overlay_and_clears_when_fixed(page, server: Server, project: Path) -> None:
    open_live(page, server, "index.html")
    source = project / LIMA
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("[ORG Shining Path  ]", "[ORG Shining Path ", 1), encoding="utf-8")
    overlay = page.locator("#sitegen-overlay")
    overlay.wait_for(state="visible", timeout=15000)
    assert "content/sample/09LIMA1669.txt:5:" in overlay.inner_text()
    source.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=15000)


def test_a_stylesheet_change_is_swapped_without_reloading(page, server: Server, project: Path) -> None:
    open_live(page, server, DOC)
    page.evaluate("window.__marker = 1")
    css = project / "themes" / "mine" / "static" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { color: rgb(1, 2, 3); }\n", encoding="utf-8")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)'", timeout=10000
    )
    assert page.evaluate("window.__marker") == 1


@pytest.mark.parametrize("project", [False, True], indirect=True, ids=["as-written", "minified"])
def test_a_mention_added_while_the_page_is_open_has_its_tooltip(page, server: Server, project: Path) -> None:
    """The page is refreshed in place; the tooltips' text, in the head, must come with the new body.
    A minified page has no ``</body>`` for the live-reload script to go before."""
    open_live(page, server, DOC)
    source = page.evaluate("() => fetch(location.href).then(r => r.text())")
    assert ("</body>" in source) == ("minify = true" not in (project / "sitegen.toml").read_text(encoding="utf-8"))
    page.evaluate("window.__marker = 1")
    replace_in(project / LIMA, "Notwithstanding its recent", "[PER Zyzzyva Quuxley  ] Notwithstanding its recent")
    page.wait_for_function("() => document.body.innerText.includes('Zyzzyva Quuxley')", timeout=10000)
    assert page.evaluate("window.__marker") == 1  # refreshed in place, not reloaded
    mention = page.locator("a.m", has_text="Zyzzyva Quuxley").first
    mention.hover()
    tip = tooltip(mention)
    assert tip["shown"] and tip["text"].startswith("Person Zyzzyva Quuxley 1 document"), tip
    assert tip["description"].startswith("Person: Zyzzyva Quuxley, 1 document")


def test_a_page_refreshed_in_place_keeps_a_working_finder(page, server: Server, project: Path) -> None:
    open_live(page, server, DOC)
    page.evaluate("window.__marker = 1")
    replace_in(project / LIMA, "Notwithstanding its recent", "REFRESHED Notwithstanding its recent")
    page.wait_for_function("() => document.body.innerText.includes('REFRESHED')", timeout=10000)
    assert page.evaluate("window.__marker") == 1  # refreshed in place, not reloaded
    finder = page.get_by_role("combobox", name="Find an entity or cable")
    finder.fill("garc")
    option = page.get_by_role("option").first
    option.wait_for(timeout=5000)
    assert "Garc" in option.inner_text()
    page.keyboard.press("Escape")
    # The tooltips' listeners were replaced, not doubled: a tap shows the tooltip, a second follows.
    assert page.evaluate("window.sitegenListeners.filter(l => l.part === 'tips').length") == 7


def test_the_search_box_comes_back_after_a_base_template_edit(page, server: Server, project: Path) -> None:
    open_live(page, server, "search.html")
    page.locator("#search input").wait_for(timeout=10000)
    base = project / "themes" / "mine" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("Built with sitegen.", "Built with sitegen!"), "utf-8")
    page.wait_for_function("() => document.body.innerText.includes('Built with sitegen!')", timeout=20000)
    page.locator("#search input").wait_for(timeout=10000)


def test_a_theme_script_edit_reloads_the_open_pages(browser, server: Server, project: Path) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 700})
    pages = [context.new_page() for _ in range(3)]
    for page, path in zip(pages, (DOC, "index.html", "entities/index.html")):
        open_live(page, server, path)
        page.evaluate("window.__marker = 1")
    script = project / "themes" / "mine" / "static" / "sitegen.js"
    script.write_text(script.read_text(encoding="utf-8") + "\nwindow.sitegenEdited = true;\n", encoding="utf-8")
    for page in pages:
        page.wait_for_function("() => window.sitegenEdited === true", timeout=15000)
        assert page.evaluate("window.__marker") is None  # reloaded
    context.close()


def test_a_binary_file_saved_while_serving_shows_in_the_overlay_at_once(page, server: Server, project: Path) -> None:
    open_live(page, server, "index.html")
    (project / "content" / "scan.txt").write_bytes(b"\x00\x01\x02 PNG\x89 \x00" * 50)
    overlay = page.locator("#sitegen-overlay")
    overlay.wait_for(state="visible", timeout=15000)
    assert "scan.txt" in overlay.inner_text()
    (project / "content" / "scan.txt").unlink()
    overlay.wait_for(state="detached", timeout=15000)


def test_an_edit_made_while_a_template_is_broken_is_not_lost(page, server: Server, project: Path) -> None:
    open_live(page, server, DOC)
    template = project / "themes" / "mine" / "templates" / "document.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good.replace("{{ doc.title }}", "{{ doc.title }", 1), encoding="utf-8")
    overlay = page.locator("#sitegen-overlay")
    overlay.wait_for(state="visible", timeout=15000)
    replace_in(project / LIMA, "Notwithstanding its recent", "WHILE-BROKEN Notwithstanding its recent")
    server.wait_for("Rebuilt")
    assert "WHILE-BROKEN" in server.get(DOC)[2]  # rendered with the last template that loaded
    template.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=15000)
    page.wait_for_function("() => document.body.innerText.includes('WHILE-BROKEN')", timeout=10000)
    assert "internal error" not in "\n".join(server.log)


def test_a_save_that_renames_the_file_aside_keeps_the_tab_on_the_page(page, server: Server, project: Path) -> None:
    open_live(page, server, DOC)
    page.evaluate("window.__marker = 1")
    source = project / LIMA
    text = source.read_text(encoding="utf-8")
    source.rename(source.with_name("09LIMA1669.orig"))  # the editor keeps the original aside…
    page.wait_for_timeout(300)  # …past the quiet time that starts a rebuild…
    source.write_text(
        text.replace("Notwithstanding its recent", "RENAMED-ASIDE Notwithstanding its recent"), encoding="utf-8"
    )
    page.wait_for_function("() => document.body.innerText.includes('RENAMED-ASIDE')", timeout=10000)
    page.wait_for_timeout(1500)  # a deletion, had there been one, would have been announced by now
    assert page.evaluate("window.__marker") == 1  # refreshed in place, never sent to "Page not found"
    assert "Page not found" not in page.inner_text("body")
    assert page.url.endswith(DOC)


def test_with_navigate_the_open_tab_follows_the_edited_document(page, project: Path) -> None:
    server = Server(project, "--navigate")
    try:
        open_live(page, server, "index.html")
        replace_in(project / LIMA, "Notwithstanding its recent", "NAVIGATED Notwithstanding its recent")
        page.wait_for_url("**/" + DOC, timeout=15000)
        page.wait_for_function("() => document.body.innerText.includes('NAVIGATED')", timeout=10000)
    finally:
        server.stop()


def test_a_tab_that_reconnects_catches_up_on_what_it_missed(page, tmp_path: Path) -> None:
    import threading

    from sitegen.serve.server import Broadcaster, Gate, PreviewServer, make_handler

    (tmp_path / "index.html").write_text("<html><body><p>first</p></body></html>", encoding="utf-8")
    events = Broadcaster()
    httpd = PreviewServer(("127.0.0.1", 0), make_handler(tmp_path, Gate(), events))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
        page.wait_for_function("() => !!document.querySelector('script[src=\"/__sitegen/live.js\"]')")
        events.send({"type": "build", "changed": ["other.html"], "problems": [], "error": ""})
        page.wait_for_timeout(500)
        events.close()  # every event stream ends, as when a laptop sleeps; the page reconnects in 0.5 s
        (tmp_path / "index.html").write_text("<html><body><p>second</p></body></html>", encoding="utf-8")
        events.send({"type": "build", "changed": ["index.html"], "problems": [], "error": ""})  # missed
        page.wait_for_function("() => document.body.innerText.includes('second')", timeout=10000)
    finally:
        httpd.shutdown()
        httpd.server_close()
