"""Calibrated decisions: a window's relation is labelled only where it beats chance.

The null is the comparator's own scores on pairs of people who were not
interacting, with the same window length, lag range and settings:

``reference``
    Pseudo-pairs of real people filmed alone (``data/null_reference.npz``, built by
    ``models/build_null_reference.py`` from the footage it names; both pose models).
    Each person's features play forwards and backwards to a common length, and every
    ordered pair of two different people is compared.  Used for short sessions and live.
``session``
    The session's own surrogates: B circularly shifted against A by at least one
    window plus the largest lag, over blocks spread through the session.  Used when
    the session is long enough (:data:`SESSION_NULL_MIN_S`).

A mirror/match candidate is judged on its side margin (:func:`side_margin`: the better
score minus the other), a symmetric one on its synchrony; a window with a pooled lag curve
(its own averaged with those of one window length before it) on its own margin plus the
pooled curve's where that names the same relation (:func:`pooled_evidence`: one copy made
with one delay keeps its lag; a chance agreement seldom does).  A window's p-value is
``(1 + #null >= observed) / (1 + n)`` among the null windows of its stratum: the same
kind of candidate (a posture that changes for mirror/match, a symmetric movement for
symmetric), the same number of antisymmetric features seen (a head-only view scores by
chance higher than a whole body) and a similar amount of movement.  Body parts are
judged against the null of the same part, and only in windows that beat chance whole.

The nulls themselves (the shipped reference, a session's own surrogates, the shipped tables
and their identity) are made in :mod:`mirror.compare.nulls`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from mirror.compare.run import Calibration
from mirror.vocabulary import BODY_PARTS, RELATIONS

if TYPE_CHECKING:
    from mirror.compare.settings import CompareSettings
    from mirror.compare.windows import Windows

NullSource = Literal["reference", "session", "none"]
MIN_STRATUM = 150
"""Null windows a stratum needs; thinner strata fall back to the coarser one."""
SIDED_BINS = (0, 4, 9, 1000)
"""Strata of the number of antisymmetric features both people show: head only, head and a bit, body."""
MOTION_BINS = 3
"""Movement strata (terciles of the null's movement)."""


@dataclass(frozen=True)
class NullSamples:
    """The comparator's scores on windows of people who were not interacting.

    Attributes
    ----------
    best : np.ndarray
        ``(N,)`` the side margin (:func:`side_margin`) of each null window (NaN where none).
    sync : np.ndarray
        ``(N,)`` symmetric-part synchrony.
    sided : np.ndarray
        ``(N,)`` bool: the window was a mirror/match candidate.
    symmetric : np.ndarray
        ``(N,)`` bool: both people's symmetric body part moved (the null of symmetric candidates).
    motion, n_sided : np.ndarray
        ``(N,)`` strata, as :class:`~mirror.compare.windows.Windows`.
    channel_best : np.ndarray
        ``(N, C)`` side margin per body part, NaN where the part was not compared.
    channel_motion : np.ndarray
        ``(N, C)`` the parts' movement strata.
    pooled_evidence : np.ndarray
        ``(N,)`` :func:`pooled_evidence` of each null window (NaN where it has no pooled curve).
    source : {"reference", "session", "none"}
    description : str
    """

    best: np.ndarray
    sync: np.ndarray
    sided: np.ndarray
    symmetric: np.ndarray
    motion: np.ndarray
    n_sided: np.ndarray
    channel_best: np.ndarray
    channel_motion: np.ndarray
    pooled_evidence: np.ndarray
    source: NullSource
    description: str

    def __post_init__(self) -> None:
        n = len(self.best)
        for name in NULL_ARRAYS:
            if len(getattr(self, name)) != n:
                raise ValueError(f"null samples: {name} has {len(getattr(self, name))} rows, best has {n}")

    def __len__(self) -> int:
        return len(self.best)

    @classmethod
    def from_windows(
        cls, parts: list[Windows], settings: CompareSettings, source: NullSource, description: str
    ) -> NullSamples:
        def cat(get, shape=()) -> np.ndarray:
            arrays = [get(w) for w in parts if len(w)]
            return np.concatenate(arrays) if arrays else np.zeros((0,) + shape)

        return cls(
            best=cat(lambda w: side_margin(w.mirror_score, w.match_score)),
            sync=cat(lambda w: w.sync_score),
            sided=cat(lambda w: w.sided).astype(bool),
            symmetric=cat(_symmetric_moving).astype(bool),
            motion=cat(lambda w: w.motion),
            n_sided=cat(lambda w: w.n_sided),
            channel_best=cat(
                lambda w: np.where(w.channel_active, side_margin(w.channel_mirror, w.channel_match), np.nan),
                (len(BODY_PARTS),),
            ),
            channel_motion=cat(lambda w: w.channel_motion, (len(BODY_PARTS),)),
            pooled_evidence=cat(pooled_evidence),
            source=source,
            description=description,
        )


NULL_ARRAYS: tuple[str, ...] = tuple(f.name for f in fields(NullSamples) if f.name not in ("source", "description"))
"""The per-window arrays of :class:`NullSamples`, all of one length (what a null table stores)."""


def side_margin(mirror: np.ndarray, match: np.ndarray) -> np.ndarray:
    """How clearly a window tells mirror from match: the better score minus the other.

    A copy made with the other side scores high for one and low (or negative) for the other;
    a movement both sides share (both arms raised at once, a view that makes everyone's
    changes look alike) scores about the same for both, and so tells no side.  This margin,
    not the better score alone, is what a mirror or match label is judged on.
    """
    return np.abs(mirror - match)


def pooled_evidence(w: Windows) -> np.ndarray:
    """``(W,)`` the window's side margin plus its pooled lag curve's, when that curve names the same relation.

    A copy made with one delay keeps it from window to window, so its pooled curve (the window's
    lag curve averaged with those of one window length before it) names the window's own
    relation with a margin of its own; two strangers' curves agree by chance in one window and
    wander in the next.  The pooled curve only adds to the window's own evidence: where it names
    the other relation it adds nothing (a curve that merely drifts alike over a longer stretch
    names nothing on its own).  NaN where the window has no pooled curve (the first windows).
    """
    own = side_margin(w.mirror_score, w.match_score)
    pooled = side_margin(w.pooled_mirror, w.pooled_match)
    same = (w.mirror_score > w.match_score) == (w.pooled_mirror > w.pooled_match)
    return np.where(np.isfinite(pooled), own + np.where(same, pooled, 0.0), np.nan)


def _symmetric_moving(w: Windows) -> np.ndarray:
    """Windows with data in which both people's symmetric body part moves (sided or not)."""
    return (w.label != "insufficient") & w.sym_moving


def _symmetric_candidate(w: Windows, settings: CompareSettings) -> np.ndarray:
    """Windows that may be symmetric: both people's symmetric part moving, in sync.

    Their null is every null window whose symmetric parts move: how sided a posture is
    does not change how often two bodies' symmetric movements agree by chance.
    """
    return _symmetric_moving(w) & (np.nan_to_num(w.sync_score, nan=-1.0) >= settings.min_sync)


def _p_values(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """``(1 + #null >= x) / (1 + n)`` for each observed ``x``; NaN where ``x`` is NaN."""
    null = np.sort(null[np.isfinite(null)])
    out = np.full(observed.shape, np.nan)
    if not len(null):  # nothing to judge against: no p-value, so no label
        return out
    ok = np.isfinite(observed)
    above = len(null) - np.searchsorted(null, observed[ok] - 1e-12, side="left")
    out[ok] = (1.0 + above) / (1.0 + len(null))
    return out


def _stratified_p(
    null_stat: np.ndarray,
    null_keys: tuple[np.ndarray, np.ndarray],
    stat: np.ndarray,
    keys: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """p-values within (sided-feature stratum, movement tercile), falling back to coarser strata."""
    n_null, m_null = null_keys
    n_obs, m_obs = keys
    out = np.full(stat.shape, np.nan)
    if not len(null_stat):
        return out
    sbin_null = np.digitize(n_null, SIDED_BINS[1:-1])
    sbin_obs = np.digitize(n_obs, SIDED_BINS[1:-1])
    for sb in np.unique(sbin_obs):
        in_s = sbin_null == sb
        if in_s.sum() < MIN_STRATUM:  # too few null windows with this view: the nearest view that has them
            counts = np.array([(sbin_null == k).sum() for k in range(len(SIDED_BINS) - 1)])
            have = np.flatnonzero(counts >= MIN_STRATUM)
            if not len(have):
                in_s = np.ones(len(null_stat), bool)
            else:
                in_s = sbin_null == have[np.argmin(np.abs(have - sb))]
        rows = sbin_obs == sb
        ms = m_null[in_s]
        finite = np.isfinite(ms)
        edges = (
            np.quantile(ms[finite], np.linspace(0, 1, MOTION_BINS + 1)[1:-1])
            if finite.sum() >= MIN_STRATUM * MOTION_BINS
            else np.zeros(0)
        )
        mb_null = np.digitize(np.nan_to_num(ms, nan=0.0), edges)
        mb_obs = np.digitize(np.nan_to_num(m_obs[rows], nan=0.0), edges)
        sub = np.full(rows.sum(), np.nan)
        for mb in np.unique(mb_obs):
            here = mb_obs == mb
            sub[here] = _p_values(null_stat[in_s][mb_null == mb], stat[rows][here])
        out[rows] = sub
    return out


def _motion_p(null_stat: np.ndarray, null_motion: np.ndarray, stat: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """p-values within movement terciles of the null (a still part is judged against still parts)."""
    have = np.isfinite(null_stat)
    null_stat, null_motion = null_stat[have], np.nan_to_num(null_motion[have], nan=0.0)
    if len(null_stat) < MIN_STRATUM * MOTION_BINS:
        return _p_values(null_stat, stat)
    edges = np.quantile(null_motion, np.linspace(0, 1, MOTION_BINS + 1)[1:-1])
    mb_null, mb_obs = np.digitize(null_motion, edges), np.digitize(np.nan_to_num(motion, nan=0.0), edges)
    out = np.full(stat.shape, np.nan)
    for mb in np.unique(mb_obs):
        here = mb_obs == mb
        out[here] = _p_values(null_stat[mb_null == mb], stat[here])
    return out


def calibrate(windows: Windows, null: NullSamples, settings: CompareSettings) -> Windows:
    """p-values for every window and body part, and labels only where they beat chance.

    A ``mirror``/``match``/``symmetric`` label (overall or per part) whose p-value is not
    below ``settings.alpha`` becomes ``none``; ``insufficient`` stays.
    """
    if not len(windows):
        return replace(windows, run=replace(windows.run, calibration=_describe(null, settings)))
    best = side_margin(windows.mirror_score, windows.match_score)
    keys = (windows.n_sided, windows.motion)
    null_keys = (null.n_sided, null.motion)
    p_own = _stratified_p(
        np.where(null.sided, null.best, np.nan), null_keys, np.where(windows.sided, best, np.nan), keys
    )
    # a window with a pooled lag curve is judged on its pooled evidence (its own margin plus the
    # pooled curve's where that names the same relation), against the null windows that have one
    p_pooled = _stratified_p(
        np.where(null.sided, null.pooled_evidence, np.nan),
        null_keys,
        np.where(windows.sided, pooled_evidence(windows), np.nan),
        keys,
    )
    p_rel = np.where(np.isfinite(p_pooled), p_pooled, p_own)
    sym_candidate = _symmetric_candidate(windows, settings)
    p_sym = _stratified_p(
        np.where(null.symmetric, null.sync, np.nan),
        null_keys,
        np.where(sym_candidate, windows.sync_score, np.nan),
        keys,
    )
    # a relation that tells the side first (or continues a neighbour's run); else symmetric; else none
    candidate = np.isin(windows.label, ("mirror", "match"))
    p_tested = np.nan_to_num(p_rel, nan=1.0)
    relation = candidate & (p_tested < settings.alpha)
    continues = continued_runs(
        relation,
        candidate & (p_tested < settings.alpha_run),
        windows.label,
        windows.lag_s,
        settings.run_lag_s,
    )
    relation |= continues
    symmetric = ~relation & sym_candidate & (np.nan_to_num(p_sym, nan=1.0) < settings.alpha)
    label = windows.label.copy()
    label[np.isin(label, RELATIONS) & ~relation] = "none"
    label[symmetric] = "symmetric"
    p_value = np.where(symmetric | (~relation & ~windows.sided), p_sym, p_rel)
    p_value[label == "insufficient"] = np.nan
    channel_p = np.full(windows.channel_label.shape, np.nan)
    channel_label = windows.channel_label.copy()
    ch_best = side_margin(windows.channel_mirror, windows.channel_match)
    # closed testing: a body part is judged only where the whole window beats chance (a relation
    # or symmetric), so no part is labelled where the two people, taken whole, are not related;
    # the parts' false alarms cannot exceed the window's
    related = relation | symmetric
    for c in range(windows.channel_label.shape[1]):
        active = windows.channel_active[:, c]
        channel_p[active, c] = _motion_p(
            null.channel_best[:, c], null.channel_motion[:, c], ch_best[active, c], windows.channel_motion[active, c]
        )
        ok = related & (np.nan_to_num(channel_p[:, c], nan=1.0) < settings.alpha)
        channel_label[np.isin(channel_label[:, c], ("mirror", "match")) & ~ok, c] = "none"
    from mirror.compare.windows import leaders

    lag_s = np.where(relation, windows.lag_s, np.where(symmetric, windows.sync_lag_s, np.nan))
    leader = leaders(lag_s, settings.together_s)
    return replace(
        windows,
        label=label,
        lag_s=lag_s,
        leader=leader,
        p_value=p_value,
        channel_p=channel_p,
        channel_label=channel_label,
        continues=continues,
        run=replace(windows.run, calibration=_describe(null, settings)),
    )


def continued_runs(
    passed: np.ndarray, weak: np.ndarray, label: np.ndarray, lag_s: np.ndarray, run_lag_s: float
) -> np.ndarray:
    """``(W,)`` bool: windows that continue a run of passing windows (consecutive windows in time order).

    A window that did not pass but whose evidence reaches the weaker level (``weak``) continues
    its neighbour's run where that neighbour is labelled (passed, or itself continues) with the
    same relation, at a delay within ``run_lag_s`` of the delay of the passing window the run
    grew from (so a run cannot drift away from it): a copy made with one delay keeps it through
    a stretch where it is harder to see, while a chance agreement seldom sits next to a passing
    window at the same delay.  The run grows both ways from every passing window.
    """
    anchor = np.where(passed, lag_s, np.nan)  # the delay of the passing window each labelled window's run grew from
    out = np.zeros(len(passed), dtype=bool)
    open_ = weak & ~passed
    if not open_.any():
        return out
    for step in (1, -1):  # forwards from each run's start, then backwards from its end
        for i in np.flatnonzero(open_)[::step]:
            j = i - step  # the neighbour already passed over
            if not 0 <= j < len(passed) or not np.isfinite(anchor[j]):
                continue
            if label[i] == label[j] and abs(lag_s[i] - anchor[j]) <= run_lag_s:
                anchor[i] = anchor[j]
                out[i] = True
                open_[i] = False
    return out


def _describe(null: NullSamples, settings: CompareSettings) -> Calibration:
    return Calibration(
        null=null.source,
        null_windows=int(len(null)),
        null_relation_windows=int(null.sided.sum()),
        alpha=settings.alpha,
        description=null.description,
    )
