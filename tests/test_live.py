"""Live practice: keys, mailboxes, recordings, whole sessions (a stand-in camera, and real clips), faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from mirror.errors import MirrorError
from mirror.landmarks import ExtractRun, Landmarks
from mirror.live import Controls, LiveSettings, OffscreenDisplay, handle_key, run_live
from mirror.live.capture import Latest, fit_size
from mirror.live.keys import ESC, NO_KEY, PAUSE, QUIT, RECORD_START, RECORD_STOP, RESUME, SNAPSHOT
from mirror.live.record import ScreenRecorder, SessionLandmarks
from mirror.overlay import PERSON_COLORS
from mirror.sources import Frame, FrameSource, SourceInfo
from mirror.sources.rate import RateGate
from tests.helpers import BlobBackend, draw_scene, skeleton
from tests.pixels import blob_centre

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
MIRROR = [sys.executable, "-m", "mirror.cli"]


# ------------------------------------------------------------------- keys
def test_keys_as_a_state_machine():
    c = Controls()
    steps = [
        (NO_KEY, None, Controls()),
        (ord(" "), PAUSE, Controls(paused=True)),
        (ord("s"), SNAPSHOT, Controls(paused=True)),
        (ord(" "), RESUME, Controls()),
        (ord("r"), RECORD_START, Controls(recording=True)),
        (ord("x"), None, Controls(recording=True)),
        (ord("R"), RECORD_STOP, Controls()),
        (ord("S") | 0x10000, SNAPSHOT, Controls()),  # waitKeyEx adds modifier bits above the low byte
        (ord("q"), QUIT, Controls(quitting=True)),
        (ord(" "), None, Controls(quitting=True)),  # after quit nothing else happens
    ]
    for key, action, expected in steps:
        c, got = handle_key(c, key)
        assert (got, c) == (action, expected), f"key {key}"
    assert handle_key(Controls(), ESC) == (Controls(quitting=True), QUIT)
    assert handle_key(Controls(recording=True), ord("Q"))[1] == QUIT


# -------------------------------------------------------------- plumbing
def test_latest_keeps_only_the_newest_and_counts_drops():
    box = Latest[int]()
    assert box.newer(0, timeout=0.01) == (0, None)
    for i in range(5):
        box.put(i)
    seq, item = box.newer(0, timeout=0.01)
    assert (seq, item, box.dropped) == (5, 4, 4)
    assert box.newer(seq, timeout=0.01) == (5, None)  # nothing newer
    got = []
    reader = threading.Thread(target=lambda: got.append(box.newer(seq, timeout=5.0)))
    reader.start()
    box.put(9)
    reader.join()
    assert got == [(6, 9)] and box.dropped == 4
    box.close()
    assert box.newer(6, timeout=5.0) == (6, None)  # closed: no waiting


def test_fit_size_scales_down_only():
    assert fit_size(768, 576, (640, 480)) == (640, 480)
    assert fit_size(1920, 1080, (640, 480)) == (640, 360)
    assert fit_size(320, 240, (640, 480)) == (320, 240)


def test_screen_recorder_keeps_real_time(tmp_path):
    path = tmp_path / "rec.avi"
    rec = ScreenRecorder(path, fps=10.0)
    frames = [np.full((48, 64, 3), v, np.uint8) for v in (0, 80, 160, 240)]
    # shown at 0 s, 0.05 s, 0.55 s and 1.0 s
    for image, t in zip(frames, (100.0, 100.05, 100.55, 101.0), strict=True):
        rec.add(image, t)
    assert rec.close() == path
    cap = cv2.VideoCapture(str(path))
    levels = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        levels.append(int(round(image.mean() / 80)) * 80)
    # one frame per 0.1 s: the frame on screen at each tick
    assert levels == [0, 80, 80, 80, 80, 80, 160, 160, 160, 160, 240]
    assert ScreenRecorder(tmp_path / "none.avi").close() is None
    assert not (tmp_path / "none.avi").exists()


def test_session_landmarks_rate_parts_and_order(tmp_path):
    size = (320, 240)
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "manifest.json").write_text('{"format": "mirror.live-parts", "format_version": 1}')
    rec = SessionLandmarks(size, ExtractRun(mirror="x"), parts_dir=tmp_path / "parts", buffer_s=1.0, chunk_rows=4)
    gate = RateGate(1 / 10.0, 0.25 / 10.0)  # the inference keeps rows at the analysis rate
    kept = []
    for i in range(60):  # 30 frames per second for 2 s
        t = i / 30
        if gate.keep(t):
            person = skeleton((20 + i, 20, 120 + i, 220), size)
            rec.add(t, i, (person, None))
            kept.append(i)
        if i % 7 == 0:
            rec.flush()
    assert len(kept) == 20 and kept[:4] == [0, 3, 6, 9]
    chunks = sorted((tmp_path / "parts").glob("chunk_*.npz"))
    assert len(chunks) >= 3  # an earlier session's leftover manifest is not read: the store starts empty
    manifest = json.loads((tmp_path / "parts" / "manifest.json").read_text())
    assert [c["file"] for c in manifest["chunks"]] == [p.name for p in chunks]  # a crash leaves a readable store
    recent = rec.recent()
    assert recent.t_s[-1] == pytest.approx(59 / 30 - 2 / 30) and recent.t_s[0] >= recent.t_s[-1] - 1.0
    lm = rec.finish()
    assert not (tmp_path / "parts").exists()
    assert list(lm.frame_index) == kept
    assert np.all(np.diff(lm.t_s) > 0) and lm.pose_present[:, 0].all() and not lm.pose_present[:, 1].any()
    assert lm.frame_size == size and lm.info == ExtractRun(mirror="x")


# ------------------------------------------------------- stand-in camera
class FakeCamera(FrameSource):
    """A camera at ``fps`` showing two white rectangles (one sways), that stops after ``n_frames``."""

    def __init__(self, n_frames: int, fps: float = 25.0, size=(320, 240)) -> None:
        self.n_frames, self.fps, self.size = n_frames, fps, size
        self.info = SourceInfo("webcam", "fake camera", size[0], size[1], fps, -1)

    def __iter__(self):
        t0 = time.monotonic()
        for i in range(self.n_frames):
            time.sleep(max(0.0, t0 + i / self.fps - time.monotonic()))
            x = 30 + int(12 * np.sin(i / 6))
            yield Frame(i, time.monotonic() - t0, draw_scene([(x, 40, x + 80, 220), (200, 40, 280, 220)], self.size))
        # a camera that stops delivering: WebcamSource ends its iteration the same way


class RecordingDisplay(OffscreenDisplay):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[np.ndarray] = []

    def show(self, image):
        super().show(image)
        self.images.append(image)


def _press_when_shown(display: OffscreenDisplay, plan: list[tuple[int, str]]) -> threading.Thread:
    """Press each key once the display has shown that many frames."""

    def run():
        for frames, key in plan:
            deadline = time.monotonic() + 30
            while display.shown < frames and time.monotonic() < deadline:
                time.sleep(0.01)
            display.press(key)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_keys_drive_a_session_snapshot_record_pause_quit(tmp_path):
    display = RecordingDisplay()
    presses = _press_when_shown(display, [(5, "s"), (6, "r"), (20, " ")])
    settings = LiveSettings(me="B", surrogates=0, fps=10.0)
    backend = BlobBackend()

    def resume_then_quit():
        presses.join()
        paused_at = display.shown
        time.sleep(0.8)  # paused: the display must not move on
        frozen = display.shown - paused_at
        display.press(" ")
        shown = display.shown
        while display.shown < shown + 15:
            time.sleep(0.01)
        display.press("r")
        display.press("q")
        frozen_counts.append(frozen)

    frozen_counts: list[int] = []
    t = threading.Thread(target=resume_then_quit, daemon=True)
    t.start()
    result = run_live(settings, tmp_path / "out", display, backend=backend, sources={"main": FakeCamera(2000)})
    t.join()
    assert result.ended_by == "quit"
    assert frozen_counts[0] <= 3, "frames kept coming while paused"  # the "paused" redraw, a frame in flight
    out = tmp_path / "out"
    assert [p.name for p in result.snapshots] == ["snapshot_001.png"]
    snap = cv2.imread(str(result.snapshots[0]))
    assert snap.shape == (240, 320, 3)
    assert [p.name for p in result.recordings] == ["recording_001.avi"]
    cap = cv2.VideoCapture(str(result.recordings[0]))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) >= 10 and (cap.get(3), cap.get(4)) == (320, 240)
    lm = Landmarks.load(out / "landmarks.npz")
    assert lm.pose_present.all(1).mean() > 0.9
    assert np.diff(lm.t_s).max() > 0.6, "the pause left no gap in the recorded landmarks"
    assert {"report.json", "windows.csv", "events.csv", "landmarks.npz"} <= {p.name for p in out.iterdir()}
    assert not (out / ".live-parts").exists()
    # the stand-in people: A on the left in the picture, labelled Partner; B right, labelled You
    assert lm.pose_image[:, 0, 0, 0].mean() < 0.5 < lm.pose_image[:, 1, 0, 0].mean()
    stats = result.stats
    assert stats.latency_ms.n == stats.frames_shown > 20
    assert len(display.images) > stats.frames_shown  # plus the redraws: paused, recording on and off


def test_camera_lost_keeps_the_window_up_and_saves(tmp_path):
    display = RecordingDisplay()
    settings = LiveSettings(surrogates=0, fps=10.0, lost_hold_s=0.6)
    started = time.monotonic()
    result = run_live(settings, tmp_path / "out", display, backend=BlobBackend(), sources={"main": FakeCamera(130)})
    held = time.monotonic() - started
    assert result.ended_by == "lost" and "stopped delivering" in result.error
    assert held > 130 / 25  # the camera's frames, then the hold
    out = tmp_path / "out"
    report = json.loads((out / "report.json").read_text())
    lm = Landmarks.load(out / "landmarks.npz")
    assert lm.t_s[-1] > 4.0, "the frames before the loss were not all saved"
    assert report["format"] == "mirror.report" and len(report["windows"]) > 0
    assert report["provenance"]["live"]["stats"]["ended_by"] == "lost"
    # the last picture shown says so: a dark box with white writing in the middle, not the scene
    last, before = display.images[-1], display.images[-3]
    h, w = last.shape[:2]
    box = (slice(h // 2 - 15, h // 2 + 15), slice(w // 2 - 60, w // 2 + 60))
    assert last[box].mean() < 90 and (last[box] > 200).all(-1).sum() > 30
    assert np.abs(last[box].astype(int) - before[box]).mean() > 20


class InterruptedDisplay(RecordingDisplay):
    """Starts recording at the 3rd frame; Ctrl-C arrives (as in ``cv2.waitKey``) at the 40th."""

    def poll_key(self, wait_ms: int = 1) -> int:
        if self.shown >= 40:
            raise KeyboardInterrupt
        if self.shown >= 3 and not getattr(self, "asked", False):
            self.asked = True
            return ord("r")
        return super().poll_key(wait_ms)


def test_ctrl_c_finalises_the_recording_and_saves(tmp_path):
    display = InterruptedDisplay()
    result = run_live(
        LiveSettings(surrogates=0, fps=10.0),
        tmp_path / "out",
        display,
        backend=BlobBackend(),
        sources={"main": FakeCamera(2000)},
    )
    assert result.ended_by == "interrupt"
    out = tmp_path / "out"
    assert [p.name for p in result.recordings] == ["recording_001.avi"]
    cap = cv2.VideoCapture(str(result.recordings[0]))
    ok, frame = cap.read()
    assert ok and frame.shape == (240, 320, 3) and cap.get(cv2.CAP_PROP_FRAME_COUNT) >= 20
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary or lock files left"
    lm = Landmarks.load(out / "landmarks.npz")
    assert lm.t_s[-1] > 1.0 and (out / "report.json").exists()


# ------------------------------------------------------------ real clips
def _cli(args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(MIRROR + args, capture_output=True, text=True, cwd=REPO, env=env, timeout=120, **kw)


def test_no_camera_is_one_error_line(tmp_path):
    run = _cli(["live", "--camera", "9", "--no-window", "--out", str(tmp_path / "o")])
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [run.stderr.strip()] and run.stderr.startswith(
        "error: no camera at index 9"
    )


def test_corrupt_partner_clip_is_one_error_line(tmp_path):
    bad = tmp_path / "partner.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    run = _cli(
        [
            "live",
            "--partner-video",
            str(bad),
            "--source",
            str(EXAMPLES / "raga_1person.mp4"),
            "--no-window",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: partner video:") and "partner.mp4" in lines[0]
    assert "Traceback" not in run.stderr


def test_no_screen_is_one_error_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    run = _cli(["live", "--source", str(EXAMPLES / "raga_2people.mp4"), "--out", str(tmp_path / "o")], env=env)
    assert run.returncode == 2 and run.stderr.startswith("error: no screen") and "--no-window" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_bad_options_are_refused(tmp_path):
    # --me takes a side (left, right) or a name; the side of a named person is --me-side
    run = _cli(["live", "--me", "Ann", "--me-side", "middle", "--no-window", "--out", str(tmp_path / "o")])
    assert run.returncode == 2 and "--me-side must be left or right" in run.stderr
    with pytest.raises(MirrorError, match="fps"):
        LiveSettings(fps=0)


@pytest.mark.model
def test_ctrl_c_loses_nothing(tmp_path):
    """Ctrl-C in the middle of a real clip: landmarks, report and CSVs are all written, exit 0."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        MIRROR + ["live", "--source", str(EXAMPLES / "raga_2people.mp4"), "--no-window", "--out", str(out),
                  "--surrogates", "20"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = proc.stderr.readline()  # printed once the models are loaded and the session starts
    assert line.startswith("mirror live:"), line
    time.sleep(5.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "stopped by Ctrl-C" in stdout
    lm = Landmarks.load(out / "landmarks.npz")
    assert 3.0 < lm.t_s[-1] < 9.0, "not the part of the clip played before Ctrl-C"
    assert lm.pose_present.all(1).mean() > 0.9 and lm.face_present.any(1).mean() > 0.5
    report = json.loads((out / "report.json").read_text())
    assert report["format"] == "mirror.report" and set(report) >= {
        "windows",
        "events",
        "summary",
        "mechanical",
        "feedback",
    }
    assert report["summary"]["windows"] == len(report["windows"]) > 0
    # the same report as the recorded session's landmarks give offline
    from mirror.compare import PRESETS
    from mirror.pipeline import analyze_session
    from mirror.report import report_dict

    offline = analyze_session(lm, PRESETS["live"], n_surrogates=20)
    again = json.loads(json.dumps(report_dict(offline.synchrony, {}, offline.mechanical, offline.feedback)))
    assert again["windows"] == report["windows"] and again["summary"] == report["summary"]
    assert (out / "windows.csv").read_text().startswith("window,start_s,end_s,channel")
    assert (out / "events.csv").exists()
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "landmarks.npz", "report.json", "windows.csv"]
    # the played file is the session's video: the review plays it with the skeletons in step
    from mirror.review import prepare_review

    assert report["provenance"]["source_path"] == str((EXAMPLES / "raga_2people.mp4").resolve())
    review = prepare_review(out)
    assert (
        review.video == EXAMPLES / "raga_2people.mp4"
        or review.video.resolve() == (EXAMPLES / "raga_2people.mp4").resolve()
    )
    assert review.video_note == "" and review.skeleton is not None


@pytest.mark.model
def test_solo_practice_against_a_recorded_partner(tmp_path):
    """The trainee's picture (a clip standing in for the camera) beside a partner clip, one person each."""
    display = RecordingDisplay()
    settings = LiveSettings(
        source=EXAMPLES / "pyfeat_single_face.mp4",
        partner_video=EXAMPLES / "raga_1person.mp4",
        surrogates=0,
    )
    result = run_live(settings, tmp_path / "out", display)
    assert result.ended_by == "end"  # the shorter clip (the trainee's) ended
    last = display.images[-1]
    assert last.shape == (360, 1280, 3)  # 640x360 each, partner on the left
    lm = result.landmarks
    assert lm.info.people == {"A": "partner", "B": "main"}
    assert lm.pose_present[:, 0].mean() > 0.8 and lm.pose_present[:, 1].mean() > 0.8
    # each person is in their own picture's coordinates; on screen the partner is left, "You" right
    partner, you = (blob_centre(last, c) for c in PERSON_COLORS)
    assert partner is not None and you is not None
    assert partner[0] < 640 <= you[0]
    assert result.paths["report.json"].exists()
    assert result.session.provenance["partner_source"]["name"].endswith("raga_1person.mp4")


@pytest.mark.model
def test_live_overlay_tells_mirror_from_match_as_it_happens(tmp_path):
    """A real two-person clip with known truth (B mirrors A for 8 s, then matches for 8 s, 0.4 s behind)."""
    from mirror.live import LiveSession
    from tests.dyad_clip import make_dyad_clip

    clip = make_dyad_clip(tmp_path / "dyad.avi", plan=(("mirror", 0.0, 8.0, 0.4), ("match", 8.0, 16.0, 0.4)))

    class Watched(LiveSession):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.states = []

        def overlay_state(self, frame, controls):
            state = super().overlay_state(frame, controls)
            self.states.append(state)
            return state

    session = Watched(LiveSettings(source=clip, me="B", surrogates=0), tmp_path / "out", OffscreenDisplay())
    result = session.run()
    assert result.ended_by == "end"
    states = session.states
    assert {tuple(p.label for p in s.people) for s in states} == {("Partner", "You")}

    def shown(t0, t1):
        labels = [s.overall for s in states if t0 <= s.t_s < t1]
        assert len(labels) > 10, f"too few frames shown in {t0}-{t1} s"
        return {k: labels.count(k) / len(labels) for k in set(labels)}

    early, late = shown(5.0, 8.0), shown(13.0, 16.0)  # the window of the last 4 s lies inside one part
    assert early.get("mirror", 0) > 0.6, f"mirror part shown as {early}"
    assert late.get("match", 0) > 0.6, f"match part shown as {late}"
    follow = [s for s in states if 5.0 <= s.t_s < 8.0 and s.overall == "mirror"]
    assert np.median([s.lag_s for s in follow]) == pytest.approx(0.4, abs=0.2) and {s.leader for s in follow} == {"A"}
    assert all(0 <= s.rapport <= 1 for s in states if np.isfinite(s.rapport))
    assert np.mean([s.rapport for s in states if s.t_s >= 6.0]) > 0.5
