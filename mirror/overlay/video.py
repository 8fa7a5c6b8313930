"""Overlay videos of recorded sessions, and the atomic MJPG writer live recordings use too."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from mirror.errors import MirrorError
from mirror.landmarks.types import Landmarks
from mirror.overlay.draw import draw_overlay
from mirror.overlay.state import OverlayState
from mirror.overlay.view import ReportView

if TYPE_CHECKING:
    from mirror.report.model import Report


class AtomicVideoWriter:
    """An MJPG ``.avi`` written under a temporary name and renamed when closed.

    A writer that is never closed (a crash) leaves only a hidden temporary
    file, never a half-written video under the final name.

    Parameters
    ----------
    path : Path
        Final file name (``.avi``).
    fps : float
        Frame rate written in the container.
    size : tuple of int
        ``(width, height)`` of every frame.
    """

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        self.size = (int(size[0]), int(size[1]))
        self.fps = float(fps)
        self.frames = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".tmp.avi", dir=self.path.parent)
            os.close(fd)
        except OSError as exc:
            raise MirrorError(f"cannot write {self.path}: {exc.strerror or type(exc).__name__}") from None
        self._tmp = Path(tmp)
        writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter.fourcc(*"MJPG"), self.fps, self.size)
        if not writer.isOpened():
            self._tmp.unlink(missing_ok=True)
            raise MirrorError(f"cannot write {self.path}: OpenCV has no MJPG writer here")
        self._writer: cv2.VideoWriter | None = writer

    def write(self, frame: np.ndarray) -> None:
        """Append one ``(H, W, 3)`` uint8 BGR frame of the writer's size."""
        if self._writer is None:
            raise MirrorError(f"{self.path} is closed: no more frames can be written")
        if (frame.shape[1], frame.shape[0]) != self.size:
            frame = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA)
        self._writer.write(frame)
        self.frames += 1

    def close(self) -> Path:
        """Finish the file and give it its final name; returns that name."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
            if self.frames == 0:
                self._tmp.unlink(missing_ok=True)
                raise MirrorError(f"{self.path}: no frames to write")
            try:
                os.replace(self._tmp, self.path)
            except OSError as exc:
                self._tmp.unlink(missing_ok=True)
                raise MirrorError(f"cannot write {self.path}: {exc.strerror or type(exc).__name__}") from None
        return self.path

    def discard(self) -> None:
        """Drop the file (nothing is left under either name)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicVideoWriter:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


def write_overlay_video(
    video_path: str | Path,
    out_path: str | Path,
    report: Report | dict,
    landmarks: Landmarks,
    progress: Callable[[int], None] | None = None,
    *,
    me: str | None = None,
    selfie: bool = False,
) -> Path:
    """The recorded video with the overlay drawn on every frame (MJPG ``.avi``, atomic).

    Parameters
    ----------
    video_path : path
        The analysed video.  When its landmarks were extracted with
        ``mirrored_input``, frames are flipped back the same way.
    out_path : path
        The ``.avi`` to write (temporary name, then renamed).
    report : Report or dict
        ``report.json`` of the session (:func:`mirror.report.read_report`, or its JSON data).
    landmarks : Landmarks
        The session's landmarks (the skeletons drawn: the analysed frame nearest each video frame).
    progress : callable, optional
        Called with the number of frames just written.
    me : {"A", "B", None}
        Label the trainee ``You`` and the other ``Partner``; default ``A`` and ``B``.
    selfie : bool
        Flip the picture for display.

    Returns
    -------
    Path
        ``out_path``.
    """
    from mirror.sources import VideoFileSource

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".avi":
        raise MirrorError(f"overlay videos are MJPG .avi files; got {out_path.name}")
    view = ReportView.from_dict(report)
    mirrored = bool((landmarks.info.settings or {}).get("mirrored_input", False))
    with VideoFileSource(video_path, mirrored_input=mirrored) as source:
        fps = source.info.nominal_fps or 25.0
        writer = AtomicVideoWriter(out_path, fps, (source.info.width, source.info.height))
        try:
            for frame in source:
                state = OverlayState.from_report(view, landmarks, frame.t_s, me=me, selfie=selfie)
                writer.write(draw_overlay(frame.image, state))
                if progress is not None:
                    progress(1)
        except BaseException:
            writer.discard()
            raise
        return writer.close()
