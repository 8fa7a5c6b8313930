import json

import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.landmarks import Landmarks
from tests.conftest import EXAMPLES
from tests.helpers import one_line_error

runner = CliRunner()


def test_missing_path(tmp_path):
    assert "no such file" in one_line_error(
        runner.invoke(app, ["extract", str(tmp_path / "x.mp4"), "--out", str(tmp_path / "o")])
    )


def test_not_a_video(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("hello")
    assert "not a readable video" in one_line_error(
        runner.invoke(app, ["extract", str(bad), "--out", str(tmp_path / "o")])
    )


def test_missing_camera(tmp_path):
    assert "no camera at index 42" in one_line_error(
        runner.invoke(app, ["extract", "42", "--out", str(tmp_path / "o")])
    )


def test_bad_options_list_the_valid_ones(tmp_path):
    clip = str(EXAMPLES / "raga_2people.mp4")
    line = one_line_error(runner.invoke(app, ["extract", clip, "--out", str(tmp_path / "o"), "--layout", "zigzag"]))
    assert "auto, split, regions" in line
    line = one_line_error(
        runner.invoke(app, ["extract", clip, "--out", str(tmp_path / "o"), "--model", "huge", "--no-cache"])
    )
    assert "--model must be one of: lite, full;" in line  # heavy is not shipped, so not offered


def test_version():
    from mirror import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"mirror {__version__}"


def test_help_shows_flags_as_flags_and_choices_as_choices():
    for command in ("extract", "analyze", "batch", "live", "review", "progress"):
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.output, command
    from mirror.cli.options import installed_pose_models

    analyze = runner.invoke(app, ["analyze", "--help"], env={"COLUMNS": "200"}).output
    assert "[live|report]" in analyze and "[auto|split|regions]" in analyze
    assert f"--model [{'|'.join(installed_pose_models())}]" in analyze  # only the installed models are offered
    assert installed_pose_models()[:2] == ("lite", "full")  # shipped; heavy only when built


def test_an_uninstalled_model_is_refused_before_any_work(tmp_path, monkeypatch):
    from mirror.model_files import models_dir

    shipped = tmp_path / "models"
    shipped.mkdir()
    for name in ("pose_landmarker_lite.task", "pose_landmarker_full.task", "face_landmarker.task"):
        (shipped / name).symlink_to(models_dir() / name)
    monkeypatch.setenv("MIRROR_MODELS_DIR", str(shipped))  # as shipped: no heavy model
    for command in ("extract", "analyze"):
        result = runner.invoke(
            app, [command, str(EXAMPLES / "raga_2people.mp4"), "--out", str(tmp_path / command), "--model", "heavy"]
        )
        line = one_line_error(result)
        assert (
            "--model heavy is not installed" in line and "installed: lite, full" in line and "models/build.sh" in line
        )
        assert "frame/s" not in result.output and "it/s" not in result.output  # no progress bar was started
        assert not (tmp_path / command).exists()


def test_a_missing_video_is_refused_before_any_progress_bar(tmp_path):
    result = runner.invoke(app, ["analyze", str(tmp_path / "gone.mp4"), "--out", str(tmp_path / "o")])
    assert one_line_error(result) == f"error: no such file: {tmp_path / 'gone.mp4'}"
    assert "frame" not in result.output and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--window-s", "0"], "--window-s must be positive"),
        (["--window-s", "0.3"], "--window-s must be at least 5 samples long"),
        (["--step-s", "9"], "--step-s must be in (0, --window-s = 4]"),
        (["--step-s", "0.3"], "--step-s must be a whole number of"),
        (["--max-lag-s", "5"], "--max-lag-s must be in [0, --window-s = 4]"),
        (["--preset", "slow"], "--preset must be one of: live, report"),
    ],
)
def test_setting_errors_name_the_option_typed(tmp_path, args, words):
    line = one_line_error(
        runner.invoke(app, ["analyze", str(EXAMPLES / "raga_2people.mp4"), "--out", str(tmp_path / "o"), *args])
    )
    assert words in line and "_s " not in line and "window_s" not in line


def test_plural():
    from mirror.cli.options import plural

    assert [plural(1, "window"), plural(2, "window"), plural(0, "file")] == ["1 window", "2 windows", "0 files"]
    assert [plural(1, "copy"), plural(3, "copy"), plural(2, "day")] == ["1 copy", "3 copies", "2 days"]


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


def test_unwritable_output_folder_is_one_line(tmp_path):
    import os

    if os.geteuid() == 0:  # root writes anywhere: use a path below a file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        out = blocker / "sub"
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(0o500)
    line = one_line_error(
        runner.invoke(
            app,
            [
                "extract",
                str(EXAMPLES / "raga_2people.mp4"),
                "--out",
                str(out),
                "--fps",
                "2",
                "--no-progress",
                "--no-face",
            ],
        )
    )
    assert "cannot write" in line or "not a folder" in line


def test_a_second_run_on_the_same_output_folder_is_refused(tmp_path):
    from mirror.errors import MirrorError
    from mirror.storage import folder_lock

    with folder_lock(tmp_path / "out"):
        with pytest.raises(MirrorError, match="another mirror run is writing"):
            with folder_lock(tmp_path / "out"):
                pass
    with folder_lock(tmp_path / "out"):  # released: free again
        pass
    assert list((tmp_path / "out").iterdir()) == [], "the lock file is removed when the run ends"


def test_a_lock_removed_under_a_waiting_run_is_taken_again(tmp_path):
    """A run that opened the lock file just before its holder removed it locks a fresh file, not the removed one."""
    import fcntl
    import os

    from mirror.errors import MirrorError
    from mirror.storage import LOCK_NAME, folder_lock

    out = tmp_path / "out"
    out.mkdir()
    stale = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    os.unlink(out / LOCK_NAME)  # as a finished run does
    try:
        fcntl.flock(stale, fcntl.LOCK_EX | fcntl.LOCK_NB)  # someone holds the removed file: it must not matter
        with folder_lock(out):
            assert (out / LOCK_NAME).exists()
            with pytest.raises(MirrorError, match="another mirror run"):
                with folder_lock(out):
                    pass
    finally:
        os.close(stale)
    assert not (out / LOCK_NAME).exists()


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    import os

    from mirror.errors import MirrorError
    from mirror.storage import write_atomic

    target = tmp_path / "report.json"
    target.write_text("old")

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(MirrorError, match="cannot write .*disk full"):
        write_atomic(target, b"new" * 1000)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.json"]


def _audio_only_mp4(path):
    """A real AAC sound track in an MP4 container, as a voice memo app writes it: no video track."""
    import av

    rate = 16000
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        for k in range(20):
            t = np.arange(k * 1024, (k + 1) * 1024) / rate
            frame = av.AudioFrame.from_ndarray(
                (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None], format="fltp", layout="mono"
            )
            frame.rate, frame.pts = rate, k * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _wav(path):
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes((np.sin(np.arange(8000) / 5) * 8000).astype("<i2").tobytes())
    return path


def _random_bytes(path):
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    return path


def _cut_mp4(path):
    path.write_bytes((EXAMPLES / "raga_2people.mp4").read_bytes()[:300_000])  # the index is at the end
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: _audio_only_mp4(d / "voice_memo.mp4"), "holds sound only, no video track"),
        (lambda d: _audio_only_mp4(d / "voice_memo.m4a"), "holds sound only, no video track"),
        (lambda d: _wav(d / "recording.mp4"), "holds sound only, no video track"),
        (lambda d: _random_bytes(d / "random.mp4"), "not a readable video (unknown format"),
        (lambda d: _cut_mp4(d / "cut.mp4"), "an MP4 without its index (moov): truncated"),
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: d, "is a folder"),
    ],
    ids=["audio-mp4", "audio-m4a", "wav-named-mp4", "random-bytes", "cut-mp4", "missing", "folder"],
)
@pytest.mark.parametrize("command", ["extract", "analyze"])
def test_analyze_and_extract_refuse_what_is_not_a_video_in_one_line(tmp_path, command, make, message):
    src = tmp_path / "in"
    src.mkdir()
    path = make(src)
    line = one_line_error(runner.invoke(app, [command, str(path), "--out", str(tmp_path / "o"), "--no-progress"]))
    assert message in line, line
    assert not (tmp_path / "o" / "report.json").exists() and not (tmp_path / "o" / "landmarks.npz").exists()


@pytest.mark.model
def test_analyze_a_still_image_named_as_a_video_says_it_is_too_short(tmp_path):
    import shutil

    import cv2

    still = tmp_path / "photo.mp4"
    cv2.imwrite(str(tmp_path / "frame.jpg"), np.full((120, 160, 3), 128, np.uint8))
    shutil.copy(tmp_path / "frame.jpg", still)
    result = runner.invoke(
        app, ["analyze", str(still), "--out", str(tmp_path / "o"), "--no-progress", "--surrogates", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "shorter than the shortest window (2 s): nothing can be measured" in result.output
    assert (tmp_path / "o" / "report.json").exists()


def test_analyze_rejects_bad_window_options(tmp_path):
    clip = str(EXAMPLES / "raga_2people.mp4")
    line = one_line_error(
        runner.invoke(app, ["analyze", clip, "--out", str(tmp_path), "--window-s", "2", "--max-lag-s", "3"])
    )
    assert "--max-lag-s must be in [0, --window-s = 2]" in line
    line = one_line_error(runner.invoke(app, ["analyze", clip, "--out", str(tmp_path), "--window-s", "-1"]))
    assert "--window-s must be positive" in line


def test_atomic_writes_get_the_usual_permissions(tmp_path):
    import stat

    from mirror.storage import _UMASK, write_atomic

    write_atomic(tmp_path / "report.json", b"{}")
    mode = stat.S_IMODE((tmp_path / "report.json").stat().st_mode)
    assert mode == 0o666 & ~_UMASK  # as any new file, not a private temporary file's 0600
    if not _UMASK & 0o044:
        assert mode & 0o044  # others may read the report


@pytest.mark.model
def test_live_checks_its_files_and_model_first_and_no_window_prints_no_keys(tmp_path):
    import subprocess
    import sys

    def live(*args):
        cmd = [
            sys.executable,
            "-m",
            "mirror.cli",
            "live",
            "--no-window",
            "--no-history",
            "--out",
            str(tmp_path / "o"),
            *args,
        ]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    gone = live("--source", str(tmp_path / "gone.mp4"))
    assert gone.returncode == 2 and gone.stderr.strip() == f"error: no such file: --source {tmp_path / 'gone.mp4'}"
    heavy = live("--model", "heavy")
    assert heavy.returncode == 2 and heavy.stderr.startswith("error: --model heavy is not installed")
    run = live("--source", str(EXAMPLES / "raga_2people.mp4"), "--max-seconds", "1.5", "--surrogates", "0", "--no-face")
    assert run.returncode == 0, run.stderr
    assert "time limit" in run.stdout
    assert "q quits" not in run.stderr and "Ctrl+C stops" in run.stderr  # no keys to press without a window
    assert not (tmp_path / "o" / ".mirror.lock").exists()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["analyze", "V", "--out", "O", "--surrogates", "-1"], "error: --surrogates must be >= 0, got -1"),
        (["extract", "V", "--out", "O", "--layout", "zigzag"], "error: --layout must be one of: auto, split, regions"),
        (["batch", "V", "--out", "O", "-j", "0"], "error: --workers must be at least 1, or auto, got 0"),
        (["review", "O", "--port", "-5"], "error: --port must be between 0 and 65535, got -5"),
        (["progress", "--last", "-1"], "error: --last must be >= 0, got -1"),
    ],
)
def test_choices_and_ranges_typer_checks_are_one_line_naming_the_option(tmp_path, args, line):
    """typer refuses the value before the command runs; the one error handler says so in the project's words."""
    paths = {"V": str(EXAMPLES / "raga_2people.mp4"), "O": str(tmp_path / "o")}
    result = runner.invoke(app, [paths.get(a, a) for a in args])
    assert one_line_error(result).startswith(line)
    assert not (tmp_path / "o").exists()


def test_other_usage_errors_stay_typers_own():
    result = runner.invoke(app, ["analyze", str(EXAMPLES / "raga_2people.mp4")])
    assert result.exit_code == 2 and "Missing option '--out'" in result.output and "Traceback" not in result.output


def test_a_source_names_a_camera_by_its_index_or_a_file_that_exists(tmp_path):
    from mirror.errors import MirrorError
    from mirror.sources import camera_index, camera_or_file

    assert camera_index("0") == 0 and camera_index("12") == 12 and camera_index("clip.mp4") is None
    clip = EXAMPLES / "raga_2people.mp4"
    assert camera_or_file("1") == 1 and camera_or_file(str(clip)) == clip
    with pytest.raises(MirrorError, match=r"^no such file: --source .*gone\.mp4$"):
        camera_or_file(tmp_path / "gone.mp4", "--source")
    with pytest.raises(MirrorError, match="is a folder, not a video file"):
        camera_or_file(tmp_path)


def test_every_command_is_loaded_only_when_run():
    import subprocess
    import sys

    probe = (
        "import sys\nimport mirror.cli\nprint(' '.join(sorted(m for m in sys.modules if m.startswith('mirror.cli.'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == ["mirror.cli.errors"]  # the command group's one error handler; no command, no option types
