"""The six signs of mechanical imitation, and the score they add up to.

Each sign is measured per direction (who copies whom) over rolling spans
(``span_s`` long, ending every ``step_s`` back from the end of the recording)
and turned into a sub-score in [0, 1] by a linear ramp between a value that
is ordinary in natural mimicry (0) and one that is typical of mechanical
copying (1).  The score is the weighted mean of the sub-scores; a span is
flagged when it reaches ``flag_score`` and the model made at least
``min_model_gestures`` gestures in it.  The ramps and the evidence behind each
are documented in ``docs/mechanical.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mirror.mechanical.copies import DIRECTIONS, Copies
from mirror.mechanical.gestures import Gestures
from mirror.serial import Plain

if TYPE_CHECKING:
    from mirror.compare.windows import Windows

SIGNS = ("coverage", "immediacy", "regularity", "fidelity", "persistence", "indiscriminateness")
SIGN_VALUES = {
    "coverage": "coverage",
    "immediacy": "immediacy_s",
    "regularity": "lag_sd_s",
    "fidelity": "fidelity",
    "persistence": "persistence",
    "indiscriminateness": "indiscriminateness",
}
"""Sub-score name -> name of the measured value it comes from."""


@dataclass(frozen=True)
class ScoreSettings(Plain):
    span_s: float = 60.0
    step_s: float = 10.0
    min_model_gestures: int = 5  # fewer in a span: no score
    min_copies: int = 3  # fewer: lag and fidelity signs count as 0
    flag_score: float = 0.6
    # ramps (value giving sub-score 0, value giving 1)
    coverage_ramp: tuple[float, float] = (0.4, 0.8)
    immediacy_ramp_s: tuple[float, float] = (1.0, 0.5)
    regularity_ramp_s: tuple[float, float] = (0.6, 0.15)
    fidelity_ramp: tuple[float, float] = (0.55, 0.85)
    persistence_ramp: tuple[float, float] = (0.1, 0.5)
    indiscriminateness_ramp: tuple[float, float] = (0.3, 0.7)
    weights: tuple[float, ...] = (0.2, 0.2, 0.15, 0.15, 0.15, 0.15)  # in SIGNS order
    # persistence: comparator windows with a relation this strong, at a lag within lag_tolerance_s
    # of their run's median, for at least persist_min_s
    persist_min_score: float = 0.5
    lag_tolerance_s: float = 0.25
    persist_min_s: float = 10.0


def ramp(value: float, zero: float, one: float) -> float:
    """Linear map of ``value`` from ``zero`` (-> 0) to ``one`` (-> 1), clipped; NaN -> 0."""
    if not np.isfinite(value):
        return 0.0
    return float(np.clip((value - zero) / (one - zero), 0.0, 1.0))


def persistent_ranges(windows: Windows | None, direction: str, settings: ScoreSettings) -> list[tuple[float, float]]:
    """Time ranges where the comparator finds a strong relation at one fixed lag, with the copier behind.

    Parameters
    ----------
    windows : mirror.compare.Windows or None
    direction : str
        ``B_copies_A`` counts windows with ``lag_s >= -together_s`` (A leads or nobody does),
        ``A_copies_B`` those with ``lag_s <= together_s``.
    """
    if windows is None or len(windows) == 0:
        return []
    together = windows.run.settings.together_s
    best = np.fmax(np.nan_to_num(windows.mirror_score, nan=-1), np.nan_to_num(windows.match_score, nan=-1))
    lag = windows.lag_s
    sided = np.isin(windows.label, ("mirror", "match"))
    toward = lag >= -together if direction == "B_copies_A" else lag <= together
    strong = sided & (best >= settings.persist_min_score) & np.isfinite(lag) & toward
    ranges: list[tuple[float, float]] = []
    i, n = 0, len(windows)
    while i < n:
        if not strong[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and strong[j + 1] and abs(lag[j + 1] - np.median(lag[i : j + 1])) <= settings.lag_tolerance_s:
            j += 1
        start, end = float(windows.start_s[i]), float(windows.end_s[j])
        if end - start >= settings.persist_min_s:
            if ranges and start <= ranges[-1][1]:  # windows overlap: runs next to each other touch
                ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
            else:
                ranges.append((start, end))
        i = j + 1
    return ranges


def _overlap(ranges: list[tuple[float, float]], a: float, b: float) -> float:
    return sum(max(0.0, min(b, e) - max(a, s)) for s, e in ranges)


@dataclass
class SpanSigns:
    """The signs of one direction over one span."""

    start_s: float
    end_s: float
    model_gestures: int
    copies: int
    small_gestures: int
    small_copied: int
    values: dict  # SIGN_VALUES names -> measured value (NaN when undefined)
    sub_scores: dict  # SIGNS -> [0, 1]
    score: float  # NaN: not enough gestures
    flagged: bool
    copy_ranges: list = field(default_factory=list)  # (model onset, copy end) of each copy

    def to_dict(self) -> dict:
        return {"start_s": self.start_s, "end_s": self.end_s, "score": self.score, "flagged": self.flagged,
                "model_gestures": self.model_gestures, "copies": self.copies}  # fmt: skip


def measure_span(
    gestures: Gestures,
    copies: Copies,
    direction: str,
    start_s: float,
    end_s: float,
    persistent: list[tuple[float, float]],
    settings: ScoreSettings,
) -> SpanSigns:
    """Signs, sub-scores and score of one direction over ``[start_s, end_s)``."""
    model = 0 if direction == "B_copies_A" else 1
    in_span = (gestures.person == model) & (gestures.start_s >= start_s) & (gestures.start_s < end_s)
    n_model = int(in_span.sum())
    mine = (copies.direction == direction) & np.isin(copies.model, np.flatnonzero(in_span))
    lags = copies.lag_s[mine]
    n_copies = int(mine.sum())
    small = in_span & gestures.small
    small_copied = int(np.isin(copies.model[mine], np.flatnonzero(small)).sum())
    enough_copies = n_copies >= settings.min_copies
    values = {
        "coverage": n_copies / n_model if n_model else float("nan"),
        "immediacy_s": float(np.median(lags)) if n_copies else float("nan"),
        "lag_sd_s": float(1.4826 * np.median(np.abs(lags - np.median(lags))))
        if n_copies >= 2
        else float("nan"),  # robust SD (MAD)
        "fidelity": float(np.median(copies.fidelity[mine])) if n_copies else float("nan"),
        "persistence": _overlap(persistent, start_s, end_s) / max(end_s - start_s, 1e-9),
        "indiscriminateness": small_copied / int(small.sum()) if small.sum() else float("nan"),
    }
    subs = {
        "coverage": ramp(values["coverage"], *settings.coverage_ramp),
        "immediacy": ramp(values["immediacy_s"], *settings.immediacy_ramp_s) if enough_copies else 0.0,
        "regularity": ramp(values["lag_sd_s"], *settings.regularity_ramp_s) if enough_copies else 0.0,
        "fidelity": ramp(values["fidelity"], *settings.fidelity_ramp) if enough_copies else 0.0,
        "persistence": ramp(values["persistence"], *settings.persistence_ramp),
        "indiscriminateness": ramp(values["indiscriminateness"], *settings.indiscriminateness_ramp)
        if small.sum() >= 3
        else 0.0,
    }
    w = np.array(settings.weights, dtype=float)
    score = (
        float(np.dot(w, [subs[k] for k in SIGNS]) / w.sum()) if n_model >= settings.min_model_gestures else float("nan")
    )
    ranges = [
        (float(gestures.start_s[copies.model[k]]), float(gestures.end_s[copies.copy[k]])) for k in np.flatnonzero(mine)
    ]
    return SpanSigns(
        start_s=float(start_s),
        end_s=float(end_s),
        model_gestures=n_model,
        copies=n_copies,
        small_gestures=int(small.sum()),
        small_copied=small_copied,
        values=values,
        sub_scores=subs,
        score=score,
        flagged=bool(np.isfinite(score) and score >= settings.flag_score),
        copy_ranges=ranges,
    )


def span_bounds(t0: float, t1: float, settings: ScoreSettings) -> list[tuple[float, float]]:
    """Spans ``span_s`` long ending at ``t1``, ``t1 - step_s``, ... (one span when shorter)."""
    if t1 - t0 <= settings.span_s:
        return [(t0, t1)]
    ends = np.arange(t1, t0 + settings.span_s - 1e-9, -settings.step_s)[::-1]
    return [(float(e - settings.span_s), float(e)) for e in ends]


__all__ = [
    "DIRECTIONS",
    "SIGNS",
    "ScoreSettings",
    "SpanSigns",
    "measure_span",
    "persistent_ranges",
    "ramp",
    "span_bounds",
]
