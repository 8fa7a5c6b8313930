"""Gestures: movement onsets and offsets per person and body part.

Each body part (channel) of each person is a small group of body-centric
features (:data:`CHANNEL_FEATURES`).  Its speed is the norm of their smoothed
time derivative.  A gesture is a stretch where the speed rises above an onset
threshold and stays above an offset threshold (hysteresis).  The thresholds
adapt to the person's own movement: ``onset_factor`` times the median speed of
that channel, never below a floor (:data:`SPEED_FLOORS`), so tracking jitter
alone does not make gestures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mirror.features import Features
from mirror.features.body import FEATURE_INDEX
from mirror.serial import Plain
from mirror.signal import resample, smooth_and_differentiate, true_runs
from mirror.vocabulary import BODY_PART_FEATURES, BODY_PARTS

CHANNEL_FEATURES = BODY_PART_FEATURES
"""The features that make up each body part (:data:`mirror.vocabulary.BODY_PART_FEATURES`)."""

SPEED_FLOORS = {"head": 0.25, "left_arm": 0.6, "right_arm": 0.6, "torso": 0.2, "face": 0.8}
"""Lowest onset speed per channel (feature units per second), about twice the median speed
of the calmest seated person in the shipped clips (raga_2people, right: head 0.12, arms
0.30, torso 0.09, face 0.40 with the gesture smoothing), so tracking jitter of a still
person does not make gestures."""


@dataclass(frozen=True)
class GestureSettings(Plain):
    """Segmentation parameters, in seconds and multiples of the median speed."""

    rate_hz: float = 15.0
    max_gap_s: float = 0.5
    smooth_s: float = 0.6  # Savitzky-Golay window for positions and speed
    onset_factor: float = 2.5  # onset: speed above this many times the channel's median speed
    offset_ratio: float = 0.5  # offset: speed below this share of the onset threshold
    min_duration_s: float = 0.3
    merge_gap_s: float = 0.25


@dataclass
class Motion:
    """Both people's features on a uniform grid, smoothed, with velocities.

    Attributes
    ----------
    t_s : np.ndarray
        ``(N,)`` grid times.
    x, v : np.ndarray
        ``(N, 2, F)`` smoothed features and their time derivative (per second); NaN where unknown.
    rate_hz : float
    """

    t_s: np.ndarray
    x: np.ndarray
    v: np.ndarray
    rate_hz: float

    @classmethod
    def from_features(cls, features: Features, settings: GestureSettings) -> Motion:
        t, values = resample(features.t_s, features.values, settings.rate_hz, settings.max_gap_s)
        if len(t) == 0:
            return cls(t_s=t, x=values, v=values.copy(), rate_hz=settings.rate_hz)
        x, v = smooth_and_differentiate(values, settings.rate_hz, window_s=settings.smooth_s)
        return cls(t_s=t, x=x, v=v, rate_hz=settings.rate_hz)

    def channel_speed(self, person: int, channel: str) -> np.ndarray:
        """``(N,)`` speed of one body part, NaN where any of its features is unknown."""
        idx = [FEATURE_INDEX[n] for n in CHANNEL_FEATURES[channel]]
        return np.linalg.norm(self.v[:, person][:, idx], axis=-1)


@dataclass
class Gestures:
    """Gestures of both people.

    Attributes
    ----------
    person : np.ndarray
        ``(G,)`` int, 0 for A and 1 for B.
    channel : np.ndarray
        ``(G,)`` str, one of :data:`~mirror.vocabulary.BODY_PARTS`.
    start_s, end_s, peak_s : np.ndarray
        ``(G,)`` onset, offset and time of peak speed.
    start_i, end_i : np.ndarray
        ``(G,)`` grid indices of onset and offset (exclusive).
    amplitude : np.ndarray
        ``(G,)`` largest excursion from the onset posture (feature units).
    small : np.ndarray
        ``(G,)`` bool: below the median amplitude of that person's gestures on that channel
        (incidental movements).
    """

    person: np.ndarray
    channel: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    peak_s: np.ndarray
    start_i: np.ndarray
    end_i: np.ndarray
    amplitude: np.ndarray
    small: np.ndarray
    settings: GestureSettings = field(default_factory=GestureSettings)

    def __len__(self) -> int:
        return len(self.start_s)

    @classmethod
    def empty(cls, settings: GestureSettings | None = None) -> Gestures:
        z = np.zeros(0)
        return cls(
            z.astype(int),
            z.astype("<U9"),
            z,
            z,
            z,
            z.astype(int),
            z.astype(int),
            z,
            z.astype(bool),
            settings=settings or GestureSettings(),
        )

    def to_records(self) -> list[dict]:
        return [
            {
                "person": "AB"[int(self.person[i])],
                "channel": str(self.channel[i]),
                "start_s": float(self.start_s[i]),
                "end_s": float(self.end_s[i]),
                "amplitude": float(self.amplitude[i]),
                "small": bool(self.small[i]),
            }
            for i in range(len(self))
        ]


def segment_channel(speed: np.ndarray, floor: float, settings: GestureSettings) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` grid index ranges of the gestures in one speed series.

    A movement already under way at the first known sample (the start of the series, or
    right after unknown samples) is left out: its onset was not seen.

    Parameters
    ----------
    speed : np.ndarray
        ``(N,)`` speed, NaN where unknown (never part of a gesture).
    floor : float
        Lowest onset threshold.
    """
    if len(speed) == 0 or np.isnan(speed).all():
        return []
    onset = max(floor, settings.onset_factor * float(np.nanmedian(speed)))
    unknown = np.isnan(speed)
    s = np.nan_to_num(speed, nan=0.0)
    above = s > settings.offset_ratio * onset
    runs = [(a, b) for a, b in true_runs(above) if s[a:b].max() > onset]
    merged: list[list[int]] = []
    gap = int(round(settings.merge_gap_s * settings.rate_hz))
    for a, b in runs:
        if merged and a - merged[-1][1] <= gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    shortest = settings.min_duration_s * settings.rate_hz
    # a movement already under way at the first known sample (the clip's start, or the end of a
    # gap) has no onset we saw: its start would be invented, so it is not a gesture
    return [(a, b) for a, b in merged if b - a >= shortest and a > 0 and not unknown[a - 1]]


def excursion(x: np.ndarray) -> float:
    """Largest distance of a ``(L, K)`` trajectory from its first valid sample."""
    ok = ~np.isnan(x).any(-1)
    if ok.sum() < 2:
        return 0.0
    y = x[ok]
    return float(np.max(np.linalg.norm(y - y[0], axis=-1)))


def segment_gestures(motion: Motion, settings: GestureSettings | None = None) -> Gestures:
    """All gestures of both people on every channel.

    Returns
    -------
    Gestures
        Sorted by onset time.
    """
    settings = settings or GestureSettings()
    rows = []
    for person in (0, 1):
        for channel in BODY_PARTS:
            speed = motion.channel_speed(person, channel)
            idx = [FEATURE_INDEX[n] for n in CHANNEL_FEATURES[channel]]
            found = []
            for a, b in segment_channel(speed, SPEED_FLOORS[channel], settings):
                peak = a + int(np.nanargmax(np.nan_to_num(speed[a:b], nan=-1.0)))
                found.append([person, channel, a, b, peak, excursion(motion.x[a:b, person][:, idx])])
            if found:
                amps = np.array([f[-1] for f in found])
                med = float(np.median(amps))
                for f, amp in zip(found, amps, strict=True):
                    rows.append(f + [bool(amp < med)])
    if not rows:
        return Gestures.empty(settings)
    rows.sort(key=lambda r: (r[2], r[0], BODY_PARTS.index(r[1])))
    t = motion.t_s
    n = len(t)
    start_i = np.array([r[2] for r in rows])
    end_i = np.array([r[3] for r in rows])
    return Gestures(
        person=np.array([r[0] for r in rows]),
        channel=np.array([r[1] for r in rows], dtype="<U9"),
        start_s=t[start_i],
        end_s=t[np.minimum(end_i, n - 1)],
        peak_s=t[np.array([r[4] for r in rows])],
        start_i=start_i,
        end_i=end_i,
        amplitude=np.array([r[5] for r in rows], dtype=float),
        small=np.array([r[6] for r in rows], dtype=bool),
        settings=settings,
    )
