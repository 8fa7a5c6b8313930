"""Real analysed sessions shared by the report and batch tests (made once per test session)."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from mirror.cli import app
from tests.dyad_clip import make_dyad_clip

ANALYSIS_FPS = "6.25"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
_MADE: dict[str, Path] = {}


def screenshot(page, name: str, tmp: Path) -> Path:
    """A full-page PNG (also under $MIRROR_SCREENSHOTS, when set, to look at)."""
    path = tmp / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("MIRROR_SCREENSHOTS"):
        Path(os.environ["MIRROR_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ["MIRROR_SCREENSHOTS"]) / name)
    return path


def dyad_video(root: Path) -> Path:
    """The 20 s mirror-then-match clip of tests/dyad_clip.py (12.5 fps)."""
    if "video" not in _MADE:
        folder = root / "dyad_video"
        folder.mkdir(parents=True, exist_ok=True)
        _MADE["video"] = make_dyad_clip(folder / "dyad.avi")
    return _MADE["video"]


def landmark_cache(root: Path) -> Path:
    """One landmark cache for the whole test session (a clip analysed once is read back after)."""
    return root / "landmark_cache"


def analysed_dyad(root: Path) -> Path:
    """A folder with ``mirror analyze``'s report of the dyad clip (real MediaPipe landmarks)."""
    if "analysed" not in _MADE:
        video = dyad_video(root)
        out = root / "dyad_analysed"
        result = CliRunner().invoke(
            app,
            ["analyze", str(video), "--out", str(out), "--fps", ANALYSIS_FPS, "--surrogates", "60",
             "--cache-dir", str(landmark_cache(root)), "--no-progress"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        _MADE["analysed"] = out
    return _MADE["analysed"]


def copy_report(src: Path, dst: Path, edit=None) -> Path:
    """A copy of a report folder's report.json, optionally edited (``edit(doc)`` changes it in place)."""
    dst.mkdir(parents=True, exist_ok=True)
    doc = json.loads((src / "report.json").read_text())
    if edit is not None:
        edit(doc)
    (dst / "report.json").write_text(json.dumps(doc))
    for name in ("windows.csv", "events.csv"):
        shutil.copy(src / name, dst / name)
    return dst


def flag_mechanical(doc: dict) -> None:
    """Hand-written fixture: B flagged as copying A mechanically from 2 s to 14 s, and two coaching messages.

    The clip's B is A's own footage 0.4 s later, so this is what a long session of it gives;
    the 20 s clip is too short for the 60 s rolling spans to flag it.
    """
    d = doc["mechanical"]["directions"]["B_copies_A"]
    d.update(
        score=0.82,
        flagged=True,
        flagged_ranges=[[2.0, 14.0]],
        reasons=[
            {"sign": "coverage", "text": "B copied 36 of A's 40 gestures (90%)", "ranges": [[2.0, 14.0]]},
            {
                "sign": "immediacy",
                "text": "B's copies came a median 0.40 s after A's gestures",
                "ranges": [[2.0, 14.0]],
            },
        ],
    )
    doc["feedback"] = [
        {"t_s": 6.0, "to": "B", "kind": "warning", "key": "mechanical_copying",
         "text": "You copied 8 of your partner's last 9 gestures within 0.4 s: let some pass.", "channel": None,
         "start_s": 0.0, "end_s": 6.0},
        {"t_s": 15.0, "to": "A", "kind": "praise", "key": "praise_match",
         "text": "Good: you & your partner <matched> well.", "channel": "head", "start_s": 9.0, "end_s": 15.0},
    ]  # fmt: skip


def flagged_copy(doc: dict) -> dict:
    out = copy.deepcopy(doc)
    flag_mechanical(out)
    return out


def calibrated_doc(windows: int = 33, usability: bool = True) -> dict:
    """Hand-built report.json following the calibrated contract: windows with p-values, events, calibration, usability.

    4 s windows every 0.5 s. Windows 0-11 mirror, surer as they go (p from 0.009 down to 0.0002);
    12-15 none (p 0.2); 16-27 match at p 0.004; the rest insufficient. Per body part the arms
    carry the relation with their own p-values; events are the runs of passing windows,
    each with the largest p-value of its windows.
    """
    alpha = 0.01
    rows = []
    for i in range(windows):
        start = 0.5 * i
        if i < 12:
            label, p = (
                "mirror",
                [0.009, 0.006, 0.004, 0.003, 0.002, 0.0015, 0.001, 0.0008, 0.0006, 0.0004, 0.0003, 0.0002][i],
            )
        elif i < 16:
            label, p = "none", 0.2
        elif i < 28:
            label, p = "match", 0.004
        else:
            label, p = "insufficient", None
        scores = (
            {"mirror": 0.8, "match": 0.1}
            if label == "mirror"
            else {"mirror": 0.1, "match": 0.7}
            if label == "match"
            else {"mirror": 0.2, "match": 0.2}
        )
        chans = {}
        for c in ("head", "left_arm", "right_arm", "torso", "face"):
            if label == "insufficient":
                chans[c] = {"label": "insufficient", "mirror_score": None, "match_score": None, "p_value": None}
            elif c in ("left_arm", "right_arm") and label in ("mirror", "match"):
                chans[c] = {
                    "label": label,
                    "mirror_score": scores["mirror"],
                    "match_score": scores["match"],
                    "p_value": round(0.9 * p, 5),
                }
            else:
                chans[c] = {"label": "none", "mirror_score": 0.1, "match_score": 0.05, "p_value": 0.4}
        rows.append({
            "start_s": start, "end_s": start + 4.0, "label": label,
            "mirror_score": None if label == "insufficient" else scores["mirror"],
            "match_score": None if label == "insufficient" else scores["match"],
            "sync_score": None if label == "insufficient" else 0.1, "p_value": p,
            "lag_s": 0.4 if label in ("mirror", "match") else None,
            "leader": "A" if label in ("mirror", "match") else None,
            "asymmetry": {"A": 0.3, "B": 0.3}, "valid": 0.0 if label == "insufficient" else 1.0, "channels": chans,
        })  # fmt: skip
    events = []
    for kind, lo, hi in (("mirror", 0, 12), ("match", 16, 28)):
        if lo >= windows:
            continue
        hi = min(hi, windows)
        ps = [w["p_value"] for w in rows[lo:hi]]
        events.append({
            "start_s": rows[lo]["start_s"], "end_s": rows[hi - 1]["end_s"], "kind": kind,
            "channels": ["left_arm", "right_arm"],
            "leader": "A", "lag_s": 0.4, "strength": 0.75, "p_value": max(ps), "windows": hi - lo,
        })  # fmt: skip
    analysable = [w for w in rows if w["label"] != "insufficient"]
    n = max(1, len(analysable))
    share = {k: sum(w["label"] == k for w in analysable) / n for k in ("mirror", "match", "symmetric", "none")}
    doc = {
        "format": "mirror.report", "format_version": 1, "mirror": "0.1.0",
        "provenance": {"source": {"kind": "video", "name": "pair.mp4", "width": 640, "height": 480, "nominal_fps": 25.0,
                                  "frame_count": int(25 * (rows[-1]["end_s"] if rows else 2.0)), "analysis_fps": 15.0},
                       "landmarks": {"frames": 300, "both_present_rate": 0.9}},
        "settings": {"window_s": 4.0, "step_s": 0.5, "max_lag_s": 3.0, "rate_hz": 15.0, "min_valid": 0.6,
                     "alpha": alpha},
        "calibration": {"null": "reference", "null_windows": 9000, "null_relation_windows": 6000, "alpha": alpha,
                        "description": "160 pseudo-pairs of 12 real people filmed alone, 60 s each"},
        "summary": {"windows": len(rows), "analysable_windows": len(analysable),
                    "insufficient_windows": len(rows) - len(analysable),
                    "share": share, "share_by_channel": {}, "leader_share": {"A": 1.0, "B": 0.0, "together": 0.0},
                    "synchrony": {"real": 0.5, "surrogate_mean": None, "surrogate_sd": None, "effect_size": None,
                                  "p_value": None, "n_surrogates": 0, "method": "none"}},
        "events": events, "mechanical": None, "feedback": [], "windows": rows,
    }  # fmt: skip
    if usability:
        doc["usability"] = {
            "A": {"head": {"usable_share": 0.98, "reason": "ok"},
                  "left_arm": {"usable_share": 0.12, "reason": "occluded"},
                  "right_arm": {"usable_share": 0.9, "reason": "ok"}, "torso": {"usable_share": 0.95, "reason": "ok"},
                  "face": {"usable_share": 0.0, "reason": "no_face"}},
            "B": {"head": {"usable_share": 0.97, "reason": "ok"},
                  "left_arm": {"usable_share": 0.4, "reason": "side_unknown"},
                  "right_arm": {"usable_share": 0.3, "reason": "out_of_frame"},
                  "torso": {"usable_share": 0.9, "reason": "ok"},
                  "face": {"usable_share": 0.85, "reason": "low_visibility"}},
        }  # fmt: skip
    return doc


def nothing_doc() -> dict:
    """A report of a 2.4 s clip: no window at all (shorter than one 4 s window)."""
    doc = calibrated_doc(windows=0, usability=False)
    doc["provenance"]["source"].update(frame_count=60, nominal_fps=25.0)
    doc["summary"].update(windows=0, analysable_windows=0, insufficient_windows=0,
                          share={k: 0.0 for k in ("mirror", "match", "symmetric", "none")},
                          leader_share={"A": 0.0, "B": 0.0, "together": 0.0})  # fmt: skip
    doc["summary"]["synchrony"]["real"] = None
    return doc


def report_validator():
    """A JSON Schema validator of report.json, from the committed docs/report.schema.json."""
    from jsonschema import Draft202012Validator

    from mirror.report.schema import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def invalid_reports(root: Path, validator=None) -> list[tuple[Path, str]]:
    """Every ``report.json`` under ``root`` that claims to be a ``mirror.report`` and does not validate, with its
    first problem (files that are not reports at all, written on purpose by the tests of bad input, are skipped)."""
    validator = validator or report_validator()
    out = []
    for path in sorted(root.rglob("report.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if not isinstance(doc, dict) or doc.get("format") != "mirror.report":
            continue
        error = next(iter(validator.iter_errors(doc)), None)
        if error is not None:
            where = "/".join(map(str, error.absolute_path)) or "(the document)"
            out.append((path, f"{where}: {error.message}"))
    return out


def write_doc(folder: Path, doc: dict) -> Path:
    """``folder/report.json`` from a hand-built document (the folder is made)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(doc))
    return folder
