"""Mechanical against natural imitation, on composites of real movement with known truth.

Real movement: MediaPipe landmarks of the people in the shipped clips
(``examples/raga_1person.mp4``, both people of ``examples/raga_2people.mp4``)
and, when ``../shared/data`` is present, of both men in
``research/kitchen_two_men.mp4``, turned into body-centric features.  Each
source plays forwards and backwards at a random speed (0.8-1.25x) to make long
sequences.  A always moves as one real source; B, segment by segment:

* ``mechanical``: every movement of A, mirrored or matched, at one constant
  lag of 0.2-0.5 s and exact amplitude, plus B's own measurement jitter (the
  fast residual of another real person's features);
* ``natural``: B is another real person moving independently; some of A's
  movements (episodes of 1.5-3 s on one body part, about one every 8 s) are
  added to B's own, mirrored or matched, each at its own lag of 1-4 s and
  damped to 30-70 % of A's amplitude;
* ``none``: another real person, unrelated.

The composite runs through the comparator and the mechanical detector exactly
as ``mirror analyze`` does.  Every 60 s span wholly inside one segment is
scored: flagged (B copies A mechanically) or not.

    python benchmarks/mechanical_composite.py [--minutes 30] [--seed 1]

Prints span-level F1 of mechanical against natural, the share of natural and
none segments with no flag (target >= 95 %), and the signs per kind.

``--video`` composites pixels instead (from ``benchmarks/accuracy_composite.py``:
the singer of raga_1person on the left, on the right her echo or another
person) and runs MediaPipe on it, so measurement noise is real.  Amplitude
cannot be damped in pixels, so the pixel ``natural`` case is a *variable*
echo: every movement, at a lag that wanders smoothly between 1 and 4 s.

    python benchmarks/mechanical_composite.py --video --minutes 8 --seed 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy.ndimage import uniform_filter1d

from mirror.compare import CompareSettings, analyze_features
from mirror.features import Features, compute_features
from mirror.features.body import FEATURE_INDEX, FEATURES, mirror_operator
from mirror.landmarks import ExtractSettings, extract_video
from mirror.mechanical import CHANNEL_FEATURES, SIGNS, detect_mechanical
from mirror.mechanical.score import SIGN_VALUES

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
RATE = 15.0


def load_sources() -> list[tuple[str, np.ndarray]]:
    """``[(name, (T, F) features at 15 Hz), ...]`` of every real person in the clips."""
    clips = [REPO / "examples" / "raga_1person.mp4", REPO / "examples" / "raga_2people.mp4"]
    if (SHARED / "research" / "kitchen_two_men.mp4").exists():
        clips.append(SHARED / "research" / "kitchen_two_men.mp4")
    out = []
    for clip in clips:
        landmarks = extract_video(clip, ExtractSettings(fps=RATE))
        f = compute_features(landmarks)
        for p in range(2):
            v = f.values[:, p]
            if np.isnan(v[:, FEATURE_INDEX["wrist_height_left"]]).mean() < 0.5:
                out.append((f"{clip.stem} person {'AB'[p]}", _fill(v)))
    return out


def _fill(v: np.ndarray) -> np.ndarray:
    """Gaps filled by linear interpolation per feature (features never seen stay NaN)."""
    v = v.copy()
    idx = np.arange(len(v))
    for j in range(v.shape[1]):
        ok = ~np.isnan(v[:, j])
        if ok.any() and not ok.all():
            v[:, j] = np.interp(idx, idx[ok], v[ok, j])
    return v


class Player:
    """A real source played forwards and backwards, at a speed, from an offset."""

    def __init__(self, values: np.ndarray, speed: float, offset_s: float) -> None:
        self.values, self.speed, self.offset_s = values, speed, offset_s
        self.duration = (len(values) - 1) / RATE

    def at(self, t: np.ndarray) -> np.ndarray:
        u = (t * self.speed + self.offset_s) % (2 * self.duration)
        u = np.where(u <= self.duration, u, 2 * self.duration - u) * RATE
        i0 = np.clip(np.floor(u).astype(int), 0, len(self.values) - 1)
        i1 = np.clip(i0 + 1, 0, len(self.values) - 1)
        w = (u - i0)[:, None]
        return self.values[i0] * (1 - w) + self.values[i1] * w


def make_plan(minutes: float, rng: np.random.Generator, n_sources: int) -> list[dict]:
    kinds = ["mechanical", "natural", "none"]
    plan, t, order = [], 0.0, []
    while t < minutes * 60:
        if not order:
            order = list(rng.permutation(kinds))
        kind = order.pop()
        length = float(rng.uniform(90, 150))
        a, b = rng.choice(n_sources, 2, replace=False)
        plan.append(
            {
                "kind": kind,
                "start_s": t,
                "end_s": t + length,
                "a": int(a),
                "b": int(b),
                "speed": [float(rng.uniform(0.8, 1.25)) for _ in range(2)],
                "offset_s": [float(rng.uniform(0, 10)) for _ in range(2)],
                "mirror": bool(rng.integers(0, 2)),
                "lag_s": float(rng.uniform(0.2, 0.5)),
            }
        )
        t += length
    return plan


def render(plan: list[dict], sources: list[tuple[str, np.ndarray]], rng: np.random.Generator) -> Features:
    """``(T, 2, F)`` features of the composite."""
    n = int(plan[-1]["end_s"] * RATE)
    t = np.arange(n) / RATE
    values = np.full((n, 2, len(FEATURES)), np.nan)
    noise_sd = 0.01
    for p in plan:
        sl = (t >= p["start_s"]) & (t < p["end_s"])
        ts = t[sl] - p["start_s"]
        a = Player(sources[p["a"]][1], p["speed"][0], p["offset_s"][0])
        values[sl, 0] = a.at(ts)
        if p["kind"] == "mechanical":
            copy = a.at(ts - p["lag_s"])
            copy = mirror_operator(copy) if p["mirror"] else copy
            # B's own measurement jitter: the fast residual of another real person's features
            b = Player(sources[p["b"]][1], p["speed"][1], p["offset_s"][1]).at(ts)
            jitter = b - uniform_filter1d(b, size=int(RATE // 2), axis=0, mode="nearest")
            values[sl, 1] = copy + jitter + rng.normal(0, noise_sd, copy.shape)
        else:
            b = Player(sources[p["b"]][1], p["speed"][1], p["offset_s"][1])
            own = b.at(ts)
            if p["kind"] == "natural":
                own = own + _natural_copies(a, ts, rng, p)
            values[sl, 1] = own
    return Features(t_s=t, values=values)


def _natural_copies(a: Player, ts: np.ndarray, rng: np.random.Generator, plan: dict) -> np.ndarray:
    """Damped, variably late copies of some of A's movements, to add to B's own."""
    add = np.zeros((len(ts), len(FEATURES)))
    channels = ["head", "left_arm", "right_arm", "torso"]
    t = float(rng.uniform(2, 8))
    episodes = []
    while t < ts[-1] - 8:
        dur, lag, gain = float(rng.uniform(1.5, 3)), float(rng.uniform(1, 4)), float(rng.uniform(0.3, 0.7))
        channel, mirror = channels[int(rng.integers(0, 4))], bool(rng.integers(0, 2))
        sl = (ts >= t + lag) & (ts < t + lag + dur)
        src = a.at(ts[sl] - lag)
        src = mirror_operator(src) if mirror else src
        cols = [FEATURE_INDEX[n] for n in CHANNEL_FEATURES[channel]]
        if mirror and channel.endswith("arm"):
            other = "right_arm" if channel == "left_arm" else "left_arm"
            cols = [FEATURE_INDEX[n] for n in CHANNEL_FEATURES[other]]
        taper = np.sin(np.linspace(0, np.pi, sl.sum()))[:, None] ** 0.5
        add[np.ix_(sl, cols)] += gain * taper * (src[:, cols] - src[:1, cols])
        episodes.append((t, lag))
        t += dur + lag + float(rng.exponential(6))
    plan["episodes"] = len(episodes)
    return add


def render_video(minutes: float, rng: np.random.Generator, folder: Path) -> tuple[list[dict], Features]:
    """Pixel composite (mechanical, natural = variable echo, none), then MediaPipe landmarks and features."""
    import sys

    import cv2

    sys.path.insert(0, str(Path(__file__).parent))
    import accuracy_composite as ac

    from mirror.landmarks.mediapipe_adapter import MediaPipeBackend

    backend = MediaPipeBackend("lite")
    frames1, fps1 = ac._read(REPO / "examples" / "raga_1person.mp4")
    (box1,) = ac._person_boxes(frames1, backend, 1)
    frames2, fps2 = ac._read(REPO / "examples" / "raga_2people.mp4")
    boxes2 = ac._person_boxes(frames2, backend, 2)
    backend.close()
    main_src = ac.Source(ac._crop_all(frames1, box1), fps1, "raga_1person")
    others = [ac.Source(ac._crop_all(frames2, b), fps2, f"raga_2people {k}") for k, b in enumerate(boxes2)]
    plan, t, order = [], 0.0, []
    while t < minutes * 60:
        if not order:
            order = list(rng.permutation(["mechanical", "natural", "none"]))
        kind = order.pop()
        length = float(rng.uniform(70, 100))
        plan.append({"kind": kind, "start_s": t, "end_s": t + length, "lag_s": float(rng.uniform(0.2, 0.5)),
                     "mirror": bool(rng.integers(0, 2)), "other": int(rng.integers(0, 2)),
                     "wander_s": float(rng.uniform(6, 12)), "phase": float(rng.uniform(0, 2 * np.pi))})  # fmt: skip
        t += length
    fps = ac.FPS
    video = folder / "mechanical_composite.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), fps, (2 * ac.HALF[0], ac.HALF[1]))
    seg = 0
    for i in range(int(plan[-1]["end_s"] * fps)):
        t = i / fps
        while t >= plan[seg]["end_s"]:
            seg += 1
        p = plan[seg]
        a = main_src.at(t)
        if p["kind"] == "none":
            b = others[p["other"]].at(t)
        else:
            lag = (
                p["lag_s"]
                if p["kind"] == "mechanical"
                else 2.5 + 1.5 * np.sin(2 * np.pi * t / p["wander_s"] + p["phase"])
            )
            b = main_src.at(t - lag)
            b = b[:, ::-1] if p["mirror"] else b
        canvas = np.zeros((ac.HALF[1], 2 * ac.HALF[0], 3), np.uint8)
        ac._place(canvas, a, 0, 0.9, 0.5, 0.6)
        ac._place(canvas, np.ascontiguousarray(b), ac.HALF[0], 0.9, 0.5, 0.6)
        writer.write(canvas)
    writer.release()
    landmarks = extract_video(video, ExtractSettings(fps=fps))
    return plan, compute_features(landmarks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--video", action="store_true", help="composite pixels and run MediaPipe (slow: about 1 min per min)"
    )
    parser.add_argument("--keep", type=Path, help="with --video: keep the composite here")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    if args.video:
        import tempfile

        folder = args.keep or Path(tempfile.mkdtemp(prefix="mirror-mechanical-"))
        folder.mkdir(parents=True, exist_ok=True)
        plan, features = render_video(args.minutes, rng, folder)
        print(f"pixel composite in {folder}")
    else:
        sources = load_sources()
        print(f"{len(sources)} real movement sources: " + ", ".join(f"{n} ({len(v) / RATE:.1f} s)" for n, v in sources))
        plan = make_plan(args.minutes, rng, len(sources))
        features = render(plan, sources, rng)
    t0 = time.perf_counter()
    sync = analyze_features(features, CompareSettings(), n_surrogates=0)
    t1 = time.perf_counter()
    mech = detect_mechanical(features, sync.windows)
    info = mech.run
    t2 = time.perf_counter()
    minutes = features.t_s[-1] / 60
    print(
        f"{len(plan)} segments, {minutes:.1f} min; comparator {t1 - t0:.1f} s, mechanical detector {t2 - t1:.2f} s; "
        f"gestures {info.gestures}, copies {info.copies}"
    )
    truth_by_span, pred, wrong_dir = [], [], 0
    seg_flag = {i: [] for i in range(len(plan))}
    per_kind = {k: [] for k in ("mechanical", "natural", "none")}
    ba, ab = mech.directions["B_copies_A"], mech.directions["A_copies_B"]
    for s, s_rev in zip(ba.spans, ab.spans, strict=True):
        for i, p in enumerate(plan):
            if s.start_s >= p["start_s"] and s.end_s <= p["end_s"]:
                truth_by_span.append(p["kind"])
                pred.append(s.flagged)
                seg_flag[i].append(s.flagged)
                per_kind[p["kind"]].append(s)
                wrong_dir += int(s_rev.flagged)
    truth = np.array(truth_by_span)
    pred = np.array(pred)
    mn = np.isin(truth, ["mechanical", "natural"])
    tp = int(np.sum(pred & (truth == "mechanical")))
    fp = int(np.sum(pred & mn & (truth == "natural")))
    fn = int(np.sum(~pred & (truth == "mechanical")))
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    print(
        f"\nspans scored: {len(truth)} (mechanical {np.sum(truth == 'mechanical')}, "
        f"natural {np.sum(truth == 'natural')}, none {np.sum(truth == 'none')})"
    )
    print(f"span-level F1, mechanical against natural: {f1:.3f} (tp {tp}, fp {fp}, fn {fn})")
    for kind in ("mechanical", "natural", "none"):
        segs = [i for i, p in enumerate(plan) if p["kind"] == kind and seg_flag[i]]
        flagged = sum(any(seg_flag[i]) for i in segs)
        spans = per_kind[kind]
        print(
            f"{kind:10s}: {flagged} of {len(segs)} segments flagged; "
            f"spans flagged {sum(s.flagged for s in spans)} of {len(spans)}; "
            f"score median {np.nanmedian([s.score for s in spans]):.2f} "
            f"[{np.nanmin([s.score for s in spans]):.2f}, {np.nanmax([s.score for s in spans]):.2f}]"
        )
        if spans:
            print(
                "            "
                + ", ".join(f"{k} {np.nanmedian([s.values[SIGN_VALUES[k]] for s in spans]):.2f}" for k in SIGNS)
            )
    clean = [i for i, p in enumerate(plan) if p["kind"] in ("natural", "none") and seg_flag[i]]
    ok = sum(not any(seg_flag[i]) for i in clean)
    print(
        f"\nnatural and none segments with no mechanical flag: {ok} of {len(clean)} "
        f"({100 * ok / max(len(clean), 1):.1f} %)"
    )
    print(f"spans flagged in the wrong direction (A copies B): {wrong_dir}")


if __name__ == "__main__":
    main()
