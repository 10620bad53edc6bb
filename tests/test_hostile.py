"""The hostile corpus (tests/hostile/content): every nasty file gets through the build safely.

For each file: the build goes on, wrong input is reported with file:line:col,
nothing is written outside the output folder, no script or handler from the
content reaches a page, no link is broken, distinct entities get distinct
pages, and there is no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.build.cache import cache_path
from sitegen.build.sources import find_sources, read_source
from sitegen.index.corpus import Corpus
from sitegen.index.resolve import Resolver
from sitegen.site.urls import Urls
from tests.conftest import ROOT, serve_folder
from tests.linkcheck import check_site

HOSTILE = Path(__file__).parent / "hostile" / "content"


def run_build(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitegen", "build", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess, set[Path]]:
    work = tmp_path_factory.mktemp("hostile")
    # Every hostile name gets pages of its own, however few its mentions.
    (work / "sitegen.toml").write_text("[pages]\nentity_min_mentions = 1\n", encoding="utf-8")
    before = set(work.parent.rglob("*"))
    done = run_build("--content", str(HOSTILE), "--output", str(work / "site"), cwd=work)
    after = set(work.parent.rglob("*"))
    return work / "site", done, after - before


def test_the_build_finishes_without_a_traceback(hostile_site) -> None:
    site, done, _ = hostile_site
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert (site / "index.html").is_file()


@pytest.mark.slow
def test_strict_turns_the_warnings_into_a_failure(tmp_path: Path) -> None:
    done = run_build("--content", str(HOSTILE), "--output", str(tmp_path / "site"), "--strict", "-q", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "--strict" in done.stderr


@pytest.mark.parametrize(
    "where,message",
    [
        ("brackets.txt:1:10:", "is not closed with ']'"),
        ("brackets.txt:2:8:", "nested brackets"),
        ("brackets.txt:3:7:", "empty mention"),
        ("brackets.txt:4:12:", "should be upper case"),
        ("brackets.txt:5:9:", "unknown entity type 'FOO'"),
        ("latin1.txt:1:25:", "not valid UTF-8"),
        ("nul-bytes.txt:1:5:", "control character"),
        ("script-injection.txt:1:79:", "unrecognised or unterminated <a> tag"),
        ("structure-no-wrapper.txt:1:1:", "cable has no '<code><pre>'"),
        ("structure-no-wrapper.txt:3:23:", "out of order"),
        ("structure-no-wrapper.txt:4:10:", "repeats"),
        ("structure-no-wrapper.txt:5:16:", "unterminated <a> tag"),
        ("binary.txt:", "binary file"),
        ("empty.txt:", "empty file"),
        ("whitespace-only.txt:", "only white space"),
        ("hostile-page.md:1:1:", "is not a template file name"),
    ],
)
def test_wrong_input_is_reported_with_its_position(hostile_site, where: str, message: str) -> None:
    _, done, _ = hostile_site
    lines = [line for line in done.stderr.splitlines() if where in line]
    assert any(message in line for line in lines), (where, message, done.stderr[:3000])


def test_nothing_is_written_outside_the_output_folder(hostile_site) -> None:
    site, _, created = hostile_site
    outside = [p for p in created if not (p == site or site in p.parents)]
    assert outside == [cache_path(site)]  # sitegen's cache of parsed sources, named after the output folder
    assert not any(".." in p.name for p in site.rglob("*"))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if (
                name in ("href", "src", "action")
                and value
                and value.strip().lower().startswith(("javascript:", "data:text", "vbscript:"))
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "svg" and dict(attrs).get("class") == "timeline-bars":
            return  # the theme's own timeline: bars and links the site computes
        if tag in ("iframe", "img", "svg", "object", "embed"):
            self.problems.append(f"<{tag}> element")
        if tag == "script" and not dict(attrs).get("src", "").endswith("assets/sitegen.js"):
            self.problems.append(f"script {attrs!r}")


@pytest.mark.slow
def test_no_script_or_handler_from_the_content_reaches_a_page(hostile_site) -> None:
    site, _, _ = hostile_site
    for page in site.rglob("*.html"):
        scanner = _Tags()
        scanner.feed(page.read_text(encoding="utf-8"))
        assert scanner.problems == [], page


@pytest.mark.slow
def test_no_link_is_broken(hostile_site) -> None:
    site, _, _ = hostile_site
    result = check_site(site)
    assert result.problems == []
    assert result.mentions > 40_000


def test_distinct_entities_get_distinct_pages(hostile_site) -> None:
    site, _, _ = hostile_site
    files, _ = find_sources(HOSTILE)
    resolve = Resolver()  # names as the site shows them: "../../x" is the entity x
    docs = [resolve(s.document) for s in (read_source(rel, path) for rel, path in files) if s.document is not None]
    corpus = Corpus(docs)
    paths = {key: Urls.entity(key) for key in corpus.entities}
    assert len(set(paths.values())) == len(paths)
    for key, path in paths.items():
        assert (site / path).is_file(), key
    names = {key[1] for key in corpus.entities if key[0] == "LOC"}
    assert {"u.s.", "us", "u s", "u.s"} <= names
    assert len({Urls.entity(("LOC", n)) for n in ("u.s.", "us", "u s", "u.s")}) == 4
    # NFC and NFD spellings of one name are one entity
    assert ("PER", "josé") in corpus.entities and ("PER", "jose\u0301") not in corpus.entities


def test_odd_file_names_get_working_pages(hostile_site) -> None:
    site, _, _ = hostile_site
    home = (site / "index.html").read_text(encoding="utf-8")
    odd = [
        p.relative_to(site).as_posix()
        for p in (site / "doc").rglob("*.html")
        if p.name.startswith(("odd-name-1-50-u--", "nandu-co--"))
    ]
    assert len(odd) == 2 and "doc/folder-with-space/" in odd[0] + odd[1]
    for path in odd:
        assert f'href="{path}"' in home, path  # linked from the home page (check_site resolves every link)
    pages = [p.relative_to(site).as_posix() for p in (site / "doc").rglob("*.html")]
    assert all(all(c.isascii() and (c.isalnum() or c in "-_./") for c in page) for page in pages), pages


@pytest.mark.slow
@pytest.mark.browser
def test_no_script_runs_in_the_browser(hostile_site, browser) -> None:
    site, _, _ = hostile_site
    base, server = serve_folder(site)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        targets = [p.relative_to(site).as_posix() for p in sorted(site.glob("doc/**/*.html"))]
        targets += ["pages/hostile-page.html", "index.html", "entities/per.html", "tag/index.html"]
        for target in targets:
            if not (site / target).is_file():
                continue
            page.goto(base + target)
            page.evaluate(
                "() => { for (const a of [...document.querySelectorAll('a.m')].slice(0, 2000)) {"
                " a.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); } }"
            )
        assert dialogs == []
        assert page.evaluate("() => typeof window.pwned") == "undefined"
    finally:
        context.close()
        server.shutdown()


def test_an_entity_pages_document_item_escapes_all_but_a_snippet_made_as_html() -> None:
    from markupsafe import Markup

    from sitegen.site.html import occurrence_item

    places = [("d.html#p1", "¶ 1", Markup("a <mark>b</mark>"), 1), ("d.html#p2", "<i>", "<script>x</script>", 2)]
    item = occurrence_item('d.html"><script>', "<b>title</b>", "LIMA & co", places)
    assert "a <mark>b</mark>" in item  # the snippet, made as HTML with its text escaped
    assert "<script>" not in item and "<b>" not in item and "<i>" not in item
    assert "&lt;script&gt;x&lt;/script&gt;" in item and "LIMA &amp; co" in item and "d.html&#34;&gt;" in item
