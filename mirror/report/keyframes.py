"""Keyframe thumbnails of events: A's view at the leader's moment and B's view ``lag_s`` later."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mirror.report.model import Event, PartEvent, Report, SourceInfo


@dataclass
class Keyframes:
    """Thumbnails of one event.

    Attributes
    ----------
    t_a_s, t_b_s : float
        Stream times of A's and B's thumbnails (``t_b_s - t_a_s`` is the event's lag).
    a_jpeg, b_jpeg : bytes
        JPEG images of A's and B's part of the frame.
    """

    t_a_s: float
    t_b_s: float
    a_jpeg: bytes
    b_jpeg: bytes

    def data_uris(self) -> tuple[str, str]:
        a, b = ("data:image/jpeg;base64," + base64.b64encode(j).decode() for j in (self.a_jpeg, self.b_jpeg))
        return a, b


def event_times(event: Event | PartEvent, duration_s: float) -> tuple[float, float]:
    """``(t_A, t_B)``: the middle of the event for A, and that plus the lag for B (clipped to the recording).

    A positive lag means B does what A did ``lag_s`` earlier, so B's view at ``t_A + lag_s``
    shows B's version of what A shows at ``t_A``.
    """
    start, end = float(event.start_s), float(event.end_s)
    lag = float(getattr(event, "lag_s", None) or 0.0)  # a body part's event has no lag
    t_a = (start + end) / 2
    t_b = t_a + lag
    hi = max(0.0, duration_s - 1e-3)
    if t_b > hi:
        t_a, t_b = t_a - (t_b - hi), hi
    if t_b < 0:
        t_a, t_b = t_a - t_b, 0.0
    return float(np.clip(t_a, 0, hi)), float(np.clip(t_b, 0, hi))


def person_boxes(doc: Report, width: int, height: int) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """Pixel boxes of A and B: the layout's regions when given, else the left and right halves."""
    extract = doc.provenance.extract_settings
    layout = extract.layout if extract is not None else None
    regions = layout.regions if layout is not None and layout.mode == "regions" else None
    if regions and len(regions) == 2:
        boxes = [
            (
                int(x0 * width),
                int(y0 * height),
                max(int(x0 * width) + 1, int(x1 * width)),
                max(int(y0 * height) + 1, int(y1 * height)),
            )
            for x0, y0, x1, y1 in regions
        ]
        return boxes[0], boxes[1]
    return (0, 0, width // 2, height), (width // 2, 0, width, height)


def _frame_at(cap: cv2.VideoCapture, t_s: float) -> np.ndarray | None:
    cap.set(cv2.CAP_PROP_POS_MSEC, 1000.0 * t_s)
    ok, frame = cap.read()
    return frame if ok and frame is not None and frame.size else None


def _jpeg(image: np.ndarray, thumb_h: int) -> bytes:
    h, w = image.shape[:2]
    scale = thumb_h / max(1, h)
    small = cv2.resize(image, (max(1, int(w * scale)), thumb_h), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return buf.tobytes() if ok else b""


def event_keyframes(
    doc: Report, video_path: str | Path | None, events: Sequence[Event | PartEvent], thumb_h: int = 150
) -> list[Keyframes | None]:
    """Thumbnails per event, read from the video with OpenCV.

    Returns one entry per event, ``None`` where the frame cannot be read; all
    ``None`` when the video is missing or does not open (the report is still written).
    """
    if video_path is None or not Path(video_path).is_file():
        return [None] * len(events)
    cap = cv2.VideoCapture(str(video_path))
    try:
        if not cap.isOpened():
            return [None] * len(events)
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
        frames = cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0
        duration = frames / fps if fps > 0 and frames > 0 else max((float(e.end_s) for e in events), default=0.0)
        box_a, box_b = person_boxes(doc, width, height)
        source = doc.provenance.source
        mirrored = bool(source.mirrored_input) if isinstance(source, SourceInfo) else False
        out: list[Keyframes | None] = []
        for event in events:
            t_a, t_b = event_times(event, duration)
            fa, fb = _frame_at(cap, t_a), _frame_at(cap, t_b)
            if fa is None or fb is None:
                out.append(None)
                continue
            if mirrored:  # analysis flipped the frames back; show what it saw
                fa, fb = fa[:, ::-1], fb[:, ::-1]
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = box_a, box_b
            out.append(Keyframes(t_a, t_b, _jpeg(fa[ay0:ay1, ax0:ax1], thumb_h), _jpeg(fb[by0:by1, bx0:bx1], thumb_h)))
        return out
    finally:
        cap.release()
