"""The base of every report model and the closed vocabularies the report's fields take (from
:mod:`mirror.vocabulary`, plus the report's own)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from mirror.features.usability import Reason as UsabilityReason
from mirror.vocabulary import BodyPart, CopyDirection, Label, Leader, MessageKind, Person, Relation

WindowLabel = Label
"""A window's label: a relation that beat chance, ``none``, or ``insufficient`` (not measured)."""
Sign = Literal["coverage", "immediacy", "regularity", "fidelity", "persistence", "indiscriminateness"]
"""A sign of mechanical imitation (the sub-scores' names)."""
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


__all__ = [
    "BodyPart", "CopyDirection", "Leader", "MessageKind", "NullKind", "Person", "Relation", "ReportModel", "Sign",
    "TimeRange", "UsabilityReason", "WindowLabel",
]  # fmt: skip
