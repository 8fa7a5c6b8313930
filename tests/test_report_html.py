"""report.html as a person sees it: Debian's headless Chromium, no request leaves the page."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from mirror.report import read_report, write_all
from mirror.report.doc import duration_of
from tests.report_fixtures import CHROMIUM, analysed_dyad, copy_report, dyad_video, flag_mechanical, screenshot

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "report_session"


def open_page(browser, path: Path):
    """The page at ``path``, and the list of every request it made other than loading itself."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    others: list[str] = []
    own = path.resolve().as_uri()

    def route(r):
        if r.request.url == own:
            r.continue_()
        else:
            others.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda req: None if req.url in (own,) or req.url.startswith("data:") else others.append(req.url))
    page.goto(own)
    page.wait_for_load_state("load")
    return page, others


def test_report_page_shows_summary_plot_and_events(browser, root, tmp_path):
    out = copy_report(analysed_dyad(root), root / "html_page")
    paths = write_all(out, dyad_video(root))
    doc = read_report(out).to_dict()
    page, others = open_page(browser, paths["report.html"])
    try:
        share = doc["summary"]["share"]
        for key in ("mirror", "match", "symmetric"):
            shown = page.inner_text(f'#summary .card[data-key="{key}"] .v')
            assert shown == f"{100 * share[key]:.0f} %", (key, shown)
        leaders = doc["summary"]["leader_share"]
        assert page.inner_text('#summary .card[data-key="leader"] .v') == max(leaders, key=leaders.get)
        sync = doc["summary"]["synchrony"]
        assert page.inner_text('[data-key="effect-size"]') == f"{sync['effect_size']:.2f}"
        assert page.inner_text('[data-key="p-value"]') == f"{sync['p_value']:.3f}"
        assert page.locator("#mechanical [data-direction]").count() == 2

        # the plot: one row per body part plus the whole body, lines drawn across the width
        rows = page.locator("svg.timeline")
        assert [rows.nth(i).get_attribute("data-channel") for i in range(rows.count())] == [
            "overall", "head", "left_arm", "right_arm", "torso", "face",
        ]  # fmt: skip
        centres = [(w["start_s"] + w["end_s"]) / 2 for w in doc["windows"]]
        for i in range(rows.count()):
            box = rows.nth(i).bounding_box()
            frame = rows.nth(i).locator("rect.frame").bounding_box()
            assert box["width"] > 800 and box["height"] > 40 and frame["width"] > 0.85 * box["width"]
            span = frame["width"] * (max(centres) - min(centres)) / duration_of(doc)  # first to last window
            for kind in ("mirror", "match"):
                line = rows.nth(i).locator(f"path.{kind}").bounding_box()
                assert line is not None and line["width"] == pytest.approx(span, rel=0.02), (i, kind)
                assert line["x"] == pytest.approx(
                    frame["x"] + frame["width"] * min(centres) / duration_of(doc), abs=0.01 * frame["width"]
                )
        assert page.locator('svg.timeline[data-channel="overall"] rect.run.mirror').count() >= 1
        assert page.locator('svg.timeline[data-channel="overall"] rect.run.match').count() >= 1

        # the events table, with both people's thumbnails decoded
        table = page.locator("#events-table tbody tr")
        assert table.count() == len(doc["events"]) >= 2
        for i, e in enumerate(doc["events"]):
            assert page.locator("#events-table tbody tr").nth(i).locator("td.kind").inner_text() == e["kind"]
        widths = page.eval_on_selector_all(
            "#events-table img.thumb", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)"
        )
        assert len(widths) == 2 * len(doc["events"]) and min(widths) > 50

        shot = screenshot(page, "report.png", tmp_path)
        img = cv2.imread(str(shot))
        assert img.shape[1] == 1200 and img.shape[0] > 1500 and img.std() > 20
        assert others == [], f"the page made requests: {others}"
    finally:
        page.close()


def test_mechanical_warning_and_feedback_show(browser, root, tmp_path):
    out = copy_report(analysed_dyad(root), root / "html_flagged", edit=flag_mechanical)
    paths = write_all(out, dyad_video(root))
    page, others = open_page(browser, paths["report.html"])
    try:
        warn = page.locator('#mechanical [data-flagged="true"]')
        assert warn.count() == 1
        text = warn.inner_text()
        assert "B copies A mechanically" in text and "2.00–14.00 s" in text and "B copied 36 of A's 40 gestures" in text
        assert page.locator('#mechanical [data-flagged="false"]').inner_text().startswith("A copies B: not mechanical")
        feedback = page.locator("#feedback tbody tr")
        assert feedback.count() == 2
        assert "you & your partner <matched> well" in feedback.nth(1).inner_text()
        mech = page.locator('svg.timeline[data-channel="overall"] rect.run.mechanical')
        assert mech.count() == 1 and mech.bounding_box()["width"] > 100
        screenshot(page, "report_flagged.png", tmp_path)
        assert others == []
    finally:
        page.close()


def test_p_values_confidence_and_usability_on_the_page(browser, tmp_path):
    from mirror.report.doc import format_p
    from tests.report_fixtures import calibrated_doc, write_doc

    doc = calibrated_doc()
    doc["events"][1]["p_value"] = 0.0004  # one very sure event
    paths = write_all(write_doc(tmp_path / "calibrated", doc))
    page, others = open_page(browser, paths["report.html"])
    try:
        meaning = page.inner_text('#summary [data-key="calibration"]')
        assert meaning.startswith(
            "A label is shown only where it beats chance: p < 0.01 against 160 pseudo-pairs of 12 real people"
        )
        rows = page.locator("#events-table tbody tr")
        assert rows.count() == len(doc["events"])
        words = {"sure": "sure", "very_sure": "very sure"}
        for i, e in enumerate(doc["events"]):
            assert rows.nth(i).locator("td.p-value").inner_text() == format_p(e["p_value"])
            conf = rows.nth(i).locator("td.conf")
            want = "very_sure" if e["p_value"] < 0.001 else "sure"
            assert conf.inner_text() == words[want] and want in conf.get_attribute("class")
        assert [rows.nth(i).locator("td.p-value").inner_text() for i in range(2)] == ["0.009", "0.0004"]

        # the timeline: surer runs are drawn with a more opaque shade, as the browser renders it
        runs = page.eval_on_selector_all(
            'svg.timeline[data-channel="overall"] rect.run.mirror',
            "rs => rs.map(r => [parseFloat(r.dataset.p), parseFloat(getComputedStyle(r).fillOpacity),"
            " r.getBoundingClientRect().width])",
        )
        assert len(runs) >= 3 and all(w > 5 for _, _, w in runs)
        by_p = sorted(runs, key=lambda r: -r[0])  # least sure first
        opacities = [o for _, o, _ in by_p]
        assert opacities == sorted(opacities) and opacities[-1] > 2.5 * opacities[0], by_p
        tip = page.locator('svg.timeline[data-channel="overall"] rect.run.mirror title').first.text_content()
        assert "p ≤ 0.009 (sure)" in tip

        # usable body parts, per person, with the reason
        usable = page.locator("#usability-table tbody tr")
        assert usable.count() == 10
        left = page.locator('#usability-table tr[data-person="A"][data-part="left_arm"]')
        assert left.get_attribute("title") == "A's left arm usable in 12 % of frames: occluded"
        assert left.locator("td").nth(2).inner_text() == "12 %" and left.locator("td").nth(3).inner_text() == "occluded"
        screenshot(page, "report_calibrated.png", tmp_path)
        assert others == []
    finally:
        page.close()


def test_report_without_usability_or_calibration_still_renders(browser, tmp_path):
    from tests.report_fixtures import calibrated_doc, write_doc

    doc = calibrated_doc(usability=False)
    del doc["calibration"]
    for w in doc["windows"]:
        w.pop("p_value")
    for e in doc["events"]:
        e.pop("p_value")
    paths = write_all(write_doc(tmp_path / "older", doc))
    page, _ = open_page(browser, paths["report.html"])
    try:
        assert page.locator("#usability").count() == 0
        assert "not tested against chance" in page.inner_text('[data-key="calibration"]')
        assert page.locator("#events-table td.conf").first.inner_text() == "not measured"
        assert (
            page.locator('svg.timeline[data-channel="overall"] rect.run.mirror').count() == 1
        )  # one run, full strength
    finally:
        page.close()


def test_report_with_nothing_measured_says_so_plainly(browser, tmp_path):
    from tests.report_fixtures import nothing_doc, write_doc

    paths = write_all(write_doc(tmp_path / "nothing", nothing_doc()))
    page, others = open_page(browser, paths["report.html"])
    try:
        said = page.locator('[data-key="nothing-measured"]')
        assert said.is_visible()
        assert said.inner_text() == "Nothing could be measured: the recording (2.4 s) is shorter than one 4 s window."
        assert page.locator(".card").count() == 0, "no 0 % cards for a session nothing was measured in"
        assert page.locator("svg.timeline").count() == 0 and page.locator("#events-table").count() == 0
        assert "nothing could be measured" in page.inner_text("#timeline")
        screenshot(page, "report_nothing.png", tmp_path)
        assert others == []
    finally:
        page.close()
