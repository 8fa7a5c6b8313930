from dataclasses import replace

import numpy as np
import pytest
from hypothesis import example, given, settings
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

    lm = extracted(EXAMPLES / "raga_2people.mp4")
    f = compute_features(lm)
    g = compute_features(lm.flipped())
    np.testing.assert_allclose(g.values, mirror_operator(f.values), atol=1e-6, equal_nan=True)  # float32 image x
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
            arr[:] = rng.normal(size=arr.shape) if shape == "random" else {"constant": 0.4, "zeros": 0.0}[shape]
            arr[rng.random(arr.shape) < missing] = np.nan
        lm.pose_visibility[:] = rng.random(lm.pose_visibility.shape) if shape == "random" else 1.0
    f = compute_features(lm)
    assert f.values.shape == (n, 2, len(FEATURES)) and np.array_equal(f.t_s, lm.t_s)
    assert not np.isinf(f.values).any()
    if shape == "nobody":
        assert np.isnan(f.values).all()  # nothing seen, nothing invented
    # whatever came out, the comparator, the mechanical-imitation detector and the coach take it
    from mirror.pipeline import analyze_session

    session = analyze_session(lm, n_surrogates=2)
    labels = session.synchrony.windows.label
    assert set(np.unique(labels)) <= {"mirror", "match", "symmetric", "none", "insufficient"}
    assert all(0.0 <= d.score <= 1.0 or np.isnan(d.score) for d in session.mechanical.directions.values())
    from mirror.compare import MIN_WINDOW_S

    if n < MIN_WINDOW_S * 15:  # shorter than the shortest window a short clip's windows shrink to
        assert len(labels) == 0 and not session.feedback


# ----------------------------------------------------------------------------- body parts, reasons, new features
from mirror.features import PARTS, REASONS  # noqa: E402
from mirror.features.body import Features, reasons_from_values  # noqa: E402
from mirror.landmarks import PersonLandmarks  # noqa: E402
from mirror.landmarks.skeleton import BLENDSHAPE_NAMES  # noqa: E402
from tests.helpers import TEMPLATE  # noqa: E402


def _posed(yaw_deg=0.0, vis=0.99, face=True, head_yaw_deg=0.0, move=None, size=SIZE):
    """A person turned ``yaw_deg`` towards their own left (world landmarks in metres, z away from the
    camera), seen by a camera that projects x and y; ``move`` maps (name, xyz) -> xyz before turning."""
    world = np.zeros((len(TEMPLATE), 3))
    world[:, :2] = (TEMPLATE - TEMPLATE[[POSE["left_hip"], POSE["right_hip"]]].mean(0)) * 1.0
    world[POSE["nose"], 2] = -0.12
    for n in ("left_eye", "right_eye", "left_eye_inner", "right_eye_inner", "left_eye_outer", "right_eye_outer"):
        world[POSE[n], 2] = -0.08
    if move is not None:
        for name, i in POSE.items():
            world[i] = move(name, world[i])
    th = np.radians(yaw_deg)
    x, z = world[:, 0].copy(), world[:, 2].copy()
    world[:, 0], world[:, 2] = x * np.cos(th) - z * np.sin(th), x * np.sin(th) + z * np.cos(th)
    w, h = size
    image = np.zeros_like(world)
    image[:, 0] = (w / 2 + 300 * world[:, 0]) / w
    image[:, 1] = (h * 0.75 + 300 * world[:, 1]) / h
    image[:, 2] = world[:, 2]
    person = PersonLandmarks(
        pose_image=image.astype(np.float32),
        pose_world=world.astype(np.float32),
        pose_visibility=np.full(len(TEMPLATE), vis, np.float32),
    )
    if face:
        person.face = np.full((478, 3), 0.5, np.float32)
        person.head_pose_deg = np.array([head_yaw_deg, 5.0, 3.0], np.float32)
        bs = np.linspace(0.05, 0.6, len(BLENDSHAPE_NAMES)).astype(np.float32)
        person.blendshapes = bs
    return person


def _stack(people, size=SIZE):
    n = len(people)
    return Landmarks.from_frames(list(np.arange(n) / 15), list(range(n)), people, size)


def _reason(f, t, person, part):
    return REASONS[f.part_reason[t, person, PARTS.index(part)]]


def test_every_part_of_a_well_seen_person_is_usable_and_a_missing_person_is_not_seen():
    f = compute_features(_stack([(_posed(), None)] * 3))
    assert f.part_reason.shape == (3, 2, len(PARTS)) and f.part_reason.dtype == np.uint8
    assert all(_reason(f, 1, 0, part) == "ok" for part in PARTS)
    assert all(_reason(f, 1, 1, part) == "not_seen" for part in PARTS)
    assert np.isfinite(f.values[:, 0]).all() and np.isnan(f.values[:, 1]).all()
    summary = f.usability()
    assert summary["A"]["left_arm"] == {"usable": 1.0, "reason": "ok", "reasons": {"ok": 1.0}}
    assert summary["B"]["head"]["usable"] == 0.0 and summary["B"]["head"]["reason"] == "not_seen"


def test_a_wrist_below_the_frame_is_out_of_frame_even_when_the_model_calls_it_visible():
    """MediaPipe extrapolates joints outside the image, often with a high visibility."""
    p = _posed()
    p.pose_image[POSE["right_wrist"], 1] = 1.12  # below the bottom edge
    f = compute_features(_stack([(p, None)] * 3))
    assert _reason(f, 1, 0, "right_arm") == "out_of_frame" and _reason(f, 1, 0, "left_arm") == "ok"
    assert (
        np.isnan(f.column("wrist_height_right")[:, 0]).all() and np.isfinite(f.column("wrist_height_left")[:, 0]).all()
    )
    assert np.isnan(f.column("arm_openness")[:, 0]).all()  # needs both arms
    summary = f.usability()["A"]["right_arm"]
    assert summary["usable"] == 0.0 and summary["reason"] == "out_of_frame"


def test_low_visibility_and_no_face_make_parts_unusable_with_their_reason():
    p = _posed(face=False)
    p.pose_visibility[POSE["left_elbow"]] = 0.2
    f = compute_features(_stack([(p, None)] * 3))
    assert _reason(f, 1, 0, "left_arm") == "low_visibility"
    assert _reason(f, 1, 0, "face") == "no_face" and _reason(f, 1, 0, "head") == "no_face"
    assert np.isnan(f.column("head_yaw")[:, 0]).all() and np.isnan(f.column("face_browDown_left")[:, 0]).all()
    assert _reason(f, 1, 0, "torso") == "ok" and np.isfinite(f.column("torso_lean")[:, 0]).all()


def test_a_usable_part_has_every_one_of_its_features():
    rng = np.random.default_rng(3)
    people = [
        (_posed(yaw_deg=rng.uniform(-80, 80), vis=rng.uniform(0.3, 1.0), face=bool(rng.random() < 0.7)), _posed())
        for _ in range(40)
    ]
    f = compute_features(_stack(people))
    for k, part in enumerate(PARTS):
        own = [i for i, s in enumerate(FEATURES) if s.parts == (part,)]
        ok = f.part_reason[..., k] == 0
        assert np.isfinite(f.values[..., own][ok]).all(), part
        assert np.isnan(f.values[..., own][~ok]).all(), part


def test_the_far_arm_of_a_person_in_profile_is_occluded_behind_the_body():
    """Turned 70 degrees to the own left: the left arm is the far one; hanging behind the torso, faint."""
    p = _posed(yaw_deg=70, face=False)
    for j in ("elbow", "wrist", "pinky", "index", "thumb"):
        p.pose_visibility[POSE[f"left_{j}"]] = 0.15
    f = compute_features(_stack([(p, None)] * 3))
    assert _reason(f, 1, 0, "left_arm") == "occluded"
    assert _reason(f, 1, 0, "right_arm") == "ok"  # the near arm


def test_a_far_arm_raised_clear_of_the_body_is_usable_despite_a_low_visibility():
    """As in a face-to-face high five: the far hand is raised above the shoulders, in plain view."""

    def raise_left(name, xyz):
        if name.startswith("left_") and name.split("_", 1)[1] in ("elbow", "wrist", "pinky", "index", "thumb"):
            return xyz + np.array([0.05, -0.55 if name != "left_elbow" else -0.3, 0.0])
        return xyz

    p = _posed(yaw_deg=70, face=False, move=raise_left)
    for j, v in (("elbow", 0.17), ("wrist", 0.25), ("pinky", 0.25), ("index", 0.25), ("thumb", 0.25)):
        p.pose_visibility[POSE[f"left_{j}"]] = v
    f = compute_features(_stack([(p, None)] * 3))
    assert _reason(f, 1, 0, "left_arm") == "ok"
    assert f.column("wrist_height_left")[1, 0] > 0.5  # above the shoulders
    p.pose_visibility[POSE["left_wrist"]] = 0.1  # too faint even in plain view
    g = compute_features(_stack([(p, None)] * 3))
    assert _reason(g, 1, 0, "left_arm") == "low_visibility"


def test_a_person_facing_away_has_no_trusted_side():
    f = compute_features(_stack([(_posed(yaw_deg=160, face=False), None)] * 3))
    for part in ("left_arm", "right_arm", "torso"):
        assert _reason(f, 1, 0, part) == "side_unknown", part
    assert _reason(f, 1, 0, "head") == "no_face"  # the head's angles need a face


def test_a_nose_pointing_against_the_shoulders_depth_order_leaves_the_side_unknown():
    p = _posed(yaw_deg=60, face=False)
    p.pose_image[POSE["nose"], 0] = p.pose_image[[POSE["left_ear"], POSE["right_ear"]], 0].mean() - 0.05  # points left
    f = compute_features(_stack([(p, None)] * 3))
    assert _reason(f, 1, 0, "left_arm") == "side_unknown" and _reason(f, 1, 0, "torso") == "side_unknown"


@given(st.floats(-85, 85), st.floats(-60, 60), st.floats(0.3, 1.0), st.booleans(), st.integers(0, 2**31))
@example(-85.0, 0.0, 1.0, False, 73)  # the largest foreshortening: rounding scaled up most
@settings(max_examples=40, deadline=None)
def test_new_features_and_reasons_follow_a_horizontal_flip_exactly(yaw, head_yaw, vis, face, seed):
    """M(features(landmarks)) == features(flip(landmarks)), part reasons with left and right arms exchanged."""
    rng = np.random.default_rng(seed)

    def jitter(name, xyz):
        return xyz + rng.normal(0, 0.03, 3)

    people = []
    for _ in range(6):
        a = _posed(yaw_deg=yaw + rng.normal(0, 3), vis=vis, face=face, head_yaw_deg=head_yaw, move=jitter)
        a.pose_visibility[:] = np.clip(vis + rng.normal(0, 0.2, len(a.pose_visibility)), 0, 1)
        people.append((a, _posed(yaw_deg=-yaw, face=not face, move=jitter)))
    lm = _stack(people)
    f, g = compute_features(lm), compute_features(lm.flipped())
    # exact up to the float32 rounding of the flipped image's x (1 - x): shoulder_raise is read in pixels
    # and its foreshortening undone by 1 / cos(torso yaw), which scales that rounding up to 12x at 85 degrees
    np.testing.assert_allclose(g.values, mirror_operator(f.values), atol=5e-5, equal_nan=True)
    swap = [PARTS.index({"left_arm": "right_arm", "right_arm": "left_arm"}.get(p, p)) for p in PARTS]
    np.testing.assert_array_equal(g.part_reason, f.part_reason[..., swap])


def test_head_yaw_is_measured_against_a_turned_torso_and_not_read_in_profile():
    """Two people turned towards each other, heads straight on their bodies: little head turn left."""
    f = compute_features(_stack([(_posed(yaw_deg=40, head_yaw_deg=40), _posed(yaw_deg=-40, head_yaw_deg=-40))] * 3))
    assert np.all(np.abs(f.column("head_yaw")[1]) <= 0.25 * np.radians(40))
    g = compute_features(_stack([(_posed(yaw_deg=10, head_yaw_deg=25), _posed(yaw_deg=70, head_yaw_deg=30))] * 3))
    assert g.column("head_yaw")[1, 0] == pytest.approx(np.radians(25), abs=1e-6)  # facing the camera
    assert _reason(g, 1, 1, "head") == "side_unknown" and np.isnan(g.column("head_roll")[1, 1])  # in profile
    assert _reason(g, 1, 1, "face") == "ok"  # the expressions are the face model's own


def test_a_hand_at_one_side_of_the_face_is_a_lateral_feature():
    def hand_to_face(name, xyz):
        if name.startswith("left_") and name.split("_", 1)[1] in ("wrist", "pinky", "index", "thumb"):
            return np.array([0.08, -0.42, -0.05])  # beside the chin, on the left
        return xyz

    f = compute_features(_stack([(_posed(move=hand_to_face), _posed())] * 3))
    assert f.column("hand_at_face_left")[1, 0] > 0.3 and f.column("hand_at_face_right")[1, 0] == 0.0
    assert f.column("hand_at_face_left")[1, 1] == 0.0
    asym, specs = f.antisymmetric()
    k = [s.name for s in specs].index("hand_at_face_left")
    assert asym[1, 0, k] > 0.3 and asym[1, 1, k] == 0.0


def test_a_hand_not_in_full_view_is_not_at_the_face():
    """The pose model puts hands it cannot see beside a head-and-shoulders person's face, with
    visibilities up to 0.8-0.9: only a hand whose every point is clearly seen counts."""

    def hand_to_face(name, xyz):
        if name.startswith("left_") and name.split("_", 1)[1] in ("wrist", "pinky", "index", "thumb"):
            return np.array([0.08, -0.42, -0.05])
        return xyz

    seen = _posed(move=hand_to_face)
    faint = _posed(move=hand_to_face)
    faint.pose_visibility[[POSE[f"left_{j}"] for j in ("index", "pinky", "thumb")]] = 0.8
    f = compute_features(_stack([(seen, faint)] * 3))
    assert f.column("hand_at_face_left")[1, 0] > 0.3
    assert f.column("hand_at_face_left")[1, 1] == 0.0 and np.isfinite(f.column("head_roll")[1, 1])


def test_in_a_video_call_a_joint_outside_its_persons_tile_is_out_of_frame():
    """The pose model places a head-and-shoulders person's arms in the call window's dark border
    below the tile, with a high visibility: those arms were never seen."""
    w, h = SIZE
    p = _posed()
    elbow_y = float(p.pose_image[POSE["left_elbow"], 1])
    lm = _stack([(p, None)] * 3)
    whole = compute_features(lm)
    assert _reason(whole, 1, 0, "left_arm") == "ok"
    bottom = int((elbow_y - 0.05) * h)  # A's tile (the left four fifths) ends above the elbows
    lm.info = replace(lm.info, call_tiles=[[0, 0, int(0.8 * w), bottom], [int(0.8 * w), 0, w, bottom]])
    tiled = compute_features(lm)
    assert _reason(tiled, 1, 0, "left_arm") == "out_of_frame" and _reason(tiled, 1, 0, "right_arm") == "out_of_frame"
    assert _reason(tiled, 1, 0, "head") == "ok"
    assert np.isnan(tiled.column("wrist_height_left")[:, 0]).all()


def test_a_hand_out_of_frame_is_not_at_the_face_but_the_head_stays_usable():
    """Head-and-shoulders: the arms are out of frame, the head and face still carry the comparison."""
    p = _posed()
    for side in ("left", "right"):
        for j in ("elbow", "wrist", "pinky", "index", "thumb"):
            p.pose_image[POSE[f"{side}_{j}"], 1] = 1.3
    for j in ("left_hip", "right_hip"):
        p.pose_image[POSE[j], 1] = 1.4
    f = compute_features(_stack([(p, None)] * 3))
    assert [_reason(f, 1, 0, part) for part in PARTS] == ["ok", "out_of_frame", "out_of_frame", "out_of_frame", "ok"]
    assert f.column("hand_at_face_left")[1, 0] == 0.0 and np.isfinite(f.column("head_roll")[:, 0]).all()


def test_motion_symmetry_tells_both_arms_moving_alike_from_one_arm_or_stillness():
    def arms(lift_left, lift_right):
        def move(name, xyz):
            for side, lift in (("left", lift_left), ("right", lift_right)):
                if name.startswith(f"{side}_") and name.split("_", 1)[1] in ("wrist", "pinky", "index", "thumb"):
                    return xyz + np.array([0.0, -lift, 0.0])
            return xyz

        return move

    n = 9
    both = compute_features(_stack([(_posed(move=arms(0.03 * i, 0.03 * i)), None) for i in range(n)]))
    one = compute_features(_stack([(_posed(move=arms(0.03 * i, 0.0)), None) for i in range(n)]))
    opposite = compute_features(_stack([(_posed(move=arms(0.03 * i, -0.03 * i)), None) for i in range(n)]))
    still = compute_features(_stack([(_posed(), None)] * n))
    assert np.nanmean(both.column("motion_symmetry")[:, 0]) > 0.9
    assert abs(np.nanmean(one.column("motion_symmetry")[:, 0])) < 0.1
    assert np.nanmedian(opposite.column("motion_symmetry")[:, 0]) < -0.5  # one rises as the other falls
    assert np.allclose(still.column("motion_symmetry")[:, 0], 0.0)


def test_hand_built_features_are_usable_where_their_values_exist():
    values = np.zeros((5, 2, len(FEATURES)))
    values[:, 1, FEATURE_INDEX["wrist_height_left"]] = np.nan
    f = Features(t_s=np.arange(5) / 15, values=values)
    assert (f.part_reason[:, 0] == 0).all()
    assert _reason(f, 0, 1, "left_arm") == "not_seen" and _reason(f, 0, 1, "right_arm") == "ok"
    np.testing.assert_array_equal(reasons_from_values(values), f.part_reason)
