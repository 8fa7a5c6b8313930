"""Body parts on real footage: what each model lets us use, and why not.

Research footage from ../shared/data, read in place (never copied into the repository).
"""

from __future__ import annotations

import numpy as np
import pytest

from mirror.features import PARTS, REASONS, compute_features
from mirror.features.usability import assess

FPS = 15.0


@pytest.mark.model
@pytest.mark.parametrize("model", ["lite", "full"])
def test_highfive_facing_raised_arms_are_usable_on_their_anatomical_sides(shared_data, extracted, model):
    """A mirror seen face to face: the left man raises his far (LEFT) hand, the right man his far (RIGHT) hand."""
    lm = extracted(shared_data / "research" / "highfive_facing.avi", pose_model=model, fps=FPS)
    f = compute_features(lm)
    view = assess(lm)
    # which way each faces: A turned to his own left (facing the image right), B to his own right
    assert np.nanmedian(np.degrees(view.torso_yaw_rad[:, 0])) > 45
    assert np.nanmedian(np.degrees(view.torso_yaw_rad[:, 1])) < -45
    assert np.median(view.far_side[:, 0]) == 1 and np.median(view.far_side[:, 1]) == -1  # far arms: A's left, B's right
    a_left, a_right = f.column("wrist_height_left")[:, 0], f.column("wrist_height_right")[:, 0]
    b_left, b_right = f.column("wrist_height_left")[:, 1], f.column("wrist_height_right")[:, 1]
    # the raised wrists are usable, above the shoulders, on the right sides
    assert np.sum(a_left > 0.2) >= 3, a_left
    assert np.sum(b_right > 0.5) >= 5, b_right
    assert not np.any(a_right > 0) and not np.any(b_left > 0)  # the other hands stay down (or unseen)
    # B's left-minus-right says "right" while his right hand is up (A's right wrist is below the
    # frame, so A's raised arm counts on its own, not as a left-minus-right difference)
    asym, specs = f.antisymmetric()
    k = [s.name for s in specs].index("wrist_height_left")
    raised_b = b_right > 0.5
    assert np.all(asym[raised_b, 1, k] < -0.5)


@pytest.mark.model
@pytest.mark.parametrize("model", ["lite", "full"])
def test_the_far_arm_in_profile_is_occluded_and_a_profile_head_is_not_read(shared_data, extracted, model):
    lm = extracted(shared_data / "research" / "highfive_facing.avi", pose_model=model, fps=FPS)
    f = compute_features(lm)
    summary = f.usability()
    # B's far (right) arm hangs behind his body once lowered; A's far (left) arm most of the clip with lite
    b_right = f.part_reason[:, 1, PARTS.index("right_arm")]
    assert REASONS[np.bincount(b_right[-10:]).argmax()] == "occluded"
    assert summary["A"]["left_arm"]["reason"] == "occluded"
    # no face for the left man in profile; the right man's head, turned past 45 degrees, is not read
    assert summary["A"]["head"]["usable"] == 0.0 and summary["A"]["face"]["reason"] == "no_face"
    head_b = f.part_reason[:, 1, PARTS.index("head")]
    assert set(REASONS[c] for c in np.unique(head_b)) <= {"no_face", "side_unknown", "ok"}
    assert np.isnan(f.column("head_yaw")[head_b != 0, 1]).all()


HEAD_AND_SHOULDERS = ("hdtf_aoc_talking", "retalking_man_suit", "mead_woman_happy")


@pytest.mark.model
@pytest.mark.parametrize("name", HEAD_AND_SHOULDERS)
def test_head_and_shoulders_people_keep_head_and_face_with_arms_out_of_frame(shared_data, extracted, name):
    lm = extracted(shared_data / "people" / f"{name}.mp4", fps=FPS)
    f = compute_features(lm)
    person = "AB"[int(np.argmax(lm.pose_present.sum(0)))]
    summary = f.usability()[person]
    assert summary["head"]["usable"] >= 0.9 and summary["face"]["usable"] >= 0.9, summary
    for arm in ("left_arm", "right_arm"):
        assert summary[arm]["usable"] <= 0.1 and summary[arm]["reason"] == "out_of_frame", summary
    p = "AB".index(person)
    assert np.isfinite(f.column("head_roll")[:, p]).mean() >= 0.9
    assert np.isnan(f.column("wrist_height_left")[:, p]).mean() >= 0.9  # never scored from extrapolated wrists
