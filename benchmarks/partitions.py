#!/usr/bin/env python3
"""The per-document costs that size a build split across machines, measured on partitions here.

    python benchmarks/partitions.py --cables 10000 --parts 1 2 4

Writes N synthetic cables (benchmarks/corpus.py), splits them into K
partitions of equal size (cable i goes to partition i mod K), and builds each
partition as its own site with ``sitegen build -j 1`` in a separate process,
at most as many at once as the machine has cores: what a worker of a cluster
engine (Dask, Ray) would do with its share of the archive in the first stage
of a split build. For each K it prints the wall time of all partitions, and
per document: CPU time, bytes written, and the peak memory of the largest
partition's process divided by its documents.

Every partition is a site of its own here: its entity pages list only its own
documents. A split build of one site adds what docs/performance.md describes
("Beyond one machine"): the partitions' entity indexes are merged and the
snippets exchanged before the entity pages are rendered.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Run, count, measure  # noqa: E402


def build_partition(folder: Path) -> Run:
    """Build one partition's site in a process of its own; return its measurement."""
    (folder / "sitegen.toml").write_text("[search]\nenabled = false\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run, _ = measure([sys.executable, "-m", "sitegen", "build", "-j", "1", "-q"], folder, env)
    run.files, run.size = count(folder / "site")
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, default=10000)
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--keep", type=Path, help="keep the generated folders here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-parts-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "corpus.py"), str(args.cables), str(corpus)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    cables = sorted(corpus.glob("*.txt"))
    cores = os.cpu_count() or 1
    print(f"{len(cables):,} cables, {cores} cores; each partition built by one process (-j 1)")
    print(f"{'parts':>5} {'wall s':>8} {'CPU ms/doc':>11} {'KB out/doc':>11} {'peak KB/doc':>12} {'peak MB':>8}")
    try:
        for parts in args.parts:
            folders = []
            for part in range(parts):
                folder = work / f"{parts}-parts" / f"part{part}"
                shutil.rmtree(folder, ignore_errors=True)
                (folder / "content").mkdir(parents=True)
                for cable in cables[part::parts]:
                    os.link(cable, folder / "content" / cable.name)
                folders.append(folder)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=cores) as pool:
                runs = list(pool.map(build_partition, folders))
            wall = time.perf_counter() - started
            docs = len(cables)
            largest = max(runs, key=lambda r: r.rss)
            per_part = docs / parts
            print(
                f"{parts:>5} {wall:>8.1f} {1000 * sum(r.cpu for r in runs) / docs:>11.2f}"
                f" {sum(r.size for r in runs) / docs / 1024:>11.1f} {largest.rss / per_part / 1024:>12.1f}"
                f" {largest.rss / 2**20:>8.0f}",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
