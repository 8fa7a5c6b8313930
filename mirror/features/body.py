"""Body-centric features, per person and frame, that know left from right.

Every feature is computed in the person's own body frame and divided by the
shoulder width (or is an angle), so it does not change with camera distance or
position.  Three kinds:

``lateral``
    Measured on each side: a ``_left`` and a ``_right`` feature (wrist height,
    reach, elbow flexion, hand-to-face distance, ...).
``signed``
    Axial, with a sign that means a side; positive always means towards the
    person's own left (head roll and yaw, sideways torso lean, torso twist).
``unsigned``
    Axial, with no side (nodding, forward lean, arm openness, arms crossed,
    motion energy).

The mirror operator M swaps every lateral pair and negates every signed
feature: ``M(features of a person) == features of that person's mirror image``.
The antisymmetric part of a posture (left minus right, and the signed
features) is what tells mirroring from matching.

Face features: blendshape left/right pairs follow a horizontal flip only
roughly (noisy when a hand covers the face); those used here are the ones whose
flip equivariance was measured on real footage (``benchmarks/bench_face_flip.py``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from mirror.landmarks.skeleton import BLENDSHAPE_NAMES, POSE
from mirror.landmarks.types import Landmarks

KINDS = ("lateral", "signed", "unsigned")
CHANNELS = ("head", "arms", "torso", "face")


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    kind: str  # lateral | signed | unsigned
    channel: str
    partner: str | None = None  # lateral: the other side's feature


def _lateral(base: str, channel: str) -> list[FeatureSpec]:
    return [
        FeatureSpec(f"{base}_left", "lateral", channel, f"{base}_right"),
        FeatureSpec(f"{base}_right", "lateral", channel, f"{base}_left"),
    ]


# Blendshape pairs kept for the face channel: expression pairs whose flipped-run score
# correlates >= 0.8 with the original's other side (benchmarks/bench_face_flip.py, 489 real
# face samples): browDown 0.96, eyeBlink 0.96, browOuterUp 0.87, eyeSquint 0.84.  Left out:
# mouthSmile 0.54, mouthPress 0.56, mouthFrown 0.71, mouthDimple 0.69, the mouth and jaw
# side pairs (<= 0.51) and gaze (eyeLook*, not an expression).
FACE_PAIRS = ("browDown", "browOuterUp", "eyeBlink", "eyeSquint")

FEATURES: tuple[FeatureSpec, ...] = tuple(
    [
        *_lateral("wrist_height", "arms"),
        *_lateral("elbow_height", "arms"),
        *_lateral("reach", "arms"),
        *_lateral("forward_reach", "arms"),
        *_lateral("elbow_flexion", "arms"),
        *_lateral("arm_elevation", "arms"),
        *_lateral("hand_face", "arms"),
        FeatureSpec("head_roll", "signed", "head"),
        FeatureSpec("head_yaw", "signed", "head"),
        FeatureSpec("head_pitch", "unsigned", "head"),
        FeatureSpec("torso_lean", "signed", "torso"),
        FeatureSpec("torso_twist", "signed", "torso"),
        FeatureSpec("forward_lean", "unsigned", "torso"),
        FeatureSpec("arm_openness", "unsigned", "arms"),
        FeatureSpec("arms_crossed", "unsigned", "arms"),
        FeatureSpec("motion_energy", "unsigned", "torso"),
        *[s for base in FACE_PAIRS for s in _lateral(f"face_{base}", "face")],
        FeatureSpec("face_jawOpen", "unsigned", "face"),
    ]
)
FEATURE_INDEX = {s.name: i for i, s in enumerate(FEATURES)}


def _mirror_permutation() -> tuple[np.ndarray, np.ndarray]:
    perm = np.arange(len(FEATURES))
    sign = np.ones(len(FEATURES))
    for i, spec in enumerate(FEATURES):
        if spec.kind == "lateral":
            perm[i] = FEATURE_INDEX[spec.partner]  # type: ignore[index]
        elif spec.kind == "signed":
            sign[i] = -1.0
    return perm, sign


MIRROR_PERM, MIRROR_SIGN = _mirror_permutation()


def mirror_operator(values: np.ndarray) -> np.ndarray:
    """Apply M: swap lateral pairs, negate signed features.

    Parameters
    ----------
    values : np.ndarray
        ``(..., F)`` features in :data:`FEATURES` order.
    """
    return values[..., MIRROR_PERM] * MIRROR_SIGN


@dataclass
class Features:
    """Body-centric features of two people.

    Attributes
    ----------
    t_s : np.ndarray
        ``(T,)`` seconds.
    values : np.ndarray
        ``(T, 2, F)`` float64 in :data:`FEATURES` order; NaN where unknown.
    specs : tuple of FeatureSpec
    info : dict
    """

    t_s: np.ndarray
    values: np.ndarray
    specs: tuple[FeatureSpec, ...] = FEATURES
    info: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]

    def column(self, name: str) -> np.ndarray:
        """``(T, 2)`` values of one feature."""
        return self.values[:, :, FEATURE_INDEX[name]]

    def antisymmetric(self) -> tuple[np.ndarray, list[FeatureSpec]]:
        """``(T, 2, K)`` left-minus-right of each lateral pair, then the signed features."""
        cols, specs = [], []
        for i, s in enumerate(self.specs):
            if s.kind == "lateral" and s.name.endswith("_left"):
                cols.append(self.values[..., i] - self.values[..., FEATURE_INDEX[s.partner]])  # type: ignore[index]
                specs.append(s)
            elif s.kind == "signed":
                cols.append(self.values[..., i])
                specs.append(s)
        return np.stack(cols, -1), specs

    def symmetric(self) -> tuple[np.ndarray, list[FeatureSpec]]:
        """``(T, 2, K)`` left-plus-right halves of lateral pairs, then the unsigned features."""
        cols, specs = [], []
        for i, s in enumerate(self.specs):
            if s.kind == "lateral" and s.name.endswith("_left"):
                cols.append(0.5 * (self.values[..., i] + self.values[..., FEATURE_INDEX[s.partner]]))  # type: ignore[index]
                specs.append(s)
            elif s.kind == "unsigned":
                cols.append(self.values[..., i])
                specs.append(s)
        return np.stack(cols, -1), specs


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.arccos(np.clip(_dot(_unit(a), _unit(b)), -1.0, 1.0))


def _points(landmarks: Landmarks, min_visibility: float) -> np.ndarray:
    """``(T, 2, 33, 3)`` world points, image points (in pixels) where world is missing; NaN if unseen."""
    pts = landmarks.pose_world.astype(np.float64)
    w, h = landmarks.frame_size if landmarks.frame_size[0] else (1, 1)
    image = landmarks.pose_image.astype(np.float64) * (w, h, w)
    missing = np.isnan(pts[..., :1])
    pts = np.where(missing, image, pts)
    pts[landmarks.pose_visibility < min_visibility] = np.nan
    return pts


FEATURE_BLOCK_FRAMES = 4096
"""Frames computed at a time: the temporaries of a long session never exist all at once."""


def compute_features(landmarks: Landmarks, min_visibility: float = 0.5) -> Features:
    """Body-centric features of both people in every frame, :data:`FEATURE_BLOCK_FRAMES` at a time.

    Each block is computed with one frame of context on either side, so the time
    derivative (motion energy) is the same as over the whole session at once.

    Parameters
    ----------
    landmarks : Landmarks
        ``(T, 2, ...)`` landmarks.
    min_visibility : float
        Pose landmarks below this visibility count as unseen (NaN).

    Returns
    -------
    Features
        ``values`` of shape ``(T, 2, F)``.
    """
    n = len(landmarks)
    values = np.full((n, 2, len(FEATURES)), np.nan)
    for a in range(0, n, FEATURE_BLOCK_FRAMES):
        b = min(n, a + FEATURE_BLOCK_FRAMES)
        lo, hi = max(0, a - 1), min(n, b + 1)
        values[a:b] = _block_features(landmarks.slice(lo, hi), min_visibility)[a - lo : a - lo + (b - a)]
    return Features(t_s=landmarks.t_s.astype(np.float64), values=values, info={"min_visibility": min_visibility})


def _block_features(landmarks: Landmarks, min_visibility: float) -> np.ndarray:
    """``(T, 2, F)`` features of a stretch of frames."""
    p = _points(landmarks, min_visibility)
    P = {n: p[:, :, i] for n, i in POSE.items()}
    ls, rs, lh, rh = P["left_shoulder"], P["right_shoulder"], P["left_hip"], P["right_hip"]
    mid_sh = (ls + rs) / 2
    sw = np.linalg.norm(ls - rs, axis=-1)
    sw = np.where(sw > 1e-6, sw, np.nan)
    lat = _unit(ls - rs)  # towards the person's own left
    # up: from the hips when seen, else a world "up" orthogonalised against the shoulder line
    world_up = np.broadcast_to(np.array([0.0, -1.0, 0.0]), lat.shape)
    up_hips = _unit(mid_sh - (lh + rh) / 2)
    up_world = _unit(world_up - _dot(world_up, lat)[..., None] * lat)
    up = np.where(np.isnan(up_hips), up_world, up_hips)
    up = _unit(up - _dot(up, lat)[..., None] * lat)
    fwd = np.cross(lat, up)
    out = np.full(p.shape[:2] + (len(FEATURES),), np.nan)

    def put(name: str, value: np.ndarray) -> None:
        out[..., FEATURE_INDEX[name]] = value

    for side, sign in (("left", 1.0), ("right", -1.0)):
        sh, el, wr = P[f"{side}_shoulder"], P[f"{side}_elbow"], P[f"{side}_wrist"]
        put(f"wrist_height_{side}", _dot(wr - mid_sh, up) / sw)
        put(f"elbow_height_{side}", _dot(el - mid_sh, up) / sw)
        put(f"reach_{side}", sign * _dot(wr - mid_sh, lat) / sw)
        put(f"forward_reach_{side}", _dot(wr - mid_sh, fwd) / sw)
        put(f"elbow_flexion_{side}", _angle(sh - el, wr - el) / np.pi)
        put(f"arm_elevation_{side}", _angle(el - sh, -up) / np.pi)
        put(f"hand_face_{side}", np.linalg.norm(wr - P["nose"], axis=-1) / sw)
    # head from the pose: ears, nose, in the body frame
    ear_mid = (P["left_ear"] + P["right_ear"]) / 2
    ear_line = P["left_ear"] - P["right_ear"]
    ear_w = np.linalg.norm(ear_line, axis=-1)
    ear_w = np.where(ear_w > 1e-6, ear_w, np.nan)
    put("head_roll", np.arcsin(np.clip(_dot(_unit(ear_line), up), -1, 1)) * -1.0)  # left ear down: tilt to the left
    put("head_yaw", _dot(P["nose"] - ear_mid, lat) / ear_w)
    put("head_pitch", _dot(P["nose"] - ear_mid, up) / ear_w)
    # torso
    lat_hip = _unit(lh - rh)
    put("torso_lean", _dot(up_hips, lat_hip))
    put("torso_twist", _dot(np.cross(lat_hip, lat), up_hips))
    fwd_hip = _unit(np.cross(lat_hip, world_up))
    put("forward_lean", _dot(up_hips, fwd_hip))
    put("arm_openness", np.linalg.norm(P["left_wrist"] - P["right_wrist"], axis=-1) / sw)
    reach_l, reach_r = out[..., FEATURE_INDEX["reach_left"]], out[..., FEATURE_INDEX["reach_right"]]
    put("arms_crossed", np.maximum(0.0, -reach_l) * np.maximum(0.0, -reach_r))
    # motion energy: mean speed of the upper body, shoulder widths per second
    upper = p[:, :, [0, 11, 12, 13, 14, 15, 16]] / sw[..., None, None]
    t = landmarks.t_s
    if len(t) > 1:
        dt = np.gradient(t)[:, None, None]
        speed = np.linalg.norm(np.gradient(upper, axis=0), axis=-1) / np.where(dt > 0, dt, np.nan)
        with warnings.catch_warnings():  # frames where nobody is seen: NaN, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            put("motion_energy", np.nanmean(speed, axis=-1))
    # face: blendshape pairs and jaw
    names = {n: i for i, n in enumerate(BLENDSHAPE_NAMES)}
    bs = landmarks.blendshapes.astype(np.float64)
    for base in FACE_PAIRS:
        put(f"face_{base}_left", bs[..., names[f"{base}Left"]])
        put(f"face_{base}_right", bs[..., names[f"{base}Right"]])
    put("face_jawOpen", bs[..., names["jawOpen"]])
    return out
