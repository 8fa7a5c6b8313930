"""Which body parts of each person can be trusted in each frame, and why not.

The feature stage scores nothing it cannot see.  Every frame, every person and
every body part of :data:`~mirror.vocabulary.BODY_BODY_PARTS` gets one reason code from :data:`REASONS`
(``"ok"`` when usable); the features of a part that is not ``"ok"`` are NaN, so
the comparator never scores noise.

Reasons (the vocabulary, defined here once):

``ok``
    Usable.
``not_seen``
    The person was not found in the frame.
``out_of_frame``
    A landmark the part needs lies outside the image: MediaPipe extrapolates
    joints it cannot see (a wrist below the bottom edge of a head-and-shoulders
    shot still gets a position, often with a high visibility).
``low_visibility``
    A landmark the part needs is inside the image but below the visibility floor.
``occluded``
    The arm on the far side of a person who is turned away from the camera
    (in profile) is hidden behind the body: its joints are below the
    visibility floor and inside the body's outline in the image.
``side_unknown``
    The view does not tell left from right: the person faces away from the
    camera, or the pose model's depth order of the shoulders contradicts the
    way the nose points in the image (its left/right labels may be swapped).
    The head also, when the torso is turned more than 45 degrees from the
    camera: the face model's yaw then falls well short of the head's real turn
    (people turned 65-74 degrees with their heads along their bodies get face
    yaws of 4-39 degrees) and the torso's own yaw differs between pose models
    (highfive_facing's right man: 65 degrees with ``lite``, 50 with ``full``),
    so the head's turn against the body, the only one free of the view,
    cannot be read (``benchmarks/bench_face_to_face.py``).
``no_face``
    No face was found: the face channel and the head (whose angles come from
    the face; the pose's nose and ears follow it too poorly to stand in).

Which way a person faces comes from the 3-D world landmarks, which are centred
on the person: the shoulder line's rotation about the vertical axis
(:func:`torso_yaw_rad`).  Positive yaw means the torso is turned towards the
person's own left, so the right side is nearer the camera.

The far arm is the arm whose shoulder is deeper (further from the camera).  A
far arm raised clear of the body is seen in the image even though the pose
model gives it a low visibility (the man on the left in a face-to-face high
five raises his far, left, hand: ``lite`` gives that wrist visibility 0.1-0.4
while ``full`` gives 0.7-0.9 and both place it in the same spot).  Such an arm
is usable down to :attr:`UsabilitySettings.clear_wrist_min_visibility` when its
elbow and wrist lie outside the body's outline; the floors were measured
(``benchmarks/bench_face_to_face.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mirror.landmarks.skeleton import POSE
from mirror.landmarks.types import Landmarks
from mirror.serial import Plain
from mirror.vocabulary import BODY_PARTS, HIPS, PEOPLE, SHOULDERS

Reason = Literal["ok", "not_seen", "out_of_frame", "low_visibility", "occluded", "side_unknown", "no_face"]
REASONS: tuple[Reason, ...] = (
    "ok",
    "not_seen",
    "out_of_frame",
    "low_visibility",
    "occluded",
    "side_unknown",
    "no_face",
)
"""Reason codes: ``part_reason`` arrays hold indices into this tuple (``0`` is ``"ok"``)."""

REASON_CODE: dict[str, int] = {r: i for i, r in enumerate(REASONS)}
OK = REASON_CODE["ok"]

ARM_JOINTS = {
    side: tuple(POSE[f"{side}_{j}"] for j in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"))
    for side in ("left", "right")
}
"""Pose points of each arm: the shoulder, elbow and wrist the features use, and the hand points."""
ARM_CHAIN = {side: ARM_JOINTS[side][:3] for side in ("left", "right")}
HEAD_POSE_POINTS = (POSE["nose"], POSE["left_ear"], POSE["right_ear"])


@dataclass(frozen=True)
class UsabilitySettings(Plain):
    """Thresholds of the usability judgement.

    Attributes
    ----------
    min_visibility : float
        Pose landmarks below this visibility are not used (unless rescued as a far arm clear of the body).
    frame_margin : float
        How far outside the image (a share of its width or height) a landmark may lie and still count as in it.
    clear_wrist_min_visibility, clear_elbow_min_visibility : float
        Visibility floors of the wrist and elbow of a far arm that lies clear of the body's
        outline.  Measured against the ``full`` model on the face-to-face clips: with ``lite``
        visibility >= 0.2 such a wrist lies within 0.07 torso lengths of ``full``'s (median; 0.28-0.47
        below 0.2), an elbow >= 0.15 within 0.08 (p90 0.52 below 0.15), as close as confidently seen joints.
    body_radius : float
        Half-width of the body's outline around the neck-to-pelvis line in the image, as a share of
        the torso's length in the image (covers the chest seen in profile).
    turned_sin : float
        ``|sin(torso yaw)|`` from which a person counts as turned (one arm far, one near): 0.5 is 30 degrees.
    away_cos : float
        ``cos(torso yaw)`` below which the person faces away from the camera (side unknown).
    profile_head_deg : float
        Torso yaw (degrees) beyond which the head's side is not trusted (``side_unknown``).
    nose_contradiction : float
        The nose must point (in the image, from the middle of the ears) against the world depth order
        by at least this share of its length for the sides to count as contradicted.
    """

    min_visibility: float = 0.5
    frame_margin: float = 0.02
    clear_wrist_min_visibility: float = 0.2
    clear_elbow_min_visibility: float = 0.15
    body_radius: float = 0.3
    turned_sin: float = 0.5
    away_cos: float = -0.3
    nose_contradiction: float = 0.3
    profile_head_deg: float = 45.0


@dataclass
class Usability:
    """Per-frame judgement of what can be used.

    Attributes
    ----------
    joint_ok : np.ndarray
        ``(T, 2, 33)`` bool: pose landmarks the features may use.
    part_reason : np.ndarray
        ``(T, 2, P)`` uint8 indices into :data:`REASONS`, parts in :data:`~mirror.vocabulary.BODY_BODY_PARTS` order.
    torso_yaw_rad : np.ndarray
        ``(T, 2)`` rotation of the shoulder line about the vertical, towards the person's own left; NaN unknown.
    far_side : np.ndarray
        ``(T, 2)`` int8: ``+1`` the left arm is the far one, ``-1`` the right, ``0`` the person is not turned.
    side_known : np.ndarray
        ``(T, 2)`` bool: the view tells left from right.
    """

    joint_ok: np.ndarray
    part_reason: np.ndarray
    torso_yaw_rad: np.ndarray
    far_side: np.ndarray
    side_known: np.ndarray


def torso_yaw_rad(pose_world: np.ndarray) -> np.ndarray:
    """``(...)`` rotation of the shoulder line about the vertical axis, in radians.

    0 when the person faces the camera, positive when turned towards their own left
    (their right side nearer the camera), +-pi facing away.  A horizontal flip negates it.

    Parameters
    ----------
    pose_world : np.ndarray
        ``(..., 33, 3)`` world landmarks (x towards the image right, z away from the camera).
    """
    lat = pose_world[..., POSE["left_shoulder"], :].astype(np.float64) - pose_world[..., POSE["right_shoulder"], :]
    return np.arctan2(lat[..., 2], lat[..., 0])


def _in_frame(pose_image: np.ndarray, margin: float, boxes: np.ndarray | None = None) -> np.ndarray:
    """``(T, 2, 33)`` whether each joint lies in the picture of its person.

    ``boxes`` ``(2, 4)``: each person's own picture ``(x0, y0, x1, y1)`` in [0, 1] of the frame (a
    video call's tiles); default the whole frame.  A joint placed outside its person's picture (in
    the other tile, or the call window's dark border) was never seen.
    """
    x, y = pose_image[..., 0], pose_image[..., 1]
    if boxes is None:
        boxes = np.array([[0.0, 0.0, 1.0, 1.0]] * 2)
    x0, y0, x1, y1 = (boxes[:, k][None, :, None] for k in range(4))
    with np.errstate(invalid="ignore"):
        return (x >= x0 - margin) & (x <= x1 + margin) & (y >= y0 - margin) & (y <= y1 + margin)


def _tile_boxes(landmarks: Landmarks) -> np.ndarray | None:
    """A video call's two tiles (A's, then B's) in [0, 1] of the frame, from the extraction; None otherwise."""
    tiles = landmarks.info.call_tiles
    w, h = landmarks.frame_size
    if not tiles or len(tiles) != 2 or not (w and h):
        return None
    return np.array([[t[0] / w, t[1] / h, t[2] / w, t[3] / h] for t in tiles], dtype=float)


def body_clearance(pose_image: np.ndarray, frame_size: tuple[int, int], body_radius: float) -> np.ndarray:
    """``(T, 2, 33)`` distance of each landmark from the body's outline in the image, in torso lengths.

    The outline is a capsule around the neck-to-pelvis line (mid-shoulders to mid-hips, in
    pixels) whose radius is the larger of half the shoulder width and ``body_radius`` torso
    lengths.  Positive: outside the outline (clear of the body); negative: inside.
    """
    w, h = frame_size if frame_size[0] else (1, 1)
    px = pose_image[..., :2].astype(np.float64) * (w, h)
    neck = px[..., SHOULDERS, :].mean(-2)
    pelvis = px[..., HIPS, :].mean(-2)
    axis = pelvis - neck
    length = np.linalg.norm(axis, axis=-1)
    length = np.where(length > 1e-6, length, np.nan)
    half_shoulders = 0.5 * np.linalg.norm(px[..., SHOULDERS[0], :] - px[..., SHOULDERS[1], :], axis=-1)
    radius = np.fmax(half_shoulders, body_radius * length)
    rel = px - neck[..., None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(np.sum(rel * axis[..., None, :], -1) / (length**2)[..., None], 0.0, 1.0)
    closest = neck[..., None, :] + s[..., None] * axis[..., None, :]
    dist = np.linalg.norm(px - closest, axis=-1)
    return (dist - radius[..., None]) / length[..., None]


def assess(landmarks: Landmarks, settings: UsabilitySettings | None = None) -> Usability:
    """Judge every person's body parts in every frame.

    Parameters
    ----------
    landmarks : Landmarks
        ``(T, 2, ...)`` landmarks.
    settings : UsabilitySettings

    Returns
    -------
    Usability
    """
    s = settings or UsabilitySettings()
    present = landmarks.pose_present  # (T, 2)
    face = landmarks.face_present
    vis = landmarks.pose_visibility
    inside = _in_frame(landmarks.pose_image, s.frame_margin, _tile_boxes(landmarks)) & present[..., None]
    seen = inside & (vis >= s.min_visibility)
    yaw = torso_yaw_rad(landmarks.pose_world)
    shoulders_in = inside[..., SHOULDERS].all(-1)
    with np.errstate(invalid="ignore"):
        turned = shoulders_in & (np.abs(np.sin(yaw)) >= s.turned_sin)
        away = shoulders_in & (np.cos(yaw) < s.away_cos)
    far_side = np.where(turned, np.where(np.sin(yaw) > 0, 1, -1), 0).astype(np.int8)
    # the nose points the way the person faces: facing the image right means sin(yaw) > 0
    px = landmarks.pose_image[..., :2].astype(np.float64) * (
        landmarks.frame_size if landmarks.frame_size[0] else (1, 1)
    )
    nose_dir = px[..., POSE["nose"], :] - px[..., [POSE["left_ear"], POSE["right_ear"]], :].mean(-2)
    nose_len = np.linalg.norm(nose_dir, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        nose_x = nose_dir[..., 0] / nose_len
        contradicted = (
            turned & seen[..., list(HEAD_POSE_POINTS)].all(-1) & (nose_x * np.sign(np.sin(yaw)) < -s.nose_contradiction)
        )
    side_known = ~(away | contradicted)

    joint_ok = seen.copy()
    clear = body_clearance(landmarks.pose_image, landmarks.frame_size, s.body_radius)
    reasons = np.full(present.shape + (len(BODY_PARTS),), OK, dtype=np.uint8)
    for k, side in ((1, "left"), (2, "right")):
        chain = list(ARM_CHAIN[side])
        is_far = far_side == (1 if side == "left" else -1)
        limb = chain[1:]  # elbow, wrist
        with np.errstate(invalid="ignore"):
            rescued = (
                is_far
                & seen[..., chain[0]]
                & inside[..., limb].all(-1)
                & (vis[..., limb[0]] >= s.clear_elbow_min_visibility)
                & (vis[..., limb[1]] >= s.clear_wrist_min_visibility)
                & (clear[..., limb] > 0).all(-1)
            )
        joint_ok[..., limb[0]] |= rescued
        hand = list(ARM_JOINTS[side][2:])  # the wrist and the hand points
        joint_ok[..., hand] |= rescued[..., None] & inside[..., hand] & (vis[..., hand] >= s.clear_wrist_min_visibility)
        all_in = inside[..., chain].all(-1)
        usable = joint_ok[..., chain].all(-1)
        r = reasons[..., k]
        with np.errstate(invalid="ignore"):
            behind = is_far & ~(clear[..., limb] > 0).all(-1)  # hidden behind the body, not merely faint
        r[~usable] = np.where(behind, REASON_CODE["occluded"], REASON_CODE["low_visibility"])[~usable]
        r[~side_known] = REASON_CODE["side_unknown"]
        r[~all_in] = REASON_CODE["out_of_frame"]
    # torso: both shoulders and both hips
    torso = list(SHOULDERS + HIPS)
    r = reasons[..., BODY_PARTS.index("torso")]
    r[~seen[..., torso].all(-1)] = REASON_CODE["low_visibility"]
    r[~side_known] = REASON_CODE["side_unknown"]
    r[~inside[..., torso].all(-1)] = REASON_CODE["out_of_frame"]
    # head: the angles come from the face; its hand-at-face measure needs both ears.  In profile
    # the head's turn against the body cannot be read: the face model's yaw falls short of a
    # turned head's (torso 65-74 degrees to the camera, face 4-39), the torso's yaw differs by model
    with np.errstate(invalid="ignore"):
        profile = shoulders_in & (np.abs(np.sin(yaw)) > np.sin(np.radians(s.profile_head_deg)))
    r = reasons[..., BODY_PARTS.index("head")]
    r[face & (~side_known | profile)] = REASON_CODE["side_unknown"]
    r[~face] = REASON_CODE["no_face"]
    r[face & ~seen[..., list(HEAD_POSE_POINTS)].all(-1)] = REASON_CODE["low_visibility"]
    r[face & ~inside[..., list(HEAD_POSE_POINTS)].all(-1)] = REASON_CODE["out_of_frame"]
    # face: the face mesh's own blendshapes
    reasons[..., BODY_PARTS.index("face")][~face] = REASON_CODE["no_face"]
    reasons[~present] = REASON_CODE["not_seen"]
    joint_ok &= present[..., None]
    return Usability(
        joint_ok=joint_ok,
        part_reason=reasons,
        torso_yaw_rad=np.where(shoulders_in, yaw, np.nan),
        far_side=far_side,
        side_known=side_known,
    )


def usability_summary(part_reason: np.ndarray, people: tuple[str, ...] = PEOPLE) -> dict:
    """Per person and part: the share of frames usable and the main reason when not.

    Parameters
    ----------
    part_reason : np.ndarray
        ``(T, 2, P)`` codes into :data:`REASONS`.

    Returns
    -------
    dict
        ``{person: {part: {"usable": share in [0, 1] (NaN with no frames), "reason": the most
        frequent reason among the unusable frames or "ok", "reasons": {reason: share of frames}}}}``.
    """
    out: dict = {}
    n = part_reason.shape[0]
    for p, person in enumerate(people):
        out[person] = {}
        for k, part in enumerate(BODY_PARTS):
            codes = (
                np.bincount(part_reason[:, p, k].astype(np.int64), minlength=len(REASONS))
                if n
                else np.zeros(len(REASONS), int)
            )
            shares = {REASONS[i]: float(c) / n for i, c in enumerate(codes) if c and n}
            bad = codes.copy()
            bad[OK] = 0
            main = REASONS[int(np.argmax(bad))] if bad.sum() else "ok"
            out[person][part] = {
                "usable": float(codes[OK]) / n if n else float("nan"),
                "reason": main,
                "reasons": shares,
            }
    return out
