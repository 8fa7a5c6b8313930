"""The end screen of ``mirror live``: this session against your last ones, one figure a line.

:func:`draw_end_card` is pure: the same trends give the same picture, drawn on a new image.
"""

from __future__ import annotations

import cv2
import numpy as np

from mirror.history.progress import FigureTrend, format_value

END_HOLD_S = 8.0  # the end screen stays up this long, or until a key is pressed
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_AA = cv2.LINE_AA
_BADGE = {"better": (55, 127, 26), "worse": (40, 40, 198), "steady": (122, 107, 95), None: (174, 163, 154)}  # BGR
_WHITE, _GREY, _BG = (245, 245, 245), (190, 190, 190), (36, 30, 28)


def end_card_rows(trends: list[FigureTrend]) -> list[tuple[str, str, str | None]]:
    """``(figure, "this session (before: baseline)", trend)`` for each figure measured in the session."""
    rows: list[tuple[str, str, str | None]] = []
    for t in trends:
        if t.latest is None:
            continue
        value = format_value(t.figure, t.latest)
        before = f"  (before: {format_value(t.figure, t.baseline)})" if t.baseline is not None else "  (first session)"
        rows.append((t.figure.title, value + before, t.trend))
    return rows


def draw_end_card(
    size: tuple[int, int], title: str, trends: list[FigureTrend], footer: str = "press any key to close"
) -> np.ndarray:
    """A ``(H, W, 3)`` BGR image: ``title``, then one row per figure with its verdict, then ``footer``."""
    w, h = size
    img = np.full((h, w, 3), _BG, np.uint8)
    s = min(w / 640.0, h / 480.0)
    scale = 0.42 * s
    thick = max(1, int(round(s)))
    cv2.putText(img, title, (int(16 * s), int(34 * s)), _FONT, 0.62 * s, _WHITE, thick + 1, _AA)
    rows = end_card_rows(trends)
    step = min(int(46 * s), int((h - 90 * s) / max(1, len(rows))))
    y = int(62 * s)
    badge_w = int(70 * s)
    for name, value, trend in rows:
        colour = _BADGE.get(trend, _BADGE[None])
        cv2.rectangle(img, (int(16 * s), y), (int(16 * s) + badge_w, y + int(18 * s)), colour, -1)
        word = trend or "-"
        (tw, _), _ = cv2.getTextSize(word, _FONT, scale, thick)
        cv2.putText(img, word, (int(16 * s) + (badge_w - tw) // 2, y + int(13 * s)), _FONT, scale, _WHITE, thick, _AA)
        x = int(16 * s) + badge_w + int(10 * s)
        cv2.putText(img, name, (x, y + int(13 * s)), _FONT, scale, _WHITE, thick, _AA)
        cv2.putText(img, value, (x, y + int(31 * s)), _FONT, scale * 0.95, _GREY, thick, _AA)
        y += step
    cv2.putText(img, footer, (int(16 * s), h - int(14 * s)), _FONT, scale, _GREY, thick, _AA)
    return img
