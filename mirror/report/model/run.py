"""How a report was made: provenance, comparison settings, calibration, adapted windows and usability."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mirror.report.model.base import NullKind, Person, ReportModel, UsabilityReason
from mirror.vocabulary import LayoutMode


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

    mode: LayoutMode | None = None
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


EndedBy = Literal["quit", "closed", "end", "lost", "time", "interrupt", "error"]
"""How a live session ended: q or Esc, the window closed, the end of a file, a lost source, ``max_seconds``,
Ctrl-C, a failure of the pipeline (``mirror.live.settings.ENDINGS``)."""


class Timing(ReportModel):
    """A distribution of durations, in milliseconds."""

    median: float | None = None
    """The median (null when nothing was timed)."""
    p95: float | None = None
    """The 95th percentile (null when nothing was timed)."""
    n: int | None = None
    """How many were timed."""


class LiveStats(ReportModel):
    """What a live session measured about itself."""

    seconds: float | None = None
    """Wall time from the start of the frame loop to its end."""
    frames_shown: int | None = None
    """Fresh frames drawn in the window (redraws not counted)."""
    fps_shown: float | None = None
    """``frames_shown`` per second."""
    cpu_seconds: float | None = None
    """CPU time of every thread of the process while the session ran."""
    latency_ms: Timing | None = None
    """Capture to display."""
    inference_ms: Timing | None = None
    """The pose step per frame."""
    analysis_ms: Timing | None = None
    """One rolling analysis."""
    analysis_runs: int | None = None
    """Rolling comparator runs."""
    mechanical_runs: int | None = None
    """Mechanical-imitation and coaching runs."""
    analysis_errors: list[str] | None = None
    """The first five rolling-analysis failures (the view kept the previous analysis)."""
    frames_captured: dict[str, int] | None = None
    """Frames read, per source (``main``, ``partner``)."""
    frames_dropped: dict[str, int] | None = None
    """Frames dropped (stale or late), per source."""
    frames_recorded: int | None = None
    """Rows recorded at the analysis rate."""
    frames_with_face_model: int | None = None
    """Recorded rows the face model ran on."""
    frames_recorded_without_face_model: int | None = None
    """Rows recorded without the face model (it was busy)."""
    face_model_error: str | None = None
    """Why the face model stopped (poses only from then on)."""
    ended_by: EndedBy | None = None
    """How the session ended."""
    error: str | None = None
    """Why a source was lost or the pipeline failed."""


class LiveRun(ReportModel):
    """A live session's settings and statistics."""

    mode: Literal["pair", "solo"] | None = None
    """``pair`` (both people in front of the camera or in the file) or ``solo`` (practice with a partner clip)."""
    camera: int | None = None
    """The camera's index (null when a file was played)."""
    source: str | None = None
    """The file played with ``--source`` (null for a camera)."""
    partner_video: str | None = None
    """The partner clip of solo practice."""
    me: Person | None = None
    """The trainee, or null."""
    selfie: bool | None = None
    """Whether the camera picture was mirrored."""
    pose_model: str | None = None
    """``lite``, ``full`` or ``heavy``."""
    face: bool | None = None
    """Whether the face model ran."""
    fps: float | None = None
    """Frames per second analysed."""
    max_size: list[int] | None = None
    """Largest frame size analysed, ``[width, height]``."""
    analysis_every_s: float | None = None
    """Seconds between rolling analyses."""
    mechanical_every_s: float | None = None
    """Seconds between mechanical-imitation and coaching runs."""
    span_s: float | None = None
    """Length of the rolling analysis span."""
    stats: LiveStats | None = None
    """What the session measured about itself."""


class Provenance(ReportModel):
    """What the report was made from.

    ``mirror live`` adds ``live`` (the session's settings and statistics). Times are seconds of the source stream
    for a video played with ``--source``, else of the session clock. In solo practice ``partner_source`` describes
    the partner clip and ``people`` says which source each person comes from; each person's image coordinates in
    ``landmarks.npz`` are then relative to their own picture.
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
    live: LiveRun | None = None
    """A live session's settings and statistics."""
    partner_source: SourceInfo | None = None
    """Solo practice: the partner clip as read."""
    people: dict[Person, str] | None = None
    """Solo practice: the source each person comes from (``{"A": "partner", "B": "main"}``; ``main`` is the camera
    or ``--source``)."""


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
    alpha_run: float | None = None
    """A window next to a labelled one, with the same relation at the same delay, continues that run where its
    own p-value is below this (null in reports written before runs continued)."""
    run_lag_s: float | None = None
    """How far a continuing window's delay may be from the delay of the passing window its run grew from."""
    smooth_s: float | None = None
    """Smoothing of the features (Savitzky-Golay window), raised from 0.33 s for people small in the picture
    (few pixels per metre of body: more jitter)."""


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
