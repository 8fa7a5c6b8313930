"""Events (merged runs of windows) and session statistics with surrogate tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mirror.compare.prepare import Prepared, person_rows
from mirror.compare.run import Shares, SurrogateTest
from mirror.compare.settings import CompareSettings
from mirror.compare.surrogates import pairing_statistic
from mirror.compare.windows import Windows, compare_prepared
from mirror.vocabulary import RELATIONS, Leader, Relation, as_relation


@dataclass
class Event:
    """A stretch of consecutive windows with the same relation."""

    start_s: float
    end_s: float
    kind: Relation
    channels: list[str]
    leader: Leader
    lag_s: float
    strength: float
    windows: int
    # the largest p-value of its windows that beat chance on their own (each did so at least this surely); the
    # windows that continue their run (p below alpha_run) are left out
    p_value: float = float("nan")

    def to_dict(self) -> dict:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "kind": self.kind,
            "channels": self.channels,
            "leader": self.leader,
            "lag_s": round(self.lag_s, 3),
            "strength": round(self.strength, 3),
            "p_value": round(self.p_value, 4) if np.isfinite(self.p_value) else None,
            "windows": self.windows,
        }


def events_from_windows(windows: Windows, min_windows: int = 2) -> list[Event]:
    """Merge runs of consecutive ``mirror``/``match``/``symmetric`` windows into events.

    Parameters
    ----------
    windows : Windows
    min_windows : int
        Shorter runs are not reported as events.
    """
    events = []
    labels = windows.label
    i = 0
    while i < len(labels):
        kind = labels[i]
        j = i
        while j + 1 < len(labels) and labels[j + 1] == kind:
            j += 1
        if kind in RELATIONS and j - i + 1 >= min_windows:
            sl = slice(i, j + 1)
            if kind == "mirror":
                strength = float(np.nanmean(windows.mirror_score[sl]))
            elif kind == "match":
                strength = float(np.nanmean(windows.match_score[sl]))
            else:
                strength = float(np.nanmean(windows.sync_score[sl]))
            channels = [
                c for k, c in enumerate(windows.channels) if np.mean(windows.channel_label[sl, k] == kind) >= 0.5
            ]
            leaders = Counter(windows.leader[sl].tolist())
            events.append(
                Event(
                    start_s=float(windows.start_s[i]),
                    end_s=float(windows.end_s[j]),
                    kind=as_relation(str(kind)),
                    channels=channels,
                    leader=leaders.most_common(1)[0][0],
                    lag_s=float(np.nanmedian(windows.lag_s[sl])),
                    strength=strength,
                    windows=j - i + 1,
                    p_value=_event_p(windows.p_value[sl], windows.continues[sl]),
                )
            )
        i = j + 1
    return events


def _event_p(p_value: np.ndarray, continues: np.ndarray) -> float:
    """The largest p-value of an event's windows that beat chance on their own (NaN: none has one)."""
    own = p_value[~continues]
    return float(np.nanmax(own)) if np.isfinite(own).any() else float("nan")


def state_shares(windows: Windows) -> Shares:
    """Share of the analysable windows in each state, overall and per channel; leader shares."""
    usable = windows.label != "insufficient"
    n = int(usable.sum())
    overall = {k: (float(np.mean(windows.label[usable] == k)) if n else 0.0) for k in (*RELATIONS, "none")}
    per_channel = {}
    for c, name in enumerate(windows.channels):
        ok = windows.channel_label[:, c] != "insufficient"
        m = int(ok.sum())
        per_channel[name] = {
            k: (float(np.mean(windows.channel_label[ok, c] == k)) if m else 0.0) for k in ("mirror", "match", "none")
        }
    related = np.isin(windows.label, ["mirror", "match"])
    r = int(related.sum())
    leaders = {k: (float(np.mean(windows.leader[related] == k)) if r else 0.0) for k in ("A", "B", "together")}
    return Shares(
        windows=len(windows),
        analysable_windows=n,
        insufficient_windows=int(len(windows) - n),
        share=overall,
        share_by_channel=per_channel,
        leader_share=leaders,
    )


def synchrony_statistic(windows: Windows) -> float:
    """Session synchrony: mean over analysable windows of the best relation score."""
    usable = windows.label != "insufficient"
    if not usable.any():
        return float("nan")
    best = np.fmax(np.fmax(windows.mirror_score[usable], windows.match_score[usable]), windows.sync_score[usable])
    return float(np.nanmean(best))


def surrogate_rows(n: int, settings: CompareSettings, n_surrogates: int, seed: int = 0) -> Iterator[np.ndarray]:
    """B's sample order in each surrogate of :func:`surrogate_test` (none when the session is too short).

    Even surrogates shift B circularly by at least one window plus the largest lag; odd ones
    cut B into window-long segments and shuffle them.
    """
    rng = np.random.default_rng(seed)
    seg = max(1, int(round(settings.window_s * settings.rate_hz)))
    min_shift = seg + int(round(settings.max_lag_s * settings.rate_hz))
    if n < 2 * min_shift + 1:
        return
    for i in range(n_surrogates):
        if i % 2 == 0:
            shift = int(rng.integers(min_shift, n - min_shift + 1))
            yield (np.arange(n) + shift) % n
        else:
            cuts = np.arange(0, n, seg)
            order = rng.permutation(len(cuts))
            yield np.concatenate([np.arange(cuts[k], min(n, cuts[k] + seg)) for k in order])


def full_pass_synchrony(prep: Prepared, settings: CompareSettings, b_rows: np.ndarray) -> float:
    """Session synchrony of A against B's samples ``b_rows``, through a full comparator pass."""
    return synchrony_statistic(compare_prepared(person_rows(prep, np.arange(len(prep.t)), b_rows), settings))


def _surrogate_statistic(prep: Prepared, settings: CompareSettings, real: float, window_start_s: np.ndarray | None):
    """The fast statistic when it gives the real pairing's synchrony, else a full comparator pass per surrogate.

    The check keeps the surrogates right whatever the comparator's scoring becomes: a change
    :mod:`mirror.compare.surrogates` does not follow costs time, never a wrong p-value.
    """
    starts = None
    if window_start_s is not None and len(prep.t):
        starts = np.round((np.asarray(window_start_s) - prep.t[0]) * settings.rate_hz).astype(int)
    fast = pairing_statistic(prep, settings, real, starts)
    if fast is not None:
        return fast
    return lambda b_rows: full_pass_synchrony(prep, settings, b_rows)


def surrogate_test(
    prep: Prepared,
    settings: CompareSettings,
    real: float,
    n_surrogates: int = 200,
    seed: int = 0,
    window_start_s: np.ndarray | None = None,
) -> SurrogateTest:
    """Real synchrony against pseudo-synchrony, as rMEA and SUSY do.

    Half of the surrogates shift B circularly by at least one window plus the
    largest lag; the other half cut B into window-long segments and shuffle
    them (:func:`surrogate_rows`).  Both keep B's own movement but break its
    timing relative to A.  Each surrogate's synchrony is what a full comparator
    pass would give (:func:`full_pass_synchrony`), computed from the lag scan's
    whole-body sums only (:func:`~mirror.compare.surrogates.pairing_statistic`).

    ``window_start_s``: where the real pairing's windows start (the surrogates' windows are the
    same); default: as :func:`~mirror.compare.windows.compare_prepared` places them.

    Returns
    -------
    SurrogateTest
        ``real``, surrogate ``mean`` and ``sd``, ``effect_size`` ((real - mean) / sd),
        ``p_value`` ((1 + #surrogates >= real) / (1 + n)), ``n_surrogates``, ``method``.
    """
    statistic = None
    values = []
    for index in surrogate_rows(len(prep.t), settings, n_surrogates, seed):
        statistic = statistic or _surrogate_statistic(prep, settings, real, window_start_s)
        values.append(statistic(index))
    if not values:
        return SurrogateTest(real=real, n_surrogates=0, method="not enough data for surrogates")
    sur = np.array(values)
    sur = sur[np.isfinite(sur)]
    mean, sd = float(sur.mean()), float(sur.std(ddof=1)) if len(sur) > 1 else float("nan")
    return SurrogateTest(
        real=real,
        surrogate_mean=mean,
        surrogate_sd=sd,
        effect_size=(real - mean) / sd if sd and sd > 0 else float("nan"),
        p_value=float((1 + np.sum(sur >= real)) / (1 + len(sur))),
        n_surrogates=int(len(sur)),
        method="circular shifts and segment shuffles of B, half each",
    )
