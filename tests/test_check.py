"""`sitegen check`: the annotation problems an editor is shown, in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sitegen import cli
from sitegen.parse.authority import load_authority

SOURCES = {
    "a.txt": "[ORG GOP  ] and [ORG GOP  ] met [PER Alan Garcia  ] ; [ORG Shining Path  ] ( SL ) struck .\n",
    "b.txt": "[MISC GOP  ] said [LOC U.S.  ] and [LOC U.S  ] ; [PER Garcia  ] left ; [ORG XXXXXXXXXXXX  ] .\n",
    "c.txt": "[LOC 01/01/1970  ] [ORG U ) Sporadic  ] [MISC one two three four five six seven eight nine  ] .\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "content").mkdir()
    for name, text in SOURCES.items():
        (tmp_path / "content" / name).write_text(text, encoding="utf-8")
    (tmp_path / "entities.toml").write_text('[drop]\nnames = ["Atlantis"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["check", "-j", "1", *args])
    return code, capsys.readouterr().out


def test_the_text_report_groups_findings_with_their_place(project: Path, capsys) -> None:
    code, out = run(capsys)
    assert code == 0
    assert (
        "Names tagged under several types (1):\n  content/a.txt:1:1: 'GOP' is tagged as ORG 66% (2), MISC 33% (1)"
        in out
    )
    assert "Near-duplicate names (1):\n  content/b.txt:1:19: LOC 'U.S.' (1) / 'U.S' (1)" in out
    for junk in (
        "ORG 'XXXXXXXXXXXX': a redaction run",
        "ORG 'U ) Sporadic': unbalanced brackets",
        "LOC '01/01/1970': only digits, a date or punctuation",
        "more than 8 words",
    ):
        assert junk in out
    assert "content/b.txt:1:50: PER 'Garcia' (1) may be 'Alan Garcia' (1), the only person of that name" in out
    assert "ORG 'SL' may be 'Shining Path', written after it in parentheses 1 time" in out
    assert "entities.toml:2:1: [drop] name 'atlantis' matches no mention" in out
    assert out.endswith(
        "sitegen check: 1 type conflict, 1 near duplicate, 4 likely junk, 2 alias candidates, 1 unused rule\n"
    )


def test_json_and_csv_are_for_scripts(project: Path, capsys) -> None:
    _, out = run(capsys, "--format", "json")
    findings = json.loads(out)
    assert {f["kind"] for f in findings} == {
        "type conflict",
        "near duplicate",
        "likely junk",
        "alias candidate",
        "unused rule",
    }
    assert all({"where", "mentions", "names", "message"} <= set(f) for f in findings)
    _, out = run(capsys, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(findings) and rows[0]["kind"] == "type conflict"


def test_suggestions_are_an_authority_file_that_loads(project: Path, capsys) -> None:
    code, _ = run(capsys, "--suggest", "suggested.toml")
    assert code == 0
    authority = load_authority(project / "suggested.toml")
    assert ("LOC", "u.s") in authority.alias_of and ("PER", "garcia") in authority.alias_of
    assert "xxxxxxxxxxxx" in authority.drop


def test_strict_fails_on_findings_and_passes_on_clean_sources(project: Path, capsys) -> None:
    assert run(capsys, "--strict")[0] == cli.EXIT_WARNINGS
    for path in (project / "content").iterdir():
        path.unlink()
    (project / "entities.toml").unlink()
    (project / "content" / "ok.txt").write_text("[LOC Peru  ] and [PER Alan Garcia  ] .\n", encoding="utf-8")
    code, out = run(capsys, "--strict")
    assert code == 0 and out == "sitegen check: nothing to report\n"
