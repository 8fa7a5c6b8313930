"""How fast the command line answers: ``mirror --help``, ``mirror info`` and bare imports, each in a new process.

Each figure is the median wall time of ``--runs`` fresh processes (the first run, which
warms the disk cache, is not counted).  The target is ``mirror --help`` within 0.5 s.

    nice -n 10 python benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

MIRROR = Path(sys.executable).with_name("mirror")

CASES = {
    "python -c pass (the interpreter alone)": [sys.executable, "-c", "pass"],
    "python -c 'import mirror.cli'": [sys.executable, "-c", "import mirror.cli"],
    "mirror --help": [str(MIRROR), "--help"],
    "mirror info": [str(MIRROR), "info"],
    "mirror analyze --help": [str(MIRROR), "analyze", "--help"],
    "mirror batch --help": [str(MIRROR), "batch", "--help"],
    "python -c 'import mirror.compare' (the comparator)": [sys.executable, "-c", "import mirror.compare"],
    "python -c 'import mediapipe'": [sys.executable, "-c", "import mediapipe"],
}


def wall_s(command: list[str]) -> float | None:
    """Seconds one fresh process took, or None when it failed (the failure is reported, the others still run)."""
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started if done.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':52s} {'median s':>9s} {'min s':>7s}")
    for name, command in CASES.items():
        if wall_s(command) is None:  # warms the disk cache
            print(f"{name:52s} {'failed':>9s}")
            continue
        times = [t for t in (wall_s(command) for _ in range(args.runs)) if t is not None]
        if not times:
            print(f"{name:52s} {'failed':>9s}")
            continue
        print(f"{name:52s} {statistics.median(times):9.3f} {min(times):7.3f}")


if __name__ == "__main__":
    main()
