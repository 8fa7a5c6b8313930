"""Awkward real-world input: rotated phone video, tiny and 8K frames, three people, broken report files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.landmarks import ExtractSettings, extract_video
from tests.conftest import EXAMPLES, write_video
from tests.helpers import one_line_error

pytestmark = pytest.mark.model


def _raga_frames(n: int, size: tuple[int, int]) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(EXAMPLES / "raga_2people.mp4"))
    frames = []
    while len(frames) < n:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(f, size, interpolation=cv2.INTER_AREA if size[0] < f.shape[1] else cv2.INTER_CUBIC))
    cap.release()
    return frames


def _set_rotation(path: Path, degrees: int) -> None:
    """Write a display rotation into the MP4's track header (as phones do) instead of rotating pixels."""
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0 and data[at + 4] == 0, "expects a version-0 track header"
    matrix = at + 4 + 40  # after version/flags, times, track id, duration, layer, group, volume
    one = 1 << 16
    rot = {90: (0, one, 0, -one, 0, 0, 0, 0, 1 << 30), 270: (0, -one, 0, one, 0, 0, 0, 0, 1 << 30)}[degrees]
    struct.pack_into(">9i", data, matrix, *rot)
    path.write_bytes(bytes(data))


def test_rotated_phone_video_is_read_upright(tmp_path):
    """Pixels stored sideways with a 90 degree rotation tag: people come out upright, A still on the left."""
    upright = _raga_frames(30, (384, 288))
    sideways = [cv2.rotate(f, cv2.ROTATE_90_COUNTERCLOCKWISE) for f in upright]
    stored = write_video(tmp_path / "phone.mp4", sideways, fps=25, fourcc="mp4v")
    _set_rotation(stored, 90)
    reference = write_video(tmp_path / "upright.avi", upright, fps=25)
    rotated = extract_video(stored, ExtractSettings(backfill=False), use_cache=False)
    info = rotated.info
    plain = extract_video(reference, ExtractSettings(backfill=False), use_cache=False)
    assert (info.source["width"], info.source["height"]) == (384, 288)
    assert rotated.pose_present.all() and info.identity_swaps == 0
    assert np.nanmean(rotated.pose_image[:, 0, :, 0]) < np.nanmean(rotated.pose_image[:, 1, :, 0])
    # the same people in the same places as in the upright copy (mp4v vs MJPG: small differences)
    err = np.nanmedian(np.abs(rotated.pose_image[:, :, :25, :2] - plain.pose_image[:, :, :25, :2]))
    assert err < 0.01


@pytest.mark.parametrize("size", [(96, 72), (7680, 4320)])
def test_tiny_and_8k_frames_give_a_report(tmp_path, size):
    frames = _raga_frames(4 if size[0] > 4000 else 40, size)
    video = write_video(tmp_path / "clip.avi", frames, fps=25)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "analyze",
            str(video),
            "--out",
            str(out),
            "--no-progress",
            "--surrogates",
            "0",
            "--window-s",
            "1",
            "--max-lag-s",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "report.json").read_text())
    both = doc["provenance"]["landmarks"]["both_present_rate"]
    if size[0] > 4000:
        assert both == 1.0  # 8K: each person is found in a region scaled down for the model
    else:
        assert 0.0 <= both <= 1.0  # 96x72: the people are a few pixels tall; whatever is found, a report
    assert (out / "report.html").exists()


def test_a_third_person_does_not_take_a_place(tmp_path):
    """Three people side by side: A and B stay the same two people throughout."""
    two = _raga_frames(40, (512, 384))
    cap = cv2.VideoCapture(str(EXAMPLES / "raga_1person.mp4"))
    third = []
    while len(third) < 40:
        ok, f = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        third.append(cv2.resize(f[:, 480:1440], (256, 384), interpolation=cv2.INTER_AREA))
    cap.release()
    frames = [np.concatenate([a, c], axis=1) for a, c in zip(two, third, strict=True)]
    video = write_video(tmp_path / "three.avi", frames, fps=25)
    lm = extract_video(video, ExtractSettings(), use_cache=False)
    info = lm.info
    assert info.identity_swaps == 0 and lm.pose_present.all()
    x = np.nanmedian(lm.pose_image[:, :, [11, 12], 0], axis=2)  # shoulder centre of A and B per frame
    assert np.ptp(x[:, 0]) < 0.05 and np.ptp(x[:, 1]) < 0.05  # nobody jumps to another person
    assert (x[:, 0] < x[:, 1]).all()


def test_broken_or_foreign_report_files_are_refused_not_trusted(tmp_path):
    from mirror.errors import MirrorError
    from mirror.report import write_all

    (tmp_path / "report.json").write_text("{truncated")
    with pytest.raises(MirrorError):
        write_all(tmp_path)
    (tmp_path / "report.json").write_text(json.dumps({"format": "something.else", "format_version": 1}))
    with pytest.raises(MirrorError):
        write_all(tmp_path)
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("command, result_file", [("analyze", "report.json"), ("extract", "landmarks.npz")])
def test_ctrl_c_during_analyze_or_extract_keeps_the_landmarks_and_writes_no_result(tmp_path, command, result_file):
    """SIGINT mid-extraction: one line, exit 130, no result file; the rerun resumes from the cached frames."""
    import os
    import signal
    import subprocess
    import sys
    import time

    frames = _raga_frames(250, (384, 288))
    video = write_video(tmp_path / "long.avi", (frames + frames[::-1]) * 2, fps=25)  # 40 s
    out, cache = tmp_path / "out", tmp_path / "cache"
    cmd = [sys.executable, "-m", "mirror.cli", command, str(video), "--out", str(out), "--no-progress",
           "--cache-dir", str(cache)] + (["--surrogates", "0"] if command == "analyze" else [])  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifests = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # interrupt once frames are being analysed
        time.sleep(0.5)
        manifests = list(cache.rglob("manifest.json"))
        if manifests:
            break
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert (
        lines[-1].startswith("error: interrupted" if command == "analyze" else "interrupted") and "Traceback" not in err
    )
    if command == "analyze":
        assert not (out / result_file).exists()
    else:  # the frames so far are flushed, and say they are partial
        assert json.loads((out / "extract.json").read_text())["interrupted"]
    manifest = json.loads(next(cache.rglob("manifest.json")).read_text())
    done = sum(c["frames"] for c in manifest["chunks"])
    assert 0 < done < 600 and not manifest["complete"]
    first_chunk = next(cache.rglob("chunk_000000.npz")).read_bytes()
    rerun = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ}, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert (out / result_file).exists()
    assert next(cache.rglob("chunk_000000.npz")).read_bytes() == first_chunk  # reused, not redone
    final = json.loads(next(cache.rglob("manifest.json")).read_text())
    assert final["complete"] and final["info"]["resumed_from_frames"] == done


def _make_variable_rate(path: Path) -> None:
    """Give the second half of an MP4's frames twice the duration (a variable frame rate), in place.

    Rewrites the track's time-to-sample table (``stts``) from one entry to two; the boxes
    around it grow by 8 bytes (the media data comes before them, so no offset moves), and the
    movie, track and media durations grow to match.
    """
    data = bytearray(path.read_bytes())

    def find(start: int, end: int, kind: bytes) -> int:
        i = start
        while i < end:
            size, typ = struct.unpack(">I4s", data[i : i + 8])
            if typ == kind:
                return i
            i += size
        raise AssertionError(f"no {kind!r} box")

    parents, start, end = [], 0, len(data)
    for kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
        at = find(start, end, kind)
        parents.append(at)
        start, end = at + 8, at + struct.unpack(">I", data[at : at + 4])[0]
    stts = find(start, end, b"stts")
    size, _, _, count = struct.unpack(">I4sII", data[stts : stts + 16])
    assert count == 1
    frames, delta = struct.unpack(">II", data[stts + 16 : stts + 24])
    first = frames // 2
    entries = struct.pack(">IIII", first, delta, frames - first, 2 * delta)
    data[stts : stts + 24] = struct.pack(">I4sII", size + 8, b"stts", 0, 2) + entries
    for at in parents:
        struct.pack_into(">I", data, at, struct.unpack(">I", data[at : at + 4])[0] + 8)
    moov, trak, mdia = parents[:3]
    extra = (frames - first) * delta  # media time units
    mdhd = find(mdia + 8, mdia + struct.unpack(">I", data[mdia : mdia + 4])[0], b"mdhd")
    media_scale = struct.unpack(">I", data[mdhd + 20 : mdhd + 24])[0]
    mvhd = find(moov + 8, moov + struct.unpack(">I", data[moov : moov + 4])[0], b"mvhd")
    movie_scale = struct.unpack(">I", data[mvhd + 20 : mvhd + 24])[0]
    tkhd = find(trak + 8, trak + struct.unpack(">I", data[trak : trak + 4])[0], b"tkhd")
    for at, offset, units in ((mdhd, 24, extra), (mvhd, 24, extra * movie_scale // media_scale),
                              (tkhd, 28, extra * movie_scale // media_scale)):  # fmt: skip
        struct.pack_into(">I", data, at + offset, struct.unpack(">I", data[at + offset : at + offset + 4])[0] + units)
    try:  # an edit list would still cut playback at the old duration
        edts = find(trak + 8, trak + struct.unpack(">I", data[trak : trak + 4])[0], b"edts")
        elst = edts + 8
        struct.pack_into(
            ">I",
            data,
            elst + 16,
            struct.unpack(">I", data[elst + 16 : elst + 20])[0] + extra * movie_scale // media_scale,
        )
    except AssertionError:
        pass
    path.write_bytes(bytes(data))


def test_variable_frame_rate_keeps_real_time(tmp_path):
    """A video whose second half runs at half the frame rate: times come from the stream, and
    the analysis rate samples both halves at the same real-time pace."""
    from mirror.sources import VideoFileSource

    frames = _raga_frames(40, (384, 288))
    video = write_video(tmp_path / "vfr.mp4", frames, fps=20, fourcc="mp4v")
    _make_variable_rate(video)
    with VideoFileSource(video) as src:
        t = np.array([f.t_s for f in src])
    assert len(t) == 40
    gaps = np.diff(t)
    assert np.allclose(gaps[:19], 0.05, atol=0.002) and np.allclose(gaps[20:], 0.10, atol=0.002)
    lm = extract_video(video, ExtractSettings(fps=10.0, backfill=False), use_cache=False)
    step = np.diff(lm.t_s)
    assert np.allclose(step, 0.10, atol=0.011), step  # every other frame first, then every frame
    assert lm.pose_present.all()


def test_one_person_in_the_room_is_said_and_nothing_is_invented(tmp_path):
    """A clip with one person: a report (all windows insufficient), and the user is told why."""
    out = tmp_path / "one"
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLES / "raga_1person.mp4"), "--out", str(out), "--no-progress",
                                      "--fps", "8", "--cache-dir", str(tmp_path / "cache")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "both people in view in 0 % of frames (A 100 %, B 0 %); the comparison needs both" in result.output
    assert "Nothing could be measured" in result.output and "Traceback" not in result.output
    report = json.loads((out / "report.json").read_text())
    assert {w["label"] for w in report["windows"]} == {"insufficient"}
    assert report["events"] == [] and not [m for m in report["feedback"] if m["kind"] == "warning"]


def _analyze_short_clip(tmp_path, n_frames: int):
    """``mirror analyze`` of the first ``n_frames`` of the raga pair at 25 fps: (CLI result, output folder)."""
    video = write_video(tmp_path / "short.avi", _raga_frames(n_frames, (384, 288)), fps=25)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["analyze", str(video), "--out", str(out), "--no-progress", "--cache-dir", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    return result, out


def test_a_clip_shorter_than_one_window_gives_an_empty_report_and_says_so(tmp_path):
    result, out = _analyze_short_clip(tmp_path, 30)  # 1.2 s
    assert "shorter than the shortest window (2 s): nothing can be measured" in result.output
    assert "both people in view in 100 %" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["windows"] == [] and report["events"] == []
    assert "nothing can be measured" in report["adapted"]["reason"]
    assert "Nothing could be measured" in (out / "report.html").read_text()


def test_a_clip_shorter_than_one_window_gets_windows_of_its_own_length(tmp_path):
    result, out = _analyze_short_clip(tmp_path, 75)  # 3 s
    report = json.loads((out / "report.json").read_text())
    assert report["settings"]["window_s"] == 3.0 and report["adapted"]["requested_window_s"] == 4.0
    assert len(report["windows"]) >= 1 and report["windows"][0]["label"] != "insufficient"
    assert "shorter than one 4 s window: windows of 3 s" in result.output
    html = (out / "report.html").read_text()
    assert "windows of 3 s" in html and "3 s windows" in html


@pytest.fixture
def small_disk(tmp_path):
    """A real 48 KB file system (tmpfs), to fill up."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()[:120]}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_one_line_and_leaves_only_whole_files(small_disk, tmp_path):
    out = small_disk / "out"
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLES / "raga_2people.mp4"), "--out", str(out),
                                      "--no-progress", "--fps", "5", "--surrogates", "0",
                                      "--cache-dir", str(tmp_path / "cache")])  # fmt: skip
    line = one_line_error(result)
    assert line.startswith("error: cannot write ") and line.endswith(": disk full")
    left = {p.name for p in out.iterdir()}
    assert not [n for n in left if n.endswith(".tmp")], left  # no half-written file
    json.loads((out / "report.json").read_text())  # what was written is whole
    # the landmark cache elsewhere was kept: the rerun with room needs no model
    again = CliRunner().invoke(app, ["analyze", str(EXAMPLES / "raga_2people.mp4"), "--out", str(tmp_path / "roomy"),
                                     "--no-progress", "--fps", "5", "--surrogates", "0",
                                     "--cache-dir", str(tmp_path / "cache")])  # fmt: skip
    assert again.exit_code == 0, again.output


def test_a_full_cache_disk_stops_extraction_in_one_line(small_disk, tmp_path):
    result = CliRunner().invoke(app, ["extract", str(EXAMPLES / "raga_2people.mp4"), "--out", str(tmp_path / "o"),
                                      "--no-progress", "--fps", "5",
                                      "--cache-dir", str(small_disk / "cache")])  # fmt: skip
    assert one_line_error(result).endswith(": disk full")
    assert not list(small_disk.rglob("*.tmp")) and not (tmp_path / "o" / "landmarks.npz").exists()
