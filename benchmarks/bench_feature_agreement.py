"""Do the ``lite`` and ``full`` pose models give the same features?

The same real clips are extracted with both models (15 fps) and their features compared
frame by frame, per person:

``r``
    correlation of lite's and full's values over the frames where both have the feature
    (each person's own mean removed: it is the movement that must agree);
``r raw``
    the same without removing the means (a constant offset between the models shows here);
``both / either``
    frames where both models have the feature, as a share of the frames where either has
    it (1: they agree on when the part is usable).

The antisymmetric components (left minus right of each lateral pair, and the signed
features), which are what tells mirror from match, are listed first; then every feature's own
agreement.  Per part, the share of frames on which both models give the same usability
reason is printed last.

    python benchmarks/bench_feature_agreement.py [--cache-dir DIR]

Footage: ``examples/raga_2people.mp4`` (MIT), and from ``../shared/data`` (research use only,
read in place) the research clips and six head-and-shoulders people.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from mirror.features import FEATURES, PARTS, REASONS, compute_features
from mirror.landmarks import ExtractSettings, extract_video

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
CLIPS = [REPO / "examples" / "raga_2people.mp4"] + [
    SHARED / rel
    for rel in (
        "research/highfive_facing.avi", "research/highfive_double.avi", "research/facing_pair_lab.mp4",
        "research/facing_pair_courtyard.mp4", "research/kitchen_two_men.mp4",
        "people/hdtf_aoc_talking.mp4", "people/hdtf_katiehill_talking.mp4", "people/hdtf_theresa_may.mp4",
        "people/retalking_man_suit.mp4", "people/retalking_man_map.mp4", "people/retalking_woman_bluebg.mp4",
    )
]  # fmt: skip


def _agreement(a: list[np.ndarray], b: list[np.ndarray]) -> tuple[float, float, float]:
    """(r with each person's mean removed, raw r, both/either) over per-person series."""
    xs, ys, xr, yr, both, either = [], [], [], [], 0, 0
    for x, y in zip(a, b, strict=True):
        ok = np.isfinite(x) & np.isfinite(y)
        both += int(ok.sum())
        either += int((np.isfinite(x) | np.isfinite(y)).sum())
        if ok.sum() >= 3:
            xs.append(x[ok] - x[ok].mean())
            ys.append(y[ok] - y[ok].mean())
            xr.append(x[ok])
            yr.append(y[ok])
    if not xs:
        return float("nan"), float("nan"), both / either if either else float("nan")
    x, y, u, v = (np.concatenate(z) for z in (xs, ys, xr, yr))
    r = float(np.corrcoef(x, y)[0, 1]) if x.std() > 1e-9 and y.std() > 1e-9 else float("nan")
    r_raw = float(np.corrcoef(u, v)[0, 1]) if u.std() > 1e-9 and v.std() > 1e-9 else float("nan")
    return r, r_raw, both / either if either else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    asym: dict[str, tuple[list, list]] = {}
    own: dict[str, tuple[list, list]] = {}
    same_reason = {part: [0, 0] for part in PARTS}
    used = [c for c in CLIPS if c.exists()]
    for clip in used:
        f = {}
        for model in ("lite", "full"):
            lm = extract_video(clip, ExtractSettings(pose_model=model, fps=15.0), cache_dir=args.cache_dir)
            f[model] = compute_features(lm)
        n = min(len(f["lite"].t_s), len(f["full"].t_s))
        a_lite, specs = f["lite"].antisymmetric()
        a_full, _ = f["full"].antisymmetric()
        people = [
            p
            for p in (0, 1)
            if np.isfinite(f["lite"].values[:n, p]).any() or np.isfinite(f["full"].values[:n, p]).any()
        ]
        for p in people:
            for k, s in enumerate(specs):
                name = s.name[: -len("_left")] + " (L-R)" if s.kind == "lateral" else s.name
                asym.setdefault(name, ([], []))
                asym[name][0].append(a_lite[:n, p, k])
                asym[name][1].append(a_full[:n, p, k])
            for i, s in enumerate(FEATURES):
                own.setdefault(s.name, ([], []))
                own[s.name][0].append(f["lite"].values[:n, p, i])
                own[s.name][1].append(f["full"].values[:n, p, i])
            for k, part in enumerate(PARTS):
                same_reason[part][0] += int((f["lite"].part_reason[:n, p, k] == f["full"].part_reason[:n, p, k]).sum())
                same_reason[part][1] += n
    print(f"lite against full on {len(used)} real clips (15 fps)")
    for title, table in (("antisymmetric components (mirror against match)", asym), ("features", own)):
        print(f"\n{title:42s} {'r':>6s} {'r raw':>6s} {'both/either':>12s}")
        for name, (a, b) in table.items():
            r, r_raw, share = _agreement(a, b)
            flag = "  <- disagree" if not r >= 0.5 else ""
            print(f"{name:42s} {r:6.2f} {r_raw:6.2f} {share:12.2f}{flag}")
    print(
        "\nsame usability reason on both models (share of frames): "
        + ", ".join(f"{p} {v[0] / v[1]:.2f}" for p, v in same_reason.items() if v[1])
    )
    print(f"(reasons: {', '.join(REASONS)})")


if __name__ == "__main__":
    main()
