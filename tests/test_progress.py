"""``mirror progress``: trends per figure, one person's side, the page in Chromium, CSV, --forget and errors."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.errors import MirrorError
from mirror.history import History, People, build_progress, compare_latest, load_progress, parse_since, record_session
from mirror.history.progress import figure_trend, figures, judge
from tests.history_fixtures import make_report

DAY = 86400.0
T0 = 1_767_000_000.0  # 2025-12-29


def _history(tmp_path: Path, n: int, person: str = "Ana", **vary) -> Path:
    """``n`` sessions of ``person`` one day apart; ``vary[name](i)`` gives figure ``name`` of session i."""
    db = tmp_path / "h.sqlite"
    for i in range(n):
        video = tmp_path / "videos" / f"s{i:02d}.mp4"
        video.parent.mkdir(parents=True, exist_ok=True)
        video.write_bytes(b"v")
        os.utime(video, (T0 + i * DAY, T0 + i * DAY))
        args = {k: f(i) for k, f in vary.items()}
        folder = make_report(tmp_path / "reports" / f"s{i:02d}", f"{i + 1:064x}", source_path=str(video), **args)
        record_session(folder, "analyze", People(person, "Bo", "B"), path=db)
    return db


# ----------------------------------------------------------------------------- trends


def test_trend_is_better_worse_or_steady_against_the_earlier_sessions(tmp_path):
    db = _history(
        tmp_path, 7,
        mirror=lambda i: 0.2 + 0.05 * i,  # rising: better
        mech_b_copies_a=lambda i: 0.2 if i < 6 else 0.7,  # B (Ana) copies A mechanically in the last one: worse
        synchrony=lambda i: 0.62 + 0.001 * i,  # within tolerance: steady
    )  # fmt: skip
    prog = load_progress(db, "Ana")
    trends = {t.figure.key: t for t in prog.trends}
    assert len(prog.views) == 7 and all(v.side == "B" for v in prog.views)
    assert trends["mirror_share"].trend == "better" and trends["mirror_share"].latest == 0.5
    assert trends["mirror_share"].baseline == pytest.approx(0.35) and trends["mirror_share"].earlier_n == 5
    assert trends["mechanical_copier"].trend == "worse" and trends["mechanical_copier"].latest == 0.7
    assert trends["mechanical_copied"].trend == "steady" and trends["mechanical_copied"].latest == 0.2
    assert trends["synchrony_excess"].trend == "steady"
    # Ana is B: she followed in the windows A led (1.0 and 1.5 s)
    assert trends["follow_lag_s"].latest == 1.25
    # two warnings and a prompt were for B, the praise for A: per 10 minutes of a 2 min session
    assert trends["warnings_per_10min"].latest == 10.0 and trends["praise_per_10min"].latest == 0.0


def test_the_same_sessions_from_the_partners_side(tmp_path):
    db = _history(tmp_path, 3, mech_b_copies_a=lambda i: 0.1 * (i + 1), mech_a_copies_b=lambda i: 0.05)
    bo = {t.figure.key: t for t in load_progress(db, "bo").trends}  # names match whatever their case
    assert bo["mechanical_copier"].latest == 0.05 and bo["mechanical_copied"].latest == pytest.approx(0.3)
    assert bo["follow_lag_s"].latest == 0.4 and bo["praise_per_10min"].latest == 5.0
    with pytest.raises(MirrorError, match="no session of 'Cy' in the history; people recorded: Ana, Bo"):
        load_progress(db, "Cy")


def test_a_band_figure_is_better_closer_to_its_band():
    lag = next(f for f in figures(True) if f.key == "follow_lag_s")
    assert lag.band == (0.5, 4.0)
    assert judge(lag, 0.6, 0.1) == "better" and judge(lag, 0.1, 0.6) == "worse"
    assert judge(lag, 3.0, 1.0) == "steady", "both natural"
    assert judge(lag, 5.5, 4.5) == "worse"
    assert figure_trend(lag, []).trend is None


def test_the_first_session_has_no_trend(tmp_path):
    db = _history(tmp_path, 1)
    prog = load_progress(db, "Ana")
    assert all(t.trend is None and t.earlier_n == 0 for t in prog.trends)
    assert prog.trends[0].latest == 0.4


def test_since_keeps_the_later_sessions(tmp_path):
    db = _history(tmp_path, 5)
    with History(db) as h:
        records = h.sessions()
    cut = records[2].recorded_at
    assert [v.record.id for v in load_progress(db, "Ana", since=cut).views] == [r.id for r in records[2:]]
    assert parse_since("2026-01-02T00:00+00:00") == "2026-01-02T00:00:00+00:00"
    with pytest.raises(MirrorError, match="--since must be a date"):
        parse_since("last tuesday")


def test_a_live_session_against_the_last_few(tmp_path):
    db = _history(tmp_path, 8, mirror=lambda i: 0.1 if i < 7 else 0.6)
    with History(db) as h:
        *earlier, current = h.sessions()
    trends = {t.figure.key: t for t in compare_latest(current, earlier, "Ana", recent=3)}
    assert trends["mirror_share"].trend == "better" and trends["mirror_share"].earlier_n == 3
    assert trends["mirror_share"].baseline == 0.1


# ----------------------------------------------------------------------------- command line


def test_progress_prints_sessions_and_trends_and_writes_page_and_csv(tmp_path):
    db = _history(tmp_path, 4, mirror=lambda i: 0.2 + 0.1 * i)
    page, table = tmp_path / "out" / "progress.html", tmp_path / "p.csv"
    result = CliRunner().invoke(
        app, ["progress", "--me", "Ana", "--history", str(db), "--out", str(page), "--csv", str(table), "--last", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "4 sessions of Ana; the last 3:"
    assert [ln.split()[0] for ln in lines[1:4]] == ["4", "3", "2"], "newest first"
    assert any(
        ln.strip().startswith("mirroring (share of time): 50 % vs 30 %") and ln.endswith("better") for ln in lines
    )
    assert page.is_file() and f"wrote {page}" in result.output
    rows = list(csv.DictReader(io.StringIO(table.read_text())))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"] and rows[3]["mirror_share"] == "0.5"
    assert (
        rows[0]["person_side"] == "B"
        and rows[0]["follow_lag_s"] == "1.25"
        and rows[0]["left_arm_mirror_share"] == "0.5"
    )
    assert rows[0]["part_arms"] == "0.6" and rows[0]["part_head"] == "0.4" and rows[0]["part_torso"] == ""


def test_forget_removes_one_session(tmp_path):
    db = _history(tmp_path, 3)
    runner = CliRunner()
    result = runner.invoke(app, ["progress", "--history", str(db), "--forget", "2"])
    assert result.exit_code == 0 and result.output.startswith("forgot session 2 (s01.mp4"), result.output
    with History(db) as h:
        assert [s.id for s in h.sessions()] == [1, 3]
    assert (tmp_path / "reports" / "s01" / "report.json").is_file()
    result = runner.invoke(app, ["progress", "--history", str(db), "--forget", "2"])
    assert result.exit_code == 2 and result.output.strip().startswith("error: no session 2 in the history")


def _error_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_progress_errors_are_one_line(tmp_path):
    db = _history(tmp_path, 2)
    runner = CliRunner()
    assert "--forget takes a session number" in _error_line(
        runner.invoke(app, ["progress", "--history", str(db), "--forget", "last"])
    )
    assert "--since must be a date" in _error_line(
        runner.invoke(app, ["progress", "--history", str(db), "--since", "yesterday"])
    )
    assert "people recorded: Ana, Bo" in _error_line(
        runner.invoke(app, ["progress", "--history", str(db), "--me", "Zed"])
    )
    assert "is a folder" in _error_line(runner.invoke(app, ["progress", "--history", str(db), "--out", str(tmp_path)]))
    missing = tmp_path / "none.sqlite"
    assert "no session history at" in _error_line(runner.invoke(app, ["progress", "--history", str(missing)]))
    assert not missing.exists()
    bad = tmp_path / "bad.sqlite"
    bad.write_text("hello")
    assert str(bad) in _error_line(runner.invoke(app, ["progress", "--history", str(bad)]))
    assert bad.read_text() == "hello"


# ----------------------------------------------------------------------------- the page in Chromium


def test_progress_page_in_chromium(tmp_path, browser):
    n = 7
    db = _history(
        tmp_path, n,
        mirror=lambda i: 0.1 * i,
        lags=lambda i: () if i == 3 else ((1.0 + i, "A", "mirror"),),  # session 4 has no copying delay
    )  # fmt: skip
    (tmp_path / "reports" / "s02" / "review.html").write_text("<!DOCTYPE html><title>review s02</title>")
    page_path = tmp_path / "site" / "progress.html"
    result = CliRunner().invoke(app, ["progress", "--me", "Ana", "--history", str(db), "--out", str(page_path)])
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_path.as_uri())
    assert page.locator("#count").inner_text() == str(n)
    plots = {s.get_attribute("data-figure"): s for s in page.locator("section.figure").all()}
    assert set(plots) >= {"mirror_share", "follow_lag_s", "mechanical_copier", "synchrony_excess"}
    assert plots["mirror_share"].locator("circle.pt").count() == n
    assert plots["follow_lag_s"].locator("circle.pt").count() == n - 1
    assert plots["follow_lag_s"].locator("svg.plot").get_attribute("data-sessions") == str(n - 1)
    # target bands and the warning line are drawn
    assert plots["follow_lag_s"].locator("rect.band").count() == 1
    assert (
        plots["mechanical_copier"].locator("rect.band").count() == 1
        and plots["mechanical_copier"].locator("line.warning").count() == 1
    )
    # the points are in session order, rising as the mirroring share does
    ys = [float(c.get_attribute("cy")) for c in plots["mirror_share"].locator("circle.pt").all()]
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == n
    box = plots["mirror_share"].locator("svg.plot").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    # by body part: the parts the reports measured (head, and the arms from the left arm alone)
    parts = page.locator("#parts section.figure")
    assert [parts.nth(i).get_attribute("data-figure") for i in range(parts.count())] == ["part_head", "part_arms"]
    assert page.locator("#parts section[data-figure=part_arms] circle.pt").count() == n
    # every session is in the table, newest first, with its report and (where written) review links
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == n and rows.first.get_attribute("data-session") == str(n)
    assert page.locator("#sessions a.report").count() == n
    assert page.locator("#sessions a.review").count() == 1
    assert page.locator("#trends li[data-figure=mirror_share]").get_attribute("data-trend") == "better"
    assert requests == [page_path.as_uri()], "the page asks for nothing else"
    # links open: a point goes to its session's report, the review link to the review page
    plots["mirror_share"].locator("circle.pt").nth(2).click()
    page.wait_for_load_state()
    assert page.title() == "report s02"
    page.go_back()
    page.locator("#sessions a.review").click()
    page.wait_for_load_state()
    assert page.title() == "review s02"
    page.close()


def test_progress_page_of_a_thousand_sessions_renders(tmp_path, browser):
    from mirror.history import write_progress_page
    from mirror.history.session import record_from_report

    folder = make_report(tmp_path / "one")
    base = record_from_report(folder, "analyze", People("Ana"))
    from dataclasses import replace

    records = [
        replace(base, id=i + 1, recorded_at=f"2026-01-01T00:00:{i % 60:02d}+00:00", mirror_share=(i % 10) / 10)
        for i in range(1000)
    ]
    page_path = write_progress_page(build_progress(records, "Ana"), tmp_path / "p.html")
    page = browser.new_page()
    page.goto(page_path.as_uri())
    assert page.locator("section[data-figure=mirror_share] circle.pt").count() == 1000
    assert page.locator("#sessions tbody tr").count() == 1000
    page.close()


# ----------------------------------------------------------------------------- analyze and batch, end to end


@pytest.mark.model
def test_analyze_and_batch_record_one_session_and_batch_links_the_progress_pages(tmp_path, tmp_path_factory, browser):
    """Real analyses of the dyad clip: analyze records it, analysing it again (analyze, then batch) updates it."""
    import json
    import shutil

    from tests.report_fixtures import ANALYSIS_FPS, dyad_video, landmark_cache

    root = tmp_path_factory.getbasetemp() / "report_session"  # the landmark cache the report tests share
    video = dyad_video(root)
    db = tmp_path / "h.sqlite"
    people = ["--me", "Ana", "--partner", "Bo", "--me-side", "right"]
    common = [
        "--fps",
        ANALYSIS_FPS,
        "--surrogates",
        "20",
        "--cache-dir",
        str(landmark_cache(root)),
        "--no-progress",
        "--history",
        str(db),
    ]
    runner = CliRunner()
    result = runner.invoke(app, ["analyze", str(video), "--out", str(tmp_path / "a"), *people, *common])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"recorded session 1 in the history {db} (see `mirror progress --me Ana`)"
    doc = json.loads((tmp_path / "a" / "report.json").read_text())
    with History(db) as h:
        [rec] = h.sessions()
    assert rec.people == People("Ana", "Bo", "B") and rec.kind == "analyze"
    assert rec.source_sha256 == doc["provenance"]["source_sha256"] and rec.source == str(video.resolve())
    assert rec.mirror_share == doc["summary"]["share"]["mirror"] and rec.match_share == doc["summary"]["share"]["match"]
    assert rec.mechanical_B_copies_A == doc["mechanical"]["directions"]["B_copies_A"]["score"]
    assert rec.synchrony == doc["summary"]["synchrony"]["real"]
    assert sum(rec.coaching_total(k) for k in ("warning", "praise", "prompt")) == len(doc["feedback"])

    result = runner.invoke(app, ["analyze", str(video), "--out", str(tmp_path / "b"), *people, *common])
    assert result.exit_code == 0 and "updated session 1 in the history" in result.output, result.output

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(video, src / "dyad.avi")
    out = tmp_path / "batch"
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), *people, *common])
    assert result.exit_code == 0, result.output
    assert f"1 session in the history {db}" in result.output
    with History(db) as h:
        [rec] = h.sessions()
    assert rec.id == 1 and rec.kind == "batch" and rec.report_dir == str((out / "dyad").resolve())

    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    links = page.locator("#progress a.progress")
    assert [links.nth(i).inner_text() for i in range(links.count())] == ["Ana", "Bo"]
    links.first.click()
    page.wait_for_load_state()
    assert page.title() == "mirror progress: Ana" and page.locator("#count").inner_text() == "1"
    page.locator("#sessions a.report").click()
    page.wait_for_load_state()
    assert page.url == (out / "dyad" / "report.html").as_uri()
    page.close()


# ----------------------------------------------------------------------------- the end of a live session


def test_end_card_shows_each_measured_figure_with_its_verdict(tmp_path):
    import numpy as np

    from mirror.live.endcard import draw_end_card, end_card_rows

    db = _history(
        tmp_path,
        6,
        mirror=lambda i: 0.1 + 0.05 * i,
        mech_b_copies_a=lambda i: 0.3 if i < 5 else 0.7,
        synchrony=lambda i: None,
    )
    with History(db) as h:
        *earlier, current = h.sessions()
    trends = compare_latest(current, earlier, "Ana")
    rows = end_card_rows(trends)
    assert [r[0] for r in rows][:2] == ["mirroring (share of time)", "matching (share of time)"]
    assert "synchrony above pseudo-synchrony" not in [r[0] for r in rows], "a figure not measured is left out"
    assert dict((r[0], r[2]) for r in rows)["mechanical copying: you copying your partner"] == "worse"
    assert rows[0][1] == "35 %  (before: 20 %)" and rows[0][2] == "better"
    img = draw_end_card((640, 480), "Ana: this session against your last ones", trends)
    assert img.shape == (480, 640, 3) and np.array_equal(
        img, draw_end_card((640, 480), "Ana: this session against your last ones", trends)
    )
    green, red = np.array([55, 127, 26]), np.array([40, 40, 198])
    assert (img == green).all(-1).sum() > 500 and (img == red).all(-1).sum() > 500  # one "better" and one "worse" badge
    ys_green = np.nonzero((img == green).all(-1))[0]
    ys_red = np.nonzero((img == red).all(-1))[0]
    assert ys_green.max() < ys_red.min(), "mirroring's row comes before mechanical copying's"


@pytest.mark.model
def test_live_records_the_session_and_compares_it_with_the_last_ones(tmp_path):
    import subprocess
    import sys

    from tests.conftest import EXAMPLES, REPO

    db = tmp_path / "h.sqlite"
    earlier = make_report(
        tmp_path / "earlier", live={"mode": "pair", "source": "x.mp4", "me": "A", "stats": {"seconds": 60.0}}, mtime=T0
    )
    record_session(earlier, "live", People("Ana"), path=db)
    out = tmp_path / "live"
    proc = subprocess.run(
        [sys.executable, "-m", "mirror.cli", "live", "--source", str(EXAMPLES / "raga_2people.mp4"), "--no-window",
         "--max-seconds", "6", "--surrogates", "0", "--out", str(out), "--me", "Ana", "--history", str(db)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"recorded session 2 in the history {db} (see `mirror progress --me Ana`)" in lines
    start = lines.index("this session against your last ones:")
    assert (
        lines[start + 1].startswith("  mirroring (share of time): ")
        and "over the last 1 session" in lines[start + 1]
        and "1 sessions" not in lines[start + 1]
    )
    with History(db) as h:
        first, rec = h.sessions()
    assert rec.kind == "live" and rec.people == People("Ana", None, "A") and rec.report_dir == str(out.resolve())
    assert rec.source.endswith("raga_2people.mp4") and rec.duration_s and rec.duration_s > 3.0
