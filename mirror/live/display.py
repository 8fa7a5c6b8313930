"""Where live frames go: an OpenCV window, or an offscreen sink (benchmarks, tests, ``--no-window``).

The window uses OpenCV's HighGUI (the ``opencv-contrib-python`` wheel is built
with Qt 5); it needs a screen, so the display is checked before the window
opens, giving one clear error instead of a crash from Qt.
"""

from __future__ import annotations

import os
import sys
import threading
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path

import numpy as np

from mirror.errors import MirrorError
from mirror.live.keys import NO_KEY


class Display(ABC):
    """Shows frames and reports key presses."""

    @abstractmethod
    def show(self, image: np.ndarray) -> None:
        """Show one ``(H, W, 3)`` uint8 BGR frame."""

    @abstractmethod
    def poll_key(self, wait_ms: int = 1) -> int:
        """The next key pressed (``-1``: none), waiting at most ``wait_ms``."""

    def is_open(self) -> bool:
        """False once the user closed the window."""
        return True

    def close(self) -> None:  # noqa: B027 (optional: a display with nothing to release keeps it)
        """Release the window; nothing by default."""


def check_screen() -> None:
    """Raise :class:`MirrorError` when no screen can show a window (Linux: X11 or Wayland)."""
    if not sys.platform.startswith("linux"):
        return
    display = os.environ.get("DISPLAY", "")
    if os.environ.get("WAYLAND_DISPLAY"):
        return
    if not display:
        raise MirrorError(
            "no screen to show the live window (DISPLAY is not set): run it on a desktop, or add --no-window"
        )
    if display.startswith(":"):
        number = display[1:].split(".")[0]
        if number.isdigit() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            raise MirrorError(f"no X server on DISPLAY={display}: run it on a desktop, or add --no-window")


class WindowDisplay(Display):
    """An OpenCV window without toolbar, placed at the top-left of the screen.

    Parameters
    ----------
    title : str
        The window title (also how tests find it on the screen).
    """

    def __init__(self, title: str = "mirror live") -> None:
        check_screen()
        import cv2

        self.cv2 = cv2
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        cv2.moveWindow(title, 0, 0)
        self._shown = False

    def show(self, image: np.ndarray) -> None:
        self.cv2.imshow(self.title, image)
        self._shown = True

    def poll_key(self, wait_ms: int = 1) -> int:
        return int(self.cv2.waitKeyEx(max(1, int(wait_ms))))

    def is_open(self) -> bool:
        if not self._shown:
            return True
        try:
            return self.cv2.getWindowProperty(self.title, self.cv2.WND_PROP_VISIBLE) >= 1
        except self.cv2.error:
            return False

    def close(self) -> None:
        try:
            self.cv2.destroyWindow(self.title)
            self.cv2.waitKey(1)
        except self.cv2.error:
            pass


class OffscreenDisplay(Display):
    """Keeps the last frame shown; keys come from :meth:`press` (any thread).

    Attributes
    ----------
    last : np.ndarray or None
        The last frame shown.
    shown : int
        Frames shown so far.
    """

    def __init__(self) -> None:
        self.last: np.ndarray | None = None
        self.shown = 0
        self._keys: deque[int] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def press(self, key: int | str) -> None:
        """Queue a key press (a code, or a one-character string)."""
        with self._lock:
            self._keys.append(ord(key) if isinstance(key, str) else int(key))
        self._wake.set()

    def show(self, image: np.ndarray) -> None:
        self.last = image
        self.shown += 1

    def poll_key(self, wait_ms: int = 1) -> int:
        with self._lock:
            if self._keys:
                return self._keys.popleft()
            self._wake.clear()
        if wait_ms > 1:
            self._wake.wait(wait_ms / 1000.0)
        return NO_KEY
