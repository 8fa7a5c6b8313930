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
names the window when it passes ``min_score`` and both people's antisymmetric
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
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from mirror.compare.run import WindowsRun
from mirror.compare.settings import CompareSettings
from mirror.features import Features
from mirror.signal import highpass, resample, smooth_and_differentiate
from mirror.vocabulary import ARM_FEATURES, BODY_PARTS, FEATURE_CHANNEL_OF, FEATURE_CHANNELS


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
    run: WindowsRun
    channels: tuple[str, ...] = BODY_PARTS

    def __len__(self) -> int:
        return len(self.start_s)


def _channel_matrix(specs, channels) -> np.ndarray:
    g = np.zeros((len(specs), len(channels)))
    for i, s in enumerate(specs):
        g[i, channels.index(s.channel)] = 1.0
    return g


def _window_sums(series: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Sums of ``series`` ``(N, ...)`` over ``[start, start + length)`` for each start."""
    c = np.concatenate([np.zeros((1,) + series.shape[1:]), np.cumsum(series, axis=0)])
    return c[starts + length] - c[starts]


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """``y[t] = x[t + k]``, zero outside."""
    y = np.zeros_like(x)
    n = len(x)
    if abs(k) >= n:
        return y
    if k >= 0:
        y[: n - k] = x[k:]
    else:
        y[-k:] = x[: n + k]
    return y


@dataclass
class Prepared:
    t: np.ndarray
    asym: np.ndarray  # (N, 2, K) smoothed, each person's posture changes (slow drifts removed), NaN->0
    posture: np.ndarray  # (N, 2, K) smoothed antisymmetric posture itself, NaN->0
    vel: np.ndarray  # (N, 2, K)
    sym_hp: np.ndarray  # (N, 2, J)
    ok: np.ndarray  # (N, 2, C) channel has data (asym)
    sym_ok: np.ndarray  # (N, 2, C)
    g: np.ndarray  # (K, C)
    gs: np.ndarray  # (J, C)
    arm_hp: np.ndarray  # (N, 2 people, 2 sides, P) arm features, slow drifts removed, NaN->0
    arm_ok: np.ndarray  # (N, 2, 2)
    sym_evidence: np.ndarray  # (J,) bool: symmetric columns that show a left-right symmetric movement


BASELINED = ("head_yaw",)
"""Antisymmetric columns (besides the face's) measured from each person's own usual value."""


def _from_own_baseline(asym: np.ndarray, specs) -> np.ndarray:
    """Face asymmetries and head yaw as departures from each person's median over the session.

    A face's resting left-right difference is anatomy and measurement, not expression, and
    seated side by side each person's usual yaw turns towards the other: both would read as a
    mirrored posture that nobody made.  What the comparison keeps is each person's change.
    """
    cols = [k for k, s in enumerate(specs) if s.channel == "face" or s.name in BASELINED]
    if not cols or not len(asym):
        return asym
    import warnings

    out = asym.copy()
    with warnings.catch_warnings():  # a person never seen: their median is NaN, silently
        warnings.simplefilter("ignore", RuntimeWarning)
        out[:, :, cols] -= np.nanmedian(asym[:, :, cols], axis=0, keepdims=True)
    return out


def prepare(features: Features, settings: CompareSettings) -> Prepared:
    """Resample, smooth and split features into antisymmetric and symmetric parts."""
    asym, aspecs = features.antisymmetric()
    sym, sspecs = features.symmetric()
    asym = _from_own_baseline(asym, aspecs)
    t, asym = resample(features.t_s, asym, settings.rate_hz, settings.max_gap_s)
    _, sym = resample(features.t_s, sym, settings.rate_hz, settings.max_gap_s)
    asym, vel = smooth_and_differentiate(asym, settings.rate_hz)
    sym_smooth, _ = smooth_and_differentiate(sym, settings.rate_hz)
    length = int(round(settings.window_s * settings.rate_hz))
    # postures compared as each person's changes (departures from their own moving average over
    # two windows: what a window holds steady goes, its own movement stays): a posture both merely
    # hold (a camera's tilt, one's usual lean) is no evidence
    asym_hp = highpass(asym, 2 * length)
    # symmetric parts with slow drifts removed: their correlation is a within-window Pearson
    sym_hp = highpass(sym_smooth, length)
    g = _channel_matrix(aspecs, FEATURE_CHANNELS)
    gs = _channel_matrix(sspecs, FEATURE_CHANNELS)
    # a channel has data for a person when every one of its features has
    missing = np.isnan(asym) | np.isnan(vel)
    ok = (missing.astype(float) @ g) == 0
    ok &= (g.sum(0) > 0)[None, None, :]
    sym_missing = np.isnan(sym_hp)
    sym_ok = ((sym_missing.astype(float) @ gs) == 0) & (gs.sum(0) > 0)[None, None, :]
    cols = [[features.names.index(f"{base}_{side}") for base in ARM_FEATURES] for side in ("left", "right")]
    _, arm = resample(features.t_s, features.values[:, :, cols], settings.rate_hz, settings.max_gap_s)
    arm, _ = smooth_and_differentiate(arm, settings.rate_hz)
    arm_hp = highpass(arm, int(round(settings.window_s * settings.rate_hz)))
    arm_ok = ~np.isnan(arm_hp).any(-1)
    return Prepared(
        t=t,
        asym=np.nan_to_num(asym_hp),
        posture=np.nan_to_num(asym),
        vel=np.nan_to_num(vel),
        sym_hp=np.nan_to_num(sym_hp),
        ok=ok,
        sym_ok=sym_ok,
        g=g,
        gs=gs,
        arm_hp=np.nan_to_num(arm_hp).astype(np.float32),
        arm_ok=arm_ok,
        sym_evidence=np.array(
            [s.channel in ("arms", "torso") and s.name not in NOT_SYMMETRIC_EVIDENCE for s in sspecs], dtype=bool
        ),
    )


NOT_SYMMETRIC_EVIDENCE = ("motion_energy", "motion_symmetry")
"""What a ``symmetric`` label needs besides synchrony is the body's symmetric part moving in both
people: the left-plus-right halves of the arms, arm openness, arms crossed, a forward lean.  Not
these (a speed, and a correlation), nor the head or the face: a nod, blinks or the jaw while
talking are no evidence that both sides of a body move alike, and a posture merely too
symmetric to tell the side is none either."""


def _arm_channels(prep: Prepared, starts: np.ndarray, length: int, k: np.ndarray):
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


def _lag_scan(prep: Prepared, starts: np.ndarray, length: int, lags: np.ndarray):
    """Window sums of the comparison statistics for every lag.

    Missing samples are zeros, so the cross products need no mask; each
    person's own energy is summed over the frames where that person has data
    (a stretch where only one of them is seen lowers the similarity, as it should).

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
    C = g.shape[1]
    L, W = len(lags), len(starts)
    if L * n * max(aA.shape[1], sA.shape[1], 1) <= VECTOR_SCAN_ELEMENTS:
        return _lag_scan_at_once(own, (aA, aB, vA, vB, sA, sB), (g, gs), starts, length, lags)
    out = {k: np.zeros((L, W, C)) for k in ("n", "xy", "xx", "yy", "vxy", "vxx", "vyy", "sn", "sxy", "sxx", "syy")}
    # float32 halves the memory traffic of the scan; the sums over one window keep ~6 digits
    buf = np.zeros((3, n + 1, C), dtype=f32)  # [:, 0] stays 0: cumulative sums start there
    csum = np.empty_like(buf)
    for i, k in enumerate(lags):
        t0, t1 = max(0, -k), n - max(0, k)  # A at t, B at t + k, both inside the recording
        buf[:, 1 : t0 + 1] = 0.0
        buf[:, t1 + 1 :] = 0.0
        if t1 > t0:
            a, b, r = slice(t0, t1), slice(t0 + k, t1 + k), slice(t0 + 1, t1 + 1)
            np.matmul(aA[a] * aB[b], g, out=buf[0, r])
            np.matmul(vA[a] * vB[b], g, out=buf[1, r])
            np.matmul(sA[a] * sB[b], gs, out=buf[2, r])
        np.cumsum(buf, axis=1, out=csum)
        # centre the lag on the window (A read from -floor(k/2), B from ceil(k/2)): exchanging
        # A and B then gives exactly the same windows with the lag negated
        lo = np.clip(starts - (k // 2), t0, t1)
        hi = np.clip(starts - (k // 2) + length, t0, t1)
        for j, name in enumerate(("xy", "vxy", "sxy")):
            out[name][i] = csum[j, hi] - csum[j, lo]
        for name, src in (("xx", "xx"), ("vxx", "vxx"), ("sxx", "sxx")):
            out[name][i] = own[src][hi] - own[src][lo]
        for name, src in (("yy", "yy"), ("vyy", "vyy"), ("syy", "syy")):
            out[name][i] = own[src][hi + k] - own[src][lo + k]
        out["n"][i] = np.minimum(own["nA"][hi] - own["nA"][lo], own["nB"][hi + k] - own["nB"][lo + k])
        out["sn"][i] = np.minimum(own["snA"][hi] - own["snA"][lo], own["snB"][hi + k] - own["snB"][lo + k])
    return out


VECTOR_SCAN_ELEMENTS = 1_500_000
"""Up to this many lag x sample x feature products, every lag is scanned at once (short
sessions and surrogates: no per-lag Python loop); beyond, lag by lag."""


def _lag_scan_at_once(
    own: dict, series: tuple, groups: tuple, starts: np.ndarray, length: int, lags: np.ndarray
) -> dict:
    """:func:`_lag_scan` for all lags in one pass of array operations (same sums)."""
    aA, aB, vA, vB, sA, sB = series
    g, gs = groups
    n = len(aA)
    L = len(lags)
    ml = int(np.abs(lags).max()) if L else 0
    rows = ml + lags[:, None] + np.arange(n)[None, :]  # (L, n): B's sample t + k in the padded series

    def products(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
        pad = np.zeros((n + 2 * ml,) + y.shape[1:], dtype=y.dtype)
        pad[ml : ml + n] = y
        prod = np.matmul(x[None] * pad[rows], groups)  # (L, n, C); B outside the recording is 0
        c = np.zeros((L, n + 1, groups.shape[1]), dtype=np.float32)
        np.cumsum(prod, axis=1, out=c[:, 1:])
        return c

    k = lags[:, None]
    t0, t1 = np.maximum(0, -k), n - np.maximum(0, k)
    lo = np.clip(starts[None, :] - (k // 2), t0, t1)  # (L, W)
    hi = np.clip(starts[None, :] - (k // 2) + length, t0, t1)
    li = np.arange(L)[:, None]
    out = {}
    for name, (x, y, grp) in {"xy": (aA, aB, g), "vxy": (vA, vB, g), "sxy": (sA, sB, gs)}.items():
        c = products(x, y, grp)
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


def _scores(s: dict, settings: CompareSettings, n_features: np.ndarray):
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


def _refine(curve: np.ndarray, k: np.ndarray) -> np.ndarray:
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


def _person_series(prep: Prepared) -> list[str]:
    """Names of the ``(N, 2 people, ...)`` series of a preparation."""
    n = len(prep.t)
    return [
        f.name
        for f in fields(prep)
        if isinstance(x := getattr(prep, f.name), np.ndarray) and x.ndim >= 2 and x.shape[0] == n and x.shape[1] == 2
    ]


def paired(a: Prepared, b: Prepared) -> Prepared:
    """Person A of ``a`` against person B of ``b`` (two preparations of the same length and grid)."""
    changes = {}
    for name in _person_series(a):
        z = getattr(a, name).copy()
        z[:, 1] = getattr(b, name)[:, 1]
        changes[name] = z
    return replace(a, **changes)


def person_rows(prep: Prepared, a_rows: np.ndarray, b_rows: np.ndarray) -> Prepared:
    """A's samples ``a_rows`` against B's samples ``b_rows`` (times: A's)."""
    changes = {"t": prep.t[a_rows]}
    for name in _person_series(prep):
        x = getattr(prep, name)
        y = x[a_rows].copy()
        y[:, 1] = x[b_rows, 1]
        changes[name] = y
    return replace(prep, **changes)


def shifted_pair(prep: Prepared, start: int, length: int, shift: int) -> Prepared:
    """A's samples ``start .. start + length`` against B's ``shift`` samples later (circularly).

    The timing between the two people is broken; each keeps their own movement.
    """
    n = len(prep.t)
    a = np.arange(start, start + length) % n
    step_s = float(np.median(np.diff(prep.t))) if n > 1 else 1.0
    return replace(
        person_rows(prep, a, (a + shift) % n), t=prep.t[0] + np.arange(length) * step_s
    )  # A's stretch may wrap: a grid


def _slice_prepared(prep: Prepared, lo: int, hi: int) -> Prepared:
    changes = {}
    for f in fields(prep):
        x = getattr(prep, f.name)
        if isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[0] == len(prep.t):
            changes[f.name] = x[lo:hi]
    return replace(prep, **changes)


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
    blocks = []
    for b in range(0, len(starts), BLOCK_WINDOWS):
        part = starts[b : b + BLOCK_WINDOWS]
        lo = max(0, int(part[0]) - max_lag - 1)
        hi = min(n, int(part[-1]) + length + max_lag + 1)
        blocks.append(_compare_block(_slice_prepared(prep, lo, hi), settings, part - lo))
    first = blocks[0]
    joined = {
        f.name: np.concatenate([getattr(w, f.name) for w in blocks])
        for f in fields(first)
        if isinstance(getattr(first, f.name), np.ndarray)
    }
    return replace(first, **joined)


def _compare_block(prep: Prepared, settings: CompareSettings, starts: np.ndarray) -> Windows:
    rate = settings.rate_hz
    length = max(2, int(round(settings.window_s * rate)))
    max_lag = int(round(settings.max_lag_s * rate))
    lags = np.arange(-max_lag, max_lag + 1)
    W = len(starts)
    if W == 0:
        return _empty_windows(settings)
    sums = _lag_scan(prep, starts, length, lags)
    nfeat = prep.g.sum(0)
    # overall = sum over channels
    total = {k: v.sum(-1, keepdims=True) for k, v in sums.items()}
    score_c, _ = _scores(sums, settings, nfeat)  # (L, W, C)
    score_o, _ = _scores(total, settings, np.array([nfeat.sum()]))  # (L, W, 1)
    # symmetric synchrony from the body only: the face's symmetric parts (blinks, the jaw while
    # talking) move in everyone, all the time, and are no symmetric posture
    body = np.array([c != "face" for c in FEATURE_CHANNELS])
    body_total = {k: v[..., body].sum(-1, keepdims=True) for k, v in sums.items()}
    _, sync_o = _scores(body_total, settings, np.array([nfeat[body].sum()]))
    score_o, sync_o = score_o[..., 0], sync_o[..., 0]
    zero = int(np.flatnonzero(lags == 0)[0])
    valid = _coverage(prep, starts, length)
    # asymmetry of each person (lag independent): RMS over the window's valid frames and features
    asym = np.zeros((W, 2))
    for p in range(2):
        sq = (prep.posture[:, p] ** 2) @ prep.g
        sq = (sq * prep.ok[:, p]).sum(1)
        cnt = (prep.ok[:, p].astype(float) * nfeat).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            asym[:, p] = np.sqrt(_window_sums(sq, starts, length) / _window_sums(cnt, starts, length))
    filled = np.nan_to_num(score_o, nan=0.0)
    k_match = np.argmax(np.where(np.isnan(score_o), -np.inf, score_o), axis=0)
    k_mirror = np.argmax(np.where(np.isnan(score_o), -np.inf, -score_o), axis=0)
    w_idx = np.arange(W)
    match = score_o[k_match, w_idx]
    mirror = -score_o[k_mirror, w_idx]
    sync_filled = np.where(np.isnan(sync_o), -np.inf, sync_o)
    k_sync = np.argmax(sync_filled, axis=0)
    sync = sync_o[k_sync, w_idx]
    lag_match = _refine(filled, k_match)
    lag_mirror = _refine(-filled, k_mirror)
    lag_sync = _refine(np.nan_to_num(sync_o), k_sync)

    label = np.full(W, "none", dtype="<U12")
    lag_steps = np.full(W, np.nan)
    enough = valid >= settings.min_valid
    # the side can be told where both people's antisymmetric posture changes over the window
    zs = {k: v[zero, :, 0] for k, v in total.items()}
    terms = np.maximum(zs["n"], 1) * max(nfeat.sum(), 1)
    change = np.sqrt(np.stack([zs["xx"], zs["yy"]], 1) / terms[:, None])
    sided = enough & (change.min(1) >= settings.min_change)
    best_is_mirror = mirror > match
    best = np.where(best_is_mirror, mirror, match)
    related = sided & (best >= settings.min_score)
    label[related & best_is_mirror] = "mirror"
    label[related & ~best_is_mirror] = "match"
    lag_steps[related & best_is_mirror] = lag_mirror[related & best_is_mirror]
    lag_steps[related & ~best_is_mirror] = lag_match[related & ~best_is_mirror]
    # symmetric needs evidence: each person's symmetric part really moves (both arms, a nod),
    # not merely a posture too symmetric to tell the side; a relation that tells the side
    # comes first (calibration may still turn a side told by chance into symmetric)
    sym_motion = _sym_motion(prep, starts, length)
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
    arm_mirror, arm_match, arm_cov, arm_moved = _arm_channels(prep, starts, length, k_best)
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
    shapes = {
        "label": ((0,), "<U12"),
        "leader": ((0,), "<U8"),
        "sided": ((0,), bool),
        "sym_moving": ((0,), bool),
        "channel_label": ((0, R), "<U12"),
        "channel_active": ((0, R), bool),
    }
    arrays = {}
    for f in fields(Windows):
        if f.name in ("channels", "run"):
            continue
        if f.name in shapes:
            shape, dtype = shapes[f.name]
        elif f.name.startswith("channel_"):
            shape, dtype = (0, R), float
        elif f.name in ("asymmetry", "change", "sym_motion"):
            shape, dtype = (0, 2), float
        else:
            shape, dtype = (0,), float
        arrays[f.name] = np.zeros(shape, dtype=dtype)
    return Windows(**arrays, run=WindowsRun(settings=settings, reason="shorter than one window"))


def _sym_motion(prep: Prepared, starts: np.ndarray, length: int) -> np.ndarray:
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
            out[:, p] = np.sqrt(_window_sums(sq, starts, length) / _window_sums(cnt, starts, length))
    return out


def _coverage(prep: Prepared, starts: np.ndarray, length: int) -> np.ndarray:
    """``(W,)`` share of each window where both people have data in at least one channel."""
    both = prep.ok[:, 0].any(1) & prep.ok[:, 1].any(1)
    return _window_sums(both.astype(float), starts, length) / length
