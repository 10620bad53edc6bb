"""Parser rules as golden fixtures: tests/fixtures/parser/*.txt.

Each fixture file holds cases in the markdown-it-py style: a title line, then
``.``, the input, ``.``, the expected dump, ``.``. Trailing spaces in inputs
are significant. Run ``pytest --update-goldens`` to rewrite the expected parts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cable import parse_text
from tests.helpers import dump

FIXTURES = Path(__file__).parent / "fixtures" / "parser"


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


def all_cases() -> list:
    """Return every fixture case as a pytest parameter."""
    params = []
    for path in sorted(FIXTURES.glob("*.txt")):
        for index, (title, _, _) in enumerate(read_cases(path)):
            params.append(pytest.param(path, index, id=f"{path.stem}-{index}-{title[:40]}"))
    return params


@pytest.mark.parametrize("path,index", all_cases())
def test_fixture(path: Path, index: int, update_goldens: bool) -> None:
    cases = read_cases(path)
    title, source, expected = cases[index]
    actual = dump(parse_text("doc.txt", source))
    if update_goldens:
        cases[index] = (title, source, actual)
        write_cases(path, cases)
        return
    assert actual.rstrip("\n") == expected.rstrip("\n"), title
