"""Writing the site: a staging folder swapped into place, so a failed build changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from sitegen.errors import OutputError

MARKER = ".sitegen"
_MARKER_TEXT = "This folder was written by sitegen and is replaced by each build.\n"


def check_output(output: Path, content: Path) -> None:
    """Refuse an output folder that a build could damage: the content, its parent, or a stranger's folder."""
    out, src = output.resolve(), content.resolve()
    if out == src or out in src.parents:
        raise OutputError(f"output folder {output} contains the content folder {content}; choose another --output")
    if src in out.parents and out.parent != src.parent:
        raise OutputError(f"output folder {output} is inside the content folder {content}; choose another --output")
    if out == Path.home().resolve() or out == Path(out.anchor):
        raise OutputError(f"refusing to use {output} as the output folder")
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"output {output} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise OutputError(
                f"output folder {output} is not empty and was not written by sitegen;"
                " empty it or choose another --output"
            )


def mark_unfinished(output: Path) -> None:
    """Replace the output's manifest with a bare marker before changing files in place.

    A build that stops half-way then leaves no manifest, and the next build
    rebuilds everything instead of trusting a half-updated site.
    """
    marker = output / MARKER
    tmp = output / f"{MARKER}.tmp"
    tmp.write_text(_MARKER_TEXT, encoding="utf-8")
    os.replace(tmp, marker)


def safe_path(root: Path, relative: str) -> Path:
    """Return root/relative, refusing any path that would leave root."""
    rel = PurePosixPath(relative)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts) or "\\" in relative:
        raise OutputError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*rel.parts)


class Staging:
    """A temporary folder beside the output that receives one build."""

    def __init__(self, root: Path) -> None:
        """Use ``root`` as the staging folder."""
        self.root = root
        self.count = 0
        self.bytes = 0
        """Bytes written so far."""
        self._dirs: set[Path] = set()

    def write(self, relative: str, data: str | bytes | Iterable[str]) -> None:
        """Write one file of the site: its text, its bytes, or its text in parts, written as they come."""
        path = safe_path(self.root, relative)
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if isinstance(data, bytes):
            path.write_bytes(data)
            self.bytes += len(data)
        else:
            with path.open("wb") as file:
                for part in data:
                    encoded = part.encode("utf-8")
                    file.write(encoded)
                    self.bytes += len(encoded)
        self.count += 1

    def copy_tree(self, source: Path, relative: str) -> None:
        """Copy a folder of static files into the site."""
        for name, file in static_files(source):
            self.write(f"{relative}/{name}", file.read_bytes())


def folder_size(folder: Path) -> int:
    """Return the bytes of the files under a folder (0 when there is none)."""
    total, folders = 0, [folder]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def static_files(folder: Path) -> list[tuple[str, Path]]:
    """Return the files of a folder that a build copies, by path relative to it: all but hidden ones, sorted.

    Builds, updates in place and the manifest's record of the theme all list them here, so they agree.
    """
    if not folder.is_dir():
        return []
    return [
        (file.relative_to(folder).as_posix(), file)
        for file in sorted(folder.rglob("*"))
        if file.is_file() and not file.name.startswith(".")
    ]


def remove_tree(path: Path, background: bool = False) -> None:
    """Delete a folder; a large one in a separate process, so the build need not wait for the disk."""
    if background:
        try:
            subprocess.Popen(
                [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)", str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def staged_output(output: Path, large: bool = False) -> Iterator[Staging]:
    """Yield a staging folder; on success swap it into ``output``, on failure discard it.

    The previous site is moved aside and deleted after the swap; when it is
    ``large`` the deletion runs in the background.
    """
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.parent / f".{output.name}.sitegen-tmp-{os.getpid()}"
    old = output.parent / f".{output.name}.sitegen-old-{os.getpid()}"
    for leftover in output.parent.glob(f".{output.name}.sitegen-old-*"):
        if leftover != old:
            remove_tree(leftover, background=True)  # left by an interrupted build
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    tmp.mkdir()
    try:
        staging = Staging(tmp)
        yield staging
        (tmp / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if output.exists():
        output.rename(old)
        tmp.rename(output)
        remove_tree(old, background=large)
    else:
        tmp.rename(output)
