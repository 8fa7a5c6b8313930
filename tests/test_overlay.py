"""The overlay: golden images of the drawing, states from a real analysed session, overlay videos.

Regenerate the golden images after an intended change of the drawing with
``MIRROR_UPDATE_GOLDEN=1 pytest tests/test_overlay.py`` and look at them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from mirror.overlay import (
    PERSON_COLORS,
    STATE_COLORS,
    OverlayState,
    PersonView,
    ReportView,
    draw_overlay,
    label_anchor,
    state_badge_box,
    state_color,
    timeline_box,
    write_overlay_video,
)
from mirror.overlay.state import RAPPORT_S, TIMELINE_S
from mirror.vocabulary import BODY_PARTS
from tests.pixels import blob_centre

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden"
RAGA = REPO / "examples" / "raga_2people.mp4"
UPDATE = bool(os.environ.get("MIRROR_UPDATE_GOLDEN"))


# ----------------------------------------------------------------- inputs
def _background(w: int = 480, h: int = 360) -> np.ndarray:
    """A smooth dark-red gradient, like the stage backdrop (compresses well as PNG)."""
    y = np.linspace(0, 1, h)[:, None]
    x = np.linspace(0, 1, w)[None, :]
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = (40 + 20 * x + 0 * y).astype(np.uint8)
    img[..., 1] = (25 + 15 * y + 0 * x).astype(np.uint8)
    img[..., 2] = (70 + 50 * x * y).astype(np.uint8)
    return img


def _people(labels=("A", "B")) -> tuple[PersonView, PersonView]:
    """Both musicians' real pose at t = 6 s of examples/raga_2people.mp4 (stored beside the goldens)."""
    data = json.loads((GOLDEN / "raga_pose.json").read_text())["people"]
    return tuple(
        PersonView(label, np.array(data[p]["xy"], np.float32), np.array(data[p]["visibility"]) >= 0.5)
        for label, p in zip(labels, "AB", strict=True)
    )


def _timeline(n: int = 100, step_s: float = 0.5, t_end: float = 70.0) -> tuple[np.ndarray, np.ndarray]:
    t = t_end - step_s * np.arange(n)[::-1]
    cycle = np.array(["none", "mirror", "mirror", "match", "symmetric", "insufficient", "none", "match"])
    labels = np.empty((n, 1 + len(BODY_PARTS)), dtype=object)
    for r in range(labels.shape[1]):
        labels[:, r] = cycle[(np.arange(n) // (6 + r) + r) % len(cycle)]
    return t, labels


def _state(**changes) -> OverlayState:
    t, labels = _timeline()
    base = dict(
        t_s=70.0,
        people=_people(("Partner", "You")),
        channels={"head": "mirror", "left_arm": "mirror", "right_arm": "match", "torso": "symmetric", "face": "none"},
        overall="mirror",
        lag_s=0.8,
        leader="A",
        p_value=0.0004,
        confidence="very sure",
        strength=0.75,
        rapport=0.72,
        timeline_t_s=t,
        timeline_labels=labels,
        message="Good: you mirrored their raised left hand about a second later.",
        message_kind="praise",
    )
    base.update(changes)
    return OverlayState(**base)


CASES = {
    "you_partner": lambda: _state(),
    "a_b_warning_lost": lambda: _state(
        people=_people(("A", "B")),
        warning="Mechanical imitation: B copies A",
        message="To B: You copied 8 of your partner's last 9 gestures within 0.4 s: "
        "let some pass, and wait a beat before mirroring.",
        message_kind="warning",
        status="camera lost",
        recording=True,
        rapport=0.18,
        channels={c: "none" for c in BODY_PARTS},
        overall="none",
        p_value=0.3,
        confidence="not beyond chance",
        strength=0.0,
    ),
    "selfie_waiting": lambda: _state(
        selfie=True,
        channels={c: "" for c in BODY_PARTS},
        overall="",
        p_value=float("nan"),
        confidence="",
        strength=1.0,
        rapport=float("nan"),
        timeline_t_s=np.zeros(0),
        timeline_labels=np.zeros((0, 6), dtype=object),
        message=None,
        message_kind=None,
    ),
}


def _compare(name: str, image: np.ndarray) -> None:
    path = GOLDEN / f"overlay_{name}.png"
    if UPDATE:
        cv2.imwrite(str(path), image)
        pytest.skip(f"golden image regenerated: {path}")
    assert path.exists(), f"missing golden {path}: run with MIRROR_UPDATE_GOLDEN=1 and look at it"
    golden = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert golden.shape == image.shape
    diff = np.abs(golden.astype(int) - image.astype(int)).max(-1)
    changed = float((diff > 48).mean())
    # anti-aliasing may differ by a few levels between builds; a moved or missing element cannot pass
    assert changed < 0.003 and float(diff.mean()) < 1.0, (
        f"{name}: {100 * changed:.2f} % of pixels differ from {path.name} (mean {diff.mean():.2f}); "
        f"if the change is intended, regenerate with MIRROR_UPDATE_GOLDEN=1 and look at the images"
    )


# ----------------------------------------------------------------- golden
@pytest.mark.parametrize("name", sorted(CASES))
def test_draw_overlay_matches_golden_image(name):
    frame = _background()
    before = frame.copy()
    out = draw_overlay(frame, CASES[name]())
    assert np.array_equal(frame, before), "draw_overlay changed its input frame"
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert np.array_equal(out, draw_overlay(frame, CASES[name]())), "same input, different output"
    _compare(name, out)


def test_golden_cases_differ_where_the_state_differs():
    """A guard against goldens that cannot fail: each element changes the pixels in its own region."""
    frame = _background()
    base = draw_overlay(frame, _state())
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = timeline_box((w, h))
    changed = np.abs(
        draw_overlay(frame, _state(timeline_t_s=np.zeros(0), timeline_labels=np.zeros((0, 6), dtype=object))).astype(
            int
        )
        - base
    )
    assert changed[y0:y1, x0:x1].max() > 100 and changed[: y0 - h // 5].max() == 0
    changed = np.abs(
        draw_overlay(frame, _state(warning="Mechanical imitation: you copy your partner too closely")).astype(int)
        - base
    )
    assert changed[: h // 12].mean() > 30  # the red banner across the top


def test_labels_sit_above_each_person_and_follow_the_selfie_flip():
    frame = _background()
    state = _state()
    h, w = frame.shape[:2]
    for selfie in (False, True):
        state.selfie = selfie
        out = draw_overlay(frame, state)
        for person, color in zip(state.people, PERSON_COLORS, strict=True):
            centre = blob_centre(out, color)
            assert centre is not None, f"no {person.label} label drawn"
            pts = person.points[person.visible]
            nose_x = float(person.points[0, 0])
            expect_x = (1 - nose_x if selfie else nose_x) * w
            assert abs(centre[0] - expect_x) < 0.06 * w, (
                f"{person.label} label at x={centre[0]:.0f}, nose at {expect_x:.0f}"
            )
            assert centre[1] < float(pts[:, 1].min()) * h, f"{person.label} label is not above the person"
            ax, ay = label_anchor(person, (w, h), selfie)
            assert abs(ax - expect_x) < 0.06 * w and ay < centre[1] + 0.05 * h
    # the selfie view flips the picture, not the writing: the timeline strip is at the same place
    # and the state panel reads the same (its pixels equal the unflipped one's, region by region)
    plain, flipped = draw_overlay(frame, _state()), draw_overlay(frame, _state(selfie=True))
    x0, y0, x1, y1 = timeline_box((w, h))
    assert np.abs(plain[y0:y1, x0:x1].astype(int) - flipped[y0:y1, x0:x1]).mean() < 4


def _badge(image: np.ndarray) -> np.ndarray:
    """The state badge's pixels (no banner above it)."""
    x0, y0, x1, y1 = state_badge_box((image.shape[1], image.shape[0]))
    return image[y0:y1, x0:x1]


def test_a_surer_state_is_drawn_stronger_with_its_confidence_word():
    from tests.report_fixtures import calibrated_doc

    view = ReportView.from_dict(calibrated_doc())
    # live: the newest window is the state; window 0 ends at 4 s (p 0.009), window 11 at 9.5 s (p 0.0002)
    weak = OverlayState.from_live(view, (None, None), 4.0)
    sure = OverlayState.from_live(view, (None, None), 9.5)
    assert weak.overall == sure.overall == "mirror"
    assert (weak.p_value, weak.confidence) == (0.009, "sure") and (sure.p_value, sure.confidence) == (
        0.0002,
        "very sure",
    )
    assert weak.strength < sure.strength == 1.0
    frame = _background()
    hsv = [cv2.cvtColor(_badge(draw_overlay(frame, s)), cv2.COLOR_BGR2HSV) for s in (weak, sure)]
    sat = [float(np.median(h[..., 1])) for h in hsv]
    val = [float(np.median(h[..., 2])) for h in hsv]
    assert val[1] > val[0] + 60 and sat[1] >= sat[0], (sat, val)  # brighter and at least as saturated
    # at full strength the badge is the state's own colour; weaker, it fades into the panel
    full = np.median(_badge(draw_overlay(frame, sure)).reshape(-1, 3), axis=0)
    assert np.abs(full - np.array(STATE_COLORS["mirror"])).max() <= 2
    assert state_color("mirror", 0.0) != STATE_COLORS["mirror"] and state_color("none", 0.0) == STATE_COLORS["none"]
    # the word is written under the badge, and differs with the confidence
    x0, _, x1, y1 = state_badge_box((frame.shape[1], frame.shape[0]))
    below = slice(y1 + 2, y1 + 30)
    a, b = draw_overlay(frame, weak), draw_overlay(frame, sure)
    assert np.abs(a[below, x0:x1].astype(int) - b[below, x0:x1]).max() > 100
    # an insufficient window says nothing about sureness; a window that is not beyond chance says so
    apart = OverlayState.from_live(view, (None, None), 0.5 * 13 + 4.0)  # window 13: none at p 0.2
    assert apart.overall == "none" and apart.confidence == "not beyond chance"
    gone = OverlayState.from_live(view, (None, None), 0.5 * 30 + 4.0)  # window 30: insufficient
    assert gone.overall == "insufficient" and gone.confidence == ""
    doc = calibrated_doc()
    doc["windows"][13]["p_value"] = 0.003  # beat chance, but scored too low for a label: no word
    weak_none = OverlayState.from_live(ReportView.from_dict(doc), (None, None), 0.5 * 13 + 4.0)
    assert weak_none.overall == "none" and weak_none.p_value == 0.003 and weak_none.confidence == ""


# ------------------------------------------------------- real session state
@pytest.fixture(scope="module")
def raga_session(extracted):
    from mirror.compare import PRESETS
    from mirror.pipeline import analyze_session
    from mirror.report import report_dict

    landmarks = extracted(RAGA, fps=15)
    session = analyze_session(landmarks, PRESETS["live"], n_surrogates=0)
    report = report_dict(session.synchrony, {}, session.mechanical, session.feedback)
    return landmarks, session, json.loads(json.dumps(report))  # as read back from report.json


@pytest.mark.model
def test_state_from_a_real_report_follows_its_windows(raga_session):
    landmarks, session, report = raga_session
    w = session.synchrony.windows
    assert len(w) > 4
    view = ReportView.from_dict(report)
    for t in (4.0, 6.3, float(w.end_s[-1]) - 0.01):
        state = OverlayState.from_report(view, landmarks, t)
        centres = (w.start_s + w.end_s) / 2
        inside = np.flatnonzero((w.start_s <= t) & (w.end_s >= t))
        i = int(inside[np.argmin(np.abs(centres[inside] - t))])
        assert state.overall == w.label[i]
        assert state.channels == {c: str(w.channel_label[i, k]) for k, c in enumerate(w.channels)}
        shown = centres <= t + 1e-9
        assert np.allclose(
            state.timeline_t_s, centres[shown & (centres > t - TIMELINE_S)], atol=1e-3
        )  # report rounding
        recent = shown & (centres > t - RAPPORT_S) & (w.label != "insufficient")
        best = np.fmax(np.fmax(w.mirror_score, w.match_score), w.sync_score)[recent]
        assert state.rapport == pytest.approx(float(np.mean(np.clip(best, 0, 1))), abs=1e-3)
        j = int(np.argmin(np.abs(landmarks.t_s - t)))
        assert [p.label for p in state.people] == ["A", "B"]
        for p in (0, 1):
            np.testing.assert_allclose(state.people[p].points, landmarks.pose_image[j, p, :, :2])
    assert [p.label for p in OverlayState.from_report(view, landmarks, 6.0, me="B").people] == ["Partner", "You"]
    assert [p.label for p in OverlayState.from_report(view, landmarks, 6.0, me="A").people] == ["You", "Partner"]
    # far outside the recording: nobody drawn, no window, but the last minute's timeline
    away = OverlayState.from_report(view, landmarks, 60.0)
    assert away.people[0].points is None and away.overall == "" and len(away.timeline_t_s) == len(w)
    assert len(OverlayState.from_report(view, landmarks, 500.0).timeline_t_s) == 0


@pytest.mark.model
def test_warning_banner_and_messages_follow_the_trainee(raga_session):
    landmarks, _, report = raga_session
    report = json.loads(json.dumps(report))
    report["mechanical"]["directions"]["B_copies_A"]["flagged_ranges"] = [[2.0, 5.0]]
    report["feedback"] = [
        {
            "t_s": 4.0,
            "to": "B",
            "kind": "warning",
            "key": "mechanical_fast",
            "text": "You echo your partner's moves after only 0.3 s: wait a beat or two before mirroring.",
            "channel": None,
            "start_s": 0.0,
            "end_s": 4.0,
        },
        {
            "t_s": 5.0,
            "to": "A",
            "kind": "praise",
            "key": "praise_mirror",
            "text": "Good: you mirrored their nod about a second later.",
            "channel": "head",
            "start_s": 3.0,
            "end_s": 5.0,
        },
    ]
    view = ReportView.from_dict(report)
    you_b = OverlayState.from_report(view, landmarks, 6.0, me="B")
    assert you_b.warning == "Mechanical imitation: you copy your partner too closely"
    assert you_b.message.startswith("You echo") and you_b.message_kind == "warning"
    you_a = OverlayState.from_report(view, landmarks, 6.0, me="A")
    assert you_a.warning == "Mechanical imitation: your partner copies you too closely"
    assert you_a.message.startswith("Good: you mirrored") and you_a.message_kind == "praise"
    nobody = OverlayState.from_report(view, landmarks, 6.0)
    assert nobody.warning == "Mechanical imitation: B copies A"
    assert nobody.message.startswith("To B: You echo")  # warnings first
    before = OverlayState.from_report(view, landmarks, 1.0, me="B")
    assert before.warning is None and before.message is None  # nothing known yet at 1 s
    long_after = OverlayState.from_report(view, landmarks, 30.0, me="B")
    assert long_after.warning is None and long_after.message is None


@pytest.mark.model
def test_live_view_from_the_typed_results_is_the_reports_view(raga_session):
    """Live builds its view from the analysis in memory: what the report would say, to its rounding."""
    landmarks, session, report = raga_session
    typed = ReportView.from_results(session.synchrony, session.mechanical, session.feedback)
    read = ReportView.from_dict(report)
    assert len(typed) == len(read) > 4 and typed.alpha == read.alpha
    for name in ("label", "channel_label", "leader"):
        assert (getattr(typed, name) == getattr(read, name)).all(), name
    for name in ("start_s", "end_s", "best", "lag_s", "p_value", "channel_p"):
        np.testing.assert_allclose(getattr(typed, name), getattr(read, name), atol=1e-4, err_msg=name)  # 4 decimals
    assert [(c, round(a, 3), round(b, 3)) for c, a, b in typed.flagged] == [
        (c, round(a, 3), round(b, 3)) for c, a, b in read.flagged
    ]
    assert [(m.t_s, m.to, m.key) for m in typed.messages] == [
        (pytest.approx(m.t_s, abs=1e-4), m.to, m.key) for m in read.messages
    ]
    for t in (4.0, 6.3, float(session.synchrony.windows.end_s[-1])):
        live, recorded = (OverlayState.from_live(v, (None, None), t, me="B") for v in (typed, read))
        assert (live.overall, live.channels, live.leader, live.confidence, live.message, live.warning) == (
            recorded.overall,
            recorded.channels,
            recorded.leader,
            recorded.confidence,
            recorded.message,
            recorded.warning,
        )
        assert live.rapport == pytest.approx(recorded.rapport, abs=1e-3, nan_ok=True)


@pytest.mark.model
def test_overlay_video_of_a_real_session(raga_session, tmp_path):
    landmarks, _, report = raga_session
    out = tmp_path / "raga_overlay.avi"
    frames = []
    path = write_overlay_video(RAGA, out, report, landmarks, progress=frames.append)
    assert path == out and out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["raga_overlay.avi"], "a temporary file was left behind"
    src, cap = cv2.VideoCapture(str(RAGA)), cv2.VideoCapture(str(out))
    n_src = int(src.get(cv2.CAP_PROP_FRAME_COUNT))
    assert sum(frames) == n_src and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == n_src
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (
        src.get(cv2.CAP_PROP_FRAME_WIDTH),
        src.get(cv2.CAP_PROP_FRAME_HEIGHT),
    )
    cap.set(cv2.CAP_PROP_POS_FRAMES, 150)  # 6.0 s at 25 fps
    ok, image = cap.read()
    assert ok
    j = int(np.argmin(np.abs(landmarks.t_s - 6.0)))
    h, w = image.shape[:2]
    for p, color in enumerate(PERSON_COLORS):
        # MJPG compression blurs the colours a little; a wider tolerance joins the label to the
        # fringes of the bones and the face ring beside its pin, and the box no longer looks solid
        centre = blob_centre(image, color, tol=30)
        assert centre is not None, f"no label for {'AB'[p]} in the overlay video"
        assert abs(centre[0] - landmarks.pose_image[j, p, 0, 0] * w) < 0.06 * w
    with pytest.raises(Exception, match="avi"):
        write_overlay_video(RAGA, tmp_path / "x.mp4", report, landmarks)


def test_each_body_part_state_says_how_sure_it_is():
    """Wherever a label is shown, its confidence is too: the body-part panel as much as the badge."""
    from mirror.overlay.state import OverlayState
    from mirror.overlay.view import ReportView
    from tests.report_fixtures import calibrated_doc

    doc = calibrated_doc()
    view = ReportView.from_dict(doc)
    state = OverlayState.from_view(view, (None, None), 0.5 * 11 + 2.0)  # window 11: mirror, arms at p 0.00018
    assert state.channels["left_arm"] == "mirror" and state.channel_confidence["left_arm"] == "very sure"
    assert state.channels["head"] == "none" and state.channel_confidence["head"] == ""
    state = OverlayState.from_view(view, (None, None), 0.5 * 20 + 2.0)  # match at p 0.0036
    assert state.channel_confidence["right_arm"] == "sure"
    # the panel writes it beside the label, in the state's colour
    frame = draw_overlay(np.zeros((480, 640, 3), np.uint8), state)
    plain = OverlayState.from_view(view, (None, None), 0.5 * 20 + 2.0)
    plain.channel_confidence = {c: "" for c in BODY_PARTS}
    bare = draw_overlay(np.zeros((480, 640, 3), np.uint8), plain)
    match = np.abs(frame.astype(int) - np.array(STATE_COLORS["match"])).max(-1) <= 40
    match_bare = np.abs(bare.astype(int) - np.array(STATE_COLORS["match"])).max(-1) <= 40
    assert match[:120, 320:].sum() > match_bare[:120, 320:].sum() + 40  # more writing in match colour: ", sure"


def test_a_label_never_covers_the_body_part_panel():
    """A person whose head is under the panel of body parts gets the label just below it, not over its writing."""
    from mirror.overlay.draw import parts_box
    from mirror.overlay.state import PersonView

    base = _state()
    you = base.people[1]
    pts = np.array(you.points, dtype=float)
    head = np.nanmean(pts[[0, 2, 5]], axis=0)
    pts = pts + (np.array([0.85, 0.16]) - head)  # move B so that the head sits under the panel (top right)
    state = _state(people=(base.people[0], PersonView(you.label, pts.astype(np.float32), you.visible)))
    image = draw_overlay(np.zeros((480, 640, 3), np.uint8), state)
    centre = blob_centre(image, PERSON_COLORS[1])
    x0, y0, x1, y1 = parts_box((640, 480))
    assert centre is not None and x0 < centre[0] < x1 and centre[1] > y1, (centre, (x0, y0, x1, y1))
