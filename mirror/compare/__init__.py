"""Comparator stage: mirror, match or symmetric synchrony over sliding windows."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mirror.compare.calibrate import (
    NullSamples,
    NullSource,
    calibrate,
    reference_null_cached,
    session_is_long,
    session_null,
)
from mirror.compare.events import Event, events_from_windows, state_shares, surrogate_test, synchrony_statistic
from mirror.compare.windows import (
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
from mirror.vocabulary import LABELS


@dataclass
class Synchrony:
    """The comparator's result: windows, events and the session summary."""

    windows: Windows
    events: list[Event]
    summary: dict
    info: dict = field(default_factory=dict)


MIN_WINDOW_S = 2.0
"""The shortest window a clip's windows may shrink to: below, a relation cannot be told from chance."""


ADAPTED_WINDOW_STEP_S = 0.5
"""A short clip's window is a whole number of these: few distinct windows, each with its null ready."""


def adapted_windows(settings: CompareSettings) -> list[CompareSettings]:
    """Every setting :func:`fit_to_clip` can give for these settings (their nulls can be built ahead)."""
    out = []
    window_s = MIN_WINDOW_S
    while window_s < settings.window_s - 1e-9:
        factor = window_s / settings.window_s
        out.append(
            replace(
                settings,
                window_s=window_s,
                max_lag_s=settings.max_lag_s * factor,
                step_s=min(settings.step_s, window_s),
            )
        )
        window_s += ADAPTED_WINDOW_STEP_S
    return out


def fit_to_clip(settings: CompareSettings, features: Features) -> tuple[CompareSettings, dict | None]:
    """Settings whose window fits a clip shorter than one window, down to :data:`MIN_WINDOW_S`.

    The lag range and step shrink in proportion.  Returns the settings and what was changed
    (None when nothing was).
    """
    t = features.t_s
    duration_s = float(t[-1] - t[0]) + 1.0 / settings.rate_hz if len(t) else 0.0
    if duration_s >= settings.window_s:
        return settings, None
    if duration_s < min(MIN_WINDOW_S, settings.window_s) or not adapted_windows(settings):
        return settings, {
            "reason": f"the clip lasts {duration_s:.1f} s, shorter than the shortest window ({min(MIN_WINDOW_S, settings.window_s):g} s): nothing can be measured",
            "window_s": settings.window_s,
        }
    window_s = float(np.floor(duration_s / ADAPTED_WINDOW_STEP_S) * ADAPTED_WINDOW_STEP_S)
    fitted = next(a for a in adapted_windows(settings) if abs(a.window_s - window_s) < 1e-9)
    return fitted, {
        "reason": f"the clip lasts {duration_s:.1f} s, shorter than one {settings.window_s:g} s window: "
        f"windows of {window_s:g} s with lags up to {fitted.max_lag_s:.2g} s instead",
        "window_s": window_s,
        "requested_window_s": settings.window_s,
        "max_lag_s": fitted.max_lag_s,
    }


def choose_null(prep, settings: CompareSettings, null: NullSource | None = None) -> NullSamples:
    """The session's own surrogates when it is long enough, else the shipped reference."""
    if null is None:
        null = "session" if session_is_long(len(prep.t), settings) else "reference"
    if null == "session":
        return session_null(prep, settings)
    return reference_null_cached(settings)


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
    settings, adapted = fit_to_clip(settings or CompareSettings(), features)
    prep = prepare(features, settings)
    windows = calibrate(compare_prepared(prep, settings), choose_null(prep, settings, null), settings)
    events = events_from_windows(windows)
    summary = state_shares(windows)
    real = synchrony_statistic(windows)
    summary["synchrony"] = surrogate_test(
        prep, settings, real, n_surrogates=n_surrogates, seed=seed, window_start_s=windows.start_s
    )
    info = {
        "settings": settings.to_dict(),
        "n_surrogates": n_surrogates,
        "seed": seed,
        "calibration": windows.info.get("calibration"),
    }
    if adapted:
        info["adapted"] = adapted
    if not len(windows):
        info["no_windows"] = windows.info.get("reason") or "no window could be measured"
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
    "adapted_windows",
    "analyze_landmarks",
    "fit_to_clip",
    "calibrate",
    "choose_null",
    "compare_windows",
    "events_from_windows",
    "settings_from_preset",
    "state_shares",
]
