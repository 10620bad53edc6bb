"""Full-text search: run Pagefind over the written pages.

Pagefind (the PyPI package ``pagefind[bin]``) indexes the HTML after it is
written and adds its search bundle under ``pagefind/``. Only document pages and
Markdown pages are indexed (``INDEXED``); inside them, only the element marked
``data-pagefind-body``.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: The pages Pagefind reads, as a glob relative to the site folder.
INDEXED = "{doc,pages}/**/*.html"
#: Parts of those pages that are not text of the document: tooltips, permalinks, numbers.
NOT_INDEXED = ".tip, .permalink, .par-num, .source-link"
BUNDLE = "pagefind"


@dataclass(frozen=True)
class SearchIndex:
    """What one run of the indexer did."""

    pages: int = 0
    seconds: float = 0.0
    error: str = ""
    """Why no index was built; empty on success."""


def pagefind_command() -> list[str] | None:
    """Return the command that runs Pagefind, or None when it is not installed."""
    if importlib.util.find_spec("pagefind") is not None and importlib.util.find_spec("pagefind_bin") is not None:
        return [sys.executable, "-m", "pagefind"]
    found = shutil.which("pagefind") or shutil.which("pagefind_extended")
    return [found] if found else None


def build_index(site_folder: Path) -> SearchIndex:
    """Index the pages under ``site_folder`` into ``site_folder/pagefind``; never raises."""
    command = pagefind_command()
    if command is None:
        return SearchIndex(
            error="full-text search needs Pagefind: pip install 'pagefind[bin]'"
            " (or set [search] enabled = false in sitegen.toml)"
        )
    started = time.perf_counter()
    site_folder = site_folder.absolute()
    fresh, old = site_folder / f".{BUNDLE}.sitegen-tmp", site_folder / f".{BUNDLE}.sitegen-old"
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        done = subprocess.run(
            [
                *command,
                "--site",
                str(site_folder),
                "--glob",
                INDEXED,
                "--exclude-selectors",
                NOT_INDEXED,
                "--output-path",
                str(fresh),
            ],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=3600,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        return SearchIndex(error=f"Pagefind could not run: {exc}")
    if done.returncode != 0 or not fresh.is_dir():
        shutil.rmtree(fresh, ignore_errors=True)
        last = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return SearchIndex(error=f"Pagefind failed (exit {done.returncode}): {' '.join(last)}")
    # Swap the new bundle in whole, so a rebuilt index leaves no stale fragments behind.
    bundle = site_folder / BUNDLE
    if bundle.exists():
        bundle.rename(old)
    fresh.rename(bundle)
    shutil.rmtree(old, ignore_errors=True)
    found = re.search(r"Indexed (\d+) pages?", done.stdout)
    return SearchIndex(pages=int(found.group(1)) if found else 0, seconds=time.perf_counter() - started)
