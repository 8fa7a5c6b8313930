"""Long sessions: peak memory and time per video minute of ``mirror analyze`` at 5, 15 and 30 minutes.

A synthetic two-person video is made from a shipped real clip at low
resolution: the singer of raga_1person on the left, and on the right her mirror
image at another pace (0.93x, 3 s apart), each playing forwards and backwards;
one file per length.  Each is
analysed by ``mirror analyze`` in its own process, with an empty landmark
cache; the process's peak resident memory (``ru_maxrss`` from ``wait4``) and
wall time are printed.  Targets: peak RSS under 1.5 GB, and flat (within 10 %
between 5 and 30 minutes).

    python benchmarks/bench_long_session.py [--minutes 5 15 30] [--fps 15] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
HALF = (200, 240)  # each person's half (w, h)


def _frames(path: Path, crop) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        h, w = f.shape[:2]
        x0, x1 = int(crop[0] * w), int(crop[1] * w)
        out.append(cv2.resize(f[:, x0:x1], HALF, interpolation=cv2.INTER_AREA))
    cap.release()
    return out, fps


def make_video(path: Path, minutes: float, fps: float) -> Path:
    a, fa = _frames(EXAMPLES / "raga_1person.mp4", (0.22, 0.78))
    b, fb = [f[:, ::-1].copy() for f in a], fa

    def at(frames, src_fps, t):
        period = 2 * (len(frames) - 1)
        i = int(t * src_fps) % period
        return frames[i if i < len(frames) else period - i]

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (2 * HALF[0], HALF[1]))
    for k in range(int(minutes * 60 * fps)):
        t = k / fps
        writer.write(np.concatenate([at(a, fa, t), at(b, fb, 0.93 * t + 3.0)], axis=1))
    writer.release()
    return path


def run_analyze(video: Path, out: Path, cache: Path, fps: float) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit code) of one ``mirror analyze`` process."""
    cmd = [sys.executable, "-m", "mirror.cli", "analyze", str(video), "--out", str(out), "--no-progress",
           "--fps", str(fps), "--cache-dir", str(cache)]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode()[-2000:])
    return usage.ru_maxrss / 1024, wall, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[5, 15, 30])
    parser.add_argument("--fps", type=float, default=15.0, help="video and analysis rate")
    parser.add_argument("--keep", type=Path, help="keep the videos and reports here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="mirror-long-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for minutes in args.minutes:
        video = make_video(folder / f"session_{minutes:g}min.avi", minutes, args.fps)
        rss, wall, code = run_analyze(
            video, folder / f"report_{minutes:g}min", folder / f"cache_{minutes:g}min", args.fps
        )
        rows.append((minutes, rss, wall, code))
        print(
            f"{minutes:5g} min: peak RSS {rss:7.0f} MB, {wall:7.1f} s "
            f"({wall / minutes:5.1f} s per video minute), exit {code}",
            flush=True,
        )
    base = rows[0][1]
    print(f"\n{2 * HALF[0]}x{HALF[1]} video, analysed at {args.fps:g} fps")
    for minutes, rss, _, _ in rows[1:]:
        print(f"peak RSS at {minutes:g} min vs {rows[0][0]:g} min: {100 * (rss / base - 1):+.1f} %")
    print(f"largest peak RSS {max(r[1] for r in rows):.0f} MB (target < 1500 MB, flat within 10 %)")


if __name__ == "__main__":
    main()
