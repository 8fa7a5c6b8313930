"""Review page size and speed in Debian's headless Chromium for long sessions.

A real analysed clip (the shipped two-person example, landmarks from the cache after the
first run) is repeated end to end to make sessions of the given lengths: its skeletons,
windows, events and copies are shifted in time, so the page holds exactly what a session of
that length holds. Prints the page's size, the time until it is ready, and the time to draw
the overlay and the timeline after a seek.

    .venv/bin/python benchmarks/bench_review.py --minutes 5 30 60
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import numpy as np

from mirror.pipeline import analyze_video, write_session
from mirror.report import read_report
from mirror.review import Skeleton, page_data, render_review_html

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def _shift(items: list[dict], dt: float, keys: tuple[str, ...]) -> list[dict]:
    out = []
    for it in items:
        it = copy.deepcopy(it)
        for k in keys:
            if it.get(k) is not None:
                it[k] = it[k] + dt
        out.append(it)
    return out


def tiled(doc: dict, skel: Skeleton, minutes: float) -> tuple[dict, Skeleton]:
    """``doc`` and ``skel`` repeated end to end to last ``minutes``."""
    clip = float(skel.t_s[-1]) + float(np.median(np.diff(skel.t_s)))
    n = int(np.ceil(minutes * 60 / clip))
    out = copy.deepcopy(doc)
    out["windows"] = sum((_shift(doc["windows"], i * clip, ("start_s", "end_s")) for i in range(n)), [])
    out["events"] = sum((_shift(doc["events"], i * clip, ("start_s", "end_s")) for i in range(n)), [])
    mech = out.get("mechanical") or {}
    if mech.get("copies"):
        mech["copies"] = sum(
            (_shift(doc["mechanical"]["copies"], i * clip, ("model_start_s", "copy_start_s")) for i in range(n)), []
        )
    src = out["provenance"]["source"]
    src["frame_count"] = int(round(n * clip * src["nominal_fps"]))
    big = Skeleton(
        t_s=np.concatenate([skel.t_s + i * clip for i in range(n)]),
        xy=np.concatenate([skel.xy] * n),
        visibility=np.concatenate([skel.visibility] * n),
        points=skel.points,
        frame_size=skel.frame_size,
        source_sha256=skel.source_sha256,
    )
    return out, big


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[5.0, 30.0, 60.0])
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from mirror.review import prepare_review

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "raga"
        session = analyze_video(REPO / "examples" / "raga_2people.mp4", n_surrogates=0)
        write_session(session, out)
        review = prepare_review(out)
        doc = read_report(out).to_dict()  # the JSON data, tiled to longer sessions
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            print(
                f"{'minutes':>8} {'frames':>8} {'windows':>8} {'events':>7} {'page MB':>8} {'ready s':>8} "
                f"{'seek+draw ms':>13}"
            )
            for minutes in args.minutes:
                big_doc, big_skel = tiled(doc, review.skeleton, minutes)
                html = render_review_html(page_data(big_doc, big_skel, None), static=True)
                path = Path(tmp) / f"review_{minutes:g}.html"
                path.write_text(html)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                t0 = time.perf_counter()
                page.goto(path.as_uri())
                while not page.evaluate("!!window.__mirror"):
                    page.wait_for_timeout(20)
                ready = time.perf_counter() - t0
                ms = page.evaluate(
                    """async () => {
                        const d = __mirror.data.source.duration_s, n = 50, t0 = performance.now();
                        for (let i = 0; i < n; i++) {
                            __mirror.seek((i + 0.5) / n * d);
                            await new Promise((r) => requestAnimationFrame(r));
                        }
                        return (performance.now() - t0) / n;
                    }"""
                )
                page.close()
                n_events = len(page_data(big_doc, None, None)["events"])
                print(
                    f"{minutes:8g} {len(big_skel):8d} {len(big_doc['windows']):8d} {n_events:7d} "
                    f"{len(html.encode()) / 1e6:8.1f} {ready:8.2f} {ms:13.1f}"
                )
            browser.close()


if __name__ == "__main__":
    main()
