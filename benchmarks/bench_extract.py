"""Landmark stage speed: bare MediaPipe inference vs the full extractor, same frames, one run.

Two people on 640x480 frames (examples/raga_2people.mp4, resized).  The
extractor is run once with a recording wrapper to capture every crop it hands
to MediaPipe; "bare" then replays exactly those MediaPipe calls (pose and
face, two threads, one per person) with nothing else around them.  Timed
passes alternate bare / extractor so both see the same machine state.

    python benchmarks/bench_extract.py [--frames 150] [--repeats 3]
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
from mirror.landmarks.mediapipe_adapter import MediaPipeBackend, load_mediapipe, quiet_native_stderr
from mirror.landmarks.models import FACE_MODEL, model_path, pose_model_path
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
        for i, image in enumerate(self.frames):
            yield Frame(index=i, t_s=i / self.info.nominal_fps, image=image)
        self.t_last = time.perf_counter()  # the last frame is analysed


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


def bare_pass(calls: list[list]) -> float:
    """Replay the recorded MediaPipe calls; seconds in all."""
    mp, BaseOptions, vision = load_mediapipe()
    with quiet_native_stderr():
        tasks = []
        for _ in calls:
            pose = vision.PoseLandmarker.create_from_options(
                vision.PoseLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=str(pose_model_path("lite"))),
                    running_mode=vision.RunningMode.VIDEO,
                    num_poses=1,
                )
            )
            face = vision.FaceLandmarker.create_from_options(
                vision.FaceLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=str(model_path(FACE_MODEL))),
                    running_mode=vision.RunningMode.VIDEO,
                    num_faces=1,
                    output_face_blendshapes=True,
                    output_facial_transformation_matrixes=True,
                )
            )
            tasks.append({"pose": pose, "face": face})
    # group each person's calls by frame time so the two people run side by side
    per_person = []
    for log in calls:
        by_t: dict[int, list] = {}
        for kind, crop, t_ms in log:
            by_t.setdefault(t_ms, []).append((kind, crop))
        per_person.append(by_t)
    times = sorted(set().union(*[set(p) for p in per_person]))
    pool = ThreadPoolExecutor(max_workers=2)

    def run(slot: int, t_ms: int) -> None:
        for kind, crop in per_person[slot].get(t_ms, []):
            tasks[slot][kind].detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=crop), t_ms)

    start = time.perf_counter()
    for t_ms in times:
        list(pool.map(run, range(len(calls)), [t_ms] * len(calls)))
    elapsed = time.perf_counter() - start
    pool.shutdown()
    for t in tasks:
        t["pose"].close()
        t["face"].close()
    return elapsed


def extractor_pass(frames: list[np.ndarray]) -> float:
    backend = MediaPipeBackend("lite")
    backend.detect_people(cv2.cvtColor(frames[0], cv2.COLOR_BGR2RGB))  # load the search model untimed
    source = ListSource(frames)
    lm = extract_landmarks(source, backend, Layout("auto"))
    elapsed = source.t_last - source.t_first
    backend.close()
    assert lm.pose_present.all(1).mean() > 0.95
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frames = load_frames(args.frames)
    recorder = RecordingBackend("lite")
    extract_landmarks(ListSource(frames), recorder, Layout("auto"))
    calls = [log for log in recorder.calls if log]
    recorder.close()
    # the whole-frame person search is part of the extractor's own work: count its calls
    n_crops = sum(len(log) for log in calls)
    print(f"{len(frames)} frames of 640x480, two people; {n_crops} MediaPipe crop calls recorded")
    bare, full = [], []
    for _ in range(args.repeats):
        bare.append(bare_pass(calls) / len(frames) * 1000)
        full.append(extractor_pass(frames) / len(frames) * 1000)
    b, f = statistics.median(bare), statistics.median(full)
    print(f"bare MediaPipe inference : {b:6.1f} ms/frame  ({1000 / b:5.1f} fps)   runs {[round(x, 1) for x in bare]}")
    print(f"full extractor           : {f:6.1f} ms/frame  ({1000 / f:5.1f} fps)   runs {[round(x, 1) for x in full]}")
    print(f"extractor / bare         : {f / b:6.3f}  (overhead {100 * (f / b - 1):+.1f} %)")


if __name__ == "__main__":
    main()
