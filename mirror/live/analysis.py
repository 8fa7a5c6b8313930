"""The rolling analysis behind the live overlay: the last minute, every half second.

Each update runs the same stages as a recorded session on the rolling buffer:
features, the comparator with the ``live`` preset (no surrogates), and, less
often (``mechanical_every_s``: it costs about 0.3 s of CPU for a minute of
data, and its spans move by 10 s steps), mechanical imitation and coaching.
The overlay's :class:`ReportView` is built straight from those typed results
(:meth:`ReportView.from_results`): the live view shows what a report would say,
without writing the report and reading it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mirror.compare import PRESETS, CompareSettings, analyze_features
from mirror.features import compute_features
from mirror.landmarks.types import Landmarks
from mirror.overlay.view import ReportView

if TYPE_CHECKING:
    from mirror.coach import Message
    from mirror.compare import Synchrony
    from mirror.mechanical import Mechanical


@dataclass
class RollingAnalysis:
    """Keeps the latest analysis of the rolling buffer.

    Attributes
    ----------
    settings : CompareSettings
        Comparator settings (``live`` preset).
    mechanical_every_s : float
        Seconds of session time between two mechanical-imitation and coaching runs.
    keep_messages_s : float
        Coaching messages stay known this long after their time, across updates.
    view : ReportView
        The latest result (empty until the buffer holds one window).
    runs, mechanical_runs : int
        Comparator updates so far; mechanical-imitation and coaching runs so far.
    mechanical : Mechanical or None
        The latest mechanical-imitation result (None before the first).
    smooth_s : float or None
        The smoothing the latest update chose for how large the people are in the picture;
        the next update keeps it until their size clearly asks for another
        (:data:`~mirror.compare.SMOOTHING_MARGIN`), so the labels do not change with it
        while nobody moves.
    """

    settings: CompareSettings = field(default_factory=lambda: PRESETS["live"])
    mechanical_every_s: float = 5.0
    keep_messages_s: float = 30.0
    view: ReportView = field(default_factory=ReportView.empty)
    runs: int = 0
    mechanical_runs: int = 0
    mechanical: Mechanical | None = None
    smooth_s: float | None = None
    _last_mechanical_t: float = -np.inf
    _messages: dict[tuple[str, str, int], Message] = field(default_factory=dict)

    def update(self, landmarks: Landmarks) -> ReportView:
        """Analyse the buffer; returns (and keeps) the new view.

        Parameters
        ----------
        landmarks : Landmarks
            The rolling buffer, ``(T, 2, ...)``, in time order.
        """
        if len(landmarks) < 2 or landmarks.t_s[-1] - landmarks.t_s[0] < self.settings.window_s:
            return self.view
        features = compute_features(landmarks)
        synchrony = analyze_features(features, self.settings, n_surrogates=0, held_smooth_s=self.smooth_s)
        self.smooth_s = synchrony.run.settings.smooth_s
        now = float(landmarks.t_s[-1])
        self.runs += 1
        if now - self._last_mechanical_t >= self.mechanical_every_s:
            from mirror.coach import coach_session
            from mirror.mechanical import detect_mechanical

            self.mechanical = detect_mechanical(features, synchrony.windows)
            for m in coach_session(features, synchrony, self.mechanical):
                self._messages[(m.to, m.key, int(round(m.t_s)))] = m
            self._last_mechanical_t = now
            self.mechanical_runs += 1
        self._messages = {k: m for k, m in self._messages.items() if m.t_s >= now - self.keep_messages_s}
        self.view = self.make_view(synchrony, sorted(self._messages.values(), key=lambda m: m.t_s))
        return self.view

    def make_view(self, synchrony: Synchrony, messages: list[Message]) -> ReportView:
        """The overlay's view of one update: its windows, the latest mechanical result and ``messages``."""
        return ReportView.from_results(synchrony, self.mechanical, messages)
