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
            {"sign": "immediacy", "text": "B's copies came a median 0.40 s after A's gestures", "ranges": [[2.0, 14.0]]},
        ],
    )
    doc["feedback"] = [
        {"t_s": 6.0, "to": "B", "kind": "warning", "key": "mechanical_copying",
         "text": "You copied 8 of your partner's last 9 gestures within 0.4 s: let some pass.", "channel": None, "start_s": 0.0, "end_s": 6.0},
        {"t_s": 15.0, "to": "A", "kind": "praise", "key": "praise_match",
         "text": "Good: you & your partner <matched> well.", "channel": "head", "start_s": 9.0, "end_s": 15.0},
    ]  # fmt: skip


def flagged_copy(doc: dict) -> dict:
    out = copy.deepcopy(doc)
    flag_mechanical(out)
    return out
