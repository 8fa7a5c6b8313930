"""The per-video files rendered from report.json: ELAN, BORIS, timeline.png, provenance, HTML content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from mirror.errors import MirrorError
from mirror.landmarks.models import SHA256
from mirror.report import RENDERED_FILES, read_report, write_all
from mirror.report.doc import (
    channel_series,
    confidence,
    confidence_word,
    label_confidence,
    label_runs,
    nothing_text,
    p_runs,
    p_text,
    step_of,
    strength,
    usability_rows,
)
from mirror.sources.frames import file_sha256
from tests.report_fixtures import (
    analysed_dyad,
    calibrated_doc,
    copy_report,
    dyad_video,
    flag_mechanical,
    nothing_doc,
    write_doc,
)

pytestmark = pytest.mark.model
XSD_DIR = Path(__file__).resolve().parent / "data" / "elan"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "report_session"


@pytest.fixture(scope="module")
def rendered(root):
    """The real report of the dyad clip, with every file rendered beside it."""
    src = analysed_dyad(root)
    out = copy_report(src, root / "rendered")
    return out, write_all(out, dyad_video(root)), read_report(out).to_dict()


@pytest.fixture(scope="module")
def flagged(root):
    """The same report with a flagged mechanical direction and coaching messages (hand-written)."""
    out = copy_report(analysed_dyad(root), root / "flagged", edit=flag_mechanical)
    return out, write_all(out, dyad_video(root)), read_report(out).to_dict()


def _xsd(version: str):
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_DIR / f"EAFv{version}.xsd"), allow="sandbox")


def test_the_clip_really_mirrors_then_matches(rendered):
    _, _, doc = rendered
    kinds = [e["kind"] for e in doc["events"]]
    assert "mirror" in kinds and "match" in kinds, kinds
    mirror = next(e for e in doc["events"] if e["kind"] == "mirror")
    assert mirror["start_s"] < 5 and mirror["leader"] == "A" and mirror["lag_s"] == pytest.approx(0.4, abs=0.15)


def test_every_file_is_written(rendered):
    out, paths, _ = rendered
    assert set(paths) == set(RENDERED_FILES)
    for name in RENDERED_FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert not list(out.glob(".*.tmp")), "temporary files left behind"


def test_eaf_is_valid_against_elans_schema_and_holds_the_report(rendered, root):
    out, paths, doc = rendered
    for version in ("2.8", "3.0"):
        _xsd(version).validate(str(paths["report.eaf"]))  # raises with the first violation
    from pympi.Elan import Eaf

    eaf = Eaf(str(paths["report.eaf"]))
    media = eaf.media_descriptors[0]
    assert media["MEDIA_URL"] == dyad_video(root).resolve().as_uri()
    assert (out / media["RELATIVE_MEDIA_URL"]).resolve() == dyad_video(root).resolve()
    assert media["MIME_TYPE"] == "video/x-msvideo"
    tiers = set(eaf.get_tier_names())
    assert {"mirror", "match", "symmetric", "head", "left_arm", "right_arm", "torso", "face"} <= tiers
    assert {"mechanical B copies A", "mechanical A copies B"} <= tiers
    for kind in ("mirror", "match"):
        got = sorted((a, b) for a, b, _ in eaf.get_annotation_data_for_tier(kind))
        want = sorted(
            (round(1000 * e["start_s"]), round(1000 * e["end_s"])) for e in doc["events"] if e["kind"] == kind
        )
        assert got == want
    # per body part: the runs of labelled windows, never overlapping within a tier
    series = channel_series(doc)
    for channel in ("head", "left_arm", "right_arm", "torso", "face"):
        got = sorted(eaf.get_annotation_data_for_tier(channel))
        runs = label_runs(series[channel], step_of(doc), labels=("mirror", "match"))
        assert [v.split(" (")[0] for _, _, v in got] == [lab for _, _, lab in runs]
        # each run carries the largest p-value of its windows and its confidence
        alpha = doc["calibration"]["alpha"]
        assert [v for _, _, v in got] == [
            f"{lab} ({p_text(p, alpha)})" for _, _, lab, p in p_runs(series[channel], step_of(doc), ("mirror", "match"))
        ]
        assert all(got[i][1] <= got[i + 1][0] for i in range(len(got) - 1))
    assert eaf.get_annotation_data_for_tier("left_arm"), "the arms mirror then match in this clip"


def test_eaf_without_video_has_no_media_and_is_still_valid(root):
    out = copy_report(analysed_dyad(root), root / "no_video")
    doc = json.loads((out / "report.json").read_text())
    doc["provenance"]["source_path"] = str(root / "gone" / "dyad.avi")  # the video has moved away
    (out / "report.json").write_text(json.dumps(doc))
    paths = write_all(out)
    _xsd("2.8").validate(str(paths["report.eaf"]))
    assert b"MEDIA_DESCRIPTOR" not in paths["report.eaf"].read_bytes()
    html = paths["report.html"].read_text()
    assert "No thumbnails: the video was not available" in html and "<img" not in html
    prov = json.loads(paths["provenance.json"].read_text())
    assert "sha256_now" not in prov["source"]


def test_mechanical_and_feedback_reach_every_format(flagged):
    out, paths, doc = flagged
    from pympi.Elan import Eaf

    _xsd("2.8").validate(str(paths["report.eaf"]))
    eaf = Eaf(str(paths["report.eaf"]))
    assert [(a, b) for a, b, _ in eaf.get_annotation_data_for_tier("mechanical B copies A")] == [(2000, 14000)]
    assert eaf.get_annotation_data_for_tier("mechanical A copies B") == []
    assert [a for a, _, _ in eaf.get_annotation_data_for_tier("feedback to B")] == [6000]
    rows = list(csv.DictReader(io.StringIO(paths["boris_events.csv"].read_text())))
    mech = [r for r in rows if r["code"] == "mechanical"]
    assert [(r["time"], r["subject"], r["status"]) for r in mech] == [("2.0", "B", "START"), ("14.0", "B", "STOP")]
    points = [r for r in rows if r["status"] == "POINT"]
    assert [(r["code"], r["subject"]) for r in points] == [("feedback_warning", "B"), ("feedback_praise", "A")]
    html = paths["report.html"].read_text()
    assert 'data-direction="B_copies_A" data-flagged="true"' in html
    assert "B copied 36 of A&#x27;s 40 gestures (90%)" in html
    assert "you &amp; your partner &lt;matched&gt; well" in html  # escaped, never raw markup


def test_boris_tables_import_layout(rendered):
    out, paths, doc = rendered
    rows = list(csv.DictReader(io.StringIO(paths["boris_events.csv"].read_text())))
    assert list(rows[0])[:5] == ["time", "subject", "code", "modifier", "comment"]  # BORIS's import columns
    times = [float(r["time"]) for r in rows]
    assert times == sorted(times)
    ethogram = list(csv.DictReader(io.StringIO(paths["boris_ethogram.csv"].read_text())))
    kinds = {r["Behavior code"]: r["Behavior type"] for r in ethogram}
    for r in rows:
        assert r["code"] in kinds
    # every state event starts and stops, alternating per subject and code (how BORIS pairs them)
    open_: dict = {}
    for r in rows:
        key = (r["subject"], r["code"])
        if kinds[r["code"]] == "Point event":  # a coaching message: one row, no stop
            assert r["status"] == "POINT" and r["code"].startswith("feedback_"), r
            continue
        assert kinds[r["code"]].startswith("State")
        assert r["status"] == ("STOP" if open_.get(key) else "START"), r
        open_[key] = r["status"] == "START"
    assert not any(open_.values())
    starts = [(float(r["time"]), r["code"]) for r in rows if r["status"] == "START" and r["code"] != "mechanical"]
    assert starts == sorted((e["start_s"], e["kind"]) for e in doc["events"])
    subjects = list(csv.DictReader(io.StringIO(paths["boris_subjects.csv"].read_text())))
    assert [s["Subject name"] for s in subjects] == ["A", "B"]


def test_timeline_png_shows_six_rows_of_lines(rendered):
    _, paths, _ = rendered
    img = cv2.imread(str(paths["timeline.png"]))
    assert img is not None and img.shape[1] >= 1000 and img.shape[0] >= 600
    # the mirror (blue) and match (orange) lines are drawn
    b, g, r = (img[..., i].astype(int) for i in range(3))
    blue = (b > 150) & (r < 80) & (g > 90) & (g < 150)
    orange = (r > 200) & (g > 90) & (g < 140) & (b < 60)
    assert blue.sum() > 2000 and orange.sum() > 2000
    rows_with_lines = np.flatnonzero((blue | orange).any(axis=1))
    assert rows_with_lines.max() - rows_with_lines.min() > 0.6 * img.shape[0]  # lines on every row, top to bottom


def test_provenance_sidecar(rendered, root):
    _, paths, doc = rendered
    prov = json.loads(paths["provenance.json"].read_text())
    for pkg in ("mirror", "mediapipe", "numpy", "scipy", "opencv-contrib-python", "matplotlib", "pympi-ling"):
        assert prov["packages"].get(pkg), pkg
    assert prov["models"]["pose_landmarker_lite.task"] == SHA256["pose_landmarker_lite.task"]
    assert prov["models"]["face_landmarker.task"] == SHA256["face_landmarker.task"]
    video = dyad_video(root)
    assert prov["source"]["path"] == str(video.resolve())
    assert prov["source"]["sha256"] == prov["source"]["sha256_now"] == file_sha256(video)
    assert prov["source"]["matches_report"] is True
    assert prov["parameters"]["extract"]["fps"] == 6.25
    assert prov["parameters"]["compare"] == doc["settings"]
    assert prov["parameters"]["mechanical"] == doc["mechanical"]["settings"]


def test_read_report_refuses_what_is_not_a_report(tmp_path):
    with pytest.raises(MirrorError, match="not found"):
        read_report(tmp_path)
    (tmp_path / "report.json").write_text('{"format": "something else"}')
    with pytest.raises(MirrorError, match="not a mirror.report"):
        write_all(tmp_path)
    (tmp_path / "report.json").write_text("{not json")
    with pytest.raises(MirrorError, match="not a readable report"):
        read_report(tmp_path / "report.json")


# ------------------------------------------------------- calibrated labels: p-values in every file


def test_confidence_words_and_strength_follow_the_p_value():
    assert [confidence(p, 0.01) for p in (0.0002, 0.0009, 0.001, 0.004, 0.0099, 0.01, 0.3, None, float("nan"))] == [
        "very_sure", "very_sure", "sure", "sure", "sure", "chance", "chance", "unmeasured", "unmeasured",
    ]  # fmt: skip
    assert (
        confidence_word(0.004) == "sure"
        and confidence_word(0.0001) == "very sure"
        and confidence_word(0.2) == "not beyond chance"
    )
    assert confidence(0.004, alpha=0.001) == "chance"  # relative to the report's alpha
    levels = [strength(p, 0.01) for p in (0.2, 0.0099, 0.004, 0.001, 0.0003, 0.00001)]
    assert levels == sorted(levels) and levels[0] == 0.0 and levels[-1] == 1.0 and 0 < levels[1] < levels[-2]
    assert strength(None) == 1.0  # a report from before calibration is drawn as it always was
    # a window's confidence speaks of its label: "none" is only ever "not beyond chance"
    assert label_confidence("mirror", 0.004) == "sure" and label_confidence("symmetric", 0.0001) == "very_sure"
    assert label_confidence("none", 0.3) == "chance"
    assert label_confidence("none", 0.003) is None  # beat chance, but too weak a score for a label
    assert label_confidence("insufficient", None) is None and label_confidence("match", None) == "unmeasured"


def test_series_carry_each_windows_p_value():
    doc = calibrated_doc()
    series = channel_series(doc)
    np.testing.assert_array_equal(series["overall"].p_value[:12], [w["p_value"] for w in doc["windows"][:12]])
    np.testing.assert_array_equal(
        series["left_arm"].p_value[:3], [w["channels"]["left_arm"]["p_value"] for w in doc["windows"][:3]]
    )
    assert np.isnan(series["overall"].p_value[-1]) and np.isnan(series["head"].p_value[-1])  # insufficient windows
    # a run's p-value is the largest of its windows
    runs = p_runs(series["overall"], step_of(doc))
    assert [(lab, p) for _, _, lab, p in runs] == [("mirror", 0.009), ("match", 0.004)]


def test_eaf_and_boris_carry_p_values_and_stay_valid(tmp_path):
    doc = calibrated_doc()
    paths = write_all(write_doc(tmp_path / "cal", doc))
    for version in ("2.8", "3.0"):
        _xsd(version).validate(str(paths["report.eaf"]))
    from pympi.Elan import Eaf

    eaf = Eaf(str(paths["report.eaf"]))
    ((_, _, mirror_value),) = eaf.get_annotation_data_for_tier("mirror")
    assert mirror_value.startswith("mirror (p=0.009, sure); leader A")
    ((_, _, match_value),) = eaf.get_annotation_data_for_tier("match")
    assert match_value.startswith("match (p=0.004, sure)")
    arm = sorted(eaf.get_annotation_data_for_tier("left_arm"))
    worst = max(w["channels"]["left_arm"]["p_value"] for w in doc["windows"][:12])
    assert [v for _, _, v in arm] == [f"mirror (p={worst:.3f}, sure)", "match (p=0.004, sure)"]
    assert dict(eaf.properties)["mirror_calibration"].startswith(
        "labels only where p < 0.01; null: reference (160 pseudo-pairs"
    )
    rows = list(csv.DictReader(io.StringIO(paths["boris_events.csv"].read_text())))
    starts = [r for r in rows if r["status"] == "START"]
    assert [(r["code"], float(r["p_value"])) for r in starts] == [(e["kind"], e["p_value"]) for e in doc["events"]]
    assert starts[0]["comment"].startswith("p=0.009, sure; leader A")


def test_surer_windows_are_shaded_darker_in_timeline_png(tmp_path):
    def render(p: float) -> np.ndarray:
        doc = calibrated_doc()
        for w in doc["windows"]:
            if w["label"] in ("mirror", "match"):
                w["p_value"] = p
                for c in ("left_arm", "right_arm"):
                    w["channels"][c]["p_value"] = p
        paths = write_all(write_doc(tmp_path / f"p{p}", doc))
        return cv2.imread(str(paths["timeline.png"])).astype(int)

    weak, sure = render(0.009), render(0.0001)
    assert weak.shape == sure.shape
    changed = np.abs(weak - sure).max(-1) > 10
    assert changed.mean() > 0.05, "the p-value does not change the shading"
    # where they differ, the surer picture is darker (more colour laid over the white plot)
    assert sure[changed].sum(-1).mean() < weak[changed].sum(-1).mean() - 30


def test_a_report_with_nothing_measured_says_why_in_every_file(tmp_path):
    doc = nothing_doc()
    assert nothing_text(doc) == "Nothing could be measured: the recording (2.4 s) is shorter than one 4 s window."
    paths = write_all(write_doc(tmp_path / "nothing", doc))
    html = paths["report.html"].read_text()
    assert "Nothing could be measured: the recording (2.4 s) is shorter than one 4 s window." in html
    assert 'class="card' not in html and "<svg" not in html  # no 0 % cards, no empty plots
    img = cv2.imread(str(paths["timeline.png"]))
    assert img.shape[0] < 300  # one sentence, not six empty rows
    _xsd("2.8").validate(str(paths["report.eaf"]))
    # a session with windows but both people never in view together long enough
    apart = calibrated_doc()
    for w in apart["windows"]:
        w.update(label="insufficient", p_value=None)
    apart["events"] = []
    apart["provenance"]["landmarks"]["both_present_rate"] = 0.3
    assert nothing_text(apart) == (
        "Nothing could be measured: both people were in view together in only 30 % of the frames, "
        "less than the 60 % of a window the comparison needs."
    )


def test_usability_rows_when_present_and_none_in_older_reports():
    rows = usability_rows(calibrated_doc())
    assert len(rows) == 10
    assert rows[1]["text"] == "A's left arm usable in 12 % of frames: occluded"
    assert rows[4]["text"] == "A's face usable in 0 % of frames: no face found"
    assert usability_rows(calibrated_doc(usability=False)) == []


def test_real_comparator_p_values_reach_the_files(tmp_path):
    """A synthetic mirrored pair through the calibrated comparator (its own surrogates as the null)."""
    from scipy.ndimage import gaussian_filter1d

    from mirror.compare import analyze_features
    from mirror.features import FEATURES, Features, mirror_operator
    from mirror.report import write_report

    rate, n, lag = 15, 60 * 15, 9  # B mirrors A 0.6 s later
    a = gaussian_filter1d(np.random.default_rng(0).normal(size=(n + lag, len(FEATURES))), 8, axis=0) * 3.0
    pair = Features(np.arange(n) / rate, np.stack([a[lag:], mirror_operator(a)[:n]], axis=1))
    syn = analyze_features(pair, n_surrogates=0, null="session")
    out = tmp_path / "real"
    write_report(syn, out)
    paths = write_all(out)
    doc = read_report(out).to_dict()
    assert doc["calibration"]["null"] == "session" and doc["events"]
    assert all(e["p_value"] < doc["calibration"]["alpha"] for e in doc["events"])
    html = paths["report.html"].read_text()
    for e in doc["events"]:
        assert f'<td class="num p-value">{e["p_value"]:.3f}</td>' in html or f"{e['p_value']:.1g}" in html
    from mirror.compare.nulls import SESSION_BLOCKS

    assert (
        f"A label is shown only where it beats chance: p &lt; 0.01 against {SESSION_BLOCKS} stretches of this session"
        in html
    )
    windows = list(csv.DictReader(io.StringIO((out / "windows.csv").read_text())))
    overall = [r for r in windows if r["channel"] == "overall"]
    assert [float(r["p_value"]) for r in overall] == [w["p_value"] for w in doc["windows"]]


def test_analyze_prints_calibrated_shares_p_values_and_usability(root, tmp_path):
    """`mirror analyze` on the dyad clip (landmarks from the session's cache): what it prints matches report.json."""
    from typer.testing import CliRunner

    from mirror.cli import app
    from mirror.report.doc import calibration_text, format_p
    from tests.report_fixtures import ANALYSIS_FPS, landmark_cache

    analysed_dyad(root)  # fills the landmark cache
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        app,
        ["analyze", str(dyad_video(root)), "--out", str(out), "--fps", ANALYSIS_FPS, "--surrogates", "0",
         "--cache-dir", str(landmark_cache(root)), "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = read_report(out).to_dict()
    lines = result.output.splitlines()
    assert calibration_text(doc) in lines  # "A label is shown only where it beats chance: p < 0.01 against ..."
    share = doc["summary"]["share"]
    shares = next(line for line in lines if "labelled only where beyond chance" in line)
    assert f"mirror {100 * share['mirror']:.0f} %, match {100 * share['match']:.0f} %" in shares
    assert doc["events"]
    for e in doc["events"][:10]:
        word = confidence_word(e["p_value"], doc["calibration"]["alpha"])
        assert any(f"{e['kind']:9s}" in line and f"p={format_p(e['p_value'])} {word}" in line for line in lines), (
            e,
            lines,
        )
    # usability per person and body part, from the features, in report.json, the output and the page
    assert set(doc["usability"]) == {"A", "B"}
    for person in "AB":
        assert set(doc["usability"][person]) == {"head", "left_arm", "right_arm", "torso", "face"}
        for part in doc["usability"][person].values():
            assert 0 <= part["usable_share"] <= 1 and part["reason"] in (
                "ok",
                "not_seen",
                "low_visibility",
                "out_of_frame",
                "occluded",
                "side_unknown",
                "no_face",
            )
    rows = usability_rows(doc)
    assert len(rows) == 10
    for row in rows:
        if row["reason"] != "ok":
            assert f"  {row['text']}" in lines
    html = (out / "report.html").read_text()
    assert html.count('<tr data-person="') == 10


def test_part_events_follow_the_whole_body_rule():
    """Runs of at least two windows with one part's same label; an insufficient window breaks a run; the largest
    p-value."""
    from mirror.report import Report
    from mirror.report.parts import part_events_from_windows
    from tests.report_fixtures import calibrated_doc

    doc = calibrated_doc()
    windows = doc["windows"]
    windows[5]["channels"]["left_arm"]["label"] = "none"  # splits the left arm's mirror run 0-11 into 0-4 and 6-11
    windows[20]["label"] = "insufficient"  # a whole window without data splits every part's run
    windows[17]["channels"]["right_arm"]["label"] = "none"  # leaves a one-window run 16: no event
    events = [e.model_dump() for e in part_events_from_windows(Report.model_validate(doc).windows)]
    left = [(e["kind"], e["start_s"], e["end_s"], e["windows"]) for e in events if e["body_part"] == "left_arm"]
    assert left == [("mirror", 0.0, 6.0, 5), ("mirror", 3.0, 9.5, 6), ("match", 8.0, 13.5, 4), ("match", 10.5, 17.5, 7)]
    right = [(e["start_s"], e["windows"]) for e in events if e["body_part"] == "right_arm" and e["kind"] == "match"]
    assert right == [(9.0, 2), (10.5, 7)]
    first = next(e for e in events if e["body_part"] == "left_arm")
    assert first["p_value"] == max(w["channels"]["left_arm"]["p_value"] for w in windows[:5])
    assert first["strength"] == 0.8
    assert [e["start_s"] for e in events] == sorted(e["start_s"] for e in events)
    assert not any(e["body_part"] in ("head", "torso", "face") for e in events)  # their label is none throughout


def test_events_csv_lists_whole_body_then_body_part_events(rendered):
    out, _, doc = rendered
    rows = list(csv.DictReader(io.StringIO((out / "events.csv").read_text())))
    whole = [r for r in rows if r["body_part"] == "whole_body"]
    parts = [r for r in rows if r["body_part"] != "whole_body"]
    assert rows == whole + parts and len(whole) == len(doc["events"]) and len(parts) == len(doc["part_events"])
    for r, e in zip(parts, doc["part_events"], strict=True):
        assert (r["body_part"], r["kind"], float(r["start_s"]), float(r["end_s"])) == (
            e["body_part"],
            e["kind"],
            e["start_s"],
            e["end_s"],
        )
        assert r["channels"] == e["body_part"] and r["leader"] == ""
    assert doc["part_events"], "the dyad clip's arms mirror and match: there are body-part events"


def test_a_window_that_continues_a_run_says_so_in_every_output(tmp_path):
    import html

    from mirror.overlay import OverlayState, ReportView
    from mirror.report import write_report_files
    from mirror.report.doc import calibration_short, calibration_text
    from mirror.report.html import render_html
    from mirror.review import page_data
    from tests.report_fixtures import calibrated_doc, write_doc

    doc = calibrated_doc()
    doc["settings"].update(alpha_run=0.05, run_lag_s=0.25)
    # window 12 (after the mirror run 0-11) continues it: mirror at its delay, p 0.03 (not below alpha 0.01)
    win = doc["windows"][12]
    win.update(label="mirror", p_value=0.03, continues=True, lag_s=doc["windows"][11]["lag_s"])
    win["leader"] = doc["windows"][11]["leader"]
    written = read_report(
        write_report_files(read_report(write_doc(tmp_path / "in", doc) / "report.json"), tmp_path)["report.json"]
    )
    assert written.windows[12].continues and not written.windows[11].continues
    rows = list(csv.DictReader(io.StringIO((tmp_path / "windows.csv").read_text())))
    overall = {int(r["window"]): r for r in rows if r["channel"] == "overall"}
    assert overall[12]["continues"] == "1" and overall[11]["continues"] == "0"
    said = "or p < 0.05 where it continues its neighbour's relation at the same delay"
    assert said in calibration_text(written) and "(or < 0.05 continuing a run)" in calibration_short(written)
    page = render_html(written)
    assert html.escape(said) in page
    # the timeline's shading of window 12 names it a continuation, never "not beyond chance"
    assert "mirror 7.75–8.25 s, continues a sure run" in page and "not beyond chance" not in page
    assert "faintest: continues a sure run (p under 0.05)" in page
    assert page_data(written, None, None, "")["windows"]["confidence"][11:13] == ["very_sure", "continues"]
    view = ReportView.from_dict(written)
    t12 = (written.windows[12].start_s + written.windows[12].end_s) / 2
    state = OverlayState.from_view(view, (None, None), t12)
    assert (state.overall, state.confidence) == ("mirror", "continues a sure run")
    # a report where no window continued keeps the plain sentence
    plain = read_report(write_doc(tmp_path / "plain", calibrated_doc()) / "report.json")
    assert "continues" not in calibration_text(plain) and "run" not in calibration_short(plain)
    assert "continues a sure run" not in render_html(plain)
