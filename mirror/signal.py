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
    out = np.empty((n, flat.shape[1]))  # each group of columns writes every sample of its columns
    tol = 0.5 / rate_hz
    for cols, ok in _same_gaps(flat):  # columns with the same gaps: one interpolation for all
        if ok.sum() == 0:
            _put_columns(out, cols, np.full((n, len(cols)), np.nan))
            continue
        if on_grid and ok.all():  # already on the grid, nothing missing
            _put_columns(out, cols, _take_columns(flat, cols))
            continue
        tv, yv = t_s[ok], _take_columns(flat if ok.all() else flat[ok], cols)
        if len(tv) == 1:
            _put_columns(out, cols, np.where((np.abs(grid - tv[0]) <= tol)[:, None], yv[0], np.nan))
            continue
        idx = np.clip(np.searchsorted(tv, grid), 1, len(tv) - 1)
        w = ((grid - tv[idx - 1]) / (tv[idx] - tv[idx - 1]))[:, None]
        col = np.take(yv, idx - 1, axis=0)  # np.interp's straight line between neighbours:
        col *= 1.0 - w  # y0 (1 - w) + y1 w
        right = np.take(yv, idx, axis=0)
        right *= w
        col += right
        col[grid < tv[0]] = np.nan
        col[grid > tv[-1]] = np.nan
        gap = tv[idx] - tv[idx - 1]
        near = np.minimum(np.abs(grid - tv[idx - 1]), np.abs(grid - tv[idx]))
        col[(gap > max_gap_s + 1e-9) & (near > tol)] = np.nan
        _put_columns(out, cols, col)
    return grid, out.reshape((n,) + values.shape[1:])


def _columns(values: np.ndarray) -> np.ndarray:
    """``(N, ...)`` as ``(N, columns)``; also for no samples at all."""
    return values.reshape(len(values), int(np.prod(values.shape[1:], dtype=int)))


def _column_runs(cols: np.ndarray) -> list[tuple[int, int]]:
    """``[(first, stop), ...]``: the increasing column indices ``cols`` as runs of consecutive columns."""
    breaks = np.flatnonzero(np.diff(cols) != 1) + 1
    return [(int(part[0]), int(part[-1]) + 1) for part in np.split(cols, breaks)]


def _rows(cols: np.ndarray) -> slice | np.ndarray:
    """Index of the rows ``cols`` of a ``(columns, N)`` array: a slice (a view) when they are consecutive."""
    runs = _column_runs(cols)
    return slice(*runs[0]) if len(runs) == 1 else cols


def _take_columns(flat: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``flat[:, cols]`` (a plain slice when the columns are consecutive: indexing by columns is slow)."""
    runs = _column_runs(cols)
    if len(runs) == 1:
        return flat[:, runs[0][0] : runs[0][1]]
    return np.take(flat, cols, axis=1)


def _put_columns(out: np.ndarray, cols: np.ndarray, value: np.ndarray) -> None:
    """``out[:, cols] = value``, one slice per run of consecutive columns."""
    done = 0
    for first, stop in _column_runs(cols):
        out[:, first:stop] = value[:, done : done + stop - first]
        done += stop - first


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
    by_column = np.ascontiguousarray(flat.T)  # (columns, N): the filters run along contiguous rows
    win = max(5, int(round(window_s * rate_hz)) | 1)
    groups = _same_gaps(flat)
    if _no_gaps(groups, len(flat)) and len(flat) >= win:  # one run of everything: the filters' output as is
        return (
            _from_columns(savgol_filter(by_column, win, 2, axis=-1), values.shape),
            _from_columns(savgol_filter(by_column, win, 2, deriv=1, delta=1.0 / rate_hz, axis=-1), values.shape),
        )
    smooth = np.empty_like(by_column)
    deriv = np.empty_like(by_column)
    for cols, valid in groups:  # columns with the same gaps (all, without any): one call per run
        rows = _rows(cols)
        if not valid.all():  # NaN where the runs below do not write
            smooth[rows] = np.nan
            deriv[rows] = np.nan
        for a, b in true_runs(valid):
            if b - a >= win:
                seg = by_column[rows, a:b]
                smooth[cols, a:b] = savgol_filter(seg, win, 2, axis=-1)
                deriv[cols, a:b] = savgol_filter(seg, win, 2, deriv=1, delta=1.0 / rate_hz, axis=-1)
            else:
                seg = _take_columns(flat[a:b], cols)
                smooth[cols, a:b] = seg.T
                deriv[cols, a:b] = (np.gradient(seg, 1.0 / rate_hz, axis=0) if b - a > 1 else np.zeros_like(seg)).T
    return _from_columns(smooth, values.shape), _from_columns(deriv, values.shape)


def _from_columns(by_column: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``(columns, N)`` back to a C-ordered ``(N, ...)`` array of ``shape``."""
    return np.ascontiguousarray(by_column.T).reshape(shape)


def highpass(values: np.ndarray, size: int) -> np.ndarray:
    """Each valid run minus its moving average over ``size`` samples (slow drifts removed).

    A run no longer than ``size`` loses its own mean instead (its whole length is one average).
    """
    from scipy.ndimage import uniform_filter1d

    flat = _columns(values)
    by_column = np.ascontiguousarray(flat.T)  # (columns, N): the filter runs along contiguous rows
    groups = _same_gaps(flat)
    out = np.empty_like(by_column)
    for cols, valid in groups:  # columns with the same gaps: one filter call per run
        rows = _rows(cols)
        if not valid.all():  # NaN where the runs below do not write
            out[rows] = np.nan
        for a, b in true_runs(valid):
            seg = by_column[rows, a:b]
            average = (
                uniform_filter1d(seg, size=size, mode="nearest", axis=-1)
                if b - a > size
                else seg.mean(-1, keepdims=True)
            )
            if isinstance(rows, slice):  # written in place
                np.subtract(seg, average, out=out[rows, a:b])
            else:
                out[rows, a:b] = seg - average
    return _from_columns(out, values.shape)


def _no_gaps(groups: list[tuple[np.ndarray, np.ndarray]], n: int) -> bool:
    """True when :func:`_same_gaps` found one group: every column, every one of its ``n`` samples present."""
    return len(groups) == 1 and n > 0 and bool(groups[0][1].all())


def _same_gaps(flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Columns of ``(N, J)`` grouped by where they have data: ``[(columns, valid (N,)), ...]``."""
    valid = ~np.isnan(flat)
    packed = np.packbits(np.ascontiguousarray(valid.T), axis=1)  # (J, N / 8): each column's mask
    groups: dict[bytes, list[int]] = {}
    for j in range(flat.shape[1]):
        groups.setdefault(packed[j].tobytes(), []).append(j)
    return [(np.array(cols), valid[:, cols[0]]) for cols in groups.values()]
