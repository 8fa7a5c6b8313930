"""How reliably each antisymmetric component tells the side, as the comparator reads it.

Each real single-person clip is extracted twice with each pose model: as it is and
horizontally flipped (``ExtractSettings(mirrored_input=True)``: the second run sees the
person's mirror image).  A component that tells the side follows the flip: the flipped run's
left-minus-right (or signed value) is minus the original's.  Both runs go through what the
comparator does before it compares (each person's own baseline for the face and head yaw,
resampling, smoothing, the high-pass that keeps each person's departures), unweighted, and per
component the correlation of the departures ``a`` with minus the flipped run's ``a'`` is
pooled over every clip and both models: ``sum(a * -a') / sqrt(sum(a^2) sum(a'^2))``.

The pooled figures are :data:`mirror.compare.prepare.SIDE_RELIABILITY`, which weights the
comparator's sum (``side_weights``).  Printed per component: the pooled reliability, the RMS of
the departures, the samples used, and each clip's own figure.

    python benchmarks/bench_side_reliability.py [--cache-dir DIR]

Footage: ``../shared/data/people`` (research use only, read in place) and the MIT clip
``examples/raga_1person.mp4``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mirror.compare import CompareSettings  # noqa: E402
from mirror.compare.prepare import SIDE_RELIABILITY, antisymmetric_series  # noqa: E402
from mirror.features import compute_features  # noqa: E402
from mirror.landmarks import ExtractSettings, Landmarks, extract_video  # noqa: E402

PEOPLE = REPO.parent / "shared" / "data" / "people"
CLIPS = (
    "ted_presenter_gestures", "stock_woman_lakeside", "retalking_woman_bluebg", "drummer_vertical",
    "stock_woman_seated_coffee", "hdtf_aoc_talking", "hdtf_katiehill_talking", "hdtf_theresa_may",
    "retalking_man_suit", "retalking_man_map", "retalking_woman_glasses", "mead_woman_happy",
    "vox_jackie_chan_talking", "stock_woman_blazer", "stock_woman_home_portrait",
)  # fmt: skip
MODELS = ("lite", "full")
MIN_SAMPLES = 16


def departures(landmarks: Landmarks, settings: CompareSettings) -> tuple[np.ndarray, list[str]]:
    """``(N, K)`` the one person's antisymmetric departures, unweighted, and the components' names."""
    person = int(np.argmax(landmarks.pose_present.sum(0)))
    *_, hp, specs = antisymmetric_series(compute_features(landmarks), settings)
    names = [s.name.removesuffix("_left") if s.kind == "lateral" else s.name for s in specs]
    return hp[:, person], names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    settings = CompareSettings()
    clips = [PEOPLE / f"{name}.mp4" for name in CLIPS if (PEOPLE / f"{name}.mp4").exists()]
    clips.append(REPO / "examples" / "raga_1person.mp4")
    if len(clips) == 1:
        print(f"note: {PEOPLE} not found; measuring on examples/raga_1person.mp4 alone")
    sums: dict[str, list[float]] = {}
    per_clip: dict[str, list[str]] = {}
    names: list[str] = []
    for model in MODELS:
        for clip in clips:
            kw = dict(pose_model=model, fps=15.0)
            seen = extract_video(clip, ExtractSettings(**kw), cache_dir=args.cache_dir, face_mesh=False)
            flipped = extract_video(
                clip, ExtractSettings(**kw, mirrored_input=True), cache_dir=args.cache_dir, face_mesh=False
            )
            n = min(len(seen), len(flipped))
            a, names = departures(seen.slice(0, n), settings)
            b, _ = departures(flipped.slice(0, n), settings)
            m = min(len(a), len(b))
            for k, name in enumerate(names):
                x, y = a[:m, k], b[:m, k]
                ok = np.isfinite(x) & np.isfinite(y)
                if ok.sum() < MIN_SAMPLES:
                    continue
                x, y = x[ok], y[ok]
                s = sums.setdefault(name, [0.0, 0.0, 0.0, 0.0])
                s[0] += float(x @ -y)
                s[1] += float(x @ x)
                s[2] += float(y @ y)
                s[3] += ok.sum()
                r = float(x @ -y) / np.sqrt(float(x @ x) * float(y @ y) + 1e-30)
                per_clip.setdefault(name, []).append(f"{clip.stem[:8]}@{model[0]}:{r:+.1f}")
    print(f"{len(clips)} clips x {len(MODELS)} pose models, each also flipped")
    print(f"{'component':18s} {'reliability':>11s} {'shipped':>8s} {'RMS':>6s} {'samples':>8s}  per clip")
    for name in names:
        if name not in sums:
            print(f"{name:18s} {'n/a':>11s}")
            continue
        xy, xx, yy, count = sums[name]
        r = xy / np.sqrt(xx * yy) if xx > 0 and yy > 0 else float("nan")
        rms = np.sqrt((xx + yy) / (2 * count))
        shipped = SIDE_RELIABILITY.get(name)
        shown = f"{shipped:8.2f}" if shipped is not None else f"{'-':>8s}"
        print(f"{name:18s} {r:11.2f} {shown} {rms:6.3f} {int(count):8d}  " + " ".join(per_clip[name]))


if __name__ == "__main__":
    main()
