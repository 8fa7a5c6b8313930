"""``report.json``, ``windows.csv`` and ``events.csv`` (schema in docs/report-schema.md)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from mirror import __version__
from mirror.compare import Synchrony
from mirror.storage import write_atomic

REPORT_FORMAT = "mirror.report"
REPORT_VERSION = 1


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else round(x, 4)


def _clean(obj):
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def usability_dict(summary: dict) -> dict:
    """``report.json``'s ``usability`` from :meth:`mirror.features.Features.usability`.

    ``{person: {part: {"usable_share", "reason", "reasons"}}}``: the share of frames the part
    was usable, the most frequent reason when it was not (``ok`` when always usable) and the
    share of frames of each reason.
    """
    return {
        person: {
            part: {
                "usable_share": _num(v.get("usable", float("nan"))),
                "reason": str(v.get("reason") or "ok"),
                "reasons": _clean(v.get("reasons") or {}),
            }
            for part, v in parts.items()
        }
        for person, parts in summary.items()
    }


PART_EVENT_KINDS = ("mirror", "match", "symmetric")
WHOLE_BODY = "whole_body"
"""The ``body_part`` of a whole-body event in ``events.csv`` (a body part's events name the part)."""


def part_events_from_windows(windows: list[dict], channels=None, min_windows: int = 2) -> list[dict]:
    """Events per body part, by the rule of the whole-body events, from ``report.json``'s windows.

    A body part's event is a run of at least ``min_windows`` consecutive windows whose label
    for that part is the same ``mirror``, ``match`` or ``symmetric`` (a label is only given
    where the part beat chance): ``body_part``, ``kind``, ``start_s`` (the first window's
    start), ``end_s`` (the last window's end), ``strength`` (mean score of that relation),
    ``p_value`` (the largest of the run's windows: each beat chance at least this surely) and
    ``windows`` (count). In time order, then in the order of the body parts.
    """
    if channels is None:
        channels = list(dict.fromkeys(c for w in windows for c in (w.get("channels") or {})))
    out = []
    for part in channels:
        labels = [
            "insufficient"
            if w.get("label") == "insufficient"
            else (((w.get("channels") or {}).get(part) or {}).get("label") or "none")
            for w in windows
        ]
        i = 0
        while i < len(labels):
            j = i
            while j + 1 < len(labels) and labels[j + 1] == labels[i]:
                j += 1
            kind = labels[i]
            if kind in PART_EVENT_KINDS and j - i + 1 >= min_windows:
                chans = [(windows[k].get("channels") or {}).get(part) or {} for k in range(i, j + 1)]
                scores = [c.get(f"{kind}_score") for c in chans if c.get(f"{kind}_score") is not None]
                ps = [c.get("p_value") for c in chans if c.get("p_value") is not None]
                out.append({
                    "body_part": part, "kind": kind, "start_s": windows[i]["start_s"], "end_s": windows[j]["end_s"],
                    "strength": round(float(np.mean(scores)), 3) if scores else None,
                    "p_value": max(ps) if ps else None, "windows": j - i + 1,
                })  # fmt: skip
            i = j + 1
    order = {c: k for k, c in enumerate(channels)}
    out.sort(key=lambda e: (e["start_s"], order[e["body_part"]]))
    return out


def report_dict(
    result: Synchrony, provenance: dict | None = None, mechanical=None, feedback=None, usability: dict | None = None
) -> dict:
    """The JSON document: ``windows``, ``events`` (whole body), ``part_events`` (per body part), ``summary``,
    ``mechanical``, ``feedback``, provenance and usability.

    Parameters
    ----------
    mechanical : mirror.mechanical.Mechanical, optional
    feedback : list of mirror.coach.Message, optional
    usability : dict, optional
        :meth:`mirror.features.Features.usability` (per person and body part); written as
        ``usability`` (:func:`usability_dict`) when given.
    """
    w = result.windows
    windows = []
    for i in range(len(w)):
        windows.append(
            {
                "start_s": _num(w.start_s[i]),
                "end_s": _num(w.end_s[i]),
                "label": str(w.label[i]),
                "mirror_score": _num(w.mirror_score[i]),
                "match_score": _num(w.match_score[i]),
                "sync_score": _num(w.sync_score[i]),
                "p_value": _num(w.p_value[i]),
                "lag_s": _num(w.lag_s[i]),
                "leader": str(w.leader[i]) or None,
                "asymmetry": {"A": _num(w.asymmetry[i, 0]), "B": _num(w.asymmetry[i, 1])},
                "valid": _num(w.valid[i]),
                "channels": {
                    c: {
                        "label": str(w.channel_label[i, k]),
                        "mirror_score": _num(w.channel_mirror[i, k]),
                        "match_score": _num(w.channel_match[i, k]),
                        "p_value": _num(w.channel_p[i, k]),
                        "valid": _num(w.channel_valid[i, k]),
                    }
                    for k, c in enumerate(w.channels)
                },
            }
        )
    return {
        "format": REPORT_FORMAT,
        "format_version": REPORT_VERSION,
        "mirror": __version__,
        "provenance": _clean(provenance or {}),
        "settings": _clean(result.run.settings.to_dict()),
        "calibration": _clean(w.run.calibration.to_dict() if w.run.calibration is not None else {}),
        "adapted": _clean(result.run.adapted.to_dict() if result.run.adapted is not None else None),
        "summary": _clean(result.summary.to_dict()),
        "events": [_clean(e.to_dict()) for e in result.events],
        "part_events": part_events_from_windows(windows, list(w.channels)),
        "mechanical": _clean(mechanical.to_dict()) if mechanical is not None else None,
        "feedback": [_clean(m.to_dict()) for m in (feedback or [])],
        "windows": windows,
    } | ({"usability": usability_dict(usability)} if usability is not None else {})


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buf.getvalue().encode()


WINDOW_COLUMNS = [
    "window", "start_s", "end_s", "channel", "label", "mirror_score", "match_score", "sync_score",
    "p_value", "lag_s", "leader", "asymmetry_A", "asymmetry_B", "valid",
]  # fmt: skip
EVENT_COLUMNS = [
    "event",
    "start_s",
    "end_s",
    "kind",
    "channels",
    "leader",
    "lag_s",
    "strength",
    "p_value",
    "windows",
    "body_part",
]


def write_report(
    result: Synchrony,
    out_dir: str | Path,
    provenance: dict | None = None,
    mechanical=None,
    feedback=None,
    usability: dict | None = None,
) -> dict[str, Path]:
    """Write ``report.json``, ``windows.csv`` (tidy: one row per window and channel) and ``events.csv``.

    ``events.csv`` holds the whole-body events (``body_part`` ``whole_body``) then each body
    part's (``body_part`` the part); ``event`` indexes ``events`` or ``part_events``.
    """
    out = Path(out_dir)
    doc = report_dict(result, provenance, mechanical, feedback, usability)
    paths = {name: out / name for name in ("report.json", "windows.csv", "events.csv")}
    write_atomic(paths["report.json"], json.dumps(doc, indent=1).encode())
    rows = []
    for i, win in enumerate(doc["windows"]):
        base = {"window": i, "start_s": win["start_s"], "end_s": win["end_s"], "valid": win["valid"]}
        rows.append(
            {
                **base,
                "channel": "overall",
                "label": win["label"],
                "mirror_score": win["mirror_score"],
                "match_score": win["match_score"],
                "sync_score": win["sync_score"],
                "p_value": win["p_value"],
                "lag_s": win["lag_s"],
                "leader": win["leader"],
                "asymmetry_A": win["asymmetry"]["A"],
                "asymmetry_B": win["asymmetry"]["B"],
            }
        )
        for name, ch in win["channels"].items():
            rows.append({**base, "channel": name, **ch})
    write_atomic(paths["windows.csv"], _csv(rows, WINDOW_COLUMNS))
    events = [
        {"event": i, **e, "channels": ";".join(e["channels"]), "body_part": WHOLE_BODY}
        for i, e in enumerate(doc["events"])
    ]
    events += [{"event": i, **e, "channels": e["body_part"]} for i, e in enumerate(doc["part_events"])]
    write_atomic(paths["events.csv"], _csv(events, EVENT_COLUMNS))
    return paths
