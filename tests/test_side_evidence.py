"""What tells mirror from match, on real people's movement (the shipped null reference).

The people are real (``mirror/compare/data/null_reference.npz``: features of people filmed
alone, shipped with the package), so these checks need no footage beside the repository.
"""

import numpy as np
import pytest

from mirror.compare import CompareSettings, analyze_features, compare_windows
from mirror.compare.calibrate import side_margin
from mirror.compare.nulls import load_reference, ping_pong
from mirror.features import FEATURES, Features, mirror_operator
from mirror.features.body import FEATURE_INDEX

RATE_HZ = 16.0
SECONDS = 60.0


def _person(key_part: str, model: str = "lite", phase_s: float = 0.0) -> np.ndarray:
    """``(T, F)`` one reference person's features on a 16 Hz grid, played forwards and backwards to 60 s."""
    person = next(p for p in load_reference() if key_part in p.key and p.model == model)
    _, values = ping_pong(person.t_s, person.values, SECONDS, RATE_HZ, phase_s)
    return values


def _features(a: np.ndarray, b: np.ndarray) -> Features:
    return Features(np.arange(len(a)) / RATE_HZ, np.stack([a, b], axis=1))


def _delayed(x: np.ndarray, lag_s: float) -> np.ndarray:
    """``y(t) = x(t - lag)``, the first ``lag`` repeating the first sample."""
    k = int(round(lag_s * RATE_HZ))
    return np.concatenate([np.repeat(x[:1], k, axis=0), x[: len(x) - k]])


def test_a_posture_both_merely_hold_changes_no_score():
    """Adding a fixed lean to each person's signed features (a camera's tilt, a usual lean)
    leaves every mirror and match score as it was: only changes of posture are compared."""
    a, b = _person("raga_1person"), _person("retalking_woman_bluebg", phase_s=3.0)
    before = compare_windows(_features(a, b))
    signed = [i for i, s in enumerate(FEATURES) if s.kind == "signed"]
    assert signed
    a2, b2 = a.copy(), b.copy()
    a2[:, signed] += 0.4  # A leans one way throughout
    b2[:, signed] -= 0.3  # B the other: a held mirror image nobody made
    after = compare_windows(_features(a2, b2))
    ok = np.isfinite(before.mirror_score)
    assert ok.sum() > 50
    np.testing.assert_allclose(after.mirror_score[ok], before.mirror_score[ok], atol=1e-4)  # float32 sums
    np.testing.assert_allclose(after.match_score[ok], before.match_score[ok], atol=1e-4)  # float32 sums


@pytest.mark.parametrize("key", ["raga_1person", "retalking_woman_bluebg", "hdtf_aoc_talking"])
def test_a_copy_with_the_other_side_is_mirror_and_with_the_same_side_match(key):
    """A real person and a copy of her 1 s later, sides exchanged (mirror) or not (match): the
    calibrated windows name the right relation and never the other one."""
    a = _person(key)
    for kind in ("mirror", "match"):
        b = _delayed(mirror_operator(a) if kind == "mirror" else a, 1.0)
        w = analyze_features(_features(a, b), CompareSettings(), n_surrogates=0).windows
        other = "match" if kind == "mirror" else "mirror"
        assert (w.label == other).sum() == 0, (key, kind)
        assert (w.label == kind).mean() > 0.5, (key, kind, np.unique(w.label, return_counts=True))


def test_a_movement_made_with_both_sides_at_once_tells_no_side():
    """When each person's left and right move alike, mirror and match score alike, and the
    side margin that a mirror or match label is judged on stays near zero."""
    a = _person("raga_1person")
    both = a.copy()
    for s in FEATURES:  # each left feature moves exactly as its right partner: a symmetric body
        if s.kind == "lateral" and s.name.endswith("_left"):
            both[:, FEATURE_INDEX[s.partner]] = both[:, FEATURE_INDEX[s.name]]
        elif s.kind == "signed":
            both[:, FEATURE_INDEX[s.name]] = 0.0
    rng = np.random.default_rng(0)
    b = _delayed(both, 1.0) + rng.normal(scale=1e-3, size=both.shape)  # a copy, with a little noise
    a = both + rng.normal(scale=1e-3, size=both.shape)
    w = analyze_features(_features(a, b), CompareSettings(), n_surrogates=0).windows
    assert not np.isin(w.label, ("mirror", "match")).any()
    margin = side_margin(w.mirror_score, w.match_score)
    assert np.nanmax(margin) < 0.5


def test_no_body_part_is_labelled_where_the_window_is_not():
    """Closed testing: a part's mirror or match needs the whole window to beat chance first."""
    checked = 0
    for a_key, b_key in (
        ("raga_1person", "stock_woman_lakeside"),
        ("hdtf_aoc_talking", "retalking_man_map"),
        ("retalking_woman_bluebg", "hdtf_theresa_may"),
    ):
        for phase in (0.0, 4.0):
            w = analyze_features(
                _features(_person(a_key), _person(b_key, phase_s=phase)), CompareSettings(), n_surrogates=0
            ).windows
            part_related = np.isin(w.channel_label, ("mirror", "match")).any(1)
            assert not (part_related & ~np.isin(w.label, ("mirror", "match", "symmetric"))).any()
            checked += len(w)
    # and where a copy is labelled, its parts are judged too
    a = _person("raga_1person")
    w = analyze_features(_features(a, _delayed(mirror_operator(a), 1.0)), CompareSettings(), n_surrogates=0).windows
    assert np.isin(w.channel_label[w.label == "mirror"], ("mirror",)).any()
    assert checked > 300
