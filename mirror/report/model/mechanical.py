"""The mechanical-imitation part of ``report.json`` (method and thresholds: docs/mechanical.md)."""

from __future__ import annotations

from pydantic import Field

from mirror.report.model.base import BodyPart, CopyDirection, Person, Relation, ReportModel, Sign, TimeRange


class GestureSettings(ReportModel):
    """How gestures are found."""

    rate_hz: float | None = None
    max_gap_s: float | None = None
    smooth_s: float | None = None
    """Savitzky-Golay window for positions and speed."""
    onset_factor: float | None = None
    """Onset: speed above this many times the body part's median speed."""
    offset_ratio: float | None = None
    """Offset: speed below this share of the onset threshold."""
    min_duration_s: float | None = None
    merge_gap_s: float | None = None


class CopySettings(ReportModel):
    """How a gesture is matched with its copy."""

    min_lag_s: float | None = None
    """Faster than this is simultaneous movement, not a copy."""
    max_lag_s: float | None = None
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
    step_s: float | None = None
    min_model_gestures: int | None = None
    """Fewer gestures of the model in a span: no score."""
    min_copies: int | None = None
    """Fewer copies: the lag and fidelity signs count as 0."""
    flag_score: float | None = None
    """A span scoring at least this is flagged."""
    coverage_ramp: list[float] | None = None
    immediacy_ramp_s: list[float] | None = None
    regularity_ramp_s: list[float] | None = None
    fidelity_ramp: list[float] | None = None
    persistence_ramp: list[float] | None = None
    indiscriminateness_ramp: list[float] | None = None
    weights: list[float] | None = None
    """The sub-scores' weights, in the order of the signs."""
    persist_min_score: float | None = None
    lag_tolerance_s: float | None = None
    persist_min_s: float | None = None


class MechanicalSettings(ReportModel):
    """The settings used."""

    gestures: GestureSettings = Field(default_factory=GestureSettings)
    copies: CopySettings = Field(default_factory=CopySettings)
    score: ScoreSettings = Field(default_factory=ScoreSettings)


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
    immediacy: float | None = None
    regularity: float | None = None
    fidelity: float | None = None
    persistence: float | None = None
    indiscriminateness: float | None = None


class PeakSpan(ReportModel):
    """The highest-scoring rolling span."""

    start_s: float | None = None
    end_s: float | None = None
    signs: Signs = Field(default_factory=Signs)
    sub_scores: SubScores = Field(default_factory=SubScores)


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
    end_s: float
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
    channel: BodyPart
    start_s: float
    end_s: float
    amplitude: float | None = None
    small: bool = False


class Copy(ReportModel):
    """A gesture of the model and its copy.

    ``lag_s`` is the delay that best lines up the two movements' velocity over the model's whole gesture (not the gap
    between two onsets: one long movement of the copier may answer several gestures), and the copy is the model's
    gesture that much later. A movement already under way at the first sample of the recording (or after a gap in the
    data) has no onset that was seen and is not a gesture, so no copy starts from the missing past.
    """

    direction: CopyDirection
    kind: Relation
    """``symmetric``: nothing lateral moved (e.g. a nod)."""
    channel_model: BodyPart
    """The model's body part."""
    channel_copy: BodyPart
    """The copier's body part."""
    model_start_s: float
    model_end_s: float
    copy_start_s: float
    """``model_start_s + lag_s``."""
    copy_end_s: float
    """``model_end_s + lag_s``."""
    lag_s: float
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
