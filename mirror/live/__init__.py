"""Live practice: a camera (or a video played as one) with the overlay drawn as it happens.

:func:`run_live` runs one session (see :mod:`mirror.live.session` for the
threads, :mod:`mirror.live.inference` for pair and solo inference, and
:mod:`mirror.live.settings` for the settings); keys are a pure state machine
(:mod:`mirror.live.keys`).
"""

from mirror.live.display import Display, OffscreenDisplay, WindowDisplay, check_screen
from mirror.live.keys import Controls, handle_key
from mirror.live.session import LiveResult, LiveSession, run_live
from mirror.live.settings import ENDINGS, LiveSettings, open_sources
from mirror.live.stats import LiveStats, Timing

__all__ = [
    "ENDINGS",
    "Controls",
    "Display",
    "LiveResult",
    "LiveSession",
    "LiveSettings",
    "LiveStats",
    "OffscreenDisplay",
    "Timing",
    "WindowDisplay",
    "check_screen",
    "handle_key",
    "open_sources",
    "run_live",
]
