"""The rolling analysis behind the live overlay: the last minute, every half second.

Each update runs the same stages as a recorded session on the rolling buffer:
features, the comparator with the ``live`` preset (no surrogates), and, less
often (``mechanical_every_s``: it costs about 0.3 s of CPU for a minute of
data, and its spans move by 10 s steps), mechanical imitation and coaching.
The result is a ``report.json``-shaped dict and its :class:`ReportView`, so
the live overlay is drawn from exactly what a report would say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mirror.compare import PRESETS, CompareSettings, analyze_features
from mirror.features import compute_features
from mirror.landmarks.types import Landmarks
from mirror.overlay.state import ReportView
from mirror.report import report_dict


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
    report : dict or None
        The latest result as a report document.
    runs : int
        Comparator updates so far.
    """

    settings: CompareSettings = field(default_factory=lambda: PRESETS["live"])
    mechanical_every_s: float = 5.0
    keep_messages_s: float = 30.0
    view: ReportView = field(default_factory=ReportView.empty)
    report: dict | None = None
    runs: int = 0
    mechanical_runs: int = 0
    _mechanical: object = None
    _last_mechanical_t: float = -np.inf
    _messages: dict = field(default_factory=dict)

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
        synchrony = analyze_features(features, self.settings, n_surrogates=0)
        now = float(landmarks.t_s[-1])
        self.runs += 1
        if now - self._last_mechanical_t >= self.mechanical_every_s:
            from mirror.coach import coach_session
            from mirror.mechanical import detect_mechanical

            self._mechanical = detect_mechanical(features, synchrony.windows)
            for m in coach_session(features, synchrony, self._mechanical):
                self._messages[(m.to, m.key, int(round(m.t_s)))] = m
            self._last_mechanical_t = now
            self.mechanical_runs += 1
        self._messages = {k: m for k, m in self._messages.items() if m.t_s >= now - self.keep_messages_s}
        messages = sorted(self._messages.values(), key=lambda m: m.t_s)
        self.report = report_dict(synchrony, {}, mechanical=self._mechanical, feedback=messages)
        self.view = ReportView.from_dict(self.report)
        return self.view
