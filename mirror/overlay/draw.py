"""The overlay drawing: one pure function, frame in, new frame out.

:func:`draw_overlay` is shared by the live window (``mirror live``) and by
overlay videos of recorded sessions.  It reads nothing but its arguments and
writes nothing but the frame it returns.

Layout (sizes scale with the frame height; 640x480 is the reference)::

    +--------------------------------------------------------------+
    |        mechanical-imitation banner (red, when flagged)       |
    | [rapport meter + state badge]          [state per body part] |
    | [how sure the state is]                                      |
    |                                                              |
    |            skeletons, each labelled You / Partner            |
    |                                                              |
    | [current coaching message]                                   |
    | [timeline: last 60 s, overall + one row per body part]       |
    +--------------------------------------------------------------+

The module is a little over 400 lines because it has one job, the drawing: a
small private function per panel above, all sharing one scaled canvas, and the
public boxes the tests find the panels by.
"""

from __future__ import annotations

import textwrap

import cv2
import numpy as np

from mirror.overlay.state import OverlayState, PersonView
from mirror.report.doc import format_p
from mirror.report.timeline import bgr
from mirror.vocabulary import (
    BODY_PART_NAMES,
    BODY_PARTS,
    BONE_INDICES,
    FEATURE_CHANNEL_OF,
    JOINT_INDICES,
    LABELS,
    MESSAGE_KINDS,
    MIRRORED_PART,
    POSE,
    RELATION_COLORS,
    RELATIONS,
    SHOULDERS,
)
from mirror.vocabulary import KIND_COLORS as KIND_HEX
from mirror.vocabulary import PERSON_COLORS as PERSON_HEX

STATE_COLORS = {
    "mirror": bgr(RELATION_COLORS["mirror"]),
    "match": bgr(RELATION_COLORS["match"]),
    "symmetric": bgr(RELATION_COLORS["symmetric"]),
    "none": (150, 150, 150),
    "insufficient": (70, 70, 70),
    "": (55, 55, 55),
}
"""BGR colour of each state (``""``: not known yet): the relations in the report's colours."""

STATE_TEXT = {
    "mirror": "mirror",
    "match": "match",
    "symmetric": "symmetric",
    "none": "none",
    "insufficient": "no data",
    "": "...",
}

PERSON_COLORS = (bgr(PERSON_HEX["A"]), bgr(PERSON_HEX["B"]))
"""BGR colour of A's and B's skeletons and labels, as on the review page."""

PANEL_COLOR = (20, 20, 20)
"""BGR of the dark panels the writing sits on."""
BADGE_WEAKEST = 0.3
"""The state badge's colour share at drawing strength 0 (just under alpha); 1 at full strength."""

KIND_COLORS: dict[str, tuple[int, int, int]] = {kind: bgr(KIND_HEX[kind]) for kind in MESSAGE_KINDS}
"""BGR colour of each kind of coaching message, as on the review page."""


_NOSE, _L_EYE, _R_EYE, _L_EAR, _R_EAR = (POSE[n] for n in ("nose", "left_eye", "right_eye", "left_ear", "right_ear"))
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_AA = cv2.LINE_AA


def _possessive(label: str) -> str:
    return "Your" if label == "You" else f"{label}'s"


def _highlights(state: OverlayState) -> tuple[dict, dict]:
    """Body parts to colour on A and on B, with their state.

    The report's arm channels are A's arms: a mirrored left arm is B's right
    arm, a matched one B's left arm.  Head, torso and face are the same part on both.
    """
    on_a, on_b = {}, {}
    for c in BODY_PARTS:
        s = state.channels.get(c, "")
        if s not in RELATIONS:
            continue
        on_a[c] = s
        on_b[MIRRORED_PART[c] if s == "mirror" else c] = s
    return on_a, on_b


class _Canvas:
    """Drawing helpers bound to one output image and its scale."""

    def __init__(self, image: np.ndarray) -> None:
        self.img = image
        self.h, self.w = image.shape[:2]
        self.s = self.h / 480.0
        self.thick = max(1, int(round(self.s)))

    def px(self, v: float) -> int:
        return int(round(v * self.s))

    def text(self, text: str, org: tuple[int, int], scale: float, color, thick: int | None = None) -> None:
        cv2.putText(self.img, text, org, _FONT, scale * self.s, color, thick or self.thick, _AA)

    def text_size(self, text: str, scale: float, thick: int | None = None) -> tuple[int, int]:
        (tw, th), _ = cv2.getTextSize(text, _FONT, scale * self.s, thick or self.thick)
        return tw, th

    def panel(self, x0: int, y0: int, x1: int, y1: int, color=(20, 20, 20), alpha: float = 0.6) -> None:
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.w, x1), min(self.h, y1)
        if x1 <= x0 or y1 <= y0:
            return
        roi = self.img[y0:y1, x0:x1]
        solid = np.empty_like(roi)
        cv2.rectangle(solid, (0, 0), (x1 - x0, y1 - y0), color, -1)
        cv2.addWeighted(solid, alpha, roi, 1.0 - alpha, 0.0, dst=roi)


def _person_px(person: PersonView, c: _Canvas, selfie: bool) -> np.ndarray | None:
    if person.points is None:
        return None
    pts = np.array(person.points, dtype=np.float64)
    if selfie:
        pts[:, 0] = 1.0 - pts[:, 0]
    return np.stack([pts[:, 0] * c.w, pts[:, 1] * c.h], axis=1)


def _draw_person(c: _Canvas, person: PersonView, color, highlight: dict, selfie: bool) -> None:
    pts = _person_px(person, c, selfie)
    if pts is None:
        return
    vis = person.visible if person.visible is not None else np.isfinite(pts).all(1)
    vis = vis & np.isfinite(pts).all(1)
    base = max(2, c.px(3))
    for part, bones in BONE_INDICES.items():
        state = highlight.get(part)
        for i, j in bones:
            if not (vis[i] and vis[j]):
                continue
            p, q = tuple(np.round(pts[i]).astype(int)), tuple(np.round(pts[j]).astype(int))
            if state is not None:
                cv2.line(c.img, p, q, STATE_COLORS[state], base + c.px(5), _AA)
            cv2.line(c.img, p, q, color, base if part != "legs" else max(1, base // 2), _AA)
    for i in JOINT_INDICES:
        if vis[i]:
            cv2.circle(c.img, tuple(np.round(pts[i]).astype(int)), base + 1, (255, 255, 255), -1, _AA)
    face_state = highlight.get("face")
    if face_state is not None and vis[_NOSE]:
        ears = [pts[k] for k in (_L_EAR, _R_EAR) if vis[k]]
        r = max(c.px(14), int(np.linalg.norm(ears[0] - ears[1]) * 0.9)) if len(ears) == 2 else c.px(20)
        cv2.circle(c.img, tuple(np.round(pts[_NOSE]).astype(int)), r, STATE_COLORS[face_state], base, _AA)


def label_anchor(person: PersonView, size: tuple[int, int], selfie: bool = False) -> tuple[int, int] | None:
    """Pixel point ``(x, y)`` at the bottom centre of a person's label: above the head.

    Parameters
    ----------
    size : tuple of int
        ``(width, height)`` of the frame drawn on.
    """
    if person.points is None:
        return None
    w, h = size
    pts = np.array(person.points, dtype=np.float64)
    if selfie:
        pts[:, 0] = 1.0 - pts[:, 0]
    vis = person.visible if person.visible is not None else np.ones(len(pts), bool)
    vis = vis & np.isfinite(pts).all(1)
    if not vis.any():
        return None
    head = [k for k in (_NOSE, _L_EYE, _R_EYE, _L_EAR, _R_EAR) if vis[k]]
    upper = [k for k in SHOULDERS if vis[k]]
    anchor_pts = pts[head] if head else pts[upper] if upper else pts[vis]
    x = float(np.mean(anchor_pts[:, 0])) * w
    top = float(np.min(pts[vis, 1])) * h
    if head:  # the top of the head is about one eye-to-shoulder height above the eyes
        eyes_y = float(np.mean(pts[head, 1])) * h
        sh = [pts[k, 1] * h for k in SHOULDERS if vis[k]]
        reach = 0.6 * (float(np.mean(sh)) - eyes_y) if sh else 0.05 * h
        top = min(top, eyes_y - max(reach, 0.02 * h))
    return int(round(x)), int(round(top))


def _draw_label(c: _Canvas, person: PersonView, color, selfie: bool, top: int = 0) -> None:
    anchor = label_anchor(person, (c.w, c.h), selfie)
    if anchor is None:
        return
    x, y = anchor
    tw, th = c.text_size(person.label, 0.7, c.thick + 1)
    pad = c.px(5)
    bw, bh = tw + 2 * pad, th + 2 * pad
    x0 = int(np.clip(x - bw // 2, 0, c.w - bw))
    y1 = int(np.clip(y - c.px(4), top + bh, c.h))  # below the banner, if any
    for px0, py0, px1, py1 in (rapport_box((c.w, c.h), top), parts_box((c.w, c.h), top)):
        if x0 < px1 and x0 + bw > px0 and y1 - bh < py1 and y1 > py0:  # never over a panel's writing: just under it
            y1 = min(c.h, py1 + c.px(4) + bh)
    y0 = y1 - bh
    cv2.rectangle(c.img, (x0, y0), (x0 + bw, y1), color, -1, _AA)
    if y1 <= y:  # the pointer down to the head, when the label is above it
        cv2.line(
            c.img,
            (int(np.clip(x, 0, c.w - 1)), y1),
            (int(np.clip(x, 0, c.w - 1)), min(c.h - 1, y1 + c.px(6))),
            color,
            c.thick + 1,
            _AA,
        )
    c.text(person.label, (x0 + pad, y1 - pad), 0.7, (255, 255, 255), c.thick + 1)


def _draw_banner(c: _Canvas, text: str) -> int:
    """The red mechanical-imitation banner across the top; returns its height."""
    scale = 0.6
    lines = _wrap(c, text, scale, c.w - c.px(24))
    lh = c.text_size("Ag", scale)[1] + c.px(8)
    height = lh * len(lines) + c.px(10)
    c.panel(0, 0, c.w, height, (30, 30, 200), 0.85)
    for k, line in enumerate(lines):
        tw = c.text_size(line, scale)[0]
        c.text(line, ((c.w - tw) // 2, c.px(5) + lh * (k + 1) - c.px(6)), scale, (255, 255, 255))
    return height


def rapport_box(size: tuple[int, int], top: int = 0) -> tuple[int, int, int, int]:
    """Pixel box ``(x0, y0, x1, y1)`` of the rapport panel, under a banner ``top`` pixels high."""
    s = size[1] / 480.0
    x0, y0 = int(round(8 * s)), top + int(round(8 * s))
    return x0, y0, x0 + int(round(200 * s)), y0 + int(round(96 * s))


def parts_box(size: tuple[int, int], top: int = 0) -> tuple[int, int, int, int]:
    """Pixel box ``(x0, y0, x1, y1)`` of the body-part panel (top right), under a banner ``top`` pixels high."""
    s = size[1] / 480.0
    x1 = size[0] - int(round(8 * s))
    y0 = top + int(round(8 * s))
    return x1 - int(round(268 * s)), y0, x1, y0 + int(round(19 * s)) * len(BODY_PARTS) + int(round(10 * s))


def state_badge_box(size: tuple[int, int], top: int = 0) -> tuple[int, int, int, int]:
    """Pixel box ``(x0, y0, x1, y1)`` of the current state's badge (in the rapport panel)."""
    s = size[1] / 480.0
    x0, y0, x1, _ = rapport_box(size, top)
    return x0 + int(round(8 * s)), y0 + int(round(50 * s)), x1 - int(round(8 * s)), y0 + int(round(70 * s))


def state_color(state: str, strength: float) -> tuple[int, int, int]:
    """BGR of a state drawn at ``strength`` in [0, 1]: mixed with the panel colour, full at 1.

    Only mirror, match and symmetric have a strength; the other states keep their colour.
    """
    color = STATE_COLORS.get(state, STATE_COLORS[""])
    if state not in RELATIONS:
        return color
    k = BADGE_WEAKEST + (1.0 - BADGE_WEAKEST) * float(np.clip(strength, 0.0, 1.0))
    b, g, r = (int(round(p + (q - p) * k)) for p, q in zip(PANEL_COLOR, color, strict=True))
    return (b, g, r)


def _draw_rapport(c: _Canvas, state: OverlayState, top: int) -> None:
    x0, y0, x1, y1 = rapport_box((c.w, c.h), top)
    width = x1 - x0
    c.panel(x0, y0, x1, y1, PANEL_COLOR)
    c.text("rapport", (x0 + c.px(8), y0 + c.px(18)), 0.5, (255, 255, 255))
    bx0, by0 = x0 + c.px(8), y0 + c.px(26)
    bx1, by1 = x0 + width - c.px(52), y0 + c.px(42)
    cv2.rectangle(c.img, (bx0, by0), (bx1, by1), (90, 90, 90), -1)
    value = state.rapport
    if np.isfinite(value):
        fill = bx0 + int(round((bx1 - bx0) * float(np.clip(value, 0, 1))))
        color = (60, 60, 220) if value < 0.3 else (0, 200, 230) if value < 0.6 else (80, 200, 40)
        cv2.rectangle(c.img, (bx0, by0), (fill, by1), color, -1)
        c.text(f"{100 * value:.0f}%", (bx1 + c.px(6), by1 - c.px(2)), 0.5, (255, 255, 255))
    else:
        c.text("--", (bx1 + c.px(6), by1 - c.px(2)), 0.5, (200, 200, 200))
    cv2.rectangle(c.img, (bx0, by0), (bx1, by1), (230, 230, 230), 1)
    now = STATE_TEXT.get(state.overall, state.overall)
    detail = ""
    if state.overall in RELATIONS and np.isfinite(state.lag_s):
        a, b = state.people[0].label, state.people[1].label
        if state.leader == "A":
            detail = f", {b} +{abs(state.lag_s):.1f} s"
        elif state.leader == "B":
            detail = f", {a} +{abs(state.lag_s):.1f} s"
        elif state.leader == "together":
            detail = ", together"
    # the current state as a badge, stronger the surer it is, and how sure in words under it
    bx0, by0, bx1, by1 = state_badge_box((c.w, c.h), top)
    badge = state_color(state.overall, state.strength)
    cv2.rectangle(c.img, (bx0, by0), (bx1, by1), badge, -1)
    ink = (0, 0, 0) if 0.114 * badge[0] + 0.587 * badge[1] + 0.299 * badge[2] > 140 else (255, 255, 255)
    text, scale = f"now: {now}{detail}", 0.5
    while scale > 0.3 and c.text_size(text, scale)[0] > bx1 - bx0 - c.px(10):  # fit the badge
        scale -= 0.05
    c.text(text, (bx0 + c.px(5), by1 - c.px(6)), scale, ink)
    if state.confidence:
        sure = state.confidence + (f" (p={format_p(state.p_value)})" if np.isfinite(state.p_value) else "")
        c.text(sure, (x0 + c.px(8), y1 - c.px(8)), 0.45, (220, 220, 220))


def _draw_parts(c: _Canvas, state: OverlayState, top: int) -> None:
    a_label = state.people[0].label
    rows = []
    for ch in BODY_PARTS:
        name = BODY_PART_NAMES[ch]
        if FEATURE_CHANNEL_OF[ch] == "arms":  # A's arms
            name = f"{_possessive(a_label)} {name}"
        rows.append((name, state.channels.get(ch, ""), state.channel_confidence.get(ch, "")))
    row_h = c.px(19)
    x0, y0, x1, y1 = parts_box((c.w, c.h), top)
    c.panel(x0, y0, x1, y1)
    for k, (name, s, sure) in enumerate(rows):
        y = y0 + c.px(6) + row_h * k
        color = STATE_COLORS.get(s, STATE_COLORS[""])
        cv2.rectangle(c.img, (x0 + c.px(8), y + c.px(3)), (x0 + c.px(20), y + c.px(15)), color, -1)
        c.text(name, (x0 + c.px(28), y + c.px(14)), 0.45, (255, 255, 255))
        txt = STATE_TEXT.get(s, s) + (f", {sure}" if sure else "")  # a label always with how sure it is
        tw = c.text_size(txt, 0.45)[0]
        c.text(
            txt, (x1 - c.px(8) - tw, y + c.px(14)), 0.45, color if s not in ("", "insufficient") else (200, 200, 200)
        )


def timeline_box(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Pixel box ``(x0, y0, x1, y1)`` of the timeline strip in a frame of ``size`` ``(width, height)``."""
    w, h = size
    s = h / 480.0
    m = int(round(8 * s))
    return m, h - m - int(round(62 * s)), w - m, h - m


def _draw_timeline(c: _Canvas, state: OverlayState) -> None:
    x0, y0, x1, y1 = timeline_box((c.w, c.h))
    c.panel(x0, y0, x1, y1, (20, 20, 20), 0.85)
    label_w = c.px(62)
    tx0, tx1 = x0 + label_w, x1 - c.px(6)
    top = y0 + c.px(15)
    rows = [("overall", c.px(14))] + [(BODY_PART_NAMES[ch], c.px(6)) for ch in BODY_PARTS]
    c.text(f"last {state.timeline_span_s:.0f} s", (x0 + c.px(6), y0 + c.px(11)), 0.36, (230, 230, 230))
    c.text("now", (tx1 - c.text_size("now", 0.36)[0], y0 + c.px(11)), 0.36, (230, 230, 230))
    span = state.timeline_span_s
    t_end = state.t_s
    ys = []
    y = top
    for name, rh in rows:
        ys.append((y, y + rh))
        cv2.rectangle(c.img, (tx0, y), (tx1, y + rh - 1), (45, 45, 45), -1)
        if name == "overall":
            c.text("overall", (x0 + c.px(6), y + rh - c.px(3)), 0.36, (230, 230, 230))
        y += rh + c.px(1)
    c.text("parts", (x0 + c.px(6), ys[3][1]), 0.36, (230, 230, 230))
    times = np.asarray(state.timeline_t_s, dtype=float)
    labels = state.timeline_labels
    if len(times):
        step = float(np.median(np.diff(times))) if len(times) > 1 else 0.5
        scale = (tx1 - tx0) / span
        for k in range(len(times)):
            a = tx0 + (times[k] - step / 2 - (t_end - span)) * scale
            b = tx0 + (times[k] + step / 2 - (t_end - span)) * scale
            a, b = int(max(tx0, np.floor(a))), int(min(tx1, np.ceil(b)))
            if b <= a:
                continue
            for r, (ya, yb) in enumerate(ys):
                s = str(labels[k, r]) if r < labels.shape[1] else ""
                if s in LABELS:
                    cv2.rectangle(c.img, (a, ya), (b - 1, yb - 1), STATE_COLORS[s], -1)
    for k in range(1, int(span // 10)):  # a tick every 10 s
        x = tx1 - int(round(k * 10 * (tx1 - tx0) / span))
        cv2.line(c.img, (x, top), (x, ys[-1][1]), (20, 20, 20), 1)


def _wrap(c: _Canvas, text: str, scale: float, width_px: int) -> list[str]:
    char_w = max(1, c.text_size("n", scale)[0])
    return textwrap.wrap(text, max(10, width_px // char_w)) or [""]


def _draw_message(c: _Canvas, state: OverlayState) -> None:
    if not state.message:
        return
    scale = 0.5
    x0 = c.px(8)
    x1 = c.w - c.px(8)
    lines = _wrap(c, state.message, scale, x1 - x0 - c.px(24))[:3]
    lh = c.text_size("Ag", scale)[1] + c.px(8)
    _, ty0, _, _ = timeline_box((c.w, c.h))
    y1 = ty0 - c.px(6)
    y0 = y1 - lh * len(lines) - c.px(10)
    c.panel(x0, y0, x1, y1, (20, 20, 20), 0.7)
    cv2.rectangle(c.img, (x0, y0), (x0 + c.px(6), y1), KIND_COLORS.get(state.message_kind or "", (200, 200, 200)), -1)
    for k, line in enumerate(lines):
        c.text(line, (x0 + c.px(16), y0 + c.px(4) + lh * (k + 1) - c.px(5)), scale, (255, 255, 255))


def _draw_status(c: _Canvas, state: OverlayState, top: int) -> None:
    if state.recording:
        cx, cy = c.w // 2 - c.px(22), top + c.px(20)
        cv2.circle(c.img, (cx, cy), c.px(7), (0, 0, 230), -1, _AA)
        c.text("REC", (cx + c.px(12), cy + c.px(6)), 0.55, (0, 0, 230), c.thick + 1)
    if state.status:
        scale = 1.1
        tw, th = c.text_size(state.status, scale, c.thick + 1)
        pad = c.px(14)
        x0, y0 = (c.w - tw) // 2 - pad, c.h // 2 - th // 2 - pad
        c.panel(x0, y0, x0 + tw + 2 * pad, y0 + th + 2 * pad, (0, 0, 0), 0.75)
        c.text(state.status, (x0 + pad, y0 + pad + th), scale, (255, 255, 255), c.thick + 1)


def draw_overlay(frame: np.ndarray, state: OverlayState) -> np.ndarray:
    """Draw the overlay of ``state`` on a copy of ``frame``.

    A pure function: no I/O, no globals; the input frame is not modified.

    Parameters
    ----------
    frame : np.ndarray
        ``(H, W, 3)`` uint8 BGR picture, in anatomical orientation (as analysed).
    state : OverlayState
        What to draw.  With ``state.selfie`` the picture and the skeletons are
        flipped left-right for display; every text stays readable, and the
        body parts keep their anatomical names.

    Returns
    -------
    np.ndarray
        ``(H, W, 3)`` uint8 BGR, a new array.
    """
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"draw_overlay needs an (H, W, 3) uint8 BGR frame, got {frame.shape} {frame.dtype}")
    out = cv2.flip(frame, 1) if state.selfie else frame.copy()
    c = _Canvas(out)
    on_a, on_b = _highlights(state)
    for person, color, highlight in zip(state.people, PERSON_COLORS, (on_a, on_b), strict=False):
        _draw_person(c, person, color, highlight, state.selfie)
    top = _draw_banner(c, state.warning) if state.warning else 0
    _draw_rapport(c, state, top)
    _draw_parts(c, state, top)
    _draw_timeline(c, state)
    _draw_message(c, state)
    for person, color in zip(state.people, PERSON_COLORS, strict=False):  # over the panels: always readable
        _draw_label(c, person, color, state.selfie, top)
    _draw_status(c, state, top)
    return out
