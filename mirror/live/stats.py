"""What a live session measured about itself: frames, rates, latency, inference and analysis times."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mirror.serial import to_plain

if TYPE_CHECKING:
    from mirror.live.settings import EndedBy


@dataclass(frozen=True)
class Timing:
    """A distribution of durations, in milliseconds (None when nothing was timed)."""

    median: float | None
    p95: float | None
    n: int

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        """From durations in seconds (rounded to 0.01 ms)."""
        if not seconds:
            return cls(None, None, 0)
        ms = np.asarray(seconds) * 1000.0
        return cls(round(float(np.median(ms)), 2), round(float(np.percentile(ms, 95)), 2), len(ms))


@dataclass(frozen=True)
class LiveStats:
    """A finished session's statistics (written to report.json as ``provenance.live.stats``).

    Attributes
    ----------
    seconds : float
        Wall time from the start of the frame loop to its end.
    frames_shown : int
        Fresh frames drawn in the window (redraws not counted).
    fps_shown : float or None
        ``frames_shown`` per second.
    cpu_seconds : float
        CPU time of every thread of the process while the session ran.
    latency_ms, inference_ms, analysis_ms : Timing
        Capture to display; the pose step per frame; one rolling analysis.
    analysis_runs, mechanical_runs : int
        Rolling comparator runs; mechanical-imitation and coaching runs.
    analysis_errors : list of str
        The first five rolling-analysis failures (the view kept the previous analysis).
    frames_captured, frames_dropped : dict
        Per source (``main``, ``partner``): frames read; frames dropped (stale or late).
    frames_recorded : int
        Rows recorded at the analysis rate.
    frames_with_face_model, frames_recorded_without_face_model : int
        Recorded rows the face model ran on; rows recorded without it (it was busy).
    face_model_error : str or None
        Why the face model stopped (poses only from then on).
    ended_by : str
        One of :data:`~mirror.live.settings.ENDINGS`.
    error : str or None
        Why a source was lost or the pipeline failed.
    """

    seconds: float
    frames_shown: int
    fps_shown: float | None
    cpu_seconds: float
    latency_ms: Timing
    inference_ms: Timing
    analysis_ms: Timing
    analysis_runs: int
    mechanical_runs: int
    analysis_errors: list[str]
    frames_captured: dict[str, int]
    frames_dropped: dict[str, int]
    frames_recorded: int
    frames_with_face_model: int
    frames_recorded_without_face_model: int
    face_model_error: str | None
    ended_by: EndedBy
    error: str | None

    def to_dict(self) -> dict:
        """JSON-ready, by field name (the timings as ``{"median", "p95", "n"}``)."""
        return to_plain(self)
