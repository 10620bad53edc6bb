"""The build manifest: what the site in an output folder was built from.

It is kept in the output folder's ``.sitegen`` marker file. When the sources'
sizes and modification times, the configuration, the theme, the templates
and the sitegen version are all as recorded, and every recorded output file
is still there, ``sitegen build`` has nothing to do. (Whether they are
there is told by each output folder's modification time where it can be:
see ``outputs_present``.) The templates and the theme's static files are
recorded one by one, so that a change to one of them updates only the
pages that use it. A manifest that cannot be
read, fails its checksum, or comes from another sitegen version is ignored:
the site is rebuilt in full.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from itertools import islice
from pathlib import Path

from sitegen import __version__
from sitegen.build.output import MARKER
from sitegen.config import Config
from sitegen.errors import Diagnostic

FORMAT = 4


@dataclass
class Manifest:
    """What one build read and wrote."""

    key: str
    """Hash of the sitegen version, configuration and content folder."""
    sources: dict[str, list[int]]
    """Modification time (ns) and size of every source file, by relative path."""
    outputs: list[str] = field(default_factory=list)
    """Every file written, relative to the output folder."""
    warnings: list[list] = field(default_factory=list)
    """The build's warnings, as [path, line, col, message, excerpt]."""
    counts: dict[str, int] = field(default_factory=dict)
    """documents, entities, pages and files."""
    theme: dict[str, str] = field(default_factory=dict)
    """The templates and static files the pages were made with, as ``render.theme_hashes`` gives them."""
    folders: dict[str, int] = field(default_factory=dict)
    """The modification time (ns) of each folder of ``outputs`` as the manifest was written (see outputs_present)."""
    build: str = ""
    """The identity of the build that wrote it (new_build): the cache written with it records the same."""


def code_fingerprint() -> str:
    """Return a hash of sitegen's own modules, so that output and caches are only trusted by the code that made them."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        digest = hashlib.sha256(__version__.encode())
        package = Path(__file__).resolve().parent.parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


_FINGERPRINT: str | None = None


def build_key(config: Config, content: Path, search_available: bool) -> str:
    """Return the hash of everything besides the sources, the theme's files, the authority file and
    the configuration's look (colours and highlighting) that decides the output (those are compared
    one by one: see pipeline.py)."""
    digest = hashlib.sha256()
    digest.update(
        f"{FORMAT}\0{code_fingerprint()}\0{config.without_look()!r}\0{content.resolve()}\0{search_available}\0".encode()
    )
    return digest.hexdigest()


def write_manifest(output: Path, manifest: Manifest, folders: Iterable[str] | None = None) -> None:
    """Record the manifest in the output folder's marker file (atomically).

    The body is written in parts as it is hashed, since a large site lists
    millions of files; the line before it, with the checksum, is written last.
    The output folders' modification times are taken just before it is written:
    those of ``folders`` when the caller knows which folders hold the files.
    """
    manifest = replace(manifest, folders=folder_times(output, manifest.outputs, folders))
    tmp = output / f"{MARKER}.tmp"
    head = {"format": FORMAT, "version": __version__, "checksum": "0" * 64}
    digest = hashlib.sha256()
    with open(tmp, "wb") as file:
        file.write(b"This folder was written by sitegen and is replaced by each build.\n")
        start = file.tell()
        file.write(json.dumps(head).encode() + b"\n")
        for part in _json_parts(manifest):
            data = part.encode("utf-8")
            digest.update(data)
            file.write(data)
        file.write(b"\n")
        file.seek(start)
        file.write(json.dumps({**head, "checksum": digest.hexdigest()}).encode())
    os.replace(tmp, output / MARKER)


#: List items or dict entries encoded at a time when a manifest is written.
_PART = 1 << 14


def _json_parts(manifest: Manifest) -> Iterator[str]:
    """Yield the manifest as compact JSON in parts of at most _PART list items or dict entries."""
    yield "{"
    for i, item in enumerate(fields(manifest)):
        value = getattr(manifest, item.name)
        yield ("," if i else "") + _dumps(item.name) + ":"
        if not isinstance(value, (list, dict)):
            yield _dumps(value)
            continue
        is_dict = isinstance(value, dict)
        entries = iter(value.items()) if isinstance(value, dict) else iter(value)
        yield "{" if is_dict else "["
        first = True
        while chunk := list(islice(entries, _PART)):
            yield ("" if first else ",") + _dumps(dict(chunk) if is_dict else chunk)[1:-1]
            first = False
        yield "}" if is_dict else "]"
    yield "}"


def _dumps(value: object) -> str:
    """Return compact JSON, as the manifest is written."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read_manifest(output: Path) -> Manifest | None:
    """Return the manifest of the site in ``output``, or None when there is none to trust."""
    try:
        lines = (output / MARKER).read_text(encoding="utf-8").split("\n")
        head, body = json.loads(lines[1]), lines[2]
        if head.get("format") != FORMAT or head.get("version") != __version__:
            return None
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != head.get("checksum"):
            return None
        return Manifest(**json.loads(body))
    except (OSError, ValueError, IndexError, TypeError, AttributeError):
        return None


def up_to_date(
    manifest: Manifest | None, output: Path, key: str, stats: dict[str, list[int]], theme: dict[str, str]
) -> Manifest | None:
    """Return the manifest of the site in ``output`` when that site was built from exactly this input."""
    if manifest is None or manifest.key != key or manifest.sources != stats or manifest.theme != theme:
        return None
    if not outputs_present(output, manifest):
        return None
    return manifest


def folder_times(output: Path, paths: list[str], folders: Iterable[str] | None = None) -> dict[str, int]:
    """Return the modification time (ns) of each folder that holds one of ``paths`` (relative to
    ``output``; the output folder itself is ``""``; ``folders`` are those folders, when known);
    none when one of them is not there, so that outputs_present lists every folder rather than
    trust the times of only some."""
    times = {}
    root = os.fspath(output)
    if folders is None:
        folders = {path.rpartition("/")[0] for path in paths}
    for folder in folders:
        try:
            times[folder] = os.stat(os.path.join(root, folder)).st_mtime_ns
        except OSError:
            return {}
    return times


def outputs_present(output: Path, manifest: Manifest) -> bool:
    """Return True when every output file the manifest lists is still there.

    A folder whose modification time is the one the manifest recorded has
    had no file taken away, added or renamed since: it is not looked into.
    That time is trusted only when it is earlier than the manifest's own
    (the marker file's), so that a change made in the same tick of a coarse
    file system clock, which leaves the time as it was, is still seen. Each
    other folder is listed once, rather than each of its files looked up on
    its own. (A listing's names are enough: an output file does not become
    a folder.) Right after a build, that is only the output folder itself,
    which the manifest's own writing changed: its files are picked out
    without looking at where the others are.
    """
    root = os.fspath(output)
    try:
        written = os.stat(os.path.join(root, MARKER)).st_mtime_ns
    except OSError:
        return False
    unchanged = set()
    for folder, recorded in manifest.folders.items():
        try:
            if recorded < written and os.stat(os.path.join(root, folder)).st_mtime_ns == recorded:
                unchanged.add(folder)
        except OSError:
            return False
    by_folder: dict[str, list[str]] = {}
    if manifest.folders and unchanged == manifest.folders.keys() - {""}:  # as the manifest's own writing leaves it
        by_folder[""] = [path for path in manifest.outputs if "/" not in path]
    else:
        for path in manifest.outputs:
            folder, _, name = path.rpartition("/")
            if folder not in unchanged:
                by_folder.setdefault(folder, []).append(name)
    for folder, names in by_folder.items():
        try:
            files = set(os.listdir(os.path.join(root, folder)))
        except OSError:
            return False
        if not files.issuperset(names):
            return False
    return True


def new_build() -> str:
    """Return the identity of a new build: unique to it, so that the cache written with its manifest
    is known to describe the same site (the same sources, outputs and index)."""
    return secrets.token_hex(16)


def diagnostics(manifest: Manifest) -> list[Diagnostic]:
    """Return the warnings a manifest recorded."""
    return [Diagnostic(*item) for item in manifest.warnings]
