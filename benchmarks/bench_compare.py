"""Comparator speed: windows over lags for long sessions, and how it scales.

Features for two people at 15 Hz (a lagged mirrored copy plus noise) for 15,
30 and 60 minutes; prints seconds per run and per hour of landmarks, with the
live preset (4 s windows, 0.5 s step, lags up to 3 s: 91 lags).  The whole
comparator, calibration included, is printed per hour of landmarks against the
issue's target, and again in a process with the command line's memory policy
(large arrays mapped on their own; the comparator reuses its temporaries while it
runs and returns them when it ends), with that process's peak and final resident
memory.  The surrogate test is timed separately (it
reruns the comparator once per surrogate).

    python benchmarks/bench_compare.py
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
from scipy.ndimage import gaussian_filter1d

from mirror.compare import CompareSettings, analyze_features, compare_windows
from mirror.features import FEATURES, Features, mirror_operator

RATE = 15
TARGET_S_PER_HOUR = 2.0
"""The issue's speed target: the whole comparator, calibration included, per hour of landmarks."""


def session(minutes: float, seed: int = 0) -> Features:
    n = int(minutes * 60 * RATE)
    rng = np.random.default_rng(seed)
    a = gaussian_filter1d(rng.normal(size=(n, len(FEATURES))), 8, axis=0) * 3
    b = np.roll(mirror_operator(a), 20, axis=0) + rng.normal(scale=0.05, size=a.shape)
    values = np.stack([a, b], axis=1)
    values[rng.random(n) < 0.02, 1] = np.nan  # a few lost frames
    return Features(np.arange(n) / RATE, values)


def main() -> None:
    settings = CompareSettings()
    print(
        f"live preset: {settings.window_s} s windows, {settings.step_s} s step, "
        f"+-{settings.max_lag_s} s lags at {RATE} Hz"
    )
    rows = []
    for minutes in (15, 30, 60):
        f = session(minutes)
        best = min(_timed(lambda f=f: compare_windows(f, settings)) for _ in range(2))
        rows.append((minutes, best))
        print(f"{minutes:3d} min of landmarks: {best:6.2f} s  ({best / minutes * 60:5.2f} s per hour)")
    (m0, t0), (m1, t1) = rows[0], rows[-1]
    print(f"scaling 15 -> 60 min: time x{t1 / t0:.2f} for duration x{m1 / m0:.0f} (linear would be x{m1 / m0:.0f})")
    f = session(60)
    raw = min(_timed(lambda: compare_windows(f, settings)) for _ in range(2))
    calibrated = min(_timed(lambda: analyze_features(f, settings, n_surrogates=0)) for _ in range(2))
    print(
        f"60 min, side by side: comparator {raw:.2f} s, "
        f"comparator + calibration against the session's own null {calibrated:.2f} s"
        f" (x{calibrated / raw:.2f})"
    )
    print(
        f"whole comparator, calibration included: {calibrated:.2f} s per hour of landmarks "
        f"(target: under {TARGET_S_PER_HOUR:g} s per hour)"
    )
    policy_s, peak_mb, after_mb = _with_memory_policy()
    print(
        f"  the same in a process with the command line's memory policy: {policy_s:.2f} s per hour "
        f"(resident memory: peak {peak_mb:.0f} MB, {after_mb:.0f} MB once done)"
    )
    short = session(1)
    t = min(_timed(lambda: analyze_features(short, settings, n_surrogates=0)) for _ in range(3))
    print(f"1 min (live's rolling analysis), calibrated against the shipped null: {1000 * t:.0f} ms")
    f = session(10)
    t = _timed(lambda: analyze_features(f, settings, n_surrogates=200))
    print(f"10 min with 200 surrogates: {t:.1f} s")


POLICY_CHILD = "--calibrated-hour-with-memory-policy"


def _with_memory_policy() -> tuple[float, float, float]:
    """``(seconds, peak MB, MB once done)``: the calibrated hour in a fresh process with ``mirror``'s memory policy.

    :func:`mirror.memory.return_freed_memory` maps every large array on its own (the policy is
    for the whole process, so it gets its own); the comparator reuses its temporaries inside
    :func:`mirror.memory.temporaries_reused` and hands them back when it ends.
    """
    out = subprocess.run([sys.executable, __file__, POLICY_CHILD], capture_output=True, text=True)
    words = out.stdout.split()
    if out.returncode != 0 or len(words) != 3:
        return float("nan"), float("nan"), float("nan")
    seconds, peak_mb, after_mb = map(float, words)
    return seconds, peak_mb, after_mb


def _calibrated_hour_with_memory_policy() -> None:
    import resource

    from mirror.memory import return_freed_memory

    return_freed_memory()
    f, settings = session(60), CompareSettings()
    best = min(_timed(lambda: analyze_features(f, settings, n_surrogates=0)) for _ in range(2))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open("/proc/self/statm") as statm:
        after_mb = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    print(best, peak_mb, after_mb)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    if sys.argv[1:] == [POLICY_CHILD]:
        _calibrated_hour_with_memory_policy()
    else:
        main()
