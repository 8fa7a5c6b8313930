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
    "mirror batch --help": [str(MIRROR), "batch", "--help"],
    "python -c 'import mirror.compare' (the comparator)": [sys.executable, "-c", "import mirror.compare"],
    "python -c 'import mediapipe'": [sys.executable, "-c", "import mediapipe"],
}


def wall_s(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':52s} {'median s':>9s} {'min s':>7s}")
    for name, command in CASES.items():
        wall_s(command)  # warm the disk cache
        times = [wall_s(command) for _ in range(args.runs)]
        print(f"{name:52s} {statistics.median(times):9.3f} {min(times):7.3f}")


if __name__ == "__main__":
    main()
