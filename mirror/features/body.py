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

The head comes from the face (MediaPipe's facial transformation matrix: yaw,
pitch and roll; NaN where no face is found); the head's yaw is taken relative
to the torso once the torso is clearly turned from the camera, so that two
people facing each other in profile do not look like a mirror image.  The
head channel also holds a hand at one side of the face, so that
head-and-shoulders shots (arms out of frame) keep a comparison; only a hand
in full view counts (:data:`HAND_AT_FACE_MIN_VISIBILITY`).

Face features: blendshape left/right pairs follow a horizontal flip only
roughly (noisy when a hand covers the face); those used here are the ones whose
flip equivariance was measured on real footage (``benchmarks/bench_side_features.py``).

Every frame, person and body part is judged usable or not, with a reason
(:mod:`mirror.features.usability`); the features of an unusable part are NaN.

The module runs to about 500 lines: each feature's formula sits beside its specification
(channel, side, sign) and the mirror operator, which must agree with every one of them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mirror.features.usability import (
    OK,
    REASON_CODE,
    UsabilitySettings,
    assess,
    usability_summary,
)
from mirror.landmarks.skeleton import BLENDSHAPE_NAMES, POSE
from mirror.landmarks.types import Landmarks
from mirror.vocabulary import BODY_PARTS, FACE_PAIRS, FEATURE_CHANNEL_OF, PEOPLE, BodyPart, FeatureChannel

Kind = Literal["lateral", "signed", "unsigned"]
KINDS: tuple[Kind, ...] = ("lateral", "signed", "unsigned")
UPPER_BODY = [
    POSE[n]
    for n in ("nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist")
]
"""Pose points whose mean speed is the motion energy."""


@dataclass(frozen=True)
class FeatureSpec:
    """One feature.

    Attributes
    ----------
    name : str
    kind : {"lateral", "signed", "unsigned"}
    channel : {"head", "arms", "torso", "face"}
    partner : str or None
        Lateral features: the other side's feature.
    parts : tuple of str
        The body parts (:data:`~mirror.vocabulary.BODY_PARTS`) it needs: NaN unless all are usable.
    """

    name: str
    kind: Kind
    channel: FeatureChannel
    partner: str | None = None
    parts: tuple[BodyPart, ...] = ()


def _default_parts(name: str, channel: FeatureChannel) -> tuple[BodyPart, ...]:
    if channel == "arms":
        for side in ("left", "right"):
            if name.endswith(f"_{side}"):
                return (f"{side}_arm",)  # type: ignore[return-value]
    return tuple(part for part in BODY_PARTS if FEATURE_CHANNEL_OF[part] == channel)


def _spec(name: str, kind: Kind, channel: FeatureChannel, partner: str | None = None) -> FeatureSpec:
    return FeatureSpec(name, kind, channel, partner, _default_parts(name, channel))


def _lateral(base: str, channel: FeatureChannel) -> list[FeatureSpec]:
    return [
        _spec(f"{base}_left", "lateral", channel, f"{base}_right"),
        _spec(f"{base}_right", "lateral", channel, f"{base}_left"),
    ]


FEATURES: tuple[FeatureSpec, ...] = tuple(
    [
        *_lateral("wrist_height", "arms"),
        *_lateral("elbow_height", "arms"),
        *_lateral("reach", "arms"),
        *_lateral("forward_reach", "arms"),
        *_lateral("elbow_flexion", "arms"),
        *_lateral("arm_elevation", "arms"),
        *_lateral("hand_face", "arms"),
        _spec("head_roll", "signed", "head"),
        _spec("head_yaw", "signed", "head"),
        _spec("head_pitch", "unsigned", "head"),
        *_lateral("hand_at_face", "head"),
        _spec("torso_lean", "signed", "torso"),
        _spec("torso_twist", "signed", "torso"),
        _spec("shoulder_raise", "signed", "torso"),
        _spec("forward_lean", "unsigned", "torso"),
        _spec("arm_openness", "unsigned", "arms"),
        _spec("arms_crossed", "unsigned", "arms"),
        _spec("motion_symmetry", "unsigned", "arms"),
        _spec("motion_energy", "unsigned", "torso"),
        *[s for base in FACE_PAIRS for s in _lateral(f"face_{base}", "face")],
        _spec("face_jawOpen", "unsigned", "face"),
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
    min_visibility : float or None
        The landmark visibility below which a point was not used (None: hand-built features).
    part_reason : np.ndarray or None
        ``(T, 2, P)`` uint8 codes into :data:`~mirror.features.usability.REASONS`, parts in
        :data:`~mirror.vocabulary.BODY_PARTS` order: why a body part is not usable (``0``,
        ``"ok"``, when it is).  Every feature of a usable part is finite; the features of an
        unusable part are NaN (a feature that needs several parts, such as ``arm_openness``, is
        finite where all of them are usable).  Left out (hand-built features), it is derived
        from ``values``: a part is ``"ok"`` where all the features of that part alone are finite,
        else ``"not_seen"``.
    px_per_m : np.ndarray or None
        ``(2,)`` how large each person is in the picture: image pixels per metre of body
        (:func:`image_scale_px_per_m`; NaN where never seen).  A person few pixels tall is
        seen with more jitter.  None for hand-built features.
    """

    t_s: np.ndarray
    values: np.ndarray
    specs: tuple[FeatureSpec, ...] = FEATURES
    min_visibility: float | None = None
    part_reason: np.ndarray | None = None
    px_per_m: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.part_reason is None:
            self.part_reason = reasons_from_values(self.values, self.specs)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]

    def column(self, name: str) -> np.ndarray:
        """``(T, 2)`` values of one feature."""
        return self.values[:, :, FEATURE_INDEX[name]]

    def part_ok(self) -> np.ndarray:
        """``(T, 2, P)`` bool: the part is usable (parts in :data:`~mirror.vocabulary.BODY_PARTS` order)."""
        return np.asarray(self.part_reason == OK)

    def usability(self) -> dict:
        """Per person and part, the share of frames usable and the main reason when not.

        ``{"A": {"left_arm": {"usable": 0.12, "reason": "occluded", "reasons": {...}}, ...}, "B": ...}``;
        see :func:`~mirror.features.usability.usability_summary`.
        """
        return usability_summary(self.part_reason)  # type: ignore[arg-type]

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


def reasons_from_values(values: np.ndarray, specs: tuple[FeatureSpec, ...] = FEATURES) -> np.ndarray:
    """``(T, 2, P)`` reason codes of hand-built features: ``"ok"`` where all of a part's features are finite.

    Parameters
    ----------
    values : np.ndarray
        ``(T, 2, F)`` features in ``specs`` order.
    """
    finite = np.isfinite(values)
    out = np.full(values.shape[:2] + (len(BODY_PARTS),), REASON_CODE["not_seen"], dtype=np.uint8)
    for k, part in enumerate(BODY_PARTS):
        cols = [i for i, s in enumerate(specs) if (s.parts or _default_parts(s.name, s.channel)) == (part,)]
        if cols:
            out[..., k][finite[..., cols].all(-1)] = OK
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.arccos(np.clip(_dot(_unit(a), _unit(b)), -1.0, 1.0))


def _points(landmarks: Landmarks, joint_ok: np.ndarray) -> np.ndarray:
    """``(T, 2, 33, 3)`` world points, image points (in pixels) where world is missing; NaN where not usable."""
    pts = landmarks.pose_world.astype(np.float64)
    w, h = landmarks.frame_size if landmarks.frame_size[0] else (1, 1)
    image = landmarks.pose_image.astype(np.float64) * (w, h, w)
    missing = np.isnan(pts[..., :1])
    pts = np.where(missing, image, pts)
    pts[~joint_ok] = np.nan
    return pts


FEATURE_BLOCK_FRAMES = 4096
"""Frames computed at a time: the temporaries of a long session never exist all at once."""

VIEW_YAW_RAMP_DEG = (20.0, 45.0)
"""Torso yaw (degrees) over which the head's yaw goes from camera-relative to torso-relative.

A torso within 20 degrees of the camera is taken as facing it: the shoulders' depth is too
noisy there (head yaw relative to the shoulders follows a horizontal flip with r = 0.57 on
real head-and-shoulders footage, relative to the camera r = 0.998).  From 45 degrees on (two
people facing each other, filmed from the side) the whole torso rotation is removed, so a
profile view is not read as a turned head."""

HAND_AT_FACE_HEADS = 1.6
"""A hand closer to the nose than this many head widths (ear to ear, about 0.25 m) counts as at
the face; ``hand_at_face`` is ``1 - distance / (HAND_AT_FACE_HEADS head widths)``, 0 beyond it."""

HAND_AT_FACE_MIN_VISIBILITY = 0.9
"""Visibility every point of a hand (wrist, index, pinky, thumb) needs for ``hand_at_face``.

The pose model places a hand it cannot see at the face of a head-and-shoulders person: in
video-call tiles and close webcam shots of people whose hands never rise (``accuracy_real``'s
call and webcam composites) it put a hand beside the face in up to 100 % of a person's frames,
with wrist visibility up to 0.90 and finger visibility up to 0.84 (p90).  Such a phantom hand
flickers; with the floor at 0.5 instead of this one, macro-F1 was 0.92 rather than 0.98 (call)
and 0.74 rather than 0.92 (webcam, ``lite``).  A hand that really rests on the face is in full
view; an arm whose elbow and wrist are seen still tells where its hand is through the arm's own
features (``hand_face``)."""

STILL_SPEED = 0.05
"""Speed (features' units per second) below which ``motion_symmetry`` fades to 0: no movement, no evidence."""

SYMMETRY_FEATURES = ("wrist_height", "elbow_height", "reach", "forward_reach", "elbow_flexion", "arm_elevation")
"""Arm pairs whose left and right values change alike when both arms move as mirror images of each other."""


def compute_features(
    landmarks: Landmarks, min_visibility: float = 0.5, usability: UsabilitySettings | None = None
) -> Features:
    """Body-centric features of both people in every frame, :data:`FEATURE_BLOCK_FRAMES` at a time.

    Each block is computed with one frame of context on either side, so the time
    derivatives (motion energy and symmetry) are the same as over the whole session at once.

    Parameters
    ----------
    landmarks : Landmarks
        ``(T, 2, ...)`` landmarks.
    min_visibility : float
        Pose landmarks below this visibility count as unseen (unless a far arm is seen clear
        of the body, see :mod:`mirror.features.usability`).
    usability : UsabilitySettings, optional
        The other thresholds of the usability judgement; its ``min_visibility`` is replaced by the argument.

    Returns
    -------
    Features
        ``values`` of shape ``(T, 2, F)`` and ``part_reason`` of shape ``(T, 2, P)``.
    """
    from dataclasses import replace

    settings = replace(usability or UsabilitySettings(), min_visibility=min_visibility)
    n = len(landmarks)
    values = np.full((n, 2, len(FEATURES)), np.nan)
    reasons = np.zeros((n, 2, len(BODY_PARTS)), dtype=np.uint8)
    for a in range(0, n, FEATURE_BLOCK_FRAMES):
        b = min(n, a + FEATURE_BLOCK_FRAMES)
        lo, hi = max(0, a - 1), min(n, b + 1)
        v, r = _block_features(landmarks.slice(lo, hi), settings)
        values[a:b] = v[a - lo : a - lo + (b - a)]
        reasons[a:b] = r[a - lo : a - lo + (b - a)]
    return Features(
        t_s=landmarks.t_s.astype(np.float64),
        values=values,
        min_visibility=min_visibility,
        part_reason=reasons,
        px_per_m=image_scale_px_per_m(landmarks, min_visibility),
    )


SCALE_POINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
)  # fmt: skip
"""The upper-body points whose spread in the picture, against their spread in metres, gives a person's scale."""


def image_scale_px_per_m(landmarks: Landmarks, min_visibility: float = 0.5) -> np.ndarray | None:
    """``(2,)`` each person's median size in the picture: pixels per metre of body.

    In each frame, the RMS spread of the seen :data:`SCALE_POINTS` in the image (pixels) over
    their spread in the world landmarks' x-y plane (metres, the pose model's own estimate of
    the body).  Both shrink alike when a person turns to profile, so the ratio is the
    distance to the camera and the picture's resolution, not the view.  Each person is
    measured in their own picture: live practice against a partner clip records each
    source's size (``info.frame_sizes``), and a clip's 1920x1080 person is not read at the
    webcam's 640x480.  NaN for a person never seen with four such points; None when the frame
    size is unknown.
    """
    own = landmarks.info.frame_sizes or {}
    sizes = np.array([own.get(p, landmarks.frame_size) for p in PEOPLE], dtype=np.float64)  # (2, 2)
    if not (sizes > 0).all() or not len(landmarks):
        return None
    idx = [POSE[n] for n in SCALE_POINTS]
    image = landmarks.pose_image[:, :, idx, :2].astype(np.float64) * sizes[None, :, None, :]
    world = landmarks.pose_world[:, :, idx, :2].astype(np.float64)
    seen = (
        (landmarks.pose_visibility[:, :, idx] >= min_visibility)
        & np.isfinite(image).all(-1)
        & np.isfinite(world).all(-1)
    )
    count = seen.sum(-1)

    def spread(x: np.ndarray) -> np.ndarray:
        x = np.where(seen[..., None], x, 0.0)
        mean = x.sum(-2, keepdims=True) / np.maximum(count, 1)[..., None, None]
        return np.where(seen, ((x - mean) ** 2).sum(-1), 0.0).sum(-1)

    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.sqrt(spread(image) / spread(world))
    ratio[(count < 4) | ~np.isfinite(ratio)] = np.nan
    out = np.full(2, np.nan)
    for p in range(2):
        r = ratio[:, p][np.isfinite(ratio[:, p])]
        if len(r):
            out[p] = float(np.median(r))
    return out


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def _block_features(landmarks: Landmarks, settings: UsabilitySettings) -> tuple[np.ndarray, np.ndarray]:
    """``(T, 2, F)`` features and ``(T, 2, P)`` reason codes of a stretch of frames."""
    usable = assess(landmarks, settings)
    reasons = usable.part_reason
    p = _points(landmarks, usable.joint_ok)
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
    _head_features(landmarks, np.where(usable.side_known, usable.torso_yaw_rad, np.nan), P, put)
    # torso
    lat_hip = _unit(lh - rh)
    put("torso_lean", _dot(up_hips, lat_hip))
    put("torso_twist", _dot(np.cross(lat_hip, lat), up_hips))
    put("shoulder_raise", _shoulder_raise(landmarks, usable.torso_yaw_rad))
    fwd_hip = _unit(np.cross(lat_hip, world_up))
    put("forward_lean", _dot(up_hips, fwd_hip))
    put("arm_openness", np.linalg.norm(P["left_wrist"] - P["right_wrist"], axis=-1) / sw)
    reach_l, reach_r = out[..., FEATURE_INDEX["reach_left"]], out[..., FEATURE_INDEX["reach_right"]]
    put("arms_crossed", np.maximum(0.0, -reach_l) * np.maximum(0.0, -reach_r))
    t = landmarks.t_s
    if len(t) > 1:
        dt = np.gradient(t)[:, None]
        dt = np.where(dt > 0, dt, np.nan)
        # motion energy: mean speed of the upper body, shoulder widths per second
        upper = p[:, :, UPPER_BODY] / sw[..., None, None]
        speed = np.linalg.norm(np.gradient(upper, axis=0), axis=-1) / dt[..., None]
        with warnings.catch_warnings():  # frames where nobody is seen: NaN, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            put("motion_energy", np.nanmean(speed, axis=-1))
        put("motion_symmetry", _motion_symmetry(out, dt))
    # face: blendshape pairs and jaw
    names = {n: i for i, n in enumerate(BLENDSHAPE_NAMES)}
    bs = landmarks.blendshapes.astype(np.float64)
    for base in FACE_PAIRS:
        put(f"face_{base}_left", bs[..., names[f"{base}Left"]])
        put(f"face_{base}_right", bs[..., names[f"{base}Right"]])
    put("face_jawOpen", bs[..., names["jawOpen"]])
    return _honest(out, reasons), reasons


def _head_features(landmarks: Landmarks, torso_yaw: np.ndarray, P: dict, put) -> None:
    """Head roll, yaw and pitch (radians) from the face, and a hand at either side of the face.

    The angles come from the face's transformation matrix (MediaPipe's face landmarker); the
    pose's nose and ears are not used for them, as they follow the face poorly (on 2666 real
    frames with both: yaw r = 0.63, pitch r = 0.53, roll r = 0.16).  Roll and pitch are relative
    to the camera, yaw to the camera for a torso facing it and to the torso once it is turned
    (:data:`VIEW_YAW_RAMP_DEG`).  NaN where no face was found (the head part is then ``no_face``).
    """
    yaw_f, pitch_f, roll_f = np.moveaxis(np.radians(landmarks.head_pose_deg.astype(np.float64)), -1, 0)
    known = np.nan_to_num(torso_yaw)
    view = known * _ramp(np.degrees(np.abs(known)), *VIEW_YAW_RAMP_DEG)
    put("head_yaw", np.angle(np.exp(1j * (yaw_f - view))))  # wrapped to (-pi, pi]
    put("head_pitch", pitch_f)
    put("head_roll", roll_f)
    nose = P["nose"]
    head_w = np.linalg.norm(P["left_ear"] - P["right_ear"], axis=-1)
    head_w = np.where(head_w > 1e-6, head_w, np.nan)
    for side in ("left", "right"):
        names = [f"{side}_{j}" for j in ("wrist", "index", "pinky", "thumb")]
        # only a hand in full view: the pose model puts hands it cannot see at the face
        vis = landmarks.pose_visibility[..., [POSE[n] for n in names]]
        clear: np.ndarray = np.all(vis >= HAND_AT_FACE_MIN_VISIBILITY, axis=-1)
        hand = np.stack([np.where(clear[..., None], P[n], np.nan) for n in names], -2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            d = np.nanmin(np.linalg.norm(hand - nose[..., None, :], axis=-1), axis=-1)
        at_face = np.clip(1.0 - d / (HAND_AT_FACE_HEADS * head_w), 0.0, 1.0)
        # a hand not seen is not at the face: a camera that sees the face would see a hand on it
        put(f"hand_at_face_{side}", np.where(np.isnan(d) & np.isfinite(head_w), 0.0, at_face))


def _shoulder_raise(landmarks: Landmarks, torso_yaw: np.ndarray) -> np.ndarray:
    """``(T, 2)`` tilt of the shoulder line in radians, positive when the left shoulder is higher.

    Measured in the image (pixels), where it follows a horizontal flip far better than in the
    world landmarks' depth-estimated shoulders (r = 0.72 against 0.41 on real head-and-shoulders
    footage, ``benchmarks/bench_side_features.py``); the image's foreshortening of a turned torso
    is undone with the torso's yaw (``|cos|``, which barely moves with the yaw's noise near 0,
    at least :data:`SHOULDER_FORESHORTENING_FLOOR`).
    """
    w, h = landmarks.frame_size if landmarks.frame_size[0] else (1, 1)
    line = (
        landmarks.pose_image[:, :, POSE["left_shoulder"], :2] - landmarks.pose_image[:, :, POSE["right_shoulder"], :2]
    ).astype(np.float64) * (w, h)
    across = np.abs(line[..., 0]) / np.maximum(np.abs(np.cos(torso_yaw)), SHOULDER_FORESHORTENING_FLOOR)
    return np.arctan2(-line[..., 1], across)


SHOULDER_FORESHORTENING_FLOOR = 0.25
"""Smallest ``|cos(torso yaw)|`` used to undo the image's foreshortening of the shoulder line."""


def _motion_symmetry(out: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """``(T, 2)`` in [-1, 1]: +1 both arms move as mirror images of each other, -1 in opposition, 0 still.

    From the rates of change of the arm pairs of :data:`SYMMETRY_FEATURES`: the energy of the
    left-plus-right rates minus that of the left-minus-right rates, over both plus
    :data:`STILL_SPEED` squared (so that a still body gives no evidence).
    """
    left = out[..., [FEATURE_INDEX[f"{b}_left"] for b in SYMMETRY_FEATURES]]
    right = out[..., [FEATURE_INDEX[f"{b}_right"] for b in SYMMETRY_FEATURES]]
    if len(left) < 2:
        return np.full(left.shape[:2], np.nan)
    dl = np.gradient(left, axis=0) / dt[..., None]
    dr = np.gradient(right, axis=0) / dt[..., None]
    same = np.sum((0.5 * (dl + dr)) ** 2, -1)
    opposite = np.sum((0.5 * (dl - dr)) ** 2, -1)
    return (same - opposite) / (same + opposite + STILL_SPEED**2)


def _honest(values: np.ndarray, reasons: np.ndarray) -> np.ndarray:
    """NaN every feature that needs a part that is not usable.

    A part left usable whose own features are not all finite (degenerate geometry) is given
    up too, so that a usable part always has every one of its features.
    """
    for k, part in enumerate(BODY_PARTS):
        own = [i for i, s in enumerate(FEATURES) if s.parts == (part,)]
        if own:
            broken = (reasons[..., k] == OK) & ~np.isfinite(values[..., own]).all(-1)
            reasons[..., k][broken] = REASON_CODE["low_visibility"]
    ok = reasons == OK
    for i, spec in enumerate(FEATURES):
        need = np.ones(values.shape[:2], dtype=bool)
        for part in spec.parts:
            need &= ok[..., BODY_PARTS.index(part)]
        values[..., i][~need] = np.nan
    return values
