"""Batch throughput as a multiple of real time, with one and with two local workers.

Input: two-person 1280x720 25 fps clips made at run time from the real footage of
``examples/raga_2people.mp4`` (scaled to 720 p height and padded; the 10 s clip plays
forwards and backwards from a different offset in each file, so no two files share
landmark cache entries).  Each run analyses every file end to end (landmarks at a
12.5 Hz analysis rate, comparison, mechanical imitation, coaching, every report file)
from an empty landmark cache, through :func:`mirror.batch.run_batch`; the wall time
includes starting the worker processes and loading the models.

    python benchmarks/bench_batch.py [--files 4] [--seconds 30] [--fps 12.5] [--workers 1,2]

Prints seconds of video per second of wall time (the target is at least 2x real time).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from mirror.batch import BatchSettings, local_executor, run_batch
from mirror.compare import CompareSettings
from mirror.landmarks import ExtractSettings

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "examples" / "raga_2people.mp4"
SIZE = (1280, 720)
FPS = 25.0


def make_clips(folder: Path, files: int, seconds: float) -> list[Path]:
    cap = cv2.VideoCapture(str(SOURCE))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        h, w = f.shape[:2]
        s = SIZE[1] / h
        f = cv2.resize(f, (int(w * s), SIZE[1]), interpolation=cv2.INTER_AREA)
        canvas = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
        x = (SIZE[0] - f.shape[1]) // 2
        canvas[:, x : x + f.shape[1]] = f
        frames.append(canvas)
    cap.release()
    n = len(frames)
    cycle = list(range(n)) + list(range(n - 2, 0, -1))
    paths = []
    for k in range(files):
        path = folder / f"session_{k + 1}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        offset = k * 37
        for i in range(int(seconds * FPS)):
            writer.write(frames[cycle[(i + offset) % len(cycle)]])
        writer.release()
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=12.5, help="analysis rate")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--surrogates", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in"
        src.mkdir()
        t0 = time.perf_counter()
        clips = make_clips(src, args.files, args.seconds)
        video_s = args.files * args.seconds
        print(f"{args.files} clips of {args.seconds:g} s, {SIZE[0]}x{SIZE[1]} {FPS:g} fps "
              f"(made in {time.perf_counter() - t0:.1f} s); analysis at {args.fps:g} Hz; "
              f"{os.cpu_count()} CPU cores")  # fmt: skip
        for workers in (int(w) for w in args.workers.split(",")):
            settings = BatchSettings(
                extract=ExtractSettings(fps=args.fps),
                compare=CompareSettings(),
                n_surrogates=args.surrogates,
                cache_dir=str(tmp / f"cache_{workers}"),
            )
            out = tmp / f"out_{workers}"
            t0 = time.perf_counter()
            results = run_batch(
                src, out, settings, executor_factory=lambda w=workers, s=settings: local_executor(w, s.extract)
            )
            wall = time.perf_counter() - t0
            bad = [r for r in results if r.state != "done"]
            assert not bad, bad
            per_file = ", ".join(f"{r.seconds:.1f}" for r in results)
            print(f"workers={workers}: {video_s:g} s of video in {wall:.1f} s wall = {video_s / wall:.2f}x real time "
                  f"(per file {per_file} s)")  # fmt: skip
        del clips


if __name__ == "__main__":
    main()
