"""Parser rules as golden fixtures: tests/fixtures/parser/*.txt.

Each fixture file holds cases in the markdown-it-py style: a title line, then
``.``, the input, ``.``, the expected dump, ``.``. Trailing spaces in inputs
are significant. Run ``pytest --update-goldens`` to rewrite the expected parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.parse.cable import parse_text
from tests.helpers import check_case, dump, fixture_cases

FIXTURES = Path(__file__).parent / "fixtures" / "parser"


@pytest.mark.parametrize("path,index", fixture_cases(FIXTURES))
def test_fixture(path: Path, index: int, update_goldens: bool) -> None:
    check_case(path, index, lambda source: dump(parse_text("doc.txt", source)), update_goldens)
