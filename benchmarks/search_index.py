#!/usr/bin/env python3
"""Measure full-text search indexing (Pagefind): time and peak memory, by corpus size.

    python benchmarks/search_index.py --cables 1000 10000
    python benchmarks/search_index.py --cables 1000 --all-pages   # also index every page, for comparison

For each size it writes N synthetic cables (benchmarks/corpus.py),
builds the site without search, then runs Pagefind the way ``sitegen build``
does: only document and Markdown pages (``--glob``), without tooltips and
permalinks. With ``--all-pages`` it also lets Pagefind read every HTML file of
the site (its default, still keeping only pages marked ``data-pagefind-body``)
as the peer in the same run. Prints pages indexed,
wall time, CPU time, peak memory of the indexer and the size of the bundle.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAKE_CORPUS = ROOT / "benchmarks" / "corpus.py"

from measure import count, measure  # noqa: E402

from sitegen.build.search import INDEXED, NOT_INDEXED, pagefind_command  # noqa: E402


def pages_indexed(stdout: str) -> str:
    for line in stdout.splitlines():
        if "Indexed" in line and "pages" in line:
            return line.split("Indexed")[1].split("pages")[0].strip()
    return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--all-pages", action="store_true", help="also let Pagefind read every HTML page, as the peer")
    args = parser.parse_args()
    command = pagefind_command()
    if command is None:
        sys.exit("Pagefind is not installed: pip install 'pagefind[bin]'")
    if not MAKE_CORPUS.exists():
        sys.exit(f"cannot find {MAKE_CORPUS}")
    print(f"{'cables':>7} {'what':<22} {'pages':>7} {'wall s':>8} {'CPU s':>7} {'peak MB':>8} {'bundle MB':>9}")
    for cables in args.cables:
        work = Path(tempfile.mkdtemp(prefix="sitegen-search-"))
        try:
            subprocess.run(
                [sys.executable, str(MAKE_CORPUS), str(cables), str(work / "content")],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (work / "sitegen.toml").write_text("[search]\nenabled = false\n", encoding="utf-8")
            subprocess.run(
                [sys.executable, "-m", "sitegen", "build", "-q", "--config", str(work / "sitegen.toml")],
                cwd=work,
                check=True,
                stderr=subprocess.DEVNULL,
            )
            site = work / "site"
            runs = [("documents (sitegen)", ["--glob", INDEXED, "--exclude-selectors", NOT_INDEXED])]
            if args.all_pages:
                runs.append(("all HTML read, no glob", ["--exclude-selectors", NOT_INDEXED]))
            for label, options in runs:
                bundle = work / "bundle"
                shutil.rmtree(bundle, ignore_errors=True)
                run, out = measure([*command, "--site", str(site), *options, "--output-path", str(bundle)])
                print(
                    f"{cables:>7} {label:<22} {pages_indexed(out):>7} {run.wall:>8.1f} {run.cpu:>7.1f} "
                    f"{run.rss / 2**20:>8.0f} {count(bundle)[1] / 2**20:>9.1f}",
                    flush=True,
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
