"""Landmark stage speed: bare MediaPipe inference vs the full extractor, same frames, one run.

Two people on 640x480 frames (examples/raga_2people.mp4, resized).  The
extractor is run once with a recording wrapper to capture every crop it hands
to MediaPipe; "bare" then replays exactly those MediaPipe calls (pose and
face, two threads, one per person) with nothing else around them.  Models are
loaded before each pass's clock starts.  Timed passes come in pairs, bare and
extractor back to back, the order swapped from one pair to the next (ABBA), so
both see the same machine state; the figures are medians over the pairs.  The
machine is shared, so the median of each pair's own ratio is printed too, with
the CPU time (all threads) of each pass, which other load changes less.
(Taking turns frame by frame would not be fair: the extractor begins a frame
before its last frame's faces are done, and those would run in bare's turn.)

Both run under the command line's memory policy (:func:`mirror.memory.return_freed_memory`),
as ``mirror extract`` and ``mirror analyze`` do.

    python benchmarks/bench_extract.py [--frames 150] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from mirror.landmarks import Layout, extract_landmarks
from mirror.landmarks.mediapipe_adapter import (
    MediaPipeBackend,
    load_mediapipe,
    video_face_landmarker,
    video_pose_landmarker,
)
from mirror.landmarks.models import FACE_MODEL, model_path, pose_model_path
from mirror.memory import return_freed_memory
from mirror.sources import Frame, FrameSource, SourceInfo

REPO = Path(__file__).resolve().parents[1]


class ListSource(FrameSource):
    def __init__(self, frames: list[np.ndarray], fps: float = 25.0) -> None:
        self.frames = frames
        h, w = frames[0].shape[:2]
        self.info = SourceInfo("video", "memory", w, h, fps, len(frames))

        self.t_first: float | None = None

    def __iter__(self):
        self.t_first = time.perf_counter()  # models are loaded by now: time the frames only
        self.cpu_first = time.process_time()
        for i, image in enumerate(self.frames):
            yield Frame(index=i, t_s=i / self.info.nominal_fps, image=image)
        self.t_last = time.perf_counter()  # the last frame is analysed
        self.cpu_last = time.process_time()


class RecordingBackend(MediaPipeBackend):
    """Records every crop each person's estimator receives."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.calls: list[list] = []

    def person_estimator(self):
        est = super().person_estimator()
        log: list = []
        self.calls.append(log)
        pose, face = est.pose, est.face

        def rec_pose(rgb, t_ms):
            log.append(("pose", np.ascontiguousarray(rgb).copy(), t_ms))
            return pose(rgb, t_ms)

        def rec_face(rgb, t_ms):
            log.append(("face", np.ascontiguousarray(rgb).copy(), t_ms))
            return face(rgb, t_ms)

        est.pose, est.face = rec_pose, rec_face
        return est


def load_frames(n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(REPO / "examples" / "raga_2people.mp4"))
    frames = []
    while len(frames) < n:
        ok, frame = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        frames.append(cv2.resize(frame, (640, 480), interpolation=cv2.INTER_AREA))
    cap.release()
    return frames


class BareReplay:
    """The recorded MediaPipe calls on fresh landmarkers, one frame time at a time (two threads, one per person)."""

    def __init__(self, calls: list[list]) -> None:
        self.mp, _, _ = load_mediapipe()
        self.tasks = [
            {
                "pose": video_pose_landmarker(str(pose_model_path("lite"))),
                "face": video_face_landmarker(str(model_path(FACE_MODEL))),
            }
            for _ in calls
        ]
        # group each person's calls by frame time so the two people run side by side
        self.per_person = []
        for log in calls:
            by_t: dict[int, list] = {}
            for kind, crop, t_ms in log:
                by_t.setdefault(t_ms, []).append((kind, crop))
            self.per_person.append(by_t)
        self.times = sorted(set().union(*[set(p) for p in self.per_person]))
        self.pool = ThreadPoolExecutor(max_workers=2)

    def _run(self, slot: int, t_ms: int) -> None:
        mp = self.mp
        for kind, crop in self.per_person[slot].get(t_ms, []):
            self.tasks[slot][kind].detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=crop), t_ms)

    def frame(self, t_ms: int) -> None:
        """Both people's calls at one frame time, side by side; returns when both are done."""
        n = len(self.per_person)
        list(self.pool.map(self._run, range(n), [t_ms] * n))

    def close(self) -> None:
        self.pool.shutdown()
        for t in self.tasks:
            t["pose"].close()
            t["face"].close()


def bare_pass(calls: list[list]) -> tuple[float, float]:
    """Replay the recorded MediaPipe calls; seconds in all, wall clock and CPU (all threads)."""
    replay = BareReplay(calls)
    start, cpu_start = time.perf_counter(), time.process_time()
    for t_ms in replay.times:
        replay.frame(t_ms)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    replay.close()
    return elapsed, cpu


def extractor_pass(frames: list[np.ndarray]) -> tuple[float, float]:
    """The extractor on the frames; seconds in all, wall clock and CPU (all threads)."""
    backend = MediaPipeBackend("lite")
    backend.detect_people(cv2.cvtColor(frames[0], cv2.COLOR_BGR2RGB))  # load the search model untimed
    source = ListSource(frames)
    lm = extract_landmarks(source, backend, Layout("auto"))
    elapsed, cpu = source.t_last - source.t_first, source.cpu_last - source.cpu_first
    backend.close()
    assert lm.pose_present.all(1).mean() > 0.95
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=5, help="pairs of timed passes (bare and extractor)")
    args = parser.parse_args()
    return_freed_memory()  # as the command line runs
    frames = load_frames(args.frames)
    recorder = RecordingBackend("lite")
    extract_landmarks(ListSource(frames), recorder, Layout("auto"))
    calls = [log for log in recorder.calls if log]
    recorder.close()
    # the whole-frame person search is part of the extractor's own work: count its calls
    n_crops = sum(len(log) for log in calls)
    print(f"{len(frames)} frames of 640x480, two people; {n_crops} MediaPipe crop calls recorded")
    passes = {"bare": lambda: bare_pass(calls), "full": lambda: extractor_pass(frames)}
    wall: dict[str, list[float]] = {"bare": [], "full": []}
    cpu: dict[str, list[float]] = {"bare": [], "full": []}
    for r in range(args.repeats):
        for kind in ("bare", "full") if r % 2 == 0 else ("full", "bare"):  # ABBA: neither always goes first
            seconds, cpu_seconds = passes[kind]()
            wall[kind].append(seconds / len(frames) * 1000)
            cpu[kind].append(cpu_seconds / len(frames) * 1000)
    b, f = statistics.median(wall["bare"]), statistics.median(wall["full"])
    paired = statistics.median(x / y for x, y in zip(wall["full"], wall["bare"], strict=True))
    cb, cf = statistics.median(cpu["bare"]), statistics.median(cpu["full"])
    per_pass = {k: [round(x, 1) for x in v] for k, v in wall.items()}
    print(f"bare MediaPipe inference : {b:6.1f} ms/frame  ({1000 / b:5.1f} fps)   runs {per_pass['bare']}")
    print(f"full extractor           : {f:6.1f} ms/frame  ({1000 / f:5.1f} fps)   runs {per_pass['full']}")
    print(f"extractor / bare         : {f / b:6.3f}  (overhead {100 * (f / b - 1):+.1f} %)")
    print(f"  median of pair ratios  : {paired:6.3f}  (overhead {100 * (paired - 1):+.1f} %)")
    print(f"  CPU, all threads       : bare {cb:5.1f}, extractor {cf:5.1f} ms/frame", end="")
    print(f"  (overhead {100 * (cf / cb - 1):+.1f} %)")


if __name__ == "__main__":
    main()
