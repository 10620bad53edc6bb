"""Parallel builds and the build manifest: same bytes as a serial build, and no work when nothing changed."""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from sitegen.build import manifest as manifest_module
from sitegen.build import sources as sources_module
from sitegen.build import write as write_module
from sitegen.build.cache import cache_path, read_cache
from sitegen.build.output import MARKER
from sitegen.build.search import pagefind_command
from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.render.templates import TemplateError
from tests.conftest import ROOT, build_into, build_site
from tests.helpers import tree

#: Each test builds whole sites again and again.
pytestmark = pytest.mark.slow


def make(content: Path, output: Path, jobs: int = 1, **settings):
    return build_into(Config(root=ROOT, **settings), content, output, jobs=jobs)


@pytest.fixture
def forking(monkeypatch) -> None:
    """Hand the parsing workers a few sources at a time, so that even the demo keeps several busy."""
    monkeypatch.setattr(sources_module, "PARSE_BATCH", 2)


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.usefixtures("forking")
def test_parallel_builds_equal_a_serial_build(tmp_path: Path, jobs: int) -> None:
    serial = make(ROOT / "content", tmp_path / "serial", jobs=1)
    parallel = make(ROOT / "content", tmp_path / "parallel", jobs=jobs)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
    assert (serial.pages, serial.files) == (parallel.pages, parallel.files)


@pytest.mark.usefixtures("forking")
def test_hostile_input_builds_the_same_in_parallel(tmp_path: Path) -> None:
    hostile = Path(__file__).parent / "hostile" / "content"
    make(hostile, tmp_path / "serial", jobs=1, search=False)
    make(hostile, tmp_path / "parallel", jobs=2, search=False)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


@pytest.mark.usefixtures("forking")
def test_the_parsed_documents_are_kept_beside_the_output_not_in_the_system_temporary_folder(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    result = make(ROOT / "content", tmp_path / "site", jobs=2, search=False)
    assert result.documents > 0 and (tmp_path / "site" / "index.html").is_file()


@pytest.mark.usefixtures("forking")
def test_a_worker_that_dies_stops_the_build_with_a_message(tmp_path: Path, monkeypatch) -> None:
    make(ROOT / "content", tmp_path / "site", jobs=1, search=False)
    before = tree(tmp_path / "site")
    render_family, parent = write_module.render_family, os.getpid()

    def dies(*args):
        if os.getpid() != parent:
            os._exit(3)  # as a worker killed by the system would
        return render_family(*args)

    monkeypatch.setattr(write_module, "render_family", dies)
    with pytest.raises(SitegenError, match=r"worker process stopped .*exit code 3"):
        build_into(Config(root=ROOT, search=False), ROOT / "content", tmp_path / "site", jobs=2, force=True)
    assert tree(tmp_path / "site") == before


@pytest.mark.usefixtures("forking")
def test_a_parsing_worker_that_dies_stops_the_build_with_a_message(tmp_path: Path, monkeypatch) -> None:
    make(ROOT / "content", tmp_path / "site", jobs=1, search=False)
    before = tree(tmp_path / "site")
    reuse_or_read = sources_module.reuse_or_read

    def dies_on_one_file(relative: str, path: str, cache, formats):
        if relative.endswith("09LIMA1669.txt") and os.getpid() != parent:
            os._exit(9)  # as a worker killed by the system would
        return reuse_or_read(relative, path, cache, formats)

    parent = os.getpid()
    monkeypatch.setattr(sources_module, "reuse_or_read", dies_on_one_file)
    with pytest.raises(SitegenError, match="worker process stopped while parsing"):
        build_into(Config(root=ROOT, search=False), ROOT / "content", tmp_path / "site", jobs=2, force=True)
    assert tree(tmp_path / "site") == before


@pytest.mark.usefixtures("forking")
def test_an_error_in_a_worker_is_raised_in_the_build(tmp_path: Path, monkeypatch) -> None:
    render_family, parent = write_module.render_family, os.getpid()

    def failing(*args):
        if os.getpid() != parent:
            raise TemplateError("templates/entity.html:3: error while rendering x.html")
        return render_family(*args)

    monkeypatch.setattr(write_module, "render_family", failing)
    with pytest.raises(TemplateError, match=r"entity\.html:3"):
        make(ROOT / "content", tmp_path / "site", jobs=2, search=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def test_nothing_changed_means_nothing_is_rebuilt(project: Path) -> None:
    first = make(project / "content", project / "site")
    assert not first.up_to_date
    index = project / "site" / "index.html"
    before = index.stat().st_mtime_ns
    again = make(project / "content", project / "site")
    assert again.up_to_date and index.stat().st_mtime_ns == before
    assert (again.documents, again.pages, again.files) == (first.documents, first.pages, first.files)
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]


@pytest.mark.parametrize(
    "change",
    [
        "edit a source",
        "add a source",
        "delete a source",
        "configuration",
        "template",
        "deleted output file",
        "deleted top-level output file",
        "force",
    ],
)
def test_any_change_rebuilds(project: Path, change: str) -> None:
    make(project / "content", project / "site")
    settings: dict = {}
    lima = project / "content" / "sample" / "09LIMA1669.txt"
    if change == "edit a source":
        lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
    elif change == "add a source":
        (project / "content" / "new.txt").write_text("About [LOC Peru  ] .\n", encoding="utf-8")
    elif change == "delete a source":
        lima.unlink()
    elif change == "configuration":
        settings = {"title": "Another title"}
    elif change == "template":
        (project / "templates").mkdir()
        (project / "templates" / "page.html").write_text("{{ body_html }}", encoding="utf-8")
        settings = {"root": project}
    elif change == "deleted output file":
        (project / "site" / "entities" / "index.html").unlink()
    elif change == "deleted top-level output file":  # the only folder the manifest's own writing changed
        (project / "site" / "feed.xml").unlink()
    config = Config(**{"root": ROOT, **settings})
    result = build_into(config, project / "content", project / "site", force=change == "force")
    assert not result.up_to_date
    clean = project / "clean"
    build_into(config, project / "content", clean)
    assert tree(project / "site") == tree(clean)


def test_a_no_op_build_looks_only_into_the_output_folders_changed_since_the_manifest(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(project / "content", project / "site")
    site = project / "site"
    marker = site / MARKER
    later = marker.stat().st_mtime_ns + 10**9  # the folders were all last changed before the manifest was written
    os.utime(marker, ns=(later, later))
    (site / "entities" / "stray.html").write_text("not the builder's", encoding="utf-8")  # looked into: it changed
    listed: list[str] = []
    listdir = os.listdir

    def recording(path):
        listed.append(os.path.relpath(path, site))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", recording)
    again = make(project / "content", site)
    assert again.up_to_date
    looked_into = sorted({path for path in listed if not path.startswith("..")})
    # The site's own folder changed as the manifest was written into it.
    assert looked_into == [".", "entities"]


def test_an_output_file_taken_away_in_the_clock_tick_the_manifest_was_written_is_still_missed(project: Path) -> None:
    """On a file system whose clock is coarse, a folder changed in the same tick as the manifest keeps
    the time the manifest recorded; the folder is then looked into all the same."""
    make(project / "content", project / "site")
    site = project / "site"
    recorded = manifest_module.read_manifest(site).folders["entity/per"]  # type: ignore[union-attr]
    page = sorted((site / "entity" / "per").glob("*.html"))[0]
    page.unlink()
    os.utime(site / "entity" / "per", ns=(recorded, recorded))  # as a coarse clock leaves it
    os.utime(site / MARKER, ns=(recorded, recorded))  # the manifest was written in the same tick
    again = make(project / "content", site)
    assert not again.up_to_date and page.exists()
    clean = project / "clean"
    make(project / "content", clean)
    assert tree(site) == tree(clean)


def test_a_manifest_written_while_an_output_folder_is_missing_trusts_no_folder_time(project: Path) -> None:
    make(project / "content", project / "site")
    site = project / "site"
    shutil.rmtree(site / "year")
    manifest = manifest_module.read_manifest(site)
    assert manifest is not None
    manifest_module.write_manifest(site, manifest)  # as if the folder went while the site was written
    assert manifest_module.read_manifest(site).folders == {}  # type: ignore[union-attr]
    again = make(project / "content", site)
    assert not again.up_to_date and (site / "year").is_dir()


def test_a_manifest_of_a_large_site_reads_back_as_written(tmp_path: Path) -> None:
    """A manifest with more files than one part of its JSON holds is written in parts and read back whole."""
    count = 3 * manifest_module._PART + 7
    manifest = manifest_module.Manifest(
        "k" * 64,
        {f"cables/{i}-é.txt": [i, 2 * i] for i in range(count)},
        [f'doc/{i}-"q".html' for i in range(count)],
        [["a.txt", 1, 2, "message", ""]],
        {"files": count},
    )
    manifest_module.write_manifest(tmp_path, manifest)
    assert manifest_module.read_manifest(tmp_path) == manifest
    marker = tmp_path / MARKER
    marker.write_text(marker.read_text(encoding="utf-8").replace("cables/5-", "cables/6-"), encoding="utf-8")
    assert manifest_module.read_manifest(tmp_path) is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bad checksum", "other version", "empty", "missing"])
def test_a_damaged_manifest_is_ignored(project: Path, damage: str) -> None:
    make(project / "content", project / "site")
    marker = project / "site" / MARKER
    text = marker.read_text(encoding="utf-8")
    if damage == "garbage":
        marker.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        marker.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "bad checksum":
        assert '"documents":41' in text
        marker.write_text(text.replace('"documents":41', '"documents":40'), encoding="utf-8")
    elif damage == "other version":
        marker.write_text(text.replace('"version": "', '"version": "0.0.0-', 1), encoding="utf-8")
    elif damage == "empty":
        marker.write_text("", encoding="utf-8")
    elif damage == "missing":
        marker.unlink()
        marker.write_text("", encoding="utf-8")
    (project / "site" / "index.html").write_text("stale", encoding="utf-8")
    result = make(project / "content", project / "site")
    assert not result.up_to_date
    assert (project / "site" / "index.html").read_text(encoding="utf-8") != "stale"


def _change(content: Path, rng: random.Random, step: int) -> str:
    """Make one random change to the sources of a project; return what it was."""
    files = sorted(content.rglob("*.txt"))
    target = rng.choice(files)
    text = target.read_text(encoding="utf-8", errors="replace")
    action = rng.choice(
        [
            "edit",
            "new entity",
            "add",
            "rename",
            "delete",
            "retype",
            "rename entity",
            "touch",
            "redate",
            "break",
            "markdown",
            "note",
        ]
    )
    if action == "edit":
        target.write_text(text.replace(" the ", " that ", 1), encoding="utf-8")
    elif action == "new entity":
        target.write_text(text + f" edit {step} [PER New Person {step}  ] with [LOC Peru  ] .\n", encoding="utf-8")
    elif action == "add":
        (content / f"added-{step}.txt").write_text(f"Added [LOC Peru  ] and [ORG Group {step}  ] .\n", encoding="utf-8")
    elif action == "rename":
        target.rename(target.with_name(f"renamed-{step}-{target.name}"))
    elif action == "delete" and len(files) > 5:
        target.unlink()
    elif action == "retype":
        target.write_text(text.replace("[LOC ", "[ORG ", 1), encoding="utf-8")
    elif action == "rename entity":
        # Makes another spelling the most frequent one: the name changes on every page that shows it.
        target.write_text(
            text + " [PER Alan García  ] [PER Alan García  ] [PER Alan García  ] .\n" * 20, encoding="utf-8"
        )
    elif action == "touch":
        target.write_text(text, encoding="utf-8")
    elif action == "redate":
        target.write_text(re.sub(r"\b(19|20)\d\d\b", "1999", text, count=1), encoding="utf-8")
    elif action == "break":
        target.write_bytes(b"\x00\xff binary \x00" * 10)
    elif action == "markdown":
        about = content / "about.md"
        about.write_text(
            about.read_text(encoding="utf-8") + f"\nStep {step}: [LOC Peru  ] [PER Nobody {step}  ]\n", encoding="utf-8"
        )
    elif action == "note":
        note = content / "entities" / "loc" / "Peru.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(f"A note written at step {step}.\n", encoding="utf-8")
    return action


@pytest.mark.parametrize("jobs", [1, 2])
def test_many_changes_update_the_site_in_place_and_equal_a_clean_build(project: Path, jobs: int) -> None:
    """Edits, additions, renames, deletions and broken files, each built in place (the pages
    rendered by one process, or two), then compared."""
    rng = random.Random(11)
    content = project / "content"
    make(content, project / "site", search=False)
    updates = 0
    for step in range(30):
        action = _change(content, rng, step)
        result = make(content, project / "site", jobs, search=False)
        clean = project / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        expected = build_into(Config(root=ROOT, search=False), content, clean, force=True)
        assert tree(project / "site") == tree(clean), (step, action)
        assert [str(w) for w in result.warnings] == [str(w) for w in expected.warnings], (step, action)
        assert (result.documents, result.entities, result.pages, result.files) == (
            expected.documents,
            expected.entities,
            expected.pages,
            expected.files,
        )
        if result.update is not None:
            updates += 1
            assert result.update.rendered < result.files
    assert updates >= 20  # most changes are updates in place, not whole builds


def test_an_update_in_place_writes_only_what_changed(project: Path) -> None:
    content = project / "content"
    make(content, project / "site", search=False)
    site = project / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
    result = make(content, site, search=False)
    assert result.update is not None and result.update.sources == ["sample/09LIMA1669.txt"]
    touched = {p.relative_to(site).as_posix() for p, mtime in before.items() if p.stat().st_mtime_ns != mtime}
    assert touched - {MARKER} == set(result.update.changed)
    assert "doc/sample/09lima1669.html" in touched
    assert len(touched) < 10 and result.update.rendered < 100  # of 1,697 files


def test_a_template_or_theme_file_change_updates_only_what_uses_it(project: Path) -> None:
    """Each change below is made in place, or by a whole build where that is quicker, and equals a clean build."""
    shutil.copytree(ROOT / "themes" / "default", project / "themes" / "mine")
    theme, content, site = project / "themes" / "mine", project / "content", project / "site"
    config = Config(root=project, theme="mine", search=False)
    build_into(config, content, site)
    documents = {
        f"doc/{p.relative_to(content).with_suffix('.html').as_posix().lower()}" for p in content.rglob("*.txt")
    }

    def rebuild():
        before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
        result = build_into(config, content, site)
        clean = project / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build_into(config, content, clean, force=True)
        assert tree(site) == tree(clean)
        touched = {
            p.relative_to(site).as_posix()
            for p, mtime in before.items()
            if not p.exists() or p.stat().st_mtime_ns != mtime
        } - {MARKER}
        return result, touched

    document = theme / "templates" / "document.html"
    document.write_text(
        document.read_text(encoding="utf-8").replace("</article>", "<p>Edited.</p></article>"), encoding="utf-8"
    )
    result, touched = rebuild()
    assert result.update is not None and result.update.theme == ["templates/document.html"]
    assert not result.update.sources and touched == set(result.update.changed) == documents
    assert result.update.rendered == len(documents)

    style = theme / "static" / "style.css"
    style.write_text(style.read_text(encoding="utf-8") + "\nmain { color: black; }\n", encoding="utf-8")
    result, touched = rebuild()
    assert result.update is not None and result.update.theme == ["static/style.css"]
    assert touched == {"assets/style.css"} and result.update.rendered == 0

    (project / "templates").mkdir()  # the project's own document.html, over the theme's
    (project / "templates" / "document.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    result, touched = rebuild()
    assert result.update is not None and result.update.theme == ["templates/document.html"]
    assert touched == documents
    (project / "templates" / "document.html").unlink()
    result, touched = rebuild()
    assert result.update is not None and touched == documents

    entity = theme / "templates" / "entity.html"  # most pages are entity pages: a whole build is quicker
    entity.write_text(entity.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result, touched = rebuild()
    assert result.update is None and not result.up_to_date

    base = theme / "templates" / "base.html"  # every page uses it: a whole build is quicker
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- edited --></body>"), encoding="utf-8")
    result, touched = rebuild()
    assert result.update is None and not result.up_to_date and "index.html" in touched

    (theme / "templates" / "extra.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    result, _ = rebuild()  # a new template may change which one a page uses
    assert result.update is None and not result.up_to_date
    assert build_into(config, content, site).up_to_date


def test_a_template_that_fails_leaves_the_site_as_it_was(project: Path) -> None:
    shutil.copytree(ROOT / "themes" / "default", project / "themes" / "mine")
    content, site = project / "content", project / "site"
    config = Config(root=project, theme="mine", search=False)
    build_into(config, content, site)
    before = tree(site)
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
    document = project / "themes" / "mine" / "templates" / "document.html"
    document.write_text(
        document.read_text(encoding="utf-8").replace("</article>", "{{ no_such.thing }}</article>"), encoding="utf-8"
    )
    marker = (site / MARKER).read_bytes()
    with pytest.raises(TemplateError, match=r"document\.html:\d+: error while rendering"):
        build_into(config, content, site)
    assert tree(site) == before and (site / MARKER).read_bytes() == marker


def test_unchanged_sources_are_not_parsed_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = project / "content"
    make(content, project / "site", search=False)
    parsed: list[str] = []
    original = sources_module.read_document
    monkeypatch.setattr(
        sources_module, "read_document", lambda path, *args: parsed.append(path) or original(path, *args)
    )
    # A configuration change renders every page again, but parses nothing.
    result = make(content, project / "site", search=False, title="Another title")
    assert result.update is None and not result.up_to_date and parsed == []
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    make(content, project / "site", search=False, title="Another title")
    assert parsed == ["sample/09LIMA1669.txt"]


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "bad checksum", "flipped byte", "other code", "empty", "stale", "missing"]
)
def test_a_damaged_or_stale_cache_is_ignored(project: Path, damage: str) -> None:
    content, site = project / "content", project / "site"
    make(content, site, search=False)
    cache = cache_path(site)
    data = cache.read_bytes()
    head, body = data.split(b"\n", 1)
    if damage == "garbage":
        cache.write_bytes(b"\x00\xff not a cache")
    elif damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "bad checksum":
        cache.write_bytes(head + b"\n" + body[:-1] + bytes([body[-1] ^ 1]))
    elif damage == "flipped byte":
        middle = len(body) // 2
        cache.write_bytes(head + b"\n" + body[:middle] + bytes([body[middle] ^ 1]) + body[middle + 1 :])
    elif damage == "other code":
        cache.write_bytes(head.replace(b'"code": "', b'"code": "0') + b"\n" + body)
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "stale":
        stale = project / "stale"
        shutil.copy(cache, stale)
        lima = content / "sample" / "09LIMA1669.txt"
        lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
        make(content, site, search=False)
        shutil.copy(stale, cache)  # the cache of the build before: it does not describe the site on disk
    elif damage == "missing":
        cache.unlink()
    (content / "new.txt").write_text("About [LOC Peru  ] .\n", encoding="utf-8")
    result = make(content, site, search=False)
    assert result.update is None and not result.up_to_date
    clean = project / "clean"
    make(content, clean, search=False)
    assert tree(site) == tree(clean)
    assert make(content, site, search=False).up_to_date


@pytest.mark.parametrize("threaded", [False, True])
def test_records_checked_in_a_process_of_their_own_are_trusted_only_once_sound(project: Path, threaded: bool) -> None:
    content, site = project / "content", project / "site"
    make(content, site, search=False)
    edited = "sample/09LIMA1669.txt"
    if threaded:  # a process with other threads (the preview's) checks the records at once, not forked
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
    intact = read_cache(site, records_later=True)
    assert intact is not None
    if threaded:
        assert intact.checking == 0
    elif threading.active_count() == 1:  # (other tests in this process may have left threads)
        assert intact.checking != 0
    assert intact is not None and intact.sound() and intact.data(edited)
    path = cache_path(site)
    data = bytearray(path.read_bytes())
    data[intact.where[edited][0] + 10] ^= 1  # inside a document's record: the directory is intact
    path.write_bytes(bytes(data))
    assert read_cache(site) is None  # checked at once
    later = read_cache(site, records_later=True)
    assert later is not None, "the directory and index are checked at once, the records later"
    assert not later.sound() and later.damaged
    assert later.data(edited) is None and later.data("cables/05LIMA2158.txt") is None  # nothing is read
    if threaded:
        stop.set()


def test_records_are_checked_here_when_the_checking_process_is_lost(project: Path, monkeypatch) -> None:
    content, site = project / "content", project / "site"
    make(content, site, search=False)

    def lost(pid: int, options: int) -> tuple[int, int]:
        raise ChildProcessError("no child")  # as when SIGCHLD is ignored

    intact = read_cache(site, records_later=True)
    assert intact is not None
    monkeypatch.setattr(os, "waitpid", lost)
    assert intact.sound()
    monkeypatch.undo()
    path = cache_path(site)
    data = bytearray(path.read_bytes())
    data[intact.where["sample/09LIMA1669.txt"][0] + 10] ^= 1
    path.write_bytes(bytes(data))
    damaged = read_cache(site, records_later=True)
    assert damaged is not None
    monkeypatch.setattr(os, "waitpid", lost)
    assert not damaged.sound()


def test_an_update_in_place_appends_to_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.build import cache as cache_module

    content, site = project / "content", project / "site"
    make(content, site, search=False)
    path = cache_path(site)
    first = read_cache(site)
    assert first is not None and first.file is not None
    first.file.close()
    inode, size = path.stat().st_ino, path.stat().st_size
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    # The same file: the other documents' records stay where they were, the edited one is appended.
    second = read_cache(site)
    assert second is not None and second.file is not None
    assert path.stat().st_ino == inode and second.records_end > first.records_end
    edited = "sample/09LIMA1669.txt"
    assert second.where[edited][0] >= first.records_end
    others = {relative for relative in first.where if relative != edited}
    assert {r: second.where[r] for r in others} == {r: first.where[r] for r in others}
    assert path.stat().st_size < size + (second.records_end - first.records_end) + 2 * (size - first.records_end)
    second.file.close()

    # A damaged appended record is found: the cache is not trusted, and the site is built whole.
    data = bytearray(path.read_bytes())
    data[second.where[edited][0] + 10] ^= 1
    path.write_bytes(bytes(data))
    assert read_cache(site) is None
    lima.write_text(lima.read_text(encoding="utf-8").replace("gladly", "kindly"), encoding="utf-8")
    assert make(content, site, search=False).update is None
    clean = project / "clean"
    make(content, clean, search=False)
    assert tree(site) == tree(clean)

    # A cache that records mostly documents no longer used is written anew.
    inode = path.stat().st_ino
    lima.write_text(lima.read_text(encoding="utf-8").replace("kindly", "warmly"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    assert path.stat().st_ino == inode
    monkeypatch.setattr(cache_module, "MIN_LIVE_SHARE", 1.01)
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "gladly"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    assert path.stat().st_ino != inode
    rewritten = read_cache(site)
    assert rewritten is not None and rewritten.file is not None
    head = len(path.read_bytes().split(b"\n", 1)[0]) + 1
    assert rewritten.records_end == head + sum(8 + data + 8 + extra for _, data, extra in rewritten.where.values())
    rewritten.file.close()
    make(content, clean, search=False)
    assert tree(site) == tree(clean)


def test_a_site_taken_from_the_cache_still_reads_its_documents_after_another_build_appends(project: Path) -> None:
    """A preview takes its site from the cache and reads documents from it while it runs; a
    `sitegen build` meanwhile appends to the same file, and must not move what the preview reads."""
    from sitegen.build.context import BuildContext
    from sitegen.build.pipeline import build

    content, site = project / "content", project / "site"
    config = Config(root=ROOT, search=False)
    build_into(config, content, site)
    inode = cache_path(site).stat().st_ino
    held = build(BuildContext(config, content, site), whole=True, keep_state=True).state  # as a preview starts
    assert held is not None
    sources = [summary.source for summary in held.corpus.documents]
    before = {s: (held.corpus.document_data(s), held.corpus.document_extra(s)) for s in sources}
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    assert build_into(config, content, site).update is not None
    assert cache_path(site).stat().st_ino == inode  # appended to, not replaced
    assert {s: (held.corpus.document_data(s), held.corpus.document_extra(s)) for s in sources} == before
    assert all(held.corpus.reading(s) is not None for s in sources)


def test_an_interrupted_update_is_not_trusted(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, site = project / "content", project / "site"
    make(content, site, search=False)
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("[LOC Peru  ]", "[LOC Chile  ]"), encoding="utf-8")
    from sitegen.build.incremental import SiteState

    def crash(self, *args, **kwargs):
        self.render_family(next(iter(self.pending)), None, [])
        raise KeyboardInterrupt

    monkeypatch.setattr(SiteState, "drain", crash)
    with pytest.raises(KeyboardInterrupt):
        make(content, site, search=False)
    monkeypatch.undo()
    result = make(content, site, search=False)
    assert result.update is None and not result.up_to_date
    clean = project / "clean"
    make(content, clean, search=False)
    assert tree(site) == tree(clean)


def test_an_update_in_place_refreshes_the_search_index(project: Path) -> None:
    if pagefind_command() is None:
        pytest.skip("Pagefind is not installed")
    content, site = project / "content", project / "site"
    make(content, site)
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8") + "\nZyzzyvaword appears here.\n", encoding="utf-8")
    result = make(content, site)
    assert result.update is not None
    assert (site / "pagefind" / "p1" / "pagefind.js").is_file()
    words = b"".join(p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file())
    assert words  # the bundle was rebuilt in place; its contents are compressed


def test_changes_with_workers_and_search_equal_a_clean_build(project: Path) -> None:
    """The same random changes with two workers and the search index on (whole builds are parallel)."""
    rng = random.Random(5)
    content = project / "content"
    make(content, project / "site", jobs=2)
    for step in range(8):
        action = _change(content, rng, step)
        result = make(content, project / "site", jobs=2)
        clean = project / f"clean-{step}"
        expected = build_site(content, clean)
        assert tree(project / "site") == tree(clean), (step, action)
        assert [str(w) for w in result.warnings] == [str(w) for w in expected.warnings]


def test_an_update_with_two_processes_shares_out_the_pages_of_a_large_family(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that moves every page of an entity (the document it listed first no longer names
    it) has those pages rendered in runs that the processes share: the site is a clean build's, and
    the update says what a serial one says."""
    from sitegen.build import incremental, pipeline

    monkeypatch.setattr(pipeline, "MAX_CHANGED_SHARE", 1.0)
    monkeypatch.setattr(pipeline, "MAX_RERENDERED_SHARE", 1.0)
    monkeypatch.setattr(incremental, "SHARED_PAGES", 2)
    monkeypatch.setattr(incremental, "HERE_COST", 0)  # the workers render every page, this process none
    tasks: list[list[dict]] = []
    real = incremental.shared_out
    monkeypatch.setattr(incremental, "shared_out", lambda *args: tasks.append(real(*args)[0]) or real(*args))
    settings = {"entity_documents_per_page": 1, "search": False}
    updates = {}
    for jobs in (1, 2):
        content, site = tmp_path / f"j{jobs}" / "content", tmp_path / f"j{jobs}" / "site"
        shutil.copytree(ROOT / "content", content)
        make(content, site, jobs=jobs, **settings)
        first = re.search(r'href="\.\./\.\./doc/([^"#]+)\.html', (site / "entity/loc/peru.html").read_text("utf-8"))
        assert first is not None
        source = next(content.glob(f"*/{first[1].split('/')[-1].upper()}.txt"))
        source.write_text(source.read_text("utf-8").replace("[LOC Peru  ]", "Peru"), encoding="utf-8")
        updates[jobs] = make(content, site, jobs=jobs, **settings).update
    runs = [task for found in tasks for task in found if ("entity", ("LOC", "peru")) in task]
    assert len(runs) >= 5 and all(len(task[("entity", ("LOC", "peru"))]) <= 2 for task in runs)
    make(tmp_path / "j2" / "content", tmp_path / "clean", **settings)
    assert tree(tmp_path / "j2" / "site") == tree(tmp_path / "clean") == tree(tmp_path / "j1" / "site")
    assert updates[1] is not None and updates[2] is not None
    assert updates[2].rendered == updates[1].rendered > 20
    assert sorted(updates[2].changed) == sorted(updates[1].changed)


def test_an_update_in_place_takes_the_corpus_index_from_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.index.corpus import Corpus

    content, site = project / "content", project / "site"
    first = make(content, site, search=False)
    restored: list[int] = []
    real = Corpus.restored.__func__  # type: ignore[attr-defined]

    def restore(cls, state, store, changed=()):
        restored.append(len(store))
        return real(cls, state, store, changed)

    monkeypatch.setattr(Corpus, "restored", classmethod(restore))
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    result = make(content, site, search=False)
    assert result.update is not None and restored == [first.documents]

    def unusable(cls, state, store, changed=()):
        raise ValueError("the index names other documents than the store holds")

    monkeypatch.setattr(Corpus, "restored", classmethod(unusable))  # every document is indexed again
    lima.write_text(lima.read_text(encoding="utf-8").replace("gladly", "kindly"), encoding="utf-8")
    result = make(content, site, search=False)
    assert result.update is not None
    clean = project / "clean"
    make(content, clean, search=False)
    assert tree(site) == tree(clean)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_update_in_place_makes_again_only_the_rows_of_the_entities_it_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """The entities' rows in entities.json, entities.csv and the finder are kept in the cache."""
    from sitegen.build import write
    from sitegen.site import pages

    content, site = project / "content", project / "site"
    first = make(content, site, jobs, search=False)
    made: list = []
    real = pages.entity_row

    def counted(site, key):
        made.append(key)
        return real(site, key)

    monkeypatch.setattr(pages, "entity_row", counted)
    monkeypatch.setattr(write, "entity_row", counted)
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    result = make(content, site, jobs, search=False)
    assert result.update is not None and "entities.json" in result.update.changed
    assert ("PER", "ann newname") in made and len(made) == len(set(made)) < first.entities / 20
    clean = project / "clean"
    make(content, clean, search=False)
    assert tree(site) == tree(clean)


def test_the_rows_the_cache_keeps_are_those_of_the_entities_there_are_now(project: Path) -> None:
    """An entity an edit takes away leaves no rows behind in the cache (its journal says it is gone)."""
    from sitegen.build.cache import read_cache
    from sitegen.build.journal import Journal

    content, site = project / "content", project / "site"
    lima = content / "sample" / "09LIMA1669.txt"
    text = lima.read_text(encoding="utf-8")
    lima.write_text(text.replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    make(content, site, search=False)
    lima.write_text(text.replace("warmly", "[PER Bob Newname  ] warmly"), encoding="utf-8")  # Ann gone, Bob new
    result = make(content, site, search=False)
    assert result.update is not None and result.state is not None
    kept = result.state.site.kept_rows()
    assert ("PER", "bob newname") in kept and ("PER", "ann newname") not in kept
    assert set(kept) == set(result.state.corpus.entities)
    result.state.site.take_rows({("PER", "ann newname"): kept[("PER", "bob newname")]})  # a row left behind
    assert set(result.state.site.kept_rows()) == set(result.state.corpus.entities)
    cache = read_cache(site)
    assert cache is not None
    assert Journal.read(cache).gone == [("PER", "ann newname")]


def test_a_colour_or_highlighting_change_rewrites_only_the_stylesheets(project: Path) -> None:
    from dataclasses import replace as with_

    from sitegen.config import DEFAULT_TYPES

    content, site = project / "content", project / "site"
    config = Config(root=ROOT, search=False)
    build_into(config, content, site)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    purple = Config(
        root=ROOT, search=False, types={**DEFAULT_TYPES, "PER": with_(DEFAULT_TYPES["PER"], color="#6a1b9a")}
    )
    result = build_into(purple, content, site)
    touched = {p.relative_to(site).as_posix() for p, mtime in before.items() if p.stat().st_mtime_ns != mtime}
    assert result.update is not None and result.update.rendered == 0
    assert touched - {MARKER} == {"assets/colours.css", "assets/pygments.css"}  # the source views colour mentions
    assert "--per: #6a1b9a;" in (site / "assets" / "colours.css").read_text(encoding="utf-8")
    result = build_into(with_(purple, code_style="monokai"), content, site)
    assert result.update is not None and result.update.changed == ["assets/pygments.css"]
    build_into(with_(purple, code_style="monokai"), content, project / "clean")
    assert tree(site) == tree(project / "clean")

    # A project template that colours its pages itself is rendered again.
    (project / "templates").mkdir()
    (project / "templates" / "document.html").write_text(
        "{% extends 'base.html' %}{% block main %}{% for css, t in types %}<i style='color:{{ t.color }}'></i>"
        "{% endfor %}{% endblock %}",
        encoding="utf-8",
    )
    mine = Config(root=project, search=False)
    build_into(mine, content, site)
    result = build_into(with_(mine, types=purple.types), content, site)
    assert result.update is not None and "look" in result.update.theme
    assert "#6a1b9a" in (site / "doc" / "sample" / "09lima1669.html").read_text(encoding="utf-8")


def test_an_update_in_place_appends_what_changed_rather_than_the_whole_index(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of the site stays where the last whole write put it; each update appends a journal
    of every change since, and the next update takes the site back from both."""
    from sitegen.build import journal as journal_module
    from sitegen.build.journal import Journal

    content, site, clean = project / "content", project / "site", project / "clean"
    make(content, site, search=False)

    def cache():
        found = read_cache(site)
        assert found is not None and found.file is not None
        return found

    def same_as_a_clean_build() -> None:
        shutil.rmtree(clean, ignore_errors=True)
        make(content, clean, search=False)
        assert tree(site) == tree(clean)

    first = cache()
    assert first.journal_at == (0, 0) and first.index_at[1] > 0  # a whole build writes the index whole
    lima, bogota = content / "sample" / "09LIMA1669.txt", content / "cables" / "02BOGOTA3281.txt"
    lima_record = (*first.where["sample/09LIMA1669.txt"], first.digests["sample/09LIMA1669.txt"])
    bogota_record = (*first.where["cables/02BOGOTA3281.txt"], first.digests["cables/02BOGOTA3281.txt"])

    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    second = cache()
    assert second.index_at == first.index_at and second.index_digest == first.index_digest
    assert 0 < second.journal_at[1] < first.index_at[1] / 10
    assert Journal.read(second).documents == {"sample/09LIMA1669.txt": lima_record}
    same_as_a_clean_build()

    # Lima again, another cable deleted and a new one: one journal, against the same index, holds them all.
    lima.write_text(lima.read_text(encoding="utf-8").replace("Ann Newname", "Ann Secondname"), encoding="utf-8")
    bogota.unlink()
    (content / "cables" / "10LIMA999.txt").write_text(
        (content / "cables" / "05LIMA2158.txt").read_text(encoding="utf-8").replace("05LIMA2158", "10LIMA999"),
        encoding="utf-8",
    )
    result = make(content, site, search=False)
    assert result.update is not None and len(result.update.sources) == 3
    third = cache()
    assert third.index_at == first.index_at
    assert Journal.read(third).documents == {
        "sample/09LIMA1669.txt": lima_record,
        "cables/02BOGOTA3281.txt": bogota_record,
        "cables/10LIMA999.txt": None,
    }
    same_as_a_clean_build()

    # The site taken back from the index and that journal is the one on disk: the next update builds on it.
    lima.write_text(lima.read_text(encoding="utf-8").replace("Ann Secondname", "Ann Othername"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    same_as_a_clean_build()

    # A journal naming too many documents, or too large against its index: the index is written
    # whole again, after the directory, and the next journal starts from it.
    for setting, value in (("MIN_JOURNAL_DOCUMENTS", 2), ("JOURNAL_SHARE", 0.0)):
        digest = cache().index_digest
        with monkeypatch.context() as patch:
            patch.setattr(journal_module, setting, value)
            lima.write_text(lima.read_text(encoding="utf-8").replace("Ann", "Anne"), encoding="utf-8")
            assert make(content, site, search=False).update is not None
        whole = cache()
        assert whole.journal_at == (0, 0) and whole.index_digest != digest
        same_as_a_clean_build()
        lima.write_text(lima.read_text(encoding="utf-8").replace("Anne", "Ann"), encoding="utf-8")
        assert make(content, site, search=False).update is not None
        assert Journal.read(cache()).documents.keys() == {"sample/09LIMA1669.txt"}


def _taken_back(monkeypatch: pytest.MonkeyPatch, what: str) -> list[dict]:
    """Return the list to which each later update adds a copy of ``what`` ("written": the families'
    paths, or "rows") as it takes the index and its journal back from the cache."""
    from sitegen.build import gather

    taken: list[dict] = []
    real = gather.restored

    def spy(*args):
        found = real(*args)
        taken.append(dict(getattr(found, what)))
        return found

    monkeypatch.setattr(gather, "restored", spy)
    return taken


def test_the_paths_taken_back_from_the_index_and_its_journal_are_those_the_last_update_left(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each update journals the paths of only the families it recorded (and those the journal it
    read had changed): taken back, index and journal give every family's paths as they were."""
    from sitegen.build.journal import Journal

    content, site = project / "content", project / "site"
    make(content, site, search=False)
    taken = _taken_back(monkeypatch, "written")
    lima, bogota = content / "sample" / "09LIMA1669.txt", content / "cables" / "02BOGOTA3281.txt"
    new = content / "cables" / "10LIMA999.txt"
    # A document in a folder of its own makes an output folder; an edit of words alone, no file.
    elsewhere = content / "elsewhere" / "10LIMA998.txt"
    edits = [
        lambda: lima.write_text(
            lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8"
        ),
        lambda: (elsewhere.parent.mkdir(), shutil.copy(content / "cables" / "05LIMA2158.txt", elsewhere)),
        lambda: lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "most warmly"), encoding="utf-8"),
        lambda: new.write_text(
            (content / "cables" / "05LIMA2158.txt").read_text(encoding="utf-8").replace("05LIMA2158", "10LIMA999"),
            encoding="utf-8",
        ),
        bogota.unlink,
        lambda: lima.write_text(
            lima.read_text(encoding="utf-8").replace("Ann Newname", "Ann Othername"), encoding="utf-8"
        ),
    ]
    left = None
    for edit in edits:
        edit()
        result = make(content, site, search=False)
        assert result.update is not None and result.state is not None
        if left is not None:
            assert taken[-1] == left  # the update started from the paths the last one left
        left = dict(result.state.written)
        recorded = manifest_module.read_manifest(site)
        assert recorded is not None and recorded.outputs == sorted(p for paths in left.values() for p in paths)
        # The folders whose times the manifest keeps are those of its files, whether the update took
        # them from the last manifest (its files the same) or worked them out (a file in a new folder).
        assert set(recorded.folders) == {path.rpartition("/")[0] for path in recorded.outputs}
    assert len(taken) == len(edits)
    journal = Journal.read(read_cache(site))  # type: ignore[arg-type]
    assert journal.paths[("doc", "cables/10LIMA999.txt")] == ["doc/cables/10lima999.html"]
    assert journal.paths[("doc", "cables/02BOGOTA3281.txt")] is None


def test_the_rows_taken_back_from_the_index_and_its_journal_are_those_the_last_update_left(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each update journals the rows of only the entities whose rows it made, took or let go of (and
    those the journal it read had changed): taken back, index and journal give every entity's rows
    as the last update left them, through entities that come, change and go."""
    content, site = project / "content", project / "site"
    make(content, site, search=False)
    taken = _taken_back(monkeypatch, "rows")
    lima, bogota = content / "sample" / "09LIMA1669.txt", content / "cables" / "02BOGOTA3281.txt"
    text = lima.read_text(encoding="utf-8")
    edits = [
        lambda: lima.write_text(text.replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8"),
        lambda: lima.write_text(
            text.replace("warmly", "[PER Ann Newname  ] and [LOC Lima  ] warmly"), encoding="utf-8"
        ),
        bogota.unlink,
        lambda: lima.write_text(text.replace("warmly", "[PER Bob Newname  ] warmly"), encoding="utf-8"),
        lambda: lima.write_text(text, encoding="utf-8"),
    ]
    left = None
    for edit in edits:
        edit()
        result = make(content, site, search=False)
        assert result.update is not None and result.state is not None
        if left is not None:
            assert taken[-1] == left  # the update started from the rows the last one left
        left = dict(result.state.site.kept_rows())
        assert set(left) == set(result.state.corpus.entities)
    assert len(taken) == len(edits)
    assert ("PER", "ann newname") not in left and ("PER", "bob newname") not in left


def test_an_update_finds_the_finders_entities_by_character_from_the_index_not_from_every_entity(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index lists the entities by the first characters of their words: an update renders a
    character's finder parts from that list and the entities whose rows changed since the index was
    written (its journal's and its own), not from every entity's words, and finds the same ones."""
    from sitegen.site import finder

    content, site = project / "content", project / "site"
    make(content, site, search=False)
    every, seeded = finder.entity_letters, finder._seeded
    passes: list[list[str]] = []
    found_again: list[list[str]] = []

    def every_entity(rows, letters, *kept):
        passes.append(sorted(letters))
        return every(rows, letters, *kept)

    def from_the_index(site, letters):
        found = seeded(site, letters)
        assert found is not None
        whole = every(zip(site.corpus.entities, site.rows_in_order()), letters)
        assert {k: sorted(v) for k, v in found.items()} == {k: sorted(v) for k, v in whole.items()}
        found_again.append(sorted(letters))
        return found

    monkeypatch.setattr(finder, "entity_letters", every_entity)
    monkeypatch.setattr(finder, "_seeded", from_the_index)
    lima, bogota = content / "sample" / "09LIMA1669.txt", content / "cables" / "02BOGOTA3281.txt"
    text = lima.read_text(encoding="utf-8")
    edits = [
        lambda: lima.write_text(text.replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8"),
        lambda: lima.write_text(text.replace("warmly", "[PER Ann Zyzzyva  ] warmly"), encoding="utf-8"),
        bogota.unlink,
        lambda: lima.write_text(text.replace("warmly", "[PER Bob Quux  ] warmly"), encoding="utf-8"),
        lambda: lima.write_text(text, encoding="utf-8"),
    ]
    for edit in edits:
        edit()
        assert make(content, site, search=False).update is not None
    assert passes == []
    # The characters of the names each edit adds or takes away, and those of Bogotá's entities.
    assert len(found_again) == len(edits) and len(found_again[2]) > 4
    assert found_again[:2] == [["a", "n"], ["a", "n", "z"]] and found_again[3:] == [["a", "b", "q", "z"], ["b", "q"]]
    clean = project / "clean"
    make(content, clean, search=False)
    assert tree(site) == tree(clean)


def test_the_paths_and_rows_taken_back_name_each_entity_and_document_with_the_index_own_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The families' paths and the entities' rows are kept with the index's numbers for the entities
    and documents they are of: taken back, they are those the build left, and they hold the index's
    own keys and sources, not copies of them (at a million entities, copies cost hundreds of MB)."""
    from sitegen.build import gather

    content, site = project / "content", project / "site"
    first = make(content, site, search=False)
    assert first.state is not None
    left_paths, left_rows = dict(first.state.written), dict(first.state.site.kept_rows())
    taken: list = []
    real = gather.restored

    def spy(*args):
        found = real(*args)  # the index as it was written: the edit is not in it yet
        keys = {id(key) for key in found.corpus.entities}
        sources = {id(doc.source) for doc in found.corpus.documents}
        taken.append((dict(found.written), dict(found.rows), keys, sources))
        return found

    monkeypatch.setattr(gather, "restored", spy)
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "most warmly"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    [(paths, rows, keys, sources)] = taken
    assert paths == left_paths and rows == left_rows
    by_entity = [family for family in paths if family[0] in ("entity", "facets")]
    by_document = [family for family in paths if family[0] in ("doc", "docdata", "source")]
    assert by_entity and by_document and rows
    assert all(id(family[1]) in keys for family in by_entity)
    assert all(id(family[1]) in sources for family in by_document)
    assert all(id(key) in keys for key in rows)


def test_the_documents_paths_are_taken_back_while_the_documents_are_the_same_and_worked_out_when_they_change(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sources whose names differ only in case share a path: the second by name gets a hash.
    An update of the same documents takes every path from the last build; one that adds a
    document works them out again. Once the first is deleted, the second's page has the path
    without a hash."""
    from sitegen.site import pages as pages_module

    content, site = project / "content", project / "site"
    (content / "cases").mkdir()
    upper, lower = content / "cases" / "Zeta.txt", content / "cases" / "zeta.txt"
    upper.write_text("[PER Ann Upper  ] wrote from [LOC Lima  ] .\n", encoding="utf-8")
    lower.write_text("[PER Ann Lower  ] wrote from [LOC Quito  ] .\n", encoding="utf-8")
    make(content, site, search=False)
    hashed = next(p for p in os.listdir(site / "doc" / "cases") if p.startswith("zeta--") and p.endswith(".html"))
    worked_out: list[list[str]] = []
    real = pages_module.document_paths

    def spy(sources, folder="doc", formats=None):
        if folder == "doc":
            worked_out.append(sorted(sources))
        return real(sources, folder) if formats is None else real(sources, folder, formats)

    monkeypatch.setattr(pages_module, "document_paths", spy)
    lower.write_text("[PER Ann Lower  ] wrote from [LOC Quito  ] again .\n", encoding="utf-8")
    result = make(content, site, search=False)
    assert result.update is not None and result.state is not None
    assert worked_out == []  # the same documents: their paths are those of the last build
    paths = result.state.site.urls.documents
    assert (paths["cases/Zeta.txt"], paths["cases/zeta.txt"]) == ("doc/cases/zeta.html", f"doc/cases/{hashed}")
    assert paths == real(list(paths))
    assert "again" in (site / "doc" / "cases" / hashed).read_text(encoding="utf-8")
    (content / "cases" / "other.txt").write_text("[PER Ann Other  ] wrote from [LOC Lima  ] .\n", encoding="utf-8")
    result = make(content, site, search=False)
    assert result.update is not None and result.state is not None
    assert len(worked_out) == 1 and "cases/other.txt" in worked_out[0]  # another set of documents
    assert result.state.site.urls.documents == {**paths, "cases/other.txt": "doc/cases/other.html"}
    assert (site / "doc" / "cases" / "other.html").exists()
    corpus, config = result.state.site.corpus, result.state.site.config
    kept = dict(result.state.site.urls.documents)
    assert pages_module.Site(corpus, config, kept_paths=kept).urls.documents == kept
    fewer = {source: path for source, path in kept.items() if source != "cases/other.txt"}
    for other in ({**kept, "cases/gone.txt": "doc/x.html"}, fewer, {**fewer, "cases/gone.txt": "doc/x.html"}):
        assert pages_module.Site(corpus, config, kept_paths=other).urls.documents == kept  # not these documents'
    upper.unlink()  # the second by name is first now (a path moves from one page to another: a whole build)
    result = make(content, site, search=False)
    assert result.state is not None and result.state.site.urls.documents["cases/zeta.txt"] == "doc/cases/zeta.html"
    assert "Ann Lower" in (site / "doc" / "cases" / "zeta.html").read_text(encoding="utf-8")
    assert not (site / "doc" / "cases" / hashed).exists()


@pytest.mark.parametrize("damaged", ["index", "record"])
def test_a_damaged_index_or_journal_record_is_not_trusted(
    project: Path, damaged: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The index a journal is written against, and the records of the documents it was made with,
    lie outside what the directory's checksum covers: each has a checksum of its own."""
    content, site, clean = project / "content", project / "site", project / "clean"
    make(content, site, search=False)
    first = read_cache(site)
    assert first is not None and first.file is not None
    first.file.close()
    lima = content / "sample" / "09LIMA1669.txt"
    lima.write_text(lima.read_text(encoding="utf-8").replace("warmly", "[PER Ann Newname  ] warmly"), encoding="utf-8")
    assert make(content, site, search=False).update is not None
    path = cache_path(site)
    data = bytearray(path.read_bytes())
    at = first.index_at[0] + first.index_at[1] // 2 if damaged == "index" else first.where["sample/09LIMA1669.txt"][0]
    data[at + 10] ^= 1
    path.write_bytes(bytes(data))
    kept = read_cache(site)
    assert kept is not None and kept.file is not None  # the directory and the documents in use are sound
    index = kept.index()
    assert (index is None) == (damaged == "index")
    if index is not None:
        index.close()
    kept.file.close()
    lima.write_text(lima.read_text(encoding="utf-8").replace("Ann Newname", "Ann Othername"), encoding="utf-8")
    with caplog.at_level("DEBUG", logger="sitegen"):
        result = make(content, site, search=False)
    assert result.update is not None  # every cached document indexed again, rather than the damaged bytes read
    if damaged == "record":  # found by its checksum, before it is unpickled
        assert "a document the index was made with is damaged in the cache" in caplog.text
    make(content, clean, search=False)
    assert tree(site) == tree(clean)


def test_a_file_written_again_is_read_first_only_when_its_bytes_may_be_the_same_or_search_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.build.incremental import write_if_changed

    read: list[str] = []
    real = Path.read_bytes

    def counted(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    (tmp_path / "entities.json").write_bytes(b"[1, 2]")
    assert write_if_changed(tmp_path, "entities.json", b"[1, 2, 3]") == 3 and read == []  # another size
    assert write_if_changed(tmp_path, "entities.json", b"[1, 2, 4]") == 0 and read == ["entities.json"]
    assert (tmp_path / "entities.json").read_bytes() == b"[1, 2, 4]"
    read.clear()
    assert write_if_changed(tmp_path, "entities.json", b"[1, 2, 4]") is None and read == ["entities.json"]
    assert write_if_changed(tmp_path, "new.json", b"{}") == 2
    heard: list[str] = []
    page = "<html><body><main data-pagefind-body><p>{}</p></main></body></html>"
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "a.html").write_text(page.format("old words"), encoding="utf-8")
    read.clear()
    grown = write_if_changed(tmp_path, "doc/a.html", page.format("the new words").encode(), heard.append)
    assert grown == 4 and read == ["a.html"] and heard == ["doc/a.html"]  # search compares what it reads


def test_a_file_written_again_in_parts_is_compared_and_written_a_part_at_a_time(tmp_path: Path) -> None:
    """A data file made in parts (entities.json of a whole archive) is compared with the file on
    disk and written as its parts come: the file holds exactly the new bytes, is left alone when
    they are the same, and neither it nor the new bytes are ever held whole."""
    import tracemalloc

    from sitegen.build.incremental import write_if_changed

    target = tmp_path / "data" / "entities.json"

    def parts(*chunks: bytes):
        yield from chunks

    assert write_if_changed(tmp_path, "data/entities.json", parts(b"[1, ", b"2]")) == 6
    assert target.read_bytes() == b"[1, 2]"
    inode = target.stat().st_ino
    assert write_if_changed(tmp_path, "data/entities.json", parts(b"[1", b", 2]")) is None
    assert target.stat().st_ino == inode  # the same bytes, in other parts: not written
    cases = [
        (b"[1, 3]", (b"[1, ", b"3]")),  # another end
        (b"[0, 3]", (b"[0", b", 3]")),  # another start
        (b"[0, 3, 4]", (b"[0, 3", b"", b", 4]")),  # longer: the old bytes but its end, then more
        (b"[0, 3", (b"[0, 3",)),  # cut short
        (b"", ()),  # empty
        (b"[5]", (b"[5]",)),  # from an empty file
    ]
    for expected, chunks in cases:
        before = target.stat().st_size
        assert write_if_changed(tmp_path, "data/entities.json", parts(*chunks)) == len(expected) - before
        assert target.read_bytes() == expected
    assert [p.name for p in target.parent.iterdir()] == ["entities.json"]  # no file left behind

    def failing():
        yield b"[9, "
        raise RuntimeError("a part could not be made")

    with pytest.raises(RuntimeError):
        write_if_changed(tmp_path, "data/entities.json", failing())
    assert target.read_bytes() == b"[5]" and [p.name for p in target.parent.iterdir()] == ["entities.json"]

    part, count = b"x" * 65_536, 256  # 16 MB
    target.write_bytes(part * count)
    tracemalloc.start()
    try:
        assert write_if_changed(tmp_path, "data/entities.json", (part for _ in range(count))) is None
        same_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        changed = (part if n != count // 2 else b"y" * len(part) for n in range(count))
        assert write_if_changed(tmp_path, "data/entities.json", changed) == 0
        changed_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert target.read_bytes() == part * (count // 2) + b"y" * len(part) + part * (count // 2 - 1)
    assert same_peak < 2_000_000 and changed_peak < 4_000_000, (same_peak, changed_peak)


def test_a_store_that_adopts_the_caches_documents_reads_of_each_only_what_is_asked_for(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adopting reads nothing of the documents (an update asks for few of them); each document's
    blocks and reading text are then read where they lie, and a damaged size is an error."""
    import pickle

    from sitegen.build.cache import CACHE_GAP
    from sitegen.index import store as store_module
    from sitegen.index.store import DocumentStore, document_blocks, document_reading

    content, site = project / "content", project / "site"
    make(content, site, search=False)
    cache = read_cache(site)
    assert cache is not None and cache.file is not None
    reads: list[int] = []
    real = os.pread
    monkeypatch.setattr(store_module.os, "pread", lambda fd, size, at: (reads.append(at), real(fd, size, at))[1])
    store = DocumentStore()
    store.adopt(cache.file, cache.where, CACHE_GAP)
    assert reads == [] and len(store) == len(cache.where) > 20
    sources = sorted(cache.where)
    for source in sources:
        doc = pickle.loads(cache.data(source))  # type: ignore[arg-type]
        reading = document_reading(doc)
        assert store.reading(source) == reading and store.blocks(source) == document_blocks(doc, reading)
    positions = [position for position, _ in store.records()]
    assert positions == sorted(positions) == sorted(cache.where[s][0] for s in sources)
    by_place, third = sorted(sources, key=lambda s: cache.where[s][0]), -(-len(sources) // 3)
    assert [blocks for _, blocks in store.records(1, 3)] == [store.blocks(s) for s in by_place[third : 2 * third]]
    # A size of the blocks larger than what follows the document: the record is damaged.
    at, size, _ = cache.where[sources[0]]
    damaged = project / "damaged"
    data = bytearray(cache_path(site).read_bytes())
    data[at + size + CACHE_GAP : at + size + CACHE_GAP + 8] = (1 << 40).to_bytes(8, "big")
    damaged.write_bytes(bytes(data))
    with open(damaged, "rb") as file:
        other = DocumentStore()
        other.adopt(file, cache.where, CACHE_GAP)
        with pytest.raises(OSError, match="damaged"):
            other.blocks(sources[0])
        assert other.blocks(sources[1]) == store.blocks(sources[1])
    cache.file.close()


def test_the_caches_directory_of_an_archive_reads_back_as_written_and_is_pickled_a_piece_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's directory names every source of an archive, where its record is and its
    checksum. It is pickled in pieces, so that writing it never remembers more than one piece's
    objects, and it reads back as it was written."""
    import tracemalloc

    from sitegen.build.cache import write_cache
    from sitegen.build.sources import Source
    from sitegen.errors import Diagnostic
    from sitegen.index import pieces
    from sitegen.index.resolve import Resolver

    def source(n: int) -> Source:
        relative = f"cables/{n:06d}.txt"
        return Source(
            relative, None, [Diagnostic(relative, n, 1, f"warning {n}")], f"{n:064x}", (n, n), rules=frozenset()
        )

    sources = [source(n) for n in range(60_000)]
    output = tmp_path / "site"
    output.mkdir()
    monkeypatch.setattr(pieces, "INDEX_PIECE", 1000)
    tracemalloc.start()
    try:
        write_cache(output, "key", sources, lambda relative: (relative.encode(), b"beside"), Resolver())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    cache = read_cache(output)  # every record's checksum verified
    assert cache is not None and cache.key == "key"
    assert list(cache.sources.values()) == sources
    assert cache.data("cables/000007.txt") == b"cables/000007.txt" and cache.extra("cables/059999.txt") == b"beside"
    # Where each record is and its checksum take about 18 MB here; pickled whole, the directory peaks at 45 MB or more.
    assert peak < 25_000_000, peak
