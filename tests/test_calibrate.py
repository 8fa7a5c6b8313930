"""Calibrated decisions: a label only where the evidence beats a null of people who never interacted."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from mirror.compare import (
    PRESETS,
    CompareSettings,
    analyze_features,
    compare_windows,
    fit_to_clip,
    smoothing_levels,
)
from mirror.compare.calibrate import calibrate, continued_runs
from mirror.compare.nulls import (
    NULL_REFERENCE_PATH,
    load_reference,
    null_from_file,
    ping_pong,
    reference_null,
    shipped_null_path,
)
from mirror.errors import MirrorError
from mirror.features import FEATURES, Features, mirror_operator
from tests.conftest import EXAMPLES

RATE = 15
RELATIONS = ("mirror", "match", "symmetric")


def _motion(seed, n, scale=3.0):
    rng = np.random.default_rng(seed)
    return gaussian_filter1d(rng.normal(size=(n, len(FEATURES))), 8, axis=0) * scale


def _copy(kind: str, seconds: float, lag_s: float = 0.8, seed: int = 0) -> Features:
    n = int(seconds * RATE)
    a = _motion(seed, n + 200)
    b = np.roll(mirror_operator(a) if kind == "mirror" else a, int(lag_s * RATE), axis=0)
    return Features(np.arange(n) / RATE, np.stack([a[100:-100], b[100:-100]], 1))


def test_shipped_reference_holds_real_people_seen_by_both_models():
    people = load_reference()
    clips = {p.clip for p in people}
    assert len(clips) >= 12
    for model in ("lite", "full"):
        assert sum(p.model == model for p in people) >= 12
    for p in people:
        assert p.values.shape == (len(p.t_s), len(FEATURES))
        assert p.t_s[-1] >= 4.4  # no clip that would repeat within one window
        assert np.mean(~np.isnan(p.values).all(1)) >= 0.5


@pytest.mark.parametrize(("name", "smooth_s"), [("live", None), ("report", None), ("live", 0.75), ("report", 0.5)])
def test_shipped_null_tables_are_what_the_comparator_computes_today(name, smooth_s):
    """A change to the features or the comparator without rebuilding the tables fails here.

    Each preset ships its tables for every smoothing :func:`fit_to_footage` may choose.
    """
    settings = PRESETS[name] if smooth_s is None else replace(PRESETS[name], smooth_s=smooth_s)
    assert smooth_s is None or settings in smoothing_levels(PRESETS[name])
    shipped = null_from_file(shipped_null_path(settings))
    assert shipped is not None, f"no shipped null for the {name} preset: python models/build_null_reference.py"
    fresh = reference_null(settings, people=load_reference())
    np.testing.assert_allclose(shipped.best, fresh.best, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(shipped.channel_best, fresh.channel_best, atol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(shipped.sided, fresh.sided)
    np.testing.assert_allclose(shipped.pooled_evidence, fresh.pooled_evidence, atol=1e-6, equal_nan=True)


@pytest.mark.model
def test_shipped_reference_features_are_todays_features_of_its_footage(extracted):
    """The MIT clip in the reference, extracted and featured again, gives the shipped numbers."""
    from mirror.features import compute_features

    landmarks = extracted(EXAMPLES / "raga_1person.mp4", fps=15.0)
    slot = int(np.argmax(landmarks.pose_present.sum(0)))
    values = compute_features(landmarks).values[:, slot]
    shipped = next(p for p in load_reference() if p.clip == "raga_1person.mp4" and p.model == "lite")
    assert shipped.values.shape == values.shape
    both = ~np.isnan(values) & ~np.isnan(shipped.values)
    assert both.mean() > 0.5
    np.testing.assert_allclose(shipped.values[both], values[both], atol=1e-3)
    np.testing.assert_array_equal(np.isnan(shipped.values), np.isnan(values))


def test_held_out_strangers_get_relations_in_at_most_two_percent_of_windows():
    """Pairs of real people filmed alone, judged against a null built without either of them."""
    people = load_reference()
    settings = PRESETS["live"]
    clips = sorted({p.clip for p in people})
    rng = np.random.default_rng(11)
    windows = related = 0
    for _ in range(4):
        a, b = rng.choice(len(clips), 2, replace=False)
        held = {clips[a], clips[b]}
        null = reference_null(settings, people=[p for p in people if p.clip not in held], max_pairs=80)
        for model in ("lite", "full"):
            pa = next(p for p in people if p.clip == clips[a] and p.model == model)
            pb = next(p for p in people if p.clip == clips[b] and p.model == model)
            t, va = ping_pong(pa.t_s, pa.values, 60.0, RATE, 0.0)
            _, vb = ping_pong(pb.t_s, pb.values, 60.0, RATE, 1.3)
            w = calibrate(compare_windows(Features(t, np.stack([va, vb], 1)), settings), null, settings)
            ok = w.label != "insufficient"
            windows += int(ok.sum())
            related += int(np.isin(w.label[ok], RELATIONS).sum())
    assert windows > 300
    assert related / windows <= 0.02


@pytest.mark.parametrize(
    "clip", ["stock_woman_lakeside.mp4", "ted_presenter_gestures.mp4", "hdtf_theresa_may.mp4", "raga_1person.mp4"]
)
def test_a_real_person_mirrored_by_a_copy_is_a_mirror_in_every_window_that_names_one(clip):
    """A real person against her own mirrored copy 1.2 s later, judged against a null without her.

    A head-only view (the first two) has few null windows in its stratum: whatever the
    pooled lag curve adds, the window's evidence is still judged once, so a perfect copy is
    never lost to a p-value floor nor handed to ``symmetric``.  Every window has a pooled curve
    after the first window length, and it agrees.
    """
    people = load_reference()
    settings = PRESETS["live"]
    person = next(p for p in people if p.clip == clip and p.model == "lite")
    t, v = ping_pong(person.t_s, person.values, 60.0, RATE, 0.0)
    lag = int(1.2 * RATE)
    copy = np.roll(mirror_operator(v), lag, axis=0)
    features = Features(t[lag:], np.stack([v[lag:], copy[lag:]], 1))
    null = reference_null(settings, people=[p for p in people if p.clip != clip], max_pairs=80)
    raw = compare_windows(features, settings)
    w = calibrate(raw, null, settings)
    named = raw.label == "mirror"
    assert named.mean() > 0.75
    assert np.all(w.label[named] == "mirror"), f"{np.unique(w.label[named], return_counts=True)}"
    assert np.all(w.p_value[named] < settings.alpha)
    assert np.nanmedian(np.abs(w.lag_s[named] - lag / RATE)) < 0.1
    later = np.arange(len(raw)) >= settings.window_s / settings.step_s
    assert np.isfinite(raw.pooled_mirror[later]).all()
    assert np.all(raw.pooled_mirror[later & named] > raw.pooled_match[later & named])


def test_the_pooled_curve_confirms_a_relation_but_never_names_one():
    """The pooled curve adds its margin where it names the window's own relation, nothing where it names the other."""
    from dataclasses import replace

    from mirror.compare.calibrate import pooled_evidence

    settings = PRESETS["live"]
    noisy = _copy("mirror", 40)
    noisy.values[:, 1] += _motion(9, len(noisy.t_s), scale=4.0)  # a copy among movements of B's own
    w = compare_windows(noisy, settings)
    evidence = pooled_evidence(w)
    own = np.abs(w.mirror_score - w.match_score)
    later = np.isfinite(evidence)
    assert later.sum() > 40
    np.testing.assert_allclose(
        evidence[later], own[later] + np.abs(w.pooled_mirror - w.pooled_match)[later], rtol=1e-9
    )  # a copy: the pooled curve names the same relation and adds its margin
    flipped = replace(w, pooled_mirror=w.pooled_match, pooled_match=w.pooled_mirror)
    np.testing.assert_allclose(pooled_evidence(flipped)[later], own[later], rtol=1e-9)  # the other relation: nothing
    null = reference_null(settings)
    confirmed, unconfirmed = calibrate(w, null, settings), calibrate(flipped, null, settings)
    # less evidence is never surer: unconfirmed, fewer windows are named, none that confirmed were not
    named, kept = confirmed.label == "mirror", unconfirmed.label == "mirror"
    assert not np.any(kept & ~named)
    assert kept.sum() < named.sum()


def test_a_copy_buried_in_its_own_noise_is_named_where_its_pooled_curve_holds_it():
    """Windows whose own score falls short of min_score are named by a pooled curve that favours the same relation."""
    settings = PRESETS["live"]
    noisy = _copy("mirror", 40)
    noisy.values[:, 1] += _motion(9, len(noisy.t_s), scale=8.0)
    w = compare_windows(noisy, settings)
    short = np.fmax(w.mirror_score, w.match_score) < settings.min_score
    named = short & (w.label == "mirror")
    assert named.sum() >= 2
    assert np.all(w.pooled_mirror[named] >= settings.min_score) and np.all(
        w.pooled_mirror[named] > w.pooled_match[named]
    )
    assert not np.any(short & (w.pooled_mirror < settings.min_score) & (w.label == "mirror"))
    calibrated = calibrate(w, reference_null(settings), settings)
    assert np.all(calibrated.label[named] == "mirror") and not np.any(calibrated.label == "match")


@pytest.mark.parametrize("kind", ["mirror", "match"])
def test_a_real_copy_beats_chance_and_says_how_surely(kind):
    result = analyze_features(_copy(kind, 40), n_surrogates=0)
    info = result.run
    w = result.windows
    assert info.calibration.null == "reference"
    assert np.mean(w.label == kind) > 0.9
    assert np.all(w.p_value[w.label == kind] < w.run.calibration.alpha)
    assert result.events and all(e.kind == kind and e.p_value < 0.01 for e in result.events)


def test_every_label_has_a_p_value_below_alpha_and_none_of_the_rest_is_a_relation():
    rng = np.random.default_rng(3)
    values = np.stack([_motion(1, 900), _motion(2, 900)], 1)
    values[rng.random(900) < 0.1, 1] = np.nan
    result = analyze_features(Features(np.arange(900) / RATE, values), n_surrogates=0)
    w = result.windows
    alpha = CompareSettings().alpha
    labelled = np.isin(w.label, RELATIONS)
    assert np.all(w.p_value[labelled] < alpha)
    assert np.all(np.isnan(w.lag_s[~labelled]))
    for c in range(len(w.channels)):
        part = np.isin(w.channel_label[:, c], ("mirror", "match"))
        assert np.all(w.channel_p[part, c] < alpha)
    assert np.isnan(w.p_value[w.label == "insufficient"]).all()


def test_a_long_session_is_judged_against_its_own_surrogates():
    result = analyze_features(_copy("mirror", 200), n_surrogates=0)
    info = result.run
    assert info.calibration.null == "session"
    assert np.mean(result.windows.label == "mirror") > 0.9
    short = analyze_features(_copy("mirror", 60), n_surrogates=0)
    info = short.run
    assert info.calibration.null == "reference"


def test_a_clip_shorter_than_one_window_gets_windows_of_its_own_length():
    f = _copy("match", 3.2)
    settings, adapted = fit_to_clip(PRESETS["live"], f)
    assert settings.window_s == 3.0 and settings.max_lag_s == pytest.approx(2.25)
    assert "shorter than one 4 s window" in adapted.reason
    result = analyze_features(f, n_surrogates=0)
    info = result.run
    assert info.adapted.window_s == 3.0
    assert len(result.windows) >= 1 and (result.windows.label == "match").all()
    tiny = analyze_features(_copy("match", 1.5), n_surrogates=0)
    info = tiny.run
    assert len(tiny.windows) == 0
    assert "nothing can be measured" in info.adapted.reason and info.no_windows


def test_a_missing_or_foreign_reference_is_one_clear_line(tmp_path):
    with pytest.raises(MirrorError, match="missing; rebuild it with: python models/build_null_reference.py"):
        load_reference(tmp_path / "nothing.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(MirrorError, match="damaged"):
        load_reference(bad)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, meta=np.frombuffer(b'{"format": "other", "people": []}', dtype=np.uint8))
    with pytest.raises(MirrorError, match="other features"):
        load_reference(foreign)
    assert Path(NULL_REFERENCE_PATH).exists()


def test_a_window_continues_its_neighbours_run_only_with_the_same_relation_at_the_same_delay():
    label = np.array(["none", "mirror", "mirror", "mirror", "mirror", "match", "mirror", "mirror", "mirror"])
    lag_s = np.array([np.nan, 1.0, 1.1, 1.2, 2.0, 1.2, 1.0, 1.0, 1.0])
    passed = np.array([False, False, True, False, False, False, False, False, False])
    weak = np.array([False, True, False, True, True, True, True, True, True])
    out = continued_runs(passed, weak, label, lag_s, 0.25)
    # 1 and 3 continue the passing window 2 both ways (at 0.1 s from its delay); 4 is at another delay,
    # 5 is another relation, and 6-8, weak and alike, have no passing window to continue
    assert out.tolist() == [False, True, False, True, False, False, False, False, False]
    # a chain: each continuing window lends its run to the next, while its delay stays near the passing one's
    drift = np.array([1.0, 1.1, 1.2, 1.3, 1.2])
    chain = continued_runs(np.eye(1, 5, 0, dtype=bool)[0], np.ones(5, bool), np.full(5, "match"), drift, 0.25)
    assert chain.tolist() == [False, True, True, False, False]
    # nothing passes: nothing continues
    assert not continued_runs(np.zeros(5, bool), np.ones(5, bool), np.full(5, "match"), np.ones(5), 0.25).any()
