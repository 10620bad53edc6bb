#!/usr/bin/env python3
"""Measure the live preview's latency: from saving a cable to the open page showing it.

    python benchmarks/serve_latency.py                 # the demo content
    python benchmarks/serve_latency.py --cables 10000  # synthetic cables (benchmarks/corpus.py)
    python benchmarks/serve_latency.py --real 2000     # the first 2,000 of ../shared/corpus/cables

Starts ``sitegen serve`` on a free port (search on, unless --no-search), opens
the edited document in headless Chromium (Debian's chromium, driven by
Playwright), then saves the cable again and again with a new marker word and
times how long until the open page shows it. Saves come 0.3, 1.5 and 6 s apart
(--pace), each made in place, atomically (through a hidden temporary file, or
a plain one as ``sed -i`` makes) and by renaming the original aside
(--styles). Two kinds of edit: plain text (only that document's pages change)
and an annotation fix that retypes a mention (its entities' counts change in
every tooltip that names them). Prints the start-up time, the median and
worst latency of each combination, and how long Ctrl-C takes to end serve.
Then starts serve again on the site it left, whose last saves its cache does
not record, and prints how long that start-up takes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT / "benchmarks" / "corpus.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_content(folder: Path, cables: int, real: int, corpus: Path) -> None:
    """Fill ``folder`` with the demo content, N synthetic cables or the first N real ones."""
    if real:
        if not corpus.is_dir():
            sys.exit(f"skipped: the real cables ({corpus}) are not here; pass --corpus DIR")
        folder.mkdir(parents=True)
        for source in sorted(corpus.glob("*.txt"))[:real]:
            shutil.copyfile(source, folder / source.name)
        return
    if cables == 0:
        shutil.copytree(ROOT / "content", folder)
        return
    if not MAKE_CORPUS.exists():
        sys.exit(f"cannot find {MAKE_CORPUS}; pass --cables 0 for the demo content")
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(cables), str(folder)], check=True, stdout=subprocess.DEVNULL)


def save(target: Path, text: str, style: str) -> None:
    """Save a file as editors do: in place, atomically (a temporary file renamed over it: a hidden
    one, or for "sed" one named as ``sed -i`` names it), or by renaming the original aside and
    writing the new version a moment later."""
    if style == "in-place":
        target.write_text(text, encoding="utf-8")
    elif style in ("atomic", "sed"):
        tmp = target.with_name(f".{target.name}.tmp" if style == "atomic" else "sedX4q2Zb")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    else:
        aside = target.with_name(f"{target.stem}.orig")
        target.rename(aside)
        time.sleep(0.1)
        target.write_text(text, encoding="utf-8")
        aside.unlink()


def start_serve(work: Path, port: int) -> tuple[subprocess.Popen, list[str], float]:
    """Start ``sitegen serve`` in ``work``; return it, the lines it printed and how long it took to
    say it serves."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("Serving "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(3600):
        sys.exit("serve did not start:\n" + "\n".join(lines))
    return proc, lines, time.perf_counter() - started


def stop_serve(proc: subprocess.Popen) -> float:
    """Stop serve as Ctrl-C does; return how long it took to exit."""
    stopping = time.perf_counter()
    proc.send_signal(2)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    return time.perf_counter() - stopping


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, default=0, help="synthetic cables (0: the demo content)")
    parser.add_argument("--real", type=int, default=0, help="the first N real cables of --corpus instead")
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "cables", help="folder of real cables"
    )
    parser.add_argument("--edits", type=int, default=5, help="saves of each kind, pace and style")
    parser.add_argument(
        "--pace", type=float, nargs="+", default=[0.3, 1.5, 6.0], help="seconds between saves (default: 0.3 1.5 6)"
    )
    parser.add_argument(
        "--styles",
        nargs="+",
        choices=["in-place", "atomic", "sed", "rename"],
        default=["in-place", "atomic", "sed", "rename"],
        help="how saves are made (default: all four)",
    )
    parser.add_argument("--no-search", action="store_true", help="turn the search index off ([search] enabled)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="sitegen-latency-"))
    try:
        content = work / "content"
        make_content(content, args.cables, args.real, args.corpus)
        if args.no_search:
            (work / "sitegen.toml").write_text("[search]\nenabled = false\n", encoding="utf-8")
        sources = sorted(content.rglob("*.txt"))
        target = next(p for p in sources if "[PER " in p.read_text(encoding="utf-8", errors="replace"))
        port = free_port()
        proc, lines, startup = start_serve(work, port)
        build_line = next((line for line in lines if line.startswith("Built ")), "")
        relative = target.relative_to(content).as_posix()
        results: dict[tuple[str, float, str], list[float]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            page = browser.new_page()
            url = f"http://127.0.0.1:{port}/"
            page.goto(url)
            finder = [line for line in lines if relative in line]
            page_path = "doc/" + relative[:-4].lower() + ".html"
            page.goto(url + page_path)
            if page.title().startswith("Page not found"):
                sys.exit(f"cannot find the page of {relative} ({finder})")
            page.wait_for_timeout(500)
            count = 0
            for pace in args.pace:
                for style in args.styles:
                    for kind in ("text edit", "annotation fix"):
                        seconds = results.setdefault((kind, pace, style), [])
                        for _ in range(args.edits):
                            count += 1
                            text = target.read_text(encoding="utf-8", errors="replace")
                            marker = f"LATENCY{count}X"
                            text = re.sub(r"LATENCY\d+X ", "", text)
                            if kind == "annotation fix":  # retype a mention: counts change in many tooltips
                                found = re.search(r"\[(PER|ORG) ", text)
                                if found:
                                    other = "ORG" if found.group(1) == "PER" else "PER"
                                    text = text[: found.start() + 1] + other + text[found.start() + 4 :]
                            first_break = text.index("\n") + 1 if "\n" in text else 0
                            text = text[:first_break] + marker + " " + text[first_break:]
                            start = time.perf_counter()
                            save(target, text, style)
                            page.wait_for_function(
                                "m => document.body.innerText.includes(m)", arg=marker, timeout=300000
                            )
                            seconds.append(time.perf_counter() - start)
                            time.sleep(max(0.0, pace - (time.perf_counter() - start)))
            browser.close()
        stop_seconds = stop_serve(proc)
        proc, lines, restart = start_serve(work, port)
        restart_line = next((line for line in lines if line.startswith(("Built ", "Updated ", "site is up"))), "")
        stop_serve(proc)
        if args.real:
            name = f"the first {args.real:,} real cables"
        else:
            name = "demo content" if args.cables == 0 else f"{args.cables:,} synthetic cables"
        search = "off" if args.no_search else "on"
        print(f"sitegen serve latency, {name} ({len(sources):,} sources), search {search}")
        print(f"  start-up (build + serve): {startup:.1f} s — {build_line}")
        worst_median = 0.0
        for (kind, pace, style), values in results.items():
            values.sort()
            median = statistics.median(values)
            worst_median = max(worst_median, median)
            print(
                f"  {kind:<15} saves {pace:>4} s apart, {style:<8}: median {median * 1000:.0f} ms,"
                f" worst {values[-1] * 1000:.0f} ms ({len(values)} saves)"
            )
        print(f"  the slowest median: {worst_median * 1000:.0f} ms (goal: under 500 ms)")
        print(f"  Ctrl-C to exit: {stop_seconds:.2f} s")
        print(f"  start-up again, after those saves: {restart:.1f} s — {restart_line}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
