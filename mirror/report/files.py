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
            part: {"usable_share": _num(v.get("usable", float("nan"))), "reason": str(v.get("reason") or "ok"), "reasons": _clean(v.get("reasons") or {})}
            for part, v in parts.items()
        }
        for person, parts in summary.items()
    }


def report_dict(result: Synchrony, provenance: dict | None = None, mechanical=None, feedback=None, usability: dict | None = None) -> dict:
    """The JSON document: ``windows``, ``events``, ``summary``, ``mechanical``, ``feedback``, provenance and usability.

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
        "settings": _clean(result.info.get("settings", {})),
        "calibration": _clean(w.info.get("calibration") or {}),
        "adapted": _clean(result.info.get("adapted")),
        "summary": _clean(result.summary),
        "events": [_clean(e.to_dict()) for e in result.events],
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
EVENT_COLUMNS = ["event", "start_s", "end_s", "kind", "channels", "leader", "lag_s", "strength", "p_value", "windows"]


def write_report(
    result: Synchrony, out_dir: str | Path, provenance: dict | None = None, mechanical=None, feedback=None, usability: dict | None = None
) -> dict[str, Path]:
    """Write ``report.json``, ``windows.csv`` (tidy: one row per window and channel) and ``events.csv``."""
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
    events = [{"event": i, **e, "channels": ";".join(e["channels"])} for i, e in enumerate(doc["events"])]
    write_atomic(paths["events.csv"], _csv(events, EVENT_COLUMNS))
    return paths
