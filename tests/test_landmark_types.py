import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirror.errors import MirrorError
from mirror.landmarks import ExtractRun, Landmarks
from mirror.landmarks.headpose import headpose_from_matrix
from mirror.landmarks.skeleton import BLENDSHAPE_FLIP, BLENDSHAPE_NAMES, FACE_FLIP, POSE, POSE_FLIP, POSE_NAMES
from tests.helpers import skeleton


def _random_landmarks(seed, n=6):
    rng = np.random.default_rng(seed)
    lm = Landmarks.empty(n, (640, 480), ExtractRun(source_sha256="abc", frames=n))
    lm.t_s[:] = np.arange(n) / 15
    lm.frame_index[:] = np.arange(n) * 2
    for name in ("pose_image", "pose_world", "face", "head_pose_deg", "blendshapes"):
        getattr(lm, name)[:] = rng.random(getattr(lm, name).shape)
    lm.pose_visibility[:] = rng.random(lm.pose_visibility.shape)
    lm.pose_image[2, 1] = np.nan  # B missing in frame 2
    return lm


def test_flip_maps_are_involutions_with_anatomical_pairs():
    for perm in (POSE_FLIP, FACE_FLIP, BLENDSHAPE_FLIP):
        assert np.array_equal(perm[perm], np.arange(len(perm)))
    assert POSE_NAMES[POSE_FLIP[POSE["left_wrist"]]] == "right_wrist"
    assert POSE_FLIP[POSE["nose"]] == POSE["nose"]
    assert BLENDSHAPE_NAMES[BLENDSHAPE_FLIP[BLENDSHAPE_NAMES.index("jawLeft")]] == "jawRight"
    assert BLENDSHAPE_NAMES[BLENDSHAPE_FLIP[BLENDSHAPE_NAMES.index("eyeBlinkLeft")]] == "eyeBlinkRight"
    assert FACE_FLIP[468] == 473 and FACE_FLIP[1] == 1  # iris centres pair, nose tip on the midline
    assert (FACE_FLIP == np.arange(478)).sum() == 28  # the canonical mesh's midline points


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_flipping_twice_is_identity(seed):
    lm = _random_landmarks(seed)
    back = lm.flipped().flipped()
    for name in Landmarks.ARRAYS:  # x -> 1 - x twice rounds in float32: equal to 1e-6
        np.testing.assert_allclose(getattr(back, name), getattr(lm, name), rtol=0, atol=1e-6)


def test_flip_mirrors_x_swaps_sides_and_negates_yaw_roll():
    lm = _random_landmarks(1)
    fl = lm.flipped()
    lw, rw = POSE["left_wrist"], POSE["right_wrist"]
    np.testing.assert_allclose(fl.pose_image[0, 0, lw, 0], 1 - lm.pose_image[0, 0, rw, 0])
    np.testing.assert_allclose(fl.pose_image[0, 0, lw, 1], lm.pose_image[0, 0, rw, 1])
    np.testing.assert_allclose(fl.pose_world[0, 0, lw, 0], -lm.pose_world[0, 0, rw, 0])
    np.testing.assert_allclose(fl.head_pose_deg[..., 0], -lm.head_pose_deg[..., 0])
    np.testing.assert_allclose(fl.head_pose_deg[..., 1], lm.head_pose_deg[..., 1])
    np.testing.assert_allclose(fl.head_pose_deg[..., 2], -lm.head_pose_deg[..., 2])
    assert np.array_equal(fl.pose_present, lm.pose_present)


@given(
    st.floats(-80, 80),
    st.floats(-60, 60),
    st.floats(-80, 80),
)
@settings(max_examples=50, deadline=None)
def test_headpose_flip_equivariance_is_exact(yaw, pitch, roll):
    from scipy.spatial.transform import Rotation

    r = Rotation.from_euler("YXZ", [yaw, pitch, roll], degrees=True).as_matrix()
    s = np.diag([-1.0, 1.0, 1.0])
    a = headpose_from_matrix(r)
    b = headpose_from_matrix(s @ r @ s)  # the same head seen in a mirrored image
    np.testing.assert_allclose(b, a * [-1, 1, -1], atol=1e-9)


def test_headpose_identity_is_zero():
    np.testing.assert_allclose(headpose_from_matrix(np.eye(4)), [0, 0, 0], atol=1e-12)


def test_from_frames_keeps_missing_people_missing():
    a = skeleton((10, 10, 50, 100), (100, 100))
    lm = Landmarks.from_frames([0.0, 0.1], [0, 1], [(a, None), (None, a)], (100, 100))
    assert lm.pose_present.tolist() == [[True, False], [False, True]]
    assert np.isnan(lm.pose_world[0, 1]).all() and (lm.pose_visibility[0, 1] == 0).all()
    assert not lm.face_present.any()
    assert lm.person(0, 1) is None and lm.person(1, 1) is not None


def test_save_load_roundtrip_and_bad_files(tmp_path):
    lm = _random_landmarks(3)
    path = lm.save(tmp_path / "x" / "landmarks.npz")
    back = Landmarks.load(path)
    for name in Landmarks.ARRAYS:
        np.testing.assert_array_equal(getattr(back, name), getattr(lm, name))
    assert back.frame_size == (640, 480) and back.info == lm.info
    assert not list(path.parent.glob("*.tmp"))
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(MirrorError, match="not a readable mirror landmarks file"):
        Landmarks.load(tmp_path / "junk.npz")
    with pytest.raises(MirrorError, match="no such landmarks file"):
        Landmarks.load(tmp_path / "none.npz")


def test_swapped_people_and_concatenate():
    lm = _random_landmarks(4)
    sw = lm.swapped_people()
    np.testing.assert_array_equal(sw.pose_image[:, 0], lm.pose_image[:, 1])
    np.testing.assert_array_equal(sw.t_s, lm.t_s)
    both = Landmarks.concatenate([lm.slice(0, 2), lm.slice(2, 6)])
    np.testing.assert_array_equal(both.face, lm.face)


def test_assemble_streams_parts_into_one_allocation():
    lm = _random_landmarks(5, n=9)
    made = []

    def parts():  # each part exists only while it is copied in
        for a, b in ((0, 4), (4, 5), (5, 9)):
            made.append((a, b))
            yield lm.slice(a, b).slimmed()

    whole = Landmarks.assemble(parts(), 9)
    assert made == [(0, 4), (4, 5), (5, 9)] and whole.face.shape == (9, 2, 1, 3)
    for name in Landmarks.ARRAYS:
        np.testing.assert_array_equal(getattr(whole, name), getattr(lm.slimmed(), name))
    short = Landmarks.assemble(iter([lm.slice(0, 4)]), 9)  # fewer frames arrived than announced
    assert len(short) == 4 and np.array_equal(short.t_s, lm.t_s[:4])
    with pytest.raises(ValueError, match="more than the 3 frames"):
        Landmarks.assemble(iter([lm.slice(0, 4)]), 3)
    with pytest.raises(ValueError, match="nothing"):
        Landmarks.assemble(iter([]), 3)


def test_run_information_of_files_written_before_it_was_typed_reads_back_unchanged():
    """A file's or cache manifest's ``info`` (a plain dict before ExtractRun) reads back with the same keys."""
    old = {
        "source": {"kind": "video", "name": "a.mp4", "width": 640, "height": 480, "nominal_fps": 25.0},
        "settings": {"pose_model": "lite", "face": True, "layout": {"mode": "auto", "regions": None}, "fps": None},
        "source_sha256": "0" * 64,
        "mirror": "0.1.0",
        "backend": {"models": {"pose_landmarker_lite.task": "6462885f"}},
        "frames_this_run": 40,
        "resumed_from_frames": 10,
        "identity_checks": {"duplicates_resolved": 0, "jumps_rejected": 1, "searches": 2, "reacquired": 0},
        "call_tiles": [[0, 0, 320, 480], [320, 0, 640, 480]],
        "seconds_this_run": 1.5,
        "interrupted": False,
        "frames": 50,
        "both_present_rate": 0.98,
        "present_rate": {"A": 1.0, "B": 0.98},
        "face_present_rate": {"A": 0.9, "B": 0.8},
        "identity_swaps": 0,
        "backfilled_frames": {"A": 0, "B": 1},
    }
    run = ExtractRun.from_dict(old)
    assert run.to_dict() == old and run.call_tiles == old["call_tiles"] and run.interrupted is False
    assert ExtractRun.from_dict({}).to_dict() == {}  # a key is written only when set
    assert ExtractRun.from_dict({**old, "a_key_from_later": 1}) == run  # unknown keys are dropped
