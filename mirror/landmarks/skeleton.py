"""Landmark topology: names (the pose names in :mod:`mirror.vocabulary`), anatomical left/right pairs and
horizontal-flip maps.

MediaPipe labels are anatomical: ``left_wrist`` is the person's own left
wrist, wherever the camera sees it.  A horizontally flipped image shows the
mirror image of a person, whose anatomical left is the original right; so a
flip swaps every left/right label and mirrors ``x``.  The permutations here
express exactly that and are involutions (applying one twice is the identity).
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from mirror.vocabulary import POSE, POSE_NAMES

N_POSE = len(POSE_NAMES)
N_FACE = 478

BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)  # fmt: skip
N_BLENDSHAPES = len(BLENDSHAPE_NAMES)

# Head-pose components, in this order, in degrees (see mirror.landmarks.headpose).
HEAD_POSE_NAMES: tuple[str, ...] = ("yaw", "pitch", "roll")


def _swap_by_name(names: tuple[str, ...], left: str, right: str) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    perm = np.arange(len(names))
    for i, n in enumerate(names):
        if left in n:
            j = index[n.replace(left, right)]
            perm[i], perm[j] = j, i
    return perm


POSE_FLIP: np.ndarray = _swap_by_name(POSE_NAMES, "left", "right")
"""``(33,)`` pose index permutation of a horizontal flip."""

BLENDSHAPE_FLIP: np.ndarray = _swap_by_name(BLENDSHAPE_NAMES, "Left", "Right")
"""``(52,)`` blendshape permutation of a horizontal flip (``jawLeft`` <-> ``jawRight`` too)."""


def _load_face_flip() -> np.ndarray:
    text = resources.files("mirror.landmarks").joinpath("data/face_flip_478.txt").read_text()
    return np.array(text.split(), dtype=np.int64)


FACE_FLIP: np.ndarray = _load_face_flip()
"""``(478,)`` face-mesh permutation of a horizontal flip.

Points 0-467 pair up by mirroring MediaPipe's canonical face mesh (an exactly
symmetric mesh: every vertex has an exact mirror twin, 28 lie on the midline);
the iris points 468-477 pair centre with centre and top with top, and swap
the horizontal extremes.
"""

# Pose landmarks that frame the head, used to place the face crop.
HEAD_POINTS = np.array([POSE[n] for n in POSE_NAMES[:11]])
"""Indices of the 11 head landmarks (nose, eyes, ears, mouth)."""
