"""Each body part's events, built from the windows' per-part labels by the rule of the whole-body events."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mirror.report.model import PartEvent, Window
from mirror.vocabulary import RELATIONS


def part_events_from_windows(
    windows: Sequence[Window], channels: Sequence[str] | None = None, min_windows: int = 2
) -> list[PartEvent]:
    """Events per body part: runs of at least ``min_windows`` consecutive windows whose label for that part is the
    same ``mirror``, ``match`` or ``symmetric`` (a label is only given where the part beat chance).

    ``start_s`` is the first window's start, ``end_s`` the last window's end, ``strength`` the
    mean score of that relation, ``p_value`` the largest of the run's windows (each beat chance
    at least this surely). In time order, then in the order of ``channels`` (default: the body
    parts in the order the windows name them).
    """
    if channels is None:
        channels = list(dict.fromkeys(c for w in windows for c in w.channels))
    out: list[PartEvent] = []
    for part in channels:
        scores = [w.channels.get(part) for w in windows]
        labels = [
            "insufficient" if w.label == "insufficient" else (s.label if s is not None else "none")
            for w, s in zip(windows, scores, strict=True)
        ]
        i = 0
        while i < len(labels):
            j = i
            while j + 1 < len(labels) and labels[j + 1] == labels[i]:
                j += 1
            kind = labels[i]
            if kind in RELATIONS and j - i + 1 >= min_windows:
                run = [s for s in scores[i : j + 1] if s is not None]
                values = [v for v in (getattr(s, f"{kind}_score", None) for s in run) if v is not None]
                ps = [s.p_value for s in run if s.p_value is not None]
                out.append(
                    PartEvent(
                        body_part=part,
                        kind=kind,
                        start_s=windows[i].start_s,
                        end_s=windows[j].end_s,
                        strength=round(float(np.mean(values)), 3) if values else None,
                        p_value=max(ps) if ps else None,
                        windows=j - i + 1,
                    )
                )
            i = j + 1
    order = {c: k for k, c in enumerate(channels)}
    out.sort(key=lambda e: (e.start_s, order[e.body_part]))
    return out
