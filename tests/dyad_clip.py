"""A short two-person clip with known mirroring and matching, made from real footage.

The woman of ``examples/raga_1person.mp4`` (MIT, see examples/ATTRIBUTION.md) is
placed on the left as A.  On the right, B is the same footage ``lag_s`` later:
horizontally flipped in ``mirror`` segments (a flipped image swaps anatomical sides,
so B mirrors A) and unflipped in ``match`` segments.  The 5 s clip plays forwards
and backwards to make longer sequences.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "examples" / "raga_1person.mp4"
CROP = (400, 60, 1400, 1080)  # the seated woman in the 1920x1080 source (x0, y0, x1, y1)
HALF = (400, 400)  # each person's half of the canvas (w, h)
PLAN = (("mirror", 0.0, 10.0, 0.4), ("match", 10.0, 20.0, 0.4))  # kind, start_s, end_s, lag_s


def _person_frames(size: tuple[int, int]) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(SOURCE))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    x0, y0, x1, y1 = CROP
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(frame[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA))
    cap.release()
    if not frames:
        raise RuntimeError(f"cannot read {SOURCE}")
    return frames, fps


def make_dyad_clip(path: Path, fps: float = 12.5, plan=PLAN, half: tuple[int, int] = HALF) -> Path:
    """Write the clip (MJPG AVI) and return its path. Segment truth is ``plan``."""
    w, h = half
    scale = min(w / (CROP[2] - CROP[0]), h / (CROP[3] - CROP[1]))
    pw, ph = int((CROP[2] - CROP[0]) * scale), int((CROP[3] - CROP[1]) * scale)
    frames, src_fps = _person_frames((pw, ph))
    duration = len(frames) / src_fps

    def at(t: float) -> np.ndarray:
        u = t % (2 * duration)
        u = u if u <= duration else 2 * duration - u
        return frames[min(len(frames) - 1, int(u * src_fps))]

    end_s = max(p[2] for p in plan)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (2 * w, h))
    for i in range(int(round(end_s * fps))):
        t = i / fps
        kind, _, _, lag_s = next(p for p in plan if p[1] <= t < p[2])
        a = at(t)
        b = at(max(0.0, t - lag_s))
        if kind == "mirror":
            b = b[:, ::-1]
        canvas = np.zeros((h, 2 * w, 3), np.uint8)
        canvas[h - ph :, (w - pw) // 2 : (w - pw) // 2 + pw] = a
        canvas[h - ph :, w + (w - pw) // 2 : w + (w - pw) // 2 + pw] = b
        writer.write(canvas)
    writer.release()
    return path
