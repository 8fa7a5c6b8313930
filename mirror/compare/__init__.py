"""Comparator stage: mirror, match or symmetric synchrony over sliding windows."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.compare.calibrate import NullSamples, NullSource, calibrate
from mirror.compare.events import Event, events_from_windows, state_shares, surrogate_test, synchrony_statistic
from mirror.compare.nulls import reference_null_cached, session_is_long, session_null
from mirror.compare.prepare import Prepared, prepare
from mirror.compare.run import Adapted, Calibration, CompareRun, Shares, Summary, SurrogateTest, WindowsRun
from mirror.compare.settings import PRESETS, CompareSettings, settings_from_preset
from mirror.compare.windows import Windows, compare_prepared, compare_windows
from mirror.features import Features, compute_features
from mirror.landmarks.types import Landmarks
from mirror.memory import temporaries_reused
from mirror.vocabulary import LABELS


@dataclass
class Synchrony:
    """The comparator's result: windows, events, the session summary and what the run did."""

    windows: Windows
    events: list[Event]
    summary: Summary
    run: CompareRun


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


def fit_to_clip(settings: CompareSettings, features: Features) -> tuple[CompareSettings, Adapted | None]:
    """Settings whose window fits a clip shorter than one window, down to :data:`MIN_WINDOW_S`.

    The lag range and step shrink in proportion.  Returns the settings and what was changed
    (None when nothing was).
    """
    t = features.t_s
    duration_s = float(t[-1] - t[0]) + 1.0 / settings.rate_hz if len(t) else 0.0
    if duration_s >= settings.window_s:
        return settings, None
    if duration_s < min(MIN_WINDOW_S, settings.window_s) or not adapted_windows(settings):
        shortest_s = min(MIN_WINDOW_S, settings.window_s)
        return settings, Adapted(
            reason=f"the clip lasts {duration_s:.1f} s, shorter than the shortest window ({shortest_s:g} s): "
            "nothing can be measured",
            window_s=settings.window_s,
        )
    window_s = float(np.floor(duration_s / ADAPTED_WINDOW_STEP_S) * ADAPTED_WINDOW_STEP_S)
    fitted = next(a for a in adapted_windows(settings) if abs(a.window_s - window_s) < 1e-9)
    return fitted, Adapted(
        reason=f"the clip lasts {duration_s:.1f} s, shorter than one {settings.window_s:g} s window: "
        f"windows of {window_s:g} s with lags up to {fitted.max_lag_s:.2g} s instead",
        window_s=window_s,
        requested_window_s=settings.window_s,
        max_lag_s=fitted.max_lag_s,
    )


SMOOTHING_BY_SCALE: tuple[tuple[float, float], ...] = ((300.0, 0.33), (200.0, 0.5), (0.0, 0.75))
"""``(px_per_m, smooth_s)``: the features' smoothing for people at least this large in the picture.

Landmarks jitter by about the same number of pixels whatever a person's size, so a person few
pixels tall (a wide shot, a low-resolution or heavily compressed camera) jitters more, in body
units, than one who fills the frame.  Measured with ``benchmarks/accuracy_real.py`` on the upper-body
composites seen through a poor camera (320x180, 160-300 pixels per metre; the clean footage is
440-1900): macro-F1 0.54 -> 0.71 (lite) and 0.58 -> 0.69 (full) with this smoothing, the
clean framings unchanged and no false alarm on strangers through the same camera.  Three
levels only, so that each preset's null ships ready (:func:`smoothing_levels`)."""


def smoothing_levels(settings: CompareSettings) -> list[CompareSettings]:
    """Every setting :func:`fit_to_footage` can give for these settings (their nulls can be built ahead)."""
    return [replace(settings, smooth_s=s) for _, s in SMOOTHING_BY_SCALE if s > settings.smooth_s + 1e-9]


SMOOTHING_MARGIN = 0.1
"""Share of a level's floor by which the people's size must pass it before a running analysis
(``mirror live``: the last minute, every half second) changes level.  Seated side by side in a
640x480 webcam picture two people are about 300 pixels per metre, on a floor: without the margin
their smoothing, and with it a window's score and p-value, could change from one update to the
next while nobody moved."""


def _level(size: float) -> float:
    return next(s for floor, s in SMOOTHING_BY_SCALE if size >= floor)


def fit_to_footage(
    settings: CompareSettings, features: Features, held_smooth_s: float | None = None
) -> CompareSettings:
    """Settings whose smoothing suits how large the two people are in the picture (:data:`SMOOTHING_BY_SCALE`).

    Their mean scale decides, so both get the same filter (a copy is compared through the
    same filter) and the two pose models, whose scales of one person differ by a few
    percent, seldom choose differently.  The smoothing is only ever raised.  Features
    without a scale (hand-built) keep the settings.

    ``held_smooth_s``: the level a running analysis chose last time.  It is kept until the
    people's size passes another level's floor by :data:`SMOOTHING_MARGIN`.
    """
    scale = features.px_per_m
    if scale is None or not np.isfinite(scale).any():
        return settings
    size = float(np.nanmean(scale))
    smooth_s = _level(size)
    if held_smooth_s is not None and smooth_s != held_smooth_s:
        lighter, heavier = _level(size / (1 + SMOOTHING_MARGIN)), _level(size * (1 + SMOOTHING_MARGIN))
        if lighter < held_smooth_s:  # larger than a lighter level's floor by the margin
            smooth_s = lighter
        elif heavier > held_smooth_s:  # smaller than the held level's floor by the margin
            smooth_s = heavier
        else:
            smooth_s = held_smooth_s
    return replace(settings, smooth_s=smooth_s) if smooth_s > settings.smooth_s + 1e-9 else settings


def choose_null(prep: Prepared, settings: CompareSettings, null: NullSource | None = None) -> NullSamples:
    """The session's own surrogates when it is long enough, else the shipped reference."""
    if null is None:
        null = "session" if session_is_long(len(prep.t), settings) else "reference"
    if null == "session":
        return session_null(prep, settings)
    return reference_null_cached(settings)


def _calibrated(
    features: Features, settings: CompareSettings, n_surrogates: int, seed: int, null: NullSource | None
) -> tuple[Windows, SurrogateTest]:
    """The calibrated windows and the surrogate test: everything they were made from is gone when it returns."""
    prep = prepare(features, settings)
    windows = calibrate(compare_prepared(prep, settings), choose_null(prep, settings, null), settings)
    real = synchrony_statistic(windows)
    test = surrogate_test(prep, settings, real, n_surrogates=n_surrogates, seed=seed, window_start_s=windows.start_s)
    return windows, test


def analyze_features(
    features: Features,
    settings: CompareSettings | None = None,
    n_surrogates: int = 200,
    seed: int = 0,
    null: NullSource | None = None,
    held_smooth_s: float | None = None,
) -> Synchrony:
    """Windows (calibrated against a null), events and statistics from two people's features.

    Parameters
    ----------
    null : {"reference", "session"}, optional
        The null the windows are judged against; default: the session's own surrogates for a
        long session, else the shipped reference (:mod:`mirror.compare.nulls`).
    held_smooth_s : float, optional
        The smoothing a running analysis chose last time (``run.settings.smooth_s``), kept
        until the people's size clearly asks for another (:func:`fit_to_footage`).

    Returns
    -------
    Synchrony
        The result; :attr:`Synchrony.run` holds the settings used, the surrogate test's size
        and seed, the calibration, and a short clip's adapted windows.
    """
    settings, adapted = fit_to_clip(fit_to_footage(settings or CompareSettings(), features, held_smooth_s), features)
    with temporaries_reused():  # the same block-sized temporaries, window block after block
        windows, test = _calibrated(features, settings, n_surrogates, seed, null)
    events = events_from_windows(windows)
    shares = state_shares(windows)
    summary = Summary(**vars(shares), synchrony=test)
    run = CompareRun(
        settings=settings,
        n_surrogates=n_surrogates,
        seed=seed,
        calibration=windows.run.calibration,
        adapted=adapted,
        no_windows=None if len(windows) else (windows.run.reason or "no window could be measured"),
    )
    return Synchrony(windows=windows, events=events, summary=summary, run=run)


def analyze_landmarks(
    landmarks: Landmarks, settings: CompareSettings | None = None, n_surrogates: int = 200, seed: int = 0
) -> Synchrony:
    """Features, then :func:`analyze_features`."""
    return analyze_features(compute_features(landmarks), settings, n_surrogates=n_surrogates, seed=seed)


__all__ = [
    "LABELS",
    "Adapted",
    "Calibration",
    "CompareRun",
    "Shares",
    "Summary",
    "SurrogateTest",
    "WindowsRun",
    "PRESETS",
    "SMOOTHING_BY_SCALE",
    "SMOOTHING_MARGIN",
    "CompareSettings",
    "Event",
    "NullSamples",
    "Synchrony",
    "Windows",
    "analyze_features",
    "adapted_windows",
    "smoothing_levels",
    "analyze_landmarks",
    "fit_to_clip",
    "fit_to_footage",
    "calibrate",
    "choose_null",
    "compare_windows",
    "events_from_windows",
    "settings_from_preset",
    "state_shares",
]
