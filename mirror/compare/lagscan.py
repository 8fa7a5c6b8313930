"""The lag scan: window sums of the comparison statistics at every lag, and the scores they give.

For each window start ``s`` and lag ``k`` (B's sample minus A's), sums over A's samples
``s - k // 2 ...`` and B's samples ``s + k - k // 2 ...``: the lag is centred on the window, so
exchanging A and B gives the same sums with the lag negated.  :func:`scores` turns the sums into
the signed relation score and the symmetric synchrony; :func:`refine` places a peak between lags;
:func:`arm_channels` compares the arms at a window's lag.  The decisions are
:mod:`mirror.compare.windows`'.
"""

from __future__ import annotations

import numpy as np

from mirror.compare.prepare import Prepared
from mirror.compare.settings import CompareSettings


def window_sums(series: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Sums of ``series`` ``(N, ...)`` over ``[start, start + length)`` for each start."""
    c = np.concatenate([np.zeros((1,) + series.shape[1:]), np.cumsum(series, axis=0)])
    return c[starts + length] - c[starts]


VECTOR_SCAN_ELEMENTS = 1_500_000
"""Lag x sample x feature products the scan forms in one pass: short sessions and surrogates scan
every lag at once (no per-lag Python loop); longer stretches a group of lags at a time."""


def lag_scan(prep: Prepared, starts: np.ndarray, length: int, lags: np.ndarray) -> dict[str, np.ndarray]:
    """Window sums of the comparison statistics for every lag.

    Missing samples are zeros, so the cross products need no mask; each
    person's own energy is summed over the frames where that person has data
    (a stretch where only one of them is seen lowers the similarity, as it should).
    The lags go through one scan (:func:`_scan_lags`) in groups of at most
    :data:`VECTOR_SCAN_ELEMENTS` products: every lag at once for a short stretch.

    Returns
    -------
    dict of np.ndarray
        Each ``(L, W, C)``: for lag ``k`` and window start ``s``, sums over
        A's samples ``s - k // 2 ...`` and B's samples ``s + k - k // 2 ...``.
    """
    n = len(prep.t)
    f32 = np.float32
    aA, aB = prep.asym[:, 0].astype(f32), prep.asym[:, 1].astype(f32)
    vA, vB = prep.vel[:, 0].astype(f32), prep.vel[:, 1].astype(f32)
    sA, sB = prep.sym_hp[:, 0].astype(f32), prep.sym_hp[:, 1].astype(f32)
    g, gs = prep.g.astype(f32), prep.gs.astype(f32)
    okA, okB = prep.ok[:, 0], prep.ok[:, 1]
    sokA, sokB = prep.sym_ok[:, 0], prep.sym_ok[:, 1]

    def cum(x: np.ndarray) -> np.ndarray:
        out = np.zeros((n + 1,) + x.shape[1:])
        np.cumsum(x, axis=0, out=out[1:])
        return out

    own = {  # lag-independent: cumulative sums of each person's own terms
        "nA": cum(okA.astype(float)), "nB": cum(okB.astype(float)),
        "xx": cum(((aA**2) @ g) * okA), "yy": cum(((aB**2) @ g) * okB),
        "vxx": cum(((vA**2) @ g) * okA), "vyy": cum(((vB**2) @ g) * okB),
        "snA": cum(sokA.astype(float)), "snB": cum(sokB.astype(float)),
        "sxx": cum(((sA**2) @ gs) * sokA), "syy": cum(((sB**2) @ gs) * sokB),
    }  # fmt: skip
    ml = int(np.abs(lags).max()) if len(lags) else 0

    def padded(y: np.ndarray) -> np.ndarray:
        """B's series with ``ml`` zero samples on both sides: B outside the recording is 0."""
        pad = np.zeros((n + 2 * ml,) + y.shape[1:], dtype=y.dtype)
        pad[ml : ml + n] = y
        return pad

    pairs = {"xy": (aA, padded(aB), g), "vxy": (vA, padded(vB), g), "sxy": (sA, padded(sB), gs)}
    per_lag = n * max(aA.shape[1], sA.shape[1], 1)
    group = max(1, VECTOR_SCAN_ELEMENTS // per_lag)
    parts = [_scan_lags(own, pairs, ml, starts, length, lags[i : i + group]) for i in range(0, len(lags), group)]
    if len(parts) == 1:
        return parts[0]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _scan_lags(own: dict, pairs: dict, ml: int, starts: np.ndarray, length: int, lags: np.ndarray) -> dict:
    """:func:`lag_scan`'s sums for the lags ``lags``, in one pass of array operations.

    ``pairs`` maps each cross sum to A's series, B's series padded with ``ml`` zero samples on
    both sides, and the feature-to-channel matrix.  Cross products are float32 (half the memory
    traffic; the sums over one window keep about six digits); their running sums along time give
    each window's sum at each lag.
    """
    n = len(own["nA"]) - 1
    L = len(lags)

    def products(x: np.ndarray, pad: np.ndarray, groups: np.ndarray) -> np.ndarray:
        prod = np.empty((L, n) + x.shape[1:], dtype=np.result_type(x, pad))
        for i, lag in enumerate(lags.tolist()):  # A at t against B at t + lag
            np.multiply(x, pad[ml + lag : ml + lag + n], out=prod[i])
        summed = np.matmul(prod, groups)  # (L, n, C)
        c = np.zeros((L, n + 1, groups.shape[1]), dtype=np.float32)
        np.cumsum(summed, axis=1, out=c[:, 1:])
        return c

    k = lags[:, None]
    t0, t1 = np.maximum(0, -k), n - np.maximum(0, k)
    lo = np.clip(starts[None, :] - (k // 2), t0, t1)  # (L, W)
    hi = np.clip(starts[None, :] - (k // 2) + length, t0, t1)
    li = np.arange(L)[:, None]
    out = {}
    for name, (x, pad, grp) in pairs.items():
        c = products(x, pad, grp)
        out[name] = (c[li, hi] - c[li, lo]).astype(np.float64)
    for name in ("xx", "vxx", "sxx"):
        out[name] = own[name][hi] - own[name][lo]
    for name in ("yy", "vyy", "syy"):
        out[name] = own[name][hi + k] - own[name][lo + k]
    out["n"] = np.minimum(own["nA"][hi] - own["nA"][lo], own["nB"][hi + k] - own["nB"][lo + k])
    out["sn"] = np.minimum(own["snA"][hi] - own["snA"][lo], own["snB"][hi + k] - own["snB"][lo + k])
    return out


NEGLIGIBLE_ENERGY = 1e-12
"""Mean squared value per sample and feature below which a series counts as still: far below any
real posture or movement, and above the rounding of the summed statistics.  Ratios of still series
would be rounding noise (a "perfect" relation out of nothing); they count as no relation (0)."""


def scores(s: dict, settings: CompareSettings, n_features: np.ndarray):
    """Signed relation score s (L, W, X), posture P, sync, from summed statistics.

    Each ratio is a correlation-like measure in [-1, 1]; windows where either person is
    still (:data:`NEGLIGIBLE_ENERGY`) score 0 rather than a ratio of rounding errors.
    """
    samples = np.maximum(s["n"], 1) * np.maximum(n_features, 1)  # sample x feature terms in each sum
    floor = NEGLIGIBLE_ENERGY * samples
    sfloor = NEGLIGIBLE_ENERGY * np.maximum(s["sn"], 1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        p = np.where(s["xx"] + s["yy"] > floor, 2 * s["xy"] / (s["xx"] + s["yy"]), 0.0)
        r = np.where((s["vxx"] > floor) & (s["vyy"] > floor), s["vxy"] / np.sqrt(s["vxx"] * s["vyy"]), 0.0)
        speed = np.sqrt((s["vxx"] + s["vyy"]) / (2 * samples))
        w = np.clip(speed / settings.move_scale, 0, 1)
        score = (np.clip(np.nan_to_num(p), -1, 1) + w * np.clip(np.nan_to_num(r), -1, 1)) / (1 + w)
        score[s["n"] == 0] = np.nan
        sync = np.where((s["sxx"] > sfloor) & (s["syy"] > sfloor), s["sxy"] / np.sqrt(s["sxx"] * s["syy"]), 0.0)
        sync = np.clip(sync, -1, 1)
        sync[s["sn"] == 0] = np.nan  # no symmetric data at all: unknown, not 0
    return score, sync


def refine(curve: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Parabolic sub-step peak position around index ``k`` of ``curve`` (L, W)."""
    L = curve.shape[0]
    if L < 3:
        return k.astype(float)
    w = np.arange(curve.shape[1])
    k0 = np.clip(k, 1, L - 2)
    y0, y1, y2 = curve[k0 - 1, w], curve[k0, w], curve[k0 + 1, w]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        denom = y0 - 2 * y1 + y2
        d = np.where(np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / denom, 0.0)
    d = np.where((k == k0) & np.isfinite(d), np.clip(d, -0.5, 0.5), 0.0)
    return k + d


def arm_channels(prep: Prepared, starts: np.ndarray, length: int, k: np.ndarray):
    """Per window, each of A's arms against B's same arm (match) and other arm (mirror), at lag ``k``.

    Returns ``(mirror, match, coverage, moved)``, each ``(W, 2)`` for A's left and right arm.
    """
    n = len(prep.t)
    offsets = np.arange(length)
    ia = starts[:, None] - (k // 2)[:, None] + offsets  # (W, L)
    ib = ia + k[:, None]
    inside = (ia >= 0) & (ia < n) & (ib >= 0) & (ib < n)
    ia, ib = np.clip(ia, 0, n - 1), np.clip(ib, 0, n - 1)
    mirror, match, coverage, moved = (np.full((len(starts), 2), np.nan) for _ in range(4))
    for side in (0, 1):
        a = prep.arm_hp[ia, 0, side]  # (W, L, P) float32
        same, other = prep.arm_hp[ib, 1, side], prep.arm_hp[ib, 1, 1 - side]
        ok = (inside & prep.arm_ok[ia, 0, side] & prep.arm_ok[ib, 1, 0] & prep.arm_ok[ib, 1, 1]).astype(np.float32)
        aa = np.einsum("wlp,wlp,wl->w", a, a, ok, dtype=np.float64)
        ss = np.einsum("wlp,wlp,wl->w", same, same, ok, dtype=np.float64)
        oo = np.einsum("wlp,wlp,wl->w", other, other, ok, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            match[:, side] = np.einsum("wlp,wlp,wl->w", a, same, ok, dtype=np.float64) / np.sqrt(aa * ss)
            mirror[:, side] = np.einsum("wlp,wlp,wl->w", a, other, ok, dtype=np.float64) / np.sqrt(aa * oo)
            moved[:, side] = np.sqrt(aa / (np.maximum(ok.sum(1), 1) * a.shape[-1]))
        coverage[:, side] = ok.mean(1)
    return mirror, match, coverage, moved


def symmetric_motion(prep: Prepared, starts: np.ndarray, length: int) -> np.ndarray:
    """``(W, 2)`` drift-free size of each person's symmetric movement over each window.

    The root mean square over the window's frames of the norm over the evidence columns: one
    part moving (a forward lean) counts in full, however still the others are.
    """
    gs = prep.gs * prep.sym_evidence[:, None]
    has = gs.sum(0) > 0
    out = np.full((len(starts), 2), np.nan)
    for p in range(2):
        sq = ((prep.sym_hp[:, p] ** 2) @ gs * prep.sym_ok[:, p]).sum(1)
        cnt = (prep.sym_ok[:, p] & has).any(1).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, p] = np.sqrt(window_sums(sq, starts, length) / window_sums(cnt, starts, length))
    return out


def both_coverage(prep: Prepared, starts: np.ndarray, length: int) -> np.ndarray:
    """``(W,)`` share of each window where both people have data in at least one channel."""
    both = prep.ok[:, 0].any(1) & prep.ok[:, 1].any(1)
    return window_sums(both.astype(float), starts, length) / length


def channel_weights(xx: np.ndarray, yy: np.ndarray, n: np.ndarray, n_features: np.ndarray, settings: CompareSettings):
    """``(W, C)`` each feature channel's weight in a window's whole-body score.

    ``xx``, ``yy``, ``n``: ``(W, C)`` A's and B's posture-change energy and the samples with data
    at lag 0.  The weight is the square root of the smaller of the two people's RMS posture change
    (per feature): a channel counts by how much both people move it in that window, not by its
    units or its number of features, and 0 where either person's change is below ``min_change``
    (or it has no data).  Summing every feature's products instead let the channel with the
    largest numbers decide: the arms (in shoulder widths, seven features) drowned a head or a face
    that told the relation plainly, and noisy arms drowned everything (``accuracy_real``'s
    upper-body composites: macro-F1 0.69 / 0.59 with lite / full, 0.73 / 0.73 weighted; through a
    poor camera 0.35 / 0.36, 0.49 / 0.47).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.sqrt(np.minimum(xx, yy) / (np.maximum(n, 1) * np.maximum(n_features, 1)))
    moved = (change >= settings.min_change) & (n > 0)
    return np.where(moved, np.sqrt(np.where(moved, change, 0.0)), 0.0)


def whole_body_score(score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(L, W)`` weighted mean of the channels' scores ``(L, W, C)`` (a channel without data at a lag
    counts 0); NaN where no channel weighs."""
    total = weights.sum(-1)
    mean = (np.nan_to_num(score) * weights).sum(-1) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, mean, np.nan)
