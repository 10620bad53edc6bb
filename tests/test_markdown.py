"""Markdown files: the mention plugin (golden fixtures), front matter, links and where files go.

tests/fixtures/markdown/*.txt hold cases in the markdown-it-py fixture style:
a title, ``.``, the Markdown, ``.``, the expected HTML followed by the
warnings, ``.``. Run ``pytest --update-goldens`` to rewrite the expected parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.model import entity_key
from sitegen.parse.markdown import markdown_kind, markdown_link, parse_markdown, render_markdown, unknown_mentions
from sitegen.site.html import EntityInfo, FragmentRenderer
from tests.helpers import check_case, fixture_cases

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
#: The entities the fixtures' corpus knows.
KNOWN = {
    entity_key("PER", "Alan Garcia"): EntityInfo.make("entity/per/alan-garcia.html", "Person", "Alan Garcia", 3, 7),
    entity_key("LOC", "Peru"): EntityInfo.make("entity/loc/peru.html", "Location", "Peru", 9, 20),
}


def render_case(source: str) -> str:
    """Return a Markdown file's HTML (as on a page one folder deep) and its warnings."""
    page = parse_markdown("notes/page.md", source.encode("utf-8"))
    fragments = FragmentRenderer("../", KNOWN.get, lambda tag: f"tag/{tag}.html")
    html = render_markdown(page.body, fragments)
    warnings = [str(w) for w in page.diagnostics] + [str(w) for w in unknown_mentions(page, KNOWN)]
    return str(html).rstrip("\n") + "\n" + "\n".join(f"! {w}" for w in warnings)


@pytest.mark.parametrize("path,index", fixture_cases(FIXTURES))
def test_fixture(path: Path, index: int, update_goldens: bool) -> None:
    check_case(path, index, render_case, update_goldens)


def test_where_a_markdown_file_goes() -> None:
    assert markdown_kind("index.md") == ("intro", ("", ""))
    assert markdown_kind("about.md") == ("page", ("", ""))
    assert markdown_kind("guides/index.md") == ("page", ("", ""))
    assert markdown_kind("entities/per/Alan Garcia.md") == ("note", ("PER", "Alan Garcia"))
    assert markdown_kind("entities/org/shining-path.md") == ("note", ("ORG", "shining-path"))
    assert markdown_kind("entities/xyz/thing.md") == ("page", ("", ""))


def test_front_matter_yaml_style_and_toml() -> None:
    page = parse_markdown("a.md", b"---\ntitle: 'About: us'\nmenu: 3\nnav: false\ndescription: x  y\n---\nBody\n")
    assert (page.title, page.menu, page.nav, page.description, page.body_line) == ("About: us", 3, False, "x y", 6)
    assert page.body.strip() == "Body"
    toml = parse_markdown("b.md", b'+++\ntitle = "T"\nmenu = -1\n+++\n# Heading\n')
    assert (toml.title, toml.menu) == ("T", -1)
    assert parse_markdown("about-the-data.md", b"No heading.\n").title == "About the data"
    assert parse_markdown("x.md", b"# From [PER Alan Garcia  ] heading\n").title == "From Alan Garcia heading"


def test_bad_front_matter_warns_with_the_line_and_keeps_the_page() -> None:
    page = parse_markdown(
        "a.md",
        b"---\ntitle: Fine\nmenu: first\ncolour: red\njust text\ntemplate: ../../etc/passwd\n---\nBody [PER X  ]\n",
    )
    messages = [str(d) for d in page.diagnostics]
    assert "a.md:3:1: warning: front matter 'menu' must be a whole number, not 'first'; ignored" in messages
    assert any(m.startswith("a.md:4:1: warning: unknown front matter key 'colour'") for m in messages)
    assert "a.md:5:1: warning: front matter line is not 'key: value'; ignored" in messages
    assert any("template '../../etc/passwd' is not a template file name" in m for m in messages)
    assert (page.title, page.menu, page.template) == ("Fine", 0, "")
    assert [(m.line, m.col) for m in page.mentions] == [(8, 6)]
    unclosed = parse_markdown("b.md", b"---\ntitle: x\nBody\n")
    assert [str(d) for d in unclosed.diagnostics] == [
        "b.md:1:1: warning: front matter opened with '---' is never closed; read as Markdown"
    ]
    bad_toml = parse_markdown("c.md", b"+++\ntitle = \n+++\nBody\n")
    assert bad_toml.diagnostics[0].line == 2 and "not valid TOML" in bad_toml.diagnostics[0].message


def test_mention_positions_are_file_positions() -> None:
    source = (
        "---\ntitle: t\n---\nIntro [LOC Peru  ] and\n\n* item [PER Alan Garcia  ], [LOC Peru  ]\n\n`[PER Not One  ]`\n"
    )
    page = parse_markdown("p.md", source.encode())
    assert [(m.type, m.text, m.line, m.col) for m in page.mentions] == [
        ("LOC", "Peru", 4, 7),
        ("PER", "Alan Garcia", 6, 8),
        ("LOC", "Peru", 6, 29),
    ]


def test_links_to_markdown_files_resolve_relative_to_the_file() -> None:
    assert markdown_link("other.md", "guides/a.md") == ("guides/other.md", "")
    assert markdown_link("../about.md#team", "guides/a.md") == ("about.md", "team")
    assert markdown_link("../../x.md", "guides/a.md") is None
    assert markdown_link("https://example.org/a.md", "a.md") is None
    assert markdown_link("/abs.md", "a.md") is None
    assert markdown_link("picture.png", "a.md") is None
