"""Live practice speed: end-to-end frames per second and latency from capture to display,
next to bare MediaPipe inference on the same frames.

Frames: examples/raga_2people.mp4 (two people, real footage) resized to 640x480,
served from memory by a stand-in camera on the session clock, so decoding does
not count.  The display is an offscreen sink (the drawing is done, the window
is not).  Passes:

1. bare MediaPipe: each person's pose landmarker on that person's crop, the
   two on two threads, every frame; then the same plus the face landmarker on
   the head crops of the frames recorded (15 per second), as the session does;
2. the per-frame landmark step alone (identity tracking, crops, pose), every frame;
3. ``mirror live`` end to end with a 30 fps camera (real time);
4. the same with a 60 fps camera (faster than the pipeline: its capacity);
5. one rolling-analysis tick (what the analysis thread does every 0.5 s) on a
   full 60 s buffer at 15 fps, made of the poses of pass 2 played forwards and
   backwards: the overlay's view built straight from the typed results, and
   built the way it was before (the results turned into the report dict and
   that dict parsed back), with mechanical imitation and coaching (every 5 s)
   and without (the other ticks).

The process runs under the command line's memory policy
(:func:`mirror.memory.return_freed_memory`), as ``mirror live`` does.

    python benchmarks/bench_live.py [--seconds 15] [--frames 250] [--tick-only]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from mirror.landmarks.estimate import head_box_px
from mirror.landmarks.mediapipe_adapter import (
    MediaPipeBackend,
    load_mediapipe,
    video_face_landmarker,
    video_pose_landmarker,
)
from mirror.landmarks.models import FACE_MODEL, model_path, pose_model_path
from mirror.landmarks.types import Landmarks
from mirror.live import LiveSettings, OffscreenDisplay, run_live
from mirror.live.analysis import RollingAnalysis
from mirror.live.estimate import PairEstimator
from mirror.live.stats import LiveStats
from mirror.memory import return_freed_memory
from mirror.overlay.view import ReportView
from mirror.report import report_dict
from mirror.sources import Frame, FrameSource, SourceInfo

REPO = Path(__file__).resolve().parents[1]


def load_frames(n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(REPO / "examples" / "raga_2people.mp4"))
    frames = []
    while len(frames) < n:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (640, 480), interpolation=cv2.INTER_AREA))
    cap.release()
    return frames


class MemoryCamera(FrameSource):
    """A camera at ``fps`` that shows the given frames in a loop (forwards, then backwards, so motion stays smooth)."""

    def __init__(self, frames: list[np.ndarray], fps: float, seconds: float) -> None:
        self.frames = frames + frames[::-1]
        self.fps, self.seconds = fps, seconds
        h, w = frames[0].shape[:2]
        self.info = SourceInfo("webcam", f"memory camera {fps:g} fps", w, h, fps, -1)

    def __iter__(self):
        t0 = time.monotonic()
        for i in range(int(self.seconds * self.fps)):
            wait = t0 + i / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            yield Frame(i, time.monotonic() - t0, self.frames[i % len(self.frames)])


def person_boxes(frames: list[np.ndarray]) -> list[list]:
    """Each frame's two person regions, as the identity tracker gives them (pose only)."""
    backend = MediaPipeBackend("lite", face=False)
    size = (frames[0].shape[1], frames[0].shape[0])
    est = PairEstimator(backend, size)
    boxes, people = [], []
    for i, f in enumerate(frames):
        boxes.append(est.tracker.regions() if est.tracker.started else None)
        people.append(est(f, i / 25.0, with_face=False))
    est.close()
    backend.close()
    boxes[0] = boxes[1]
    return boxes, people


def bare_pass(frames, boxes, people, face_hz: float | None) -> float:
    """Bare MediaPipe: pose on each person's crop (two threads); faces at ``face_hz``. Seconds per frame."""
    mp, _, _ = load_mediapipe()
    poses = [video_pose_landmarker(str(pose_model_path("lite"))) for _ in range(2)]
    faces = [video_face_landmarker(str(model_path(FACE_MODEL))) for _ in range(2)]
    size = (frames[0].shape[1], frames[0].shape[0])
    crops = []
    for f, bx, pp in zip(frames, boxes, people, strict=True):
        rgb = cv2.cvtColor(f, cv2.COLOR_BGR2RGB)
        pose_crops = [None if b is None else np.ascontiguousarray(rgb[b[1] : b[3], b[0] : b[2]]) for b in bx]
        heads = [None if p is None else head_box_px(p, size) for p in pp]
        face_crops = [None if h is None else np.ascontiguousarray(rgb[h[1] : h[3], h[0] : h[2]]) for h in heads]
        crops.append((pose_crops, face_crops))
    pool = ThreadPoolExecutor(2)
    every = None if face_hz is None else 25.0 / face_hz

    def run(slot, i):
        pose_crop, face_crop = crops[i][0][slot], crops[i][1][slot]
        t_ms = i * 40
        if pose_crop is not None:
            poses[slot].detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=pose_crop), t_ms)
        if every is not None and face_crop is not None and int(i % every) == 0:
            faces[slot].detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=face_crop), t_ms)

    start = time.perf_counter()
    for i in range(len(frames)):
        list(pool.map(run, (0, 1), (i, i)))
    elapsed = time.perf_counter() - start
    pool.shutdown()
    for t in poses + faces:
        t.close()
    return elapsed / len(frames)


def step_pass(frames) -> float:
    backend = MediaPipeBackend("lite", face=False)
    est = PairEstimator(backend, (frames[0].shape[1], frames[0].shape[0]))
    est(frames[0], 0.0, with_face=False)  # loads the search model, untimed
    start = time.perf_counter()
    for i, f in enumerate(frames[1:], 1):
        est(f, i / 25.0, with_face=False)
    elapsed = time.perf_counter() - start
    est.close()
    backend.close()
    return elapsed / (len(frames) - 1)


def live_pass(frames, camera_fps: float, seconds: float) -> LiveStats:
    display = OffscreenDisplay()
    with tempfile.TemporaryDirectory() as tmp:
        settings = LiveSettings(me="B", surrogates=0, max_seconds=seconds, lost_hold_s=0.0)
        result = run_live(
            settings, Path(tmp) / "out", display, sources={"main": MemoryCamera(frames, camera_fps, seconds + 30)}
        )
    return result.stats


def tick_pass(people: list, seconds: float = 60.0, fps: float = 15.0, repeats: int = 7) -> dict[str, float]:
    """Median milliseconds of one rolling-analysis tick on a full buffer: the typed view, and the dict round trip."""
    cycle = people + people[-2:0:-1]
    n = int(seconds * fps)
    buffer = Landmarks.from_frames(
        [i / fps for i in range(n)], list(range(n)), [cycle[i % len(cycle)] for i in range(n)], (640, 480)
    )
    out = {}
    for mechanical in (True, False):
        for name, analysis in (("typed view", RollingAnalysis), ("report dict round trip", DictRoundTrip)):
            times = []
            for _ in range(repeats):
                rolling = analysis()
                if not mechanical:
                    rolling.update(buffer)  # the mechanical stage ran on an earlier tick
                start = time.perf_counter()
                rolling.update(buffer)
                times.append(time.perf_counter() - start)
            out[f"tick {'with' if mechanical else 'without'} mechanical, {name}"] = statistics.median(times) * 1000
    from mirror.compare import PRESETS, analyze_features
    from mirror.features import compute_features

    rolling = RollingAnalysis()
    rolling.update(buffer)
    synchrony = analyze_features(compute_features(buffer), PRESETS["live"], n_surrogates=0)
    views: dict[str, list[float]] = {}
    for _ in range(5 * repeats):
        for name, analysis in (("typed view", RollingAnalysis()), ("report dict round trip", DictRoundTrip())):
            analysis.mechanical = rolling.mechanical
            start = time.perf_counter()
            analysis.make_view(synchrony, [])
            views.setdefault(name, []).append(time.perf_counter() - start)
    out.update({f"the view alone, {k}": statistics.median(v) * 1000 for k, v in views.items()})
    return out


class DictRoundTrip(RollingAnalysis):
    """The rolling analysis as it was: its results written as the report dict, and the view parsed from that."""

    def make_view(self, synchrony, messages) -> ReportView:
        return ReportView.from_dict(report_dict(synchrony, {}, mechanical=self.mechanical, feedback=messages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each end-to-end pass")
    parser.add_argument("--frames", type=int, default=250, help="frames of the clip used")
    parser.add_argument("--tick-only", action="store_true", help="only pass 5 (the rolling-analysis tick)")
    args = parser.parse_args()
    return_freed_memory()  # as the command line runs
    frames = load_frames(args.frames)
    print(
        f"{len(frames)} frames of 640x480, two people (examples/raga_2people.mp4); "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    boxes, people = person_boxes(frames)
    if not args.tick_only:
        bare_pose = statistics.median(bare_pass(frames, boxes, people, None) for _ in range(2)) * 1000
        bare_face = statistics.median(bare_pass(frames, boxes, people, 15.0) for _ in range(2)) * 1000
        step = step_pass(frames) * 1000
        print(
            f"bare MediaPipe, pose of both (2 threads)          : {bare_pose:6.1f} ms/frame "
            f"({1000 / bare_pose:5.1f} fps)"
        )
        print(
            f"bare MediaPipe, pose of both + faces at 15 Hz     : {bare_face:6.1f} ms/frame "
            f"({1000 / bare_face:5.1f} fps)"
        )
        print(f"per-frame landmark step alone (tracking + pose)   : {step:6.1f} ms/frame ({1000 / step:5.1f} fps)")
        for fps in (30.0, 60.0):
            st = live_pass(frames, fps, args.seconds)
            lat, inf = st.latency_ms, st.inference_ms
            print(
                f"mirror live end to end, camera {fps:2.0f} fps          : {st.fps_shown or 0:5.1f} fps shown, "
                f"latency capture->display {lat.median or 0:.0f} ms median / {lat.p95 or 0:.0f} ms p95; "
                f"pose step {inf.median or 0:.0f} ms; {st.frames_recorded} rows recorded "
                f"({st.frames_with_face_model} with faces); {st.frames_dropped['main']} stale frames dropped; "
                f"rolling analysis {st.analysis_ms.median or 0:.0f} ms median ({st.analysis_runs} runs); "
                f"CPU {1000 * st.cpu_seconds / max(1, st.frames_shown):.0f} ms per frame shown "
                f"({st.cpu_seconds / st.seconds:.2f} cores busy)"
            )
    for name, ms in tick_pass(people).items():
        print(f"rolling analysis, 60 s buffer, {name:52s}: {ms:7.2f} ms")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
