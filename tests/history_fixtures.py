"""Hand-written report folders with known figures, for the history and progress tests.

Each ``report.json`` has the layout of docs/report-schema.md (and a few fields this mirror
does not know, as a newer report would), with figures chosen by the test, so the history's
reading of them can be checked exactly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def make_report(
    folder: Path,
    sha: str | None = "a" * 64,
    *,
    mirror: float = 0.4,
    match: float = 0.2,
    symmetric: float = 0.1,
    lags: tuple = ((1.0, "A", "mirror"), (1.5, "A", "mirror"), (-0.4, "B", "match")),
    mech_b_copies_a: float | None = 0.3,
    mech_a_copies_b: float | None = 0.2,
    synchrony: float | None = 0.62,
    surrogate_mean: float | None = 0.5,
    feedback: tuple = (("B", "warning"), ("B", "warning"), ("A", "praise"), ("B", "prompt")),
    duration_s: float = 120.0,
    max_lag_s: float = 3.0,
    source_path: str | None = None,
    mtime: float | None = None,
    live: dict | None = None,
    html: bool = True,
) -> Path:
    """A finished report folder: report.json (and a small report.html unless ``html`` is False)."""
    folder.mkdir(parents=True, exist_ok=True)
    windows = []
    for i, (lag, leader, label) in enumerate(lags):
        windows.append(
            {"start_s": 4.0 * i, "end_s": 4.0 * i + 4.0, "label": label, "mirror_score": 0.7, "match_score": 0.1,
             "sync_score": 0.5, "lag_s": lag, "leader": leader, "valid": 1.0, "p_value": 0.01,
             "confidence": {"label": 0.9, "lag_s": [lag - 0.2, lag + 0.2]}}
        )  # fmt: skip
    windows.append(
        {
            "start_s": 40.0,
            "end_s": duration_s,
            "label": "none",
            "mirror_score": None,
            "match_score": None,
            "lag_s": None,
            "leader": None,
        }
    )
    prov = {
        "source": {"kind": "video", "name": "s.mp4", "nominal_fps": 25.0, "frame_count": int(duration_s * 25)},
        "source_sha256": sha,
    }
    if source_path:
        prov["source_path"] = source_path
    if live is not None:
        prov["live"] = live
        prov.pop("source_sha256")
    directions = {}
    for name, score in (("B_copies_A", mech_b_copies_a), ("A_copies_B", mech_a_copies_b)):
        directions[name] = {"copier": name[0], "model": name[-1], "score": score,
                            "flagged": score is not None and score >= 0.6,
                            "flagged_ranges": [], "reasons": [], "spans": []}  # fmt: skip
    doc = {
        "format": "mirror.report",
        "format_version": 1,
        "mirror": "0.1.0",
        "provenance": prov,
        "settings": {"window_s": 4.0, "step_s": 0.5, "max_lag_s": max_lag_s},
        "summary": {
            "windows": len(windows),
            "share": {
                "mirror": mirror,
                "match": match,
                "symmetric": symmetric,
                "none": round(1 - mirror - match - symmetric, 4),
            },
            "share_by_channel": {
                "head": {"mirror": 0.1, "match": 0.3, "none": 0.6},
                "left_arm": {"mirror": 0.5, "match": 0.1, "none": 0.4},
                "gaze": {"mirror": 0.2, "match": 0.2, "none": 0.6, "confidence": 0.4},
            },
            "leader_share": {"A": 0.6, "B": 0.3, "together": 0.1},
            "synchrony": {
                "real": synchrony,
                "surrogate_mean": surrogate_mean,
                "surrogate_sd": 0.05,
                "effect_size": 2.4,
                "p_value": 0.02,
                "n_surrogates": 200,
                "method": "x",
                "window_p_values": [0.01, 0.5],
            },
        },  # fmt: skip
        "events": [],
        "mechanical": {"settings": {"score": {"flag_score": 0.6}}, "directions": directions},
        "feedback": [
            {"t_s": 10.0 * i, "to": to, "kind": kind, "key": "k", "text": "t"} for i, (to, kind) in enumerate(feedback)
        ],
        "windows": windows,
        "confidence": {"overall": 0.8},
    }
    (folder / "report.json").write_text(json.dumps(doc))
    if html:
        (folder / "report.html").write_text(
            f"<!DOCTYPE html><html><head><title>report {folder.name}</title></head><body>report</body></html>"
        )
    if mtime is not None:
        os.utime(folder / "report.json", (mtime, mtime))
    return folder
