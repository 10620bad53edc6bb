"""Errors: a template's mistakes are reported as template errors, sitegen's own bugs as bugs."""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2
import pytest

from sitegen import cli
from sitegen.render.templates import TemplateError, render_page
from sitegen.site.pages import Page
from sitegen.site.urls import slugify


def env_with(tmp_path: Path, source: str) -> jinja2.Environment:
    (tmp_path / "t.html").write_text(source, encoding="utf-8")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), undefined=jinja2.StrictUndefined)


def test_a_mistake_in_a_template_is_a_template_error_with_its_line(tmp_path: Path) -> None:
    env = env_with(tmp_path, "one\n{{ 1 // zero }}\n")
    with pytest.raises(TemplateError, match=r"t\.html:2: error while rendering x\.html"):
        render_page(env, Page("x.html", "t.html", {"zero": 0}))


def test_an_undefined_name_in_a_template_is_a_template_error(tmp_path: Path) -> None:
    env = env_with(tmp_path, "{{ nothing.here }}")
    with pytest.raises(TemplateError, match=r"t\.html:1"):
        render_page(env, Page("x.html", "t.html", {}))


def test_a_bug_in_sitegen_called_from_a_template_is_not_disguised(tmp_path: Path) -> None:
    env = env_with(tmp_path, "{{ slugify(none) }}")
    with pytest.raises(AttributeError):  # raised inside sitegen's own code: sitegen's fault
        render_page(env, Page("x.html", "t.html", {"slugify": slugify, "none": None}))


def test_the_command_line_shows_a_bug_as_a_bug(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path) -> None:
    def broken(ctx):
        raise RuntimeError("something inside sitegen broke")

    monkeypatch.setattr(cli, "build", broken)
    (tmp_path / "content").mkdir()
    code = cli.main(["build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_BUG
    assert "Traceback (most recent call last)" in err and "RuntimeError: something inside sitegen broke" in err
    assert "this is a bug in sitegen" in err and "please report it" in err.lower()


@pytest.fixture
def quiet_afterwards():
    """Put the sitegen logger back as it was: --verbose turns it on for the whole process."""
    logger = logging.getLogger("sitegen")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.usefixtures("quiet_afterwards")
def test_verbose_says_what_the_build_does(capsys, tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.txt").write_text("About [LOC Peru  ] .\n", encoding="utf-8")
    args = ["build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "site"), "-j", "1"]
    assert cli.main([*args, "--verbose"]) == 0
    err = capsys.readouterr().err
    assert "building the whole site: 1 sources" in err and "rendering" in err
    assert cli.main([*args, "-v"]) == 0
    assert "is up to date: nothing to do" in capsys.readouterr().err
