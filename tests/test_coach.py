"""Coaching messages: the catalogue, warnings, praise, prompts and what is shown when."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mirror import messages
from mirror.coach import CoachSettings, Message, coach_session, latest_message
from mirror.compare import CompareSettings, analyze_features
from mirror.errors import MirrorError
from mirror.features import Features
from mirror.features.body import FEATURE_INDEX, mirror_operator
from mirror.mechanical import detect_mechanical
from tests.test_mechanical import RATE, _gesturing, _pair, _quiet


def _analysed(a: np.ndarray, b: np.ndarray):
    features = _pair(a, b)
    sync = analyze_features(features, CompareSettings(), n_surrogates=0)
    mech = detect_mechanical(features, sync.windows)
    return features, sync, mech


def _delayed(a: np.ndarray, lag_s: float) -> np.ndarray:
    k = int(round(lag_s * RATE))
    return np.concatenate([np.repeat(a[:1], k, 0), a[:-k]])


def test_every_template_fills_with_the_fields_the_coach_gives():
    fields = dict(
        copied=8, total=9, lag=0.4, seconds=12, gesture="forward lean", when="about 2 s later", posture="leaning back"
    )
    for key in messages.MESSAGES:
        text = messages.render(messages.MESSAGES, key, **fields)
        assert "{" not in text and text.endswith(".")
    reason_fields = dict(
        copier="B",
        model="A",
        copies=3,
        gestures=4,
        share=0.75,
        lag=0.3,
        sd=0.1,
        fidelity=0.9,
        seconds=40,
        span=60,
        copied=5,
        small=6,
    )
    for key in messages.REASONS:
        assert "{" not in messages.render(messages.REASONS, key, **reason_fields)
    for key in messages.BANNERS:
        assert "{" not in messages.render(messages.BANNERS, key, who="B copies A", copier="B", model="A")
    with pytest.raises(MirrorError, match="valid: .*praise_match"):
        messages.render(messages.MESSAGES, "no_such_message")


def test_a_catalogue_file_replaces_the_words(tmp_path, monkeypatch):
    monkeypatch.setattr(messages, "MESSAGES", dict(messages.MESSAGES))
    path = tmp_path / "fr.json"
    path.write_text(
        json.dumps({"MESSAGES": {"prompt_posture": "Votre partenaire est {posture} depuis {seconds:.0f} s."}})
    )
    messages.load_catalog(path)
    assert (
        messages.render(messages.MESSAGES, "prompt_posture", posture="penché", seconds=10)
        == "Votre partenaire est penché depuis 10 s."
    )
    path.write_text(json.dumps({"MESSAGES": {"typo_key": "x"}}))
    with pytest.raises(MirrorError, match="unknown MESSAGES keys"):
        messages.load_catalog(path)
    path.write_text("{not json")
    with pytest.raises(MirrorError, match="cannot read messages"):
        messages.load_catalog(path)


def test_mechanical_copying_warns_the_copier_with_the_figures():
    t = np.arange(int(75 * RATE)) / RATE
    onsets = list(np.cumsum(np.random.default_rng(4).uniform(2.2, 4.0, 22)))
    a = _gesturing(t, onsets)
    features, sync, mech = _analysed(a, mirror_operator(_delayed(a, 0.3)))
    feedback = coach_session(features, sync, mech)
    warnings = [m for m in feedback if m.kind == "warning"]
    assert warnings and {m.to for m in warnings} == {"B"}
    first = warnings[0]
    assert first.key == "mechanical_copying"
    # "You copied N of your partner's last M gestures within 0.3 s"
    n, m = (
        int(x)
        for x in first.text.split("You copied ")[1].split(" gestures")[0].replace("of your partner's last", "").split()
    )
    assert n == m == 10 and "within 0.3 s" in first.text  # 4 samples = 0.27 s, rounded up
    assert first.t_s == pytest.approx(first.end_s) and first.start_s < first.end_s
    gaps = np.diff([w.t_s for w in warnings])
    assert np.all(gaps >= CoachSettings().repeat_s - 1e-6)
    assert not [x for x in feedback if x.kind == "praise"]  # no praise for mechanical copies


def test_a_natural_copy_is_praised_with_what_was_copied():
    t = np.arange(int(40 * RATE)) / RATE
    a = _quiet(len(t))
    b = _quiet(len(t))
    a[:, FEATURE_INDEX["forward_lean"]] = 0.35 * np.clip((t - 5) / 1.0, 0, 1)  # leans forward 20 degrees at 5 s
    b[:, FEATURE_INDEX["forward_lean"]] = 0.25 * np.clip((t - 7) / 1.0, 0, 1)  # follows 2 s later, less
    features, sync, mech = _analysed(a, b)
    praise = [m for m in coach_session(features, sync, mech) if m.kind == "praise"]
    assert len(praise) == 1
    assert praise[0].to == "B" and praise[0].channel == "torso"
    assert praise[0].text == "Good: you matched their forward lean about 2 s later."


def test_a_held_posture_not_reflected_prompts_the_other():
    t = np.arange(int(40 * RATE)) / RATE
    a, b = _quiet(len(t)), _quiet(len(t))
    a[:, FEATURE_INDEX["forward_lean"]] = np.where((t >= 8) & (t < 30), -0.3, 0.0)  # leans back for 22 s
    features = _pair(a, b)
    prompts = [m for m in coach_session(features) if m.kind == "prompt"]
    assert [(m.to, m.text) for m in prompts] == [("B", "Your partner has been leaning back for 10 s.")]
    assert prompts[0].t_s == pytest.approx(18.0, abs=0.3)
    # B leaning back too (a match) or B's head tilted to the other side for A's tilt (a mirror): no prompt
    b[:, FEATURE_INDEX["forward_lean"]] = np.where((t >= 9) & (t < 30), -0.25, 0.0)
    assert [m for m in coach_session(_pair(a, b)) if m.kind == "prompt"] == []
    a2, b2 = _quiet(len(t)), _quiet(len(t))
    a2[:, FEATURE_INDEX["head_roll"]] = np.where(t >= 5, 0.35, 0.0)
    b2[:, FEATURE_INDEX["head_roll"]] = np.where(t >= 6, -0.35, 0.0)
    assert [m for m in coach_session(_pair(a2, b2)) if m.kind == "prompt"] == []


def test_latest_message_prefers_warnings_and_expires():
    msgs = [
        Message(10.0, "B", "praise", "praise_match", "p", None, 8, 10),
        Message(11.0, "B", "warning", "mechanical_fast", "w", None, 0, 11),
        Message(12.0, "A", "prompt", "prompt_posture", "q", None, 2, 12),
    ]
    assert latest_message(msgs, 12.0, "B").kind == "warning"
    assert latest_message(msgs, 12.0, "A").text == "q"
    assert latest_message(msgs, 9.0, "B") is None  # not yet
    assert latest_message(msgs, 30.0, "B", hold_s=8) is None  # expired


def test_empty_and_missing_data_give_no_messages():
    assert coach_session(Features(np.zeros(0), np.zeros((0, 2, len(FEATURE_INDEX))))) == []
    n = int(30 * RATE)
    values = np.full((n, 2, len(FEATURE_INDEX)), np.nan)
    features = Features(np.arange(n) / RATE, values)
    mech = detect_mechanical(features)
    assert coach_session(features, None, mech) == []


def test_trailing_baseline_is_the_median_of_what_came_before():
    from mirror.coach import trailing_baseline

    rng = np.random.default_rng(3)
    values = rng.normal(size=700)
    values[50:90] = np.nan
    rate, span, skip = 5.0, 300, 50
    got = trailing_baseline(values, rate)
    for i in (0, 10, 49, 50, 120, 299, 300, 301, 450, 699):
        lo, hi = max(0, i - span), i - skip
        seg = values[lo : hi + 1] if hi >= lo else values[: i + 1]
        assert got[i] == pytest.approx(np.nanmedian(seg)), i


def test_counts_in_messages_agree_with_their_nouns():
    """'1 gesture', '3 gestures': every count a message or reason gives reads right in the singular."""
    from mirror.messages import MESSAGES, REASONS, render

    assert (
        render(REASONS, "coverage", copier="B", copies=1, model="A", gestures=1, share=1.0)
        == "B copied 1 of A's 1 gesture (100%)"
    )
    assert "of A's 3 gestures" in render(REASONS, "coverage", copier="B", copies=2, model="A", gestures=3, share=0.67)
    assert "partner's 1 small, incidental movement too" in render(
        MESSAGES, "mechanical_indiscriminate", copied=1, total=1
    )
    assert "last 4 gestures within 0.4 s" in render(MESSAGES, "mechanical_copying", copied=3, total=4, lag=0.4)
