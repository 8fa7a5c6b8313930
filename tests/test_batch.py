"""``mirror batch`` on real clips: statuses, resuming, interruption, dead workers, a real Dask cluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mirror.batch import BatchMonitor, BatchSettings, dask_executor, local_executor, run_batch
from mirror.cli import app
from mirror.compare import CompareSettings
from mirror.landmarks import ExtractSettings
from tests.conftest import EXAMPLES
from tests.report_fixtures import ANALYSIS_FPS, analysed_dyad, dyad_video, landmark_cache

pytestmark = pytest.mark.model
RAGA = EXAMPLES / "raga_2people.mp4"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "report_session"


def _index(out: Path) -> dict[str, dict]:
    with open(out / "index.csv") as fh:
        return {Path(r["source"]).relative_to(out.parent / "in").as_posix(): r for r in csv.DictReader(fh)}


def _status(folder: Path) -> dict:
    return json.loads((folder / "status.json").read_text())


@pytest.fixture(scope="module")
def mixed(root):
    """A folder mixing good clips, a corrupt video, a text file named .avi and a notes file."""
    base = root / "mixed"
    src = base / "in"
    (src / "sub").mkdir(parents=True, exist_ok=True)
    shutil.copy(dyad_video(root), src / "dyad.avi")
    shutil.copy(RAGA, src / "raga_2people.mp4")
    shutil.copy(RAGA, src / "sub" / "raga_2people.mp4")  # same stem: the output folders must not collide
    (src / "corrupt.mp4").write_bytes(RAGA.read_bytes()[:40_000])
    (src / "fake.avi").write_text("this is not a video\n")
    (src / "notes.txt").write_text("session notes\n")
    analysed_dyad(root)  # fills the landmark cache with the dyad clip: the batch reads it back
    return src, base / "out"


def _batch_args(src: Path, out: Path, root: Path, *extra: str) -> list[str]:
    return [
        "batch", str(src), "--out", str(out), "--fps", ANALYSIS_FPS, "--surrogates", "20",
        "--cache-dir", str(landmark_cache(root)), "--no-progress", *extra,
    ]  # fmt: skip


def test_batch_over_a_mixed_folder(mixed, root):
    src, out = mixed
    result = CliRunner().invoke(app, _batch_args(src, out, root, "--workers", "2"))
    assert result.exit_code == 1, result.output  # some files failed: the batch finished all the same
    assert "6 files: 3 analysed, 0 already done, 2 failed, 1 not a video" in result.output
    index = _index(out)
    assert {k: r["status"] for k, r in index.items()} == {
        "dyad.avi": "done", "raga_2people.mp4": "done", "sub/raga_2people.mp4": "done",
        "corrupt.mp4": "failed", "fake.avi": "failed", "notes.txt": "skipped",
    }  # fmt: skip
    for name in ("corrupt.mp4", "fake.avi"):
        error = index[name]["error"]
        assert "not a readable video" in error and "\n" not in error
        assert _status(out / Path(name).stem)["state"] == "failed"
    assert not list(out.rglob(".mirror.lock")), "no lock file is left, in the folders of failed files either"
    assert index["notes.txt"]["error"] == "not a video file (extension .txt)"
    assert {index[k]["name"] for k in ("dyad.avi", "raga_2people.mp4", "sub/raga_2people.mp4")} == {
        "dyad",
        "raga_2people",
        "raga_2people-2",
    }
    for name in ("dyad", "raga_2people", "raga_2people-2"):
        status = _status(out / name)
        assert status["state"] == "done" and status["settings_key"]
        for f in status["files"]:
            assert (out / name / f).is_file(), f
        assert {
            "report.json",
            "report.html",
            "report.eaf",
            "timeline.png",
            "boris_events.csv",
            "provenance.json",
        } <= set(status["files"])
    # the batch computes what `mirror analyze` computes
    batch_doc = json.loads((out / "dyad" / "report.json").read_text())
    analyze_doc = json.loads((analysed_dyad(root) / "report.json").read_text())
    assert (
        batch_doc["events"] == analyze_doc["events"]
        and batch_doc["summary"]["share"] == analyze_doc["summary"]["share"]
    )
    # ranks: the dyad clip mirrors and matches most; the raga clip does neither
    assert index["dyad.avi"]["rank_mirror"] == "1" and index["dyad.avi"]["rank_match"] == "1"
    assert float(index["raga_2people.mp4"]["mirror_share"]) < float(index["dyad.avi"]["mirror_share"])

    # a rerun skips what is done and changes none of its files
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/*") if p.parent.name in ("dyad", "raga_2people")}
    again = CliRunner().invoke(app, _batch_args(src, out, root))
    assert again.exit_code == 1
    assert "6 files: 0 analysed, 3 already done, 2 failed, 1 not a video" in again.output
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert {k: r["status"] for k, r in _index(out).items()} == {k: r["status"] for k, r in index.items()}


def test_batch_index_page(mixed, root, browser):
    """index.html in Chromium: one row per file, sortable, no outside request (runs after the batch above)."""
    src, out = mixed
    if not (out / "index.html").exists():
        pytest.skip("needs the mixed-folder batch")
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((out / "index.html").resolve().as_uri())
    rows = page.locator("#index tbody tr")
    assert rows.count() == 6
    assert [rows.nth(i).get_attribute("data-status") for i in range(6)].count("failed") == 2
    assert "dyad" in rows.nth(0).inner_text()  # ranked first by mirroring
    page.click("th:has-text('session')")  # sort by name
    names = [rows.nth(i).locator("td").nth(3).get_attribute("data-v") for i in range(6)]
    assert names == sorted(names)
    assert requests == [(out / "index.html").resolve().as_uri()]
    page.close()


def _wait_for(predicate, timeout_s: float = 120.0, what: str = "condition"):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _progress(folder: Path) -> dict | None:
    try:
        return json.loads((folder / ".progress.json").read_text())
    except (OSError, ValueError):
        return None


def test_ctrl_c_then_rerun_loses_nothing(root, tmp_path):
    """SIGINT to the whole command (as a terminal's Ctrl+C) mid-video, then the same command again."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RAGA, src / "raga.mp4")
    out, cache = tmp_path / "out", tmp_path / "cache"
    cmd = [sys.executable, "-m", "mirror.cli", "batch", str(src), "--out", str(out), "--fps", "12.5",
           "--surrogates", "0", "--cache-dir", str(cache), "--no-progress"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(lambda: (_progress(out / "raga") or {}).get("done", 0) >= 20, what="20 frames analysed")
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (stdout, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr
    status = out / "raga" / "status.json"
    assert not status.exists() or _status(out / "raga")["state"] != "done"
    chunks = sorted(cache.rglob("chunk_*.npz"))
    assert chunks, "the frames analysed before Ctrl+C are kept in the cache"
    kept = {c: c.read_bytes() for c in chunks}

    result = CliRunner().invoke(
        app,
        [
            "batch",
            str(src),
            "--out",
            str(out),
            "--fps",
            "12.5",
            "--surrogates",
            "0",
            "--cache-dir",
            str(cache),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 file: 1 analysed" in result.output
    assert _status(out / "raga")["state"] == "done"
    for c, data in kept.items():
        assert c.read_bytes() == data, "the rerun resumed after the kept frames instead of redoing them"
    doc = json.loads((out / "raga" / "report.json").read_text())
    assert doc["provenance"]["landmarks"]["frames"] == 125  # 10 s at 12.5 fps: every frame, none twice


class _KillOnProgress(BatchMonitor):
    """Kills the worker analysing a video once it is mid-way, and checks nothing is marked done then."""

    def __init__(self, out: Path, name: str, after_frames: int = 8) -> None:
        self.out, self.name, self.after = out, name, after_frames
        self.killed_pid = None
        self.done_after_kill = None
        self.finished = {}

    def file_progress(self, item, done, total):
        import psutil

        if item.name != self.name or self.killed_pid is not None or done < self.after:
            return
        pid = (_progress(self.out / item.name) or {}).get("pid")
        assert pid and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
        _wait_for(
            lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
            30,
            "the worker to die",
        )
        self.killed_pid = pid
        self.done_after_kill = (self.out / item.name / "status.json").exists()

    def file_finished(self, item, result):
        self.finished[item.name] = result


def _settings(cache: Path, fps: float = 12.5) -> BatchSettings:
    return BatchSettings(
        extract=ExtractSettings(fps=fps), compare=CompareSettings(), n_surrogates=0, cache_dir=str(cache)
    )


def test_killed_local_worker_is_retried_and_never_marked_done(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RAGA, src / "raga.mp4")
    out = tmp_path / "out"
    settings = _settings(tmp_path / "cache")
    killer = _KillOnProgress(out, "raga")
    results = run_batch(
        src, out, settings, executor_factory=lambda: local_executor(1, settings.extract), monitor=killer, max_attempts=2
    )
    assert killer.killed_pid is not None and killer.done_after_kill is False
    assert [(r.name, r.state, r.attempts) for r in results] == [("raga", "done", 2)]
    status = _status(out / "raga")
    assert (
        status["state"] == "done" and status["attempt"] == 2 and not status["worker"].endswith(f":{killer.killed_pid}")
    )


def test_killed_worker_with_no_tries_left_is_marked_failed(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RAGA, src / "raga.mp4")
    out = tmp_path / "out"
    settings = _settings(tmp_path / "cache")
    killer = _KillOnProgress(out, "raga")
    results = run_batch(
        src, out, settings, executor_factory=lambda: local_executor(1, settings.extract), monitor=killer, max_attempts=1
    )
    assert killer.done_after_kill is False
    assert results[0].state == "failed" and "worker process died" in results[0].error
    assert _status(out / "raga")["state"] == "failed"
    with open(out / "index.csv") as fh:
        assert [r["status"] for r in csv.DictReader(fh)] == ["failed"]


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real Dask scheduler and two worker processes (each under its nanny) on loopback."""
    pytest.importorskip("distributed")
    base = tmp_path_factory.mktemp("dask")
    sched_file = base / "scheduler.json"
    logs = []
    procs = []

    def start(args, name):
        log = open(base / f"{name}.log", "w")
        logs.append(log)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT, cwd=base, start_new_session=True
            )
        )

    start(
        [
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(sched_file),
        ],
        "scheduler",
    )
    _wait_for(lambda: sched_file.exists() and sched_file.stat().st_size > 0, 60, "the scheduler")
    address = json.loads(sched_file.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    for i in range(2):
        start(
            ["distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard", "--name", f"w{i}", "--local-directory", str(base / f"w{i}")],
            f"worker{i}",
        )  # fmt: skip
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=90)
    try:
        yield address
    finally:
        for p in procs:
            with_group = os.getpgid(p.pid) if p.poll() is None else None
            if with_group:
                os.killpg(with_group, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        for log in logs:
            log.close()


def test_batch_on_a_dask_cluster(dask_cluster, root, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(dyad_video(root), src / "dyad.avi")
    shutil.copy(RAGA, src / "raga.mp4")
    out = tmp_path / "out"
    analysed_dyad(root)
    result = CliRunner().invoke(app, _batch_args(src, out, root, "--scheduler", dask_cluster))
    assert result.exit_code == 0, result.output
    assert "2 files: 2 analysed" in result.output
    workers = set()
    for name in ("dyad", "raga"):
        status = _status(out / name)
        assert status["state"] == "done"
        workers.add(status["worker"])
        assert not status["worker"].endswith(f":{os.getpid()}")  # analysed on the cluster, not here
    with open(out / "index.csv") as fh:
        assert sorted(r["status"] for r in csv.DictReader(fh)) == ["done", "done"]


def test_killed_dask_worker_is_retried_by_the_scheduler(dask_cluster, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RAGA, src / "raga.mp4")
    out = tmp_path / "out"
    settings = _settings(tmp_path / "cache")
    executor, client = dask_executor(dask_cluster)
    killer = _KillOnProgress(out, "raga")
    try:
        results = run_batch(src, out, settings, executor_factory=lambda: executor, monitor=killer)
    finally:
        client.close()
    assert killer.killed_pid is not None and killer.done_after_kill is False
    assert results[0].state == "done", results[0].error
    status = _status(out / "raga")
    assert status["state"] == "done" and not status["worker"].endswith(f":{killer.killed_pid}")
    doc = json.loads((out / "raga" / "report.json").read_text())
    assert doc["provenance"]["landmarks"]["frames"] == 125


def test_overlay_video_uses_the_live_overlay(root, tmp_path):
    import cv2

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(dyad_video(root), src / "dyad.avi")
    out = tmp_path / "out"
    analysed_dyad(root)
    result = CliRunner().invoke(app, _batch_args(src, out, root, "--overlay-video"))
    assert result.exit_code == 0, result.output
    status = _status(out / "dyad")
    assert "overlay.avi" in status["files"]
    made, orig = cv2.VideoCapture(str(out / "dyad" / "overlay.avi")), cv2.VideoCapture(str(src / "dyad.avi"))
    try:
        assert made.get(cv2.CAP_PROP_FRAME_COUNT) == orig.get(cv2.CAP_PROP_FRAME_COUNT)
        for _ in range(100):  # 8 s in: mid-session, skeletons and states on screen
            ok_a, a = made.read()
            ok_b, b = orig.read()
        assert ok_a and ok_b and a.shape == b.shape
        changed = (abs(a.astype(int) - b.astype(int)).max(axis=2) > 60).mean()
        assert 0.01 < changed < 0.6  # drawn on top of the picture, which still shows through
    finally:
        made.release()
        orig.release()


def test_bad_batch_input_is_one_error_line(tmp_path):
    runner = CliRunner()
    (tmp_path / "in").mkdir()
    (tmp_path / "a_file").write_text("x")
    cases = [
        (["batch", str(tmp_path / "missing"), "--out", str(tmp_path / "o")], "no files match"),
        (["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o")], "no files match"),  # empty folder
        (["batch", str(tmp_path / "in"), "--out", str(tmp_path / "a_file")], "exists and is not a folder"),
        (
            ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--workers", "0"],
            "--workers must be at least 1",
        ),
        (
            ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--preset", "slow"],
            "--preset must be one of: live, report; got 'slow'",
        ),
        (
            ["batch", str(tmp_path / "notes"), "--out", str(tmp_path / "o")],
            "no video in",
        ),  # only non-videos: refused like an empty folder
    ]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    (tmp_path / "notes" / "b.csv").write_text("x")
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists(), "refused before any work"


def test_output_names_stay_put_across_runs(tmp_path):
    from mirror.batch import plan_batch

    out = tmp_path / "out"
    out.mkdir()
    a, b, c = tmp_path / "x" / "s.mp4", tmp_path / "y" / "s.mp4", tmp_path / "a" / "s.avi"
    first = plan_batch([a, b], out)
    assert [i.name for i in first] == ["s", "s-2"]
    second = plan_batch(sorted([a, b, c]), out)  # a new file sorts first: earlier names are kept
    assert {i.source: i.name for i in second} == {a: "s", b: "s-2", c: "s-3"}


def test_garbled_status_or_report_is_done_again_not_trusted(tmp_path):
    import json

    import numpy as np

    from mirror.batch import STATUS, BatchItem, BatchSettings, is_done, source_fingerprint
    from mirror.compare import analyze_features
    from mirror.features import FEATURES, Features
    from mirror.report import write_report

    source = tmp_path / "talk.mp4"
    source.write_bytes(b"video")
    settings = BatchSettings()
    folder = tmp_path / "out" / "talk"
    folder.mkdir(parents=True)
    item = BatchItem(source, "talk")
    status = {"state": "done", "settings_key": settings.key(), "files": ["report.json"], **source_fingerprint(source)}
    (folder / STATUS).write_text(json.dumps(status))
    values = np.random.default_rng(0).normal(size=(200, 2, len(FEATURES)))
    write_report(analyze_features(Features(np.arange(200) / 15, values), n_surrogates=0), folder, {})
    good = (folder / "report.json").read_text()
    assert is_done(item, tmp_path / "out", settings)
    for report in ('{"format": "mirr', json.dumps({"format": "other.tool", "format_version": 1}), "[]"):
        (folder / "report.json").write_text(report)
        assert not is_done(item, tmp_path / "out", settings), report
    (folder / "report.json").write_text(good)
    assert is_done(item, tmp_path / "out", settings)
    for garbled in ('{"state": "do', "null", json.dumps({**status, "settings_key": "other"})):
        (folder / STATUS).write_text(garbled)
        assert not is_done(item, tmp_path / "out", settings), garbled
