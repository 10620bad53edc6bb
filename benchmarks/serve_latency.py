#!/usr/bin/env python3
"""Measure the live preview's latency: from saving a cable to the open page showing it.

    python benchmarks/serve_latency.py                 # the demo content
    python benchmarks/serve_latency.py --cables 10000  # synthetic cables (benchmarks/corpus.py)

Starts ``sitegen serve`` on a free port, opens the edited document in headless
Chromium (Debian's chromium, driven by Playwright), then repeatedly saves the
cable with a new marker word and times how long until the page shows it. Two
kinds of edit are measured: plain text (only that document's pages change) and
an annotation fix that retypes a mention (its entities' counts change in every
tooltip that names them). Prints the initial build time and, per kind, the
median, 90th percentile and worst latency.
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


def make_content(folder: Path, cables: int) -> None:
    """Fill ``folder`` with the demo content or N synthetic cables."""
    if cables == 0:
        shutil.copytree(ROOT / "content", folder)
        return
    if not MAKE_CORPUS.exists():
        sys.exit(f"cannot find {MAKE_CORPUS}; pass --cables 0 for the demo content")
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(cables), str(folder)], check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, default=0, help="synthetic cables (0: the demo content)")
    parser.add_argument("--edits", type=int, default=10, help="edits of each kind")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="sitegen-latency-"))
    try:
        content = work / "content"
        make_content(content, args.cables)
        sources = sorted(content.rglob("*.txt"))
        target = next(
            p
            for p in sources
            if "[PER " in p.read_text(encoding="utf-8") and "<a id='par" in p.read_text(encoding="utf-8")
        )
        port = free_port()
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
            for line in proc.stdout:
                lines.append(line.rstrip())
                if line.startswith("Serving "):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(3600):
            sys.exit("serve did not start:\n" + "\n".join(lines))
        startup = time.perf_counter() - started
        build_line = next((line for line in lines if line.startswith("Built ")), "")
        relative = target.relative_to(content).as_posix()
        page_path = "doc/" + relative[:-4].lower().replace("_", "_") + ".html"
        results: dict[str, list[float]] = {"text edit": [], "annotation fix": []}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            page = browser.new_page()
            url = f"http://127.0.0.1:{port}/"
            page.goto(url)
            link = page.evaluate(
                """(name) => { const a = [...document.querySelectorAll('table.docs a')]
                .find(a => a.href.includes(name)); return a ? a.href : null }""",
                Path(relative).stem.lower(),
            )
            page.goto(link or url + page_path)
            page.wait_for_timeout(500)
            for i in range(args.edits):
                for kind, seconds in results.items():
                    text = target.read_text(encoding="utf-8")
                    marker = f"LATENCY{kind[0].upper()}{i}X"
                    text = re.sub(r"LATENCY[A-Z]\d+X ", "", text)
                    if kind == "annotation fix":
                        spot = text.index("[PER ") if i % 2 == 0 else text.index("[ORG ")
                        text = text[: spot + 1] + ("ORG" if i % 2 == 0 else "PER") + text[text.index(" ", spot) :]
                    first_break = text.index("\n") + 1
                    text = text[:first_break] + marker + " " + text[first_break:]
                    start = time.perf_counter()
                    target.write_text(text, encoding="utf-8")
                    page.wait_for_function("m => document.body.innerText.includes(m)", arg=marker, timeout=120000)
                    seconds.append(time.perf_counter() - start)
                    page.wait_for_timeout(300)
            browser.close()
        name = "demo content" if args.cables == 0 else f"{args.cables:,} synthetic cables"
        print(f"sitegen serve latency, {name} ({len(sources):,} sources)")
        print(f"  start-up (build + serve): {startup:.1f} s — {build_line}")
        for kind, values in results.items():
            values.sort()
            p90 = values[max(0, int(len(values) * 0.9) - 1)]
            print(
                f"  {kind:<15} save -> page shows it: median {statistics.median(values) * 1000:.0f} ms,"
                f" p90 {p90 * 1000:.0f} ms, worst {values[-1] * 1000:.0f} ms ({len(values)} edits)"
            )
        proc.send_signal(2)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
