"""The live window as a person sees it: a real X server (Xvfb), real keys, screenshots.

Each test starts its own ``Xvfb`` and runs ``mirror live`` on a real clip in
it, reads the screen back with python-xlib and presses keys through the
XTEST extension.  Set ``MIRROR_SCREENSHOT_DIR`` to keep the screenshots.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
RAGA = REPO / "examples" / "raga_2people.mp4"
XVFB = shutil.which("Xvfb")

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        XVFB is None, reason="Xvfb is not installed (Debian package xvfb): no screen to show the live window on"
    ),
]
Xlib = pytest.importorskip("Xlib", reason="python-xlib (a test dependency) reads the screen and sends keys")
from Xlib import XK, X  # noqa: E402
from Xlib import display as xdisplay  # noqa: E402
from Xlib.ext import xtest  # noqa: E402

from mirror.landmarks import Landmarks  # noqa: E402
from mirror.overlay import PERSON_COLORS, STATE_COLORS, timeline_box  # noqa: E402
from tests.pixels import blob_centre  # noqa: E402

TITLE = "mirror live"


@pytest.fixture
def xserver():
    for n in range(91, 160):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    name = f":{n}"
    proc = subprocess.Popen(
        [XVFB, name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.skip(f"Xvfb {name} did not start")
        time.sleep(0.05)
    conn = xdisplay.Display(name)
    try:
        yield name, conn
    finally:
        conn.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _find_window(conn, title: str):
    def walk(win):
        try:
            if win.get_wm_name() == title and win.get_attributes().map_state == X.IsViewable:
                return win
            children = win.query_tree().children
        except Xlib.error.XError:
            return None
        for child in children:
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(conn.screen().root)


def _wait_window(conn, proc, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mirror live exited early: {proc.stderr.read()}")
        win = _find_window(conn, TITLE)
        if win is not None:
            return win
        time.sleep(0.1)
    raise AssertionError("the live window never appeared")


def _screenshot(conn, win) -> np.ndarray:
    """The window's pixels as they are on the screen, ``(H, W, 3)`` BGR."""
    root = conn.screen().root
    geom = win.get_geometry()
    pos = win.translate_coords(root, 0, 0)
    x, y = -pos.x, -pos.y
    raw = root.get_image(x, y, geom.width, geom.height, X.ZPixmap, 0xFFFFFFFF)
    data = np.frombuffer(raw.data, np.uint8).reshape(geom.height, geom.width, 4)
    return np.ascontiguousarray(data[..., :3])  # little-endian 24-bit visual: B, G, R, pad


def _press(conn, win, char: str) -> None:
    win.set_input_focus(X.RevertToParent, X.CurrentTime)
    code = conn.keysym_to_keycode(XK.string_to_keysym(char))
    xtest.fake_input(conn, X.KeyPress, code)
    xtest.fake_input(conn, X.KeyRelease, code)
    conn.sync()


def _keep(image: np.ndarray, name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    cv2.imwrite(str(path), image)
    keep = os.environ.get("MIRROR_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


def _start(display: str, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    return subprocess.Popen(
        [sys.executable, "-m", "mirror.cli", "live", "--source", str(RAGA), "--out", str(out),
         "--surrogates", "0", *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _parts_known(image: np.ndarray) -> int:
    """Body-part swatches in the top-right panel that show a state (not the "not known yet" grey)."""
    h, w = image.shape[:2]
    region = image[: h // 3, w // 2 :]
    found = 0
    for state in ("mirror", "match", "symmetric", "none", "insufficient"):
        mask = (np.abs(region.astype(int) - np.array(STATE_COLORS[state])).max(-1) <= 6).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        found += sum(
            1
            for k in range(1, n)
            if 8 <= stats[k, 2] <= 16 and 8 <= stats[k, 3] <= 16 and stats[k, 4] >= 0.8 * stats[k, 2] * stats[k, 3]
        )
    return found


def test_live_window_shows_the_overlay_where_the_people_are(xserver, tmp_path):
    display, conn = xserver
    out = tmp_path / "out"
    proc = _start(display, out, "--me", "right")
    try:
        win = _wait_window(conn, proc)
        shot = None
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:  # until the rolling analysis has labelled the body parts
            shot = _screenshot(conn, win)
            if _parts_known(shot) == 5:
                break
            time.sleep(0.2)
        path = _keep(shot, "live_window.png", tmp_path)
        _press(conn, win, "s")
        deadline = time.monotonic() + 10
        while not (out / "snapshot_001.png").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        _press(conn, win, "q")
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "stopped (q)" in stdout or "the video ended" in stdout
    h, w = shot.shape[:2]
    assert (w, h) == (640, 480), f"window {w}x{h}, expected the clip fitted to 640x480 ({path})"
    assert _parts_known(shot) == 5, f"the body-part panel shows no states ({path})"
    # the timeline strip along the bottom: a dark band
    x0, y0, x1, y1 = timeline_box((w, h))
    assert shot[y0:y1, x0:x1].mean() < 70, f"no timeline strip ({path})"
    # the rapport panel top-left: dark, with white writing
    panel = shot[10:80, 10:200]
    assert panel.mean() < 90 and (panel > 230).all(-1).sum() > 40, f"no rapport panel ({path})"
    # the labels: "Partner" over the person on the left (A), "You" over the one on the right (B)
    lm = Landmarks.load(out / "landmarks.npz")
    for p, color in enumerate(PERSON_COLORS):
        centre = blob_centre(shot, color)
        assert centre is not None, f"no label for {'AB'[p]} ({path})"
        nose_x = float(np.nanmedian(lm.pose_image[:, p, 0, 0])) * w
        shoulders_y = float(np.nanmedian(lm.pose_image[:, p, 11:13, 1])) * h
        assert abs(centre[0] - nose_x) < 0.06 * w, (
            f"{'AB'[p]} label at x={centre[0]:.0f}, the person at {nose_x:.0f} ({path})"
        )
        assert centre[1] < shoulders_y, f"{'AB'[p]} label is not above the shoulders ({path})"
    assert blob_centre(shot, PERSON_COLORS[0])[0] < blob_centre(shot, PERSON_COLORS[1])[0]
    snap = cv2.imread(str(out / "snapshot_001.png"))
    assert snap is not None and snap.shape == shot.shape
    assert (out / "report.json").exists() and (out / "landmarks.npz").exists()


def test_selfie_view_flips_the_picture_not_the_labels(xserver, tmp_path):
    display, conn = xserver
    out = tmp_path / "out"
    proc = _start(display, out, "--selfie-view", "--max-seconds", "60")
    try:
        win = _wait_window(conn, proc)
        shot = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # until both labels are drawn (a loaded machine starts slowly)
            shot = _screenshot(conn, win)
            if all(blob_centre(shot, c) is not None for c in PERSON_COLORS):
                break
            time.sleep(0.1)
        path = _keep(shot, "live_window_selfie.png", tmp_path)
        _press(conn, win, "q")
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "stopped (q)" in stdout or "the video ended" in stdout
    h, w = shot.shape[:2]
    lm = Landmarks.load(out / "landmarks.npz")
    for p, color in enumerate(PERSON_COLORS):
        centre = blob_centre(shot, color)
        assert centre is not None, f"no label for {'AB'[p]} ({path})"
        mirrored_x = (1.0 - float(np.nanmedian(lm.pose_image[:, p, 0, 0]))) * w
        assert abs(centre[0] - mirrored_x) < 0.06 * w, f"{'AB'[p]} label not over the mirrored person ({path})"
    # A (left in the analysis) now appears on the right; the analysis itself is not flipped
    assert blob_centre(shot, PERSON_COLORS[0])[0] > blob_centre(shot, PERSON_COLORS[1])[0]
    assert np.nanmedian(lm.pose_image[:, 0, 0, 0]) < np.nanmedian(lm.pose_image[:, 1, 0, 0])
