import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirror.errors import MirrorError
from mirror.sources import ImageSource, VideoFileSource, WebcamSource, open_source
from mirror.sources.frames import stream_gate
from mirror.sources.rate import RateGate
from tests.conftest import EXAMPLES, write_video


def _numbered_frames(n, size=(64, 48)):
    frames = []
    for i in range(n):
        f = np.zeros((size[1], size[0], 3), np.uint8)
        f[:, : size[0] // 4] = 255  # bright band on the image LEFT
        f[0, 0, 2] = i  # frame number in a pixel
        frames.append(f)
    return frames


def test_real_clip_has_stream_timestamps():
    with VideoFileSource(EXAMPLES / "raga_2people.mp4") as src:
        frames = list(src)
    t = np.array([f.t_s for f in frames])
    assert len(frames) == 250 and src.info.nominal_fps == 25
    assert np.all(np.diff(t) > 0)
    np.testing.assert_allclose(np.diff(t), 0.04, atol=1e-3)
    assert frames[0].image.shape == (576, 768, 3)


def test_fps_option_subsamples_on_stream_time():
    with VideoFileSource(EXAMPLES / "raga_2people.mp4", fps=10) as src:
        frames = list(src)
    t = np.array([f.t_s for f in frames])
    assert 99 <= len(frames) <= 101  # 10 s at 10 fps
    assert np.all(np.diff(t) >= 0.08 - 1e-6) and np.all(np.diff(t) <= 0.12 + 1e-6)


def test_start_index_resumes_on_the_same_subsampled_grid():
    with VideoFileSource(EXAMPLES / "raga_2people.mp4", fps=10) as src:
        full = [f.index for f in src]
    with VideoFileSource(EXAMPLES / "raga_2people.mp4", fps=10, start_index=full[40]) as src:
        rest = [f.index for f in src]
    assert rest == full[40:]


def test_mirrored_input_is_flipped_back(tmp_path):
    path = write_video(tmp_path / "v.avi", _numbered_frames(3))
    with VideoFileSource(path) as src:
        plain = next(iter(src)).image
    with VideoFileSource(path, mirrored_input=True) as src:
        flipped = next(iter(src)).image
    assert plain[:, :8].mean() > 200 and plain[:, -8:].mean() < 50
    assert flipped[:, -8:].mean() > 200 and flipped[:, :8].mean() < 50


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "empty.mp4", b""), "is empty"),
        (lambda d: _write(d / "text.mp4", b"not a video\n" * 50), "not a readable video"),
    ],
)
def test_bad_paths_give_one_line(tmp_path, make, message):
    with pytest.raises(MirrorError) as err:
        VideoFileSource(make(tmp_path))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_truncated_video_is_reported(tmp_path):
    path = write_video(tmp_path / "v.avi", _numbered_frames(60))
    data = path.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(MirrorError, match="truncated|corrupt"):
        with VideoFileSource(cut) as src:
            for _ in src:
                pass


def test_real_mp4_cut_short_is_reported(tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((EXAMPLES / "raga_2people.mp4").read_bytes()[:200_000])
    with pytest.raises(MirrorError, match="truncated|corrupt|not a readable"):
        with VideoFileSource(cut) as src:
            for _ in src:
                pass


def test_zero_frame_video(tmp_path):
    path = tmp_path / "zero.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (64, 48))
    writer.release()
    with pytest.raises(MirrorError, match="no readable frames|not a readable video|empty"):
        VideoFileSource(path)


def test_missing_webcam():
    with pytest.raises(MirrorError, match="no camera at index 57"):
        WebcamSource(57)


def test_open_source_dispatch(tmp_path):
    image = tmp_path / "still.png"
    cv2.imwrite(str(image), np.full((40, 60, 3), 7, np.uint8))
    with open_source(image) as src:
        assert isinstance(src, ImageSource)
        frames = list(src)
    assert len(frames) == 1 and frames[0].t_s == 0 and frames[0].image.shape == (40, 60, 3)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG garbage")
    with pytest.raises(MirrorError, match="not a readable image"):
        open_source(bad)
    with pytest.raises(MirrorError, match="--fps must be positive"):
        open_source(EXAMPLES / "raga_2people.mp4", fps=0)


def test_every_frame_is_read_from_the_start():
    """Probing the first frame must not disturb the stream (seeking back garbles some AVIs)."""
    import cv2

    from tests.conftest import SHARED

    path = SHARED / "research" / "highfive_facing.avi"
    if not path.exists():
        pytest.skip("research footage not present")
    cap = cv2.VideoCapture(str(path))
    plain = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        plain.append(f)
    cap.release()
    with VideoFileSource(path) as src:
        frames = list(src)
    assert len(frames) == len(plain) == 62
    for a, b in zip(frames, plain, strict=True):
        assert np.array_equal(a.image, b)


def test_importing_sources_leaves_the_environment_alone_and_opening_one_quiets_opencv():
    """The OpenCV/FFmpeg log settings are made when a stream is opened, never on import, and never over the user's."""
    import json
    import os
    import subprocess
    import sys

    from mirror.sources.frames import QUIET_OPENCV
    from tests.conftest import REPO

    probe = (
        "import json, os, sys\n"
        "import cv2  # OpenCV's own import sets its Qt and library paths: not mirror's doing\n"
        "before = dict(os.environ)\n"
        "import mirror.sources, mirror.landmarks, mirror.live\n"
        "imported = dict(os.environ)\n"
        "mirror.sources.open_source(sys.argv[1]).close()\n"
        "print(json.dumps([before == imported, dict(os.environ)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in QUIET_OPENCV}
    env["OPENCV_LOG_LEVEL"] = "WARNING"  # the user's own choice is kept
    out = subprocess.run(
        [sys.executable, "-c", probe, str(EXAMPLES / "raga_2people.mp4")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    unchanged, opened = json.loads(out.stdout.strip().splitlines()[-1])
    assert unchanged
    assert opened["OPENCV_LOG_LEVEL"] == "WARNING"
    assert opened["OPENCV_FFMPEG_LOGLEVEL"] == QUIET_OPENCV["OPENCV_FFMPEG_LOGLEVEL"]
    assert opened["OPENCV_VIDEOIO_DEBUG"] == QUIET_OPENCV["OPENCV_VIDEOIO_DEBUG"]


def test_a_truncated_file_is_refused_without_ffmpeg_noise(tmp_path):
    import subprocess
    import sys

    from tests.conftest import REPO

    cut = tmp_path / "cut.mp4"
    cut.write_bytes((EXAMPLES / "raga_2people.mp4").read_bytes()[:200_000])
    probe = (
        "import sys\n"
        "import cv2  # already imported before any source opens, as in the pipeline\n"
        "from mirror.errors import MirrorError\n"
        "from mirror.sources import open_source\n"
        "try:\n"
        "    open_source(sys.argv[1])\n"
        "except MirrorError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(cut)], cwd=REPO, capture_output=True, text=True, check=True)
    assert "moov" in out.stdout and out.stderr.strip() == ""


def _reference_stream_keep(times_s, fps, native_fps):
    """The sources' subsampling as first written (before the shared gate), for comparison."""
    period, tolerance, next_t, kept = 1.0 / fps, 0.25 / native_fps, None, []
    for t in times_s:
        if next_t is None:
            next_t = t
        if t + tolerance < next_t:
            kept.append(False)
            continue
        while next_t <= t + tolerance:
            next_t += period
        kept.append(True)
    return kept


def _reference_live_keep(times_s, fps):
    """The live recorder's due/reserve as first written (before the shared gate), for comparison."""
    period, next_t, kept = 1.0 / fps, -np.inf, []
    for t in times_s:
        due = t + 0.25 * period >= next_t
        if due:
            if next_t == -np.inf:
                next_t = t
            while next_t <= t + 0.25 * period:
                next_t += period
        kept.append(due)
    return kept


@given(
    steps=st.lists(st.floats(0.0005, 0.3), min_size=1, max_size=200),
    start=st.floats(0.0, 100.0),
    fps=st.sampled_from([1.0, 7.5, 10.0, 12.5, 15.0, 24.0, 30.0, 59.94]),
    native=st.sampled_from([10.0, 25.0, 29.97, 30.0, 60.0]),
)
def test_one_rate_gate_keeps_the_frames_the_sources_and_the_live_recorder_kept(steps, start, fps, native):
    """Sources and live recording share one gate: on any timestamps it keeps exactly the frames each kept before."""
    times = list(np.cumsum([start, *steps]))
    gate = stream_gate(fps, native)
    assert [gate.keep(t) for t in times] == _reference_stream_keep(times, fps, native)
    live = RateGate(1.0 / fps, 0.25 / fps)  # the live inference's gate of the rows it records
    assert [live.keep(t) for t in times] == _reference_live_keep(times, fps)
    assert all(stream_gate(None, native).keep(t) for t in times)
