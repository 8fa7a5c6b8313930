"""Which head, face and shoulder features tell left from right in head-and-shoulders shots.

Each real single-person clip is extracted twice: as it is and horizontally flipped
(``ExtractSettings(mirrored_input=True)`` flips every frame before the models see
it, so the second run shows the person's mirror image).  A feature that tells the
side must follow the mirror operator M: the flipped run's left-minus-right (or
signed value) is minus the original's.  Per antisymmetric component ``a`` (the
left-minus-right of a lateral pair, or a signed feature) and its flipped-run value
``a'``, on the frames where both runs have it:

``flip r``
    correlation of ``a`` with ``-a'`` (1: the side is read exactly; 0: noise);
``flip share``
    share of the variance of ``(a, a')`` that changes sign under the flip,
    ``var((a - a') / 2) / (var((a - a') / 2) + var((a + a') / 2))`` (1: all of it; 0.5: none
    more than chance; below: a bias of the model towards one side);
``asym share``
    lateral pairs only, in the original run: ``var(L - R) / (var(L - R) + var(L + R))``, how
    much of the pair's movement is one-sided at all;
``frames``
    share of frames where the feature exists in both runs.

Besides the features in :data:`mirror.features.FEATURES`, the rejected candidates are
printed (marked ``*``): head yaw against the camera and against the shoulders' full
rotation, the pose's head angles from nose and ears, the shoulder line's tilt in the image,
and every blendshape pair not kept.

    python benchmarks/bench_side_features.py [--model lite] [--cache-dir DIR]

Footage: ``../shared/data/people`` (research use only, read in place) and the MIT clip
``examples/pyfeat_single_face.mp4``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from mirror.features import FEATURES, compute_features
from mirror.features.usability import torso_yaw_rad
from mirror.landmarks import ExtractSettings, Landmarks, extract_video
from mirror.landmarks.skeleton import BLENDSHAPE_NAMES, POSE

REPO = Path(__file__).resolve().parents[1]
PEOPLE = REPO.parent / "shared" / "data" / "people"
HEAD_AND_SHOULDERS = (
    "hdtf_aoc_talking", "hdtf_katiehill_talking", "hdtf_theresa_may", "retalking_man_suit",
    "retalking_man_map", "retalking_woman_bluebg", "retalking_woman_glasses", "mead_woman_happy",
    "vox_jackie_chan_talking", "stock_woman_blazer", "stock_woman_home_portrait", "stock_woman_lakeside",
)  # fmt: skip
PAIRS = (
    "browDown", "browOuterUp", "eyeBlink", "eyeSquint", "eyeWide", "cheekSquint", "mouthSmile", "mouthPress",
    "mouthFrown", "mouthDimple", "mouthStretch", "mouthUpperUp", "mouthLowerDown", "noseSneer",
)  # fmt: skip


def clips() -> list[Path]:
    found = [PEOPLE / f"{name}.mp4" for name in HEAD_AND_SHOULDERS if (PEOPLE / f"{name}.mp4").exists()]
    return found + [REPO / "examples" / "pyfeat_single_face.mp4"]


def the_person(landmarks: Landmarks) -> int:
    """The slot a single person was put in."""
    return int(np.argmax(landmarks.pose_present.sum(0)))


def antisymmetric_columns(landmarks: Landmarks) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """``{name: (T,) antisymmetric value}`` of the one person, and each lateral pair's asym share."""
    f = compute_features(landmarks)
    p = the_person(landmarks)
    asym, specs = f.antisymmetric()
    cols = {
        ("" if s.kind == "signed" else "") + (s.name[: -len("_left")] if s.kind == "lateral" else s.name): asym[:, p, k]
        for k, s in enumerate(specs)
    }
    share = {}
    for s in specs:
        if s.kind == "lateral":
            left, right = f.column(s.name)[:, p], f.column(s.partner)[:, p]  # type: ignore[arg-type]
            ok = np.isfinite(left) & np.isfinite(right)
            if ok.sum() > 3:
                d, m = np.var(left[ok] - right[ok]), np.var(left[ok] + right[ok])
                share[s.name[: -len("_left")]] = float(d / (d + m)) if d + m > 0 else float("nan")
    # rejected candidates
    w = landmarks.pose_world[:, p].astype(np.float64)
    img = landmarks.pose_image[:, p].astype(np.float64) * (*landmarks.frame_size, 1)
    vis = landmarks.pose_visibility[:, p]
    seen = lambda *names: (vis[:, [POSE[n] for n in names]] >= 0.5).all(1)  # noqa: E731
    yaw_f = np.radians(landmarks.head_pose_deg[:, p, 0].astype(np.float64))
    cols["*head_yaw_camera"] = yaw_f
    cols["*head_yaw_minus_torso"] = np.where(seen("left_shoulder", "right_shoulder"), yaw_f - torso_yaw_rad(w), np.nan)
    lat = w[:, POSE["left_shoulder"]] - w[:, POSE["right_shoulder"]]
    lat /= np.linalg.norm(lat, axis=1, keepdims=True)
    ear = w[:, POSE["left_ear"]] - w[:, POSE["right_ear"]]
    ear_w = np.linalg.norm(ear, axis=1)
    v = w[:, POSE["nose"]] - (w[:, POSE["left_ear"]] + w[:, POSE["right_ear"]]) / 2
    head_ok = seen("nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder")
    cols["*head_yaw_pose"] = np.where(head_ok, np.sum(v * lat, 1) / ear_w, np.nan)
    cols["*head_roll_pose"] = np.where(head_ok, np.arcsin(np.clip(ear[:, 1] / ear_w, -1, 1)), np.nan)
    li = img[:, POSE["left_shoulder"]] - img[:, POSE["right_shoulder"]]
    cols["*shoulder_raise_image"] = np.where(
        seen("left_shoulder", "right_shoulder"), np.arctan2(-li[:, 1], np.abs(li[:, 0])), np.nan
    )
    cols["*shoulder_raise_world_any_frame"] = np.where(
        seen("left_shoulder", "right_shoulder"), np.arcsin(np.clip(-lat[:, 1], -1, 1)), np.nan
    )
    names = {n: i for i, n in enumerate(BLENDSHAPE_NAMES)}
    bs = landmarks.blendshapes[:, p].astype(np.float64)
    kept = {s.name[len("face_") : -len("_left")] for s in FEATURES if s.channel == "face" and s.kind == "lateral"}
    for base in PAIRS:
        if base not in kept:
            left, right = bs[:, names[f"{base}Left"]], bs[:, names[f"{base}Right"]]
            cols[f"*face_{base}"] = left - right
            ok = np.isfinite(left)
            d, m = np.var(left[ok] - right[ok]), np.var(left[ok] + right[ok])
            share[f"*face_{base}"] = float(d / (d + m)) if ok.sum() > 3 and d + m > 0 else float("nan")
    return cols, share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    a_all: dict[str, list] = {}
    b_all: dict[str, list] = {}
    shares: dict[str, list] = {}
    used = clips()
    for clip in used:
        settings = dict(pose_model=args.model, fps=15.0)
        lm = extract_video(clip, ExtractSettings(**settings), cache_dir=args.cache_dir)
        fl = extract_video(clip, ExtractSettings(**settings, mirrored_input=True), cache_dir=args.cache_dir)
        n = min(len(lm), len(fl))
        a, share = antisymmetric_columns(lm.slice(0, n))
        b, _ = antisymmetric_columns(fl.slice(0, n))
        for name in a:
            a_all.setdefault(name, []).append(a[name])
            b_all.setdefault(name, []).append(b[name])
        for name, v in share.items():
            shares.setdefault(name, []).append(v)
    print(
        f"{len(used)} head-and-shoulders clips ({args.model}), each also flipped; "
        f"{sum(len(x) for x in a_all['head_yaw'])} frames"
    )
    print(f"{'antisymmetric component':34s} {'flip r':>7s} {'flip share':>10s} {'asym share':>10s} {'frames':>7s}")
    for name in a_all:
        a, b = np.concatenate(a_all[name]), np.concatenate(b_all[name])
        ok = np.isfinite(a) & np.isfinite(b)
        frames = ok.mean()
        if ok.sum() < 10 or a[ok].std() < 1e-9 or b[ok].std() < 1e-9:
            print(
                f"{name:34s} {'-':>7s} {'-':>10s} {np.nanmean(shares.get(name, [np.nan])):10.2f} {frames:7.2f}  "
                "(no variation)"
            )
            continue
        x, y = a[ok], -b[ok]
        r = float(np.corrcoef(x, y)[0, 1])
        flips, stays = np.var((x + y) / 2), np.var((x - y) / 2)
        asym = np.nanmean(shares[name]) if name in shares else float("nan")
        print(f"{name:34s} {r:7.2f} {flips / (flips + stays):10.2f} {asym:10.2f} {frames:7.2f}")


if __name__ == "__main__":
    main()
