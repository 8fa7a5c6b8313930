"""Comparator on features with exact answers, and on real landmarks."""

import importlib
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter1d

from mirror.compare import CompareSettings, analyze_features, compare_windows, events_from_windows
from mirror.features import FEATURES, Features, mirror_operator
from mirror.features.body import FEATURE_INDEX
from mirror.report import write_report

RATE = 15


def _motion(seed, n, scale=3.0):
    rng = np.random.default_rng(seed)
    return gaussian_filter1d(rng.normal(size=(n, len(FEATURES))), 8, axis=0) * scale


def _pair(kind, lag_s, seed=0, seconds=60):
    n = seconds * RATE
    pad = 5 * RATE
    a = _motion(seed, n + 2 * pad)
    k = int(round(lag_s * RATE))
    if kind == "none":
        b = _motion(seed + 1000, n + 2 * pad)
    else:
        src = mirror_operator(a) if kind == "mirror" else a
        b = np.roll(src, k, axis=0)  # b(t) = a(t - lag): B follows A
    vals = np.stack([a[pad:-pad], b[pad:-pad]], axis=1)
    return Features(np.arange(n) / RATE, vals)


@pytest.mark.parametrize(
    "kind, lag_s, leader",
    [("match", 1.0, "A"), ("mirror", 2.0, "A"), ("mirror", -1.4, "B"), ("match", 0.0, "together")],
)
def test_lagged_copies_are_labelled_with_lag_and_leader(kind, lag_s, leader):
    w = compare_windows(_pair(kind, lag_s))
    assert (w.label == kind).all()
    np.testing.assert_allclose(w.lag_s, round(lag_s * RATE) / RATE, atol=0.5 / RATE)
    assert (w.leader == leader).all()
    assert np.all((w.mirror_score if kind == "mirror" else w.match_score) > 0.9)


def test_unrelated_people_are_none():
    """Unrelated movement is a candidate at most; calibrated against the null, it is none."""
    w = analyze_features(_pair("none", 0), n_surrogates=0).windows
    assert np.mean(w.label == "none") > 0.9
    assert np.all(w.lag_s[w.label == "none"] != w.lag_s[w.label == "none"])  # no lag without a relation


def test_symmetric_postures_in_sync_are_symmetric_not_forced_into_mirror_or_match():
    f = _pair("match", 0.5)
    specs = f.specs
    sym = f.values.copy()
    for i, s in enumerate(specs):  # make every posture exactly symmetric
        if s.kind == "lateral" and s.name.endswith("_left"):
            sym[..., FEATURE_INDEX[s.partner]] = sym[..., i]
        elif s.kind == "signed":
            sym[..., i] = 0.0
    w = compare_windows(Features(f.t_s, sym))
    assert (w.label == "symmetric").all()
    np.testing.assert_allclose(w.lag_s, round(0.5 * RATE) / RATE, atol=0.5 / RATE)
    # symmetric but moving independently: none
    other = _pair("none", 0).values.copy()
    for i, s in enumerate(specs):
        if s.kind == "lateral" and s.name.endswith("_left"):
            other[..., FEATURE_INDEX[s.partner]] = other[..., i]
        elif s.kind == "signed":
            other[..., i] = 0.0
    w2 = analyze_features(Features(f.t_s, other), n_surrogates=0).windows
    assert np.mean(w2.label == "none") > 0.9


def test_too_little_data_says_so():
    f = _pair("mirror", 1.0)
    f.values[300:500, 1] = np.nan  # B missing for 13 s
    w = compare_windows(f)
    gone = (w.start_s >= 20.5) & (w.end_s <= 33)
    assert gone.any() and (w.label[gone] == "insufficient").all()
    assert np.isnan(w.mirror_score[gone]).all() and (w.leader[gone] == "").all()
    assert (w.label[w.end_s < 19] == "mirror").all()


@given(st.sampled_from(["mirror", "match", "none"]), st.floats(-2.5, 2.5), st.integers(0, 50))
@settings(max_examples=12, deadline=None)
def test_swapping_a_and_b_keeps_labels_and_negates_lags(kind, lag_s, seed):
    f = _pair(kind, lag_s, seed, seconds=30)
    w = compare_windows(f)
    s = compare_windows(Features(f.t_s, f.values[:, ::-1].copy()))
    assert (w.label == s.label).all()
    related = np.isin(w.label, ["mirror", "match"])
    np.testing.assert_allclose(s.lag_s[related], -w.lag_s[related], atol=1e-3)  # to a millisecond
    np.testing.assert_allclose(s.mirror_score, w.mirror_score, atol=1e-9, equal_nan=True)


def test_events_merge_runs_of_windows():
    f = _pair("mirror", 1.0, seconds=40)
    w = compare_windows(f)
    events = events_from_windows(w)
    assert len(events) == 1
    e = events[0]
    assert e.kind == "mirror" and e.leader == "A" and abs(e.lag_s - 1.0) < 0.07
    assert e.start_s == w.start_s[0] and e.end_s == w.end_s[-1] and e.strength > 0.9
    assert set(e.channels) >= {"left_arm", "right_arm", "head", "torso"}


def test_surrogates_separate_real_synchrony_from_chance():
    real = analyze_features(_pair("mirror", 1.0, seconds=60), n_surrogates=200)
    sync = real.summary.synchrony
    assert sync.n_surrogates == 200 and sync.p_value < 0.01 and sync.effect_size > 3
    chance = analyze_features(_pair("none", 0, seconds=60), n_surrogates=200)
    assert chance.summary.synchrony.p_value > 0.05
    share = real.summary.share
    assert share["mirror"] == 1.0 and real.summary.leader_share["A"] == 1.0


def test_report_files(tmp_path):
    result = analyze_features(_pair("match", 0.8, seconds=30), n_surrogates=20)
    paths = write_report(result, tmp_path, {"source": "synthetic"})
    doc = json.loads(paths["report.json"].read_text())
    assert doc["format"] == "mirror.report" and doc["format_version"] == 1
    assert len(doc["windows"]) == len(result.windows) and doc["windows"][0]["label"] == "match"
    assert set(doc["windows"][0]["channels"]) == {"head", "left_arm", "right_arm", "torso", "face"}
    assert doc["summary"]["synchrony"]["n_surrogates"] == 20 and doc["events"][0]["kind"] == "match"
    rows = paths["windows.csv"].read_text().splitlines()
    assert rows[0].startswith("window,start_s,end_s,channel,label")
    assert len(rows) == 1 + 6 * len(result.windows)
    assert paths["events.csv"].read_text().splitlines()[1].split(",")[3] == "match"


def test_settings_are_checked():
    from mirror.errors import MirrorError

    with pytest.raises(MirrorError, match="window_s must be positive"):
        CompareSettings(window_s=0)


def test_a_head_that_mirrors_is_heard_over_arms_whose_side_the_pose_model_reads_poorly(monkeypatch):
    """The head's roll and yaw mirror; everything else of B moves on its own.

    Each component counts by how reliably the pose model reads its side (``SIDE_RELIABILITY``).
    Summed as equals (every reliability 0.5), the ten arm and torso components, in shoulder
    widths, drown the two head angles and no side is told.
    """
    prepare = importlib.import_module("mirror.compare.prepare")  # the module (the package exports the function)

    a = _pair("mirror", 1.0, seed=3)
    other = _pair("none", 0.0, seed=4).values[:, 1]
    head = [FEATURE_INDEX["head_roll"], FEATURE_INDEX["head_yaw"]]
    vals = a.values.copy()
    rest = [k for k in range(len(FEATURES)) if k not in head]
    vals[:, 1, rest] = other[:, rest]  # B's arms, torso and the rest move on their own
    vals[:, :, [k for k, s in enumerate(FEATURES) if s.channel == "face"]] = np.nan  # no face found
    vals[:, :, [k for k, s in enumerate(FEATURES) if s.name.startswith("hand_at_face")]] = 0.0
    vals[:, :, head] *= 0.15 / 3  # radians of head movement against 0.2 shoulder widths of the arms
    vals[:, :, rest] *= 0.2 / 3
    features = Features(a.t_s, vals)
    w = compare_windows(features)
    monkeypatch.setattr(prepare, "SIDE_RELIABILITY", dict.fromkeys(prepare.SIDE_RELIABILITY, 0.5))
    equal = compare_windows(features)
    assert np.mean(w.label == "mirror") > 0.4 and np.mean(w.label == "match") < 0.05
    np.testing.assert_allclose(np.median(w.lag_s[w.label == "mirror"]), 1.0, atol=1.0 / RATE)
    assert np.mean(equal.label == "mirror") < 0.05
    assert np.nanmean(w.mirror_score - w.match_score) > np.nanmean(equal.mirror_score - equal.match_score) + 0.1


def test_arm_channels_say_which_arm_answers_which():
    """A moves only the LEFT arm; B answers with the RIGHT arm (mirror), later."""
    n, k = 40 * RATE, 12
    rng = np.random.default_rng(5)
    a = np.zeros((n + k, len(FEATURES)))
    left = [
        FEATURE_INDEX[f"{b}_left"]
        for b in (
            "wrist_height",
            "elbow_height",
            "reach",
            "forward_reach",
            "elbow_flexion",
            "arm_elevation",
            "hand_face",
        )
    ]
    a[:, left] = gaussian_filter1d(rng.normal(size=(n + k, len(left))), 8, axis=0) * 3
    b = np.roll(mirror_operator(a), k, axis=0)
    f = Features(np.arange(n) / RATE, np.stack([a[k:], b[k:]], axis=1))
    w = compare_windows(f)
    assert (w.label == "mirror").all()
    la, ra = w.channels.index("left_arm"), w.channels.index("right_arm")
    assert (w.channel_label[:, la] == "mirror").all() and (w.channel_mirror[:, la] > 0.9).all()
    assert (w.channel_label[:, ra] == "none").all()  # A's right arm never moved


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"window_s": -4}, "window_s must be positive"),
        ({"window_s": 4, "max_lag_s": 5}, r"max_lag_s must be in \[0, window_s = 4\]"),
        ({"step_s": 0}, r"step_s must be in \(0, window_s = 4\]"),
        ({"step_s": 9}, r"step_s must be in \(0, window_s = 4\]"),
        ({"window_s": 0.2}, "at least 5 samples long"),
        ({"min_valid": 0}, r"min_valid must be in \(0, 1\]"),
        ({"max_lag_s": float("nan")}, "finite"),
    ],
)
def test_bad_window_settings_name_the_valid_range(kwargs, message):
    from mirror.errors import MirrorError

    with pytest.raises(MirrorError, match=message):
        CompareSettings(**kwargs)


@given(
    st.integers(1, 200),  # frames
    st.floats(0.0, 1.0),  # share of missing values
    st.sampled_from(["random", "constant", "zeros"]),
    st.integers(0, 10**6),
)
@settings(max_examples=40, deadline=None)
def test_any_series_gives_a_result(n, missing, shape, seed):
    """NaN, constant and very short series: windows come out (possibly none), never an exception."""
    rng = np.random.default_rng(seed)
    if shape == "random":
        values = rng.normal(size=(n, 2, len(FEATURES)))
    elif shape == "constant":
        values = np.full((n, 2, len(FEATURES)), 0.7)
    else:
        values = np.zeros((n, 2, len(FEATURES)))
    values[rng.random(values.shape) < missing] = np.nan
    result = analyze_features(Features(np.arange(n) / RATE, values), n_surrogates=4)
    w = result.windows
    assert set(np.unique(w.label)) <= {"mirror", "match", "symmetric", "none", "insufficient"}
    # the comparison grid (16 Hz) holds the samples from 0 to the last frame; windows are 64
    # samples every 8; a clip shorter than one 4 s window gets one window of its own length
    # (whole half seconds), down to 2 s; below, none
    grid = int(np.floor((n - 1) / RATE * 16 + 1e-6)) + 1
    duration_s = (n - 1) / RATE + 1 / 16
    assert len(w) == ((grid - 64) // 8 + 1 if duration_s >= 4 else (1 if duration_s >= 2 else 0))
    if 2 <= duration_s < 4:
        assert w.end_s[0] - w.start_s[0] == pytest.approx(np.floor(duration_s * 2) / 2)
    # windows start on the stated step's exact grid
    np.testing.assert_allclose(w.start_s % w.run.settings.step_s if duration_s >= 4 else w.start_s, 0.0, atol=1e-9)
    related = np.isin(w.label, ["mirror", "match"])
    assert np.isfinite(w.lag_s[related]).all()
    assert np.isnan(w.mirror_score[w.label == "insufficient"]).all()


def test_scoring_in_blocks_gives_the_same_windows(monkeypatch):
    """Long sessions are scored a block of windows at a time; the result must not change."""
    import mirror.compare.windows as windows_module

    features = _pair("mirror", 1.3, seconds=120)
    features.values[300:330] = np.nan  # a gap across a block boundary
    whole = compare_windows(features)
    monkeypatch.setattr(windows_module, "BLOCK_WINDOWS", 37)
    blocks = compare_windows(features)
    assert len(whole) == len(blocks) > 3 * 37
    assert (whole.label == blocks.label).all() and (whole.channel_label == blocks.channel_label).all()
    for name in ("mirror_score", "match_score", "lag_s", "valid", "channel_mirror"):
        a, b = getattr(whole, name), getattr(blocks, name)
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert np.nanmax(np.abs(a - b)) < 1e-3  # float32 running sums over other lengths


def test_scanning_every_lag_at_once_gives_the_same_windows(monkeypatch):
    """Short sessions scan all lags in one pass; long ones a group of lags at a time: the sums must agree."""
    import mirror.compare.lagscan as windows_module

    features = _pair("match", -0.8, seconds=40)
    features.values[100:120, 1] = np.nan
    monkeypatch.setattr(windows_module, "VECTOR_SCAN_ELEMENTS", 0)
    by_lag = compare_windows(features)
    monkeypatch.setattr(windows_module, "VECTOR_SCAN_ELEMENTS", 10**12)
    at_once = compare_windows(features)
    assert (by_lag.label == at_once.label).all() and (by_lag.channel_label == at_once.channel_label).all()
    for name in ("mirror_score", "match_score", "sync_score", "lag_s", "channel_match"):
        a, b = getattr(by_lag, name), getattr(at_once, name)
        assert np.array_equal(np.isnan(a), np.isnan(b)) and np.nanmax(np.abs(a - b)) < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_degenerate_bodies_give_scores_in_range_not_rounding_noise(seed):
    """Every landmark at one place, dropping in and out: features are near-constant residues,
    and their ratios once overflowed to 1.8e308.  Scores stay in [-1, 1]; nothing is related."""
    from mirror.features import compute_features
    from mirror.landmarks import Landmarks

    rng = np.random.default_rng(seed)
    n = 20 * RATE
    lm = Landmarks.empty(n, (640, 480))
    lm.t_s[:] = np.arange(n) / RATE
    lm.frame_index[:] = np.arange(n)
    for name in ("pose_image", "pose_world", "head_pose_deg", "blendshapes"):
        arr = getattr(lm, name)
        arr[:] = 0.4
        arr[rng.random(arr.shape) < 0.125] = np.nan
    lm.pose_visibility[:] = 1.0
    w = compare_windows(compute_features(lm))
    assert len(w) > 20
    for name in ("mirror_score", "match_score", "sync_score"):
        x = getattr(w, name)
        assert np.all(np.abs(x[np.isfinite(x)]) <= 1.0), (name, np.nanmax(np.abs(x)))
    assert not np.isin(w.label, ["mirror", "match"]).any(), np.unique(w.label, return_counts=True)
