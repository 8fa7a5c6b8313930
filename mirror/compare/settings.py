"""The comparator's settings: window geometry and decision thresholds, and the named presets."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.errors import MirrorError
from mirror.serial import Plain


@dataclass(frozen=True)
class CompareSettings(Plain):
    """Window geometry and decision thresholds, in seconds and score units."""

    window_s: float = 4.0
    step_s: float = 0.5
    max_lag_s: float = 3.0
    rate_hz: float = 16.0  # the comparison grid: 0.5 s and 0.25 s are whole numbers of samples
    max_gap_s: float = 0.5
    min_valid: float = 0.6  # share of a window both people must have data for
    min_score: float = 0.45  # mirror/match score needed for a label
    # RMS change of each person's antisymmetric posture over a window (shoulder widths, radians) to tell the side
    min_change: float = 1e-3
    min_sync: float = 0.45  # symmetric-part correlation (drifts removed) for "symmetric"
    move_scale: float = 0.15  # asymmetry speed (units/s) at which movement counts fully
    together_s: float = 0.1  # |lag| below this: nobody leads
    min_arm_motion: float = 0.03  # an arm's drift-free RMS (shoulder widths) to compare it
    min_sym_motion: float = 0.02  # drift-free RMS of each person's symmetric part for "symmetric" evidence
    alpha: float = 0.01  # a relation is labelled only when its p-value against the null is below this
    # a window next to a labelled one, with the same relation at the same delay (within run_lag_s), continues
    # that run where its own p-value is below alpha_run (a copy that holds one delay through a weak stretch)
    alpha_run: float = 0.05
    run_lag_s: float = 0.25
    smooth_s: float = 0.33  # Savitzky-Golay smoothing of the features (raised for people small in the picture)

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, valid: str) -> None:
            if not ok:
                raise MirrorError(f"{name} must be {valid}, got {getattr(self, name)}")

        finite = all(np.isfinite(float(v)) for v in self.__dict__.values())
        if not finite:
            raise MirrorError("window settings must be finite numbers")
        check(self.window_s > 0, "window_s", "positive")
        check(self.rate_hz >= 2, "rate_hz", "at least 2 (Hz)")
        check(
            self.window_s * self.rate_hz >= 5,
            "window_s",
            f"at least 5 samples long (>= {5 / self.rate_hz:.2f} s at {self.rate_hz:g} Hz)",
        )
        check(0 < self.step_s <= self.window_s, "step_s", f"in (0, window_s = {self.window_s:g}]")
        check(0 <= self.max_lag_s <= self.window_s, "max_lag_s", f"in [0, window_s = {self.window_s:g}]")
        check(0 < self.min_valid <= 1, "min_valid", "in (0, 1]")
        check(-1 <= self.min_score <= 1, "min_score", "in [-1, 1]")
        check(-1 <= self.min_sync <= 1, "min_sync", "in [-1, 1]")
        check(self.min_change >= 0, "min_change", ">= 0")
        check(self.max_gap_s >= 0, "max_gap_s", ">= 0")
        check(0 < self.alpha < 1, "alpha", "in (0, 1)")
        check(self.alpha <= self.alpha_run < 1, "alpha_run", f"in [alpha = {self.alpha:g}, 1)")
        check(self.run_lag_s >= 0, "run_lag_s", ">= 0")
        check(0 < self.smooth_s <= self.window_s, "smooth_s", f"in (0, window_s = {self.window_s:g}]")
        for name in ("window_s", "step_s"):  # windows sit on an exact grid of the stated step
            check(
                _whole_samples(getattr(self, name), self.rate_hz), name, _grid_hint(getattr(self, name), self.rate_hz)
            )


def _whole_samples(seconds: float, rate_hz: float) -> bool:
    return abs(seconds * rate_hz - round(seconds * rate_hz)) < 1e-6


def _grid_hint(seconds: float, rate_hz: float) -> str:
    """What a length that is not a whole number of grid samples should be instead."""
    lo = np.floor(seconds * rate_hz) / rate_hz
    hi = np.ceil(seconds * rate_hz) / rate_hz
    near = " or ".join(f"{v:g}" for v in (lo, hi) if v > 0)
    return f"a whole number of {1 / rate_hz:g} s samples (the comparison runs at {rate_hz:g} Hz), such as {near}"


PRESETS = {
    "live": CompareSettings(),
    "report": CompareSettings(window_s=30.0, step_s=10.0, max_lag_s=5.0),
}
"""``live``: 4 s windows every 0.5 s, lags up to 3 s.  ``report``: as rMEA's common
choice, 30 s windows every 10 s, lags up to 5 s."""


def settings_from_preset(preset: str, **overrides: float | None) -> CompareSettings:
    """A preset's settings with some replaced (``None`` keeps the preset's value).

    Raises
    ------
    MirrorError
        An unknown preset (the valid ones are named) or an invalid value.
    """
    if preset not in PRESETS:
        raise MirrorError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    return replace(PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})
