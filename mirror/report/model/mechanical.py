"""The mechanical-imitation part of ``report.json`` (method and thresholds: docs/mechanical.md)."""

from __future__ import annotations

from pydantic import Field

from mirror.report.model.base import BodyPart, CopyDirection, Person, Relation, ReportModel, Sign, TimeRange


class GestureSettings(ReportModel):
    """How gestures are found: a body part's speed rising above a threshold and falling back below another."""

    rate_hz: float | None = None
    """The grid the features are resampled to."""
    max_gap_s: float | None = None
    """Longer gaps in the data are not bridged."""
    smooth_s: float | None = None
    """Savitzky-Golay window for positions and speed."""
    onset_factor: float | None = None
    """Onset: speed above this many times the body part's median speed."""
    offset_ratio: float | None = None
    """Offset: speed below this share of the onset threshold."""
    min_duration_s: float | None = None
    """Shorter movements are not gestures."""
    merge_gap_s: float | None = None
    """Movements closer than this are one gesture."""


class CopySettings(ReportModel):
    """How a gesture is matched with its copy."""

    min_lag_s: float | None = None
    """Faster than this is simultaneous movement, not a copy."""
    max_lag_s: float | None = None
    """Slower than this is not a copy."""
    pad_s: float | None = None
    """The trajectory is compared from ``pad_s`` before onset to ``pad_s`` after offset."""
    min_similarity: float | None = None
    """Cosine similarity of the velocity trajectories a copy needs."""
    kind_margin: float | None = None
    """Mirror and match closer than this: symmetric (the sided part hardly moved)."""
    similarity_margin: float | None = None
    """Of good answers this close to the best, the earliest is the copy."""


class ScoreSettings(ReportModel):
    """How the signs are scored over rolling spans."""

    span_s: float | None = None
    """Length of a rolling span."""
    step_s: float | None = None
    """Spans end every this many seconds, back from the end."""
    min_model_gestures: int | None = None
    """Fewer gestures of the model in a span: no score."""
    min_copies: int | None = None
    """Fewer copies: the lag and fidelity signs count as 0."""
    flag_score: float | None = None
    """A span scoring at least this is flagged."""
    coverage_ramp: list[float] | None = None
    """Coverage mapped from 0 (first value) to 1 (second)."""
    immediacy_ramp_s: list[float] | None = None
    """Median copy lag mapped from 0 to 1."""
    regularity_ramp_s: list[float] | None = None
    """Lag spread mapped from 0 to 1."""
    fidelity_ramp: list[float] | None = None
    """Fidelity mapped from 0 to 1."""
    persistence_ramp: list[float] | None = None
    """Persistence mapped from 0 to 1."""
    indiscriminateness_ramp: list[float] | None = None
    """Indiscriminateness mapped from 0 to 1."""
    weights: list[float] | None = None
    """The sub-scores' weights, in the order of the signs."""
    persist_min_score: float | None = None
    """A comparator window counts toward persistence from this score."""
    lag_tolerance_s: float | None = None
    """Lags this close count as one fixed lag."""
    persist_min_s: float | None = None
    """Shortest run of strong windows at one lag that counts."""


class MechanicalSettings(ReportModel):
    """The mechanical stage's settings."""

    gestures: GestureSettings = Field(default_factory=GestureSettings)
    """How gestures are found."""
    copies: CopySettings = Field(default_factory=CopySettings)
    """How a copy is matched with its gesture."""
    score: ScoreSettings = Field(default_factory=ScoreSettings)
    """How the signs are scored."""


class Signs(ReportModel):
    """The signs of mechanical imitation as measured (null where there was nothing to measure)."""

    coverage: float | None = None
    """Share of the model's gestures copied."""
    immediacy_s: float | None = None
    """Median copy lag."""
    lag_sd_s: float | None = None
    """Robust spread of the lags: 1.4826 x MAD."""
    fidelity: float | None = None
    """Median of similarity x amplitude agreement."""
    persistence: float | None = None
    """Share of the time in runs of at least ``persist_min_s`` of strong comparator windows at one fixed lag,
    copier behind."""
    indiscriminateness: float | None = None
    """Share of the model's small, incidental gestures copied."""


class SubScores(ReportModel):
    """Each sign mapped to 0..1."""

    coverage: float | None = None
    """Coverage, 0 to 1."""
    immediacy: float | None = None
    """Immediacy (short copy lags), 0 to 1."""
    regularity: float | None = None
    """Regularity (steady copy lags), 0 to 1."""
    fidelity: float | None = None
    """Fidelity, 0 to 1."""
    persistence: float | None = None
    """Persistence, 0 to 1."""
    indiscriminateness: float | None = None
    """Indiscriminateness, 0 to 1."""


class PeakSpan(ReportModel):
    """The highest-scoring rolling span."""

    start_s: float | None = None
    """Its start."""
    end_s: float | None = None
    """Its end."""
    signs: Signs = Field(default_factory=Signs)
    """The signs over the span."""
    sub_scores: SubScores = Field(default_factory=SubScores)
    """The sub-scores over the span."""


class FlagReason(ReportModel):
    """Why the worst flagged span was flagged, in words, with the time ranges of the evidence."""

    sign: Sign
    """The sign."""
    text: str
    """In words."""
    ranges: list[TimeRange] = Field(default_factory=list)
    """The evidence: the copies, or the lockstep runs."""


class Span(ReportModel):
    """A rolling span ``span_s`` long; spans end every ``step_s`` back from the end."""

    start_s: float
    """Its start."""
    end_s: float
    """Its end."""
    score: float | None = None
    """0 to 1; null when the span had fewer than ``min_model_gestures`` gestures of the model."""
    flagged: bool = False
    """Whether it reached ``flag_score``."""
    model_gestures: int = 0
    """The model's gestures in the span."""
    copies: int = 0
    """How many of them were copied."""


class Direction(ReportModel):
    """Mechanical imitation in one direction of copying."""

    copier: Person
    """Who copies."""
    model: Person
    """Who is copied."""
    score: float | None = None
    """Highest score of any rolling span (the worst stretch), 0 to 1; null when no span had ``min_model_gestures``
    gestures of the model."""
    flagged: bool = False
    """Whether any span reached ``flag_score``."""
    model_gestures: int = 0
    """The model's gestures over the whole recording."""
    copies: int = 0
    """How many of them were copied."""
    session_score: float | None = None
    """The score over the whole recording."""
    signs: Signs = Field(default_factory=Signs)
    """The signs over the whole recording."""
    sub_scores: SubScores = Field(default_factory=SubScores)
    """The sub-scores over the whole recording."""
    peak_span: PeakSpan | None = None
    """The highest-scoring span."""
    reasons: list[FlagReason] = Field(default_factory=list)
    """Why the worst flagged span was flagged; empty when nothing was."""
    flagged_ranges: list[TimeRange] | None = None
    """Merged ranges of the flagged spans (absent in older reports: the flagged ``spans`` instead)."""
    spans: list[Span] = Field(default_factory=list)
    """The rolling spans, in time order."""


class Gesture(ReportModel):
    """A gesture found (``small``: below that person's median amplitude on that body part)."""

    person: Person
    """Whose gesture."""
    channel: BodyPart
    """The body part that moved."""
    start_s: float
    """Onset."""
    end_s: float
    """Offset."""
    amplitude: float | None = None
    """Excursion of the movement (shoulder widths or radians)."""
    small: bool = False
    """Below that person's median amplitude on that body part (an incidental gesture)."""


class Copy(ReportModel):
    """A gesture of the model and its copy.

    ``lag_s`` is the delay that best lines up the two movements' velocity over the model's whole gesture (not the gap
    between two onsets: one long movement of the copier may answer several gestures), and the copy is the model's
    gesture that much later. A movement already under way at the first sample of the recording (or after a gap in the
    data) has no onset that was seen and is not a gesture, so no copy starts from the missing past.
    """

    direction: CopyDirection
    """Who copies whom."""
    kind: Relation
    """``symmetric``: nothing lateral moved (e.g. a nod)."""
    channel_model: BodyPart
    """The model's body part."""
    channel_copy: BodyPart
    """The copier's body part."""
    model_start_s: float
    """Start of the model's gesture."""
    model_end_s: float
    """End of the model's gesture."""
    copy_start_s: float
    """``model_start_s + lag_s``."""
    copy_end_s: float
    """``model_end_s + lag_s``."""
    lag_s: float
    """The copier's delay: the one that best lines up the two movements' velocity."""
    similarity: float | None = None
    """Cosine similarity of the aligned velocity trajectories."""
    fidelity: float | None = None
    """Similarity times amplitude agreement, 0 to 1."""


class Mechanical(ReportModel):
    """Mechanical imitation, per direction of copying."""

    settings: MechanicalSettings = Field(default_factory=MechanicalSettings)
    """The settings used."""
    directions: dict[CopyDirection, Direction] = Field(default_factory=dict)
    """``B_copies_A`` (A is the model, B the copier) and ``A_copies_B``."""
    gestures: list[Gesture] = Field(default_factory=list)
    """Every gesture found."""
    copies: list[Copy] = Field(default_factory=list)
    """Every gesture copy found."""
