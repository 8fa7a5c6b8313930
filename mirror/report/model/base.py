"""The base of every report model and the closed vocabularies the report's fields take."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Person = Literal["A", "B"]
"""The two people: ``A`` on the left of the frame (or the first source), ``B`` the other."""
BodyPart = Literal["head", "left_arm", "right_arm", "torso", "face"]
"""The body parts scored per window (``left_arm`` and ``right_arm`` are A's arms)."""
Relation = Literal["mirror", "match", "symmetric"]
"""A relation between the two people: opposite sides, same side, or a movement without a side."""
WindowLabel = Literal["mirror", "match", "symmetric", "none", "insufficient"]
"""A window's label: a relation that beat chance, ``none``, or ``insufficient`` (not measured)."""
Leader = Literal["A", "B", "together"]
"""Who leads: ``A`` (B follows), ``B``, or ``together`` (|lag| below ``together_s``)."""
CopyDirection = Literal["B_copies_A", "A_copies_B"]
"""A direction of copying: the copier, then the model."""
Sign = Literal["coverage", "immediacy", "regularity", "fidelity", "persistence", "indiscriminateness"]
"""A sign of mechanical imitation (the sub-scores' names)."""
MessageKind = Literal["warning", "praise", "prompt"]
"""A coaching message's kind."""
UsabilityReason = Literal["ok", "not_seen", "out_of_frame", "low_visibility", "occluded", "side_unknown", "no_face"]
"""Why a body part could not be used in a frame (``ok``: it could)."""
NullKind = Literal["reference", "session"]
"""The null the labels were tested against: the shipped reference, or the session's own surrogates."""

TimeRange = tuple[float, float]
"""``[start_s, end_s]`` in seconds of the source stream."""


class ReportModel(BaseModel):
    """A part of ``report.json``.

    Unknown fields are kept (``extra="allow"``): fields may be added within a format version,
    so a reader accepts a report that has more than it knows. Written with ``exclude_unset``,
    a document read back is written with exactly its keys.
    """

    model_config = ConfigDict(extra="allow", use_attribute_docstrings=True)
