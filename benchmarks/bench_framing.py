"""Does ``--layout auto`` find and keep both people in the framings people use?

Per framing and pose model: the share of frames with both people found, each
person's share, identity swaps (``count_identity_swaps``) and frames where a
person's anchor sits in the other's picture (scene truth). Scenes are built by
``tests/scenes.py`` from real single people (call tiles, a close webcam, side by
side upper body, each also through a poor camera); the face-to-face clips are real
pairs; solo practice runs the ``mirror live --partner-video`` estimator on one
head-and-shoulders person per stream. Research-only footage is read from
``../shared/data`` and skipped where absent.

    python benchmarks/bench_framing.py [--models lite full] [--seconds 5] [--fps 12.5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mirror.landmarks import ExtractSettings, Layout, extract_video  # noqa: E402
from tests.scenes import (  # noqa: E402
    PERSON_CLIPS,
    SCENES_VERSION,
    SHARED,
    Segment,
    build_scene,
    identity_errors,
    poor_camera,
    write_scene,
)

CACHE = Path("/tmp/framing-cache")

PAIRS = {
    "call": [
        ("hdtf_aoc_talking", "retalking_man_map"),
        ("hdtf_katiehill_talking", "hdtf_theresa_may"),
        ("vox_jackie_chan_talking", "retalking_woman_glasses"),
        ("retalking_woman_glasses", "hdtf_katiehill_talking"),  # lite's tracking drops Ruth in her tile now and then
        ("pyfeat_single_face", "pyfeat_single_face"),
    ],
    "webcam": [
        ("hdtf_katiehill_talking", "retalking_man_map"),
        ("hdtf_aoc_talking", "hdtf_theresa_may"),
        ("vox_jackie_chan_talking", "retalking_woman_glasses"),
        ("pyfeat_single_face", "pyfeat_single_face"),
    ],
    "upper_body": [
        ("raga_1person", "ted_presenter_gestures"),
        ("retalking_woman_bluebg", "stock_woman_lakeside"),
        ("raga_1person", "raga_1person"),
    ],
}
POOR = {"call": 2, "upper_body": 1, "webcam": 1}  # how many of each framing's pairs also go through a poor camera
FACING = ["research/facing_pair_lab.mp4", "research/highfive_facing.avi", "research/facing_pair_courtyard.mp4"]
SOLO = ["hdtf_aoc_talking", "retalking_man_map", "vox_jackie_chan_talking", "pyfeat_single_face"]


def plan(seconds: float) -> list[Segment]:
    half = seconds / 2
    return [Segment("mirror", 0.0, half, lag_s=0.5), Segment("none", half, seconds)]


def scene_files(seconds: float, fps: float) -> list[tuple[str, Path, np.ndarray | None]]:
    """(label, video path, (T, 2, 4) truth boxes or None) of every case that can be built here."""
    out = []
    folder = CACHE / "scenes"
    folder.mkdir(parents=True, exist_ok=True)
    for framing, pairs in PAIRS.items():
        for i, (a, b) in enumerate(pairs):
            ca, cb = PERSON_CLIPS[a], PERSON_CLIPS[b]
            if not (ca.available and cb.available):
                continue
            scene = build_scene(framing, ca, cb, plan(seconds), fps=fps)
            variants = [(scene, "")] + ([(poor_camera(scene), "+poor")] if i < POOR[framing] else [])
            for sc, tag in variants:
                label = f"{framing}{tag} {a.split('_')[1]}|{b.split('_')[1]}"
                path = folder / f"{framing}{tag}_{a}_{b}_{seconds:g}s_{fps:g}_v{SCENES_VERSION}.avi"
                if not path.exists():
                    write_scene(sc, path)
                out.append((label, path, sc.boxes_px))
    for rel in FACING:
        path = SHARED / rel
        if path.exists():
            out.append((f"facing {path.stem}", path, None))
    return out


def measure(path: Path, model: str, fps: float, boxes: np.ndarray | None) -> dict:
    lm = extract_video(path, ExtractSettings(pose_model=model, fps=fps, layout=Layout("auto")), use_cache=False)
    info = lm.info
    present = lm.pose_present
    row = {
        "both": float(present.all(1).mean()),
        "A": float(present[:, 0].mean()),
        "B": float(present[:, 1].mean()),
        "faceA": info.face_present_rate["A"],
        "faceB": info.face_present_rate["B"],
        "swaps": int(info.identity_swaps),
        "wrong": -1,
    }
    if boxes is not None:
        w, h = lm.frame_size
        centers = lm.pose_image[:, :, [11, 12], :2].mean(axis=2) * (w, h)
        n = min(len(boxes), len(lm))
        row["wrong"] = identity_errors(centers[:n], present[:n], boxes[:n])
    return row


def solo(model: str, fps: float) -> list[tuple[str, float, float]]:
    """Solo practice: the live per-stream estimator on one person per picture."""
    import cv2

    from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
    from mirror.live.estimate import SoloEstimator

    rows = []
    backend = MediaPipeBackend(model)
    try:
        for name in SOLO:
            clip = PERSON_CLIPS[name]
            if not clip.available:
                continue
            est = SoloEstimator(backend)
            cap = cv2.VideoCapture(str(clip.path))
            src_fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
            step, k, found, faces, n = max(1, int(round(src_fps / fps))), 0, 0, 0, 0
            while True:
                ok, frame = cap.read()
                if not ok:
                    break
                if k % step == 0:
                    person = est(frame, k / src_fps)
                    n += 1
                    found += person is not None
                    faces += person is not None and person.face is not None
                k += 1
            cap.release()
            est.close()
            rows.append((name, found / max(n, 1), faces / max(n, 1)))
    finally:
        backend.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["lite", "full"])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--fps", type=float, default=12.5)
    parser.add_argument("--only", default="", help="run only cases whose label contains this text")
    args = parser.parse_args()
    cases = [c for c in scene_files(args.seconds, args.fps) if args.only in c[0]]
    print(
        f"{'case':42s} {'model':5s} {'both':>6s} {'A':>6s} {'B':>6s} "
        f"{'faceA':>6s} {'faceB':>6s} {'swaps':>5s} {'wrong':>5s}"
    )
    for label, path, boxes in cases:
        for model in args.models:
            r = measure(path, model, args.fps, boxes)
            print(
                f"{label:42s} {model:5s} {100 * r['both']:5.1f}% {100 * r['A']:5.1f}% {100 * r['B']:5.1f}% "
                f"{100 * r['faceA']:5.1f}% {100 * r['faceB']:5.1f}% {r['swaps']:5d} {r['wrong']:5d}",
                flush=True,
            )
    if not args.only or "solo" in args.only:
        for model in args.models:
            for name, rate, face_rate in solo(model, args.fps):
                print(f"{'solo ' + name:42s} {model:5s} {100 * rate:5.1f}% (face {100 * face_rate:5.1f}%)", flush=True)


if __name__ == "__main__":
    main()
