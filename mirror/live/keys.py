"""Keys of the live window as a pure state machine: (controls, key) -> (controls, action).

=====  ==========================================
key    action
=====  ==========================================
q      quit (also Esc, and closing the window)
space  pause / resume (the display freezes, nothing is recorded meanwhile)
s      save a snapshot of the window (PNG)
r      start / stop recording the window (MJPG .avi)
=====  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass, replace

NO_KEY = -1
ESC = 27

QUIT = "quit"
PAUSE = "pause"
RESUME = "resume"
SNAPSHOT = "snapshot"
RECORD_START = "record_start"
RECORD_STOP = "record_stop"
ACTIONS = (QUIT, PAUSE, RESUME, SNAPSHOT, RECORD_START, RECORD_STOP)

KEY_HELP = "q quit   space pause   s snapshot   r record"


@dataclass(frozen=True)
class Controls:
    """What the user has asked for so far."""

    paused: bool = False
    recording: bool = False
    quitting: bool = False


def handle_key(controls: Controls, key: int) -> tuple[Controls, str | None]:
    """The new controls and the action a key press asks for (None: nothing to do).

    Parameters
    ----------
    controls : Controls
        The current state.
    key : int
        A key code as ``cv2.waitKeyEx`` returns it (``-1``: no key).  Only the
        low byte is read, and letters are case-insensitive.

    Returns
    -------
    (Controls, str or None)
        One of :data:`ACTIONS` or None.  After ``quit`` every key is ignored.
    """
    if key is None or key < 0 or controls.quitting:
        return controls, None
    code = key & 0xFF
    char = chr(code).lower() if 32 <= code < 127 else ""
    if code == ESC or char == "q":
        return replace(controls, quitting=True), QUIT
    if char == " ":
        return replace(controls, paused=not controls.paused), RESUME if controls.paused else PAUSE
    if char == "s":
        return controls, SNAPSHOT
    if char == "r":
        return replace(controls, recording=not controls.recording), RECORD_STOP if controls.recording else RECORD_START
    return controls, None
