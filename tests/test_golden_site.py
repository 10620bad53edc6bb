"""One whole expected site for a small content folder (tests/golden).

Run ``pytest --update-goldens`` to rewrite tests/golden/site from the current
output after an intended change, and review the diff.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_site
from tests.helpers import compare_golden

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
    compare_golden(out, GOLDEN / "site", update_goldens)
