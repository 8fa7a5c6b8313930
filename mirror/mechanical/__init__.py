"""Mechanical imitation: copying every gesture, too fast, too exact.

Pipeline: features → :class:`Motion` (uniform grid, smoothed) → :class:`Gestures`
(onsets and offsets per person and body part) → :class:`Copies` (who copied
which gesture, mirror or match, at what lag) → per direction and rolling span,
six signs and a score from 0 to 1 (:mod:`mirror.mechanical.score`).
Thresholds and their evidence: ``docs/mechanical.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mirror.features import Features
from mirror.mechanical.copies import DIRECTIONS, Copies, CopySettings, detect_copies
from mirror.mechanical.gestures import CHANNEL_FEATURES, Gestures, GestureSettings, Motion, segment_gestures
from mirror.mechanical.score import (
    SIGN_VALUES,
    SIGNS,
    ScoreSettings,
    SpanSigns,
    measure_span,
    persistent_ranges,
    span_bounds,
)
from mirror.messages import REASONS, render
from mirror.serial import Plain

if TYPE_CHECKING:
    from mirror.compare.windows import Windows


@dataclass(frozen=True)
class MechanicalSettings(Plain):
    gestures: GestureSettings = GestureSettings()
    copies: CopySettings = CopySettings()
    score: ScoreSettings = ScoreSettings()


@dataclass
class Reason:
    """One human-readable reason, with the time ranges it comes from."""

    sign: str
    text: str
    ranges: list[tuple[float, float]]

    def to_dict(self) -> dict:
        return {"sign": self.sign, "text": self.text, "ranges": [[round(a, 3), round(b, 3)] for a, b in self.ranges]}


@dataclass
class Direction:
    """Mechanical imitation in one direction (``copier`` copying ``model``).

    Attributes
    ----------
    score : float
        Highest span score (the worst stretch), NaN when no span had enough gestures.
    session : SpanSigns
        The signs over the whole recording.
    spans : list of SpanSigns
        Rolling spans, in time order.
    reasons : list of Reason
        Why flagged spans were flagged (empty when none was).
    """

    name: str
    copier: str
    model: str
    score: float
    flagged: bool
    session: SpanSigns
    spans: list[SpanSigns]
    reasons: list[Reason]

    @property
    def flagged_ranges(self) -> list[tuple[float, float]]:
        return _merge([(s.start_s, s.end_s) for s in self.spans if s.flagged])

    def to_dict(self) -> dict:
        peak = max((s for s in self.spans if np.isfinite(s.score)), key=lambda s: s.score, default=self.session)
        return {
            "copier": self.copier,
            "model": self.model,
            "score": self.score,
            "flagged": self.flagged,
            "model_gestures": self.session.model_gestures,
            "copies": self.session.copies,
            "session_score": self.session.score,
            "signs": dict(self.session.values),
            "sub_scores": dict(self.session.sub_scores),
            "peak_span": {
                "start_s": peak.start_s,
                "end_s": peak.end_s,
                "signs": dict(peak.values),
                "sub_scores": dict(peak.sub_scores),
            },
            "reasons": [r.to_dict() for r in self.reasons],
            "flagged_ranges": [[a, b] for a, b in self.flagged_ranges],
            "spans": [s.to_dict() for s in self.spans],
        }


@dataclass(frozen=True)
class MechanicalRun:
    """What a run of the mechanical stage found, in counts.

    Attributes
    ----------
    gestures : dict
        Gestures per person (``"A"``, ``"B"``).
    copies : dict
        Copies per direction (:data:`DIRECTIONS`).
    """

    gestures: dict[str, int]
    copies: dict[str, int]

    @classmethod
    def of(cls, gestures: Gestures, copies: Copies) -> MechanicalRun:
        return cls(
            gestures={p: int((gestures.person == i).sum()) for i, p in enumerate("AB")},
            copies={d: int((copies.direction == d).sum()) for d in DIRECTIONS},
        )


@dataclass
class Mechanical:
    """The mechanical-imitation stage's result, both directions, with its settings and counts."""

    motion: Motion
    gestures: Gestures
    copies: Copies
    directions: dict[str, Direction]
    run: MechanicalRun
    settings: MechanicalSettings = field(default_factory=MechanicalSettings)

    def to_dict(self) -> dict:
        return {
            "settings": self.settings.to_dict(),
            "directions": {k: d.to_dict() for k, d in self.directions.items()},
            "gestures": self.gestures.to_records(),
            "copies": self.copies.to_records(self.gestures),
        }


def _merge(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _reasons(name: str, spans: list[SpanSigns], persistent: list[tuple[float, float]]) -> list[Reason]:
    copier, model = name.split("_copies_")
    flagged = [s for s in spans if s.flagged]
    if not flagged:
        return []
    worst = max(flagged, key=lambda s: s.score)
    v = worst.values
    fields = {
        "coverage": dict(copies=worst.copies, gestures=worst.model_gestures, share=v["coverage"]),
        "immediacy": dict(lag=v["immediacy_s"]),
        "regularity": dict(sd=v["lag_sd_s"]),
        "fidelity": dict(fidelity=v["fidelity"]),
        "persistence": dict(seconds=v["persistence"] * (worst.end_s - worst.start_s), span=worst.end_s - worst.start_s),
        "indiscriminateness": dict(copied=worst.small_copied, small=worst.small_gestures),
    }
    reasons = []
    for sign in sorted(SIGNS, key=lambda k: -worst.sub_scores[k]):
        if worst.sub_scores[sign] < 0.5:
            continue
        high = [s for s in flagged if s.sub_scores[sign] >= 0.5]
        if sign == "persistence":
            ranges = _merge(
                [
                    (max(a, s.start_s), min(b, s.end_s))
                    for s in high
                    for a, b in persistent
                    if a < s.end_s and b > s.start_s
                ]
            )
        else:
            ranges = _merge([r for s in high for r in s.copy_ranges])
        text = render(REASONS, sign, copier=copier, model=model, **fields[sign])
        reasons.append(Reason(sign=sign, text=text, ranges=ranges or _merge([(s.start_s, s.end_s) for s in high])))
    return reasons


def detect_mechanical(
    features: Features, windows: Windows | None = None, settings: MechanicalSettings | None = None
) -> Mechanical:
    """Gestures, copies and mechanical-imitation scores, per direction.

    Parameters
    ----------
    features : Features
        ``(T, 2, F)`` both people's features; any length (a whole session, or a rolling buffer live).
    windows : mirror.compare.Windows, optional
        The comparator's windows over the same time; they give the persistence sign
        (without them, persistence counts as 0).
    settings : MechanicalSettings, optional

    Returns
    -------
    Mechanical
        The result; :attr:`Mechanical.run` counts the gestures and copies.
    """
    settings = settings or MechanicalSettings()
    motion = Motion.from_features(features, settings.gestures)
    gestures = segment_gestures(motion, settings.gestures)
    copies = detect_copies(motion, gestures, settings.copies)
    directions = {}
    if len(motion.t_s):
        t0, t1 = float(motion.t_s[0]), float(motion.t_s[-1]) + 1.0 / motion.rate_hz
    else:
        t0 = t1 = 0.0
    for name in DIRECTIONS:
        persistent = persistent_ranges(windows, name, settings.score)
        spans = [
            measure_span(gestures, copies, name, a, b, persistent, settings.score)
            for a, b in span_bounds(t0, t1, settings.score)
        ]
        session = measure_span(gestures, copies, name, t0, t1, persistent, settings.score)
        finite = [s.score for s in spans if np.isfinite(s.score)]
        directions[name] = Direction(
            name=name,
            copier=name[0],
            model=name[-1],
            score=float(max(finite)) if finite else float("nan"),
            flagged=any(s.flagged for s in spans),
            session=session,
            spans=spans,
            reasons=_reasons(name, spans, persistent),
        )
    return Mechanical(
        motion=motion,
        gestures=gestures,
        copies=copies,
        directions=directions,
        run=MechanicalRun.of(gestures, copies),
        settings=settings,
    )


__all__ = [
    "CHANNEL_FEATURES",
    "DIRECTIONS",
    "SIGNS",
    "SIGN_VALUES",
    "Copies",
    "CopySettings",
    "Direction",
    "Gestures",
    "GestureSettings",
    "Mechanical",
    "MechanicalRun",
    "MechanicalSettings",
    "Motion",
    "Reason",
    "ScoreSettings",
    "detect_mechanical",
]
