"""Compiled templates are kept between runs: each version of a template is compiled once."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2.bccache
import pytest

from sitegen.render import templates
from sitegen.render.templates import CompiledTemplates, SiteEnvironment, TemplateError, make_environment, render_page
from sitegen.site.pages import Page
from tests.conftest import ROOT, build_site


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "themes" / "default", tmp_path / "theme")
    return tmp_path / "theme"


@pytest.fixture
def compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Keep compiled templates in a folder of the test's own; return the names of the templates
    compiled from their source, in order."""
    folder = tmp_path / "compiled"
    folder.mkdir()
    cache = CompiledTemplates(str(folder))
    monkeypatch.setattr(templates, "bytecode_cache", lambda: cache)
    names: list[str] = []
    compile_ = SiteEnvironment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        names.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(SiteEnvironment, "compile", counted)
    return names


def test_a_template_is_compiled_once_per_version(theme: Path, compiled: list[str], tmp_path: Path) -> None:
    env = make_environment(theme, None)
    every = sorted(env.list_templates())
    assert sorted(compiled) == every and len(list((tmp_path / "compiled").iterdir())) == len(every)
    compiled.clear()
    make_environment(theme, None)  # a later run: every template from the cache
    assert compiled == []
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("Built with", "Made with"), encoding="utf-8")
    make_environment(theme, None)
    assert compiled == ["base.html"]  # only the edited one, compiled from its new source


def test_an_edited_template_renders_its_new_version(tmp_path: Path, compiled: list[str]) -> None:
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    template = folder / "templates" / "t.html"
    page = Page("x.html", "t.html", {"word": "here"})
    for version in ("one", "two", "two"):
        template.write_text(f"<p>{version} {{{{ word }}}}</p>\n", encoding="utf-8")
        assert render_page(make_environment(folder, None), page) == f"<p>{version} here</p>\n"
    assert compiled == ["t.html", "t.html"]  # the second version's compiled code served it again


def test_an_error_in_a_compiled_template_names_its_line(tmp_path: Path, compiled: list[str]) -> None:
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "t.html").write_text("one\n{{ 1 // zero }}\n", encoding="utf-8")
    make_environment(folder, None)
    compiled.clear()
    env = make_environment(folder, None)
    assert compiled == []  # from the cache
    with pytest.raises(TemplateError, match=r"t\.html:2: error while rendering x\.html"):
        render_page(env, Page("x.html", "t.html", {"zero": 0}))


def test_compiled_templates_that_cannot_be_read_or_kept_are_compiled_again(
    tmp_path: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "t.html").write_text("<p>{{ word }}</p>\n", encoding="utf-8")
    make_environment(folder, None)
    for kept in (tmp_path / "compiled").iterdir():  # damaged: the right header, then a cut-off pickle
        kept.write_bytes(jinja2.bccache.bc_magic + b"\x80\x05")
    compiled.clear()
    env = make_environment(folder, None)
    assert compiled == ["t.html"] and render_page(env, Page("x.html", "t.html", {"word": "kept"})) == "<p>kept</p>\n"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(templates, "bytecode_cache", lambda: CompiledTemplates(str(blocked)))
    result = build_site(ROOT / "content", tmp_path / "site", search=False)  # nothing can be kept there
    assert result.pages > 600 and (tmp_path / "site" / "index.html").is_file()


def test_the_templates_each_template_uses_are_kept_and_found_again(
    tmp_path: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    for name, text in {"a.html": "{% include 'b.html' %}", "b.html": "b", "c.html": "c"}.items():
        (folder / "templates" / name).write_text(text, encoding="utf-8")
    parsed: list[str] = []
    parse = SiteEnvironment.parse

    def counted(self, source, name=None, filename=None):  # type: ignore[no-untyped-def]
        parsed.append(source)
        return parse(self, source, name, filename)

    monkeypatch.setattr(SiteEnvironment, "parse", counted)

    def hashes() -> dict[str, str]:
        templates._references.cache_clear()  # as a new run
        return templates.template_hashes(make_environment(folder, None))

    first = hashes()
    assert sorted(parsed) == ["b", "c", "{% include 'b.html' %}"]
    parsed.clear()
    assert hashes() == first and parsed == []  # a later run parses none of them
    (folder / "templates" / "a.html").write_text("{% include 'c.html' %}", encoding="utf-8")
    (folder / "templates" / "c.html").write_text("c, edited", encoding="utf-8")
    edited = hashes()
    assert parsed == ["{% include 'c.html' %}", "c, edited"]  # only the new versions
    assert edited["b.html"] == first["b.html"] and edited["a.html"] != first["a.html"]
    (folder / "templates" / "c.html").write_text("c, edited again", encoding="utf-8")
    assert hashes()["a.html"] != edited["a.html"]  # a.html now uses c.html, whatever was kept of it
    for kept in (tmp_path / "compiled").glob("sitegen-references-*"):
        kept.write_text('{"not": "a list"', encoding="utf-8")
    parsed.clear()
    assert hashes()["a.html"] != edited["a.html"] and len(parsed) == 3  # damaged: parsed again
