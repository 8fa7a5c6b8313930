"""Frames with stream timestamps, from video files, webcams and still images.

Every source is an iterable of :class:`Frame` and a context manager.  Time
comes from the stream (``CAP_PROP_POS_MSEC``) so variable frame rates are kept;
an analysis rate (``fps``) subsamples frames on those timestamps without
decoding the frames it drops.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from mirror.errors import MirrorError
from mirror.sources.files import AUDIO_ONLY, file_sha256, why_unreadable
from mirror.sources.rate import RateGate
from mirror.sources.spec import camera_index
from mirror.vocabulary import SourceKind

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")

QUIET_OPENCV = {"OPENCV_LOG_LEVEL": "ERROR", "OPENCV_FFMPEG_LOGLEVEL": "-8", "OPENCV_VIDEOIO_DEBUG": "0"}
"""Environment that keeps OpenCV's and FFmpeg's own warnings about a stream off the terminal."""


def quiet_opencv() -> None:
    """Set :data:`QUIET_OPENCV` in the process environment where the user has not set them.

    OpenCV reads them when it first opens a stream, so every source calls this
    before it opens one (importing this module changes nothing).
    """
    for name, value in QUIET_OPENCV.items():
        os.environ.setdefault(name, value)


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index : int
        Position of the frame in the stream (0-based, counting every frame).
    t_s : float
        Presentation time in seconds from the start of the stream.
    image : np.ndarray
        ``(H, W, 3)`` uint8 BGR pixels, in anatomical orientation (see
        ``mirrored_input``).
    """

    index: int
    t_s: float
    image: np.ndarray


@dataclass
class SourceInfo:
    """What a source is: enough to reproduce and to key a cache on."""

    kind: SourceKind
    name: str
    width: int
    height: int
    nominal_fps: float
    frame_count: int  # as announced by the container; -1 when unknown
    analysis_fps: float | None = None
    mirrored_input: bool = False
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "width": self.width,
            "height": self.height,
            "nominal_fps": self.nominal_fps,
            "frame_count": self.frame_count,
            "analysis_fps": self.analysis_fps,
            "mirrored_input": self.mirrored_input,
            **self.extra,
        }


class FrameSource(ABC):
    """Iterable of :class:`Frame`; use as a context manager to release devices."""

    info: SourceInfo

    @abstractmethod
    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None:  # noqa: B027  # pragma: no cover - a source with nothing to release
        pass

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def stream_gate(fps: float | None, native_fps: float) -> RateGate:
    """Frames at ``fps`` on stream timestamps (all when None), a quarter of a native frame's time either side."""
    if fps is not None and fps <= 0:
        raise MirrorError(f"--fps must be positive, got {fps}")
    return RateGate(None if fps is None else 1.0 / fps, 0.25 / native_fps if native_fps > 0 else 1e-3)


def _flip(image: np.ndarray, mirrored: bool) -> np.ndarray:
    return cv2.flip(image, 1) if mirrored else image


class VideoFileSource(FrameSource):
    """Frames of any OpenCV-readable video file.

    Parameters
    ----------
    path : str or Path
        The video file.
    fps : float, optional
        Analysis rate: frames are subsampled on stream time to at most this rate.
    start_index : int
        Skip (grab without decoding) every frame before this stream index; used
        to resume an interrupted extraction.
    mirrored_input : bool
        The file holds a mirror image (a selfie recording): frames are flipped
        back so that left and right stay anatomical.
    """

    def __init__(
        self,
        path: str | Path,
        fps: float | None = None,
        start_index: int = 0,
        mirrored_input: bool = False,
    ) -> None:
        quiet_opencv()
        self.path = Path(path)
        if not self.path.exists():
            raise MirrorError(f"no such file: {self.path}")
        if self.path.is_dir():
            raise MirrorError(f"{self.path} is a folder, not a video file")
        if self.path.stat().st_size == 0:
            raise MirrorError(f"{self.path} is empty (0 bytes), not a video")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise MirrorError(f"{self.path} is not a readable video ({why_unreadable(self.path)})")
        ok = self._cap.grab()
        if not ok:
            self._cap.release()
            if why_unreadable(self.path) == AUDIO_ONLY:
                raise MirrorError(f"{self.path} is not a readable video ({AUDIO_ONLY})")
            raise MirrorError(f"{self.path} has no readable frames (a video with zero frames, or corrupt)")
        ok, first = self._cap.retrieve()
        if not ok or first is None or first.size == 0:
            self._cap.release()
            raise MirrorError(f"{self.path} has no decodable frames (corrupt video)")
        native = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not np.isfinite(native) or native <= 0 or native > 1000:
            native = 0.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or -1)
        # start again from the first frame: reopening works with every backend (seeking does not)
        self._cap.release()
        self._cap = cv2.VideoCapture(str(self.path))
        self.fps = fps
        self.start_index = start_index
        self.mirrored_input = mirrored_input
        self.frames_read = 0
        self.info = SourceInfo(
            kind="video",
            name=str(self.path),
            width=int(first.shape[1]),
            height=int(first.shape[0]),
            nominal_fps=native,
            frame_count=count if count > 0 else -1,
            analysis_fps=fps,
            mirrored_input=mirrored_input,
        )
        self._sub = stream_gate(fps, native or 30.0)

    def content_sha256(self) -> str:
        return file_sha256(self.path)

    def __iter__(self) -> Iterator[Frame]:
        cap = self._cap
        native = self.info.nominal_fps or 30.0
        prev_t = -np.inf
        index = -1
        while cap.grab():
            index += 1
            pos_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            t_s = pos_ms / 1000.0 if pos_ms is not None and np.isfinite(pos_ms) else np.nan
            if not np.isfinite(t_s) or t_s <= prev_t:
                # container without usable timestamps: fall back to the nominal rate
                t_s = index / native if prev_t == -np.inf else prev_t + 1.0 / native
            prev_t = t_s
            self.frames_read = index + 1
            if not self._sub.keep(t_s) or index < self.start_index:
                continue
            ok, image = cap.retrieve()
            if not ok or image is None:
                raise MirrorError(f"{self.path}: frame {index} cannot be decoded (truncated or corrupt video)")
            yield Frame(index=index, t_s=float(t_s), image=_flip(image, self.mirrored_input))
        count = self.info.frame_count
        if count > 0 and self.frames_read < 0.9 * count - 1:
            raise MirrorError(
                f"{self.path}: the stream ends at frame {self.frames_read} of {count} announced "
                "(truncated or corrupt video)"
            )

    def close(self) -> None:
        self._cap.release()


class WebcamSource(FrameSource):
    """Live frames from a camera, stamped with the monotonic clock.

    Parameters
    ----------
    index : int
        OpenCV camera index.
    fps : float, optional
        Analysis rate (frames arriving faster are dropped).
    max_seconds : float, optional
        Stop after this long.
    mirrored_input : bool
        The camera delivers a mirror (selfie) image; frames are flipped back.
    """

    def __init__(
        self,
        index: int,
        fps: float | None = None,
        max_seconds: float | None = None,
        mirrored_input: bool = False,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        quiet_opencv()
        self._cap = cv2.VideoCapture(int(index))
        first = None
        if self._cap.isOpened():
            if width:
                self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            if height:
                self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            ok, first = self._cap.read()
            if not ok:
                first = None
        if first is None:
            self._cap.release()
            found = list_cameras()
            listing = ", ".join(map(str, found)) if found else "none"
            raise MirrorError(f"no camera at index {index} (cameras found: {listing})")
        self._first = first
        self.fps = fps
        self.max_seconds = max_seconds
        self.mirrored_input = mirrored_input
        native = float(self._cap.get(cv2.CAP_PROP_FPS) or 30.0)
        self.info = SourceInfo(
            kind="webcam",
            name=f"camera {index}",
            width=int(first.shape[1]),
            height=int(first.shape[0]),
            nominal_fps=native,
            frame_count=-1,
            analysis_fps=fps,
            mirrored_input=mirrored_input,
        )
        self._sub = stream_gate(fps, native if native > 0 else 30.0)

    def __iter__(self) -> Iterator[Frame]:
        t0 = time.monotonic()
        image = self._first
        index = 0
        while image is not None:
            t_s = time.monotonic() - t0
            if self.max_seconds is not None and t_s > self.max_seconds:
                return
            if self._sub.keep(t_s):
                yield Frame(index=index, t_s=t_s, image=_flip(image, self.mirrored_input))
            ok, image = self._cap.read()
            if not ok:
                return
            index += 1

    def close(self) -> None:
        self._cap.release()


class ImageSource(FrameSource):
    """Still images as frames one second apart (``t_s`` = position in the list)."""

    def __init__(self, paths: Sequence[str | Path], mirrored_input: bool = False) -> None:
        quiet_opencv()
        if not paths:
            raise MirrorError("no images given")
        self.paths = [Path(p) for p in paths]
        self.images = []
        for p in self.paths:
            if not p.exists():
                raise MirrorError(f"no such file: {p}")
            image = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if image is None or image.size == 0:
                raise MirrorError(f"{p} is not a readable image (empty, truncated or unknown format)")
            self.images.append(_flip(image, mirrored_input))
        h, w = self.images[0].shape[:2]
        self.info = SourceInfo(
            kind="image",
            name=str(self.paths[0]) if len(self.paths) == 1 else f"{len(self.paths)} images",
            width=int(w),
            height=int(h),
            nominal_fps=1.0,
            frame_count=len(self.paths),
            mirrored_input=mirrored_input,
        )

    def content_sha256(self) -> str:
        digest = hashlib.sha256()
        for p in self.paths:
            digest.update(file_sha256(p).encode())
        return digest.hexdigest()

    def __iter__(self) -> Iterator[Frame]:
        for i, image in enumerate(self.images):
            yield Frame(index=i, t_s=float(i), image=image)


def list_cameras(max_index: int = 4) -> list[int]:
    """Indices of the cameras that open and deliver a frame (probes 0..max_index-1)."""
    quiet_opencv()
    found = []
    for i in range(max_index):
        if sys.platform.startswith("linux") and not Path(f"/dev/video{i}").exists():
            continue
        cap = cv2.VideoCapture(i)
        try:
            if cap.isOpened() and cap.read()[0]:
                found.append(i)
        finally:
            cap.release()
    return found


def open_source(
    spec: str | Path,
    fps: float | None = None,
    start_index: int = 0,
    mirrored_input: bool = False,
) -> FrameSource:
    """Open a video file, a webcam (an integer index) or a still image by one string.

    Raises
    ------
    MirrorError
        With one line naming the problem and the valid kinds of input.
    """
    index = camera_index(spec)
    if index is not None:
        return WebcamSource(index, fps=fps, mirrored_input=mirrored_input)
    path = Path(spec)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource([path], mirrored_input=mirrored_input)
    return VideoFileSource(path, fps=fps, start_index=start_index, mirrored_input=mirrored_input)
