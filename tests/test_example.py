"""The shipped demonstration, examples/rapport_demo.mp4, shows what its script says it shows.

The truth is read from the plan of ``examples/make_example.py``: for each stretch, what the
comparator should label its windows, the lag of B behind A, and who copies mechanically.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.cli import app
from tests.conftest import EXAMPLES

DEMO = EXAMPLES / "rapport_demo.mp4"


def _script():
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLES / "make_example.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()
PLAN = SCRIPT.PLAN


def test_the_shipped_video_is_the_script_s_plan():
    cap = cv2.VideoCapture(str(DEMO))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    frames, fps = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    assert size == SCRIPT.SIZE and fps == pytest.approx(SCRIPT.FPS)
    assert frames == round(PLAN[-1].end_s * SCRIPT.FPS)
    assert [s.start_s for s in PLAN[1:]] == [s.end_s for s in PLAN[:-1]] and PLAN[0].start_s == 0
    assert DEMO.stat().st_size < 3e6, "kept small enough to ship"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport_demo") / "out"
    result = CliRunner().invoke(
        app, ["analyze", str(DEMO), "--out", str(out), "--surrogates", "20", "--no-progress", "--no-history",
              "--cache-dir", str(out.parent / "cache")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with open(out / "windows.csv", newline="") as fh:
        windows = [r for r in csv.DictReader(fh) if r["channel"] == "overall"]
    return result.output, windows, json.loads((out / "report.json").read_text())


def _inside(windows, stretch):
    """The windows lying wholly inside a stretch (a window across a boundary sees two stretches)."""
    return [
        w
        for w in windows
        if float(w["start_s"]) >= stretch.start_s - 1e-6 and float(w["end_s"]) <= stretch.end_s + 1e-6
    ]


@pytest.mark.model
@pytest.mark.parametrize("stretch", PLAN, ids=[s.relation for s in PLAN])
def test_each_stretch_is_found_where_the_script_put_it(analysed, stretch):
    _, windows, report = analysed
    max_lag_s = report["settings"]["max_lag_s"]
    inside = _inside(windows, stretch)
    assert len(inside) >= 3, f"the {stretch.relation} stretch is too short to hold whole windows"
    labels = [w["label"] for w in inside]
    share = labels.count(stretch.label) / len(labels)
    assert share >= 0.6, f"{stretch.relation} {stretch.start_s}-{stretch.end_s} s: {labels}"
    # a window's lag search reaches max_lag_s beyond its ends, into the next stretch: only there
    # may another relation show
    wrong = {"mirror", "match"} - {stretch.label}
    for w in inside:
        if w["label"] in wrong:
            near_edge = (
                float(w["start_s"]) < stretch.start_s + max_lag_s or float(w["end_s"]) > stretch.end_s - max_lag_s
            )
            assert near_edge, f"{w['label']} in the {stretch.relation} stretch at {w['start_s']}-{w['end_s']} s"
    if stretch.label == "none":
        return
    lags = [float(w["lag_s"]) for w in inside if w["label"] == stretch.label]
    assert np.median(lags) == pytest.approx(stretch.lag_s, abs=0.15), lags  # B's lag behind A (negative: B leads)
    leaders = {w["leader"] for w in inside if w["label"] == stretch.label}
    assert leaders == {"B" if stretch.copier == "A" else "A"}


@pytest.mark.model
def test_the_mechanical_stretch_is_flagged_with_the_right_copier(analysed):
    output, _, report = analysed
    mechanical = next(s for s in PLAN if s.relation == "mechanical")
    natural = [s for s in PLAN if s.relation in ("mirror", "match")]
    copier = mechanical.copier
    model = "B" if copier == "A" else "A"
    directions = report["mechanical"]["directions"]
    flagged = {k for k, d in directions.items() if d["flagged"]}
    assert flagged == {f"{copier}_copies_{model}"}, {k: d["score"] for k, d in directions.items()}
    assert f"mechanical imitation: {copier} copies {model}" in output
    # the quick, regular copies are the mechanical stretch's; the natural ones come about 1 s later
    copies = [c for c in report["mechanical"]["copies"] if c["direction"] == f"{copier}_copies_{model}"]
    quick = [c for c in copies if c["lag_s"] < (abs(mechanical.lag_s) + abs(natural[0].lag_s)) / 2]
    assert len(quick) >= 5
    in_stretch = [c for c in quick if mechanical.start_s - 0.5 <= c["model_start_s"] < mechanical.end_s]
    assert len(in_stretch) >= 0.8 * len(quick), [(c["model_start_s"], c["lag_s"]) for c in quick]
    assert np.median([c["lag_s"] for c in in_stretch]) == pytest.approx(abs(mechanical.lag_s), abs=0.15)
