"""Fast paths give what the slow ones gave: the surrogate test, and commands that import what they use."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import numpy as np
import pytest

from mirror.compare import PRESETS, CompareSettings
from mirror.compare.events import surrogate_rows, surrogate_test, synchrony_statistic
from mirror.compare.prepare import person_rows, prepare
from mirror.compare.surrogates import band_rows, pairing_statistic
from mirror.compare.windows import compare_prepared
from tests.test_compare import _pair


def _slow_synchrony(prep, settings, b_rows) -> float:
    """What each surrogate cost before: a full comparator pass of A against B re-ordered."""
    return synchrony_statistic(compare_prepared(person_rows(prep, np.arange(len(prep.t)), b_rows), settings))


def _with_gaps(kind: str, seconds: int, seed: int = 0):
    features = _pair(kind, 1.0, seed=seed, seconds=seconds)
    features.values[100:300, 1] = np.nan  # B away for longer than a window
    features.values[400:430, 0, :6] = np.nan  # part of A missing
    return features


@pytest.mark.parametrize(
    "kind, seconds, settings",
    [
        ("mirror", 60, CompareSettings()),
        ("none", 45, CompareSettings(rate_hz=16.0)),
        ("match", 200, PRESETS["report"]),
    ],
)
def test_surrogate_synchrony_equals_a_full_comparator_pass(kind, seconds, settings):
    prep = prepare(_with_gaps(kind, seconds), settings)
    statistic = pairing_statistic(prep, settings, _slow_synchrony(prep, settings, np.arange(len(prep.t))))
    assert statistic is not None  # it follows the comparator's scoring
    rows = list(surrogate_rows(len(prep.t), settings, 12, seed=3))
    assert len(rows) == 12
    for b_rows in rows + [np.arange(len(prep.t))]:  # shifts, shuffles, and the real pairing
        slow = _slow_synchrony(prep, settings, b_rows)
        assert np.isfinite(slow)
        assert statistic(b_rows) == pytest.approx(slow, abs=1e-6)


def test_surrogate_synchrony_of_a_long_session_scored_in_blocks():
    """More windows than one block of the comparator (512): blocks are cut as it cuts them."""
    settings = CompareSettings()
    prep = prepare(_with_gaps("mirror", 300), settings)
    statistic = pairing_statistic(prep, settings, _slow_synchrony(prep, settings, np.arange(len(prep.t))))
    assert len(statistic.blocks) > 1
    for b_rows in surrogate_rows(len(prep.t), settings, 3, seed=1):
        assert statistic(b_rows) == pytest.approx(_slow_synchrony(prep, settings, b_rows), abs=1e-6)


@pytest.mark.parametrize("start_s", [0.0, 12.37])  # a session need not start at 0 s
def test_surrogate_test_gives_the_p_values_of_a_full_pass_per_surrogate(start_s):
    settings = CompareSettings()
    for kind in ("mirror", "none"):
        features = _pair(kind, 0.8, seconds=60)
        features.t_s += start_s
        prep = prepare(features, settings)
        windows = compare_prepared(prep, settings)
        real = synchrony_statistic(windows)
        slow = np.array([_slow_synchrony(prep, settings, r) for r in surrogate_rows(len(prep.t), settings, 40, seed=0)])
        fast = surrogate_test(prep, settings, real, n_surrogates=40, seed=0, window_start_s=windows.start_s)
        starts = np.round((windows.start_s - prep.t[0]) * settings.rate_hz).astype(int)
        assert pairing_statistic(prep, settings, real, starts) is not None  # the fast path ran
        assert fast.n_surrogates == 40
        assert fast.p_value == (1 + np.sum(slow >= real)) / 41
        assert fast.surrogate_mean == pytest.approx(slow.mean(), abs=1e-7)
        assert fast.surrogate_sd == pytest.approx(slow.std(ddof=1), abs=1e-7)


def test_too_short_for_surrogates_says_so():
    settings = CompareSettings()
    prep = prepare(_pair("mirror", 0.5, seconds=10), settings)
    assert surrogate_test(prep, settings, 0.5, n_surrogates=20).n_surrogates == 0
    long_prep = prepare(_pair("mirror", 0.5, seconds=60), settings)
    assert surrogate_test(long_prep, settings, 0.5, n_surrogates=0).n_surrogates == 0


def test_a_scoring_the_fast_statistic_does_not_follow_falls_back_to_full_passes(monkeypatch):
    """The fast statistic is checked on the real pairing; if it disagrees, every surrogate gets a full pass."""
    import mirror.compare.surrogates as surrogates_module

    settings = CompareSettings()
    prep = prepare(_pair("mirror", 0.8, seconds=60), settings)
    real = _slow_synchrony(prep, settings, np.arange(len(prep.t)))
    expected = surrogate_test(prep, settings, real, n_surrogates=10, seed=2)
    monkeypatch.setattr(surrogates_module.PairingStatistic, "__call__", lambda self, rows: 0.0)  # out of step
    slow = surrogate_test(prep, settings, real, n_surrogates=10, seed=2)
    assert slow.p_value == expected.p_value and slow.surrogate_mean == pytest.approx(expected.surrogate_mean, abs=1e-7)
    monkeypatch.setattr(surrogates_module.PairingStatistic, "__call__", lambda self, rows: real)
    mismatch = surrogate_test(prep, settings, real + 0.01, n_surrogates=10, seed=2)  # real disagrees with the fast path
    assert mismatch.surrogate_mean == pytest.approx(expected.surrogate_mean, abs=1e-7)


@pytest.mark.parametrize("features, max_lag", [(17, 45), (17, 75), (60, 75), (1, 0)])
def test_scan_products_stay_small_enough_for_one_thread(features, max_lag):
    rows = band_rows(features, max_lag)
    assert 8 <= rows <= 128
    assert rows == 8 or rows * (rows + 2 * max_lag) * features <= 4 * 65536


HEAVY = ("mediapipe", "scipy", "matplotlib", "cv2", "mirror.compare", "mirror.batch", "distributed")


def _modules_after(code: str) -> set[str]:
    """Top-level and mirror modules imported by ``code`` in a fresh interpreter."""
    probe = code + "\nimport sys\nprint(' '.join('module:' + m for m in sys.modules), file=sys.__stdout__)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return {word[len("module:") :] for word in out.split() if word.startswith("module:")}


def test_the_command_line_imports_no_model_comparator_or_plotting_to_start():
    loaded = _modules_after("import mirror.cli")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_help_and_info_import_only_what_they_show():
    helped = _modules_after(
        "from mirror.cli import app\ntry:\n    app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    assert not helped & set(HEAVY)
    informed = _modules_after("from mirror.cli import app\napp(['info'], standalone_mode=False)")
    assert "cv2" in informed  # its version and the cameras
    assert not informed & {"mediapipe", "scipy", "matplotlib", "mirror.compare"}


def test_commands_loaded_when_run_are_listed_with_their_own_help():
    from typer.testing import CliRunner

    from mirror.cli import LAZY_COMMANDS, app

    listing = CliRunner().invoke(app, ["--help"]).output
    for name, (module, function) in LAZY_COMMANDS.items():
        doc = inspect.getdoc(getattr(importlib.import_module(module), function))
        assert f"{name} " in listing and doc.split()[0] in listing
        own = CliRunner().invoke(app, [name, "--help"])
        assert own.exit_code == 0 and doc.splitlines()[0][:40] in " ".join(own.output.split())


@pytest.mark.parametrize(
    "cores, videos, memory_gb, workers, threads",
    [
        (2, 10, 16, 2, 1),  # one worker per core
        (8, 3, 64, 3, 2),  # no more workers than videos; the spare cores go to their threads
        (8, 20, 4, 2, 4),  # no more than the memory holds
        (1, 5, None, 1, 1),
    ],
)
def test_auto_workers_fit_the_cores_the_videos_and_the_memory(cores, videos, memory_gb, workers, threads):
    from mirror.batch import plan_workers

    plan = plan_workers(None, videos, cores=cores, memory_bytes=None if memory_gb is None else memory_gb * 10**9)
    assert (plan.workers, plan.threads_per_worker, plan.chosen) == (workers, threads, True)
    assert plan.describe().startswith(f"{workers} worker process") and "auto" in plan.describe()
    asked = plan_workers(3, videos, cores=cores)
    assert (asked.workers, asked.chosen) == (3, False) and "as asked" in asked.describe()


def test_workers_option_takes_a_number_or_auto():
    from mirror.cli.batch import parse_workers
    from mirror.errors import MirrorError

    assert parse_workers("auto") is None and parse_workers("AUTO") is None and parse_workers("3") == 3
    for bad in ("0", "-2", "two", "1.5"):
        with pytest.raises(MirrorError, match="--workers must be at least 1, or auto"):
            parse_workers(bad)
