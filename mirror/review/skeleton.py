"""The two skeletons the review page draws over the video: ``skeleton.json``.

``report.json`` holds no landmarks.  The review takes them from ``OUT_DIR/landmarks.npz``
when there is one (``mirror live`` writes it), else from the landmark cache through
:func:`mirror.landmarks.extract_video` with the settings the analysis recorded (a cache hit
runs no model).  Only the pose points the page draws are kept, as integers, so an hour of
video at 15 fps stays a few tens of megabytes.

``skeleton.json`` (format ``mirror.skeleton``, version 1)::

    {"format": "mirror.skeleton", "format_version": 1,
     "source_sha256": "...", "frame_size": [W, H], "flipped_back": false,
     "points": [0, 2, 5, ...],          # MediaPipe pose indices kept, in this order
     "names": ["nose", "left_eye", ...],
     "scale": 10000,                    # x, y are round(value * scale); visibility is percent
     "t_s": [0.0, 0.0667, ...],         # stream seconds of each analysed frame (4 decimals)
     "A": [[x, y, v, x, y, v, ...] or null, ...],   # one entry per frame; null: not found
     "B": [...]}

x and y are normalised to the video's stored frame (x to the right, y down), as the video
plays: for a mirrored (selfie) input, which the analysis flipped to keep sides anatomical,
x is flipped back so the skeletons lie on the people (``flipped_back`` is then true).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from mirror.errors import MirrorError
from mirror.report.doc import ReportLike, as_report
from mirror.report.model import SourceInfo
from mirror.storage import write_atomic
from mirror.vocabulary import PEOPLE, POSE, POSE_NAMES, SKELETON_POINTS

SKELETON_FORMAT = "mirror.skeleton"
SKELETON_VERSION = 1
SCALE = 10000

POINTS: tuple[int, ...] = tuple(POSE[name] for name in SKELETON_POINTS)
"""MediaPipe pose indices of the points the page draws (:data:`mirror.vocabulary.SKELETON_POINTS`): head
(nose, eyes, ears, mouth), shoulders, arms to the index fingers, hips, knees and ankles."""


@dataclass
class Skeleton:
    """Pose points of both people per analysed frame, as the video shows them.

    Attributes
    ----------
    t_s : ndarray, shape (T,)
        Stream time of each frame in seconds.
    xy : ndarray, shape (T, 2, K, 2)
        x, y normalised to the stored video frame (NaN where the person is missing);
        axis 1 is A, B; K = ``len(points)``.
    visibility : ndarray, shape (T, 2, K)
        MediaPipe visibility in [0, 1] (0 where missing).
    points : tuple of int
        MediaPipe pose indices of the K points.
    frame_size : tuple of int
        ``(width, height)`` of the video frame.
    source_sha256 : str or None
        Content checksum of the analysed video.
    flipped_back : bool
        x was flipped back from a mirrored input's analysis frame.
    """

    t_s: np.ndarray
    xy: np.ndarray
    visibility: np.ndarray
    points: tuple[int, ...] = POINTS
    frame_size: tuple[int, int] = (0, 0)
    source_sha256: str | None = None
    flipped_back: bool = False

    def __len__(self) -> int:
        return len(self.t_s)

    def to_dict(self) -> dict:
        """The ``skeleton.json`` document (see the module docstring)."""
        people = {}
        q = np.round(np.nan_to_num(self.xy, nan=0.0) * SCALE).astype(np.int64)
        v = np.round(np.clip(self.visibility, 0.0, 1.0) * 100).astype(np.int64)
        present = np.isfinite(self.xy).all(axis=3).any(axis=2)  # (T, 2)
        for p, name in enumerate(PEOPLE):
            flat = np.concatenate([q[:, p], v[:, p, :, None]], axis=2).reshape(len(self.t_s), -1)
            people[name] = [row.tolist() if ok else None for row, ok in zip(flat, present[:, p], strict=True)]
        return {
            "format": SKELETON_FORMAT,
            "format_version": SKELETON_VERSION,
            "source_sha256": self.source_sha256,
            "frame_size": [int(self.frame_size[0]), int(self.frame_size[1])],
            "flipped_back": bool(self.flipped_back),
            "points": list(self.points),
            "names": [POSE_NAMES[i] for i in self.points],
            "scale": SCALE,
            "t_s": [round(float(t), 4) for t in self.t_s],
            **people,
        }

    @classmethod
    def from_dict(cls, doc: dict) -> Skeleton:
        """Read a ``skeleton.json`` document back (coordinates to 1/``scale``)."""
        if doc.get("format") != SKELETON_FORMAT or doc.get("format_version") != SKELETON_VERSION:
            raise MirrorError(f"not a {SKELETON_FORMAT} version {SKELETON_VERSION} document")
        points = tuple(int(i) for i in doc["points"])
        scale = float(doc.get("scale") or SCALE)
        t = np.asarray(doc["t_s"], dtype=float)
        xy = np.full((len(t), 2, len(points), 2), np.nan)
        vis = np.zeros((len(t), 2, len(points)))
        for p, name in enumerate(PEOPLE):
            for i, row in enumerate(doc[name]):
                if row is not None:
                    arr = np.asarray(row, dtype=float).reshape(len(points), 3)
                    xy[i, p] = arr[:, :2] / scale
                    vis[i, p] = arr[:, 2] / 100.0
        return cls(
            t_s=t,
            xy=xy,
            visibility=vis,
            points=points,
            frame_size=tuple(doc.get("frame_size") or (0, 0)),
            source_sha256=doc.get("source_sha256"),
            flipped_back=bool(doc.get("flipped_back")),
        )


def skeleton_from_landmarks(landmarks, mirrored_input: bool = False, source_sha256: str | None = None) -> Skeleton:
    """The drawn points of :class:`~mirror.landmarks.Landmarks`, in the video's own frame.

    Parameters
    ----------
    landmarks : Landmarks
        ``pose_image (T, 2, 33, 3)`` and ``pose_visibility (T, 2, 33)``.
    mirrored_input : bool
        The analysis flipped the frames (a selfie source): x is flipped back.
    """
    idx = list(POINTS)
    xy = np.asarray(landmarks.pose_image[:, :, idx, :2], dtype=float).copy()
    if mirrored_input:
        xy[..., 0] = 1.0 - xy[..., 0]
    vis = np.asarray(landmarks.pose_visibility[:, :, idx], dtype=float)
    vis = np.where(np.isfinite(xy).all(axis=3), np.nan_to_num(vis), 0.0)
    return Skeleton(
        t_s=np.asarray(landmarks.t_s, dtype=float),
        xy=xy,
        visibility=vis,
        points=POINTS,
        frame_size=(int(landmarks.frame_size[0]), int(landmarks.frame_size[1])),
        source_sha256=source_sha256,
        flipped_back=bool(mirrored_input),
    )


def extract_settings_from(doc: ReportLike):
    """The :class:`~mirror.landmarks.ExtractSettings` a report was analysed with (``provenance.extract_settings``).

    Raises
    ------
    MirrorError
        The report does not record them.
    """
    from mirror.landmarks import ExtractSettings, Layout

    recorded = as_report(doc).provenance.extract_settings
    if recorded is None:
        raise MirrorError(
            "report.json does not record its extract settings (provenance.extract_settings): analyse the video again"
        )
    layout = recorded.layout
    regions = layout.regions if layout is not None else None
    kwargs: dict[str, Any] = {
        k: getattr(recorded, k)
        for k in (
            "pose_model",
            "face",
            "fps",
            "mirrored_input",
            "min_detection_confidence",
            "min_tracking_confidence",
            "backfill",
        )
        if k in recorded.model_fields_set
    }
    kwargs["layout"] = Layout(
        mode=(layout.mode if layout is not None else None) or "auto",
        regions=tuple(cast("tuple[float, float, float, float]", tuple(float(v) for v in b)) for b in regions)
        if regions
        else None,
    )
    return ExtractSettings(**kwargs)


def load_skeleton(
    out_dir: str | Path,
    doc: ReportLike,
    video_path: str | Path | None = None,
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int, int], None] | None = None,
    extract: bool = True,
) -> tuple[Skeleton | None, str]:
    """The skeletons of an analysed session, from the quickest place that has them.

    In order: ``OUT_DIR/skeleton.json`` written for the same source, ``OUT_DIR/landmarks.npz``,
    then the landmark cache for the video (which runs the models for the frames it lacks).

    Parameters
    ----------
    doc : Report or dict
        The session's ``report.json``.
    video_path : path, optional
        The analysed video (default ``provenance.source_path``).
    extract : bool
        Whether to read the landmark cache (and run the models for what it lacks).

    Returns
    -------
    (Skeleton or None, str)
        The skeletons and where they came from (``skeleton.json``, ``landmarks.npz``,
        ``cache``), or None and the reason there are none.
    """
    from mirror.landmarks import Landmarks, extract_video

    out = Path(out_dir)
    prov = as_report(doc).provenance
    sha = prov.source_sha256
    source = prov.source if isinstance(prov.source, SourceInfo) else None
    mirrored = bool(
        (prov.extract_settings.mirrored_input if prov.extract_settings is not None else None)
        or (source.mirrored_input if source is not None else None)
    )
    saved = out / "skeleton.json"
    if saved.is_file():
        try:
            skel = Skeleton.from_dict(json.loads(saved.read_text()))
            if skel.source_sha256 == sha and skel.flipped_back == mirrored:
                return skel, "skeleton.json"
        except (OSError, ValueError, KeyError, TypeError, MirrorError):
            pass  # unreadable or stale: made again below
    npz = out / "landmarks.npz"
    if npz.is_file():
        landmarks = Landmarks.load(npz)
        return skeleton_from_landmarks(landmarks, mirrored, sha), "landmarks.npz"
    video = Path(video_path) if video_path else (Path(prov.source_path) if prov.source_path else None)
    if not extract:
        return None, "the folder has no landmarks.npz"
    if video is None:
        return None, "the report names no video and the folder has no landmarks.npz"
    if not video.is_file():
        return None, f"{video} is missing and the folder has no landmarks.npz"
    landmarks = extract_video(
        video, extract_settings_from(doc), cache_dir=cache_dir, progress=progress, on_total=on_total
    )
    info = landmarks.info
    if info.interrupted:
        raise MirrorError("interrupted while reading the landmarks: run the same command again to resume")
    if sha and info.source_sha256 and info.source_sha256 != sha:
        return None, f"{video} is not the video this report was made from (its content changed)"
    return skeleton_from_landmarks(landmarks, mirrored, sha), "cache"


def write_skeleton(skeleton: Skeleton, out_dir: str | Path) -> Path:
    """``OUT_DIR/skeleton.json``, atomically."""
    path = Path(out_dir) / "skeleton.json"
    write_atomic(path, json.dumps(skeleton.to_dict(), separators=(",", ":")).encode())
    return path
