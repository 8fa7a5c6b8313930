"""Face to face, filmed from the side: view-induced asymmetry, the far arm, and highfive_facing.

Three measurements on real footage (``../shared/data``, research use only, read in place):

1. **View-induced asymmetry of people holding still.**  Per person and frame the torso's
   yaw to the camera (:func:`mirror.features.usability.torso_yaw_rad`) says how far they are
   turned.  On the stillest half of each person's frames (lowest motion energy; every frame
   of a still image), the RMS of the antisymmetric features (left minus right, and the
   signed ones) is printed per channel for people facing the camera (|yaw| < 20 degrees) and
   people in profile (|yaw| > 45 degrees), computed as the features are (3-D world
   landmarks, head yaw against the turned torso) and, for comparison, from the image alone
   (world landmarks withheld, so the features fall back to pixels) and with the head's yaw
   against the camera.  A profile view that reads as an asymmetry shows as a larger RMS in
   profile than facing the camera.
2. **The far arm.**  Where the pose model gives the far arm (the one behind the turned
   torso) a low visibility, how far ``lite`` places the wrist and elbow from ``full``
   (in torso lengths, in the image), by visibility and by whether the joint lies clear of
   the body's outline: the evidence for
   :attr:`~mirror.features.usability.UsabilitySettings.clear_wrist_min_visibility`.
3. **highfive_facing** with each model: which way each man faces, how much of each part is
   usable and why not, and the raised arms (the left man's LEFT wrist, the right man's RIGHT).

    python benchmarks/bench_face_to_face.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from mirror.features import FEATURE_CHANNELS, PARTS, compute_features
from mirror.features.usability import REASONS, UsabilitySettings, assess, body_clearance
from mirror.landmarks import ExtractSettings, Landmarks, extract_video
from mirror.landmarks.skeleton import POSE

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
FACING = (
    "research/highfive_facing.avi",
    "research/facing_pair_lab.mp4",
    "research/facing_pair_courtyard.mp4",
    "research/highfive_double.avi",
)
STILLS = (
    "stills/seated_facing_umbrella.jpg",
    "stills/seated_facing_table.jpg",
    "stills/identical_posture_bench.jpg",
    "stills/arms_crossed_pair.jpg",
)
FRONTAL = (
    "clips/raga_2people.mp4",
    "research/kitchen_two_men.mp4",
    "people/stock_woman_lakeside.mp4",
    "people/retalking_woman_bluebg.mp4",
    "people/hdtf_aoc_talking.mp4",
)


def load(rel: str, model: str, cache_dir: Path | None) -> Landmarks:
    path = SHARED / rel
    fps = None if path.suffix == ".jpg" else 15.0
    lm = extract_video(path, ExtractSettings(pose_model=model, fps=fps), cache_dir=cache_dir)
    return lm


def view_asymmetry(clips: list[str], cache_dir: Path | None) -> None:
    groups: dict[str, dict[str, list]] = {"facing the camera": {}, "in profile": {}}
    for rel in clips:
        for model in ("lite", "full"):
            lm = load(rel, model, cache_dir)
            yaw = np.degrees(assess(lm).torso_yaw_rad)
            variants = {"features": compute_features(lm)}
            image_only = lm.slice(0, len(lm))
            image_only.pose_world = np.full_like(lm.pose_world, np.nan)
            variants["image alone"] = compute_features(image_only)
            camera = lm.slice(0, len(lm))
            camera.pose_image = lm.pose_image.copy()
            for name, f in variants.items():
                asym, specs = f.antisymmetric()
                energy = f.column("motion_energy")
                for p in range(2):
                    if name == "features":
                        # head yaw against the camera instead of the turned torso
                        cam = np.radians(lm.head_pose_deg[:, p, 0].astype(np.float64))
                    moving = energy[:, p]
                    still = (
                        np.ones(len(lm), bool)
                        if len(lm) == 1
                        else (np.isnan(moving) | (moving <= np.nanmedian(moving)))
                    )
                    for group, sel in (
                        ("facing the camera", np.abs(yaw[:, p]) < 20),
                        ("in profile", np.abs(yaw[:, p]) > 45),
                    ):
                        rows = still & sel
                        if not rows.any():
                            continue
                        for c in FEATURE_CHANNELS:
                            cols = [k for k, s in enumerate(specs) if s.channel == c]
                            groups[group].setdefault((name, c), []).append(asym[rows][:, p][:, cols])
                        if name == "features":
                            head_yaw = asym[rows][:, p][:, [k for k, s in enumerate(specs) if s.name == "head_yaw"]]
                            groups[group].setdefault(("head yaw", "features"), []).append(head_yaw)
                            groups[group].setdefault(("head yaw", "against the camera"), []).append(cam[rows][:, None])
    print(
        "1. View-induced asymmetry of people holding still: "
        "RMS of the antisymmetric features (stillest half of the frames)"
    )
    print(f"   {'':18s} {'channel':8s} {'computed as':14s} {'facing camera':>14s} {'in profile':>11s}")
    keys = [k for k in groups["in profile"] if k[0] != "head yaw"] + [
        k for k in groups["in profile"] if k[0] == "head yaw"
    ]
    for key in keys:
        out = []
        for group in ("facing the camera", "in profile"):
            blocks = groups[group].get(key, [])
            x = np.concatenate(blocks) if blocks else np.zeros((0, 1))
            x = x[np.isfinite(x).all(1)] if len(x) else x
            out.append(f"{np.sqrt(np.mean(x**2)):.3f} (n={len(x)})" if len(x) else "-")
        name, c = key
        label = ("head yaw", c) if name == "head yaw" else (c, name)
        print(f"   {'':18s} {label[0]:8s} {label[1]:14s} {out[0]:>14s} {out[1]:>11s}")


def far_arm(cache_dir: Path | None) -> None:
    rows = []
    for rel in FACING + ("research/kitchen_two_men.mp4",):
        lite, full = load(rel, "lite", cache_dir), load(rel, "full", cache_dir)
        n = min(len(lite), len(full))
        u = assess(lite)
        clear = body_clearance(lite.pose_image, lite.frame_size, UsabilitySettings().body_radius)
        w, h = lite.frame_size
        for p in (0, 1):
            torso = np.linalg.norm(
                (lite.pose_image[:n, p, [23, 24], :2].mean(1) - lite.pose_image[:n, p, [11, 12], :2].mean(1)) * (w, h),
                axis=-1,
            )
            for side, code in (("left", 1), ("right", -1)):
                for joint in ("elbow", "wrist"):
                    i = POSE[f"{side}_{joint}"]
                    err = (
                        np.linalg.norm(
                            (lite.pose_image[:n, p, i, :2] - full.pose_image[:n, p, i, :2]) * (w, h), axis=-1
                        )
                        / torso
                    )
                    for t in np.flatnonzero(u.far_side[:n, p] == code):
                        if np.isfinite(err[t]):
                            rows.append(
                                (joint, clear[t, p, i] > 0, float(lite.pose_visibility[t, p, i]), float(err[t]))
                            )
    print("\n2. The far arm: lite's joint against full's (torso lengths in the image), by lite's visibility")
    print(f"   {'joint':6s} {'where':14s} {'visibility':>11s} {'n':>4s} {'median':>7s} {'p90':>6s}")
    for joint in ("wrist", "elbow"):
        for where in (True, False):
            for lo, hi in ((0.0, 0.1), (0.1, 0.15), (0.15, 0.2), (0.2, 0.3), (0.3, 0.5), (0.5, 1.01)):
                e = [r[3] for r in rows if r[0] == joint and r[1] == where and lo <= r[2] < hi]
                if e:
                    print(
                        f"   {joint:6s} {'clear of body' if where else 'behind body':14s} [{lo:.2f},{min(hi, 1):.2f}) "
                        f"{len(e):4d} {np.median(e):7.2f} {np.percentile(e, 90):6.2f}"
                    )


def highfive(cache_dir: Path | None) -> None:
    print("\n3. highfive_facing (a mirror: the left man raises his LEFT hand, the right man his RIGHT)")
    for model in ("lite", "full"):
        lm = load("research/highfive_facing.avi", model, cache_dir)
        f = compute_features(lm)
        u = assess(lm)
        summary = f.usability()
        print(f"   --model {model}")
        for p, person in enumerate(("A (left man)", "B (right man)")):
            yaw = np.nanmedian(np.degrees(u.torso_yaw_rad[:, p]))
            far = {1: "left", -1: "right", 0: "none"}[int(np.sign(np.round(np.nanmedian(u.far_side[:, p]))))]
            parts = ", ".join(
                f"{k} {v['usable']:.0%}" + ("" if v["usable"] == 1 else f" ({v['reason']})")
                for k, v in summary[person[0]].items()
            )
            print(
                f"     {person}: torso yaw {yaw:+.0f} deg (faces image {'right' if yaw > 0 else 'left'}), "
                f"far arm {far}; {parts}"
            )
        for p, side in ((0, "left"), (1, "right")):
            wh = f.column(f"wrist_height_{side}")[:, p]
            other = f.column(f"wrist_height_{'right' if side == 'left' else 'left'}")[:, p]
            ok = np.isfinite(wh)
            print(
                f"     {'AB'[p]}'s raised {side.upper()} wrist: usable in {ok.sum()} of {len(wh)} frames, highest "
                f"{np.nanmax(wh) if ok.any() else float('nan'):+.2f} shoulder widths above the shoulders; "
                f"the other wrist usable in {np.isfinite(other).sum()} frames"
            )
        reasons = {
            REASONS[c]: int(n)
            for c, n in zip(*np.unique(f.part_reason[:, 0, PARTS.index("left_arm")], return_counts=True), strict=True)
        }
        print(f"     A's left arm, frames per reason: {reasons}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"needs the research footage in {SHARED}")
    view_asymmetry(list(FACING + STILLS + FRONTAL), args.cache_dir)
    far_arm(args.cache_dir)
    highfive(args.cache_dir)


if __name__ == "__main__":
    main()
