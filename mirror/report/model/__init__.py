"""``report.json`` as one tree of pydantic models: the only definition of the document.

:class:`Report` is built from a session in memory (:func:`mirror.report.files.build_report`),
written with :meth:`Report.to_json`, read back and validated by :func:`mirror.report.read_report`,
and rendered by every file of :mod:`mirror.report`. ``docs/report.schema.json`` and
``docs/report-schema.md`` are generated from it (``python -m mirror.report.schema``).

A field a report may lack (it was added later within the version, or the code path that wrote
the report has nothing to put there) has a default. The document is written with
``exclude_unset``: a report keeps exactly the keys it was built or read with.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mirror.report.model.base import (
    BodyPart,
    CopyDirection,
    Leader,
    MessageKind,
    NullKind,
    Person,
    Relation,
    ReportModel,
    Sign,
    TimeRange,
    UsabilityReason,
    WindowLabel,
)
from mirror.report.model.mechanical import (
    Copy,
    CopySettings,
    Direction,
    FlagReason,
    Gesture,
    GestureSettings,
    Mechanical,
    MechanicalSettings,
    PeakSpan,
    ScoreSettings,
    Signs,
    Span,
    SubScores,
)
from mirror.report.model.run import (
    Adapted,
    Calibration,
    CompareSettings,
    ExtractSettings,
    LandmarkBackend,
    LandmarkRun,
    LayoutSettings,
    LiveRun,
    LiveStats,
    PartUsability,
    Provenance,
    SourceInfo,
    Timing,
)
from mirror.report.model.scores import (
    Asymmetry,
    Event,
    LeaderShares,
    Message,
    PartEvent,
    PartScores,
    PartShares,
    Shares,
    Summary,
    SurrogateTest,
    Window,
)

REPORT_FORMAT: Literal["mirror.report"] = "mirror.report"
REPORT_VERSION: Literal[1] = 1


class Report(ReportModel):
    """``report.json``: what ``mirror analyze``, ``mirror batch`` and ``mirror live`` write for a session.

    Times are in seconds of the source stream; scores are in [-1, 1]; a missing value is null.
    """

    format: Literal["mirror.report"] = REPORT_FORMAT
    """Always ``mirror.report``."""
    format_version: Literal[1] = REPORT_VERSION
    """The version of this format; fields may be added within a version, never renamed or removed."""
    mirror: str | None = None
    """The version of mirror that wrote the report."""
    provenance: Provenance = Field(default_factory=Provenance)
    """What the report was made from."""
    settings: CompareSettings = Field(default_factory=CompareSettings)
    """The comparison settings used (for a clip shorter than one window, the adapted ones)."""
    calibration: Calibration = Field(default_factory=Calibration)
    """The null the labels were tested against."""
    adapted: Adapted | None = None
    """Null unless the clip was shorter than one window."""
    summary: Summary = Field(default_factory=Summary)
    """The session in figures: the shares of each label, who led, synchrony against chance."""
    events: list[Event] = Field(default_factory=list)
    """The whole body's events, in time order."""
    part_events: list[PartEvent] | None = None
    """Each body part's events, in time order, then in the order of the body parts. Absent in reports written
    before them: readers build them from ``windows`` (``mirror.report.doc.part_events``)."""
    mechanical: Mechanical | None = None
    """Mechanical imitation; null when it was not analysed."""
    feedback: list[Message] = Field(default_factory=list)
    """Coaching messages, in time order."""
    windows: list[Window] = Field(default_factory=list)
    """One entry per sliding window."""
    usability: dict[Person, dict[str, PartUsability]] | None = None
    """Per person and body part: how much of the recording that part could be trusted. Absent in reports written
    before it."""

    def to_json(self) -> bytes:
        """The document as written to ``report.json`` (indented by one space, UTF-8)."""
        return self.model_dump_json(indent=1, exclude_unset=True).encode()

    def to_dict(self) -> dict:
        """The document as plain JSON data (what ``json.loads`` of :meth:`to_json` gives)."""
        return self.model_dump(mode="json", exclude_unset=True)


__all__ = [
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "Adapted",
    "Asymmetry",
    "BodyPart",
    "Calibration",
    "CompareSettings",
    "Copy",
    "CopyDirection",
    "CopySettings",
    "Direction",
    "Event",
    "ExtractSettings",
    "FlagReason",
    "Gesture",
    "GestureSettings",
    "LandmarkBackend",
    "LandmarkRun",
    "Leader",
    "LeaderShares",
    "LiveRun",
    "LiveStats",
    "LayoutSettings",
    "Mechanical",
    "MechanicalSettings",
    "Message",
    "MessageKind",
    "NullKind",
    "PartEvent",
    "PartScores",
    "PartShares",
    "PartUsability",
    "PeakSpan",
    "Person",
    "Provenance",
    "Relation",
    "Report",
    "ReportModel",
    "ScoreSettings",
    "Shares",
    "Sign",
    "Signs",
    "SourceInfo",
    "Span",
    "SubScores",
    "Summary",
    "SurrogateTest",
    "TimeRange",
    "Timing",
    "UsabilityReason",
    "Window",
    "WindowLabel",
]
