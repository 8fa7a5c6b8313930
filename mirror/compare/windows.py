"""Sliding-window comparison: mirror, match, symmetric or none, with lag and leader.

For each window (``window_s`` long, every ``step_s``) and each lag ``tau`` in
``[-max_lag_s, max_lag_s]`` (B's time minus A's), per channel and overall:

* posture similarity of the antisymmetric parts ``a`` (left minus right and
  the signed features), each person's departures from their own moving average
  over two windows (slow drifts removed): ``P = 2 <a_A(t), a_B(t + tau)> / (|a_A|^2 + |a_B|^2)``,
  +1 for identical changes (match), -1 for opposite ones (mirror);
* movement correlation ``R`` of their velocities (cosine over the window);
* ``s = (P + w R) / (1 + w)``, ``w`` growing with how much they move.

``match_score = max_tau s`` and ``mirror_score = max_tau -s``; the better one
names the window when it passes ``min_score`` (or the lag curve pooled with one
window length before it favours the same relation and passes it) and both people's antisymmetric
posture changes over the window (``min_change``): a posture both merely hold
(a camera's tilt, one's usual lean) tells nothing, however lopsided.  Otherwise
the window is ``symmetric`` if their symmetric parts (left plus right and the
unsigned features, slow drifts removed) move and vary in sync, else ``none``.
Calibration (:mod:`mirror.compare.calibrate`) then keeps a label only where it
beats chance, and may turn a side told by chance into ``symmetric``.
A window where either person has too little data is ``insufficient``: it gets
no label and no scores.

Positive ``lag_s``: B does what A did ``lag_s`` earlier, so A leads.  The lag
is centred on the window: A is read ``lag_s / 2`` before it and B ``lag_s / 2``
after, so exchanging A and B gives the same windows with the lag negated.

The comparator by job: the settings are :mod:`mirror.compare.settings`, the preparation of
the series :mod:`mirror.compare.prepare`, the sums at every lag and their scores
:mod:`mirror.compare.lagscan`; this module makes the decisions (labels, lags, leaders, body
parts) from them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from mirror.compare.lagscan import (
    arm_channels,
    both_coverage,
    channel_totals,
    lag_scan,
    refine,
    scores,
    symmetric_motion,
    window_sums,
)
from mirror.compare.prepare import Prepared, prepare, slice_prepared
from mirror.compare.run import WindowsRun
from mirror.compare.settings import CompareSettings
from mirror.features import Features
from mirror.vocabulary import BODY_PARTS, FEATURE_CHANNEL_OF, FEATURE_CHANNELS


@dataclass
class Windows:
    """Per-window comparison results.

    Attributes
    ----------
    start_s, end_s : np.ndarray
        ``(W,)`` window bounds in stream seconds.
    label : np.ndarray
        ``(W,)`` str, one of :data:`~mirror.vocabulary.LABELS`.
    mirror_score, match_score, sync_score : np.ndarray
        ``(W,)`` in [-1, 1]; NaN for ``insufficient`` windows.
    lag_s : np.ndarray
        ``(W,)`` lag of the winning relation (mirror or match; symmetric: of the sync).
    sync_lag_s : np.ndarray
        ``(W,)`` lag of the best symmetric synchrony (a relation demoted by calibration may be symmetric).
    leader : np.ndarray
        ``(W,)`` str: "A", "B", "together" or "" (no relation).
    asymmetry : np.ndarray
        ``(W, 2)`` RMS antisymmetric posture of A and B.
    change : np.ndarray
        ``(W, 2)`` RMS change of A's and B's antisymmetric posture over the window (departures from
        their own moving average): the side can be told where both are at least ``min_change``.
    valid : np.ndarray
        ``(W,)`` share of the window with data for both.
    channel_mirror, channel_match : np.ndarray
        ``(W, C)`` per body part (:data:`BODY_PARTS`); NaN without data.  Head, torso
        and face are scored like the whole body, at their own best lag; each of A's arms is
        compared with B's same arm (match) and other arm (mirror) at the window's lag.
    channel_label : np.ndarray
        ``(W, C)`` str.
    p_value : np.ndarray
        ``(W,)`` p-value of the window's best candidate relation against the null (mirror or
        match where a posture tells the side, else symmetric); NaN before calibration and for
        ``insufficient`` windows.  A label other than ``none`` needs ``p_value < alpha``.
    channel_p : np.ndarray
        ``(W, C)`` the same per body part.
    motion : np.ndarray
        ``(W,)`` how fast the antisymmetric posture moves (units/s, both people): the null's stratum.
    n_sided : np.ndarray
        ``(W,)`` antisymmetric features both people have data for: the null's other stratum.
    sided : np.ndarray
        ``(W,)`` bool: both people's antisymmetric posture changes enough to tell the side.
    sym_motion : np.ndarray
        ``(W, 2)`` drift-free RMS of each person's symmetric part (symmetric evidence).
    sym_moving : np.ndarray
        ``(W,)`` bool: both people's symmetric part moves (``sym_motion`` of each at least
        ``min_sym_motion``), sided or not.
    channel_active : np.ndarray
        ``(W, C)`` bool: the part has data and moved or was sided enough to be compared.
    channel_valid : np.ndarray
        ``(W, C)`` share of the window in which both people's part (for an arm: A's arm and both of
        B's arms) is usable.
    channel_motion : np.ndarray
        ``(W, C)`` how fast the part's antisymmetric posture moves (both people): its null's stratum.
    continues : np.ndarray
        ``(W,)`` bool: labelled as the continuation of a neighbouring window's relation (the same
        relation at the same delay, within ``run_lag_s``) with its own ``p_value`` below
        ``alpha_run`` but not below ``alpha``; False before calibration.
    pooled_mirror, pooled_match : np.ndarray
        ``(W,)`` the mirror and match scores of the lag curve averaged over this window and the
        :func:`pool_windows` windows before it (one copy made with one delay keeps its lag from
        window to window; a chance agreement seldom does); NaN where any of them has too
        little data.
    channels : tuple of str
    run : WindowsRun
        The settings used, the lags scanned, and the calibration once calibrated.
    """

    start_s: np.ndarray
    end_s: np.ndarray
    label: np.ndarray
    mirror_score: np.ndarray
    match_score: np.ndarray
    sync_score: np.ndarray
    lag_s: np.ndarray
    sync_lag_s: np.ndarray
    leader: np.ndarray
    asymmetry: np.ndarray
    change: np.ndarray
    valid: np.ndarray
    channel_mirror: np.ndarray
    channel_match: np.ndarray
    channel_label: np.ndarray
    p_value: np.ndarray
    channel_p: np.ndarray
    motion: np.ndarray
    n_sided: np.ndarray
    sided: np.ndarray
    sym_motion: np.ndarray
    sym_moving: np.ndarray
    channel_active: np.ndarray
    channel_valid: np.ndarray
    channel_motion: np.ndarray
    pooled_mirror: np.ndarray
    pooled_match: np.ndarray
    continues: np.ndarray
    run: WindowsRun
    channels: tuple[str, ...] = BODY_PARTS

    def __len__(self) -> int:
        return len(self.start_s)


def compare_windows(features: Features, settings: CompareSettings | None = None) -> Windows:
    """Score every window for mirroring, matching and symmetric synchrony.

    Parameters
    ----------
    features : Features
        ``(T, 2, F)`` features of A and B.
    settings : CompareSettings

    Returns
    -------
    Windows
    """
    settings = settings or CompareSettings()
    prep = prepare(features, settings)
    return compare_prepared(prep, settings)


BLOCK_WINDOWS = 512
"""Windows scored at a time: the lag scan's memory is bounded by this, not by the session's length."""


def compare_prepared(prep: Prepared, settings: CompareSettings) -> Windows:
    """Score every window of prepared data, :data:`BLOCK_WINDOWS` windows at a time.

    Each block sees the data its windows read at any lag (a margin of the largest lag on
    both sides), so the result is the same as scoring all windows at once.
    """
    rate = settings.rate_hz
    n = len(prep.t)
    length = max(2, int(round(settings.window_s * rate)))
    step = max(1, int(round(settings.step_s * rate)))
    max_lag = int(round(settings.max_lag_s * rate))
    # the step and the window are whole numbers of grid samples (CompareSettings checks), so the
    # windows start at exactly the first sample's time plus whole multiples of the stated step
    starts = np.zeros(0, dtype=int) if n < length else np.arange(0, n - length + 1, step)
    if len(starts) <= BLOCK_WINDOWS:
        return _compare_block(prep, settings, starts)
    history = pool_windows(settings)
    blocks = []
    for b in range(0, len(starts), BLOCK_WINDOWS):
        before = min(b, history)  # the windows a block's first windows pool with come along, then go
        part = starts[b - before : b + BLOCK_WINDOWS]
        lo = max(0, int(part[0]) - max_lag - 1)
        hi = min(n, int(part[-1]) + length + max_lag + 1)
        blocks.append(_window_rows(_compare_block(slice_prepared(prep, lo, hi), settings, part - lo), before))
    first = blocks[0]
    joined: dict[str, Any] = {name: np.concatenate([getattr(w, name) for w in blocks]) for name in _arrays(first)}
    return replace(first, **joined)


def _arrays(windows: Windows) -> dict[str, np.ndarray]:
    """The per-window arrays of ``windows`` by field name (everything but the run and the part names)."""
    return {f.name: x for f in fields(windows) if isinstance(x := getattr(windows, f.name), np.ndarray)}


def _window_rows(windows: Windows, first: int) -> Windows:
    """The windows from index ``first`` on."""
    if not first:
        return windows
    rows: dict[str, Any] = {name: x[first:] for name, x in _arrays(windows).items()}
    return replace(windows, **rows)


def pool_windows(settings: CompareSettings) -> int:
    """How many earlier windows a window's lag curve is pooled with: one window length of them.

    The pooled evidence spans two window lengths and ends where the window ends, so it is known
    as soon as the window is (live reads no future).
    """
    return max(1, int(round(settings.window_s / settings.step_s)))


def _pooled(score: np.ndarray, enough: np.ndarray, history: int) -> np.ndarray:
    """``(L, W)`` lag curves averaged over each window and the ``history`` windows before it.

    NaN where any of those windows lacks data (too little overall, or none at that lag).
    """
    L, W = score.shape
    out = np.full((L, W), np.nan)
    if W <= history:
        return out
    usable = np.isfinite(score) & enough[None, :]
    c = np.zeros((L, W + 1))
    np.cumsum(np.where(usable, score, 0.0), axis=1, out=c[:, 1:])
    n = np.zeros((L, W + 1))
    np.cumsum(usable, axis=1, out=n[:, 1:])
    span = history + 1
    total = c[:, span:] - c[:, :-span]
    count = n[:, span:] - n[:, :-span]
    out[:, history:] = np.where(count == span, total / span, np.nan)
    return out


def _compare_block(prep: Prepared, settings: CompareSettings, starts: np.ndarray) -> Windows:
    rate = settings.rate_hz
    length = max(2, int(round(settings.window_s * rate)))
    max_lag = int(round(settings.max_lag_s * rate))
    lags = np.arange(-max_lag, max_lag + 1)
    W = len(starts)
    if W == 0:
        return _empty_windows(settings)
    sums = lag_scan(prep, starts, length, lags)
    nfeat = prep.g.sum(0)
    # overall = sum over channels
    total = channel_totals(sums)
    score_c, _ = scores(sums, settings, nfeat)  # (L, W, C)
    score_o, _ = scores(total, settings, np.array([nfeat.sum()]))  # (L, W, 1)
    # symmetric synchrony from the body only: the face's symmetric parts (blinks, the jaw while
    # talking) move in everyone, all the time, and are no symmetric posture
    body = np.array([c != "face" for c in FEATURE_CHANNELS])
    body_total = channel_totals(sums, body)
    _, sync_o = scores(body_total, settings, np.array([nfeat[body].sum()]))
    score_o, sync_o = score_o[..., 0], sync_o[..., 0]
    zero = int(np.flatnonzero(lags == 0)[0])
    valid = both_coverage(prep, starts, length)
    # asymmetry of each person (lag independent): RMS over the window's valid frames and features
    asym = np.zeros((W, 2))
    for p in range(2):
        sq = (prep.posture[:, p] ** 2) @ prep.g
        sq = (sq * prep.ok[:, p]).sum(1)
        cnt = (prep.ok[:, p].astype(float) * nfeat).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            asym[:, p] = np.sqrt(window_sums(sq, starts, length) / window_sums(cnt, starts, length))
    filled = np.nan_to_num(score_o, nan=0.0)
    k_match = np.argmax(np.where(np.isnan(score_o), -np.inf, score_o), axis=0)
    k_mirror = np.argmax(np.where(np.isnan(score_o), -np.inf, -score_o), axis=0)
    w_idx = np.arange(W)
    match = score_o[k_match, w_idx]
    mirror = -score_o[k_mirror, w_idx]
    sync_filled = np.where(np.isnan(sync_o), -np.inf, sync_o)
    k_sync = np.argmax(sync_filled, axis=0)
    sync = sync_o[k_sync, w_idx]
    lag_match = refine(filled, k_match)
    lag_mirror = refine(-filled, k_mirror)
    lag_sync = refine(np.nan_to_num(sync_o), k_sync)

    label = np.full(W, "none", dtype="<U12")
    lag_steps = np.full(W, np.nan)
    enough = valid >= settings.min_valid
    pooled = _pooled(score_o, enough, pool_windows(settings))
    has_pool = np.isfinite(pooled).any(0)
    kp_match = np.argmax(np.where(np.isnan(pooled), -np.inf, pooled), axis=0)
    kp_mirror = np.argmax(np.where(np.isnan(pooled), -np.inf, -pooled), axis=0)
    pooled_match = np.where(has_pool, pooled[kp_match, w_idx], np.nan)
    pooled_mirror = np.where(has_pool, -pooled[kp_mirror, w_idx], np.nan)
    # the side can be told where both people's antisymmetric posture changes over the window
    zs = {k: v[zero, :, 0] for k, v in total.items()}
    terms = np.maximum(zs["n"], 1) * max(nfeat.sum(), 1)
    change = np.sqrt(np.stack([zs["xx"], zs["yy"]], 1) / terms[:, None])
    sided = enough & (change.min(1) >= settings.min_change)
    best_is_mirror = mirror > match
    best = np.where(best_is_mirror, mirror, match)
    # the relation the window's own lag curve favours is named where that curve reaches
    # min_score, or where its pooled curve favours the same relation and reaches it (a copy
    # held at one delay through a noisy stretch); calibration then judges it
    pooled_reaches = ((pooled_mirror > pooled_match) == best_is_mirror) & (
        np.nan_to_num(np.fmax(pooled_mirror, pooled_match), nan=-1.0) >= settings.min_score
    )
    related = sided & ((best >= settings.min_score) | pooled_reaches)
    label[related & best_is_mirror] = "mirror"
    label[related & ~best_is_mirror] = "match"
    lag_steps[related & best_is_mirror] = lag_mirror[related & best_is_mirror]
    lag_steps[related & ~best_is_mirror] = lag_match[related & ~best_is_mirror]
    # symmetric needs evidence: each person's symmetric part really moves (both arms, a nod),
    # not merely a posture too symmetric to tell the side; a relation that tells the side
    # comes first (calibration may still turn a side told by chance into symmetric)
    sym_motion = symmetric_motion(prep, starts, length)
    sym_moving = np.nan_to_num(sym_motion, nan=0.0).min(1) >= settings.min_sym_motion
    symmetric = enough & ~related & sym_moving & (sync >= settings.min_sync)
    label[symmetric] = "symmetric"
    lag_steps[symmetric] = lag_sync[symmetric]
    label[~enough] = "insufficient"
    lag_s = (lag_steps - max_lag) / rate  # index -> lag
    leader = leaders(lag_s, settings.together_s)
    for arr in (mirror, match, sync):
        arr[~enough] = np.nan

    # body parts at the window's lags (mirror at the mirror lag, match at the match lag): one
    # person copying another copies with one delay, and a part free to pick its own best of
    # every lag would find chance agreement far more often than the whole body does
    ch_match = score_c[k_match, w_idx]  # (W, C)
    ch_mirror = -score_c[k_mirror, w_idx]
    ch_ok = (sums["n"][zero] >= settings.min_valid * length) & enough[:, None]
    ch_change = np.sqrt(
        np.minimum(sums["xx"][zero], sums["yy"][zero])
        / (np.maximum(sums["n"][zero], 1) * np.maximum(nfeat, 1)[None, :])
    )
    ch_moved = ch_change >= settings.min_change  # both people's part changed
    k_best = lags[np.where(best_is_mirror, k_mirror, k_match)]
    arm_mirror, arm_match, arm_cov, arm_moved = arm_channels(prep, starts, length, k_best)
    arm_ok = (arm_cov >= settings.min_valid) & enough[:, None]
    pick = [FEATURE_CHANNELS.index(c) for c in ("head", "torso", "face")]
    parts = {
        "head": (ch_mirror[:, pick[0]], ch_match[:, pick[0]], ch_ok[:, pick[0]], ch_moved[:, pick[0]]),
        "left_arm": (arm_mirror[:, 0], arm_match[:, 0], arm_ok[:, 0], arm_moved[:, 0] >= settings.min_arm_motion),
        "right_arm": (arm_mirror[:, 1], arm_match[:, 1], arm_ok[:, 1], arm_moved[:, 1] >= settings.min_arm_motion),
        "torso": (ch_mirror[:, pick[1]], ch_match[:, pick[1]], ch_ok[:, pick[1]], ch_moved[:, pick[1]]),
        "face": (ch_mirror[:, pick[2]], ch_match[:, pick[2]], ch_ok[:, pick[2]], ch_moved[:, pick[2]]),
    }
    R = len(BODY_PARTS)
    out_mirror, out_match = np.full((W, R), np.nan), np.full((W, R), np.nan)
    ch_label = np.full((W, R), "none", dtype="<U12")
    ch_active = np.zeros((W, R), dtype=bool)
    for c, name in enumerate(BODY_PARTS):
        mi, ma, ok, active = parts[name]
        ch_active[:, c] = ok & active
        best_mirror = np.nan_to_num(mi, nan=-np.inf) > np.nan_to_num(ma, nan=-np.inf)
        best = np.where(best_mirror, mi, ma)
        rel = ok & active & (np.nan_to_num(best, nan=-1) >= settings.min_score)
        ch_label[rel & best_mirror, c] = "mirror"
        ch_label[rel & ~best_mirror, c] = "match"
        ch_label[~ok, c] = "insufficient"
        out_mirror[ok, c], out_match[ok, c] = mi[ok], ma[ok]
    ch_mirror, ch_match = out_mirror, out_match
    zero_sums = {k: v[zero] for k, v in total.items()}
    samples = np.maximum(zero_sums["n"][:, 0], 1) * max(nfeat.sum(), 1)
    motion = np.sqrt((zero_sums["vxx"][:, 0] + zero_sums["vyy"][:, 0]) / (2 * samples))
    n_sided = (ch_ok * nfeat[None, :]).sum(1).astype(float)
    ch_samples = np.maximum(sums["n"][zero], 1) * np.maximum(nfeat, 1)[None, :]
    speed_c = np.sqrt((sums["vxx"][zero] + sums["vyy"][zero]) / (2 * ch_samples))  # (W, C) per feature channel
    ch_cover = sums["n"][zero] / length
    ch_valid = np.stack(
        [
            arm_cov[:, 0]
            if name == "left_arm"
            else arm_cov[:, 1]
            if name == "right_arm"
            else ch_cover[:, FEATURE_CHANNELS.index(name)]
            for name in BODY_PARTS
        ],
        1,
    )
    ch_motion = np.stack([speed_c[:, FEATURE_CHANNELS.index(FEATURE_CHANNEL_OF[name])] for name in BODY_PARTS], 1)
    t0 = prep.t[0]
    return Windows(
        start_s=t0 + starts / rate,
        end_s=t0 + (starts + length) / rate,
        label=label,
        mirror_score=mirror,
        match_score=match,
        sync_score=sync,
        lag_s=lag_s,
        sync_lag_s=np.where(enough, (lag_sync - max_lag) / rate, np.nan),
        leader=leader,
        asymmetry=asym,
        change=np.where(enough[:, None], change, np.nan),
        valid=valid,
        channel_mirror=ch_mirror,
        channel_match=ch_match,
        channel_label=ch_label,
        p_value=np.full(W, np.nan),
        channel_p=np.full((W, R), np.nan),
        motion=np.where(enough, motion, np.nan),
        n_sided=np.where(enough, n_sided, 0.0),
        sided=enough & sided,
        sym_motion=sym_motion,
        sym_moving=sym_moving,
        channel_active=ch_active,
        channel_valid=ch_valid,
        channel_motion=ch_motion,
        pooled_mirror=pooled_mirror,
        pooled_match=pooled_match,
        continues=np.zeros(W, dtype=bool),
        run=WindowsRun(settings=settings, lags=len(lags)),
    )


def leaders(lag_s: np.ndarray, together_s: float) -> np.ndarray:
    """``(W,)`` who leads at each lag: "A" (B follows), "B", "together" (|lag| below ``together_s``), "" (no lag)."""
    out = np.full(len(lag_s), "", dtype="<U8")
    has = ~np.isnan(lag_s)
    out[has & (lag_s >= together_s)] = "A"
    out[has & (lag_s <= -together_s)] = "B"
    out[has & (np.abs(lag_s) < together_s)] = "together"
    return out


def _empty_windows(settings: CompareSettings) -> Windows:
    """No windows (a stretch shorter than one window), every array with its shape and type."""
    R = len(BODY_PARTS)
    shapes: dict[str, tuple[tuple[int, ...], Any]] = {
        "label": ((0,), "<U12"),
        "leader": ((0,), "<U8"),
        "sided": ((0,), bool),
        "sym_moving": ((0,), bool),
        "continues": ((0,), bool),
        "channel_label": ((0, R), "<U12"),
        "channel_active": ((0, R), bool),
    }
    arrays: dict[str, np.ndarray] = {}
    for f in fields(Windows):
        if f.name in ("channels", "run"):
            continue
        shape: tuple[int, ...]
        dtype: Any
        if f.name in shapes:
            shape, dtype = shapes[f.name]
        elif f.name.startswith("channel_"):
            shape, dtype = (0, R), float
        elif f.name in ("asymmetry", "change", "sym_motion"):
            shape, dtype = (0, 2), float
        else:
            shape, dtype = (0,), float
        arrays[f.name] = np.zeros(shape, dtype=dtype)
    return Windows(**arrays, run=WindowsRun(settings=settings, reason="shorter than one window"))  # type: ignore[arg-type]
