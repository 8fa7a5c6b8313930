"""The analysis rate: at most one frame per period, on the frames' own timestamps.

One gate serves the sources (frames subsampled as they are read) and the live
session's recording (rows kept at the analysis rate).  A frame is kept when it
falls no earlier than the next slot, less a tolerance; the next slot is then
the first one whole periods on that is after the frame, so a variable frame
rate or a dropped frame never makes the rate drift.
"""

from __future__ import annotations


class RateGate:
    """Keeps frames at most one per ``period_s`` seconds of their timestamps.

    Parameters
    ----------
    period_s : float or None
        Seconds between kept frames; None keeps every frame.
    tolerance_s : float
        A frame this much before its slot still takes it (timestamps jitter).
    """

    def __init__(self, period_s: float | None, tolerance_s: float) -> None:
        self.period_s = period_s
        self.tolerance_s = tolerance_s
        self.next_t_s: float | None = None  # the next slot; None before the first frame kept

    def due(self, t_s: float) -> bool:
        """Whether a frame at ``t_s`` seconds would be kept (nothing changes)."""
        if self.period_s is None or self.next_t_s is None:
            return True
        return t_s + self.tolerance_s >= self.next_t_s

    def take(self, t_s: float) -> None:
        """Keep a frame at ``t_s``: the next slot is the first whole period on that comes after it."""
        if self.period_s is None:
            return
        if self.next_t_s is None:
            self.next_t_s = t_s
        while self.next_t_s <= t_s + self.tolerance_s:
            self.next_t_s += self.period_s

    def keep(self, t_s: float) -> bool:
        """:meth:`due`, and :meth:`take` the frame when it is."""
        if not self.due(t_s):
            return False
        self.take(t_s)
        return True
