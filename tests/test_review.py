"""``mirror review`` as a person uses it: Debian's headless Chromium on real analysed clips.

Two real sessions: the shipped two-person example (H.264 MP4, no events) and a 24 s
composite of real footage where B mirrors A, then matches A, 0.4 s later (VP8 WebM, which
OpenCV's wheels write and Chromium plays; the same frames as MJPG AVI, which Chromium
cannot play). Every page load records every request the page makes.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.cli import app
from mirror.landmarks import Landmarks
from mirror.report import read_report
from mirror.review import MARKS_COLUMNS, Skeleton, prepare_review, review_events, serve_review, write_static_review
from mirror.review.skeleton import POINTS
from mirror.vocabulary import PEOPLE, PERSON_COLORS
from tests.conftest import EXAMPLES
from tests.dyad_clip import make_dyad_clip
from tests.helpers import one_line_error
from tests.report_fixtures import CHROMIUM, screenshot

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

ECHO_PLAN = (("mirror", 0.0, 12.0, 0.4), ("match", 12.0, 24.0, 0.4))  # B mirrors, then matches, A 0.4 s later
ECHO_FPS = 15.0


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("review")


@pytest.fixture(scope="module")
def cache(root) -> Path:
    return root / "landmark_cache"


def _analyze(video: Path, out: Path, cache: Path) -> Path:
    result = CliRunner().invoke(
        app, ["analyze", str(video), "--out", str(out), "--surrogates", "0", "--cache-dir", str(cache), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def raga(root, cache) -> Path:
    """``mirror analyze examples/raga_2people.mp4`` (the shipped H.264 example)."""
    return _analyze(EXAMPLES / "raga_2people.mp4", root / "raga", cache)


@pytest.fixture(scope="module")
def echo(root, cache) -> dict:
    """The mirror-then-match composite as WebM (analysed) and the same frames as MJPG AVI."""
    avi = make_dyad_clip(root / "echo.avi", fps=ECHO_FPS, plan=ECHO_PLAN, half=(300, 300))
    cap = cv2.VideoCapture(str(avi))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    webm = root / "echo.webm"
    writer = cv2.VideoWriter(str(webm), cv2.VideoWriter_fourcc(*"VP80"), ECHO_FPS, size)
    if not writer.isOpened():
        pytest.skip("this OpenCV cannot write VP8 WebM")
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        writer.write(frame)
    writer.release()
    cap.release()
    out = _analyze(webm, root / "echo", cache)
    return {"out": out, "webm": webm, "avi": avi, "doc": read_report(out).to_dict()}


@pytest.fixture(scope="module")
def echo_server(echo, cache):
    review = prepare_review(echo["out"], cache_dir=cache)
    with serve_review(review, port=0).start() as server:
        yield server


class Page:
    """A fresh browser context on ``url``, recording every request; only ``allowed`` prefixes may load."""

    def __init__(self, browser, url: str, allowed: tuple[str, ...]) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.allowed = allowed
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.route(lambda u: not u.startswith(allowed), lambda r: r.abort())
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.wait("window.__mirror && (window.__mirror.videoOk || window.__mirror.videoFailed)", timeout_s=20)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def wait(self, expr: str, timeout_s: float = 10.0):
        """Poll an expression until it is true (``wait_for_function`` evaluates strings, which the page's CSP
        forbids)."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.page.evaluate(expr)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout_s} s: {expr}")
            self.page.wait_for_timeout(50)

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.allowed)]

    def close(self) -> None:
        self.context.close()


def _seek_and_settle(p: Page, t: float) -> dict:
    """Seek the video, wait until the overlay has drawn the new frame, return both times."""
    return p.js(
        """async (t) => {
            const v = document.getElementById('video');
            const done = new Promise((r) => v.addEventListener('seeked', r, {once: true}));
            __mirror.seek(t);
            await done;
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            return {video: v.currentTime, media: __mirror.drawnMediaTime, drawn: __mirror.drawnTime};
        }""",
        t,
    )


def _colour_pixels(p: Page, canvas: str, rgb: tuple[int, int, int], tol: int = 40) -> dict:
    """Pixels of ``canvas`` close to ``rgb``: count, and count in the left half."""
    return p.js(
        """([id, rgb, tol]) => {
            const c = document.getElementById(id), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0, left = 0;
            for (let i = 0; i < d.length; i += 4) {
                const off = Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]);
                if (d[i + 3] > 200 && off < tol) {
                    n++; if ((i / 4) % c.width < c.width / 2) left++;
                }
            }
            return {n, left};
        }""",
        [canvas, list(rgb), tol],
    )


def _lane_rgb(p: Page, t: float, lane: str) -> tuple[int, int, int]:
    """Colour of the timeline at time ``t`` on a lane."""
    return tuple(
        p.js(
            """([t, lane]) => {
                const c = document.getElementById('timeline'), r = c.getBoundingClientRect();
                const pt = __mirror.timelinePoint(t, lane), k = c.width / r.width;
                const x = Math.round((pt.x - r.left) * k), y = Math.round((pt.y - r.top) * k);
                return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
            }""",
            [t, lane],
        )
    )


PERSON_A, PERSON_B = (tuple(int(PERSON_COLORS[p][i : i + 2], 16) for i in (1, 3, 5)) for p in PEOPLE)
"""The skeletons' colours on the page (the vocabulary's; A's yellow and B's pink)."""


# ---------------------------------------------------------------------------- the page


def test_served_page_plays_video_and_draws_skeletons_in_step(browser, echo, echo_server, tmp_path):
    p = Page(browser, echo_server.url, (echo_server.url,))
    try:
        v = p.js(
            "(() => { const v = document.getElementById('video');"
            " return {rs: v.readyState, w: v.videoWidth, h: v.videoHeight, d: v.duration}; })()"
        )
        assert p.js("__mirror.videoOk") and v["rs"] >= 2 and (v["w"], v["h"]) == (600, 300), v
        assert abs(v["d"] - 24.0) < 0.2
        fps = echo["doc"]["provenance"]["source"]["nominal_fps"]
        analysis = 1.0 / echo["doc"]["provenance"]["extract_settings"]["fps"]
        for t in (3.0, 6.2, 10.73, 17.5):
            got = _seek_and_settle(p, t)
            assert abs(got["video"] - t) < 1e-3, got
            assert abs(got["media"] - got["video"]) <= 1.0 / fps + 1e-3, got  # the frame on screen
            assert (
                got["drawn"] is not None
                and got["video"] - analysis - 1.0 / fps - 1e-3 <= got["drawn"] <= got["video"] + 1e-3
            ), got
        # skeletons drawn where the people are: A (yellow) on the left half, B (pink) on the right
        a, b = _colour_pixels(p, "overlay", PERSON_A), _colour_pixels(p, "overlay", PERSON_B)
        assert a["n"] > 300 and a["left"] / a["n"] > 0.95, a
        assert b["n"] > 300 and b["left"] / b["n"] < 0.05, b
        # the timeline's whole-body lane is blue in the mirror event and orange in the match event
        for e in review_events(echo["doc"]):
            if e["kind"] in ("mirror", "match") and e["scope"] == "whole_body":
                r, g, b = _lane_rgb(
                    p, (e["start_s"] + e["end_s"]) / 2 + 0.3, "overall"
                )  # beside the cursor, which may sit at the middle
                assert (b > r + 20) if e["kind"] == "mirror" else (r > b + 20 and g < r), (e, (r, g, b))
        screenshot(p.page, "review_served.png", tmp_path)
        # while playing, every drawn frame is the one the video shows
        p.js("document.getElementById('video').muted = true")
        _seek_and_settle(p, 2.0)
        p.page.click("#play")
        samples = []
        for _ in range(12):
            p.page.wait_for_timeout(120)
            samples.append(
                p.js("[document.getElementById('video').currentTime, __mirror.drawnMediaTime, __mirror.drawnTime]")
            )
        p.page.click("#play")
        assert p.js("document.getElementById('video').paused")
        assert samples[-1][0] - samples[0][0] > 0.8, samples  # it played
        assert len({s[2] for s in samples}) >= 8, samples  # the skeletons moved on with it
        for cur, media, drawn in samples:
            assert abs(cur - media) <= 2.0 / fps + 0.02, samples  # a frame is shown a little before its time comes
            assert -1e-3 <= media - drawn <= analysis + 1e-3, samples
        assert not p.errors
        assert p.outside() == [], p.outside()
    finally:
        p.close()


def test_clicks_and_arrow_keys_move_the_video_to_events(browser, echo, echo_server, tmp_path):
    events = review_events(echo["doc"])
    states = [e for e in events if e["kind"] in ("mirror", "match")]
    assert {e["kind"] for e in states} == {"mirror", "match"}, "the composite's two halves are events"
    match = next(e for e in states if e["kind"] == "match")
    p = Page(browser, echo_server.url, (echo_server.url,))
    video_time = "document.getElementById('video').currentTime"
    try:
        # a row of the event list
        p.page.click(f'#events tr[data-id="{match["id"]}"] td.t')
        p.wait(f"Math.abs({video_time} - {match['start_s']}) < 1e-3 && !document.getElementById('video').seeking")
        assert p.js("__mirror.selected") == match["id"]
        # an event on the timeline
        _seek_and_settle(p, 20.0)
        mirror_ev = next(e for e in states if e["kind"] == "mirror")
        pt = p.js(f"__mirror.eventPoint('{mirror_ev['id']}')")
        p.page.mouse.click(pt["x"], pt["y"])
        p.wait(f"Math.abs({video_time} - {mirror_ev['start_s']}) < 1e-3")
        # anywhere else on the timeline: that time (to a pixel)
        pt = p.js("__mirror.timelinePoint(5.0, 'head')")
        p.page.mouse.click(pt["x"], pt["y"])
        p.page.wait_for_timeout(300)
        per_px = 24.0 / p.js("document.getElementById('timeline').clientWidth - 98")
        assert abs(p.js(video_time) - 5.0) <= 1.5 * per_px
        # the wheel zooms in around the pointer; a click still lands on its time
        pt = p.js("__mirror.timelinePoint(12.0, 'torso')")
        p.page.mouse.move(pt["x"], pt["y"])
        p.page.mouse.wheel(0, -500)
        p.wait("__mirror.view[1] - __mirror.view[0] < 12")
        v0, v1 = p.js("__mirror.view")
        assert v0 < 12.0 < v1 and abs(p.js("__mirror.timelinePoint(12.0, 'torso')")["x"] - pt["x"]) < 2
        pt = p.js("__mirror.timelinePoint(13.3, 'torso')")
        p.page.mouse.click(pt["x"], pt["y"])
        p.wait("!document.getElementById('video').seeking")
        assert abs(p.js(video_time) - 13.3) <= 1.5 * (v1 - v0) / p.js(
            "document.getElementById('timeline').clientWidth - 98"
        )
        p.page.click("#zoom-fit")
        assert p.js("__mirror.view") == [0, pytest.approx(24.0, abs=0.1)]
        # arrow keys walk the events shown, in order
        order = p.js("__mirror.visibleEvents()")
        assert order == [e["id"] for e in events]
        p.page.click(f'#events tr[data-id="{order[0]}"] td.t')
        p.page.keyboard.press("ArrowRight")
        p.page.keyboard.press("ArrowRight")
        p.wait(f"__mirror.selected === '{order[2]}'")
        p.wait(f"Math.abs({video_time} - {events[2]['start_s']}) < 1e-3")
        p.page.keyboard.press("ArrowLeft")
        p.wait(f"__mirror.selected === '{order[1]}'")
        # filters: only the match and mirror events, then only those involving the torso
        for kind in {e["kind"] for e in events} - {"mirror", "match"}:
            p.page.uncheck(f'#kinds input[data-kind="{kind}"]')
        assert p.js("__mirror.visibleEvents()") == [e["id"] for e in states]
        assert p.page.locator("#events tbody tr:visible").count() == len(states)
        _seek_and_settle(p, 0.0)
        ids = [e["id"] for e in states]
        selected = p.js("__mirror.selected")
        at = ids.index(selected) if selected in ids else -1
        # from a selected event at the cursor, the next in the list; else the first that starts after the cursor
        want = (
            ids[at + 1]
            if at >= 0 and states[at]["start_s"] < 0.3
            else next(e["id"] for e in states if e["start_s"] > 0.01)
        )
        p.page.keyboard.press("ArrowRight")
        p.wait(f"__mirror.selected === '{want}'")
        p.page.select_option("#part", "torso")
        torso = [e["id"] for e in states if "torso" in e["channels"]]
        assert p.js("__mirror.visibleEvents()") == torso and torso, torso
        screenshot(p.page, "review_filtered.png", tmp_path)
        assert not p.errors and p.outside() == []
    finally:
        p.close()


def test_marks_export_as_csv_persist_and_import(browser, echo, echo_server, tmp_path):
    events = review_events(echo["doc"])
    first, last = events[0], events[-1]
    p = Page(browser, echo_server.url, (echo_server.url,))
    try:
        p.page.click(f'#events tr[data-id="{first["id"]}"] button.right')
        p.page.click(f'#events tr[data-id="{last["id"]}"] td.t')
        p.page.keyboard.press("w")  # the selected event, from the keyboard
        assert p.page.get_attribute(f'#events tr[data-id="{first["id"]}"] button.right', "aria-pressed") == "true"
        with p.page.expect_download() as dl:
            p.page.click("#export")
        text = Path(dl.value.path()).read_text()
        assert dl.value.suggested_filename == "echo_marks.csv"
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == list(MARKS_COLUMNS)
        assert [(r["event_id"], r["kind"], r["mark"]) for r in rows] == [
            (first["id"], first["kind"], "right"),
            (last["id"], last["kind"], "wrong"),
        ]
        assert all(r["source_sha256"] == echo["doc"]["provenance"]["source_sha256"] for r in rows)
        assert float(rows[0]["start_s"]) == first["start_s"] and float(rows[1]["end_s"]) == last["end_s"]
        screenshot(p.page, "review_marked.png", tmp_path)
        # kept by the browser for this video: a reload shows them
        p.page.reload()
        p.wait("window.__mirror && (window.__mirror.videoOk || window.__mirror.videoFailed)")
        assert p.js("__mirror.marks")[first["id"]]["mark"] == "right"
        assert p.page.get_attribute(f'#events tr[data-id="{last["id"]}"] button.wrong', "aria-pressed") == "true"
        saved = tmp_path / "marks.csv"
        saved.write_text(text)
    finally:
        p.close()
    # a fresh browser (no saved marks) reads the exported file back
    q = Page(browser, echo_server.url, (echo_server.url,))
    try:
        assert q.js("__mirror.marks") == {}
        q.page.set_input_files("#import", str(saved))
        q.wait("Object.keys(__mirror.marks).length === 2")
        assert {k: v["mark"] for k, v in q.js("__mirror.marks").items()} == {first["id"]: "right", last["id"]: "wrong"}
        assert not q.errors and q.outside() == []
    finally:
        q.close()


def test_a_video_chromium_cannot_play_is_said_and_the_overlay_runs_on_black(browser, echo, cache, tmp_path):
    review = prepare_review(echo["out"], video=echo["avi"], cache_dir=cache)  # same frames, MJPG AVI
    assert review.skeleton_from == "skeleton.json"
    with serve_review(review, port=0).start() as server:
        p = Page(browser, server.url, (server.url,))
        try:
            assert p.js("__mirror.videoFailed") and not p.js("__mirror.videoOk")
            note = p.page.inner_text("#novideo")
            assert "cannot play echo.avi" in note and p.page.is_visible("#novideo")
            assert "not the video this session was analysed from" in p.page.inner_text("#notice")  # other bytes
            match = next(e for e in review_events(echo["doc"]) if e["kind"] == "match")
            p.page.click(f'#events tr[data-id="{match["id"]}"] td.t')
            assert abs(p.js("__mirror.player.time") - match["start_s"]) < 1e-6
            assert p.js("__mirror.drawnMediaTime") == p.js("__mirror.player.time")
            assert (
                _colour_pixels(p, "overlay", PERSON_A)["n"] > 300
                and _colour_pixels(p, "overlay", (0, 0, 0), 3)["n"] > 100000
            )
            start = p.js("__mirror.player.time")
            p.page.click("#play")
            p.page.wait_for_timeout(700)
            p.page.click("#play")
            moved = p.js("__mirror.player.time") - start
            assert 0.3 < moved < 3.0, moved  # the page's own clock ran
            assert abs(p.js("__mirror.drawnMediaTime") - p.js("__mirror.player.time")) < 1e-6
            screenshot(p.page, "review_unplayable.png", tmp_path)
            assert not p.errors and p.outside() == []
        finally:
            p.close()


def test_static_page_from_a_file_url_plays_the_shipped_example(browser, raga, cache, tmp_path):
    result = CliRunner().invoke(
        app, ["review", str(raga), "--static", "--no-open", "--cache-dir", str(cache), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    page_path = raga / "review.html"
    assert f"wrote {page_path}" in result.output
    skel = Skeleton.from_dict(json.loads((raga / "skeleton.json").read_text()))
    doc = read_report(raga).to_dict()
    assert (
        skel.source_sha256 == doc["provenance"]["source_sha256"]
        and len(skel) == doc["provenance"]["landmarks"]["frames"]
    )
    video = (EXAMPLES / "raga_2people.mp4").resolve()
    p = Page(browser, page_path.resolve().as_uri(), (page_path.resolve().as_uri(), video.as_uri()))
    try:
        assert p.js("__mirror.videoOk"), p.page.inner_text("#novideo")
        got = _seek_and_settle(p, 4.4)
        assert abs(got["video"] - 4.4) < 1e-3 and abs(got["media"] - got["video"]) <= 0.04 + 1e-3
        i = int(np.searchsorted(skel.t_s, got["media"] + 1e-3) - 1)
        assert got["drawn"] == pytest.approx(skel.t_s[i], abs=1e-6)
        pt = p.js("__mirror.timelinePoint(7.5, 'overall')")
        p.page.mouse.click(pt["x"], pt["y"])
        p.wait("Math.abs(document.getElementById('video').currentTime - 7.5) < 0.1")
        assert _colour_pixels(p, "overlay", PERSON_A)["n"] > 200 and _colour_pixels(p, "overlay", PERSON_B)["n"] > 200
        # the header counts events (runs of windows), copies and coaching, each under its own name
        listed = review_events(doc)
        n_events = sum(e["kind"] in ("mirror", "match", "symmetric") for e in listed)
        n_copies = sum(e["kind"] == "copy" for e in listed)
        header = p.page.inner_text("#summary")
        assert f"{n_events} {'event' if n_events == 1 else 'events'} (runs of windows" in header, header
        assert f"{n_copies} {'copy' if n_copies == 1 else 'copies'} of gestures" in header, header
        screenshot(p.page, "review_static_raga.png", tmp_path)
        assert not p.errors
        assert p.outside() == [] and video.as_uri() in p.requests
    finally:
        p.close()


# ---------------------------------------------------------------------------- data and server


def test_skeletons_come_from_the_cache_then_skeleton_json_then_landmarks_npz(browser, raga, cache, tmp_path):
    folder = tmp_path / "session"
    folder.mkdir()
    shutil.copy(raga / "report.json", folder / "report.json")
    first = prepare_review(folder, cache_dir=cache)
    assert first.skeleton_from == "cache" and (folder / "skeleton.json").is_file()
    again = prepare_review(folder, cache_dir=tmp_path / "empty_cache")  # no cache needed any more
    assert again.skeleton_from == "skeleton.json"
    np.testing.assert_allclose(again.skeleton.xy, first.skeleton.xy, atol=0.6e-4, equal_nan=True)
    np.testing.assert_allclose(again.skeleton.t_s, first.skeleton.t_s, atol=0.6e-4)

    # a live session: landmarks.npz, no video; a mirrored input is drawn flipped back
    from mirror.landmarks import extract_video
    from mirror.review import extract_settings_from

    doc = read_report(raga).to_dict()
    landmarks = extract_video(doc["provenance"]["source_path"], extract_settings_from(doc), cache_dir=cache)
    live = tmp_path / "live"
    live.mkdir()
    doc["provenance"].pop("source_path")
    doc["provenance"]["extract_settings"]["mirrored_input"] = True
    (live / "report.json").write_text(json.dumps(doc))
    landmarks.save(live / "landmarks.npz")
    review = prepare_review(live)
    assert review.skeleton_from == "landmarks.npz" and review.video is None and "no video" in review.video_note
    loaded = Landmarks.load(live / "landmarks.npz")
    np.testing.assert_allclose(review.skeleton.xy[..., 0], 1.0 - loaded.pose_image[:, :, list(POINTS), 0], atol=1e-6)
    np.testing.assert_allclose(review.skeleton.xy[..., 1], loaded.pose_image[:, :, list(POINTS), 1], atol=1e-6)
    # its page: no video, said so; the skeletons on black, driven by the page's clock
    page_path = write_static_review(review)
    p = Page(browser, page_path.resolve().as_uri(), (page_path.resolve().as_uri(),))
    try:
        assert p.js("__mirror.videoFailed") and "no video" in p.page.inner_text("#novideo")
        p.js("__mirror.seek(5.0)")
        assert p.js("__mirror.drawnTime") == pytest.approx(
            review.skeleton.t_s[np.searchsorted(review.skeleton.t_s, 5.001) - 1], abs=1e-4
        )
        a, b = _colour_pixels(p, "overlay", PERSON_A), _colour_pixels(p, "overlay", PERSON_B)
        assert (
            a["n"] > 200 and b["n"] > 200 and a["left"] / a["n"] < 0.05 < 0.95 < b["left"] / b["n"]
        )  # flipped back: A on the right
        assert not p.errors and p.outside() == []
    finally:
        p.close()


def _get(server, path: str, headers: dict | None = None, method: str = "GET"):
    host, port = server.address
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)  # the path goes out verbatim
        hdrs = {"Host": f"{host}:{port}", **(headers or {})}
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def _own_addresses() -> set[str]:
    """This machine's IPv4 addresses: the host name's, and the one an outgoing UDP socket would use (nothing is
    sent)."""
    found = set()
    try:
        found |= {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route's source address
            found.add(udp.getsockname()[0])
        except OSError:
            pass
    return found


def test_server_serves_only_the_folder_and_the_video(echo, cache, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(echo["out"], folder)
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.txt").write_text("inner")
    secret = tmp_path / "secret.txt"
    secret.write_text("not to be served")
    (folder / "link_out.txt").symlink_to(secret)
    (folder / "link_dir").symlink_to(tmp_path)
    (folder / "link_in.json").symlink_to(folder / "report.json")
    review = prepare_review(folder, cache_dir=cache)
    with serve_review(review, port=0).start() as server:
        assert server.address[0] == "127.0.0.1"
        status, headers, body = _get(server, "/")
        assert status == 200 and headers["Content-Type"].startswith("text/html") and b"__mirror" in body
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        for name, ctype in (
            ("report.json", "application/json"),
            ("events.csv", "text/csv"),
            ("timeline.png", "image/png"),
            ("link_in.json", "application/json"),
            ("sub/inner.txt", "text/plain"),
        ):
            status, headers, body = _get(server, "/" + name)
            assert status == 200 and headers["Content-Type"].startswith(ctype), (name, status, headers)
            assert body == (folder / name).read_bytes()
        size = echo["webm"].stat().st_size
        data = echo["webm"].read_bytes()
        status, headers, body = _get(server, "/video", {"Range": "bytes=100-199"})
        assert status == 206 and headers["Content-Range"] == f"bytes 100-199/{size}" and body == data[100:200]
        assert headers["Content-Type"] == "video/webm" and headers["Accept-Ranges"] == "bytes"
        status, headers, body = _get(server, "/video", {"Range": "bytes=-50"})
        assert status == 206 and body == data[-50:]
        status, headers, body = _get(server, "/video", {"Range": f"bytes={size - 10}-"})
        assert status == 206 and body == data[-10:]
        assert _get(server, "/video", {"Range": f"bytes={size}-"})[0] == 416
        status, headers, body = _get(server, "/video", method="HEAD")
        assert status == 200 and int(headers["Content-Length"]) == size and body == b""
        refused = {
            "/../secret.txt": 400, "/%2e%2e/secret.txt": 400, "/%2E%2E%2Fsecret.txt": 400, "/sub/../../secret.txt": 400,
            "/..%2f..%2f..%2fetc%2fpasswd": 400, "/..\\secret.txt": 400, "/%2fetc%2fpasswd": 400,
            "//etc/passwd": 404,  # http.server collapses the leading slashes: /etc/passwd under the folder
            str(secret): 404, "/etc/passwd": 404, "/link_out.txt": 403, "/link_dir/secret.txt": 403,
            "/sub/": 404, "/sub": 404, "/.mirror.lock": 400, "/missing.json": 404, "/%ff%fe": 400,
        }  # fmt: skip
        for path, expected in refused.items():
            status, _, body = _get(server, path)
            assert status == expected, (path, status)
            assert b"not to be served" not in body and b"root:" not in body and b"inner" not in body
        assert _get(server, "/report.json", method="POST")[0] == 405
        assert _get(server, "/report.json", {"Host": "attacker.example"})[0] == 403
        assert _get(server, "/report.json", {"Host": f"localhost:{server.address[1]}"})[0] == 200
        # a port in use: another free one (the page stays reachable)
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            taken = busy.getsockname()[1]
            with serve_review(review, port=taken).start() as other:
                assert other.address[0] == "127.0.0.1" and other.address[1] != taken
                assert _get(other, "/")[0] == 200
        # nothing answers on the machine's other addresses
        for addr in _own_addresses() - {"127.0.0.1"}:
            with pytest.raises(OSError):
                socket.create_connection((addr, server.address[1]), timeout=2).close()


def test_cli_serves_until_ctrl_c_and_refuses_bad_folders(echo, cache, tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "mirror.cli",
        "review",
        str(echo["out"]),
        "--no-open",
        "--port",
        "0",
        "--cache-dir",
        str(cache),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line and "Ctrl+C" in line, (
            line,
            proc.stderr.read() if proc.poll() is not None else "",
        )
        url = line.split("at ", 1)[1].split()[0]
        host, port = url.removeprefix("http://").rstrip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 200 and b"mirror-data" in r.read()
        conn.close()
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, (stdout, stderr)
    assert "stopped" in stdout and "Traceback" not in stderr

    for args, words in (
        ([str(tmp_path / "nowhere")], "is not a folder"),
        ([str(tmp_path)], "report.json not found"),
        ([str(echo["out"]), "--video", str(tmp_path / "gone.mp4")], "is not a file"),
        ([str(echo["out"]), "--port", "70000"], "--port must be"),
    ):
        assert words in one_line_error(CliRunner().invoke(app, ["review", *args, "--no-open"]))


# ------------------------------------------------------- calibrated labels on the review page


def _hand_built_page(tmp_path: Path, doc: dict, browser) -> Page:
    """The static review page of a hand-built report (no video, no skeletons)."""
    from mirror.review import page_data, render_review_html

    path = tmp_path / "review.html"
    path.write_text(render_review_html(page_data(doc, None, None, "This session has no video."), static=True))
    return Page(browser, path.resolve().as_uri(), (path.resolve().as_uri(),))


def test_lanes_and_labels_carry_p_values_and_confidence(browser, tmp_path):
    from mirror.report.doc import calibration_text
    from tests.report_fixtures import calibrated_doc

    doc = calibrated_doc()
    p = _hand_built_page(tmp_path, doc, browser)
    try:
        assert p.page.inner_text("#meaning").startswith(calibration_text(doc))
        assert "A's left arm usable in 12 % of frames: occluded" in p.page.inner_text("#meaning")
        assert not p.page.is_visible("#nothing")
        # the words and colours come from Python, as data
        vocab = p.js("__mirror.data.vocabulary")
        assert vocab["confidence"]["very_sure"] == "very sure" and vocab["colors"]["mirror"] == "#1f77b4"
        # surer windows are drawn stronger: window 0 (p 0.009) against window 11 (p 0.0002), both mirror
        p.page.wait_for_timeout(200)
        weak, sure = _lane_rgb(p, 2.0, "overall"), _lane_rgb(p, 7.5, "overall")
        assert sum(sure) < sum(weak) - 120, (weak, sure)
        assert sure[2] > sure[0] and weak[2] > weak[0]  # both mirror-blue
        # hovering a lane says the window's label, p-value and confidence
        pt = p.js("__mirror.timelinePoint(2.0, 'overall')")
        p.page.mouse.move(pt["x"], pt["y"])
        p.page.wait_for_timeout(100)
        assert "whole body: mirror (p=0.009, sure)" in p.js("__mirror.tipText()")
        pt = p.js("__mirror.timelinePoint(7.5, 'left_arm')")
        p.page.mouse.move(pt["x"], pt["y"])
        p.page.wait_for_timeout(100)
        arm_p = doc["windows"][11]["channels"]["left_arm"]["p_value"]
        assert f"left arm: mirror (p={arm_p:.1g}, very sure)" in p.js("__mirror.tipText()")
        pt = p.js("__mirror.timelinePoint(0.5 * 13 + 2.0, 'overall')")  # window 13: none, p 0.2
        p.page.mouse.move(pt["x"], pt["y"])
        p.page.wait_for_timeout(100)
        assert "whole body: none (p=0.200, not beyond chance)" in p.js("__mirror.tipText()")
        # the heads-up line over the video: the current window's state with its p-value
        p.js("__mirror.seek(7.5)")
        p.page.wait_for_timeout(100)
        assert p.js("__mirror.hud").endswith("mirror (lag 0.40 s, A leads) · p=0.0002, very sure")
        p.js("__mirror.seek(7.0 + 0.5 * 6)")  # window 16 and after: match at p 0.004
        p.page.wait_for_timeout(100)
        assert "match" in p.js("__mirror.hud") and p.js("__mirror.hud").endswith("p=0.004, sure")
        # each event in the list shows its confidence, and its detail the p-value
        # (the whole body's events, and each body part's: here both arms carry the relation)
        rows = p.page.locator("#events tbody tr")
        assert rows.count() == 2 + 4
        for i, e in enumerate(doc["events"]):
            row = p.page.locator(f'#events tbody tr[data-id="event-{i}"]')
            assert row.locator("td.sure").inner_text() == "sure"
            assert f"p={e['p_value']:.3f}, sure" in row.inner_text() and "whole body" in row.inner_text()
        for i in range(4):
            row = p.page.locator(f'#events tbody tr[data-id="part-event-{i}"]')
            assert row.locator("td.sure").inner_text() == "sure" and " only, p=0.00" in row.inner_text()
        screenshot(p.page, "review_calibrated.png", tmp_path)
        assert not p.errors and p.outside() == []
    finally:
        p.close()


def test_review_page_of_a_session_with_nothing_measured_says_so(browser, tmp_path):
    from tests.report_fixtures import nothing_doc

    p = _hand_built_page(tmp_path, nothing_doc(), browser)
    try:
        assert p.page.is_visible("#nothing")
        assert (
            p.page.inner_text("#nothing-why")
            == "Nothing could be measured: the recording (2.4 s) is shorter than one 4 s window."
        )
        assert "--window-s" in p.page.inner_text("#nothing-fix")  # and what to do about it
        assert "shorter than one 4 s window" in p.page.inner_text("#events tbody")
        assert not p.errors
    finally:
        p.close()
