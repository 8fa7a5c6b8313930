"""The project's vocabulary, defined once: people, body parts, relations, kinds, colours, keypoints.

Every stage names the same things: the two people, the body parts a window is judged on,
the relations a window can show, the kinds of events the review lists, the colours they are
drawn in and the pose keypoints the skeletons join.  They are defined here and imported
everywhere else (Python) or handed to the review page's script through its page data
(JavaScript), so no copy can drift.

Closed choices are ``Literal`` types with their values in order as a tuple (the project
supports Python 3.10, so no ``StrEnum``); the values are the strings report.json holds.

Two kinds of "channel" exist and have two names here:

``BODY_PARTS``
    What a window is judged on and the report reports: head, left arm, right arm, torso,
    face (the arms are A's: B's counterpart is the same arm for match, the other for mirror).
``FEATURE_CHANNELS``
    How the features are grouped: head, arms, torso, face (both arms together).

This module is a leaf: it imports nothing from ``mirror``, so every stage can use it.
"""

from __future__ import annotations

from typing import Literal, get_args

# ----------------------------------------------------------------------------- people

Person = Literal["A", "B"]
PEOPLE: tuple[Person, ...] = get_args(Person)
"""The two people, A then B (A: left or first region, see the layouts)."""

Leading = Literal["A", "B", "together"]
"""Who led: a person, or ``together`` (lag below the threshold); a session's leader in the history."""

Leader = Literal[Leading, ""]
LEADERS: tuple[Leader, ...] = get_args(Leader)
"""Who leads a window: a person, ``together`` (lag below the threshold) or ``""`` (no relation)."""

CopyDirection = Literal["B_copies_A", "A_copies_B"]
DIRECTIONS: tuple[str, ...] = get_args(CopyDirection)
"""Directions of copying the mechanical detector scores, ``<copier>_copies_<model>`` (``B_copies_A``: A is
the model and B the copier)."""

SourceKind = Literal["video", "webcam", "image"]
"""What a source reads: a video file, a webcam, or still images."""

LayoutMode = Literal["auto", "split", "regions"]
LAYOUTS: tuple[LayoutMode, ...] = get_args(LayoutMode)
"""Where the two people are in the frame: found, left and right halves, or two given boxes."""

# ----------------------------------------------------------------------------- body parts

BodyPart = Literal["head", "left_arm", "right_arm", "torso", "face"]
BODY_PARTS: tuple[BodyPart, ...] = get_args(BodyPart)
"""The body parts a window is judged on, in report order (``left_arm`` / ``right_arm`` are A's arms)."""

BODY_PART_NAMES: dict[str, str] = {
    "head": "head", "left_arm": "left arm", "right_arm": "right arm", "torso": "torso", "face": "face",
}  # fmt: skip
"""How a body part is written for people."""

OVERALL = "overall"
"""The row of the whole body, beside the body parts."""
ROW_NAMES: dict[str, str] = {OVERALL: "whole body", **BODY_PART_NAMES}
"""How each row (the whole body, then each body part) is written for people."""

MIRRORED_PART: dict[str, BodyPart] = {
    "head": "head", "left_arm": "right_arm", "right_arm": "left_arm", "torso": "torso", "face": "face",
}  # fmt: skip
"""B's body part that mirrors A's (the other arm; the same part otherwise)."""

FeatureChannel = Literal["head", "arms", "torso", "face"]
FEATURE_CHANNELS: tuple[FeatureChannel, ...] = get_args(FeatureChannel)
"""How the features are grouped (both arms together in ``arms``)."""

FEATURE_CHANNEL_OF: dict[str, FeatureChannel] = {
    "head": "head", "left_arm": "arms", "right_arm": "arms", "torso": "torso", "face": "face",
}  # fmt: skip
"""The feature channel each body part's features belong to."""

ARM_FEATURES = ("wrist_height", "elbow_height", "reach", "forward_reach", "elbow_flexion", "arm_elevation", "hand_face")
"""The lateral arm features, without their ``_left`` / ``_right`` side."""

# Blendshape pairs kept for the face channel: the pairs whose left-minus-right difference
# follows a horizontal flip best on real head-and-shoulders faces (benchmarks/bench_side_features.py,
# 13 clips, about 1300 face samples: the difference of the flipped run against minus the
# original's): browDown 0.76, mouthSmile 0.74, mouthPress 0.68, browOuterUp 0.60.  Left out:
# eyeBlink 0.52, eyeSquint 0.44, mouthStretch 0.57, mouthDimple 0.59, mouthUpperUp 0.30 and
# the pairs that do not follow the flip at all (cheekSquint, mouthFrown, mouthLowerDown,
# noseSneer), gaze (eyeLook*, not an expression) and the jaw and mouth side pairs.
FACE_PAIRS = ("browDown", "browOuterUp", "mouthSmile", "mouthPress")
"""The blendshape left/right pairs the face channel uses."""

BODY_PART_FEATURES: dict[str, tuple[str, ...]] = {
    "head": ("head_roll", "head_yaw", "head_pitch"),
    "left_arm": tuple(f"{b}_left" for b in ARM_FEATURES),
    "right_arm": tuple(f"{b}_right" for b in ARM_FEATURES),
    "torso": ("torso_lean", "torso_twist", "forward_lean"),
    "face": tuple(f"face_{b}_{s}" for b in FACE_PAIRS for s in ("left", "right")) + ("face_jawOpen",),
}
"""The features that make up each body part, anatomical sides (the mechanical detector's gestures)."""

# ----------------------------------------------------------------------------- relations

Relation = Literal["mirror", "match", "symmetric"]
RELATIONS: tuple[Relation, ...] = get_args(Relation)
"""The relations a window or event can show."""


def as_relation(text: str) -> Relation:
    """``text`` as a :data:`Relation` (a ``ValueError`` when it is none: a label such as ``none`` is no relation)."""
    for relation in RELATIONS:
        if text == relation:
            return relation
    raise ValueError(f"{text!r} is not a relation ({', '.join(RELATIONS)})")


SIDED: tuple[Relation, ...] = ("mirror", "match")
"""The relations that tell a side (and so a lag and a leader)."""

Label = Literal["mirror", "match", "symmetric", "none", "insufficient"]
LABELS: tuple[Label, ...] = get_args(Label)
"""A window's label: a relation, ``none``, or ``insufficient`` (too little data to judge)."""

# ----------------------------------------------------------------------------- kinds

MessageKind = Literal["warning", "praise", "prompt"]
MESSAGE_KINDS: tuple[MessageKind, ...] = get_args(MessageKind)
"""Kinds of coaching message, in the order reports list them."""
MESSAGE_PRIORITY: tuple[MessageKind, ...] = ("warning", "prompt", "praise")
"""Kinds of coaching message, most urgent first (the one shown when several are due)."""

EventKind = Literal["mirror", "match", "symmetric", "mechanical", "copy", "warning", "praise", "prompt"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
"""Kinds of reviewable moment, in the order the review page lists them: relation events,
mechanical stretches, gesture copies and coaching messages."""

EventFamily = Literal["event", "mechanical", "copy", "coaching"]
EVENT_FAMILY: dict[str, EventFamily] = {
    "mirror": "event", "match": "event", "symmetric": "event", "mechanical": "mechanical", "copy": "copy",
    "warning": "coaching", "praise": "coaching", "prompt": "coaching",
}  # fmt: skip
"""The family of each event kind: relation events (runs of windows), mechanical stretches, gesture copies
and coaching messages."""

BatchState = Literal["done", "skipped-done", "failed", "skipped"]
BATCH_STATES: tuple[BatchState, ...] = get_args(BatchState)
"""What became of one file of a batch: analysed now, done by an earlier run, failed, or not a video."""

Mark = Literal["right", "wrong"]
MARKS: tuple[Mark, ...] = get_args(Mark)
"""A reviewer's mark on an event."""

# ----------------------------------------------------------------------------- colours

RELATION_COLORS: dict[str, str] = {
    "mirror": "#1f77b4", "match": "#e8710a", "symmetric": "#2ca02c", "mechanical": "#d62728",
}  # fmt: skip
"""CSS colour of each relation and of mechanical imitation (report figures, overlay, review)."""

PERSON_COLORS: dict[str, str] = {"A": "#ffd400", "B": "#ff4fd8"}
"""A's and B's colour (skeletons and labels), apart from every state colour."""

KIND_COLORS: dict[str, str] = {
    **RELATION_COLORS, "copy": "#9467bd", "warning": "#d62728", "praise": "#2ca02c", "prompt": "#17a2b8",
    "none": "#e4e7ec", "insufficient": "#9aa0a8",
}  # fmt: skip
"""The review page's colour of each state and event kind."""

MARK_COLORS: dict[str, str] = {"right": "#2ca02c", "wrong": "#d62728"}
"""Colour of a reviewer's mark."""

# ----------------------------------------------------------------------------- keypoints

POSE_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
"""MediaPipe's 33 pose keypoints, anatomical sides, by index."""
POSE: dict[str, int] = {name: i for i, name in enumerate(POSE_NAMES)}
"""Index of each pose keypoint by name."""

NOSE = POSE["nose"]
LEFT_SHOULDER = POSE["left_shoulder"]
RIGHT_SHOULDER = POSE["right_shoulder"]
LEFT_HIP = POSE["left_hip"]
RIGHT_HIP = POSE["right_hip"]
SHOULDERS: tuple[int, int] = (LEFT_SHOULDER, RIGHT_SHOULDER)
"""Indices of the left and right shoulder (11, 12)."""
HIPS: tuple[int, int] = (LEFT_HIP, RIGHT_HIP)
"""Indices of the left and right hip (23, 24)."""
TORSO: tuple[int, int, int, int] = SHOULDERS + HIPS
"""Indices of the shoulders and hips."""

BONES: dict[str, tuple[tuple[str, str], ...]] = {
    "head": (("right_ear", "right_eye"), ("right_eye", "nose"), ("nose", "left_eye"), ("left_eye", "left_ear"),
             ("mouth_left", "mouth_right")),
    "torso": (("left_shoulder", "right_shoulder"), ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
              ("left_hip", "right_hip")),
    "left_arm": (("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"), ("left_wrist", "left_index")),
    "right_arm": (("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"), ("right_wrist", "right_index")),
    "legs": (("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("right_hip", "right_knee"),
             ("right_knee", "right_ankle")),
}  # fmt: skip
"""The skeleton's bones by keypoint name, grouped by the body part they are coloured with (``legs`` never is)."""
BONE_INDICES: dict[str, tuple[tuple[int, int], ...]] = {
    part: tuple((POSE[a], POSE[b]) for a, b in bones) for part, bones in BONES.items()
}
""":data:`BONES` as pose indices."""

JOINTS: tuple[str, ...] = (
    "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip",
)  # fmt: skip
"""The keypoints drawn as dots on a skeleton."""
JOINT_INDICES: tuple[int, ...] = tuple(POSE[n] for n in JOINTS)
""":data:`JOINTS` as pose indices."""

SKELETON_POINTS: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_index", "right_index", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
"""The keypoints a drawn skeleton needs: head (nose, eyes, ears, mouth), shoulders, arms to the
index fingers, hips, knees and ankles (every keypoint of :data:`BONES` and :data:`JOINTS`)."""
