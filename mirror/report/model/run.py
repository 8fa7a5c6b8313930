"""How a report was made: provenance, comparison settings, calibration, adapted windows and usability."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mirror.report.model.base import NullKind, ReportModel, UsabilityReason


class SourceInfo(ReportModel):
    """The source as read."""

    kind: str | None = None
    """``video``, ``camera``, ..."""
    name: str | None = None
    """Its path or name."""
    width: int | None = None
    """Frame width in pixels."""
    height: int | None = None
    """Frame height in pixels."""
    nominal_fps: float | None = None
    """Frame rate the file declares."""
    frame_count: int | None = None
    """Frames the file declares."""
    analysis_fps: float | None = None
    """Frames per second analysed (null: every frame)."""
    mirrored_input: bool | None = None
    """Whether the picture was a mirror image (a selfie camera)."""


class LandmarkBackend(ReportModel):
    """The landmark model that was run."""

    backend: str | None = None
    """``mediapipe``."""
    mediapipe: str | None = None
    """MediaPipe's version."""
    models: dict[str, str] = Field(default_factory=dict)
    """Model file name -> SHA-256."""


class LandmarkRun(ReportModel):
    """The landmark extraction."""

    frames: int | None = None
    """Frames analysed."""
    both_present_rate: float | None = None
    """Share of them in which both people were found."""
    identity_swaps: int | None = None
    """Times the tracker swapped A and B back."""
    backend: LandmarkBackend | None = None
    """The model that was run."""


class LayoutSettings(ReportModel):
    """Where the two people are in the frame."""

    mode: str | None = None
    """``auto`` (found), ``split`` (left and right halves) or ``regions`` (two given boxes)."""
    regions: list[list[float]] | None = None
    """With ``regions``: A's and B's boxes ``[x0, y0, x1, y1]`` as fractions of the frame."""


class ExtractSettings(ReportModel):
    """The extraction settings (``mirror.landmarks.ExtractSettings``; the landmark cache key)."""

    pose_model: str | None = None
    """``lite``, ``full`` or ``heavy``."""
    face: bool | None = None
    """Whether the face model ran."""
    layout: LayoutSettings | None = None
    """Where the two people are in the frame."""
    fps: float | None = None
    """Frames per second analysed (null: every frame)."""
    mirrored_input: bool | None = None
    """Whether the picture is a mirror image (a selfie camera)."""
    min_detection_confidence: float | None = None
    """MediaPipe's detection confidence threshold."""
    min_tracking_confidence: float | None = None
    """MediaPipe's tracking confidence threshold."""
    backfill: bool | None = None
    """Whether frames where a person was lost were searched again."""


class Provenance(ReportModel):
    """What the report was made from.

    ``mirror live`` adds ``live``: the session's settings (``mode`` ``pair`` or ``solo``, ``camera``, ``source``,
    ``partner_video``, ``me``, ``selfie``, ``pose_model``, ``face``, ``fps``, ...) and ``stats`` (``seconds``,
    ``frames_shown``, ``fps_shown``, ``latency_ms`` and ``inference_ms`` as ``{median, p95, n}``,
    ``frames_recorded``, ``frames_dropped``, ``ended_by``, ``error``); in solo practice ``partner_source`` describes
    the partner clip and ``people`` says which source each person comes from.
    """

    source: SourceInfo | str | None = None
    """The source as read (a bare name for a synthetic session)."""
    source_path: str | None = None
    """The source's absolute path."""
    source_sha256: str | None = None
    """The source file's SHA-256."""
    landmarks: LandmarkRun | None = None
    """The landmark extraction."""
    extract_settings: ExtractSettings | None = None
    """The extraction settings."""
    live: dict[str, Any] | None = None
    """A live session's settings and statistics."""


class CompareSettings(ReportModel):
    """The comparison settings used (``mirror.compare.CompareSettings``)."""

    window_s: float | None = None
    """Window length."""
    step_s: float | None = None
    """Step between window starts."""
    max_lag_s: float | None = None
    """Largest lag scanned."""
    rate_hz: float | None = None
    """The comparison grid's rate."""
    max_gap_s: float | None = None
    """Longer gaps in the data are not interpolated."""
    min_valid: float | None = None
    """Share of a window both people must have data for."""
    min_score: float | None = None
    """Mirror or match score a label needs."""
    min_change: float | None = None
    """RMS change of each person's antisymmetric posture over a window to tell the side."""
    min_sync: float | None = None
    """Symmetric-part correlation for ``symmetric``."""
    move_scale: float | None = None
    """Asymmetry speed at which movement counts fully."""
    together_s: float | None = None
    """A smaller |lag| means nobody leads."""
    min_arm_motion: float | None = None
    """An arm's drift-free RMS needed to compare it."""
    min_sym_motion: float | None = None
    """Drift-free RMS of each person's symmetric part for ``symmetric`` evidence."""
    alpha: float | None = None
    """A relation is labelled only when its p-value against the null is below this."""


class Calibration(ReportModel):
    """The null the labels were tested against (empty in reports written before calibration: labels untested)."""

    null: NullKind | None = None
    """``reference``: pseudo-pairs of real people filmed alone, shipped with mirror (short sessions and live);
    ``session``: the session's own surrogates, B shifted in time against A (long sessions)."""
    null_windows: int | None = None
    """Windows in the null."""
    null_relation_windows: int | None = None
    """Null windows that were mirror/match candidates (a posture sided enough to tell)."""
    alpha: float | None = None
    """The significance level a label needs (``p_value < alpha``); the same as ``settings.alpha``."""
    description: str | None = None
    """The null in words."""


class Adapted(ReportModel):
    """Why the windows are shorter than asked: the clip was shorter than one window.

    The windows were shortened to the clip (in half seconds, down to 2 s; lags in proportion, step at most the
    window) and ``settings`` holds the settings used. Under 2 s nothing is measured: ``windows`` is empty and
    ``reason`` says why.
    """

    reason: str
    """In words."""
    window_s: float | None = None
    """The window used."""
    requested_window_s: float | None = None
    """The window asked for."""
    max_lag_s: float | None = None
    """The largest lag used."""


class PartUsability(ReportModel):
    """How much of the recording one person's body part could be trusted (a part that cannot is never scored)."""

    usable_share: float | None = None
    """Share of the frames in which the part was usable, 0 to 1."""
    reason: UsabilityReason = "ok"
    """``ok`` (always usable), else the most frequent reason it was not: ``not_seen`` (the person was not found),
    ``low_visibility``, ``out_of_frame``, ``occluded`` (the far arm of a person in profile), ``side_unknown`` (the
    view does not tell left from right), ``no_face``."""
    reasons: dict[UsabilityReason, float | None] = Field(default_factory=dict)
    """Share of the frames of each reason (including ``ok``)."""
