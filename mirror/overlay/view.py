"""A report's windows, mechanical stretches and messages as arrays: :class:`ReportView`.

Read once, from a recorded session's report (:meth:`ReportView.from_dict`) or straight
from the live analysis's typed results (:meth:`ReportView.from_results`), so that the
overlay's state for each frame (:mod:`mirror.overlay.state`) stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mirror.report.doc import DEFAULT_ALPHA, alpha_of, as_report
from mirror.vocabulary import BODY_PARTS

if TYPE_CHECKING:
    from mirror.coach import Message
    from mirror.compare import Synchrony
    from mirror.mechanical import Mechanical
    from mirror.report.model import Report


@dataclass
class ReportView:
    """A report's windows, mechanical spans and messages as arrays (read once).

    Attributes
    ----------
    start_s, end_s : np.ndarray
        ``(W,)`` window bounds, sorted by ``end_s``.
    label : np.ndarray
        ``(W,)`` str overall label.
    channel_label : np.ndarray
        ``(W, 5)`` str label per body part (:data:`~mirror.vocabulary.BODY_PARTS`).
    best : np.ndarray
        ``(W,)`` best relation score in [-1, 1] (max of mirror, match, sync); NaN when insufficient.
    lag_s : np.ndarray
        ``(W,)``.
    leader : np.ndarray
        ``(W,)`` str.
    p_value : np.ndarray
        ``(W,)`` p-value of each window's best candidate relation against the null (NaN: none).
    channel_p : np.ndarray
        ``(W, 5)`` the same per body part.
    continues : np.ndarray
        ``(W,)`` bool: the label continues a neighbouring window's run at a weaker level (``alpha_run``).
    alpha : float
        The significance level the labels were tested at.
    flagged : list of tuple
        ``(copier, start_s, end_s)`` stretches flagged as mechanical imitation.
    messages : list
        :class:`mirror.coach.Message`, time-ordered.
    """

    start_s: np.ndarray
    end_s: np.ndarray
    label: np.ndarray
    channel_label: np.ndarray
    best: np.ndarray
    lag_s: np.ndarray
    leader: np.ndarray
    p_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    alpha: float = DEFAULT_ALPHA
    flagged: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    channel_p: np.ndarray = field(default_factory=lambda: np.zeros((0, len(BODY_PARTS))))
    continues: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @classmethod
    def empty(cls) -> ReportView:
        z = np.zeros(0)
        return cls(
            z,
            z,
            np.zeros(0, dtype=object),
            np.zeros((0, len(BODY_PARTS)), dtype=object),
            z,
            z,
            np.zeros(0, dtype=object),
            z,
        )

    @classmethod
    def from_dict(cls, report: Report | dict) -> ReportView:
        """From a ``mirror.report`` v1 document (:func:`mirror.report.read_report`, or ``report.json``'s data)."""
        from mirror.coach import Message

        doc = as_report(report)
        wins = sorted(doc.windows, key=lambda w: _f(w.end_s))
        n = len(wins)
        start = np.array([_f(w.start_s) for w in wins], dtype=float)
        end = np.array([_f(w.end_s) for w in wins], dtype=float)
        label = np.array([str(w.label or "") for w in wins], dtype=object)
        chan = np.full((n, len(BODY_PARTS)), "", dtype=object)
        chan_p = np.full((n, len(BODY_PARTS)), np.nan)
        for i, w in enumerate(wins):
            for k, c in enumerate(BODY_PARTS):
                part = w.channels.get(c)
                chan[i, k] = str(part.label or "") if part is not None else ""
                chan_p[i, k] = _f(part.p_value if part is not None else None)
        scores = np.array([[_f(w.mirror_score), _f(w.match_score), _f(w.sync_score)] for w in wins], dtype=float)
        best = _best(scores.reshape(n, 3), label)
        lag = np.array([_f(w.lag_s) for w in wins], dtype=float)
        leader = np.array([str(w.leader or "") for w in wins], dtype=object)
        p_value = np.array([_f(w.p_value) for w in wins], dtype=float)
        continues = np.array([bool(w.continues) for w in wins], dtype=bool)
        flagged = []
        for d in (doc.mechanical.directions if doc.mechanical is not None else {}).values():
            ranges = d.flagged_ranges
            if ranges is None:  # older documents: from the spans
                ranges = [(s.start_s, s.end_s) for s in d.spans if s.flagged]
            flagged += [(str(d.copier), float(a), float(b)) for a, b in ranges]
        messages = [
            Message(m.t_s, m.to, m.kind, m.key, m.text, m.channel, _or(m.start_s, m.t_s), _or(m.end_s, m.t_s))
            for m in doc.feedback
        ]
        messages.sort(key=lambda m: m.t_s)
        return cls(
            start, end, label, chan, best, lag, leader, p_value, alpha_of(doc), flagged, messages, chan_p, continues
        )

    @classmethod
    def from_results(
        cls, synchrony: Synchrony, mechanical: Mechanical | None = None, messages: Sequence[Message] = ()
    ) -> ReportView:
        """Straight from the analysis in memory (the live path): what :meth:`from_dict` reads from its report.

        Parameters
        ----------
        synchrony : mirror.compare.Synchrony
            The comparator's result (its windows and calibration).
        mechanical : mirror.mechanical.Mechanical, optional
            Mechanical imitation: its flagged stretches become warnings.
        messages : sequence of mirror.coach.Message
            Coaching messages.
        """
        w = synchrony.windows
        order = np.argsort(w.end_s, kind="stable")
        n = len(order)
        column = {c: k for k, c in enumerate(w.channels)}
        chan = np.full((n, len(BODY_PARTS)), "", dtype=object)
        chan_p = np.full((n, len(BODY_PARTS)), np.nan)
        for k, c in enumerate(BODY_PARTS):
            if c in column:
                chan[:, k] = [str(x) for x in w.channel_label[order, column[c]]]
                chan_p[:, k] = _finite(w.channel_p[order, column[c]])
        label = np.array([str(x) for x in w.label[order]], dtype=object)
        scores = np.stack(
            [_finite(w.mirror_score[order]), _finite(w.match_score[order]), _finite(w.sync_score[order])], 1
        )
        best = _best(scores, label)
        leader = np.array([str(x) for x in w.leader[order]], dtype=object)
        flagged = []
        if mechanical is not None:
            for d in mechanical.directions.values():
                flagged += [(str(d.copier), float(a), float(b)) for a, b in d.flagged_ranges]
        calibration = synchrony.run.calibration
        alpha = calibration.alpha if calibration is not None else synchrony.run.settings.alpha
        return cls(
            _finite(w.start_s[order]),
            _finite(w.end_s[order]),
            label,
            chan,
            best,
            _finite(w.lag_s[order]),
            leader,
            _finite(w.p_value[order]),
            float(alpha) if alpha else DEFAULT_ALPHA,
            flagged,
            sorted(messages, key=lambda m: m.t_s),
            chan_p,
            w.continues[order].astype(bool),
        )

    def __len__(self) -> int:
        return len(self.end_s)

    def current(self, t_s: float, rule: str = "centre") -> int | None:
        """Index of the window that describes ``t_s`` (see the module notes), or None."""
        if len(self) == 0:
            return None
        if rule == "latest":
            i = int(np.searchsorted(self.end_s, t_s + 1e-9, side="right")) - 1
            return i if i >= 0 else None
        inside = np.flatnonzero((self.start_s <= t_s + 1e-9) & (self.end_s >= t_s - 1e-9))
        if len(inside) == 0:
            return None
        centre = (self.start_s[inside] + self.end_s[inside]) / 2
        return int(inside[np.argmin(np.abs(centre - t_s))])


def _or(value: float | None, default: float) -> float:
    """A message's stretch bound, or its own time when the report does not give one."""
    return default if value is None else value


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def _finite(x: np.ndarray) -> np.ndarray:
    """As floats, with infinities as NaN (as a report writes them: null)."""
    x = np.asarray(x, dtype=float)
    return np.where(np.isinf(x), np.nan, x)


def _best(scores: np.ndarray, label: np.ndarray) -> np.ndarray:
    """``(W,)`` the best of each window's ``(W, 3)`` mirror, match and sync scores; NaN when insufficient."""
    with np.errstate(invalid="ignore"):
        best = np.where(np.isnan(scores).all(1), np.nan, np.nanmax(np.where(np.isnan(scores), -np.inf, scores), axis=1))
    best[label == "insufficient"] = np.nan
    return best
