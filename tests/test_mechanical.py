"""Gestures, copies and the mechanical-imitation score: analytic fixtures and real movement."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirror.compare import CompareSettings, analyze_features
from mirror.features import Features, compute_features
from mirror.features.body import FEATURE_INDEX, FEATURES, mirror_operator
from mirror.mechanical import (
    CHANNEL_FEATURES,
    GestureSettings,
    Motion,
    detect_mechanical,
    segment_gestures,
)
from mirror.mechanical.copies import detect_copies
from mirror.mechanical.score import ScoreSettings, ramp, span_bounds
from tests.conftest import EXAMPLES

RATE = 15.0


def _quiet(n: int) -> np.ndarray:
    """``(n, F)`` a person sitting still: every feature at a fixed posture."""
    v = np.zeros((n, len(FEATURES)))
    v[:, FEATURE_INDEX["wrist_height_left"]] = v[:, FEATURE_INDEX["wrist_height_right"]] = -1.5
    v[:, FEATURE_INDEX["hand_face_left"]] = v[:, FEATURE_INDEX["hand_face_right"]] = 2.0
    return v


def _bump(t: np.ndarray, at_s: float, width_s: float, height: float) -> np.ndarray:
    """A raise-and-return movement: a raised cosine from ``at_s`` lasting ``width_s``."""
    u = np.clip((t - at_s) / width_s, 0, 1)
    return height * 0.5 * (1 - np.cos(2 * np.pi * u))


def _gesturing(
    t: np.ndarray, onsets: list[float], feature: str = "wrist_height_left", height: float = 1.0
) -> np.ndarray:
    v = _quiet(len(t))
    for at in onsets:
        v[:, FEATURE_INDEX[feature]] += _bump(t, at, 1.2, height)
    return v


def _pair(a: np.ndarray, b: np.ndarray) -> Features:
    t = np.arange(len(a)) / RATE
    return Features(t_s=t, values=np.stack([a, b], axis=1))


def test_gesture_onsets_and_amplitudes_are_found():
    t = np.arange(int(40 * RATE)) / RATE
    onsets = [3.0, 9.5, 17.0, 26.0, 33.0]
    values = _gesturing(t, onsets, height=0.8)
    motion = Motion.from_features(_pair(values, _quiet(len(t))), GestureSettings())
    g = segment_gestures(motion)
    mine = (g.person == 0) & (g.channel == "left_arm")
    assert mine.sum() == len(onsets)
    # the onset threshold lies on the rising flank: within 0.35 s of the movement's start
    assert np.all(np.abs(g.start_s[mine] - onsets) < 0.35)
    assert np.allclose(g.amplitude[mine], 0.8, atol=0.05)
    # a raise and return is fastest a quarter and three quarters in (0.3 s and 0.9 s)
    into = g.peak_s[mine] - np.array(onsets)
    assert np.all(np.minimum(np.abs(into - 0.3), np.abs(into - 0.9)) < 0.15), into
    assert ((g.person == 1) | (g.channel != "left_arm")).sum() == 0  # nothing else moved


@pytest.mark.parametrize("kind", ["mirror", "match"])
def test_copies_are_found_with_their_side_and_lag(kind):
    t = np.arange(int(40 * RATE)) / RATE
    a = _gesturing(t, [3.0, 9.5, 17.0, 26.0, 33.0])
    lag = int(round(0.4 * RATE))
    b = np.roll(a, lag, axis=0)
    b[:lag] = a[0]
    b = mirror_operator(b) if kind == "mirror" else b
    motion = Motion.from_features(_pair(a, b), GestureSettings())
    g = segment_gestures(motion)
    c = detect_copies(motion, g)
    ba = c.direction == "B_copies_A"
    assert ba.sum() == 5 and (c.direction == "A_copies_B").sum() == 0
    assert set(c.kind[ba]) == {kind}
    assert np.allclose(c.lag_s[ba], lag / RATE, atol=1 / RATE + 1e-9)
    assert set(g.channel[c.copy[ba]]) == {"right_arm" if kind == "mirror" else "left_arm"}
    assert np.all(c.fidelity[ba] > 0.95)


def test_no_gesture_or_copy_is_invented_from_before_the_clip_or_a_gap():
    """A movement under way at the first sample (or at the end of a gap) has no onset seen: no gesture, no copy."""
    t = np.arange(int(20 * RATE)) / RATE
    a = _gesturing(t, [-0.3, 8.0])  # the first movement was at full speed at the first sample
    a[int(12.8 * RATE) : int(13.3 * RATE)] = np.nan  # a gap in the middle of a movement
    a[:, FEATURE_INDEX["wrist_height_left"]] += _bump(t, 12.6, 1.2, 1.0)
    lag = int(round(0.8 * RATE))
    b = np.roll(np.nan_to_num(a, nan=-1.5), lag, axis=0)
    b[:lag] = _quiet(lag)
    motion = Motion.from_features(_pair(a, b), GestureSettings())
    g = segment_gestures(motion)
    mine = (g.person == 0) & (g.channel == "left_arm")
    assert g.start_s[mine].tolist() == pytest.approx([8.0], abs=0.35), g.start_s[mine]
    assert not np.any(g.start_s == t[0])
    c = detect_copies(motion, g)
    records = c.to_records(g)
    assert records and all(r["model_start_s"] > 1.0 for r in records)
    for r in records:  # one story: the copy is the model's gesture, lag_s later
        assert r["copy_start_s"] - r["model_start_s"] == pytest.approx(r["lag_s"], abs=1e-9)
        assert r["copy_end_s"] - r["model_end_s"] == pytest.approx(r["lag_s"], abs=1e-9)
        assert r["model_end_s"] > r["model_start_s"]


def test_head_tilt_side_tells_mirror_from_match():
    """The head is its own counterpart: only the sign of the roll says mirror or match."""
    t = np.arange(int(30 * RATE)) / RATE
    a = _gesturing(t, [4.0, 12.0, 20.0], feature="head_roll", height=0.3)
    lag = int(round(1.5 * RATE))
    for kind, sign in (("match", 1.0), ("mirror", -1.0)):
        b = _quiet(len(t))
        b[lag:, FEATURE_INDEX["head_roll"]] = sign * a[:-lag, FEATURE_INDEX["head_roll"]]
        motion = Motion.from_features(_pair(a, b), GestureSettings())
        g = segment_gestures(motion)
        c = detect_copies(motion, g)
        assert list(c.kind) == [kind] * 3
        assert np.allclose(c.lag_s, 1.5, atol=0.07)


def test_a_damped_copy_has_low_fidelity():
    t = np.arange(int(30 * RATE)) / RATE
    a = _gesturing(t, [4.0, 12.0, 20.0], height=1.0)
    b = _gesturing(t, [6.0, 14.0, 22.0], height=0.4)
    motion = Motion.from_features(_pair(a, b), GestureSettings())
    c = detect_copies(motion, segment_gestures(motion))
    assert len(c) == 3
    assert np.allclose(c.amplitude_ratio, 0.4, atol=0.05)
    assert np.all(c.fidelity < 0.45)


def test_ramps_and_spans():
    assert ramp(0.6, 0.4, 0.8) == pytest.approx(0.5)
    assert ramp(0.3, 1.0, 0.5) == 1.0 and ramp(1.2, 1.0, 0.5) == 0.0  # decreasing ramp
    assert ramp(float("nan"), 0, 1) == 0.0
    s = ScoreSettings(span_s=60, step_s=10)
    assert span_bounds(0, 45, s) == [(0, 45)]
    spans = span_bounds(0, 100, s)
    assert spans[-1] == (40.0, 100.0) and spans[0] == (0.0, 60.0) and len(spans) == 5


@pytest.fixture(scope="module")
def real_movement():
    """Real features of the person in raga_1person (A) and of the two in raga_2people."""
    from mirror.landmarks import ExtractSettings, extract_video

    one = extract_video(EXAMPLES / "raga_1person.mp4", ExtractSettings(fps=RATE), use_cache=False)
    two = extract_video(EXAMPLES / "raga_2people.mp4", ExtractSettings(fps=RATE), use_cache=False)
    return compute_features(one).values[:, 0], compute_features(two).values


def _ping_pong(values: np.ndarray, seconds: float, speed: float = 1.0) -> np.ndarray:
    n = int(seconds * RATE)
    u = (np.arange(n) * speed) % (2 * (len(values) - 1))
    u = np.where(u < len(values), u, 2 * (len(values) - 1) - u).astype(int)
    return values[np.clip(u, 0, len(values) - 1)]


def _jitter(values: np.ndarray) -> np.ndarray:
    """The frame-to-frame jitter of real features; gaps (a body part not usable) bridged, not zeroed into steps."""
    from scipy.ndimage import uniform_filter1d

    filled = np.zeros_like(values)
    idx = np.arange(len(values))
    for j in range(values.shape[1]):
        ok = np.isfinite(values[:, j])
        if ok.any():
            filled[:, j] = np.interp(idx, idx[ok], values[ok, j])
    return filled - uniform_filter1d(filled, size=7, axis=0, mode="nearest")


@pytest.mark.model
@pytest.mark.parametrize("kind", ["mirror", "match"])
def test_real_movement_copied_at_once_and_exactly_is_flagged(real_movement, kind):
    one, two = real_movement
    a = _ping_pong(one, 90)
    lag = int(round(0.3 * RATE))
    b = np.concatenate([np.repeat(a[:1], lag, 0), a[:-lag]])
    b = (mirror_operator(b) if kind == "mirror" else b) + _jitter(_ping_pong(two[:, 1], 90, speed=0.9))
    features = _pair(a, b)
    sync = analyze_features(features, CompareSettings(), n_surrogates=0)
    mech = detect_mechanical(features, sync.windows)
    ba, ab = mech.directions["B_copies_A"], mech.directions["A_copies_B"]
    assert ba.flagged and ba.score >= 0.8, ba.to_dict()["sub_scores"]
    assert not ab.flagged
    v = ba.session.values
    assert v["coverage"] >= 0.5 and abs(v["immediacy_s"] - 0.3) < 0.1 and v["lag_sd_s"] < 0.1
    kinds = mech.copies.kind[mech.copies.direction == "B_copies_A"]
    sided = kinds[kinds != "symmetric"]  # nods, jaw, brows moving together: symmetric copies
    # the singer's head moves by nodding (the face model's pitch): her sided gestures are the hand's
    assert len(sided) >= 2 and np.mean(sided == kind) >= 0.9
    signs = {r.sign for r in ba.reasons}
    assert {"coverage", "immediacy", "regularity"} <= signs
    assert all(r.ranges and r.ranges[0][0] < r.ranges[0][1] for r in ba.reasons)
    assert "B copied" in ba.reasons[0].text or "B's" in ba.reasons[0].text


@pytest.mark.model
def test_real_independent_people_are_not_flagged(real_movement):
    one, two = real_movement
    a = _ping_pong(one, 90)
    b = _ping_pong(two[:, 0], 90, speed=0.85)
    features = _pair(a, b)
    sync = analyze_features(features, CompareSettings(), n_surrogates=0)
    mech = detect_mechanical(features, sync.windows)
    for d in mech.directions.values():
        assert not d.flagged, (d.name, d.to_dict()["sub_scores"])
        assert d.reasons == []


@pytest.mark.model
def test_natural_late_damped_copies_are_not_flagged(real_movement):
    """Some movements copied 1-4 s later at half size, on top of B's own movement: rapport, not mechanics."""
    one, two = real_movement
    a = _ping_pong(one, 120)
    b = _ping_pong(two[:, 1], 120, speed=0.9)
    t = np.arange(len(a)) / RATE
    rng = np.random.default_rng(5)
    cols = [FEATURE_INDEX[n] for n in CHANNEL_FEATURES["left_arm"]]
    for start in np.arange(5, 110, 12.0):
        lag = rng.uniform(1, 4)
        sl = (t >= start + lag) & (t < start + lag + 2.5)
        src = a[np.flatnonzero(sl) - int(lag * RATE)][:, cols]
        b[np.ix_(sl, cols)] += 0.5 * (src - src[:1])
    features = _pair(a, b)
    sync = analyze_features(features, CompareSettings(), n_surrogates=0)
    mech = detect_mechanical(features, sync.windows)
    assert not mech.directions["B_copies_A"].flagged
    assert not mech.directions["A_copies_B"].flagged


def test_report_dict_carries_mechanical_and_feedback(tmp_path):
    import json

    from mirror.coach import coach_session
    from mirror.report import write_report

    t = np.arange(int(70 * RATE)) / RATE
    onsets = list(np.cumsum(np.random.default_rng(2).uniform(2.2, 4.5, 20)))
    a = _gesturing(t, onsets)
    lag = int(round(0.3 * RATE))
    b = mirror_operator(np.concatenate([np.repeat(a[:1], lag, 0), a[:-lag]]))
    features = _pair(a, b)
    sync = analyze_features(features, CompareSettings(), n_surrogates=0)
    mech = detect_mechanical(features, sync.windows)
    feedback = coach_session(features, sync, mech)
    write_report(sync, tmp_path, {"source": "analytic"}, mechanical=mech, feedback=feedback)
    doc = json.loads((tmp_path / "report.json").read_text())
    d = doc["mechanical"]["directions"]["B_copies_A"]
    assert d["flagged"] is True and d["copier"] == "B" and d["copies"] == len(onsets)
    assert d["signs"]["immediacy_s"] == pytest.approx(0.3, abs=0.07)
    assert {"coverage", "immediacy", "regularity", "fidelity"} <= {r["sign"] for r in d["reasons"]}
    assert len(doc["mechanical"]["gestures"]) == 2 * len(onsets)
    ba = [c for c in doc["mechanical"]["copies"] if c["direction"] == "B_copies_A"]
    assert len(ba) == len(onsets)
    assert all(c["kind"] == "mirror" and c["channel_copy"] == "right_arm" for c in ba)
    warnings = [m for m in doc["feedback"] if m["kind"] == "warning"]
    assert warnings and all(m["to"] == "B" for m in warnings)
    assert "You copied" in warnings[0]["text"] and "within 0.3 s" in warnings[0]["text"]


@given(
    st.integers(0, 400), st.floats(0.0, 1.0), st.sampled_from(["random", "constant", "zeros"]), st.integers(0, 10**6)
)
@settings(max_examples=40, deadline=None)
def test_any_series_gives_a_mechanical_result(n, missing, shape, seed):
    rng = np.random.default_rng(seed)
    if shape == "random":
        values = rng.normal(size=(n, 2, len(FEATURES))).cumsum(0) * 0.1
    elif shape == "constant":
        values = np.full((n, 2, len(FEATURES)), 0.7)
    else:
        values = np.zeros((n, 2, len(FEATURES)))
    values[rng.random(values.shape) < missing] = np.nan
    features = Features(np.arange(n) / RATE, values)
    mech = detect_mechanical(features)
    for d in mech.directions.values():
        assert np.isnan(d.score) or 0.0 <= d.score <= 1.0
        assert d.flagged == any(s.flagged for s in d.spans)
    assert len(mech.copies) <= len(mech.gestures)
    mech.to_dict()
