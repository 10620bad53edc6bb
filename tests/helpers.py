"""Readable dumps of parse results, for golden fixtures."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest

from sitegen.model import Document, Mention, TagRef

#: Pagefind's search bundle: written by Pagefind, whose filter index is not byte-stable.
SEARCH_BUNDLE = "pagefind/"
#: sitegen's own bookkeeping in the output folder: the build manifest (source times, folders).
MANIFEST = ".sitegen"


def tree(root: Path, search: bool = False) -> dict[str, bytes]:
    """Return every file of a site by relative path (without the manifest, nor the search bundle unless asked)."""
    files = {}
    for p in sorted(root.rglob("*")):
        relative = p.relative_to(root).as_posix()
        if p.is_file() and relative != MANIFEST and (search or not relative.startswith(SEARCH_BUNDLE)):
            files[relative] = p.read_bytes()
    return files


def compare_golden(out: Path, expected_dir: Path, update: bool, skip: tuple[str, ...] = ()) -> None:
    """Compare a built site with its golden copy (without the folders in ``skip``), or with ``update``
    make the copy again from it."""
    if update:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir, ignore=shutil.ignore_patterns(".sitegen", *skip))
        return
    actual = {p: b for p, b in tree(out).items() if not p.startswith(tuple(f"{s}/" for s in skip))}
    expected = tree(expected_dir)
    assert sorted(actual) == sorted(expected), "the set of output files changed"
    for path in expected:
        assert actual[path].decode() == expected[path].decode(), f"{path} differs from the golden site"


def show(segments) -> str:
    """Return running text with mentions as {TYPE text} and tags as <tag:NAME>."""
    out = []
    for seg in segments:
        if isinstance(seg, Mention):
            out.append(f"{{{seg.type} {seg.text}}}")
        elif isinstance(seg, TagRef):
            out.append(f"<tag:{seg.name}>")
        else:
            out.append(seg)
    return "".join(out).replace("\n", "⏎")


def dump(doc: Document) -> str:
    """Return every field of a parsed document, one per line."""
    lines = [f"title: {doc.title}", f"date: {doc.date}", f"year: {doc.year}"]
    if doc.header is None:
        lines.append("header: none")
    else:
        for name, value in asdict(doc.header).items():
            if value:
                lines.append(f"header.{name}: {' '.join(value) if isinstance(value, tuple) else value}")
        lines.append(f"header text: {show(doc.header_text)}")
    for par in doc.paragraphs:
        lines.append(f"paragraph {par.anchor} number={par.number} line={par.line}")
        if par.heading:
            lines.append(f"  heading: {show(par.heading)}")
        lines.append(f"  text: {show(par.text)}")
    if doc.signature:
        lines.append(f"signature: {show(doc.signature)}")
    for m in doc.mentions:
        lines.append(f"mention {m.type} {m.text!r} at {m.line}:{m.col} in {m.paragraph}")
    for w in doc.diagnostics:
        lines.append(f"warning {w.line}:{w.col} {w.message}")
    return "\n".join(lines) + "\n"


# -- fixture files of cases: title, ".", input, ".", expected, "." (the markdown-it-py style) -------


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """Return (title, input, expected) for every case in a fixture file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path.name}:{i + 2}: expected '.' after the title"
        parts, j, current = [], i + 2, []
        while len(parts) < 2:
            if lines[j] == ".":
                parts.append("\n".join(current))
                current = []
            else:
                current.append(lines[j])
            j += 1
        cases.append((title, parts[0], parts[1]))
        i = j
    return cases


def write_cases(path: Path, cases: list[tuple[str, str, str]]) -> None:
    """Write cases back in fixture format."""
    blocks = [f"{title}\n.\n{source}\n.\n{expected.rstrip(chr(10))}\n." for title, source, expected in cases]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def fixture_cases(folder: Path) -> list:
    """Return every case of the fixture files in ``folder`` as a pytest parameter (path, index)."""
    params = []
    for path in sorted(folder.glob("*.txt")):
        for index, (title, _, _) in enumerate(read_cases(path)):
            params.append(pytest.param(path, index, id=f"{path.stem}-{index}-{title[:40]}"))
    return params


def check_case(path: Path, index: int, render: Callable[[str], str], update_goldens: bool) -> None:
    """Compare one case's rendered input with its expected text, or rewrite it with ``--update-goldens``."""
    cases = read_cases(path)
    title, source, expected = cases[index]
    actual = render(source)
    if update_goldens:
        cases[index] = (title, source, actual)
        write_cases(path, cases)
        return
    assert actual.rstrip("\n") == expected.rstrip("\n"), title


#: The state of a mention's tooltip in the browser: the theme draws it as the mention's ::after box,
#: with the text its page gives the entity's mentions (--tip); --tip-x moves it along.
_TOOLTIP_JS = """m => {
  const s = getComputedStyle(m, '::after'), r = m.getClientRects()[0];
  const x = parseFloat(m.style.getPropertyValue('--tip-x')) || 0;
  return {shown: s.display !== 'none', content: s.content, x: r.left + x, width: parseFloat(s.width) || 0,
          description: (document.getElementById(m.getAttribute('aria-describedby') || '') || {}).textContent || ''};
}"""


def tooltip(mention) -> dict:
    """Return a mention's tooltip as a reader sees it (a Playwright locator of the mention): whether it
    is shown, its text (lines joined by spaces), its box's left edge and width, and the description
    that aria-describedby gives screen readers."""
    state = mention.evaluate(_TOOLTIP_JS)
    content = state.pop("content")
    found = re.fullmatch(r'"(.*)" / ""', content, re.DOTALL)
    text = found.group(1) if found else ""
    text = re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), text)
    state["text"] = " ".join(re.sub(r"\\(.)", r"\1", text).split())
    return state
