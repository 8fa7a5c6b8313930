"""One story on every page: what the summary, the tables and the timelines show agrees with the windows.

report.html, the review page and index.html in Debian's headless Chromium: the share table is
counted from the windows (and agrees with ``summary``), every event (whole body and body part)
has a bar spanning exactly its time range, the words name events, copies and coaching apart,
pages with nothing measured show a banner with the reason and the fix and no empty cards or
plots, and the pages fit a 1400 px window and a phone.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from mirror.report import read_report, write_all
from mirror.report.doc import duration_of, part_events, share_rows
from mirror.report.index import render_index_html
from mirror.review import page_data, render_review_html
from mirror.review.page import KIND_COLORS
from mirror.vocabulary import BODY_PARTS
from tests.report_fixtures import (
    CHROMIUM,
    analysed_dyad,
    calibrated_doc,
    copy_report,
    nothing_doc,
    screenshot,
    write_doc,
)

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


def open_page(browser, path: Path, width: int = 1400):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, errors


def review_page(browser, doc: dict, folder: Path, width: int = 1400):
    """The static review page of a report (no video, no skeletons), ready to read."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "review.html"
    path.write_text(render_review_html(page_data(doc, None, None, "This session has no video."), static=True))
    page, errors = open_page(browser, path, width)
    deadline = time.monotonic() + 20
    while not page.evaluate("window.__mirror && (window.__mirror.videoOk || window.__mirror.videoFailed)"):
        assert time.monotonic() < deadline, "the review page never started"
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)  # the first frame of the timeline
    return page, errors


def unusable_face_doc() -> dict:
    """The calibrated fixture with A's face never usable: the face is insufficient in every window."""
    doc = calibrated_doc()
    for w in doc["windows"]:
        w["channels"]["face"] = {"label": "insufficient", "mirror_score": None, "match_score": None, "p_value": None}
    return doc


def all_insufficient_doc() -> dict:
    """Windows, but none with both people in view long enough."""
    doc = calibrated_doc()
    for w in doc["windows"]:
        w.update(
            label="insufficient",
            mirror_score=None,
            match_score=None,
            sync_score=None,
            p_value=None,
            lag_s=None,
            leader=None,
            valid=0.2,
        )
        w["channels"] = {
            c: {"label": "insufficient", "mirror_score": None, "match_score": None, "p_value": None} for c in BODY_PARTS
        }
    doc["events"] = []
    doc["provenance"]["landmarks"]["both_present_rate"] = 0.3
    return doc


def counted(doc: dict, row: str) -> dict[str, int]:
    """Windows per label of a row, counted here straight from report.json (a whole window insufficient is
    insufficient for every part)."""
    out: dict[str, int] = {}
    for w in doc["windows"]:
        lab = w["label"] if row == "overall" or w["label"] == "insufficient" else w["channels"][row]["label"]
        out[lab] = out.get(lab, 0) + 1
    return out


def check_share_table(page, doc: dict) -> None:
    for row in ("overall",) + BODY_PARTS:
        n = counted(doc, row)
        measured = len(doc["windows"]) - n.get("insufficient", 0)
        tr = page.locator(f'#shares tr[data-row="{row}"]')
        assert int(tr.get_attribute("data-measured")) == measured
        if not measured:
            assert tr.locator('[data-key="not-measured"]').inner_text().startswith("not measured: ")
            continue
        for lab in ("mirror", "match", "symmetric", "none"):
            cell = tr.locator(f'td[data-label="{lab}"]')
            assert int(cell.get_attribute("data-windows")) == n.get(lab, 0), (row, lab)
            if lab == "symmetric" and row != "overall" and not n.get(lab):  # not a label a body part gets
                assert cell.inner_text() == "–"
            else:
                assert cell.inner_text() == f"{100 * n.get(lab, 0) / measured:.0f} %", (row, lab)
        assert tr.locator('td[data-key="events"]').inner_text() == str(
            len(doc["events"]) if row == "overall" else sum(e["body_part"] == row for e in part_events(doc))
        )


@pytest.mark.parametrize("make", [calibrated_doc, unusable_face_doc], ids=["calibrated", "face-unusable"])
def test_summary_agrees_with_the_windows(browser, tmp_path, make):
    doc = make()
    paths = write_all(write_doc(tmp_path / "r", doc))
    page, errors = open_page(browser, paths["report.html"])
    try:
        check_share_table(page, doc)
        whole = counted(doc, "overall")
        measured = len(doc["windows"]) - whole.get("insufficient", 0)
        for lab in ("mirror", "match", "symmetric"):  # the cards say the same as the table's whole-body row
            assert (
                page.inner_text(f'#summary .card[data-key="{lab}"] .v') == f"{100 * whole.get(lab, 0) / measured:.0f} %"
            )
        face = page.locator('svg.timeline[data-channel="face"] text.unmeasured')
        if make is unusable_face_doc:  # a part never measured says why, on the table and the timeline, instead of "0 %"
            assert "A's face usable in 0 % of frames: no face found" in page.inner_text('#shares tr[data-row="face"]')
            assert face.count() == 1 and "no face found" in face.text_content()
            assert page.locator('svg.timeline[data-channel="face"] path.mirror').get_attribute("d") == ""
        else:
            assert face.count() == 0
        screenshot(page, f"consistency_summary_{make.__name__}.png", tmp_path)
        assert errors == []
    finally:
        page.close()


@pytest.mark.model
def test_summary_of_a_real_session_agrees_with_its_windows_and_summary(browser, tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "report_session"
    out = copy_report(analysed_dyad(root), root / "consistency")
    paths = write_all(out)
    doc = read_report(out).to_dict()
    for r in share_rows(doc):  # the page's counts agree with the comparator's own summary
        want = doc["summary"]["share"] if r["row"] == "overall" else doc["summary"]["share_by_channel"][r["row"]]
        for lab, share in want.items():
            assert r["share"][lab] == pytest.approx(share, abs=1e-3), (r["row"], lab)
    page, errors = open_page(browser, paths["report.html"])
    try:
        check_share_table(page, doc)
        assert errors == []
    finally:
        page.close()


def _x(frame: dict, t: float, duration: float) -> float:
    return frame["x"] + frame["width"] * t / duration


def test_events_match_their_shaded_ranges_in_the_report(browser, tmp_path):
    doc = calibrated_doc()
    doc["events"][0].update(start_s=0.08, end_s=9.5)  # an event starting off the grid is drawn from where it starts
    paths = write_all(write_doc(tmp_path / "r", doc))
    page, errors = open_page(browser, paths["report.html"])
    duration = duration_of(doc)
    try:
        by_row = {"overall": doc["events"]}
        for e in part_events(doc):
            by_row.setdefault(e["body_part"], []).append(e)
        assert sum(map(len, by_row.values())) == 2 + 4
        for row in ("overall",) + BODY_PARTS:
            svg = page.locator(f'svg.timeline[data-channel="{row}"]')
            frame = svg.locator("rect.frame").bounding_box()
            bars = svg.locator("rect.event")
            events = sorted(by_row.get(row, []), key=lambda e: e["start_s"])
            assert bars.count() == len(events), row
            for i, e in enumerate(events):
                bar = bars.nth(i)
                assert (
                    float(bar.get_attribute("data-start")) == pytest.approx(e["start_s"])
                    and bar.get_attribute("data-kind") == e["kind"]
                )
                box = bar.bounding_box()
                assert box["x"] == pytest.approx(_x(frame, e["start_s"], duration), abs=1.0), (row, e)
                assert box["x"] + box["width"] == pytest.approx(_x(frame, e["end_s"], duration), abs=1.0), (row, e)
            # overlapping events (their windows overlap) never share a bar's place
            boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
            for a in range(len(boxes)):
                for b in range(a + 1, len(boxes)):
                    overlap_x = min(boxes[a]["x"] + boxes[a]["width"], boxes[b]["x"] + boxes[b]["width"]) - max(
                        boxes[a]["x"], boxes[b]["x"]
                    )
                    assert overlap_x <= 0 or boxes[a]["y"] != boxes[b]["y"]
        # the tables list the same events, with the times the bars span
        whole = page.locator("#events-table tbody tr")
        assert (
            whole.count() == 2 and whole.nth(0).locator("td.time").inner_text() == "0.08–9.50 s"
        )  # as the review page gives it, to the hundredth
        parts = page.locator("#part-events-table tbody tr")
        assert parts.count() == 4
        for i, e in enumerate(part_events(doc)):
            assert parts.nth(i).get_attribute("data-part") == e["body_part"]
            assert parts.nth(i).locator("td.conf").inner_text() in (
                "sure",
                "very sure",
            )  # confidence wherever a label is shown
        assert errors == []
    finally:
        page.close()


def _pixel(page, x: float, y: float) -> tuple[int, int, int]:
    return tuple(
        page.evaluate(
            """([x, y]) => {
                const c = document.getElementById('timeline'), r = c.getBoundingClientRect(), k = c.width / r.width;
                const px = Math.round((x - r.left) * k), py = Math.round((y - r.top) * k);
                return Array.from(c.getContext('2d').getImageData(px, py, 1, 1).data.slice(0, 3));
            }""",
            [x, y],
        )
    )


def test_events_match_their_shaded_ranges_in_the_review(browser, tmp_path):
    doc = calibrated_doc()
    doc["events"][0].update(start_s=0.08, end_s=9.5)
    page, errors = review_page(browser, doc, tmp_path)
    try:
        bars = {b["id"]: b for b in page.evaluate("__mirror.eventBars()")}
        listed = [e for e in page.evaluate("__mirror.data.events") if e["kind"] in ("mirror", "match", "symmetric")]
        assert len(listed) == 2 + 4 and set(bars) == {e["id"] for e in listed}
        for e in listed:
            b = bars[e["id"]]
            lane = "overall" if e["scope"] == "whole_body" else e["scope"]
            assert b["lane"] == lane
            assert b["x0"] == pytest.approx(
                page.evaluate(f"__mirror.timelinePoint({e['start_s']}, '{lane}').x"), abs=1.0
            )
            assert b["x1"] == pytest.approx(page.evaluate(f"__mirror.timelinePoint({e['end_s']}, '{lane}').x"), abs=1.0)
            want = tuple(int(KIND_COLORS[e["kind"]][i : i + 2], 16) for i in (1, 3, 5))
            for x in (b["x0"] + 2, (b["x0"] + b["x1"]) / 2, b["x1"] - 2):  # drawn over its whole range, in its colour
                got = _pixel(page, x, b["y"])
                assert (
                    max(abs(g - w) for g, w in zip(got, want, strict=False)) <= 40
                    or e["kind"] == "mirror"
                    and x > page.evaluate("__mirror.timelinePoint(8.0, 'overall').x")
                ), (e["id"], x, got, want)  # where a later event overlaps, its bar is drawn over on another level
        # hovering a lane names the events it is in, with their times as the list gives them
        pt = page.evaluate("__mirror.timelinePoint(5.0, 'overall')")
        page.mouse.move(pt["x"], pt["y"])
        page.wait_for_timeout(100)
        assert "whole body: mirror" in page.evaluate("__mirror.tipText()")
        assert "in a mirror event 0:00.08–0:09.50" in page.evaluate("__mirror.tipText()")
        # the header names events, copies and coaching apart, and the list says which events are whole-body
        header = page.inner_text("#summary")
        assert "6 events (runs of windows: 2 whole body, 4 body parts)" in header and "0 copies of gestures" in header
        assert "0 coaching messages" in header
        assert "left arm mirror 43 %" in page.inner_text("#parts")
        assert page.locator('#events tbody tr[data-id="event-0"]').inner_text().count("whole body") >= 1
        assert [k.inner_text().strip() for k in page.locator("#kinds label .kind").all()] == [
            "mirror events",
            "match events",
        ]
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("make", [nothing_doc, all_insufficient_doc], ids=["no-window", "all-insufficient"])
def test_pages_with_nothing_measured_show_the_banner(browser, tmp_path, make):
    doc = make()
    paths = write_all(write_doc(tmp_path / "r", doc))
    page, errors = open_page(browser, paths["report.html"])
    try:
        banner = page.locator('[data-key="nothing-banner"]')
        assert banner.is_visible()
        assert page.inner_text('[data-key="nothing-measured"]').startswith("Nothing could be measured: ")
        fix = page.inner_text('[data-key="nothing-fix"]')
        assert fix.startswith("To measure something, ") and (
            "--window-s" in fix if make is nothing_doc else "in the picture together" in fix
        )
        assert page.locator(".card").count() == 0 and page.locator("#shares").count() == 0  # no "0 %" anywhere
        assert (
            page.locator("svg.timeline").count() == 0 and page.locator("#events-table, #part-events-table").count() == 0
        )
        assert " 0 %" not in page.inner_text("#summary")
        screenshot(page, f"consistency_nothing_{make.__name__}.png", tmp_path)
        assert errors == []
    finally:
        page.close()
    page, errors = review_page(browser, doc, tmp_path / "review")
    try:
        assert page.is_visible("#nothing")
        assert page.inner_text("#nothing-why").startswith("Nothing could be measured: ")
        assert page.inner_text("#nothing-fix").startswith("To measure something, ")
        assert "%" not in page.inner_text("#summary") and page.inner_text("#parts") == ""
        assert errors == []
    finally:
        page.close()


def test_synchrony_is_shown_against_its_reference_or_not_at_all(browser, tmp_path):
    doc = calibrated_doc()
    page, _ = open_page(browser, write_all(write_doc(tmp_path / "none", doc))["report.html"])
    try:  # no surrogate test: no number without a scale
        assert page.locator('#summary .card[data-key="synchrony"]').count() == 0
        assert page.inner_text('[data-key="pseudo"]').startswith(
            "No synchrony figure: there is nothing to compare it with"
        )
        assert "0.500" not in page.inner_text("#summary")
    finally:
        page.close()
    tested = copy.deepcopy(doc)
    tested["summary"]["synchrony"] = {
        "real": 0.5, "surrogate_mean": 0.3, "surrogate_sd": 0.05, "effect_size": 4.0, "p_value": 0.005,
        "n_surrogates": 199, "method": "circular shift and segment shuffle",
    }  # fmt: skip
    page, _ = open_page(browser, write_all(write_doc(tmp_path / "tested", tested))["report.html"])
    try:  # (1 + 0 surrogates at least as high) / 200: higher than all 199 pseudo-sessions
        assert page.inner_text('#summary .card[data-key="synchrony"] .v') == "above chance"
        words = page.inner_text('[data-key="pseudo"]')
        assert words.startswith(
            "The two moved together more than chance: the session scored higher than 100 % of 199 pseudo-sessions"
        )
        assert (
            page.inner_text('[data-key="effect-size"]') == "4.00" and page.inner_text('[data-key="p-value"]') == "0.005"
        )
    finally:
        page.close()
    tested["summary"]["synchrony"].update(effect_size=1.44, p_value=0.085, n_surrogates=200)
    page, _ = open_page(browser, write_all(write_doc(tmp_path / "chance", tested))["report.html"])
    try:  # 16 of 200 pseudo-sessions scored at least as high: 92 % is not enough to say more than chance
        assert page.inner_text('#summary .card[data-key="synchrony"] .v') == "not beyond chance"
        words = page.inner_text('[data-key="pseudo"]')
        assert words.startswith(
            "The two did not move together clearly more than chance: the session scored higher than 92 % of 200"
        )
    finally:
        page.close()


def test_copies_say_how_the_lag_is_measured_and_agree_with_it(browser, tmp_path):
    doc = calibrated_doc()
    doc["mechanical"] = {
        "settings": {}, "gestures": [],
        "directions": {d: {"copier": d[0], "model": d[-1], "score": 0.1, "flagged": False, "flagged_ranges": [],
                           "copies": 1, "model_gestures": 4, "reasons": [], "spans": []}
                       for d in ("B_copies_A", "A_copies_B")},
        "copies": [{"direction": "B_copies_A", "kind": "mirror", "channel_model": "left_arm",
                    "channel_copy": "right_arm", "model_start_s": 3.8, "model_end_s": 4.6, "copy_start_s": 4.8,
                    "copy_end_s": 5.6, "lag_s": 1.0, "similarity": 0.8, "fidelity": 0.7}],
    }  # fmt: skip
    page, _ = open_page(browser, write_all(write_doc(tmp_path / "r", doc))["report.html"])
    try:
        page.click("#copies summary")
        assert "the delay that best lines up the two movements" in page.inner_text("#copies")
        row = page.inner_text("#copies-table tbody tr")
        assert "A's left arm 3.80–4.60 s" in row and "B's right arm 4.80–5.60 s" in row and "1.00 s" in row
    finally:
        page.close()
    page, _ = review_page(browser, doc, tmp_path / "review")
    try:
        assert "1 copy of gestures" in page.inner_text("#summary")
        detail = page.inner_text('#events tbody tr[data-id="copy-0"]')
        assert (
            "A's gesture 3.80–4.60 s, B's right arm 4.80–5.60 s, 1.00 s later "
            "(the delay that best lines up the two movements)" in detail
        )
    finally:
        page.close()


def test_pages_fit_a_1400_px_window_and_a_phone(browser, tmp_path):
    doc = calibrated_doc()
    paths = write_all(write_doc(tmp_path / "r", doc))
    for width in (1400, 390):
        page, errors = open_page(browser, paths["report.html"], width)
        try:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"report.html wider than {width} px"
            screenshot(page, f"consistency_report_{width}.png", tmp_path)
        finally:
            page.close()
        page, errors = review_page(browser, doc, tmp_path / f"review{width}", width)
        try:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"review page wider than {width} px"
            screenshot(page, f"consistency_review_{width}.png", tmp_path)
            assert errors == []
        finally:
            page.close()
    rows = [
        {"name": "a_session_with_a_rather_long_name_2026-03-01", "source": "/data/a.mp4", "report": "a/report.html",
         "status": "done", "error": None, "rank_mirror": 1, "rank_match": 1, "rank_mechanical": 1, "mirror_share": 0.35,
         "match_share": 0.42, "symmetric_share": 0.0, "leader": "A", "synchrony": 0.67, "effect_size": 2.3,
         "p_value": 0.004, "mechanical_score": 0.63, "mechanical_flagged": "B copies A;A copies B",
         "events": 12, "duration_s": 24.0},
        {"name": "broken", "source": "/data/sessions/2026/broken.mp4", "report": "", "status": "failed",
         "error": "/data/sessions/2026/broken.mp4 is not a readable video: the MP4 was cut before its index "
                  "(moov atom not found); export it again"},
    ]  # fmt: skip
    index = tmp_path / "index.html"
    index.write_text(render_index_html(rows))
    page, errors = open_page(browser, index, 1400)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400, "index.html wider than a 1400 px window"
        error = page.locator("#index tbody tr").nth(1).locator("td").last.bounding_box()
        assert error["x"] + error["width"] <= 1400  # the error column is in view
        assert page.locator("#index tbody tr").nth(0).locator("td").nth(11).inner_text() == "0.004"
        screenshot(page, "consistency_index_1400.png", tmp_path)
    finally:
        page.close()


def test_nothing_measured_names_the_main_reason_and_its_fix():
    """Both people in view, but their parts unusable (filmed in profile): the banner says so and what to change."""
    from mirror.report.doc import nothing_fix, nothing_text

    doc = all_insufficient_doc()
    doc["provenance"]["landmarks"]["both_present_rate"] = 0.95
    for person in doc["usability"].values():
        for part in person.values():
            part.update(
                usable_share=0.05,
                reason="side_unknown",
                reasons={"ok": 0.05, "side_unknown": 0.9, "low_visibility": 0.05},
            )
    assert nothing_text(doc) == (
        "Nothing could be measured: no window had both people's body parts usable for 60 % of its length "
        "(mostly: its side cannot be told from this view)."
    )
    assert "more from the front than in profile" in nothing_fix(doc)
    doc["provenance"]["landmarks"]["both_present_rate"] = 0.3  # people apart: that comes first
    assert "in view together in only 30 %" in nothing_text(doc) and "in the picture together" in nothing_fix(doc)


def test_a_single_window_is_drawn_not_left_blank(browser, tmp_path):
    """A clip of one window: its scores are dots on the timeline (a line needs two), where the shading says."""
    doc = calibrated_doc(windows=1)
    paths = write_all(write_doc(tmp_path / "r", doc))
    page, errors = open_page(browser, paths["report.html"])
    try:
        svg = page.locator('svg.timeline[data-channel="overall"]')
        frame = svg.locator("rect.frame").bounding_box()
        for kind in ("mirror", "match"):
            dot = svg.locator(f"circle.{kind}").bounding_box()
            assert dot is not None and dot["width"] >= 4
            assert dot["x"] + dot["width"] / 2 == pytest.approx(
                _x(frame, 2.0, duration_of(doc)), abs=1.0
            )  # the window's centre
        assert errors == []
    finally:
        page.close()


def test_index_shows_synchrony_only_beside_its_reference(browser, tmp_path):
    base = {"source": "/data/x.mp4", "report": "x/report.html", "status": "done", "error": None, "mirror_share": 0.1,
            "match_share": 0.1, "symmetric_share": 0.0, "leader": "A", "synchrony": 0.727, "p_value": None,
            "effect_size": None}  # fmt: skip
    rows = [
        {**base, "name": "untested"},
        {**base, "name": "tested", "synchrony": 0.61, "effect_size": 2.5, "p_value": 0.01},
    ]
    index = tmp_path / "index.html"
    index.write_text(render_index_html(rows))
    page, _ = open_page(browser, index)
    try:
        cells = [page.locator("#index tbody tr").nth(i).locator("td").nth(9).inner_text() for i in range(2)]
        assert cells == ["–", "0.61"]  # no "0.73" without a scale
    finally:
        page.close()
