"""What the benchmark scripts share: timing a command and sizing its output."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MAKE_CORPUS = Path(__file__).resolve().parent / "corpus.py"


@dataclass
class Run:
    """One measured run of a command."""

    wall: float = 0.0
    cpu: float = 0.0
    rss: int = 0
    """Peak resident memory of the largest process, in bytes."""
    tree: int = 0
    """Peak memory of the whole process tree (workers included, shared pages counted once), in bytes."""
    files: int = 0
    size: int = 0
    note: str = ""


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[Run, str]:
    """Run a command in a child process; return its wall and CPU time, peak memory and output.

    Exits with the command's output when it fails.
    """
    code = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])\n"
        "print('\\nRUSAGE', u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
        "sys.exit(r.returncode)"
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *command],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peak = [0]
    sampler = threading.Thread(target=_sample_tree, args=(process, peak), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stdout[-3000:]}{stderr[-3000:]}")
    cpu, rss = stdout.rsplit("RUSAGE", 1)[1].split()
    return Run(wall=wall, cpu=float(cpu), rss=int(rss) * 1024, tree=peak[0]), stdout


def _sample_tree(process: subprocess.Popen, peak: list[int], every: float = 2.0) -> None:
    """Record in ``peak[0]`` the largest total memory of a process and its descendants (Linux PSS).

    Reading PSS makes the kernel walk the page tables, so it is sampled
    sparingly, to keep the measurement from slowing down what it measures.
    """
    while process.poll() is None:
        peak[0] = max(peak[0], tree_memory(process.pid))
        time.sleep(every)


def tree_memory(root: int) -> int:
    """Return the proportional set size (shared pages split between sharers) of a process tree, in bytes."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            pass
    return total


def count(folder: Path, skip: str = "") -> tuple[int, int]:
    """Return the number of files under ``folder`` and their total size in bytes, those in folders
    named ``skip`` left out."""
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file() and not (skip and skip in path.relative_to(folder).parts):
            files += 1
            size += path.stat().st_size
    return files, size


def sources_parser(description: str, content: str) -> argparse.ArgumentParser:
    """Return the options of a script that builds synthetic cables or a folder of sources:
    ``--cables N``, ``--content DIR`` (``content`` says what it does with it) and ``--work DIR``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, default=2000, help="synthetic cables to write (default 2,000)")
    parser.add_argument("--content", type=Path, help=content)
    add_work_option(parser)
    return parser


def add_work_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--work DIR``, the folder a script builds in, made if it is missing."""
    parser.add_argument(
        "--work", type=work_folder, help="folder to build in, made if missing (default: the system's temporary folder)"
    )


def work_folder(text: str) -> Path:
    """Return the folder named by ``--work``, made first if it is missing; the builds inside it are
    removed after."""
    folder = Path(text)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_cables(count: int, folder: Path) -> None:
    """Write ``count`` synthetic cables into ``folder`` (benchmarks/corpus.py)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(count), str(folder)], check=True, stdout=subprocess.DEVNULL)
