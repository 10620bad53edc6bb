"""What the benchmark scripts share: timing a command and sizing its output."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """One measured run of a command."""

    wall: float = 0.0
    cpu: float = 0.0
    rss: int = 0
    """Peak resident memory of the largest process, in bytes."""
    files: int = 0
    size: int = 0
    note: str = ""


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[Run, str]:
    """Run a command in a child process; return its wall and CPU time, peak memory and output.

    Exits with the command's output when it fails.
    """
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])\n"
            "print('\\nRUSAGE', u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
            "sys.exit(r.returncode)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *command], cwd=cwd, capture_output=True, text=True,
                          env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    cpu, rss = done.stdout.rsplit("RUSAGE", 1)[1].split()
    return Run(wall=wall, cpu=float(cpu), rss=int(rss) * 1024), done.stdout


def count(folder: Path) -> tuple[int, int]:
    """Return the number of files under ``folder`` and their total size in bytes."""
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    return files, size
