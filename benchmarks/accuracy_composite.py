"""Accuracy of the whole pipeline, pixels to labels, on composited real footage.

Real single-person footage is composited into two-person scenes with known
truth, segment by segment (A on the left, B on the right):

* ``mirror``: B is A's horizontally flipped source, ``lag_s`` later;
* ``match``: B is A's source unflipped, ``lag_s`` later;
* ``none``: B is another real person (from another clip), unrelated in time;
* ``symmetric``: A and B both show a left-right symmetrised body, B ``lag_s`` later.

Lags run from 0 to 3 s; scale, position and segment lengths vary; the short
clips play forwards and backwards to make long sequences.  The video is then
analysed exactly as ``mirror analyze`` does (MediaPipe landmarks, features,
comparator) and every window wholly inside one segment is scored against it.

    python benchmarks/accuracy_composite.py [--minutes 4] [--seed 1] [--keep DIR]

Prints the window-level confusion matrix, macro-F1 over mirror/match/none and
the lag error.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from mirror.compare import CompareSettings, analyze_landmarks
from mirror.landmarks import ExtractSettings, Layout, extract_video
from mirror.landmarks.mediapipe_adapter import MediaPipeBackend

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
HALF = (640, 480)  # each person's half of the canvas (w, h)
FPS = 15.0
TRUTH = ("mirror", "match", "none", "symmetric")


def _read(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    cap.release()
    return frames, fps


def _person_boxes(frames: list[np.ndarray], backend: MediaPipeBackend, people: int) -> list[tuple[int, int, int, int]]:
    """Union boxes (pixels) of the ``people`` most prominent people over a few frames, left to right."""
    h, w = frames[0].shape[:2]
    boxes: list[list[np.ndarray]] = []
    for f in frames[:: max(1, len(frames) // 6)]:
        found = backend.detect_people(cv2.cvtColor(f, cv2.COLOR_BGR2RGB), max_people=4)
        found.sort(key=lambda p: -(p.bbox()[2] - p.bbox()[0]) * (p.bbox()[3] - p.bbox()[1]))
        found = sorted(found[:people], key=lambda p: p.center()[0])
        if len(found) == people:
            boxes.append([p.bbox() for p in found])
    out = []
    for k in range(people):
        b = np.array([bb[k] for bb in boxes])
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        cx, bw, bh = (x0 + x1) / 2, (x1 - x0) * 1.3, (y1 - y0) * 1.15
        out.append(
            (
                int(max(0, (cx - bw / 2) * w)),
                int(max(0, (y0 - 0.1 * (y1 - y0)) * h)),
                int(min(w, (cx + bw / 2) * w)),
                int(min(h, (y0 - 0.1 * (y1 - y0) + bh) * h)),
            )
        )
    return out


def _crop_all(frames, box) -> list[np.ndarray]:
    x0, y0, x1, y1 = box
    return [f[y0:y1, x0:x1] for f in frames]


def _symmetrise(crops: list[np.ndarray]) -> list[np.ndarray]:
    """One half of the body and its mirror image: a perfectly left-right symmetric person.

    The half that moves more is kept, so the symmetric person gestures with both hands at once.
    """
    w = crops[0].shape[1]
    stack = np.stack([c.astype(np.float32).mean(-1) for c in crops])
    motion = np.abs(np.diff(stack, axis=0)).mean(0)
    keep_left = motion[:, : w // 2].sum() >= motion[:, w - w // 2 :].sum()
    out = []
    for c in crops:
        half = c[:, : w // 2] if keep_left else c[:, w - w // 2 :][:, ::-1]
        out.append(np.ascontiguousarray(np.concatenate([half, half[:, ::-1]], axis=1)))
    return out


class Source:
    """A real clip of one person, played forwards and backwards without end."""

    def __init__(self, crops: list[np.ndarray], fps: float, name: str) -> None:
        self.crops, self.fps, self.name = crops, fps, name
        self.duration = len(crops) / fps

    def at(self, t: float) -> np.ndarray:
        period = 2 * self.duration
        u = t % period
        u = u if u <= self.duration else period - u
        return self.crops[min(len(self.crops) - 1, int(u * self.fps))]


def _place(canvas: np.ndarray, person: np.ndarray, x_off: int, scale: float, dx: float, dy: float) -> None:
    hw, hh = HALF
    ph, pw = person.shape[:2]
    s = scale * min(hh / ph, hw / pw)
    img = cv2.resize(person, (max(1, int(pw * s)), max(1, int(ph * s))), interpolation=cv2.INTER_AREA)
    ih, iw = img.shape[:2]
    x = x_off + int((hw - iw) * dx)
    y = int((hh - ih) * dy)
    canvas[y : y + ih, x : x + iw] = img


def make_plan(minutes: float, rng: np.random.Generator) -> list[dict]:
    kinds = ["mirror", "match", "none", "symmetric"]
    plan, t = [], 0.0
    order = []
    while t < minutes * 60:
        if not order:
            order = list(rng.permutation(kinds))
        kind = order.pop()
        length = float(rng.uniform(12, 22))
        plan.append(
            {
                "kind": kind,
                "start_s": round(t, 3),
                "end_s": round(t + length, 3),
                "lag_s": round(float(rng.uniform(0, 3)), 3) if kind != "none" else None,
                "scale": [float(rng.uniform(0.7, 1.0)), float(rng.uniform(0.7, 1.0))],
                "pos": [[float(rng.uniform(0, 1)), float(rng.uniform(0.2, 1))] for _ in range(2)],
                "other": int(rng.integers(0, 2)),
                "other_offset_s": float(rng.uniform(0, 10)),
                "other_flip": bool(rng.integers(0, 2)),
            }
        )
        t += length
    return plan


def render(plan: list[dict], main: Source, sym: Source, others: list[Source], path: Path) -> int:
    end = plan[-1]["end_s"]
    n = int(end * FPS)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (2 * HALF[0], HALF[1]))
    seg = 0
    for i in range(n):
        t = i / FPS
        while t >= plan[seg]["end_s"]:
            seg += 1
        p = plan[seg]
        canvas = np.zeros((HALF[1], 2 * HALF[0], 3), np.uint8)
        if p["kind"] == "symmetric":
            a, b = sym.at(t), sym.at(t - p["lag_s"])
        elif p["kind"] == "none":
            a = main.at(t)
            other = others[p["other"]]
            b = other.at(t + p["other_offset_s"])
            b = b[:, ::-1] if p["other_flip"] else b
        else:
            a = main.at(t)
            b = main.at(t - p["lag_s"])
            b = b[:, ::-1] if p["kind"] == "mirror" else b
        _place(canvas, a, 0, p["scale"][0], *p["pos"][0])
        _place(canvas, np.ascontiguousarray(b), HALF[0], p["scale"][1], *p["pos"][1])
        writer.write(canvas)
    writer.release()
    return n


def window_truth(plan: list[dict], start_s: np.ndarray, end_s: np.ndarray, margin_s: float = 0.5):
    """Truth label and lag of each window wholly inside one segment (None elsewhere)."""
    labels, lags = [], []
    for a, b in zip(start_s, end_s, strict=True):
        hit = None
        for p in plan:
            lag = p["lag_s"] or 0.0
            if a >= p["start_s"] + margin_s and b + lag + margin_s <= p["end_s"]:
                hit = p
                break
        labels.append(hit["kind"] if hit else None)
        lags.append(hit["lag_s"] if hit else None)
    return labels, lags


def per_class_f1(conf: np.ndarray, truth, predicted) -> dict[str, float]:
    """F1 of each true class from a confusion matrix (rows: ``truth``, columns: ``predicted``)."""
    f1s = {}
    for lab in truth:
        i, j = truth.index(lab), predicted.index(lab)
        tp = conf[i, j]
        fp = conf[:, j].sum() - tp
        fn = conf[i].sum() - tp
        f1s[lab] = float(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn else float("nan")
    return f1s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the composite video and truth here")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    backend = MediaPipeBackend("lite")
    frames1, fps1 = _read(EXAMPLES / "raga_1person.mp4")
    (box1,) = _person_boxes(frames1, backend, 1)
    crops1 = _crop_all(frames1, box1)
    frames2, fps2 = _read(EXAMPLES / "raga_2people.mp4")
    boxes2 = _person_boxes(frames2, backend, 2)
    backend.close()
    main_src = Source(crops1, fps1, "raga_1person")
    sym_src = Source(_symmetrise(crops1), fps1, "raga_1person symmetrised")
    others = [Source(_crop_all(frames2, b), fps2, f"raga_2people person {k}") for k, b in enumerate(boxes2)]
    plan = make_plan(args.minutes, rng)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="mirror-accuracy-"))
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / "composite.avi"
    t0 = time.perf_counter()
    n = render(plan, main_src, sym_src, others, video)
    (folder / "truth.json").write_text(json.dumps({"fps": FPS, "segments": plan}, indent=1))
    t1 = time.perf_counter()
    landmarks = extract_video(video, ExtractSettings(layout=Layout("auto")))  # cached by content
    info = landmarks.info
    t2 = time.perf_counter()
    result = analyze_landmarks(landmarks, CompareSettings(), n_surrogates=0)
    t3 = time.perf_counter()
    w = result.windows
    truth, true_lag = window_truth(plan, w.start_s, w.end_s)
    print(
        f"{len(plan)} segments, {n} frames ({n / FPS / 60:.1f} min) rendered in {t1 - t0:.0f} s; "
        f"landmarks {t2 - t1:.0f} s (both people in {100 * info.both_present_rate:.1f} % of frames); "
        f"comparator {t3 - t2:.2f} s"
    )
    predicted = ("mirror", "match", "symmetric", "none", "insufficient")
    conf = np.zeros((len(TRUTH), len(predicted)), int)
    lag_err = []
    for lab, lag, pred, plag in zip(truth, true_lag, w.label, w.lag_s, strict=True):
        if lab is None:
            continue
        conf[TRUTH.index(lab), predicted.index(pred)] += 1
        if lab in ("mirror", "match") and pred == lab:
            lag_err.append(abs(plag - lag))
    print("\nwindow confusion matrix (rows: truth, columns: predicted)")
    print(f"{'':10s}" + "".join(f"{p:>13s}" for p in predicted))
    for i, lab in enumerate(TRUTH):
        print(f"{lab:10s}" + "".join(f"{v:13d}" for v in conf[i]))
    f1s = per_class_f1(conf, TRUTH, predicted)
    macro = np.mean([f1s[k] for k in ("mirror", "match", "none")])
    print("\nF1: " + ", ".join(f"{k} {v:.3f}" for k, v in f1s.items()))
    print(f"macro-F1 over mirror, match, none: {macro:.3f}")
    if lag_err:
        e = np.array(lag_err)
        print(
            f"lag error on correct mirror/match windows: median {np.median(e):.3f} s, "
            f"90th percentile {np.percentile(e, 90):.3f} s, n = {len(e)}"
        )
    print(f"\ncomposite and truth in {folder}")


if __name__ == "__main__":
    main()
