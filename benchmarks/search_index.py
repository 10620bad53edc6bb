#!/usr/bin/env python3
"""Measure full-text search over a whole archive: the build with its index, and searching in Chromium.

    python benchmarks/search_index.py --cables 30000
    python benchmarks/search_index.py --cables 251287 --work /big/disk/folder --keep
    python benchmarks/search_index.py --site /big/disk/folder/sitegen-search-…/site

For each size it writes N synthetic cables (benchmarks/corpus.py), then
builds the site with search on, as ``sitegen build`` does by default: the
pages are indexed in parts of ``[search] part_megabytes`` (``--part-mb``).
It prints the build's wall time and peak memory (the whole process tree,
Pagefind included), the documents in the index against the document pages,
the parts and the bytes of the index, and the largest file of the entity
finder's data.

Then, with Playwright and Chromium installed, it serves the site with a
plain static file server and, for each query in a fresh browser (nothing
cached), measures the time from typing to the first result shown and the
bytes fetched for it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAKE_CORPUS = ROOT / "benchmarks" / "corpus.py"

from measure import add_work_option, count, measure  # noqa: E402

QUERIES = ("investment", "military patrols", "Lima", "respectful relations")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def index_figures(site: Path) -> dict[str, float]:
    """Return what the index on disk holds: documents, parts, bytes, and the largest finder file."""
    bundle = site / "pagefind"
    listed = json.loads((bundle / "parts.json").read_text(encoding="utf-8"))
    indexed = 0
    for name in listed["parts"]:
        entry = json.loads((bundle / name / "pagefind-entry.json").read_text(encoding="utf-8"))
        indexed += sum(language["page_count"] for language in entry["languages"].values())
    pages = sum(1 for folder in ("doc", "pages") for _ in (site / folder).rglob("*.html"))
    finder = max((p.stat().st_size for p in (site / "search").glob("entities-*.js")), default=0)
    return {
        "indexed": indexed,
        "pages": pages,
        "parts": len(listed["parts"]),
        "index_mb": count(bundle)[1] / 2**20,
        "finder_kb": finder / 1024,
    }


def time_queries(site: Path, queries: list[str]) -> list[tuple[str, float, int, str]]:
    """Return, per query, seconds to the first result, bytes fetched and the result count line."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("  (Playwright is not installed: no browser figures)")
        return []
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    found = []
    try:
        with sync_playwright() as p:
            chromium = shutil.which("chromium")
            browser = p.chromium.launch(executable_path=chromium) if chromium else p.chromium.launch()
            for query in queries:
                context = browser.new_context()  # a cold cache for every query
                page = context.new_page()
                fetched = [0]

                def add(response, fetched=fetched) -> None:
                    try:
                        fetched[0] += len(response.body())
                    except Exception:
                        pass

                page.goto(base + "search.html")
                box = page.locator("#search input")
                box.wait_for(timeout=60_000)
                page.wait_for_load_state("networkidle")
                page.on("response", add)
                started = time.perf_counter()
                box.fill(query)
                page.locator(".pagefind-ui__result-link").first.wait_for(timeout=120_000)
                seconds = time.perf_counter() - started
                page.wait_for_load_state("networkidle")
                message = page.locator(".pagefind-ui__message").inner_text()
                found.append((query, seconds, fetched[0], message))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, nargs="+", default=[30000])
    parser.add_argument("--part-mb", type=float, default=150, help="[search] part_megabytes (default 150)")
    add_work_option(parser)
    parser.add_argument("--keep", action="store_true", help="keep the built site (its folder is printed)")
    parser.add_argument("--site", type=Path, help="only measure searching in this built site (one kept by --keep)")
    parser.add_argument("--query", action="append", help="a query to time (default: a few words of the corpus)")
    args = parser.parse_args()
    if args.site is not None:
        figures = index_figures(args.site)
        print(f"{args.site}: {figures['indexed']:,.0f} pages in the index, {figures['parts']:.0f} parts")
        for query, seconds, size, message in time_queries(args.site, args.query or list(QUERIES)):
            print(f"  {query!r}: first result in {seconds:.2f} s, {size / 1024:,.0f} KB fetched ({message})")
        return 0
    for cables in args.cables:
        work = Path(tempfile.mkdtemp(prefix="sitegen-search-", dir=args.work))
        try:
            subprocess.run(
                [sys.executable, str(MAKE_CORPUS), str(cables), str(work / "content")],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (work / "sitegen.toml").write_text(f"[search]\npart_megabytes = {args.part_mb}\n", encoding="utf-8")
            run, _ = measure([sys.executable, "-m", "sitegen", "build", "-q"], cwd=work)
            figures = index_figures(work / "site")
            print(
                f"{cables:,} cables: build {run.wall:.0f} s, peak memory {run.tree / 2**30:.2f} GB"
                f" (largest process {run.rss / 2**30:.2f} GB);"
                f" {figures['indexed']:,.0f} of {figures['pages']:,.0f} pages in the index,"
                f" {figures['parts']:.0f} parts, {figures['index_mb']:.0f} MB;"
                f" largest finder file {figures['finder_kb']:.0f} KB",
                flush=True,
            )
            for query, seconds, size, message in time_queries(work / "site", args.query or list(QUERIES)):
                print(f"  {query!r}: first result in {seconds:.2f} s, {size / 1024:,.0f} KB fetched ({message})")
        finally:
            if args.keep:
                print(f"  kept in {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
