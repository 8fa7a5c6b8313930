"""Each body part's (and the whole body's) scores and labels as time series, and the runs of equal labels drawn
from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mirror.report.confidence import DEFAULT_ALPHA, strength
from mirror.report.read import ReportLike, as_report
from mirror.vocabulary import BODY_PARTS, RELATIONS


@dataclass
class ChannelSeries:
    """Mirror and match intensity of one body part, one value per window.

    Attributes
    ----------
    t_s : ndarray, shape (W,)
        Window centres.
    mirror, match : ndarray, shape (W,)
        Best mirror and match scores in [-1, 1]; NaN where the window has no scores.
    label : ndarray of str, shape (W,)
        ``mirror``, ``match``, ``symmetric``, ``none`` or ``insufficient``.
    p_value : ndarray, shape (W,)
        p-value of the window's best candidate relation against the null; NaN where none was
        tested (``insufficient`` windows, parts not compared, reports older than calibration).
    continues : ndarray of bool, shape (W,)
        The label continues a neighbouring window's run (the whole body only; empty: none does).
    """

    t_s: np.ndarray
    mirror: np.ndarray
    match: np.ndarray
    label: np.ndarray
    p_value: np.ndarray
    continues: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def continued(self, i: int) -> bool:
        """Whether window ``i``'s label continues its neighbour's run."""
        return bool(len(self.continues) and self.continues[i])


def _f(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def channel_series(doc: ReportLike) -> dict[str, ChannelSeries]:
    """``{"overall", "head", "left_arm", ...}`` → :class:`ChannelSeries`, from the report's windows."""
    windows = as_report(doc).windows
    t = np.array([(_f(w.start_s) + _f(w.end_s)) / 2 for w in windows], dtype=float)
    out = {
        "overall": ChannelSeries(
            t_s=t,
            mirror=np.array([_f(w.mirror_score) for w in windows], dtype=float),
            match=np.array([_f(w.match_score) for w in windows], dtype=float),
            label=np.array([w.label or "none" for w in windows], dtype=object),
            p_value=np.array([_f(w.p_value) for w in windows], dtype=float),
            continues=np.array([bool(w.continues) for w in windows], dtype=bool),
        )
    }
    insufficient = [w.label == "insufficient" for w in windows]
    for c in BODY_PARTS:
        chans = [w.channels.get(c) for w in windows]
        out[c] = ChannelSeries(
            t_s=t,
            mirror=np.array([_f(ch.mirror_score if ch else None) for ch in chans], dtype=float),
            match=np.array([_f(ch.match_score if ch else None) for ch in chans], dtype=float),
            label=np.array(
                [
                    "insufficient" if bad else ((ch.label if ch else None) or "none")
                    for ch, bad in zip(chans, insufficient, strict=True)
                ],
                dtype=object,
            ),
            p_value=np.array(
                [
                    float("nan") if bad else _f(ch.p_value if ch else None)
                    for ch, bad in zip(chans, insufficient, strict=True)
                ],
                dtype=float,
            ),
        )
    return out


def _tiles(t: np.ndarray, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Each window's share of the timeline: halfway to its neighbours' centres (``step_s`` wide at the ends)."""
    mid = (t[1:] + t[:-1]) / 2
    lo = np.concatenate([[t[0] - step_s / 2], mid])
    hi = np.concatenate([mid, [t[-1] + step_s / 2]])
    return lo, hi


def _runs(series: ChannelSeries, step_s: float, labels, key) -> list[tuple[float, float, str, int, int]]:
    """``(start_s, end_s, label, first, last)`` runs of windows with a label in ``labels`` and equal ``key(i)``."""
    t = np.asarray(series.t_s, dtype=float)
    if len(t) == 0:
        return []
    lo, hi = _tiles(t, step_s)
    runs: list[tuple[float, float, str, int, int]] = []
    prev = None
    for i, lab in enumerate(series.label):
        k = (lab, key(i))
        if lab in labels:
            if prev == k:
                a, _, _, first, _ = runs[-1]
                runs[-1] = (a, float(hi[i]), lab, first, i)
            else:
                runs.append((max(0.0, float(lo[i])), float(hi[i]), lab, i, i))
        prev = k
    return runs


def label_runs(series: ChannelSeries, step_s: float, labels=RELATIONS) -> list[tuple[float, float, str]]:
    """Runs of equal labels as non-overlapping ``(start_s, end_s, label)``.

    Each window owns the time from halfway after the previous window's centre to
    halfway before the next one's (``step_s`` wide at the ends), so runs of
    overlapping windows tile the timeline without overlapping each other.
    """
    return [(a, b, lab) for a, b, lab, _, _ in _runs(series, step_s, labels, lambda i: None)]


def run_p_value(p_value: np.ndarray) -> float:
    """The p-value of a run of windows: the largest of theirs (each beat chance at least this surely)."""
    finite = np.asarray(p_value, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if len(finite) else float("nan")


def p_runs(series: ChannelSeries, step_s: float, labels=RELATIONS) -> list[tuple[float, float, str, float]]:
    """:func:`label_runs` with each run's p-value (:func:`run_p_value`; NaN without one)."""
    return [
        (a, b, lab, run_p_value(series.p_value[i : j + 1]))
        for a, b, lab, i, j in _runs(series, step_s, labels, lambda i: None)
    ]


def strength_runs(
    series: ChannelSeries, step_s: float, alpha: float = DEFAULT_ALPHA, labels=RELATIONS
) -> list[tuple[float, float, str, float, float, bool]]:
    """Runs of equal label and drawing :func:`strength`: ``(start_s, end_s, label, strength, p_value, continues)``.

    Tiled as :func:`label_runs`; a run ends where its windows become surer or less sure, and
    where they start or stop continuing a neighbour's run (``continues``: drawn at the lowest
    strength, with the p-value of no window of their own).
    """
    level = [strength(p, alpha) for p in series.p_value]
    out = []
    for a, b, lab, i, j in _runs(series, step_s, labels, lambda i: (level[i], series.continued(i))):
        continues = series.continued(i)
        p = float("nan") if continues else run_p_value(series.p_value[i : j + 1])
        out.append((a, b, lab, level[i], p, continues))
    return out
