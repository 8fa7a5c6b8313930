"""Signal helpers below the stages: uniform time grid, short-gap filling, smoothing, drift removal, runs.

Long gaps stay missing: nothing is invented across them.  The comparator, the mechanical stage
and the coach all take their series through these, so data flows down through the stages
(none of them imports another's preparation).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import savgol_filter


def resample(t_s: np.ndarray, values: np.ndarray, rate_hz: float, max_gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Linear resampling onto a uniform grid, bridging only gaps up to ``max_gap_s``.

    Parameters
    ----------
    t_s : np.ndarray
        ``(T,)`` increasing sample times.
    values : np.ndarray
        ``(T, ...)`` samples, NaN where missing.
    rate_hz : float
        Grid rate.
    max_gap_s : float
        Longest stretch without data that is bridged by interpolation.

    Returns
    -------
    (np.ndarray, np.ndarray)
        ``(N,)`` grid times and ``(N, ...)`` values (NaN where no data).
    """
    if len(t_s) == 0:
        return np.zeros(0), np.zeros((0,) + values.shape[1:])
    n = int(np.floor((t_s[-1] - t_s[0]) * rate_hz + 1e-9)) + 1
    grid = t_s[0] + np.arange(n) / rate_hz
    flat = _columns(values)
    on_grid = n == len(t_s) and np.allclose(t_s, grid, rtol=0, atol=1e-3 / rate_hz)
    out = np.full((n, flat.shape[1]), np.nan)
    tol = 0.5 / rate_hz
    for cols, ok in _same_gaps(flat):  # columns with the same gaps: one interpolation for all
        if ok.sum() == 0:
            continue
        if on_grid and ok.all():  # already on the grid, nothing missing
            out[:, cols] = flat[:, cols]
            continue
        tv, yv = t_s[ok], flat[ok][:, cols]
        if len(tv) == 1:
            out[:, cols] = np.where((np.abs(grid - tv[0]) <= tol)[:, None], yv[0], np.nan)
            continue
        idx = np.clip(np.searchsorted(tv, grid), 1, len(tv) - 1)
        w = ((grid - tv[idx - 1]) / (tv[idx] - tv[idx - 1]))[:, None]
        col = yv[idx - 1] * (1.0 - w) + yv[idx] * w  # np.interp's straight line between neighbours
        col[grid < tv[0]] = np.nan
        col[grid > tv[-1]] = np.nan
        gap = tv[idx] - tv[idx - 1]
        near = np.minimum(np.abs(grid - tv[idx - 1]), np.abs(grid - tv[idx]))
        col[(gap > max_gap_s + 1e-9) & (near > tol)] = np.nan
        out[:, cols] = col
    return grid, out.reshape((n,) + values.shape[1:])


def _columns(values: np.ndarray) -> np.ndarray:
    """``(N, ...)`` as ``(N, columns)``; also for no samples at all."""
    return values.reshape(len(values), int(np.prod(values.shape[1:], dtype=int)))


def true_runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of the True runs of a 1-D mask."""
    edges = np.diff(np.concatenate([[0], valid.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def smooth_and_differentiate(
    values: np.ndarray, rate_hz: float, window_s: float = 0.33
) -> tuple[np.ndarray, np.ndarray]:
    """Savitzky-Golay smoothing and first derivative, run by run of valid samples.

    Parameters
    ----------
    values : np.ndarray
        ``(N, ...)`` uniform samples with NaN gaps.

    Returns
    -------
    (np.ndarray, np.ndarray)
        Smoothed values and their time derivative (per second), same shape, NaN kept.
    """
    flat = _columns(values)
    smooth = np.full_like(flat, np.nan)
    deriv = np.full_like(flat, np.nan)
    win = max(5, int(round(window_s * rate_hz)) | 1)
    for cols, valid in _same_gaps(flat):  # columns with the same gaps (all, without any): one call per run
        for a, b in true_runs(valid):
            seg = flat[a:b][:, cols]
            if b - a >= win:
                smooth[a:b, cols] = savgol_filter(seg, win, 2, axis=0)
                deriv[a:b, cols] = savgol_filter(seg, win, 2, deriv=1, delta=1.0 / rate_hz, axis=0)
            else:
                smooth[a:b, cols] = seg
                deriv[a:b, cols] = np.gradient(seg, 1.0 / rate_hz, axis=0) if b - a > 1 else 0.0
    return smooth.reshape(values.shape), deriv.reshape(values.shape)


def highpass(values: np.ndarray, size: int) -> np.ndarray:
    """Each valid run minus its moving average over ``size`` samples (slow drifts removed).

    A run no longer than ``size`` loses its own mean instead (its whole length is one average).
    """
    from scipy.ndimage import uniform_filter1d

    flat = _columns(values)
    out = np.full_like(flat, np.nan)
    for cols, valid in _same_gaps(flat):  # columns with the same gaps: one filter call per run
        for a, b in true_runs(valid):
            seg = flat[a:b][:, cols]
            out[a:b, cols] = seg - (
                uniform_filter1d(seg, size=size, mode="nearest", axis=0) if b - a > size else seg.mean(0)
            )
    return out.reshape(values.shape)


def _same_gaps(flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Columns of ``(N, J)`` grouped by where they have data: ``[(columns, valid (N,)), ...]``."""
    valid = ~np.isnan(flat)
    groups: dict[bytes, list[int]] = {}
    for j in range(flat.shape[1]):
        groups.setdefault(np.packbits(valid[:, j]).tobytes(), []).append(j)
    return [(np.array(cols), valid[:, cols[0]]) for cols in groups.values()]
