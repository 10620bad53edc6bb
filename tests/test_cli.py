"""The command line as a user runs it: messages, exit codes, output handling."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build.incremental import Update
from sitegen.build.pipeline import BuildResult
from sitegen.build.search import SearchIndex
from sitegen.cli import summary
from tests.conftest import ROOT
from tests.helpers import tree

SEED = ROOT / "seeds" / "000_1c6c8d2b3d4bc68e.txt"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``python -m sitegen`` in ``cwd`` and capture its output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONUNBUFFERED", None)  # its output to a pipe buffered, as in most shells and CI logs
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Return a project folder holding content/ with the sample cable."""
    (tmp_path / "content").mkdir()
    shutil.copy(SEED, tmp_path / "content" / "09LIMA1669.txt")
    return tmp_path


def test_version_and_help() -> None:
    version = run("--version", cwd=ROOT)
    assert version.returncode == 0 and version.stdout.startswith("sitegen ")
    helped = run("build", "--help", cwd=ROOT)
    assert helped.returncode == 0
    for word in ("--content", "--output", "--config", "--strict", "exit status"):
        assert word in helped.stdout
    bare = run(cwd=ROOT)
    assert bare.returncode == 2 and "build" in bare.stdout


def test_build_with_defaults_writes_site_and_summary(project: Path) -> None:
    result = run("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "site" / "index.html").is_file()
    assert (project / "site" / "doc" / "09lima1669.html").is_file()
    assert result.stdout.startswith("Built 1 document, 55 entities, ")
    assert "0 warnings in " in result.stdout
    # It says how much it wrote: the files of the site, and the search index apart.
    files, size = re.search(r"\(([\d,]+) files, ([\d.,]+) MB", result.stdout).groups()
    written = [p for p in (project / "site").rglob("*") if p.is_file() and "pagefind" not in p.parts]
    pages = [p for p in written if p.name != ".sitegen" and p.parent.name != "assets"]
    assert int(files.replace(",", "")) == len(pages)
    assert float(size) == round(sum(p.stat().st_size for p in written if p.name != ".sitegen") / 1e6, 1)
    search = re.search(r"search index ([\d.]+) MB", result.stdout)
    if search:
        index = sum(p.stat().st_size for p in (project / "site" / "pagefind").rglob("*") if p.is_file())
        assert float(search.group(1)) == round(index / 1e6, 1)


def test_an_update_says_what_it_indexed_for_search(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    assert run("build", cwd=tmp_path).returncode == 0
    cable = tmp_path / "content" / "sample" / "09LIMA1669.txt"
    cable.write_text(cable.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
    result = run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    said = re.search(r", 1 of 1 part of the search index indexed again in [\d.]+ s; 41 documents, ", result.stdout)
    assert result.stdout.startswith("Updated site/ for 1 changed source: ") and said, result.stdout
    # Pages written again only where search does not read them: the index is left as it is.
    update = Update(["a.txt"], rendered=9, changed=["doc/a.html"], search=SearchIndex(parts=0, total_parts=3))
    line = summary(BuildResult(documents=2, pages=9, files=12, seconds=1.5, update=update), "site")
    assert line == (
        "Updated site/ for 1 changed source: 9 of 12 files rendered again, 1 changed, the search index unchanged;"
        " 2 documents, 9 pages, 0 warnings in 1.50 s"
    )
    update.search = None  # search off: nothing said of it
    assert ", 1 changed; 2 documents" in summary(BuildResult(documents=2, pages=9, files=12, update=update), "site")


def test_bad_files_warn_with_location_and_the_rest_builds(project: Path) -> None:
    content = project / "content"
    (content / "broken.txt").write_bytes(b"fine line\nunclosed [PER Alan Garcia here\ncaf\xe9\n")
    (content / "empty.txt").write_bytes(b"")
    (content / "binary.txt").write_bytes(bytes(range(256)) * 20)
    result = run("build", cwd=project)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert "content/broken.txt:2:10: warning: mention '[PER ' is not closed" in result.stderr
    assert "content/broken.txt:3:4: warning: 1 byte(s) are not valid UTF-8" in result.stderr
    assert "content/empty.txt: warning: empty file; skipped" in result.stderr
    assert "content/binary.txt: warning: binary file" in result.stderr
    assert "Built 2 documents" in result.stdout
    strict = run("build", "--strict", cwd=project)
    assert strict.returncode == 1 and "--strict" in strict.stderr


@pytest.mark.parametrize(
    "toml,message",
    [
        ("[site]\ntitle = 3\n", "[site] title must be a str"),
        ("[site\n", "sitegen.toml"),
        ("[pages]\ndocuments = 0\n", "between 1 and 100000"),
        ("[colours]\n", "unknown section or key 'colours'"),
        ('[types.PER]\ncolor = "red;}</style>"\n', "is not a CSS colour"),
        ('[highlight]\nstyle = "no-such-style"\n', "unknown Pygments style 'no-such-style'; available: abap,"),
    ],
)
def test_configuration_errors_exit_2_with_a_message(project: Path, toml: str, message: str) -> None:
    (project / "sitegen.toml").write_text(toml, encoding="utf-8")
    result = run("build", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_argument_errors_exit_2(project: Path) -> None:
    assert run("build", "--content", "missing", cwd=project).returncode == 2
    assert run("build", "--config", "missing.toml", cwd=project).returncode == 2
    assert run("build", "--bogus", cwd=project).returncode == 2


def test_configuration_sets_title_labels_and_page_sizes(project: Path) -> None:
    (project / "sitegen.toml").write_text(
        '[site]\ntitle = "Lima cables"\noutput = "public"\nbase_url = "https://example.org/lima/"\n'
        '[types.PER]\nlabel = "Human"\ncolor = "#123456"\n[pages]\ndocuments = 5\n',
        encoding="utf-8",
    )
    assert run("build", cwd=project).returncode == 0
    html = (project / "public" / "doc" / "09lima1669.html").read_text(encoding="utf-8")
    assert "Lima cables</title>" in html and '<link rel="stylesheet" href="../assets/colours.css">' in html
    assert "--per: #123456;" in (project / "public" / "assets" / "colours.css").read_text(encoding="utf-8")
    assert re.search(r'<li id="tip-\d+">Human: ', html)
    assert '<link rel="canonical" href="https://example.org/lima/doc/09lima1669.html">' in html


def test_refuses_to_overwrite_a_folder_it_did_not_write(project: Path) -> None:
    (project / "precious").mkdir()
    (project / "precious" / "thesis.doc").write_text("do not delete", encoding="utf-8")
    result = run("build", "--output", "precious", cwd=project)
    assert result.returncode == 2 and "not written by sitegen" in result.stderr
    assert (project / "precious" / "thesis.doc").exists()
    assert run("build", "--output", "content", cwd=project).returncode == 2


def test_failed_build_keeps_the_previous_site(project: Path) -> None:
    assert run("build", cwd=project).returncode == 0
    before = tree(project / "site")
    (project / "templates").mkdir()
    (project / "templates" / "document.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ doc.title | nosuchfilter }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    result = run("build", cwd=project)
    assert result.returncode == 1
    assert "document.html:3" in result.stderr and "Traceback" not in result.stderr
    assert tree(project / "site") == before
    assert not [p for p in project.iterdir() if "sitegen-tmp" in p.name]


def test_a_file_the_system_refuses_stops_the_build_with_a_message_and_the_next_build_completes(
    project: Path,
) -> None:
    """A full disk or a file too large is the system's refusal, not a bug: the build says so, keeps
    the previous site (or, after an update stopped half-way, writes it whole next time)."""
    import resource

    def small_files() -> None:  # every file written past 20 KB fails, as on a full disk (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    def refused(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "sitegen", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=small_files,
        )

    shutil.copytree(ROOT / "content", project / "content", dirs_exist_ok=True)  # pages for two processes
    for jobs in ("1", "2"):  # the refusal in this process, or in a worker
        result = refused("build", "-j", jobs)
        assert result.returncode == 1, result.stderr
        assert "error: could not write the site into" in result.stderr and "File too large" in result.stderr
        assert "Traceback" not in result.stderr and "bug" not in result.stderr
        assert not (project / "site").exists()
        assert not [p for p in project.iterdir() if "sitegen-tmp" in p.name]
    assert run("build", cwd=project).returncode == 0
    before = tree(project / "site")
    result = refused("build", "--force")
    assert result.returncode == 1 and "File too large" in result.stderr and "Traceback" not in result.stderr
    assert tree(project / "site") == before  # a whole build keeps the previous site
    source = project / "content" / "09LIMA1669.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new line about [PER Ann Newname  ] .\n")
    result = refused("build")
    assert result.returncode == 1 and "File too large" in result.stderr and "Traceback" not in result.stderr
    again = run("build", cwd=project)  # the update stopped half-way: this build writes the site whole
    assert again.returncode == 0, again.stderr
    clean = project / "clean"
    assert run("build", "--output", str(clean), cwd=project).returncode == 0
    assert tree(project / "site") == tree(clean)


def test_template_override_replaces_the_theme_file(project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "group_index.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="custom">{{ kind_title }}</p>{% endblock %}', encoding="utf-8"
    )
    assert run("build", cwd=project).returncode == 0
    assert '<p id="custom">Tags</p>' in (project / "site/browse/tags.html").read_text(encoding="utf-8")


def test_removed_documents_leave_no_stale_pages(project: Path) -> None:
    extra = "Only here, twice: [PER Zed Unique  ] and [PER Zed Unique  ] .\n"
    (project / "content" / "extra.txt").write_text(extra, encoding="utf-8")
    assert run("build", cwd=project).returncode == 0
    assert (project / "site/doc/extra.html").exists()
    assert (project / "site/entity/per/zed-unique.html").exists()
    (project / "content" / "extra.txt").unlink()
    assert run("build", cwd=project).returncode == 0
    assert not (project / "site/doc/extra.html").exists()
    assert not (project / "site/entity/per/zed-unique.html").exists()


@pytest.mark.slow
def test_output_is_byte_identical_across_builds_folders_and_file_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(ROOT / "content", first / "content")
    # Copy in reverse order so the file system lists files differently.
    (second / "content").mkdir(parents=True)
    for path in sorted((p for p in (ROOT / "content").rglob("*") if p.is_file()), reverse=True):
        target = second / "content" / path.relative_to(ROOT / "content")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    assert run("build", cwd=first).returncode == 0
    assert run("build", cwd=second).returncode == 0
    assert tree(first / "site") == tree(second / "site")
    assert run("build", cwd=first).returncode == 0
    assert tree(first / "site") == tree(second / "site")


def test_jobs_and_up_to_date_builds_from_the_command_line(project: Path) -> None:
    first = run("build", "-j", "2", cwd=project)
    assert first.returncode == 0 and first.stdout.startswith("Built ")
    again = run("build", cwd=project)
    assert again.returncode == 0 and "is up to date" in again.stdout and "--force rebuilds" in again.stdout
    assert again.stderr == first.stderr  # the same warnings again
    forced = run("build", "--force", "-j", "1", cwd=project)
    assert forced.returncode == 0 and forced.stdout.startswith("Built ")
    bad = run("build", "-j", "-1", cwd=project)
    assert bad.returncode == 2 and "--jobs must be" in bad.stderr
