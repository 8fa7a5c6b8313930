"""Synthetic people with exact answers, and a pixel-reading stand-in for the model."""

from __future__ import annotations

import numpy as np

from mirror.landmarks.backend import FaceResult, LandmarkBackend, PersonEstimator
from mirror.landmarks.skeleton import N_BLENDSHAPES, N_FACE, POSE
from mirror.landmarks.types import PersonLandmarks

# A standing person in a unit box (x right in the image, y down), facing the camera:
# the anatomical LEFT side appears on the image RIGHT.
_TEMPLATE = {
    "nose": (0.50, 0.08),
    "left_eye_inner": (0.52, 0.06), "left_eye": (0.54, 0.06), "left_eye_outer": (0.56, 0.06),
    "right_eye_inner": (0.48, 0.06), "right_eye": (0.46, 0.06), "right_eye_outer": (0.44, 0.06),
    "left_ear": (0.58, 0.07), "right_ear": (0.42, 0.07),
    "mouth_left": (0.53, 0.11), "mouth_right": (0.47, 0.11),
    "left_shoulder": (0.68, 0.20), "right_shoulder": (0.32, 0.20),
    "left_elbow": (0.74, 0.38), "right_elbow": (0.26, 0.38),
    "left_wrist": (0.76, 0.54), "right_wrist": (0.24, 0.54),
    "left_pinky": (0.77, 0.57), "right_pinky": (0.23, 0.57),
    "left_index": (0.76, 0.58), "right_index": (0.24, 0.58),
    "left_thumb": (0.75, 0.56), "right_thumb": (0.25, 0.56),
    "left_hip": (0.60, 0.55), "right_hip": (0.40, 0.55),
    "left_knee": (0.60, 0.76), "right_knee": (0.40, 0.76),
    "left_ankle": (0.60, 0.95), "right_ankle": (0.40, 0.95),
    "left_heel": (0.61, 0.97), "right_heel": (0.39, 0.97),
    "left_foot_index": (0.62, 1.00), "right_foot_index": (0.38, 1.00),
}  # fmt: skip
TEMPLATE = np.array([_TEMPLATE[n] for n in sorted(_TEMPLATE, key=POSE.__getitem__)], dtype=np.float32)


def skeleton(
    box: tuple[float, float, float, float], size: tuple[int, int] = (1, 1), visibility: float = 0.99
) -> PersonLandmarks:
    """A person filling ``box`` (x0, y0, x1, y1 in pixels of a frame of ``size``), normalised to the frame."""
    x0, y0, x1, y1 = box
    w, h = size
    pts = np.zeros((len(TEMPLATE), 3), dtype=np.float32)
    pts[:, 0] = (x0 + TEMPLATE[:, 0] * (x1 - x0)) / w
    pts[:, 1] = (y0 + TEMPLATE[:, 1] * (y1 - y0)) / h
    world = np.zeros_like(pts)
    world[:, :2] = (TEMPLATE - TEMPLATE[[23, 24]].mean(0)) * 1.7
    return PersonLandmarks(
        pose_image=pts, pose_world=world, pose_visibility=np.full(len(TEMPLATE), visibility, np.float32)
    )


def draw_scene(
    boxes: list[tuple[int, int, int, int]], size: tuple[int, int] = (320, 240), hard: tuple[int, ...] = ()
) -> np.ndarray:
    """A black BGR frame with one filled rectangle per person.

    People listed in ``hard`` are drawn grey: the stand-in model cannot find them
    from scratch, only keep tracking them (like a raised arm hiding a face).
    """
    w, h = size
    image = np.zeros((h, w, 3), dtype=np.uint8)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        image[y0:y1, x0:x1] = 150 if i in hard else 255
    return image


def _blobs(rgb: np.ndarray, level: int = 200) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the rectangles brighter than ``level`` (columns split by gaps)."""
    mask = rgb[..., 0] > level
    cols = np.flatnonzero(mask.any(0))
    if cols.size == 0:
        return []
    runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
    out = []
    for run in runs:
        rows = np.flatnonzero(mask[:, run[0] : run[-1] + 1].any(1))
        out.append((int(run[0]), int(rows[0]), int(run[-1]) + 1, int(rows[-1]) + 1))
    return out


class BlobEstimator(PersonEstimator):
    """Finds the largest white rectangle in the crop; a face when ``faces`` is set."""

    def __init__(self, faces: bool = True) -> None:
        self.faces = faces
        self.calls = 0
        self.closed = False
        self.tracking = False

    def pose(self, rgb, t_ms):
        self.calls += 1
        blobs = _blobs(rgb, 100 if self.tracking else 200)  # grey people only while tracking
        self.tracking = bool(blobs)
        if not blobs:
            return None
        best = max(blobs, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        return skeleton(best, (rgb.shape[1], rgb.shape[0]))

    def face(self, rgb, t_ms):
        if not self.faces:
            return None
        lms = np.full((N_FACE, 3), 0.5, dtype=np.float32)
        return FaceResult(landmarks=lms, matrix=np.eye(4), blendshapes=np.zeros(N_BLENDSHAPES, np.float32))

    def close(self):
        self.closed = True


class BlobBackend(LandmarkBackend):
    """A stand-in model that reads the white rectangles of :func:`draw_scene`."""

    def __init__(self) -> None:
        self.estimators: list[BlobEstimator] = []
        self.detections = 0

    def person_estimator(self):
        est = BlobEstimator()
        self.estimators.append(est)
        return est

    def detect_people(self, rgb, max_people=4):
        self.detections += 1
        size = (rgb.shape[1], rgb.shape[0])
        return [skeleton(b, size) for b in _blobs(rgb)][:max_people]

    def provenance(self):
        return {"backend": "blobs"}

    @property
    def pose_calls(self) -> int:
        return sum(e.calls for e in self.estimators)


def one_line_error(result, code: int = 2) -> str:
    """The one ``error:`` line of a CLI run (a ``CliRunner`` result) that must fail with ``code``."""
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]
