"""The comparator on real MediaPipe landmarks."""

import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.compare import CompareSettings, analyze_landmarks
from mirror.landmarks import Landmarks
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.model


def _ping_pong(lm: Landmarks, repeats: int) -> Landmarks:
    """A short clip played forwards and backwards, as one longer landmark sequence."""
    order = np.concatenate([np.arange(len(lm)) if r % 2 == 0 else np.arange(len(lm))[::-1] for r in range(repeats)])
    out = Landmarks.empty(len(order), lm.frame_size)
    for name in Landmarks.ARRAYS[2:]:
        getattr(out, name)[:] = getattr(lm, name)[order]
    dt = float(np.median(np.diff(lm.t_s)))
    out.t_s[:] = np.arange(len(order)) * dt
    out.frame_index[:] = np.arange(len(order))
    return out


def _two_people(one: Landmarks, kind: str, lag_frames: int, scale: float, shift) -> Landmarks:
    """A is the real person; B is A's flipped (mirror) or plain (match) copy, later, elsewhere, bigger."""
    b = one.flipped() if kind == "mirror" else one.slice(0, len(one))
    out = one.slice(0, len(one))
    for name in ("pose_image", "pose_world", "pose_visibility", "face", "head_pose_deg", "blendshapes"):
        src = getattr(b, name)[:, 0]
        dst = getattr(out, name)
        dst[:, 1] = np.nan if name != "pose_visibility" else 0.0
        dst[lag_frames:, 1] = src[: len(src) - lag_frames]
    out.pose_world[:, 1] = out.pose_world[:, 1] * scale + np.asarray(shift, np.float32)
    return out


@pytest.mark.parametrize("kind, lag_s", [("mirror", 1.2), ("match", 0.6), ("mirror", 0.0)])
def test_real_gestures_copied_later_are_told_apart(extracted, kind, lag_s):
    one = extracted(EXAMPLES / "raga_1person.mp4")  # every frame, 25 fps
    assert one.pose_present[:, 0].all()
    long = _ping_pong(one, 8)  # 40 s of real gestures
    fps = 1 / float(np.median(np.diff(one.t_s)))
    lag_frames = int(round(lag_s * fps))
    pair = _two_people(long, kind, lag_frames, scale=1.4, shift=(0.8, -0.2, 1.5))
    result = analyze_landmarks(pair, CompareSettings(), n_surrogates=200)
    w = result.windows
    usable = w.label != "insufficient"
    assert np.mean(w.label[usable] == kind) >= 0.9, np.unique(w.label, return_counts=True)
    assert abs(np.median(w.lag_s[w.label == kind]) - lag_frames / fps) < 0.1
    assert result.summary.synchrony.p_value < 0.05


def test_cli_analyze_real_two_people_is_a_no_mirroring_baseline(tmp_path):
    runner = CliRunner()
    out = tmp_path / "report"
    result = runner.invoke(app, ["analyze", str(EXAMPLES / "raga_2people.mp4"), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads((out / "report.json").read_text())
    labels = [w["label"] for w in doc["windows"]]
    assert len(labels) >= 10 and labels.count("none") / len(labels) >= 0.9  # two singers, nobody copying
    assert doc["provenance"]["landmarks"]["identity_swaps"] == 0
    for d in doc["mechanical"]["directions"].values():  # nobody copies, so nothing mechanical
        assert d["flagged"] is False and d["reasons"] == []
    assert not [m for m in doc["feedback"] if m["kind"] == "warning"]
    assert (out / "windows.csv").exists() and (out / "events.csv").exists()
    bad = runner.invoke(app, ["analyze", str(EXAMPLES / "raga_2people.mp4"), "--out", str(out), "--preset", "slow"])
    assert (
        bad.exit_code == 2 and "--preset must be one of: live, report" in bad.output
    )  # the option typed, and its choices


def _selfie_echo_video(path, seconds: float, lag_s: float, fps: float = 15.0):
    """Real footage: the singer of raga_1person on the left, her mirror image ``lag_s`` later on the right."""
    import cv2

    from tests.conftest import write_video

    cap = cv2.VideoCapture(str(EXAMPLES / "raga_1person.mp4"))
    src_fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(f[:, 420:1500], (400, 400), interpolation=cv2.INTER_AREA))
    cap.release()
    period = 2 * (len(frames) - 1)

    def at(t: float):
        i = int(round(max(t, 0.0) * src_fps)) % period
        return frames[i if i < len(frames) else period - i]

    canvas = []
    for k in range(int(seconds * fps)):
        t = k / fps
        canvas.append(np.concatenate([at(t), at(t - lag_s)[:, ::-1]], axis=1))
    return write_video(path, canvas, fps=fps)


def test_cli_analyze_flags_a_real_mirror_echo_as_mechanical(tmp_path):
    """Pixels to warning: B mirrors every movement of A 0.4 s later, exactly."""
    import json

    video = _selfie_echo_video(tmp_path / "echo.avi", seconds=45, lag_s=0.4)
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["analyze", str(video), "--out", str(out), "--no-progress", "--surrogates", "0"])
    assert result.exit_code == 0, result.output
    assert "mechanical imitation: B copies A" in result.output
    doc = json.loads((out / "report.json").read_text())
    ba, ab = doc["mechanical"]["directions"]["B_copies_A"], doc["mechanical"]["directions"]["A_copies_B"]
    assert ba["flagged"] is True and ab["flagged"] is False
    assert abs(ba["signs"]["immediacy_s"] - 0.4) < 0.15
    assert {"coverage", "immediacy"} <= {r["sign"] for r in ba["reasons"]}
    copies = [c for c in doc["mechanical"]["copies"] if c["direction"] == "B_copies_A"]
    sided = [c["kind"] for c in copies if c["kind"] != "symmetric"]
    assert len(sided) >= 5 and sided.count("mirror") / len(sided) >= 0.8  # chance would be 0.5
    warnings = [m for m in doc["feedback"] if m["kind"] == "warning"]
    assert warnings and all(m["to"] == "B" for m in warnings)
