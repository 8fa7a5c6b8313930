"""Live practice: a camera (or a video played as one) with the overlay drawn as it happens.

:func:`run_live` runs one session (see :mod:`mirror.live.session` for the
threads); keys are a pure state machine (:mod:`mirror.live.keys`).
"""

from mirror.live.display import Display, OffscreenDisplay, WindowDisplay, check_screen
from mirror.live.keys import Controls, handle_key
from mirror.live.session import ENDINGS, LiveResult, LiveSession, LiveSettings, open_sources, run_live

__all__ = [
    "ENDINGS",
    "Controls",
    "Display",
    "LiveResult",
    "LiveSession",
    "LiveSettings",
    "OffscreenDisplay",
    "WindowDisplay",
    "check_screen",
    "handle_key",
    "open_sources",
    "run_live",
]
