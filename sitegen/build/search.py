"""Full-text search: run Pagefind over the written pages, in parts.

Pagefind (the PyPI package ``pagefind[bin]``) indexes the HTML after it is
written. Only document pages and Markdown pages are indexed (``is_indexed``);
inside them, only the element marked ``data-pagefind-body``.

Pagefind holds the whole index of a run in memory, about nine times the
bytes of the pages it reads. So the pages are split into parts of about
``[search] part_megabytes`` each, and each part gets a bundle of its own
(``pagefind/p1/``, ``pagefind/p2/``…), made by one run of Pagefind over hard
links to the part's pages. The search page merges the parts in the browser
(Pagefind's ``mergeIndex``), as listed in ``pagefind/parts.json``.

A page's part is a hash of its path (``part_of``), so it stays in its part as
the site grows and an edit re-indexes only the parts of the pages it changed.
The number of parts is chosen again when the site outgrows it.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Parts of those pages that are not text of the document: tooltips, paragraph numbers (their permalinks), source links.
NOT_INDEXED = ".tips, .permalink, .source-link"
BUNDLE = "pagefind"
#: The list of parts the search page merges, inside the bundle folder.
PARTS = "parts.json"
#: Pagefind's interface, copied beside the parts so the search page finds it in one place.
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
#: The folders of indexed pages: documents and Markdown pages.
INDEXED_FOLDERS = ("doc", "pages")
#: A part may grow to this many times its size through edits before the parts are chosen again.
REGROW = 1.5
#: What _index_part returns when it was cancelled.
CANCELLED = "cancelled"


@dataclass(frozen=True)
class SearchIndex:
    """What one run of the indexer did."""

    pages: int = 0
    """Pages in the parts indexed by this run."""
    parts: int = 0
    """Parts indexed by this run."""
    total_parts: int = 0
    """Parts of the whole index."""
    seconds: float = 0.0
    error: str = ""
    """Why no index was built; empty on success."""
    cancelled: bool = False
    """True when it was stopped before the end (the parts done so far are in place)."""


def pagefind_command() -> list[str] | None:
    """Return the command that runs Pagefind, or None when it is not installed."""
    if importlib.util.find_spec("pagefind") is not None and importlib.util.find_spec("pagefind_bin") is not None:
        return [sys.executable, "-m", "pagefind"]
    found = shutil.which("pagefind") or shutil.which("pagefind_extended")
    return [found] if found else None


def is_indexed(path: str) -> bool:
    """Return True for an output path that full-text search covers."""
    return path.endswith(".html") and path.split("/", 1)[0] in INDEXED_FOLDERS


#: An element whose text search reads (data-pagefind-body) or leaves out (data-pagefind-ignore).
_MARKED = re.compile(rb"<([a-zA-Z][\w:-]*)\b[^>]*?\sdata-pagefind-(body|ignore)\b[^>]*>")
#: The attributes that give a page's metadata, filters and sort keys (from any other attribute).
_VALUES = re.compile(rb"data-pagefind-(?:filter|meta|default-meta|sort)\b", re.I)
#: An id attribute.
_ID = re.compile(rb"\sid\s*=")
#: Elements whose end tag a page may leave out (a minified page does): where one of them ends is
#: not where its end tag is found.
_OPTIONAL_END = frozenset(b"p li dt dd rt rp optgroup option colgroup caption thead tbody tfoot tr td th".split())
#: A start tag, with its name and whatever follows the name.
_TAG = re.compile(rb"<([a-zA-Z][\w:-]*)([^>]*)>")
#: The attributes Pagefind reads: an element's id (its anchors), its class (the selectors left out of
#: the index) and its own data-pagefind-* ones.
_READ_ATTRIBUTE = re.compile(
    rb"""\s(?:id|class|data-pagefind-[\w-]+)(?![\w-])(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"""
)


def searched_text(html: bytes) -> bytes:
    """Return what full-text search reads of a page, to tell whether an edit of the page changes
    its index: two versions with the same result index alike.

    That is the page's language and title and the elements marked
    ``data-pagefind-body``, with only the attributes Pagefind reads (ids,
    classes and ``data-pagefind-*``), and without the elements marked
    ``data-pagefind-ignore`` that hold no metadata, filters or ids. So a page that
    changed only in its tooltips, its links or its neighbours' titles needs no
    new index. Anything this does not know to be unread is kept: a page
    without a marked body, or with search settings outside it, is returned whole.
    """
    if b"data-pagefind-body" not in html or b"data-pagefind-index-attrs" in html:
        return html
    head = html[: max(0, html.find(b"<body"))]
    pieces = [m.group(0) for m in re.finditer(rb"<html\b[^>]*>|<title>.*?</title>", head, re.S | re.I)]
    position = 0
    outside = []
    for start, end in _marked_spans(html, b"body"):
        if end is None:
            return html  # a body that may end before its end tag: compared whole
        if start < position:
            continue  # nested inside the last one
        outside.append(html[position:start])
        pieces.append(_attributes_read(_without_ignored(html[start:end])))
        position = end
    outside.append(html[position:])
    if position == 0 or any(b"data-pagefind-" in part.lower() for part in outside):
        return html
    return b"\0".join(pieces)


def _marked_spans(html: bytes, kind: bytes) -> Iterator[tuple[int, int | None]]:
    """Yield where each element marked ``data-pagefind-KIND`` starts and ends, in document order
    (an element whose end is not found ends the page; None: one whose end tag may be left out)."""
    for found in _MARKED.finditer(html):
        if found.group(2) == kind:
            name = found.group(1).lower()
            yield found.start(), None if name in _OPTIONAL_END else _element_end(html, name, found.end())


def _element_end(html: bytes, name: bytes, after: int) -> int:
    """Return where the element named ``name`` whose start tag ends at ``after`` ends."""
    depth = 1
    pattern = re.compile(rb"<(/?)" + re.escape(name) + rb"\b[^>]*>", re.I)
    for tag in pattern.finditer(html, after):
        if tag.group(1):
            depth -= 1
            if not depth:
                return tag.end()
        elif not tag.group(0).endswith(b"/>"):
            depth += 1
    return len(html)


def _without_ignored(html: bytes) -> bytes:
    """Return ``html`` without its elements marked data-pagefind-ignore that hold no other
    data-pagefind-* attribute and no id (Pagefind still reads an ignored element's metadata and
    filters; ids are kept to be safe)."""
    kept, position = [], 0
    for start, end in _marked_spans(html, b"ignore"):
        if end is None or start < position:
            continue  # kept: where it ends is not known, or it is inside the last one
        inside = html[start:end].lower()
        if inside.count(b"data-pagefind-") > 1 or _ID.search(inside):
            continue
        kept.append(html[position:start])
        position = end
    kept.append(html[position:])
    return b"".join(kept)


def _attributes_read(html: bytes) -> bytes:
    """Return ``html`` with each start tag keeping only the attributes Pagefind reads (all of them
    on an element with metadata or filters, which may take their values from any attribute)."""
    return _TAG.sub(_tag_read, html)


def _tag_read(tag: re.Match[bytes]) -> bytes:
    """Return a start tag with only the attributes Pagefind reads."""
    attributes = tag.group(2)
    if _VALUES.search(attributes):
        return tag.group(0)
    return b"<" + tag.group(1) + b"".join(_READ_ATTRIBUTE.findall(attributes)) + b">"


def part_of(path: str, parts: int) -> int:
    """Return the part (from 0) that indexes a page: a hash of its path, the same on every build."""
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % parts


def part_count(total_bytes: int, part_bytes: int) -> int:
    """Return how many parts pages of ``total_bytes`` need so that each holds about ``part_bytes``."""
    return max(1, math.ceil(total_bytes / max(1, part_bytes)))


def indexed_pages(site_folder: Path) -> dict[str, int]:
    """Return every indexed page under the site folder, with its size in bytes."""
    pages: dict[str, int] = {}
    for folder in INDEXED_FOLDERS:
        top = site_folder / folder
        for directory, _, files in os.walk(top):
            relative = Path(directory).relative_to(site_folder).as_posix()
            for name in files:
                if name.endswith(".html"):
                    pages[f"{relative}/{name}"] = os.stat(os.path.join(directory, name)).st_size
    return pages


def read_parts(site_folder: Path) -> int | None:
    """Return the number of parts of the index on disk, or None when there is none to trust."""
    try:
        listed = json.loads((site_folder / BUNDLE / PARTS).read_text(encoding="utf-8"))
        return int(listed["count"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_index(
    site_folder: Path,
    part_bytes: int,
    changed: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> SearchIndex:
    """Index the pages under ``site_folder`` into ``site_folder/pagefind``; never raises.

    With ``changed`` (output paths written or deleted since the index was
    made), only the parts holding them are indexed again. ``progress`` hears
    how many parts are done, of how many. Setting ``cancel`` stops it within
    a tenth of a second, Pagefind included; each part is swapped in whole,
    so the index stays usable.
    """
    command = pagefind_command()
    if command is None:
        return SearchIndex(
            error="full-text search needs Pagefind: pip install 'pagefind[bin]'"
            " (or set [search] enabled = false in sitegen.toml)"
        )
    started = time.perf_counter()
    site_folder = site_folder.absolute()
    pages = indexed_pages(site_folder)
    wanted = part_count(sum(pages.values()), part_bytes)
    count = read_parts(site_folder)
    if changed is None or count is None or not (wanted / REGROW <= count <= wanted * REGROW):
        count, todo = wanted, set(range(wanted))
    else:
        todo = {part_of(path, count) for path in changed if is_indexed(path)}
    members: dict[int, list[str]] = {n: [] for n in todo}
    for path in pages:
        part = part_of(path, count)
        if part in members:
            members[part].append(path)
    bundle = site_folder / BUNDLE
    bundle.mkdir(exist_ok=True)
    indexed = 0
    for done, part in enumerate(sorted(todo)):
        if progress is not None:
            progress(done, len(todo))
        if cancel is not None and cancel.is_set():
            return SearchIndex(error="cancelled", cancelled=True)
        error = _index_part(command, site_folder, members[part], bundle / f"p{part + 1}", cancel)
        if error == CANCELLED:
            return SearchIndex(error="cancelled", cancelled=True)
        if error:
            return SearchIndex(error=error)
        indexed += len(members[part])
    _write_parts(bundle, count)
    return SearchIndex(pages=indexed, parts=len(todo), total_parts=count, seconds=time.perf_counter() - started)


def _index_part(
    command: list[str], site_folder: Path, pages: list[str], target: Path, cancel: threading.Event | None = None
) -> str:
    """Run Pagefind over some pages of the site, swapping the result in as ``target``; return an error,
    CANCELLED or ""."""
    stage = _stage_folder(site_folder, target.name)
    fresh, old = target.with_name(f".{target.name}.sitegen-tmp"), target.with_name(f".{target.name}.sitegen-old")
    for leftover in (stage, fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    if not pages:  # a part that no page hashes to: no bundle
        shutil.rmtree(target, ignore_errors=True)
        return ""
    try:
        _stage(site_folder, pages, stage)
        done = _run(
            [*command, "--site", str(stage), "--exclude-selectors", NOT_INDEXED, "--output-path", str(fresh)], cancel
        )
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        return f"Pagefind could not run: {exc}"
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if done is None:
        shutil.rmtree(fresh, ignore_errors=True)
        return CANCELLED
    if done.returncode != 0 or not fresh.is_dir():
        shutil.rmtree(fresh, ignore_errors=True)
        last = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"Pagefind failed (exit {done.returncode}): {' '.join(last)}"
    # Swap the new bundle in whole, so a part indexed again leaves no stale fragments behind.
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    found = re.search(r"Indexed (\d+) pages?", done.stdout)
    if found is None or int(found.group(1)) == 0:
        shutil.rmtree(target, ignore_errors=True)  # none of the pages has text to search
    return ""


#: The Pagefind processes running, to stop when the preview ends.
_RUNNING: set[subprocess.Popen] = set()


def stop_indexing(site_folder: Path) -> None:
    """Kill every Pagefind process running now, with the processes it started, and remove the folders
    it was indexing the pages of ``site_folder`` from."""
    for process in list(_RUNNING):
        _kill(process)
    for stage in site_folder.parent.glob(_stage_folder(site_folder, "*").name):
        shutil.rmtree(stage, ignore_errors=True)


def _stage_folder(site_folder: Path, part: str) -> Path:
    """Return where the pages of one part of the index are laid out for Pagefind, beside the site."""
    return site_folder.parent / f".{site_folder.name}.{part}.sitegen-search"


def _kill(process: subprocess.Popen) -> None:
    """Kill a process started in its own process group, with the processes it started."""
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except OSError:
            pass
    process.kill()


def _run(command: list[str], cancel: threading.Event | None) -> subprocess.CompletedProcess | None:
    """Run a command to its end (at most an hour) and return what it did; None when ``cancel`` was
    set first (then it is killed)."""
    posix = os.name == "posix"
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=posix,  # its own process group: Pagefind's binary is a child of its launcher
    ) as process:
        _RUNNING.add(process)
        deadline = time.monotonic() + 3600
        try:
            while True:
                try:
                    stdout, stderr = process.communicate(timeout=0.1)
                    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
                except subprocess.TimeoutExpired:
                    if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
                        _kill(process)
                        process.communicate()
                        if cancel is not None and cancel.is_set():
                            return None
                        raise
        finally:
            _RUNNING.discard(process)


def _stage(site_folder: Path, pages: list[str], stage: Path) -> None:
    """Lay out some pages of the site under ``stage`` at their own paths: hard links, or copies where
    the file system has none."""
    made: set[Path] = set()
    for path in pages:
        target = stage / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.link(site_folder / path, target)
        except OSError:
            shutil.copyfile(site_folder / path, target)


def _write_parts(bundle: Path, count: int) -> None:
    """List the parts that have a bundle for the search page; drop the bundles of parts no longer used,
    and put Pagefind's interface beside them."""
    names = [f"p{n + 1}" for n in range(count) if (bundle / f"p{n + 1}" / "pagefind-entry.json").is_file()]
    keep = {*names, PARTS, *UI_FILES}
    for child in bundle.iterdir():  # parts no longer used, and a bundle of an older layout
        if child.name not in keep:
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    for name in names[:1]:
        for ui in UI_FILES:
            shutil.copyfile(bundle / name / ui, bundle / ui)
    text = json.dumps({"count": count, "parts": names}, separators=(",", ":"))
    (bundle / PARTS).write_text(text + "\n", encoding="utf-8")
