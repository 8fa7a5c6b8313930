"""``report.json``, ``windows.csv`` and ``events.csv``: the typed report built from a session, and written.

The document is :class:`mirror.report.model.Report` (schema: docs/report.schema.json, docs/report-schema.md).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import mirror.report.model as rm
from mirror import __version__
from mirror.report.model import REPORT_FORMAT, REPORT_VERSION, Report
from mirror.report.parts import part_events_from_windows
from mirror.storage import write_atomic

if TYPE_CHECKING:
    from mirror.coach import Message
    from mirror.compare import Synchrony
    from mirror.mechanical import Mechanical

__all__ = [
    "EVENT_COLUMNS",
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "WHOLE_BODY",
    "WINDOW_COLUMNS",
    "build_report",
    "part_events_from_windows",
    "report_dict",
    "usability_model",
    "write_report",
    "write_report_files",
]


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else round(x, 4)


def _time(x) -> float:
    """A window bound (always finite), rounded as every number of the report."""
    return round(float(x), 4)


def _clean(obj: Any) -> Any:
    """A stage's plain data as JSON data: NumPy scalars as Python ones, non-finite numbers as None, floats rounded."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def usability_model(summary: dict) -> dict[str, dict[str, rm.PartUsability]]:
    """``report.json``'s ``usability`` from :meth:`mirror.features.Features.usability`.

    Per person and body part: the share of frames the part was usable, the most frequent reason
    when it was not (``ok`` when always usable) and the share of frames of each reason.
    """
    return {
        person: {
            part: rm.PartUsability(
                usable_share=_num(v.get("usable", float("nan"))),
                reason=str(v.get("reason") or "ok"),
                reasons=_clean(v.get("reasons") or {}),
            )
            for part, v in parts.items()
        }
        for person, parts in summary.items()
    }


WHOLE_BODY = "whole_body"
"""The ``body_part`` of a whole-body event in ``events.csv`` (a body part's events name the part)."""


def _windows(result: Synchrony) -> list[rm.Window]:
    w = result.windows
    return [
        rm.Window(
            start_s=_time(w.start_s[i]),
            end_s=_time(w.end_s[i]),
            label=str(w.label[i]),
            mirror_score=_num(w.mirror_score[i]),
            match_score=_num(w.match_score[i]),
            sync_score=_num(w.sync_score[i]),
            p_value=_num(w.p_value[i]),
            continues=bool(w.continues[i]),
            lag_s=_num(w.lag_s[i]),
            leader=str(w.leader[i]) or None,
            asymmetry=rm.Asymmetry(A=_num(w.asymmetry[i, 0]), B=_num(w.asymmetry[i, 1])),
            valid=_num(w.valid[i]),
            channels={
                c: rm.PartScores(
                    label=str(w.channel_label[i, k]),
                    mirror_score=_num(w.channel_mirror[i, k]),
                    match_score=_num(w.channel_match[i, k]),
                    p_value=_num(w.channel_p[i, k]),
                    valid=_num(w.channel_valid[i, k]),
                )
                for k, c in enumerate(w.channels)
            },
        )
        for i in range(len(w))
    ]


def build_report(
    result: Synchrony,
    provenance: dict | None = None,
    mechanical: Mechanical | None = None,
    feedback: Sequence[Message] | None = None,
    usability: dict | None = None,
) -> Report:
    """The report of a session in memory: ``windows``, ``events`` (whole body), ``part_events`` (per body part),
    ``summary``, ``mechanical``, ``feedback``, provenance and usability.

    Parameters
    ----------
    provenance : dict, optional
        What the session was made from (:class:`mirror.report.model.Provenance`'s fields).
    usability : dict, optional
        :meth:`mirror.features.Features.usability` (per person and body part); written as
        ``usability`` (:func:`usability_model`) when given, left out otherwise.
    """
    w = result.windows
    windows = _windows(result)
    calibration = w.run.calibration
    adapted = result.run.adapted
    optional: dict[str, Any] = {} if usability is None else {"usability": usability_model(usability)}
    return Report(
        format=REPORT_FORMAT,
        format_version=REPORT_VERSION,
        mirror=__version__,
        provenance=rm.Provenance.model_validate(_clean(provenance or {})),
        settings=rm.CompareSettings.model_validate(_clean(result.run.settings.to_dict())),
        calibration=rm.Calibration.model_validate(_clean(calibration.to_dict()) if calibration is not None else {}),
        adapted=rm.Adapted.model_validate(_clean(adapted.to_dict())) if adapted is not None else None,
        summary=rm.Summary.model_validate(_clean(result.summary.to_dict())),
        events=[rm.Event.model_validate(_clean(e.to_dict())) for e in result.events],
        part_events=part_events_from_windows(windows, list(w.channels)),
        mechanical=rm.Mechanical.model_validate(_clean(mechanical.to_dict())) if mechanical is not None else None,
        feedback=[rm.Message.model_validate(_clean(m.to_dict())) for m in (feedback or [])],
        windows=windows,
        **optional,
    )


def report_dict(
    result: Synchrony,
    provenance: dict | None = None,
    mechanical: Mechanical | None = None,
    feedback: Sequence[Message] | None = None,
    usability: dict | None = None,
) -> dict:
    """:func:`build_report` as ``report.json``'s JSON data."""
    return build_report(result, provenance, mechanical, feedback, usability).to_dict()


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buf.getvalue().encode()


WINDOW_COLUMNS = [
    "window", "start_s", "end_s", "channel", "label", "mirror_score", "match_score", "sync_score",
    "p_value", "continues", "lag_s", "leader", "asymmetry_A", "asymmetry_B", "valid",
]  # fmt: skip
EVENT_COLUMNS = [
    "event", "start_s", "end_s", "kind", "channels", "leader", "lag_s", "strength", "p_value", "windows", "body_part",
]  # fmt: skip


def window_rows(doc: Report) -> list[dict]:
    """``windows.csv``'s rows: per window, the whole body's (``overall``), then each body part's."""
    rows = []
    for i, win in enumerate(doc.windows):
        base = {"window": i, "start_s": win.start_s, "end_s": win.end_s, "valid": win.valid}
        rows.append(
            {
                **base,
                "channel": "overall",
                "label": win.label,
                "mirror_score": win.mirror_score,
                "match_score": win.match_score,
                "sync_score": win.sync_score,
                "p_value": win.p_value,
                "continues": int(win.continues),
                "lag_s": win.lag_s,
                "leader": win.leader,
                "asymmetry_A": win.asymmetry.A,
                "asymmetry_B": win.asymmetry.B,
            }
        )
        for name, ch in win.channels.items():
            rows.append({**base, "channel": name, **ch.model_dump(exclude_unset=True)})
    return rows


def event_rows(doc: Report) -> list[dict]:
    """``events.csv``'s rows: the whole body's events, then each body part's."""
    rows = [
        {**e.model_dump(exclude_unset=True), "event": i, "channels": ";".join(e.channels), "body_part": WHOLE_BODY}
        for i, e in enumerate(doc.events)
    ]
    rows += [
        {**e.model_dump(exclude_unset=True), "event": i, "channels": e.body_part}
        for i, e in enumerate(doc.part_events or [])
    ]
    return rows


def write_report(
    result: Synchrony,
    out_dir: str | Path,
    provenance: dict | None = None,
    mechanical: Mechanical | None = None,
    feedback: Sequence[Message] | None = None,
    usability: dict | None = None,
) -> dict[str, Path]:
    """Write ``report.json``, ``windows.csv`` (tidy: one row per window and channel) and ``events.csv``, each
    atomically.

    ``events.csv`` holds the whole-body events (``body_part`` ``whole_body``) then each body
    part's (``body_part`` the part); ``event`` indexes ``events`` or ``part_events``.
    """
    return write_report_files(build_report(result, provenance, mechanical, feedback, usability), out_dir)


def write_report_files(doc: Report, out_dir: str | Path) -> dict[str, Path]:
    """:func:`write_report` for a report already built (:func:`build_report`)."""
    out = Path(out_dir)
    paths = {name: out / name for name in ("report.json", "windows.csv", "events.csv")}
    write_atomic(paths["report.json"], doc.to_json())
    write_atomic(paths["windows.csv"], _csv(window_rows(doc), WINDOW_COLUMNS))
    write_atomic(paths["events.csv"], _csv(event_rows(doc), EVENT_COLUMNS))
    return paths
