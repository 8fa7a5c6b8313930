"""The session history: real SQLite files, figures read from report.json, updates, concurrent
writers in separate processes, migration from schema version 1, and files that are refused."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.errors import MirrorError
from mirror.history import (
    SCHEMA_VERSION,
    History,
    People,
    default_history_path,
    history_path,
    open_history,
    record_from_report,
    record_session,
)
from mirror.history.store import APPLICATION_ID
from tests.history_fixtures import make_report

REPO = Path(__file__).resolve().parents[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- figures


def test_a_session_keeps_the_figures_of_its_report(tmp_path):
    folder = make_report(tmp_path / "s1", "1" * 64, mirror=0.45, match=0.15, symmetric=0.05, duration_s=300.0)
    db = tmp_path / "h.sqlite"
    done = record_session(folder, "analyze", People("Ana", "Bo", "B"), path=db)
    assert done.added and done.path == db and done.session.id == 1
    [rec] = History(db).sessions()
    assert (rec.people.me_name, rec.people.partner_name, rec.people.me_side) == ("Ana", "Bo", "B")
    assert (rec.mirror_share, rec.match_share, rec.symmetric_share) == (0.45, 0.15, 0.05)
    assert rec.source_sha256 == "1" * 64 and rec.kind == "analyze" and rec.report_dir == str(folder.resolve())
    assert rec.duration_s == 300.0
    # windows led by A at 1.0 and 1.5 s (B followed), one led by B at -0.4 s (A followed)
    assert rec.follow_lag_B_s == 1.25 and rec.follow_lag_A_s == 0.4 and rec.typical_lag_s == 1.0
    assert rec.leader == "A" and rec.leader_share_A == 0.6 and rec.leader_share_together == 0.1
    assert (rec.mechanical_B_copies_A, rec.mechanical_A_copies_B, rec.mechanical_flag_score) == (0.3, 0.2, 0.6)
    assert (rec.synchrony, rec.surrogate_mean, rec.p_value, rec.effect_size) == (0.62, 0.5, 0.02, 2.4)
    assert rec.coaching == {"B": {"warning": 2, "prompt": 1}, "A": {"praise": 1}}
    assert rec.parts["left_arm"].mirror == 0.5 and rec.parts["head"].match == 0.3
    assert rec.parts["gaze"].none == 0.6  # a body part this mirror does not know is kept as it came
    # recorded: the report's completion time, since the source file is unknown
    assert rec.analysed_at == rec.recorded_at


def test_optional_and_unknown_report_fields_are_read_defensively(tmp_path):
    folder = make_report(
        tmp_path / "s", synchrony=None, surrogate_mean=None, mech_a_copies_b=None, lags=(), feedback=()
    )
    doc = json.loads((folder / "report.json").read_text())
    del doc["summary"]["leader_share"]
    doc["mechanical"] = {"directions": {"B_copies_A": {"copier": "B", "model": "A", "score": None}}}
    doc["feedback"] = [{"t_s": 5.0, "to": "A", "kind": "praise", "key": "k", "text": "t", "extra": [1, 2]}]
    doc["windows"].append({"start_s": 40.0, "end_s": 44.0, "label": "mirror", "leader": "A", "lag_s": None})
    (folder / "report.json").write_text(json.dumps(doc))
    rec = record_session(folder, "batch", path=tmp_path / "h.sqlite").session
    assert rec.synchrony is None and rec.surrogate_mean is None and rec.mechanical_A_copies_B is None
    assert rec.mechanical_B_copies_A is None and rec.flagged_B_copies_A is False and rec.mechanical_flag_score == 0.6
    assert rec.leader is None and rec.typical_lag_s is None and rec.follow_lag_A_s is None
    assert rec.coaching == {"A": {"praise": 1}}
    assert rec.people == People()


def test_a_report_that_breaks_the_schema_is_refused_in_one_line(tmp_path):
    folder = make_report(tmp_path / "s")
    doc = json.loads((folder / "report.json").read_text())
    doc["mechanical"]["directions"]["B_copies_A"]["score"] = "n/a"
    (folder / "report.json").write_text(json.dumps(doc))
    refused = r"report.json is not a valid mirror.report document: mechanical\.directions\.B_copies_A\.score: "
    with pytest.raises(MirrorError, match=refused):
        record_session(folder, "batch", path=tmp_path / "h.sqlite")
    (folder / "report.json").unlink()  # broken on purpose: not one of the suite's reports


def test_recorded_time_is_the_video_files_or_a_live_sessions_start(tmp_path):
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"x")
    os.utime(video, (1_700_000_000, 1_700_000_000))
    rec = record_session(
        make_report(tmp_path / "v", source_path=str(video), mtime=1_700_100_000), "analyze", path=tmp_path / "h.sqlite"
    ).session
    assert rec.recorded_at == "2023-11-14T22:13:20+00:00" and rec.analysed_at == "2023-11-16T02:00:00+00:00"
    assert rec.source == str(video)
    live = {"mode": "pair", "camera": 0, "me": "B", "stats": {"seconds": 600.0}}
    rec = record_session(
        make_report(tmp_path / "l", live=live, mtime=1_700_100_000), "live", People("Ana"), path=tmp_path / "h.sqlite"
    ).session
    assert rec.recorded_at == "2023-11-16T01:50:00+00:00" and rec.source == "camera 0"
    assert rec.people.me_side == "B", "the live session's trainee side is taken from its report"
    assert rec.source_sha256 is None and rec.session_key.startswith("folder:")


# ----------------------------------------------------------------------------- identity of a session


def test_same_source_and_settings_update_one_session(tmp_path):
    db = tmp_path / "h.sqlite"
    first = record_session(make_report(tmp_path / "a", "2" * 64, mirror=0.3), "analyze", People("Ana"), path=db)
    again = record_session(
        make_report(tmp_path / "b", "2" * 64, mirror=0.5, feedback=(("A", "praise"),)), "batch", People("Ana"), path=db
    )
    assert first.added and not again.added and again.session.id == first.session.id
    [rec] = History(db).sessions()
    assert rec.mirror_share == 0.5 and rec.report_dir == str((tmp_path / "b").resolve()) and rec.kind == "batch"
    assert rec.coaching == {"A": {"praise": 1}}, "the old coaching counts are replaced, not added to"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM session_coaching").fetchone()[0] == 1
    # other settings, or another source, make another session
    assert record_session(make_report(tmp_path / "c", "2" * 64, max_lag_s=5.0), "analyze", path=db).added
    assert record_session(make_report(tmp_path / "d", "3" * 64), "analyze", path=db).added
    # a camera session is its report folder: the same folder again is an update
    live = {"mode": "pair", "camera": 0, "stats": {"seconds": 30.0}}
    assert record_session(make_report(tmp_path / "live", live=live), "live", path=db).added
    assert not record_session(make_report(tmp_path / "live", live=live, mirror=0.9), "live", path=db).added
    assert len(History(db).sessions()) == 4


def test_history_file_is_versioned_wal_sqlite(tmp_path):
    db = tmp_path / "deep" / "folder" / "h.sqlite"
    record_session(make_report(tmp_path / "a"), "analyze", path=db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM mirror_meta WHERE key = 'format'").fetchone()[0] == "mirror.history"
    with History(db) as h:
        assert len(h.sessions()) == 1 and h.version == 2


def test_forget_deletes_the_record_and_its_details_only(tmp_path):
    db = tmp_path / "h.sqlite"
    a = record_session(make_report(tmp_path / "a", "4" * 64), "analyze", path=db).session
    b = record_session(make_report(tmp_path / "b", "5" * 64), "analyze", path=db).session
    with History(db) as h:
        gone = h.forget(a.id)
        assert gone.id == a.id and [s.id for s in h.sessions()] == [b.id]
        with pytest.raises(MirrorError, match=f"no session {a.id} in the history"):
            h.forget(a.id)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM session_parts WHERE session_id = ?", (a.id,)).fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM session_coaching WHERE session_id = ?", (a.id,)).fetchone()[0] == 0
    assert (tmp_path / "a" / "report.json").is_file(), "the report files are kept"


# ----------------------------------------------------------------------------- where it lives


def test_default_place_and_overrides(tmp_path, monkeypatch):
    monkeypatch.delenv("MIRROR_HISTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_history_path() == tmp_path / "xdg" / "mirror" / "history.sqlite"
        monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
        assert default_history_path() == Path.home() / ".local" / "share" / "mirror" / "history.sqlite"
    assert history_path(None) == default_history_path()
    monkeypatch.setenv("MIRROR_HISTORY", str(tmp_path / "env.sqlite"))
    assert history_path(None) == tmp_path / "env.sqlite"
    assert history_path(tmp_path / "opt.sqlite") == tmp_path / "opt.sqlite"


def test_the_suite_records_into_a_scratch_history(tmp_path):
    assert history_path(None) == tmp_path / "history" / "history.sqlite"


# ----------------------------------------------------------------------------- concurrent writers

WRITER = textwrap.dedent(
    """
    import sys
    from mirror.history import People, record_session
    db, kind, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    from mirror.history import load_progress
    for i in range(first, last):
        if kind == "progress":  # a reader while the others write: `mirror progress` never sees a half-written session
            try:
                prog = load_progress(db, None)
            except Exception as err:
                if "no session history" in str(err):
                    continue
                raise
            assert all(v.record.coaching for v in prog.views), "a session without its details"
            continue
        folder = sys.argv[5] + f"/r{i:03d}" if kind == "batch" else sys.argv[5]
        record_session(folder, kind, People("Ana", "Bo", "A"), path=db)
    print("ok")
    """
)


def test_concurrent_processes_lose_nothing(tmp_path):
    """Four batch workers and a live session write at once into a history none of them created yet, while it is read."""
    reports = tmp_path / "reports"
    for i in range(120):
        make_report(reports / f"r{i:03d}", f"{i:064x}", mirror=round(i / 200, 4), html=False)
    live = make_report(
        tmp_path / "live", live={"mode": "pair", "camera": 0, "me": "A", "stats": {"seconds": 60.0}}, html=False
    )
    db = tmp_path / "shared" / "history.sqlite"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), "batch", str(k * 30), str(k * 30 + 30), str(reports)],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in range(4)
    ]  # fmt: skip
    procs.append(
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), "live", "0", "40", str(live)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )  # fmt: skip
    procs.append(
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), "progress", "0", "40", str(live)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )  # fmt: skip
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0 and out.strip() == "ok", err
    with History(db) as h:
        sessions = h.sessions()
    assert len(sessions) == 121, "every batch video once, and the live session (40 writes of one session) once"
    by_dir = {s.report_dir: s for s in sessions}
    for i in range(120):
        rec = by_dir[str((reports / f"r{i:03d}").resolve())]
        assert rec.mirror_share == round(i / 200, 4) and rec.coaching == {
            "B": {"warning": 2, "prompt": 1},
            "A": {"praise": 1},
        }
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM session_parts").fetchone()[0] == 121 * 3
        assert conn.execute("SELECT COUNT(DISTINCT id) FROM sessions").fetchone()[0] == 121


# ----------------------------------------------------------------------------- migration

V1_SCHEMA = """
CREATE TABLE mirror_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO mirror_meta (key, value) VALUES ('format', 'mirror.history');
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, source TEXT NOT NULL,
    source_sha256 TEXT, settings_key TEXT NOT NULL, recorded_at TEXT NOT NULL, analysed_at TEXT NOT NULL,
    duration_s REAL,
    me_name TEXT, partner_name TEXT, me_side TEXT CHECK (me_side IN ('A', 'B')), mirror_share REAL, match_share REAL,
    symmetric_share REAL, none_share REAL, typical_lag_s REAL, leader TEXT, mechanical_B_copies_A REAL,
    mechanical_A_copies_B REAL, flagged_B_copies_A INTEGER NOT NULL DEFAULT 0,
    flagged_A_copies_B INTEGER NOT NULL DEFAULT 0,
    mechanical_flag_score REAL, synchrony REAL, surrogate_mean REAL, effect_size REAL, p_value REAL,
    warnings INTEGER NOT NULL DEFAULT 0, praise INTEGER NOT NULL DEFAULT 0, prompts INTEGER NOT NULL DEFAULT 0,
    report_dir TEXT NOT NULL
);
CREATE INDEX sessions_recorded_at ON sessions (recorded_at);
PRAGMA application_id = 1296650834;
PRAGMA user_version = 1;
"""


def _v1_history(path: Path, kept_report: Path, gone_report: Path) -> None:
    """A history as the first schema wrote it (frozen here, independent of the code's migrations)."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    row = (
        "INSERT INTO sessions (session_key, kind, source, source_sha256, settings_key, recorded_at, analysed_at, "
        "duration_s, me_name, partner_name, me_side, mirror_share, match_share, symmetric_share, none_share, "
        "typical_lag_s, leader, mechanical_B_copies_A, mechanical_A_copies_B, mechanical_flag_score, synchrony, "
        "surrogate_mean, effect_size, p_value, warnings, praise, prompts, report_dir) VALUES (?, 'analyze', ?, ?, "
        "'k', ?, ?, 120, 'Ana', 'Bo', 'B', ?, 0.2, 0.1, 0.3, 1.0, 'A', 0.3, 0.2, 0.6, 0.62, 0.5, 2.4, 0.02, ?, 1, 1, ?)"
    )
    key = record_from_report(kept_report, "analyze").session_key
    conn.execute(
        row,
        (key, "one.mp4", "1" * 64, "2026-01-01T10:00:00+00:00", "2026-01-01T11:00:00+00:00", 0.4, 2, str(kept_report)),
    )
    conn.execute(
        row,
        (
            "sha256:k2",
            "two.mp4",
            "2" * 64,
            "2026-01-02T10:00:00+00:00",
            "2026-01-02T11:00:00+00:00",
            0.5,
            3,
            str(gone_report),
        ),
    )
    conn.commit()
    conn.close()


def test_a_newer_mirror_migrates_a_version_1_history(tmp_path):
    kept = make_report(tmp_path / "kept", "1" * 64)
    db = tmp_path / "v1.sqlite"
    _v1_history(db, kept, tmp_path / "gone")
    with History(db) as h:
        assert h.version == SCHEMA_VERSION
        one, two = h.sessions()
    assert (one.source, two.source) == ("one.mp4", "two.mp4") and (one.mirror_share, two.mirror_share) == (0.4, 0.5)
    assert one.people == People("Ana", "Bo", "B") and two.mechanical_B_copies_A == 0.3
    # version 2's figures: completed from the report still on disk, unknown where it is gone
    assert one.follow_lag_B_s == 1.25 and one.leader_share_A == 0.6 and one.parts["left_arm"].mirror == 0.5
    assert one.coaching == {"B": {"warning": 2, "prompt": 1}, "A": {"praise": 1}}
    assert two.follow_lag_B_s is None and two.parts == {}
    assert two.coaching == {"A+B": {"warning": 3, "praise": 1, "prompt": 1}}, "version 1's totals are kept"
    # and it is a working version 2 history: the same session again is an update, a new one is added
    again = record_session(kept, "analyze", People("Ana", "Bo", "B"), path=db)
    assert not again.added and again.session.id == one.id and again.session.source != "one.mp4"
    assert record_session(make_report(tmp_path / "new", "9" * 64), "analyze", path=db).added
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_history_from_a_newer_mirror_is_refused(tmp_path):
    db = tmp_path / "h.sqlite"
    record_session(make_report(tmp_path / "a"), "analyze", path=db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 7")
    before = _digest(db)
    with pytest.raises(MirrorError, match="schema version 7, made by a newer mirror"):
        History(db)
    assert _digest(db) == before


# ----------------------------------------------------------------------------- refused files


def _foreign_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('someone')")
    return path


def _other_application(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE t (x)")
    return path


def _damaged_history(path: Path, tmp_path: Path) -> Path:
    for i in range(30):
        record_session(make_report(tmp_path / "d" / f"r{i}", f"{i:064x}", html=False), "analyze", path=path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page + 8 : 3 * page] = os.urandom(2 * page - 8)  # pages 2 and 3 overwritten
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["random", "text", "foreign", "other-app", "damaged"])
def test_damaged_or_foreign_files_are_refused_and_left_untouched(tmp_path, kind):
    path = tmp_path / "history.sqlite"
    if kind == "random":
        path.write_bytes(os.urandom(5000))
    elif kind == "text":
        path.write_text("name,score\nana,3\n")
    elif kind == "foreign":
        _foreign_sqlite(path)
    elif kind == "other-app":
        _other_application(path)
    else:
        _damaged_history(path, tmp_path)
    before = _digest(path)
    files_before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(MirrorError) as err:
        record_session(make_report(tmp_path / "new", "f" * 64), "analyze", path=path)
    message = str(err.value)
    assert str(path) in message and "\n" not in message
    assert (
        ("damaged" in message)
        if kind == "damaged"
        else ("not a mirror history" in message or "another program" in message)
    )
    assert _digest(path) == before, "the file is never written to"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({*files_before, "new"}), (
        "no journal or WAL file was made beside it"
    )


def test_a_folder_or_an_empty_file(tmp_path):
    with pytest.raises(MirrorError, match="is a folder"):
        History(tmp_path)
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert record_session(make_report(tmp_path / "a"), "analyze", path=empty).added  # an empty file is a new history
    with pytest.raises(MirrorError, match="no session history at"):
        open_history(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


# ----------------------------------------------------------------------------- command line


def _one_error_line(result, *needles: str) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["analyze", "batch"])
def test_analyze_and_batch_refuse_a_damaged_history_before_any_work(tmp_path, command):
    bad = tmp_path / "h.sqlite"
    bad.write_bytes(os.urandom(4096))
    video = tmp_path / "v.avi"
    video.write_bytes(b"not a video")
    result = CliRunner().invoke(
        app, [command, str(video), "--out", str(tmp_path / "out"), "--history", str(bad), "--no-progress"]
    )
    _one_error_line(result, str(bad), "not a mirror history")
    assert not (tmp_path / "out").exists(), "nothing was analysed"


def test_history_options_that_contradict_are_refused(tmp_path):
    video = tmp_path / "v.avi"
    video.write_bytes(b"x")
    runner = CliRunner()
    out = str(tmp_path / "out")
    _one_error_line(
        runner.invoke(app, ["analyze", str(video), "--out", out, "--history", str(tmp_path / "h"), "--no-history"]),
        "not both",
    )
    _one_error_line(
        runner.invoke(app, ["analyze", str(video), "--out", out, "--me", "Ana", "--me-side", "up"]),
        "--me-side must be left or right",
    )
    _one_error_line(
        runner.invoke(app, ["analyze", str(video), "--out", out, "--me", "left", "--me-side", "right"]), "disagree"
    )
    _one_error_line(runner.invoke(app, ["batch", str(video), "--out", out, "--me", " "]), "--me must be a name")


def test_a_failed_analysis_records_nothing(tmp_path):
    """The history is written only after a complete report: a video that cannot be analysed leaves no session."""
    video = tmp_path / "broken.mp4"
    video.write_bytes(os.urandom(20000))
    db = tmp_path / "h.sqlite"
    result = CliRunner().invoke(
        app,
        ["analyze", str(video), "--out", str(tmp_path / "out"), "--history", str(db), "--me", "Ana", "--no-progress"],
    )
    assert result.exit_code == 2 and result.output.startswith("error: ")
    with History(db) as h:
        assert h.sessions() == []
    assert not (tmp_path / "out" / "report.json").exists()


def test_no_history_writes_no_history(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRROR_HISTORY", str(tmp_path / "env.sqlite"))
    video = tmp_path / "broken.mp4"
    video.write_bytes(os.urandom(1000))
    CliRunner().invoke(app, ["analyze", str(video), "--out", str(tmp_path / "out"), "--no-history", "--no-progress"])
    assert not (tmp_path / "env.sqlite").exists()


def test_live_refuses_a_damaged_history_before_the_session(tmp_path):
    bad = tmp_path / "h.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before = _digest(bad)
    out = tmp_path / "live"
    result = CliRunner().invoke(
        app,
        [
            "live",
            "--source",
            str(REPO / "examples" / "raga_2people.mp4"),
            "--no-window",
            "--out",
            str(out),
            "--history",
            str(bad),
        ],
    )
    _one_error_line(result, str(bad))
    assert _digest(bad) == before and not out.exists()
