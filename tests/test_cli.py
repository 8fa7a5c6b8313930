import json

import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.landmarks import Landmarks
from tests.conftest import EXAMPLES

runner = CliRunner()


def _one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_missing_path(tmp_path):
    assert "no such file" in _one_line_error(runner.invoke(app, ["extract", str(tmp_path / "x.mp4"), "--out", str(tmp_path / "o")]))


def test_not_a_video(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("hello")
    assert "not a readable video" in _one_line_error(runner.invoke(app, ["extract", str(bad), "--out", str(tmp_path / "o")]))


def test_missing_camera(tmp_path):
    assert "no camera at index 42" in _one_line_error(runner.invoke(app, ["extract", "42", "--out", str(tmp_path / "o")]))


def test_bad_options_list_the_valid_ones(tmp_path):
    clip = str(EXAMPLES / "raga_2people.mp4")
    line = _one_line_error(runner.invoke(app, ["extract", clip, "--out", str(tmp_path / "o"), "--layout", "zigzag"]))
    assert "auto, split, regions" in line
    line = _one_line_error(runner.invoke(app, ["extract", clip, "--out", str(tmp_path / "o"), "--model", "huge", "--no-cache"]))
    assert "lite, full, heavy" in line


def test_info_lists_versions_models_and_cameras():
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0, result.output
    assert "mediapipe 1." in result.output
    assert "pose_landmarker_lite.task" in result.output and " ok " in result.output
    assert "cameras:" in result.output


@pytest.mark.model
def test_extract_writes_landmarks_then_reuses_the_cache(tmp_path):
    out = tmp_path / "out"
    args = ["extract", str(EXAMPLES / "raga_2people.mp4"), "--out", str(out), "--fps", "5", "--no-progress"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "both people found in 100.0 %" in first.output
    lm = Landmarks.load(out / "landmarks.npz")
    info = json.loads((out / "extract.json").read_text())
    assert len(lm) == 50 and info["frames"] == 50
    assert info["backend"]["models"]["pose_landmarker_lite.task"].startswith("6462885f")
    assert np.all(np.diff(lm.t_s) > 0.19)
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "from the cache" in second.output
