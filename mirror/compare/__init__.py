"""Comparator stage: mirror, match or symmetric synchrony over sliding windows."""

from __future__ import annotations

from dataclasses import dataclass, field

from mirror.compare.calibrate import NullSamples, NullSource, calibrate, reference_null, session_is_long, session_null
from mirror.compare.events import Event, events_from_windows, state_shares, surrogate_test, synchrony_statistic
from mirror.compare.windows import (
    LABELS,
    PRESETS,
    CompareSettings,
    Windows,
    compare_prepared,
    compare_windows,
    prepare,
    settings_from_preset,
)
from mirror.features import Features, compute_features
from mirror.landmarks.types import Landmarks


@dataclass
class Synchrony:
    """The comparator's result: windows, events and the session summary."""

    windows: Windows
    events: list[Event]
    summary: dict
    info: dict = field(default_factory=dict)


def choose_null(prep, settings: CompareSettings, null: NullSource | None = None) -> NullSamples:
    """The session's own surrogates when it is long enough, else the shipped reference."""
    if null is None:
        null = "session" if session_is_long(len(prep.t), settings) else "reference"
    if null == "session":
        return session_null(prep, settings)
    return reference_null(settings)


def analyze_features(
    features: Features,
    settings: CompareSettings | None = None,
    n_surrogates: int = 200,
    seed: int = 0,
    null: NullSource | None = None,
) -> tuple[Synchrony, dict]:
    """Windows (calibrated against a null), events and statistics from two people's features.

    Parameters
    ----------
    null : {"reference", "session"}, optional
        The null the windows are judged against; default: the session's own surrogates for a
        long session, else the shipped reference (:mod:`mirror.compare.calibrate`).

    Returns
    -------
    (Synchrony, dict)
        The result and run information (settings, surrogate method, calibration).
    """
    settings = settings or CompareSettings()
    prep = prepare(features, settings)
    windows = calibrate(compare_prepared(prep, settings), choose_null(prep, settings, null), settings)
    events = events_from_windows(windows)
    summary = state_shares(windows)
    real = synchrony_statistic(windows)
    summary["synchrony"] = surrogate_test(prep, settings, real, n_surrogates=n_surrogates, seed=seed)
    info = {"settings": settings.to_dict(), "n_surrogates": n_surrogates, "seed": seed, "calibration": windows.info.get("calibration")}
    return Synchrony(windows=windows, events=events, summary=summary, info=info), info


def analyze_landmarks(
    landmarks: Landmarks, settings: CompareSettings | None = None, n_surrogates: int = 200, seed: int = 0
) -> tuple[Synchrony, dict]:
    """Features, then :func:`analyze_features`."""
    return analyze_features(compute_features(landmarks), settings, n_surrogates=n_surrogates, seed=seed)


__all__ = [
    "LABELS",
    "PRESETS",
    "CompareSettings",
    "Event",
    "NullSamples",
    "Synchrony",
    "Windows",
    "analyze_features",
    "analyze_landmarks",
    "calibrate",
    "choose_null",
    "compare_windows",
    "events_from_windows",
    "settings_from_preset",
    "state_shares",
]
