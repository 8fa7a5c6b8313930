"""Frames captured on their own thread; only the newest is kept, stale ones are dropped.

A video file given as a source plays as if it were a camera: paced in real
time from its own timestamps, and frames that come too late are dropped
rather than shown late.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Generic, TypeVar

import cv2
import numpy as np

from mirror.errors import MirrorError
from mirror.sources import FrameSource

T = TypeVar("T")


class Latest(Generic[T]):
    """A one-item mailbox: ``put`` replaces, readers wait for something newer than what they saw.

    Attributes
    ----------
    dropped : int
        Items replaced before anyone took them.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._seq = 0
        self._taken = True
        self.dropped = 0
        self.closed = False

    def put(self, item: T) -> None:
        with self._cond:
            if not self._taken:
                self.dropped += 1
            self._item, self._taken = item, False
            self._seq += 1
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every waiting reader for good (no more items will come)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def newer(self, seen: int, timeout: float | None = None) -> tuple[int, T | None]:
        """Wait up to ``timeout`` s for an item newer than sequence number ``seen``.

        Returns
        -------
        (int, item or None)
            The item's sequence number and the item; ``(seen, None)`` on time-out or when closed.
        """
        with self._cond:
            if self._seq <= seen and not self.closed:
                self._cond.wait_for(lambda: self._seq > seen or self.closed, timeout)
            if self._seq <= seen:
                return seen, None
            self._taken = True
            return self._seq, self._item

    def peek(self) -> tuple[int, T | None]:
        with self._cond:
            return self._seq, self._item


@dataclass(frozen=True)
class CapturedFrame:
    """One captured frame.

    Attributes
    ----------
    index : int
        Position in the source stream.
    t_s : float
        Stream time (files) or session clock (cameras), seconds.
    image : np.ndarray
        ``(H, W, 3)`` uint8 BGR, at most ``max_size``.
    captured_s : float
        ``time.perf_counter()`` when it was captured: the start of its latency.
    """

    index: int
    t_s: float
    image: np.ndarray
    captured_s: float


def fit_size(width: int, height: int, max_size: tuple[int, int]) -> tuple[int, int]:
    """``(width, height)`` scaled down (never up) to fit in ``max_size``, keeping the aspect."""
    scale = min(1.0, max_size[0] / width, max_size[1] / height)
    return max(2, int(round(width * scale))), max(2, int(round(height * scale)))


class Capture(threading.Thread):
    """Reads a source on a thread into a :class:`Latest` mailbox.

    Parameters
    ----------
    source : FrameSource
        A camera or a video file (closed by the caller).
    paced : bool
        Play in real time from the stream's timestamps (video files).
    stream_time : bool
        Stamp frames with the stream's time (else the session clock).
    max_size : tuple of int
        Frames are scaled down to fit ``(width, height)``.
    late_s : float
        With ``paced``, frames later than this are dropped.

    Attributes
    ----------
    state : str
        ``running``, ``ended`` (a file reached its end), ``lost`` (a camera
        stopped delivering, or a file broke off: ``error`` says why) or ``stopped``.
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        paced: bool,
        stream_time: bool,
        max_size: tuple[int, int] = (640, 480),
        late_s: float = 0.08,
        name: str = "mirror-capture",
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.source = source
        self.t0_s = 0.0  # the session clock's zero (``time.perf_counter()``), set by start_at
        self.paced = paced
        self.stream_time = stream_time
        self.size = fit_size(source.info.width, source.info.height, max_size)
        self.late_s = late_s
        self.frames = Latest[CapturedFrame]()
        self.state = "running"
        self.error: str | None = None
        self.captured = 0
        self.late_dropped = 0
        self._halt = threading.Event()

    @property
    def kind(self) -> str:
        return self.source.info.kind

    def start_at(self, t0_s: float) -> None:
        """Start reading; cameras' frames are stamped from ``t0_s`` (``time.perf_counter()`` at the session start)."""
        self.t0_s = t0_s
        self.start()

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        offset = None
        try:
            for frame in self.source:
                if self._halt.is_set():
                    self.state = "stopped"
                    return
                now = time.perf_counter()
                if self.paced:
                    if offset is None:
                        offset = now - frame.t_s  # wall clock of the stream's zero
                    target = offset + frame.t_s
                    if target > now:
                        if self._halt.wait(target - now):
                            self.state = "stopped"
                            return
                        now = time.perf_counter()
                    elif now - target > self.late_s:
                        self.late_dropped += 1
                        continue
                image = frame.image
                if (image.shape[1], image.shape[0]) != self.size:
                    image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
                t_s = frame.t_s if self.stream_time else now - self.t0_s
                self.frames.put(CapturedFrame(frame.index, float(t_s), np.ascontiguousarray(image), now))
                self.captured += 1
            if self.kind == "webcam":
                self.state, self.error = "lost", "the camera stopped delivering frames"
            else:
                self.state = "ended"
        except MirrorError as err:
            self.state, self.error = "lost", str(err)
        except Exception as err:  # a driver or decoder failure mid-stream: the session still saves
            self.state, self.error = "lost", f"{type(err).__name__}: {err}"
        finally:
            self.frames.close()
