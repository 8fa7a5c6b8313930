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
from numpy.lib.stride_tricks import as_strided

from mirror.compare.prepare import Prepared
from mirror.compare.settings import CompareSettings


def window_sums(series: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Sums of ``series`` ``(N, ...)`` over ``[start, start + length)`` for each start."""
    c = np.concatenate([np.zeros((1,) + series.shape[1:]), np.cumsum(series, axis=0)])
    return c[starts + length] - c[starts]


VECTOR_SCAN_ELEMENTS = 65_536
"""Lag x sample cross products the scan forms in one pass, per channel (256 KB of float32):
a group of lags small enough that its products and running sums stay in the processor's cache
while every feature of the channel is added in (short stretches: every lag at once)."""


def lag_scan(prep: Prepared, starts: np.ndarray, length: int, lags: np.ndarray) -> dict[str, np.ndarray]:
    """Window sums of the comparison statistics for every lag.

    Missing samples are zeros, so the cross products need no mask; each
    person's own energy is summed over the frames where that person has data
    (a stretch where only one of them is seen lowers the similarity, as it should).
    The cross sums go through :func:`_cross_sums`, a group of at most
    :data:`VECTOR_SCAN_ELEMENTS` lag x sample products at a time.

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
    k = lags[:, None]
    t0, t1 = np.maximum(0, -k), n - np.maximum(0, k)
    lo = np.clip(starts[None, :] - (k // 2), t0, t1)  # (L, W): A's first sample
    hi = np.clip(starts[None, :] - (k // 2) + length, t0, t1)
    out = {name: _cross_sums(x, y, grp, ml, lags, lo, hi) for name, x, y, grp in (
        ("xy", aA, aB, g), ("vxy", vA, vB, g), ("sxy", sA, sB, gs)
    )}  # fmt: skip

    cut = np.nonzero(hi - lo != length)  # windows an end cuts at their lag; the others are whole
    at = {0: (lo, lo[cut], hi[cut]), 1: (lo + k, (lo + k)[cut], (hi + k)[cut])}  # A's samples, B's

    def windowed(c: np.ndarray, person: int = 0) -> np.ndarray:
        """``(L, W, C)`` window sums from ``(N + 1, C)`` running sums of A's (0) or B's (1) terms.

        Whole windows read a table of every whole window's sum (the same subtraction), the
        windows an end cuts are summed on their own.
        """
        first, cut_lo, cut_hi = at[person]
        out = (
            np.take(c[length:] - c[:-length], first, axis=0, mode="clip")
            if n >= length
            else np.zeros(lo.shape + c.shape[1:])
        )
        if len(cut_lo):
            out[cut] = c[cut_hi] - c[cut_lo]
        return out

    for name in ("xx", "vxx", "sxx"):
        out[name] = windowed(own[name])
    for name in ("yy", "vyy", "syy"):
        out[name] = windowed(own[name], 1)
    out["n"] = np.minimum(windowed(own["nA"]), windowed(own["nB"], 1))
    out["sn"] = np.minimum(windowed(own["snA"]), windowed(own["snB"], 1))
    return out


def _cross_sums(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, ml: int, lags: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """``(L, W, C)`` window sums of A's ``x`` at ``t`` times B's ``y`` at ``t + lag``, per channel.

    ``x``, ``y``: ``(N, K)`` float32; ``groups``: ``(K, C)`` 0/1 feature-to-channel; ``lo``, ``hi``:
    ``(L, W)`` A's samples of each window at each lag.  B outside the recording is 0.  Each
    channel's products are added feature by feature in float32 (the order, and so every bit, of
    a matrix product with the 0/1 channel matrix), then run along time a group of lags at a time.
    """
    n = len(x)
    L, W = lo.shape
    C = groups.shape[1]
    xT = np.ascontiguousarray(x.T)  # (K, N): each feature's samples contiguous
    yT = np.zeros((x.shape[1], n + 2 * ml), dtype=np.float32)  # B padded with ml zeros on both sides
    yT[:, ml : ml + n] = y.T
    members = [np.flatnonzero(groups[:, c]).tolist() for c in range(C)]
    out = np.zeros((L, W, C))
    group = max(1, min(L, VECTOR_SCAN_ELEMENTS // max(n, 1)))
    total = np.empty((group, n), dtype=np.float32)
    term = np.empty((group, n), dtype=np.float32)
    running = np.zeros((group, n + 1), dtype=np.float32)
    step = yT.itemsize
    for first in range(0, L, group):
        part = lags[first : first + group]
        m = len(part)
        consecutive = bool(np.all(np.diff(part) == 1))
        rows = np.arange(m)[:, None] * (n + 1)
        at_lo, at_hi = (rows + lo[first : first + m]).ravel(), (rows + hi[first : first + m]).ravel()
        s, t, c = total[:m], term[:m], running[:m]
        for ch, features in enumerate(members):
            if not features:
                continue  # a channel without features: its sums are 0
            for i, f in enumerate(features):
                if consecutive:  # B at t + lag for each lag of the group: one view of B's padded series
                    b = as_strided(yT[f, ml + int(part[0]) :], shape=(m, n), strides=(step, step), writeable=False)
                else:
                    b = np.stack([yT[f, ml + lag : ml + lag + n] for lag in part.tolist()])
                if i == 0:
                    np.multiply(xT[f], b, out=s)
                else:
                    np.multiply(xT[f], b, out=t)
                    np.add(s, t, out=s)
            np.cumsum(s, axis=1, out=c[:, 1:])
            flat = c.ravel()
            out[first : first + m, :, ch] = (flat[at_hi] - flat[at_lo]).reshape(m, W)
    return out


def channel_totals(sums: dict[str, np.ndarray], channels: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each ``(L, W, C)`` sum of :func:`lag_scan` totalled over its channels: ``(L, W, 1)``.

    ``channels``: ``(C,)`` bool, the channels to total (default: all).  A few channels are added
    one after another, in order, as ``sum(-1)`` adds them (whole arrays at a time instead of a
    few numbers at a time: the same sums, several times faster).
    """
    out = {}
    for name, v in sums.items():
        picked = list(range(v.shape[-1])) if channels is None else np.flatnonzero(channels).tolist()
        if not 0 < len(picked) < 8:  # numpy adds eight or more pairwise
            out[name] = (v if channels is None else v[..., channels]).sum(-1, keepdims=True)
            continue
        total = v[..., picked[0]].copy()
        for c in picked[1:]:
            total += v[..., c]
        out[name] = total[..., None]
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
    # the same operations as (P + w R) / (1 + w) written out, each into an array made once
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        energy = s["xx"] + s["yy"]
        p = np.multiply(s["xy"], 2)
        np.divide(p, energy, out=p)
        p[~(energy > floor)] = 0.0
        r = _ratio(s["vxy"], s["vxx"], s["vyy"], floor)
        w = np.add(s["vxx"], s["vyy"])  # speed, then its weight
        np.divide(w, np.multiply(samples, 2), out=w)
        np.sqrt(w, out=w)
        np.divide(w, settings.move_scale, out=w)
        np.clip(w, 0, 1, out=w)
        score = _bounded(p)
        np.add(score, np.multiply(w, _bounded(r), out=r), out=score)
        np.divide(score, np.add(w, 1, out=w), out=score)
        score[s["n"] == 0] = np.nan
        sync = np.clip(_ratio(s["sxy"], s["sxx"], s["syy"], sfloor), -1, 1)
        sync[s["sn"] == 0] = np.nan  # no symmetric data at all: unknown, not 0
    return score, sync


def _ratio(xy: np.ndarray, xx: np.ndarray, yy: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """``xy / sqrt(xx yy)``, 0 where either energy is not above ``floor``."""
    out = np.multiply(xx, yy)
    np.sqrt(out, out=out)
    np.divide(xy, out, out=out)
    out[~((xx > floor) & (yy > floor))] = 0.0
    return out


def _bounded(x: np.ndarray) -> np.ndarray:
    """``np.clip(np.nan_to_num(x), -1, 1)``, in place: NaN is 0, infinities the bounds."""
    np.clip(x, -1, 1, out=x)
    x[np.isnan(x)] = 0.0
    return x


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
    # each person's arm as an (N, P) array: rows taken whole (the same (W, L, P) arrays, faster)
    arm = [[np.ascontiguousarray(prep.arm_hp[:, p, side]) for side in (0, 1)] for p in (0, 1)]
    arm_ok = [[np.ascontiguousarray(prep.arm_ok[:, p, side]) for side in (0, 1)] for p in (0, 1)]
    b_ok = arm_ok[1][0] & arm_ok[1][1]  # both of B's arms usable
    for side in (0, 1):
        a = np.take(arm[0][side], ia, axis=0)  # (W, L, P) float32
        same, other = np.take(arm[1][side], ib, axis=0), np.take(arm[1][1 - side], ib, axis=0)
        ok = (inside & np.take(arm_ok[0][side], ia) & np.take(b_ok, ib)).astype(np.float32)
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
