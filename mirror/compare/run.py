"""What a comparator run did, typed: settings used, calibration, a short clip's adapted windows, the summary.

These records ride on the results (:attr:`Windows.run <mirror.compare.windows.Windows.run>`,
:attr:`Synchrony.run <mirror.compare.Synchrony.run>`, :attr:`Synchrony.summary
<mirror.compare.Synchrony.summary>`); :func:`mirror.serial.to_plain` writes them as report.json
holds them (a key that does not apply is left out, as before).
"""

from __future__ import annotations

from dataclasses import dataclass

from mirror.compare.settings import CompareSettings
from mirror.serial import omit_none, to_plain


@dataclass(frozen=True)
class Calibration:
    """The null a session's windows were judged against."""

    null: str  # "reference" or "session"
    null_windows: int
    null_relation_windows: int
    alpha: float
    description: str

    def to_dict(self) -> dict:
        return to_plain(self)


@dataclass(frozen=True)
class WindowsRun:
    """How a set of windows was made.

    Attributes
    ----------
    settings : CompareSettings
    lags : int
        Lags scanned per window (0 when there were no windows).
    reason : str or None
        Why there are no windows (None when there are).
    calibration : Calibration or None
        Set by :func:`~mirror.compare.calibrate.calibrate`.
    """

    settings: CompareSettings
    lags: int = 0
    reason: str | None = None
    calibration: Calibration | None = None


@dataclass(frozen=True)
class Adapted:
    """A clip shorter than one window: the window it got instead, or why none fits."""

    reason: str
    window_s: float
    requested_window_s: float | None = omit_none()
    max_lag_s: float | None = omit_none()

    def to_dict(self) -> dict:
        return to_plain(self)


@dataclass(frozen=True)
class CompareRun:
    """Run information of :func:`~mirror.compare.analyze_features`.

    Attributes
    ----------
    settings : CompareSettings
        The settings used (a short clip's adapted ones).
    n_surrogates, seed : int
        The surrogate test's size and random seed.
    calibration : Calibration or None
    adapted : Adapted or None
        Set when the clip was shorter than the requested window.
    no_windows : str or None
        Why no window could be measured (None when some were).
    """

    settings: CompareSettings
    n_surrogates: int
    seed: int
    calibration: Calibration | None
    adapted: Adapted | None = omit_none()
    no_windows: str | None = omit_none()

    def to_dict(self) -> dict:
        return to_plain(self)


@dataclass(frozen=True)
class SurrogateTest:
    """Real synchrony against pseudo-synchrony (:func:`~mirror.compare.events.surrogate_test`).

    Without surrogates (a session too short for them) only ``real``, ``n_surrogates`` (0) and
    ``method`` are set, and only they are written.
    """

    real: float
    surrogate_mean: float | None = omit_none()
    surrogate_sd: float | None = omit_none()
    effect_size: float | None = omit_none()
    p_value: float | None = omit_none()
    n_surrogates: int = 0
    method: str = ""

    def to_dict(self) -> dict:
        return to_plain(self)


@dataclass(frozen=True)
class Shares:
    """Share of the analysable windows in each state, overall and per body part; leader shares."""

    windows: int
    analysable_windows: int
    insufficient_windows: int
    share: dict[str, float]
    share_by_channel: dict[str, dict[str, float]]
    leader_share: dict[str, float]


@dataclass(frozen=True)
class Summary(Shares):
    """The session summary: :class:`Shares` and the surrogate test of its synchrony."""

    synchrony: SurrogateTest

    def to_dict(self) -> dict:
        return to_plain(self)


__all__ = ["Adapted", "Calibration", "CompareRun", "Shares", "Summary", "SurrogateTest", "WindowsRun"]
