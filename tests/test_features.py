import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirror.features import FEATURES, compute_features, mirror_operator
from mirror.features.body import FEATURE_INDEX
from mirror.landmarks import Landmarks
from mirror.landmarks.skeleton import POSE
from tests.helpers import skeleton

SIZE = (640, 480)


def _sequence(n=30, raise_left=True):
    """A person whose LEFT (or right) wrist rises over the frames; world = image coordinates in metres-ish."""
    people = []
    for i in range(n):
        p = skeleton((200, 60, 400, 460), SIZE)
        side = "left" if raise_left else "right"
        p.pose_image[POSE[f"{side}_wrist"], 1] -= 0.4 * i / n
        p.pose_world[:] = p.pose_image * (1.6, 1.2, 1.6)
        people.append((p, None))
    return Landmarks.from_frames(list(np.arange(n) / 15), list(range(n)), people, SIZE)


@given(st.integers(0, 2**31))
@settings(max_examples=30, deadline=None)
def test_mirror_operator_is_an_involution(seed):
    x = np.random.default_rng(seed).normal(size=(7, 2, len(FEATURES)))
    np.testing.assert_array_equal(mirror_operator(mirror_operator(x)), x)


def test_mirror_operator_swaps_pairs_and_negates_signed():
    x = np.arange(len(FEATURES), dtype=float)
    m = mirror_operator(x)
    assert m[FEATURE_INDEX["wrist_height_left"]] == x[FEATURE_INDEX["wrist_height_right"]]
    assert m[FEATURE_INDEX["head_roll"]] == -x[FEATURE_INDEX["head_roll"]]
    assert m[FEATURE_INDEX["head_pitch"]] == x[FEATURE_INDEX["head_pitch"]]


def test_features_of_a_flipped_person_are_the_mirror_operator_of_theirs():
    lm = _sequence()
    f, g = compute_features(lm), compute_features(lm.flipped())
    np.testing.assert_allclose(g.values, mirror_operator(f.values), atol=1e-9, equal_nan=True)


def test_raised_left_wrist_is_a_left_side_feature():
    f = compute_features(_sequence(raise_left=True))
    left, right = f.column("wrist_height_left")[:, 0], f.column("wrist_height_right")[:, 0]
    assert left[-1] - left[0] > 0.3 and abs(right[-1] - right[0]) < 1e-6
    asym, specs = f.antisymmetric()
    k = [s.name for s in specs].index("wrist_height_left")
    assert asym[-1, 0, k] > 0.3  # left minus right
    assert np.isnan(f.values[:, 1]).all()  # B is missing: no features invented


@given(st.floats(0.3, 3.0), st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5))
@settings(max_examples=25, deadline=None)
def test_features_ignore_camera_distance_and_position(scale, dx, dy, dz):
    lm = _sequence()
    moved = lm.slice(0, len(lm))
    moved.pose_world = (lm.pose_world * scale + np.array([dx, dy, dz], np.float32)).astype(np.float32)
    a, b = compute_features(lm).values, compute_features(moved).values
    np.testing.assert_allclose(a, b, atol=1e-4, equal_nan=True)


@pytest.mark.model
def test_real_landmarks_mirror_exactly_under_flip(extracted):
    from tests.conftest import EXAMPLES

    lm, _ = extracted(EXAMPLES / "raga_2people.mp4")
    f = compute_features(lm)
    g = compute_features(lm.flipped())
    np.testing.assert_allclose(g.values, mirror_operator(f.values), atol=1e-9, equal_nan=True)
    assert np.isfinite(f.column("wrist_height_left")).mean() > 0.5


def test_features_in_blocks_equal_features_at_once(monkeypatch):
    """Long sessions are computed a block of frames at a time; the derivative needs its neighbours."""
    import mirror.features.body as body
    from mirror.landmarks import Landmarks

    rng = np.random.default_rng(0)
    lm = Landmarks.empty(300, (400, 240))
    lm.t_s[:] = np.cumsum(rng.uniform(0.04, 0.1, 300))  # uneven frame times
    lm.pose_image[:] = rng.random(lm.pose_image.shape)
    lm.pose_world[:] = rng.random(lm.pose_world.shape)
    lm.pose_visibility[:] = rng.random(lm.pose_visibility.shape)
    lm.blendshapes[:] = rng.random(lm.blendshapes.shape)
    lm.pose_world[100:110] = np.nan
    whole = body.compute_features(lm).values
    monkeypatch.setattr(body, "FEATURE_BLOCK_FRAMES", 37)
    blocks = body.compute_features(lm).values
    assert np.array_equal(np.isnan(whole), np.isnan(blocks)) and np.nanmax(np.abs(whole - blocks)) == 0.0


@given(
    st.integers(0, 120),  # frames: none to 8 s
    st.floats(0.0, 1.0),  # share of missing landmark values
    st.sampled_from(["random", "constant", "zeros", "nobody"]),
    st.integers(0, 10**6),
)
@settings(max_examples=60, deadline=None)
def test_any_landmarks_give_features(n, missing, shape, seed):
    """NaN, constant, degenerate (all points at one place) and very short input: features or NaN, never an error."""
    rng = np.random.default_rng(seed)
    lm = Landmarks.empty(n, SIZE)
    lm.t_s[:] = np.arange(n) / 15
    lm.frame_index[:] = np.arange(n)
    if shape != "nobody":
        for name in ("pose_image", "pose_world", "head_pose_deg", "blendshapes"):
            arr = getattr(lm, name)
            arr[:] = {"random": lambda: rng.normal(size=arr.shape), "constant": lambda: 0.4, "zeros": lambda: 0.0}[shape]()
            arr[rng.random(arr.shape) < missing] = np.nan
        lm.pose_visibility[:] = rng.random(lm.pose_visibility.shape) if shape == "random" else 1.0
    f = compute_features(lm)
    assert f.values.shape == (n, 2, len(FEATURES)) and np.array_equal(f.t_s, lm.t_s)
    assert not np.isinf(f.values).any()
    if shape == "nobody":
        assert np.isnan(f.values).all()  # nothing seen, nothing invented
    # whatever came out, the comparator, the mechanical-imitation detector and the coach take it
    from mirror.pipeline import analyze_session

    session, _ = analyze_session(lm, n_surrogates=2)
    labels = session.synchrony.windows.label
    assert set(np.unique(labels)) <= {"mirror", "match", "symmetric", "none", "insufficient"}
    assert all(0.0 <= d.score <= 1.0 or np.isnan(d.score) for d in session.mechanical.directions.values())
    if n < 60:  # shorter than one 4 s window
        assert len(labels) == 0 and not session.feedback
