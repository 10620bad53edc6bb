"""The tagged-cable Pygments lexer: golden token streams, no Error tokens, plugin registration.

tests/fixtures/lexer/*.txt hold cases (title, ``.``, input, ``.``, tokens,
``.``); run ``pytest --update-goldens`` to rewrite the token streams.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pygments.lexers import get_lexer_by_name
from pygments.token import Error, Whitespace

from sitegen.render.highlight import CableLexer, _cable_lines, highlight_lines, pygments_css, source_html
from tests.helpers import check_case, fixture_cases

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "lexer"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


def token_stream(text: str) -> str:
    """Return one line per token: its type and text (white-space tokens left out)."""
    return "\n".join(
        f"{str(kind).removeprefix('Token.')} {value!r}"
        for kind, value in CableLexer(stripnl=False).get_tokens(text)
        if kind not in (Whitespace,) and value.strip()
    )


@pytest.mark.parametrize("path,index", fixture_cases(FIXTURES))
def test_token_stream(path: Path, index: int, update_goldens: bool) -> None:
    check_case(path, index, token_stream, update_goldens)


def corpus_files() -> list[Path]:
    """Return the real cables: the demo content, and the shared corpus when it is present."""
    files = sorted((ROOT / "content").rglob("*.txt"))
    if SHARED_CORPUS.is_dir():
        files += sorted(SHARED_CORPUS.rglob("*.txt"))
    return files


@pytest.mark.slow
def test_no_error_tokens_and_nothing_lost_on_real_cables() -> None:
    files = corpus_files()
    assert len(files) >= 40
    lexer = CableLexer(stripnl=False, ensurenl=False)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        tokens = list(lexer.get_tokens_unprocessed(text))
        errors = [(pos, value) for pos, kind, value in tokens if kind in Error]
        assert not errors, f"{path}: Error tokens {errors[:3]}"
        assert "".join(value for _, _, value in tokens) == text, f"{path}: the tokens do not add up to the text"


def test_no_error_tokens_on_broken_input() -> None:
    nasty = (
        "[PER unclosed\n[ORG  ]\n[per lower  ]\n<a id='par1' href='#par1'>\n<a href='/tag/\n"
        "[LOC [PER nested  ]  ]\n\x00\ufeff<code><pre>]]]][[[[<<<<\n" + "[MISC x  ]" * 1000
    )
    tokens = list(CableLexer(stripnl=False).get_tokens_unprocessed(nasty))
    assert not [t for t in tokens if t[1] in Error]
    assert "".join(t[2] for t in tokens) == nasty


def test_registered_with_pygments() -> None:
    assert isinstance(get_lexer_by_name("tagged-cable"), CableLexer)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pygments",
            "-l",
            "tagged-cable",
            "-f",
            "html",
            str(ROOT / "content" / "sample" / "09LIMA1669.txt"),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert '<span class="ni ni-PER">P. Michael McKinley</span>' in result.stdout


def test_source_view_lines_are_anchored_and_escaped() -> None:
    html = source_html("first <b>line</b>\n[PER Alan Garcia  ] second\n")
    assert '<code><span id="L1"><a href="#L1">1</a>first' in html
    assert 'id="L2"' in html and 'id="L3"' not in html
    assert "&lt;b&gt;line&lt;/b&gt;" in html and "<b>" not in html
    # the words inside the brackets' element, the spaces before "]" kept as written
    assert '<span class="p-Entity-PER">[PER <span class="ni-PER">Alan Garcia</span>  ]</span> second' in html


def test_a_mention_in_the_source_view_looks_as_it_did_with_its_words_inside_its_brackets(browser) -> None:
    """In both colour schemes the words of a mention are bold, coloured and underlined; its brackets
    bold and coloured, not underlined."""
    from sitegen.config import load_config

    config = load_config(None)
    colours = {t: v.color for t, v in config.types.items()}
    dark = {t: v.dark_color for t, v in config.types.items()}
    css = pygments_css(config.code_style, config.code_style_dark, colours, dark)
    style = "e => { const s = getComputedStyle(e); return [s.fontWeight, s.textDecorationLine, s.color]; }"
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.set_content(f"<style>{css}</style>" + source_html("x [ORG Shining Path  ] y\n"))
        words = page.locator(".ni-ORG").evaluate(style)
        brackets = page.locator(".p-Entity-ORG").evaluate(style)
        assert words[0] == brackets[0] == "700", scheme
        assert "underline" in words[1] and "underline" not in brackets[1], scheme
        assert words[2] == brackets[2], scheme
        page.close()


def test_stylesheet_has_both_schemes_and_the_entity_colours() -> None:
    css = pygments_css("default", "github-dark", {"PER": "#8a3ffc"}, {"PER": "#c6a8ff"})
    light, dark = css.lower().split("@media (prefers-color-scheme: dark)")
    assert ".highlight .ni-per" in light and "#8a3ffc" in light
    assert ".highlight .ni-per" in dark and "#c6a8ff" in dark


#: Pieces of tagged cables that the lexer's rules match, and what lies around them.
PIECES = [
    "[PER ",
    "[loc ",
    "[ORG Shining Path  ]",
    "  ]",
    "]",
    "[",
    "<",
    ">",
    "&",
    "'",
    '"',
    "x",
    "Peru",
    "5",
    "_",
    "é",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\ufeff",
    "<a href='/tag/PREL_0.html'>PREL</a>",
    "<a id='par2' href='#par2'>¶</a>2 .",
    "<a\nhref='/tag/X_0.html'>X</a>",
    "<code>",
    "<pre>",
    "</pre>",
    "E.O. 12958:",
    "E O 12958",
    "DECL:",
    "TAGS",
    "SUBJECT:",
    "Subject:",
    "REF:",
    "REFTEL:",
    "CLASSIFIED BY:",
    "classified by",
    "REASONS",
    "SECRET",
    "C O N F I D E N T I A L",
    "UNCLAS",
    "LIMITED OFFICIAL USE",
]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_the_source_views_highlighter_writes_what_the_pygments_lexer_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _cable_lines(text) == highlight_lines(text, CableLexer(stripnl=False, ensurenl=True))


def test_the_source_views_highlighter_writes_what_the_pygments_lexer_does_on_real_cables() -> None:
    cables = sorted((ROOT / "content").rglob("*.txt"))
    shared = ROOT.parent / "shared" / "corpus" / "cables"
    if shared.is_dir():
        cables += sorted(shared.glob("*.txt"))[::20]  # 271 of the 5,406
    for cable in cables:
        text = cable.read_text(encoding="utf-8", errors="replace")
        assert _cable_lines(text) == highlight_lines(text, CableLexer(stripnl=False, ensurenl=True)), cable
