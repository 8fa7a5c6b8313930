"""Coaching: short, specific, time-stamped messages from the analysis.

Three kinds, each addressed to one person (``to``), in the second person:

``warning``
    Mechanical imitation: emitted when a rolling span of the copier is flagged
    (at the span's end, when the evidence is complete), then at most every
    ``repeat_s`` while it stays flagged.  The sentence names the strongest sign.
``praise``
    A natural copy: a salient gesture of the partner mirrored or matched
    ``natural_lag_s`` later, not within a flagged span.  At most every ``praise_every_s``.
``prompt``
    The partner has held a posture (leaning back, head tilted, arms crossed, ...)
    for ``hold_s`` that the other does not reflect.

The words come from :mod:`mirror.messages`, the one place to change or translate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mirror.features import Features
from mirror.features.body import FEATURE_INDEX
from mirror.mechanical import Mechanical
from mirror.messages import GESTURES, MESSAGES, POSTURES, SIDES, WHEN, render
from mirror.serial import Plain
from mirror.signal import resample, true_runs
from mirror.vocabulary import BODY_PART_FEATURES, MESSAGE_PRIORITY, RELATIONS, MessageKind

if TYPE_CHECKING:
    from mirror.compare import Synchrony

KINDS = MESSAGE_PRIORITY
"""In order of priority on screen (:data:`mirror.vocabulary.MESSAGE_PRIORITY`)."""


@dataclass(frozen=True)
class CoachSettings(Plain):
    repeat_s: float = 30.0  # a warning is repeated at most this often while flagged
    recent_gestures: int = 10  # a warning counts the partner's last gestures
    natural_lag_s: tuple[float, float] = (0.8, 4.5)
    praise_every_s: float = 20.0
    praise_similarity: float = 0.75  # a praised copy is clearly one
    hold_s: float = 10.0  # a held posture prompts after this long
    rate_hz: float = 5.0  # posture check rate


@dataclass
class Message:
    """One coaching message.

    Attributes
    ----------
    t_s : float
        When it applies (stream seconds): shown from then on.
    to : str
        ``A`` or ``B``: who it is addressed to.
    kind : str
        ``warning``, ``praise`` or ``prompt``.
    key : str
        Template key in :data:`mirror.messages.MESSAGES`.
    text : str
    channel : str or None
        Body part concerned, if one.
    start_s, end_s : float
        The stretch of the session the message is about.
    """

    t_s: float
    to: str
    kind: MessageKind
    key: str
    text: str
    channel: str | None
    start_s: float
    end_s: float

    def to_dict(self) -> dict:
        return {
            "t_s": round(self.t_s, 3),
            "to": self.to,
            "kind": self.kind,
            "key": self.key,
            "text": self.text,
            "channel": self.channel,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
        }


WARNING_KEYS = {
    "immediacy": "mechanical_fast",
    "regularity": "mechanical_regular",
    "persistence": "mechanical_lockstep",
    "fidelity": "mechanical_exact",
    "indiscriminateness": "mechanical_indiscriminate",
    "coverage": "mechanical_many",
}
"""Sign -> warning template, in order of preference when signs tie."""


def _warnings(mech: Mechanical, settings: CoachSettings) -> list[Message]:
    out = []
    g, c = mech.gestures, mech.copies
    for name, d in mech.directions.items():
        model = 0 if d.model == "A" else 1
        last_t = -np.inf
        for span in d.spans:
            if not span.flagged or span.end_s - last_t < settings.repeat_s:
                continue
            t = span.end_s
            subs = span.sub_scores
            recent = np.flatnonzero((g.person == model) & (g.start_s < t) & (g.start_s >= span.start_s))[
                -settings.recent_gestures :
            ]
            mine = (c.direction == name) & np.isin(c.model, recent)
            copied, lags = int(mine.sum()), c.lag_s[mine]
            if 2 * copied < len(recent):  # flagged for what happened earlier in the span, not now
                continue
            if subs["coverage"] >= 0.5 and subs["immediacy"] >= 0.5:
                key = "mechanical_copying"
                within = float(np.ceil(10 * np.median(lags) - 1e-6) / 10)  # "within": the usual delay, rounded up
                fields = dict(copied=int(np.sum(lags <= within + 1e-9)), total=len(recent), lag=within)
            else:  # the strongest sign; ties go to the first in WARNING_KEYS
                top = max(WARNING_KEYS, key=lambda k: (subs[k], -list(WARNING_KEYS).index(k)))
                key = WARNING_KEYS[top]
                v = span.values
                fields = dict(
                    copied=span.small_copied if top == "indiscriminateness" else span.copies,
                    total=span.small_gestures if top == "indiscriminateness" else span.model_gestures,
                    lag=float(v["immediacy_s"]) if np.isfinite(v["immediacy_s"]) else 0.0,
                    seconds=v["persistence"] * (span.end_s - span.start_s),
                )
            out.append(
                Message(t, d.copier, "warning", key, render(MESSAGES, key, **fields), None, span.start_s, span.end_s)
            )
            last_t = t
    return out


def _gesture_words(mech: Mechanical, gesture: int) -> str:
    """What a gesture did, in words: its most-changed feature and the direction of change."""
    g = mech.gestures
    person, channel = int(g.person[gesture]), str(g.channel[gesture])
    a, b = int(g.start_i[gesture]), int(g.end_i[gesture])
    names = BODY_PART_FEATURES[channel]
    x = mech.motion.x[a:b, person][:, [FEATURE_INDEX[n] for n in names]]
    ok = ~np.isnan(x).any(-1)
    if ok.sum() < 2:
        return channel.replace("_", " ")
    x = x[ok]
    dev = x - x[0]
    j = int(np.argmax(np.abs(dev).max(0)))
    sign = "+" if dev[np.argmax(np.abs(dev[:, j])), j] > 0 else "-"
    name = names[j]
    side = ""
    for s in ("left", "right"):
        if name.endswith(f"_{s}"):
            name, side = name[: -len(s) - 1], SIDES[s]
    template = GESTURES.get(name + sign) or GESTURES.get(name) or channel.replace("_", " ")
    return template.format(side=side).strip()


def _confirmed(windows, channel: str, kind: str, start_s: float, end_s: float) -> bool:
    """Whether a comparator window over ``[start_s, end_s]`` saw this relation on that body part (or overall)."""
    if windows is None or len(windows) == 0:
        return True
    c = list(windows.channels).index(channel)
    over = (windows.start_s < end_s) & (windows.end_s > start_s)
    kinds = RELATIONS if kind == "symmetric" else (kind,)
    return bool(np.any(over & (np.isin(windows.channel_label[:, c], kinds) | np.isin(windows.label, kinds))))


def _praise(mech: Mechanical, settings: CoachSettings, windows=None) -> list[Message]:
    out = []
    g, c = mech.gestures, mech.copies
    lo, hi = settings.natural_lag_s
    # copying flagged in either direction taints both: the partner's next move after a mechanical
    # echo looks like a copy of the echo
    flagged = [r for d in mech.directions.values() for r in d.flagged_ranges]
    for name, d in mech.directions.items():
        last_t = -np.inf
        for k in np.argsort(g.end_s[c.copy]):
            if c.direction[k] != name or not lo <= c.lag_s[k] <= hi:
                continue
            m, h = int(c.model[k]), int(c.copy[k])
            if g.small[m] or g.channel[m] == "face" or c.similarity[k] < settings.praise_similarity:
                continue
            t = float(g.end_s[h])
            if t - last_t < settings.praise_every_s or any(a <= t <= b for a, b in flagged):
                continue
            a_channel = str(g.channel[m] if d.model == "A" else g.channel[h])  # report channels are A's body parts
            if not _confirmed(windows, a_channel, str(c.kind[k]), float(g.start_s[m]), t):
                continue
            lag = float(c.lag_s[k])
            when = render(WHEN, "second") if lag < 1.5 else render(WHEN, "seconds", lag=lag)
            key = "praise_mirror" if c.kind[k] == "mirror" else "praise_match"  # a symmetric copy is a match
            text = render(MESSAGES, key, gesture=_gesture_words(mech, m), when=when)
            out.append(Message(t, d.copier, "praise", key, text, str(g.channel[h]), float(g.start_s[m]), t))
            last_t = t
    return out


POSTURE_RULES = (
    # feature, direction, threshold: a deviation from the person's usual posture
    # (trailing_baseline) or an absolute level
    ("forward_lean", +1, 0.15, "relative"),
    ("forward_lean", -1, 0.15, "relative"),
    ("torso_lean", +1, 0.12, "relative"),
    ("torso_lean", -1, 0.12, "relative"),
    ("head_roll", +1, 0.2, "relative"),
    ("head_roll", -1, 0.2, "relative"),
    ("arms_crossed", +1, 0.1, "absolute"),
    ("hand_face_left", -1, 0.6, "absolute"),
    ("hand_face_right", -1, 0.6, "absolute"),
)


def trailing_baseline(values: np.ndarray, rate_hz: float, span_s: float = 60.0, skip_s: float = 10.0) -> np.ndarray:
    """``(N,)`` each sample's "usual posture": the median of ``[t - span_s, t - skip_s]``.

    Early on, when that stretch is empty, the median of everything so far.  A posture
    held for a while is thus compared with what came before it, not with itself.
    """
    import warnings

    n = len(values)
    span, skip = int(round(span_s * rate_hz)), int(round(skip_s * rate_hz))
    out = np.full(n, np.nan)
    early = min(n, span)
    if early:  # the first span: a growing stretch, all at once (NaN outside each stretch)
        i = np.arange(early)
        stop = np.where(i >= skip, i - skip + 1, i + 1)
        grid = np.where(np.arange(early)[None, :] < stop[:, None], values[None, :early], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # stretches with no data stay NaN
            out[:early] = np.nanmedian(grid, axis=1)
    if n > span:  # then a fixed-length trailing stretch [i - span, i - skip]
        windows = np.lib.stride_tricks.sliding_window_view(values, span - skip + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN stretches stay NaN
            out[span:] = np.nanmedian(windows[: n - span], axis=1)
    return out


def _holding(values: np.ndarray, baseline: np.ndarray | None, sign: int, threshold: float, mode: str) -> np.ndarray:
    """Where a posture is held, from ``(N,)`` values (NaN: unknown, not held).

    ``baseline`` is the values' :func:`trailing_baseline` (needed in ``relative`` mode only).
    """
    if np.isnan(values).all():
        return np.zeros(len(values), bool)
    if mode == "relative":  # away from the usual posture, and on that side of upright (0)
        dev = sign * (values - baseline)
        return (np.nan_to_num(dev, nan=-np.inf) >= threshold) & (
            np.nan_to_num(sign * values, nan=-np.inf) >= threshold / 2
        )
    if sign > 0:
        return np.nan_to_num(values, nan=-np.inf) >= threshold
    return np.nan_to_num(values, nan=np.inf) <= threshold


def _prompts(features: Features, settings: CoachSettings) -> list[Message]:
    t, v = resample(features.t_s, features.values, settings.rate_hz, max_gap_s=1.0)
    if len(t) == 0:
        return []
    hold = int(round(settings.hold_s * settings.rate_hz))
    baselines: dict[tuple[int, int], np.ndarray] = {}  # (person, feature): each computed once

    def holding(person: int, j: int, sign: int, threshold: float, mode: str) -> np.ndarray:
        if mode == "relative" and (person, j) not in baselines:
            baselines[(person, j)] = trailing_baseline(v[:, person, j], settings.rate_hz)
        return _holding(v[:, person, j], baselines.get((person, j)), sign, threshold, mode)

    out = []
    for feature, sign, threshold, mode in POSTURE_RULES:
        j = FEATURE_INDEX[feature]
        mirror_j = j
        if feature.endswith("_left"):
            mirror_j = FEATURE_INDEX[feature.replace("_left", "_right")]
        elif feature.endswith("_right"):
            mirror_j = FEATURE_INDEX[feature.replace("_right", "_left")]
        for holder, other in ((0, 1), (1, 0)):
            held = holding(holder, j, sign, threshold, mode)
            # the other reflects it when they hold the same posture (match) or its mirror image
            same = holding(other, j, sign, threshold, mode)
            if feature in ("torso_lean", "head_roll"):
                mirrored = holding(other, j, -sign, threshold, mode)
            else:
                mirrored = holding(other, mirror_j, sign, threshold, mode)
            for a, b in true_runs(held):
                if b - a < hold:
                    continue
                at = a + hold
                if same[at - 1] or mirrored[at - 1]:
                    continue
                posture = POSTURES[feature + ("+" if sign > 0 else "-")]
                text = render(MESSAGES, "prompt_posture", posture=posture, seconds=settings.hold_s)
                channel = (
                    "torso" if feature in ("forward_lean", "torso_lean") else "head" if feature == "head_roll" else None
                )
                out.append(
                    Message(
                        float(t[at - 1]),
                        "AB"[other],
                        "prompt",
                        "prompt_posture",
                        text,
                        channel,
                        float(t[a]),
                        float(t[at - 1]),
                    )
                )
    return out


def coach_session(
    features: Features,
    synchrony: Synchrony | None = None,
    mechanical: Mechanical | None = None,
    settings: CoachSettings | None = None,
) -> list[Message]:
    """All coaching messages of a session (or of a live buffer), in time order.

    Parameters
    ----------
    features : Features
        ``(T, 2, F)``.
    synchrony : mirror.compare.Synchrony, optional
        Praise needs the comparator to confirm the copy: a window over it with the same
        relation on that body part (or overall).  Without it, every natural copy counts.
    mechanical : Mechanical, optional
        Warnings and praise come from it; without it, only prompts.
    """
    settings = settings or CoachSettings()
    messages = _prompts(features, settings)
    if mechanical is not None:
        windows = synchrony.windows if synchrony is not None else None
        messages += _warnings(mechanical, settings) + _praise(mechanical, settings, windows)
    messages.sort(key=lambda m: (m.t_s, KINDS.index(m.kind), m.to))
    return messages


def latest_message(messages: list[Message], t_s: float, to: str, hold_s: float = 8.0) -> Message | None:
    """The message to show person ``to`` at ``t_s``: the newest of the highest priority shown in the last ``hold_s``."""
    live = [m for m in messages if m.to == to and t_s - hold_s <= m.t_s <= t_s]
    if not live:
        return None
    return max(live, key=lambda m: (-KINDS.index(m.kind), m.t_s))


__all__ = ["KINDS", "CoachSettings", "Message", "coach_session", "latest_message", "trailing_baseline"]
