"""The on-screen overlay: skeletons, states per body part, rapport, timeline, warnings and coaching.

One pure drawing function, :func:`draw_overlay` (frame in, new frame out),
shared by the live window and by overlay videos of recorded sessions
(:func:`write_overlay_video`).  What to draw is an :class:`OverlayState`,
built by its ``from_*`` constructors from a report or a live rolling analysis.
"""

from mirror.overlay.draw import (
    PERSON_COLORS,
    STATE_COLORS,
    draw_overlay,
    label_anchor,
    state_badge_box,
    state_color,
    timeline_box,
)
from mirror.overlay.state import OverlayState, PersonView, person_labels
from mirror.overlay.video import AtomicVideoWriter, write_overlay_video
from mirror.overlay.view import ReportView

__all__ = [
    "PERSON_COLORS",
    "STATE_COLORS",
    "AtomicVideoWriter",
    "OverlayState",
    "PersonView",
    "ReportView",
    "draw_overlay",
    "label_anchor",
    "person_labels",
    "state_badge_box",
    "state_color",
    "timeline_box",
    "write_overlay_video",
]
