"""People small in the picture: their landmarks jitter more, so their features are smoothed more.

The scale (pixels per metre of body) is read from the landmarks; the comparator's smoothing
follows it in three levels, each with its own null, so a smoother series is judged against
strangers smoothed alike.  The real-footage check is ``examples/raga_1person.mp4`` beside her
own mirrored copy, seen through a poor camera (320x180, dim, noisy, heavily compressed).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mirror.compare import (
    PRESETS,
    SMOOTHING_BY_SCALE,
    SMOOTHING_MARGIN,
    CompareSettings,
    analyze_features,
    fit_to_footage,
    smoothing_levels,
)
from mirror.compare.calibrate import calibrate
from mirror.compare.nulls import reference_null_cached
from mirror.compare.prepare import prepare
from mirror.compare.windows import compare_prepared
from mirror.features import FEATURES, Features, compute_features
from mirror.features.body import image_scale_px_per_m
from mirror.landmarks import ExtractSettings, extract_video
from mirror.live.analysis import RollingAnalysis
from tests.conftest import EXAMPLES
from tests.scenes import PERSON_CLIPS, SCENES_VERSION, Segment, build_scene, poor_camera, write_scene

CACHE = Path(os.environ.get("MIRROR_FRAMING_CACHE", "/tmp/framing-cache"))


def _features(px_per_m) -> Features:
    t = np.arange(60) / 15.0
    return Features(t, np.zeros((60, 2, len(FEATURES))), px_per_m=None if px_per_m is None else np.array(px_per_m))


@pytest.mark.parametrize(
    ("px_per_m", "smooth_s"),
    [
        ((900.0, 450.0), 0.33),  # a video call, a webcam, people side by side in a sharp picture
        ((320.0, 290.0), 0.33),
        ((280.0, 250.0), 0.5),
        ((230.0, 200.0), 0.5),
        ((210.0, 180.0), 0.75),  # the mean decides: both people get the same filter
        ((160.0, 158.0), 0.75),
        ((np.nan, 150.0), 0.75),  # a person never seen fully: the other decides
        (None, 0.33),  # hand-built features have no scale
        ((np.nan, np.nan), 0.33),
    ],
)
def test_the_smoothing_follows_how_large_the_people_are_in_the_picture(px_per_m, smooth_s):
    assert fit_to_footage(CompareSettings(), _features(px_per_m)).smooth_s == smooth_s


def test_the_smoothing_is_only_raised_and_every_level_is_a_setting_with_its_own_null():
    asked = replace(CompareSettings(), smooth_s=0.75)
    assert fit_to_footage(asked, _features((900.0, 900.0))).smooth_s == 0.75
    assert [s.smooth_s for s in smoothing_levels(PRESETS["live"])] == [s for _, s in SMOOTHING_BY_SCALE[1:]]
    assert smoothing_levels(asked) == []
    with pytest.raises(Exception, match="smooth_s"):
        CompareSettings(smooth_s=0.0)


@pytest.mark.parametrize(
    ("held", "px_per_m", "smooth_s"),
    [
        (None, (310.0, 310.0), 0.33),  # a first update: the size alone decides
        (0.5, (310.0, 310.0), 0.5),  # just over the 300 floor: the level held stays
        (0.5, (335.0, 335.0), 0.33),  # clearly over it
        (0.33, (290.0, 290.0), 0.33),  # just under it
        (0.33, (265.0, 265.0), 0.5),  # clearly under it
        (0.33, (150.0, 150.0), 0.75),  # two levels at once
        (0.75, (500.0, 500.0), 0.33),
        (0.75, (np.nan, np.nan), 0.33),  # no scale: the settings
    ],
)
def test_a_running_analysis_keeps_its_smoothing_until_the_size_clearly_asks_for_another(held, px_per_m, smooth_s):
    assert fit_to_footage(CompareSettings(), _features(px_per_m), held_smooth_s=held).smooth_s == smooth_s
    # the settings' own smoothing is still never lowered
    asked = replace(CompareSettings(), smooth_s=0.75)
    assert fit_to_footage(asked, _features(px_per_m), held_smooth_s=held).smooth_s == 0.75


@pytest.mark.model
def test_live_does_not_switch_smoothing_while_two_people_sit_on_a_size_floor(extracted):
    """Two people whose size sits on the 300 px/m floor (seated side by side in a webcam picture).

    The real landmarks of raga_2people, placed in pictures that make the pair 3 % larger, then 3 %
    smaller, than the floor, update after update: each size alone would flip the smoothing, and
    with it the windows' scores; the running analysis keeps the level it chose first.
    """
    lm = extracted(EXAMPLES / "raga_2people.mp4", fps=5.0)
    scale = float(np.nanmean(image_scale_px_per_m(lm)))
    floor = SMOOTHING_BY_SCALE[0][0]
    assert SMOOTHING_MARGIN > 0.03

    def at(size: float):
        k = size / scale
        return replace(lm, frame_size=(round(lm.frame_size[0] * k), round(lm.frame_size[1] * k)))

    sizes = [floor * 1.03, floor * 0.97] * 3
    fresh = [RollingAnalysis() for _ in sizes]
    for analysis, size in zip(fresh, sizes, strict=True):
        analysis.update(at(size))
    assert [a.smooth_s for a in fresh] == [SMOOTHING_BY_SCALE[0][1], SMOOTHING_BY_SCALE[1][1]] * 3

    running = RollingAnalysis()
    chosen = []
    for size in sizes:
        running.update(at(size))
        chosen.append(running.smooth_s)
    assert chosen == [SMOOTHING_BY_SCALE[0][1]] * len(sizes), chosen
    assert running.runs == len(sizes)
    # a clear change of size is followed
    running.update(at(floor * 0.85))
    assert running.smooth_s == SMOOTHING_BY_SCALE[1][1]


@pytest.mark.model
def test_a_person_s_scale_follows_the_picture_size_not_the_view(extracted):
    lm = extracted(EXAMPLES / "raga_2people.mp4", fps=5.0)
    scale = image_scale_px_per_m(lm)
    assert scale is not None and np.all((scale > 150) & (scale < 800)), scale
    # the same landmarks in a picture half as wide and high: half the pixels per metre
    half = replace(lm, frame_size=(lm.frame_size[0] // 2, lm.frame_size[1] // 2))
    np.testing.assert_allclose(image_scale_px_per_m(half), scale * np.array(half.frame_size[0]) / lm.frame_size[0])
    assert compute_features(lm).px_per_m is not None
    assert image_scale_px_per_m(replace(lm, frame_size=(0, 0))) is None
    # practice against a partner clip: each person in their own picture (a webcam at 640x480, a
    # clip at twice the size), each measured at their own picture's size
    w, h = lm.frame_size
    solo = replace(lm, info=replace(lm.info, frame_sizes={"A": [w, h], "B": [2 * w, 2 * h]}))
    np.testing.assert_allclose(image_scale_px_per_m(solo), scale * np.array([1.0, 2.0]))
    assert np.isclose(compute_features(solo).px_per_m[1], 2 * scale[1])


def _poor_mirror_scene() -> Path:
    """Raga beside her own mirrored copy 1 s later, 24 s at 15 fps, through a poor camera (cached)."""
    folder = CACHE / "scenes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"test_poor_mirror_raga_24s_v{SCENES_VERSION}.avi"
    if not path.exists():
        clip = PERSON_CLIPS["raga_1person"]
        scene = build_scene("upper_body", clip, clip, [Segment("mirror", 0.0, 24.0, lag_s=1.0)], fps=15.0)
        write_scene(poor_camera(scene, seed=3), path.with_suffix(".part.avi"))
        path.with_suffix(".part.avi").replace(path)
    return path


@pytest.mark.model
def test_a_mirror_seen_through_a_poor_camera_is_found_once_smoothed_as_its_size_asks():
    lm = extract_video(
        _poor_mirror_scene(), ExtractSettings(pose_model="lite", fps=15.0), cache_dir=CACHE / "landmarks"
    )
    features = compute_features(lm)
    assert np.nanmean(features.px_per_m) < SMOOTHING_BY_SCALE[1][0]  # a small person: the strongest smoothing
    result = analyze_features(features, PRESETS["live"], n_surrogates=0)
    w = result.windows
    assert result.run.settings.smooth_s == SMOOTHING_BY_SCALE[-1][1]
    # the usual smoothing, judged against its own null, on the same landmarks
    usual = PRESETS["live"]
    plain = calibrate(compare_prepared(prepare(features, usual), usual), reference_null_cached(usual), usual)
    truth = w.start_s >= 1.0  # B's copy is in place once the window holds 1 s of it
    found, found_plain = (w.label[truth] == "mirror").sum(), (plain.label[truth] == "mirror").sum()
    assert found >= 2 * max(found_plain, 3), (found, found_plain)
    assert not np.isin(w.label, ("match", "symmetric")).any()
    labelled = w.label == "mirror"
    # each label beats chance on its own, or continues its neighbour's run (same relation, same delay)
    assert np.all((w.p_value < usual.alpha)[labelled & ~w.continues])
    assert np.all((w.p_value < usual.alpha_run)[w.continues])
    for i in np.flatnonzero(w.continues):
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(w) and w.label[j] == w.label[i]]
        assert near and min(abs(w.lag_s[j] - w.lag_s[i]) for j in near) <= usual.run_lag_s
    assert result.events and all(e.p_value < usual.alpha for e in result.events)
    # the delay as measured by the windows that beat chance on their own (a run's continuation keeps
    # its delay within run_lag_s of theirs, as checked above)
    assert np.nanmedian(np.abs(w.lag_s[labelled & ~w.continues] - 1.0)) < 0.15


def test_a_report_smoothed_more_than_usual_says_so_and_one_smoothed_as_usual_says_nothing(tmp_path):
    from mirror.report import write_all
    from mirror.report.doc import smoothing_text
    from tests.report_fixtures import calibrated_doc, write_doc

    said = (
        "a person is small in the picture, so the landmarks jitter more: "
        "movements smoothed over 0.75 s instead of 0.33 s"
    )
    doc = calibrated_doc()
    doc["settings"]["smooth_s"] = 0.75
    assert smoothing_text(doc) == said
    html = write_all(write_doc(tmp_path / "small", doc))["report.html"].read_text()
    assert said[0].upper() + said[1:] + "." in html
    usual = calibrated_doc()
    usual["settings"]["smooth_s"] = 0.33
    assert smoothing_text(usual) is None
    assert "smoothed over" not in write_all(write_doc(tmp_path / "usual", usual))["report.html"].read_text()
    del usual["settings"]["smooth_s"]  # a report written before the smoothing was recorded
    assert smoothing_text(usual) is None
