"""One whole expected site for a small content folder (tests/golden).

Run ``pytest --update-goldens`` to rewrite tests/golden/site from the current
output after an intended change, and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import build_site
from tests.helpers import tree

GOLDEN = Path(__file__).parent / "golden"


def test_golden_site(tmp_path: Path, update_goldens: bool) -> None:
    out = tmp_path / "site"
    # Search off: Pagefind's bundle is binary and not byte-stable (tested in test_search).
    result = build_site(GOLDEN / "content", out, title="Golden archive", search=False, research_min_documents=2)
    assert [str(w) for w in result.warnings] == [
        "notes/field notes #1.txt:3:55: warning: unknown entity type 'FOO' (expected PER, LOC, ORG or MISC);"
        " kept as plain text",
        "about.md:9:18: warning: no document mentions the PER 'Nobody Known'; shown without a link",
    ]
    expected_dir = GOLDEN / "site"
    if update_goldens:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir, ignore=shutil.ignore_patterns(".sitegen"))
        return
    actual, expected = tree(out), tree(expected_dir)
    assert sorted(actual) == sorted(expected), "the set of output files changed"
    for path in expected:
        assert actual[path].decode() == expected[path].decode(), f"{path} differs from the golden site"
