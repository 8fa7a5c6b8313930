"""Session synchrony of many re-pairings of A with B, without a full comparator pass each.

The surrogate test (:func:`mirror.compare.events.surrogate_test`) needs, for each surrogate,
only :func:`~mirror.compare.events.synchrony_statistic` of the windows
:func:`~mirror.compare.windows.compare_prepared` would give A against B's samples taken in
another order: the mean over windows with enough data of the best of the mirror, match and
symmetric scores over all lags.  That needs the whole-body sums of the lag scan, not the
body parts, arms, lags, labels or leaders, and every lag-independent sum of A once.

What is left per surrogate is B's side of the cross products, for every lag.  They are
computed as small matrix products of a stretch of A with the stretch of re-ordered B it can
meet within the largest lag, from which each lag's products are read off a diagonal band:
a few BLAS calls instead of a pass of array operations per lag.

The windows, lag range, stillness floors and score formula are those of
:mod:`mirror.compare.windows`.  ``tests/test_speed_paths.py`` checks that the statistic equals
the full comparator's for many re-pairings, and every run checks it on the real pairing
(:func:`pairing_statistic`): should the comparator's scoring change without this module, the
surrogates fall back to full comparator passes, slower but never wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from mirror.compare.lagscan import NEGLIGIBLE_ENERGY
from mirror.compare.prepare import Prepared
from mirror.compare.settings import CompareSettings
from mirror.compare.windows import BLOCK_WINDOWS
from mirror.vocabulary import FEATURE_CHANNELS

SINGLE_THREAD_PRODUCT = 4 * 65536
"""Largest rows x columns x inner size of one matrix product of the scan.  Small enough that
OpenBLAS runs it in the calling thread: the products are small, and BLAS threads fighting over
a busy machine's cores made the scan ten to forty times slower."""

CHUNK_BYTES = 120 * 1024
"""Size of the largest per-channel array scored at a time: below glibc's mmap threshold (128 KB,
which ``mirror.memory`` fixes), so the scan reuses heap memory instead of mapping fresh pages for
every temporary (several times faster with that policy in force)."""

BAND_SAMPLES = 16384
"""Samples of A scanned at a time: the memory of one surrogate's scan is bounded by this."""


def band_rows(n_features: int, max_lag: int) -> int:
    """Samples of A per matrix product: at most 128, fewer while one product exceeds :data:`SINGLE_THREAD_PRODUCT`."""
    rows = 128
    while rows > 8 and rows * (rows + 2 * max_lag) * max(n_features, 1) > SINGLE_THREAD_PRODUCT:
        rows //= 2
    return rows


@dataclass(frozen=True)
class _Own:
    """Cumulative sums (N + 1 rows) of one person's own terms, lag independent, totalled over channels."""

    xx: np.ndarray  # (N + 1,) posture energy, whole body
    vxx: np.ndarray  # (N + 1,) movement energy
    sxx: np.ndarray  # (N + 1,) symmetric energy, body channels
    n: np.ndarray  # (N + 1, C) samples with data, per channel
    sn: np.ndarray  # (N + 1, C_body) samples with symmetric data, per body channel


def _cum(x: np.ndarray) -> np.ndarray:
    out = np.zeros((len(x) + 1,) + x.shape[1:])
    np.cumsum(x, axis=0, out=out[1:])
    return out


def _own(
    asym: np.ndarray,
    vel: np.ndarray,
    sym: np.ndarray,
    ok: np.ndarray,
    sym_ok: np.ndarray,
    chan: np.ndarray,
    sym_chan: np.ndarray,
) -> _Own:
    """Own sums as the comparator's lag scan makes them (each feature counted where its channel has data).

    ``chan``: each posture feature's channel; ``sym_chan``: each symmetric (body) column's body channel.
    """
    okf = ok[:, chan]
    sokf = sym_ok[:, sym_chan]
    return _Own(
        xx=_cum((asym**2 * okf).sum(1)),
        vxx=_cum((vel**2 * okf).sum(1)),
        sxx=_cum((sym**2 * sokf).sum(1)),
        n=_cum(ok.astype(float)),
        sn=_cum(sym_ok.astype(float)),
    )


def _band_parts(a: np.ndarray, b: np.ndarray, max_lag: int):
    """``(t_lo, t_hi, part)``: ``part[t - t_lo, l] = a[t] . b[t + l - max_lag]`` for consecutive stretches of ``t``.

    ``b`` outside ``0 .. N - 1`` is zero.  ``a``, ``b``: ``(N, F)`` of one float type.
    """
    n, f = a.shape
    lags = 2 * max_lag + 1
    rows = band_rows(f, max_lag)
    blocks = -(-n // rows)
    a_pad = np.zeros((blocks * rows, f), a.dtype)
    a_pad[:n] = a
    b_pad = np.zeros((blocks * rows + 2 * max_lag, f), a.dtype)
    b_pad[max_lag : max_lag + n] = b
    reach = rows + 2 * max_lag
    row_bytes, col_bytes = b_pad.strides
    b_blocks = as_strided(
        b_pad, shape=(blocks, reach, f), strides=(rows * row_bytes, row_bytes, col_bytes), writeable=False
    )
    a_blocks = a_pad.reshape(blocks, rows, f)
    per_pass = max(1, BAND_SAMPLES // rows)
    for first in range(0, blocks, per_pass):  # memory bounded by BAND_SAMPLES, not by the session
        last = min(blocks, first + per_pass)
        b_part = np.ascontiguousarray(b_blocks[first:last])  # overlapping views would keep matmul off BLAS
        products = np.matmul(a_blocks[first:last], b_part.transpose(0, 2, 1))  # (blocks, rows, reach)
        sb, si, sj = products.strides
        band = as_strided(products, shape=(last - first, rows, lags), strides=(sb, si + sj, sj), writeable=False)
        t_lo, t_hi = first * rows, min(n, last * rows)  # band[.., i, l] = a[t] . b[t + l - max_lag]
        part = np.empty(band.shape)  # float64 from here: the running sums keep their digits
        np.copyto(part, band)
        yield t_lo, t_hi, part.reshape(-1, lags)[: t_hi - t_lo]


def _band_cumsums(a: np.ndarray, b: np.ndarray, max_lag: int) -> np.ndarray:
    """``(N + 1, L)`` running sums over ``t`` of ``a[t] . b[t + k]`` for ``k = -max_lag .. max_lag``.

    ``b`` outside ``0 .. N - 1`` is zero.  ``a``, ``b``: ``(N, F)`` float32.
    """
    out = np.zeros((len(a) + 1, 2 * max_lag + 1))
    for t_lo, t_hi, part in _band_parts(a, b, max_lag):
        np.cumsum(part, axis=0, out=out[t_lo + 1 : t_hi + 1])
        out[t_lo + 1 : t_hi + 1] += out[t_lo]
    return out


def _windowed(c: np.ndarray, lo: np.ndarray, hi: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """``c[hi, l] - c[lo, l]`` for the lag columns ``lags``: ``(N + 1, L)`` -> ``(len(lags), W)``."""
    return c[hi, lags] - c[lo, lags]


def _one_channel_each(groups: np.ndarray) -> np.ndarray | None:
    """Each row's channel when every row of a 0/1 feature-to-channel matrix has exactly one 1, else None."""
    if groups.size and ((groups == 0) | (groups == 1)).all() and (groups.sum(1) == 1).all():
        return np.argmax(groups, axis=1)
    return None


@dataclass(frozen=True)
class _Block:
    """One block of windows as :func:`~mirror.compare.windows.compare_prepared` cuts them, with A's lag-scan terms."""

    lo: int
    hi: int
    starts: np.ndarray  # (W,) window starts within the block
    lo_a: np.ndarray  # (L, W) A's first sample of each window at each lag
    hi_a: np.ndarray  # (L, W) one past A's last
    own_a: _Own
    n_a: np.ndarray  # (L, W, C) A's samples with data
    xx: np.ndarray  # (L, W)
    vxx: np.ndarray
    sxx: np.ndarray
    whole: np.ndarray  # (L, W) bool: the window is whole at this lag (not cut by either end)


class PairingStatistic:
    """Session synchrony of A against re-orderings of B's samples, from prepared data.

    ``PairingStatistic(prep, settings)(b_rows)`` is
    ``synchrony_statistic(compare_prepared(person_rows(prep, np.arange(n), b_rows), settings))``
    (within float rounding): the windows with enough data, each scored by the best of mirror,
    match (postures as departures from each person's mean over the window, and movement) and
    symmetric synchrony over every lag.  ``starts``: the windows' first samples, as the comparator
    placed them for the real pairing (default: every step from the first sample).  ``usable`` is
    False when the preparation's channels are not one per feature; the caller then needs the full
    comparator.
    """

    def __init__(self, prep: Prepared, settings: CompareSettings, starts: np.ndarray | None = None) -> None:
        self.settings = settings
        rate = settings.rate_hz
        n = len(prep.t)
        self.length = max(2, int(round(settings.window_s * rate)))
        step = max(1, int(round(settings.step_s * rate)))
        self.max_lag = int(round(settings.max_lag_s * rate))
        self.lags = np.arange(-self.max_lag, self.max_lag + 1)
        if starts is None:  # as compare_prepared places them
            starts = np.zeros(0, dtype=int) if n < self.length else np.arange(0, n - self.length + 1, step)
        starts = np.asarray(starts, dtype=int)
        body = np.array([c != "face" for c in FEATURE_CHANNELS])
        chan = _one_channel_each(prep.g)
        sym_chan_all = _one_channel_each(prep.gs)
        self.usable = chan is not None and sym_chan_all is not None
        self.blocks: list[_Block] = []
        if chan is None or sym_chan_all is None:
            return
        self.chan = chan
        body_index = np.cumsum(body) - 1  # a body channel's column among the body channels
        sym_cols = body[sym_chan_all]  # symmetric columns of a body channel: symmetric synchrony reads only these
        self.sym_chan = body_index[sym_chan_all[sym_cols]]
        self.nfeat = float(prep.g.sum())
        f32 = np.float32
        self.n_channels = prep.g.shape[1]

        def person(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            return (
                prep.asym[:, p].astype(f32),
                prep.vel[:, p].astype(f32),
                prep.sym_hp[:, p][:, sym_cols].astype(f32),
                prep.ok[:, p],
                prep.sym_ok[:, p][:, body],
            )

        self.a = person(0)
        self.b = person(1)
        self.present_a: np.ndarray = np.asarray(prep.ok[:, 0].any(1))
        self.present_b: np.ndarray = np.asarray(prep.ok[:, 1].any(1))
        if len(starts) <= BLOCK_WINDOWS:
            parts = [(0, n, starts)] if len(starts) else []
        else:
            parts = []
            for k in range(0, len(starts), BLOCK_WINDOWS):
                part = starts[k : k + BLOCK_WINDOWS]
                lo = max(0, int(part[0]) - self.max_lag - 1)
                hi = min(n, int(part[-1]) + self.length + self.max_lag + 1)
                parts.append((lo, hi, part - lo))
        lag = self.lags[:, None]
        for lo, hi, local in parts:
            t0, t1 = np.maximum(0, -lag), (hi - lo) - np.maximum(0, lag)  # A at t, B at t + k, both inside
            lo_a = np.clip(local[None, :] - (lag // 2), t0, t1)  # (L, W): the lag centred on the window
            hi_a = np.clip(local[None, :] - (lag // 2) + self.length, t0, t1)
            a_asym, a_vel, a_sym, a_ok, a_sym_ok = (x[lo:hi] for x in self.a)
            own = _own(a_asym, a_vel, a_sym, a_ok, a_sym_ok, self.chan, self.sym_chan)
            n_a = own.n[hi_a] - own.n[lo_a]
            self.blocks.append(
                _Block(
                    lo,
                    hi,
                    local,
                    lo_a,
                    hi_a,
                    own,
                    n_a,
                    own.xx[hi_a] - own.xx[lo_a],
                    own.vxx[hi_a] - own.vxx[lo_a],
                    own.sxx[hi_a] - own.sxx[lo_a],
                    whole=(hi_a - lo_a) == self.length,
                )
            )

    def __call__(self, b_rows: np.ndarray) -> float:
        """Session synchrony with B's sample ``b_rows[t]`` at A's sample ``t``."""
        per_block = [self._block_best(block, b_rows[block.lo : block.hi]) for block in self.blocks]
        best = np.concatenate(per_block) if per_block else np.zeros(0)
        best = best[np.isfinite(best)]
        return float(best.mean()) if len(best) else float("nan")

    def _block_best(self, block: _Block, rows: np.ndarray) -> np.ndarray:
        """Best relation score per window with enough data (NaN elsewhere) of one block."""
        s = self.settings
        lo, hi = block.lo, block.hi
        b_asym, b_vel, b_sym, b_ok, b_sym_ok = (x[rows] for x in self.b)
        own_b = _own(b_asym, b_vel, b_sym, b_ok, b_sym_ok, self.chan, self.sym_chan)
        cov = _cum((self.present_a[lo:hi] & self.present_b[rows]).astype(float))
        enough = (cov[block.starts + self.length] - cov[block.starts]) / self.length >= s.min_valid
        a_asym, a_vel, a_sym = self.a[0][lo:hi], self.a[1][lo:hi], self.a[2][lo:hi]
        cums = (
            _band_cumsums(a_asym, b_asym, self.max_lag),
            _band_cumsums(a_vel, b_vel, self.max_lag),
            _band_cumsums(a_sym, b_sym, self.max_lag),
        )
        # B's terms of every whole window, by its first sample: what most (lag, window) pairs read
        length = self.length
        n_at = (
            own_b.n[length:] - own_b.n[:-length]
        )  # (P, C): B's samples with data in the whole window from each sample
        n_windows = len(block.starts)
        match, best_sync = np.full(n_windows, -np.inf), np.full(n_windows, -np.inf)
        low = np.full(n_windows, np.inf)  # the lowest score: mirror is its negative
        per_lag = max(1, CHUNK_BYTES // (8 * n_windows * max(self.n_channels, 1)))
        for first in range(0, len(self.lags), per_lag):  # a few lags at a time: small arrays, reused memory
            part = slice(first, first + per_lag)
            score, sync = self._scores(block, own_b, cums, n_at, part)
            match = np.maximum(match, np.max(np.where(np.isnan(score), -np.inf, score), 0))
            low = np.minimum(low, -np.max(np.where(np.isnan(score), -np.inf, -score), 0))
            best_sync = np.maximum(best_sync, np.max(np.where(np.isnan(sync), -np.inf, sync), 0))
        with np.errstate(invalid="ignore"):
            match[~np.isfinite(match)] = np.nan  # no lag with data
            mirror = np.where(np.isfinite(low), -low, np.nan)
            best_sync[~np.isfinite(best_sync)] = np.nan
        best = np.fmax(np.fmax(mirror, match), best_sync)
        return np.where(enough, best, np.nan)

    def _scores(
        self, block: _Block, own_b: _Own, cums: tuple, n_at: np.ndarray, part: slice
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whole-body relation score and body symmetric synchrony ``(lags of part, W)``.

        As the comparator scores them.
        """
        s = self.settings
        k = self.lags[part, None]
        lo_a, hi_a = block.lo_a[part], block.hi_a[part]
        lo_b, hi_b = lo_a + k, hi_a + k
        columns = np.arange(len(self.lags))[part, None]
        xy, vxy, sxy = (_windowed(c, lo_a, hi_a, columns) for c in cums)
        yy, vyy, syy = (c[hi_b] - c[lo_b] for c in (own_b.xx, own_b.vxx, own_b.sxx))
        n_a = block.n_a[part]
        # B's samples with data: whole windows read them from the per-start table, windows cut
        # by an end are summed here
        n_b = n_at[np.clip(lo_b, 0, len(n_at) - 1)]
        cut = np.nonzero(~block.whole[part])
        if len(cut[0]):
            n_b[cut] = own_b.n[hi_b[cut]] - own_b.n[lo_b[cut]]
        both = np.minimum(n_a, n_b)
        count = both.sum(-1)
        sym_count = np.minimum(block.own_a.sn[hi_a] - block.own_a.sn[lo_a], own_b.sn[hi_b] - own_b.sn[lo_b]).sum(-1)
        xx = block.xx[part]
        vxx, sxx = block.vxx[part], block.sxx[part]
        samples = np.maximum(count, 1) * max(self.nfeat, 1)
        floor = NEGLIGIBLE_ENERGY * samples
        sym_floor = NEGLIGIBLE_ENERGY * np.maximum(sym_count, 1)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            p = np.where(xx + yy > floor, 2 * xy / (xx + yy), 0.0)
            r = np.where((vxx > floor) & (vyy > floor), vxy / np.sqrt(vxx * vyy), 0.0)
            w = np.clip(np.sqrt((vxx + vyy) / (2 * samples)) / s.move_scale, 0, 1)
            score = (np.clip(np.nan_to_num(p), -1, 1) + w * np.clip(np.nan_to_num(r), -1, 1)) / (1 + w)
            score[count == 0] = np.nan
            sync = np.where((sxx > sym_floor) & (syy > sym_floor), sxy / np.sqrt(sxx * syy), 0.0)
            sync = np.clip(sync, -1, 1)
            sync[sym_count == 0] = np.nan
        return score, sync


def pairing_statistic(
    prep: Prepared, settings: CompareSettings, real: float, starts: np.ndarray | None = None
) -> PairingStatistic | None:
    """The fast statistic when it gives the real pairing's synchrony ``real`` (within 1e-6), else None.

    None: the comparator scores in a way this module does not follow (its scoring changed), and
    each surrogate needs a full comparator pass.
    """
    fast = PairingStatistic(prep, settings, starts)
    if not fast.usable:
        return None
    own = fast(np.arange(len(prep.t)))
    return fast if (np.isnan(own) and np.isnan(real)) or abs(own - real) <= 1e-6 else None
