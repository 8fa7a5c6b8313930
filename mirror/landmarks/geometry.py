"""A body's size and place in the frame, in pixels: what tracking, the face crop and the backward pass measure.

Every function takes a frame-normalised :class:`PersonLandmarks` and the frame's
``(width, height)`` in pixels.  A body's geometry is asked for many times per
frame, so each result is memoised on the person (keyed by the frame size).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from mirror.landmarks.types import PersonLandmarks
from mirror.vocabulary import LEFT_HIP, LEFT_SHOULDER, POSE, RIGHT_HIP, RIGHT_SHOULDER
from mirror.vocabulary import SHOULDERS as SHOULDER_POINTS
from mirror.vocabulary import TORSO as TORSO_POINTS

T = TypeVar("T")

HEAD_SLICE = slice(0, 11)
"""The pose model's head points (nose, eyes, ears, mouth): the first eleven."""

HEAD = list(range(HEAD_SLICE.stop))
"""The same points as a list of indices (their coordinates then come as a contiguous copy)."""

SHOULDERS = list(SHOULDER_POINTS)
"""Left and right shoulder."""

TORSO = list(TORSO_POINTS)
"""Shoulders and hips."""

PROMINENT = [
    POSE[n] for n in ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder")
]
"""Nose, eyes, ears and shoulders: seen in every framing, head-and-shoulders included."""

SHOULDERS_SEEN = 0.5
"""Mean shoulder visibility under which the shoulders count as out of view (cut by the frame edge)."""


def _cached(person: PersonLandmarks, key: tuple, compute: Callable[[], T]) -> T:
    """Per-person memo: a body's geometry is asked for many times per frame."""
    memo = person.__dict__.setdefault("_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def head_size_px(person: PersonLandmarks, size: tuple[int, int]) -> float:
    """Head width in pixels: the ears' distance, 1.5 times the outer eye corners', or (a head
    in profile, whose ears and eyes overlap) 1.2 times the nose's distance from the nearer-seen ear."""

    def compute() -> float:
        w, h = size
        pts = person.pose_image[:11, :2].tolist()
        ears = math.hypot((pts[7][0] - pts[8][0]) * w, (pts[7][1] - pts[8][1]) * h)
        eyes = 1.5 * math.hypot((pts[3][0] - pts[6][0]) * w, (pts[3][1] - pts[6][1]) * h)
        ear = 7 if person.pose_visibility[7] >= person.pose_visibility[8] else 8
        profile = 1.2 * math.hypot((pts[0][0] - pts[ear][0]) * w, (pts[0][1] - pts[ear][1]) * h)
        return max(ears, eyes, profile, 4.0)

    return _cached(person, ("head", size), compute)


def head_center_px(person: PersonLandmarks, size: tuple[int, int]) -> np.ndarray:
    """``(2,)`` pixel centre of the head points, weighted by visibility."""

    def compute() -> np.ndarray:
        vis = np.minimum(np.maximum(person.pose_visibility[HEAD_SLICE], 0.05), 1.0)  # a clip, without its dispatch
        pts = person.pose_image[HEAD, :2]  # contiguous, as the product has always been taken
        return (vis @ pts) / float(vis.sum()) * size

    return _cached(person, ("head_center", size), compute)


def shoulders_in_view(person: PersonLandmarks, size: tuple[int, int]) -> bool:
    """Whether both shoulders are seen and inside the frame (not a head-and-shoulders shot cut below them)."""
    v, y = person.pose_visibility, person.pose_image
    vis = float((v[LEFT_SHOULDER] + v[RIGHT_SHOULDER]) / 2)  # float32 sum and halving: their mean, bit for bit
    return vis >= SHOULDERS_SEEN and float(y[LEFT_SHOULDER, 1]) < 0.98 and float(y[RIGHT_SHOULDER, 1]) < 0.98


def person_scale_px(person: PersonLandmarks, size: tuple[int, int]) -> float:
    """A body length in pixels: shoulder width, or a third of the torso height if larger.

    With the shoulders out of view (a head-and-shoulders shot), the model's guess of
    where they are is not trusted beyond 2.5 head widths.
    """

    def compute() -> float:
        w, h = size
        pts = person.pose_image[:, :2].tolist()
        (lsx, lsy), (rsx, rsy) = pts[LEFT_SHOULDER], pts[RIGHT_SHOULDER]
        (lhx, lhy), (rhx, rhy) = pts[LEFT_HIP], pts[RIGHT_HIP]
        shoulder = math.hypot((lsx - rsx) * w, (lsy - rsy) * h)
        torso = math.hypot((lsx + rsx - lhx - rhx) * w / 2, (lsy + rsy - lhy - rhy) * h / 2)
        scale = max(shoulder, torso / 3.0, 8.0)
        if not shoulders_in_view(person, size):
            scale = max(8.0, min(scale, 2.5 * head_size_px(person, size)))
        return scale

    return _cached(person, ("scale", size), compute)


def anchor_px(person: PersonLandmarks, size: tuple[int, int]) -> np.ndarray:
    """``(2,)`` pixel point that tells two people side by side apart: the head's x, the shoulders' y.

    Heads are what is seen in every framing (the shoulders of a head-and-shoulders
    shot are below the frame), and two people side by side are separated by their heads.
    It is where tracking places a person.
    """

    def compute() -> np.ndarray:
        head = head_center_px(person, size)
        return np.array([head[0], person.center()[1] * size[1]])

    return _cached(person, ("anchor", size), compute)


def bbox_px(person: PersonLandmarks, size: tuple[int, int]) -> np.ndarray:
    """``(4,)`` pixel box ``(x0, y0, x1, y1)`` of the person's visible points."""
    w, h = size
    return _cached(person, ("bbox", size), lambda: person.bbox() * (w, h, w, h))


def prominence(person: PersonLandmarks, size: tuple[int, int]) -> float:
    """How much a person stands out: body length in pixels times the mean visibility of the prominent points."""
    return person_scale_px(person, size) * float(np.mean(person.pose_visibility[PROMINENT]))


def torso_box_px(person: PersonLandmarks, size: tuple[int, int], margin: float) -> np.ndarray:
    """``(4,)`` pixel box around shoulders and hips, grown by ``margin`` body lengths on every side."""

    def compute() -> np.ndarray:
        pts = person.pose_image[TORSO, :2] * size
        m = margin * person_scale_px(person, size)
        return np.concatenate([pts.min(0) - m, pts.max(0) + m])

    return _cached(person, ("torso", size, margin), compute)


def same_body(a: PersonLandmarks, b: PersonLandmarks, size: tuple[int, int]) -> bool:
    """Two skeletons on one body: matching torsos, or either's anchor inside the other's torso."""
    pa, pb = a.pose_image[TORSO, :2] * size, b.pose_image[TORSO, :2] * size
    scale = max(person_scale_px(a, size), person_scale_px(b, size))
    if float(np.mean(np.linalg.norm(pa - pb, axis=1))) < 0.3 * scale:
        return True
    for p, q in ((a, b), (b, a)):
        box = torso_box_px(q, size, 0.1)
        c = anchor_px(p, size)
        if box[0] <= c[0] <= box[2] and box[1] <= c[1] <= box[3]:
            return True
    return False


def region_px(
    person: PersonLandmarks,
    size: tuple[int, int],
    missed: int = 0,
    other_center: np.ndarray | None = None,
    other_scale: float = 0.0,
    center: np.ndarray | None = None,
) -> np.ndarray:
    """Where to look for ``person`` next: its body with room to move, short of the other person."""
    w, h = size
    s = person_scale_px(person, size)
    center = anchor_px(person, size) if center is None else center
    box = bbox_px(person, size)
    x0, y0, x1, y1 = box[0] - 1.0 * s, box[1] - 1.5 * s, box[2] + 1.0 * s, box[3] + 0.5 * s
    if missed > 0:  # lost: look wider around the last place
        grow = min(missed, 4) * s
        x0, y0, x1, y1 = x0 - grow, y0 - grow, x1 + grow, y1 + grow
    if other_center is not None:
        mine, theirs = center[0], other_center[0]
        mid = (mine + theirs) / 2
        gap = abs(theirs - mine)
        # a little past the midline between the two heads, never as far as the other head
        reach = min(0.5 * min(s, other_scale), 0.3 * gap)
        room = min(0.75 * s, 0.5 * gap + reach)  # the own body's half-width, as far as the bound allows
        if mine <= theirs:
            x1 = max(min(x1, mid + reach), mine + room)
        else:
            x0 = min(max(x0, mid - reach), mine - room)
    return np.array([max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)])


def region_for(
    person: PersonLandmarks, other: PersonLandmarks | None, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Integer pixel box to run ``person``'s estimator on, given the other person (or None)."""
    oc = None if other is None else anchor_px(other, size)
    os_ = 0.0 if other is None else person_scale_px(other, size)
    x0, y0, x1, y1 = region_px(person, size, 0, oc, os_)
    return (int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1)))


def inside_body(point: np.ndarray, person: PersonLandmarks, size: tuple[int, int]) -> bool:
    """Whether a pixel point lies well inside a person's visible extent (its box less 15 % a side)."""
    x0, y0, x1, y1 = bbox_px(person, size)
    mx, my = 0.15 * (x1 - x0), 0.15 * (y1 - y0)
    return bool(x0 + mx <= point[0] <= x1 - mx and y0 + my <= point[1] <= y1 - my)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
