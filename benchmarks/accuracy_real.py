"""Verdicts on real footage, lite and full side by side: false alarms, composites, real clips, agreement.

Four measurements, each with both pose models, from pixels to labels (landmarks by
``mirror.landmarks.extract_video`` at 15 frames a second, then the comparator):

1. **False alarms on independent real pairs.**  Two different real people (single-person
   clips of ``../shared/data/people`` and ``examples/raga_1person.mp4``) side by side
   (``upper_body``) and in video-call tiles (``call``), built by ``tests/scenes.py`` with
   ``none`` segments only; the clips play forwards and backwards; the first six upper-body
   pairs are seen again through the poor camera of part 2 (``upper_body+poor``: people small
   in the picture, whose features are smoothed more).  Each scene is judged
   twice: as ``mirror.compare.analyze_landmarks`` does (the shipped null, which was built
   from these same people) and, for an honest held-out figure, against a null built
   without the two people of the pair.  Printed: the share of analysable windows labelled
   mirror, match or symmetric, and the share of windows with any body-part relation.
2. **Composites with known truth**, per framing (``upper_body``, ``call``, ``webcam`` and
   ``upper_body`` through a poor camera): B mirrors A (a flipped copy of A ``lag_s``
   later), matches A (an unflipped copy ``lag_s`` later) or is another person, segment by
   segment, lags 0.3-2.5 s.  Every window wholly inside one segment is scored (as
   ``benchmarks/accuracy_composite.py`` does): the confusion matrix, macro-F1 over
   mirror/match/none and the median lag error on correct mirror/match windows.
3. **Real two-person clips against their known truth** (``examples/raga_2people.mp4`` and the
   research-only clips of ``../shared/data/research``, read in place): the window labels,
   the per-part labels and their p-values.
4. **lite/full agreement**: the share of windows (and of window body parts) where both
   models give the same label, on the real clips, the composites and the independent pairs.

A summary table gives every target and whether it is met.

    python benchmarks/accuracy_real.py [--minutes 10.5] [--composite-minutes 2.6] [--quick]
                                       [--keep DIR] [--json PATH] [--cache-dir DIR]

Scenes are built in units of 40 s (the same unit with the same seed gives the same video,
so ``--quick`` and a full run share their extractions); videos and landmarks are cached
under ``--cache-dir`` (default ``/tmp/accreal-cache``), so a rerun is fast.  Research-only
footage stays in ``../shared``: nothing of it is written into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accuracy_composite import per_class_f1  # noqa: E402  (this folder is on the path of a script)

from mirror.compare import CompareSettings, analyze_landmarks, fit_to_clip, fit_to_footage  # noqa: E402
from mirror.compare.calibrate import calibrate  # noqa: E402
from mirror.compare.nulls import (  # noqa: E402
    load_reference,
    null_from_file,
    null_identity,
    null_to_bytes,
    reference_null,
)
from mirror.compare.prepare import prepare  # noqa: E402
from mirror.compare.windows import compare_prepared  # noqa: E402
from mirror.features import compute_features  # noqa: E402
from mirror.landmarks import ExtractSettings, extract_video  # noqa: E402
from mirror.vocabulary import BODY_PARTS as REPORT_CHANNELS  # noqa: E402
from tests.scenes import PERSON_CLIPS, SHARED, Segment, build_scene, poor_camera  # noqa: E402

MODELS = ("lite", "full")
FPS = 15.0
UNIT_S = 40.0  # one scene file
CHUNK_S = 20.0  # frames are built this many seconds at a time (memory)
SIZE = (960, 540)
RELATIONS = ("mirror", "match", "symmetric")
PREDICTED = ("mirror", "match", "symmetric", "none", "insufficient")
TRUTH = ("mirror", "match", "none")
MARGIN_S = 0.5

TARGETS = {"false_alarm": 0.02, "macro_f1": 0.95, "lag_error_s": 0.15, "agreement": 0.90}

# independent pairs (A, B): every pair two different people
FA_PAIRS = {
    "upper_body": [
        ("raga_1person", "ted_presenter_gestures"),
        ("retalking_woman_bluebg", "stock_woman_lakeside"),
        ("ted_presenter_gestures", "retalking_woman_bluebg"),
        ("stock_woman_lakeside", "raga_1person"),
        ("raga_1person", "retalking_woman_bluebg"),
        ("ted_presenter_gestures", "stock_woman_lakeside"),
        ("retalking_woman_bluebg", "raga_1person"),
        ("stock_woman_lakeside", "ted_presenter_gestures"),
    ],
    "call": [
        ("hdtf_aoc_talking", "retalking_man_map"),
        ("hdtf_katiehill_talking", "hdtf_theresa_may"),
        ("vox_jackie_chan_talking", "retalking_woman_glasses"),
        ("retalking_man_suit", "hdtf_aoc_talking"),
        ("retalking_woman_glasses", "hdtf_katiehill_talking"),
        ("hdtf_theresa_may", "vox_jackie_chan_talking"),
        ("retalking_man_map", "retalking_man_suit"),
        ("hdtf_katiehill_talking", "retalking_man_map"),
    ],
}
# composites: (A, the other person of the "none" segments)
COMPOSITE_PAIRS = {
    "upper_body": [
        ("raga_1person", "ted_presenter_gestures"),
        ("retalking_woman_bluebg", "stock_woman_lakeside"),
        ("ted_presenter_gestures", "raga_1person"),
        ("stock_woman_lakeside", "retalking_woman_bluebg"),
    ],
    "call": [
        ("hdtf_aoc_talking", "retalking_man_map"),
        ("hdtf_katiehill_talking", "vox_jackie_chan_talking"),
        ("retalking_man_suit", "hdtf_theresa_may"),
        ("retalking_woman_glasses", "hdtf_aoc_talking"),
    ],
    "webcam": [
        ("hdtf_katiehill_talking", "retalking_man_map"),
        ("hdtf_theresa_may", "hdtf_aoc_talking"),
        ("vox_jackie_chan_talking", "retalking_woman_glasses"),
        ("retalking_man_map", "hdtf_katiehill_talking"),
    ],
}
COMPOSITE_FRAMINGS = ("upper_body", "call", "webcam", "upper_body+poor")

REAL_CLIPS = [
    # (label, path, truth, note)
    ("raga_2people", REPO / "examples" / "raga_2people.mp4", "none", "no mirroring"),
    ("kitchen_two_men", SHARED / "research" / "kitchen_two_men.mp4", "none", "talking, one cuts food"),
    (
        "highfive_facing",
        SHARED / "research" / "highfive_facing.avi",
        "mirror",
        "left man raises his LEFT hand, right man his RIGHT",
    ),
    (
        "highfive_double",
        SHARED / "research" / "highfive_double.avi",
        "symmetric",
        "both arms raised at once: neither mirror nor match",
    ),
    ("facing_pair_lab", SHARED / "research" / "facing_pair_lab.mp4", "unknown", "face to face"),
    ("facing_pair_courtyard", SHARED / "research" / "facing_pair_courtyard.mp4", "unknown", "face to face"),
]


def say(*args) -> None:
    print(*args, flush=True)


# ------------------------------------------------------------------------------ scenes
@dataclass
class Unit:
    """One scene file: a framing, A and B, and segments (relation, start, end, lag)."""

    kind: str  # "fa" or "composite"
    framing: str  # "call", "webcam", "upper_body", optionally "+poor"
    a: str
    b: str
    segments: list[tuple[str, float, float, float]]  # lag: truth lag (mirror/match) or B's offset (none)
    a_lag_s: float
    seed: int
    windows: dict = field(default_factory=dict)  # model -> {"pipeline": Windows, "heldout": Windows}
    extract: dict = field(default_factory=dict)  # model -> both-present rate

    @property
    def name(self) -> str:
        ident = json.dumps([self.kind, self.framing, self.a, self.b, self.segments, self.a_lag_s, self.seed, SIZE, FPS])
        digest = hashlib.sha256(ident.encode()).hexdigest()[:8]
        return f"{self.kind}_{self.framing.replace('+', '-')}_{self.a}_{self.b}_{digest}"

    def truth(self) -> list[tuple[str, float, float, float]]:
        return [(r, s, e, lag if r != "none" else float("nan")) for r, s, e, lag in self.segments]


FA_POOR_SCENES = 6
"""Independent upper-body pairs seen again through the poor camera (small people get smoother features)."""
FA_FRAMINGS = (*FA_PAIRS, "upper_body+poor")


def fa_units(minutes: float, per_framing: int | None) -> list[Unit]:
    """The independent pairs of :data:`FA_PAIRS`, then the first upper-body ones again through the poor camera."""
    per = per_framing if per_framing is not None else max(1, math.ceil(minutes * 60 / UNIT_S / len(FA_PAIRS)))
    out = []
    for framing, pairs in FA_PAIRS.items():
        for k in range(per):
            a, b = pairs[k % len(pairs)]
            rng = np.random.default_rng([1, k, len(framing)])
            cut = round(float(rng.uniform(15, 25)), 2)
            segments = [
                ("none", 0.0, cut, -round(float(rng.uniform(0, 12)), 2)),
                ("none", cut, UNIT_S, -round(float(rng.uniform(0, 12)), 2)),
            ]
            out.append(Unit("fa", framing, a, b, segments, -round(float(rng.uniform(3, 12)), 2), k))
    upper = [u for u in out if u.framing == "upper_body"]
    poor = min(FA_POOR_SCENES, len(upper)) if per_framing is None else min(per_framing, len(upper))
    out += [replace(u, framing="upper_body+poor", windows={}, extract={}) for u in upper[:poor]]
    return out


def composite_units(minutes: float, per_framing: int | None) -> list[Unit]:
    per = per_framing if per_framing is not None else max(1, math.ceil(minutes * 60 / UNIT_S))
    out = []
    for f_index, framing in enumerate(COMPOSITE_FRAMINGS):
        pairs = COMPOSITE_PAIRS[framing.split("+")[0]]
        for k in range(per):
            a, b = pairs[k % len(pairs)]
            rng = np.random.default_rng([2, k, f_index])
            order = list(rng.permutation(TRUTH))
            lengths = rng.uniform(12, 15, 3)
            lengths = lengths / lengths.sum() * UNIT_S
            segments, t = [], 0.0
            for i, (rel, length) in enumerate(zip(order, lengths, strict=True)):
                end = UNIT_S if i == len(order) - 1 else round(t + float(length), 2)
                lag = round(float(rng.uniform(0.3, 2.5)), 2) if rel != "none" else -round(float(rng.uniform(0, 12)), 2)
                segments.append((str(rel), t, end, lag))
                t = end
            out.append(Unit("composite", framing, a, b, segments, -round(float(rng.uniform(3, 12)), 2), k))
    return out


def render(unit: Unit, path: Path) -> Path:
    """Write the unit's scene, :data:`CHUNK_S` at a time, as one MJPG AVI."""
    if path.exists():
        return path
    base, _, poor = unit.framing.partition("+")
    a_clip, b_clip = PERSON_CLIPS[unit.a], PERSON_CLIPS[unit.b]
    tmp = path.with_suffix(f".{time.time_ns()}.part.avi")
    writer = None
    n_chunks = int(round(UNIT_S / CHUNK_S))
    for c in range(n_chunks):
        t0, t1 = c * CHUNK_S, (c + 1) * CHUNK_S
        plan = []
        for rel, s, e, lag in unit.segments:
            if e <= t0 or s >= t1:
                continue
            # the chunk starts at t0: shift every stream by t0 (mirror/match lags add to A's own shift)
            plan.append(Segment(rel, max(s, t0) - t0, min(e, t1) - t0, lag_s=lag - t0 if rel == "none" else lag))
        scene = build_scene(base, a_clip, b_clip, plan, fps=FPS, size=SIZE, a_lag_s=unit.a_lag_s - t0)
        if poor:
            scene = poor_camera(scene, seed=unit.seed * 100 + c)
        if writer is None:
            writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), FPS, scene.size)
        for frame in scene.frames:
            writer.write(frame)
        del scene
    writer.release()
    tmp.rename(path)
    return path


# ------------------------------------------------------------------------------ analysis
_NULLS: dict[str, object] = {}


def heldout_null(exclude: set[str], settings: CompareSettings, cache: Path):
    """The reference null without the people (clip file names) in ``exclude`` (cached on disk)."""
    key = hashlib.sha256(json.dumps([sorted(exclude), null_identity(settings)]).encode()).hexdigest()[:16]
    if key in _NULLS:
        return _NULLS[key]
    path = cache / "null" / f"heldout_{key}.npz"
    null = null_from_file(path)
    if null is None:
        people = [p for p in load_reference() if p.clip not in exclude]
        null = reference_null(settings, people=people)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{time.time_ns()}.tmp")
        tmp.write_bytes(null_to_bytes(null))
        tmp.rename(path)
    _NULLS[key] = null
    return null


def extract(path: Path, model: str, cache: Path):
    """Landmarks with faces (head angles, expressions) as ``mirror analyze`` gets them.

    The 478-point meshes are not kept in memory.
    """
    return extract_video(
        path, ExtractSettings(pose_model=model, fps=FPS), cache_dir=cache / "landmarks", face_mesh=False
    )


def _both_present(lm) -> float:
    """Share of frames with both people: the extraction's own figure, else counted from the landmarks."""
    rate = lm.info.both_present_rate
    return rate if rate is not None else lm.pose_present.all(1).mean()


def analyse(landmarks, exclude: set[str] | None, cache: Path) -> dict:
    """``pipeline``: as analyze_landmarks; ``heldout``: the same windows against a null without ``exclude``."""
    result = analyze_landmarks(landmarks, CompareSettings(), n_surrogates=0)
    info = result.run
    out = {"pipeline": result.windows, "info": info}
    if exclude is not None:
        features = compute_features(landmarks)
        settings, _ = fit_to_clip(fit_to_footage(CompareSettings(), features), features)
        prep = prepare(features, settings)
        out["raw"] = compare_prepared(prep, settings)
        out["heldout"] = calibrate(out["raw"], heldout_null(exclude, settings, cache), settings)
    return out


def clip_file(key: str) -> str:
    return PERSON_CLIPS[key].path.name


def run_unit(unit: Unit, folder: Path, cache: Path) -> None:
    t0 = time.perf_counter()
    path = render(unit, folder / f"{unit.name}.avi")
    t1 = time.perf_counter()
    exclude = {clip_file(unit.a), clip_file(unit.b)}
    parts = []
    for model in MODELS:
        t2 = time.perf_counter()
        lm = extract(path, model, cache)
        t3 = time.perf_counter()
        unit.windows[model] = analyse(lm, exclude, cache)
        unit.extract[model] = float(_both_present(lm))
        parts.append(
            f"{model}: both found {100 * unit.extract[model]:.0f} %, landmarks {t3 - t2:.0f} s, "
            f"comparator {time.perf_counter() - t3:.1f} s"
        )
    say(f"  {unit.name}: scene {t1 - t0:.0f} s; " + "; ".join(parts))


# ------------------------------------------------------------------------------ scoring
def window_truth(truth, start_s: np.ndarray, end_s: np.ndarray, max_lag_s: float):
    """Truth relation and lag of each window wholly inside one segment (None elsewhere).

    As ``accuracy_composite.py``: the window and B's delayed copy lie inside the segment
    with a margin; a ``none`` window also keeps the lag scan's reach (half the largest lag
    each side) inside it.
    """
    labels, lags = [], []
    for a, b in zip(start_s, end_s, strict=True):
        hit = None
        for rel, s, e, lag in truth:
            reach = max_lag_s / 2 if rel == "none" else 0.0
            extra = lag if rel != "none" else reach
            if a - reach >= s + MARGIN_S and b + extra + MARGIN_S <= e:
                hit = (rel, lag)
                break
        labels.append(hit[0] if hit else None)
        lags.append(hit[1] if hit else None)
    return labels, lags


def score_composites(units: list[Unit], model: str, which: str) -> dict:
    conf = np.zeros((len(TRUTH), len(PREDICTED)), int)
    errors = []
    missed: dict[str, int] = {}
    for u in units:
        w, raw = u.windows[model][which], u.windows[model]["raw"]
        truth, lags = window_truth(u.truth(), w.start_s, w.end_s, CompareSettings().max_lag_s)
        for i, (lab, lag, pred, plag) in enumerate(zip(truth, lags, w.label, w.lag_s, strict=True)):
            if lab is None:
                continue
            conf[TRUTH.index(lab), PREDICTED.index(pred)] += 1
            if lab in ("mirror", "match") and pred == lab:
                errors.append(abs(float(plag) - lag))
            elif lab in ("mirror", "match"):
                cause = miss_cause(lab, raw, i)
                missed[cause] = missed.get(cause, 0) + 1
    f1 = per_class_f1(conf, TRUTH, PREDICTED)
    e = np.array(errors)
    return {
        "confusion": conf.tolist(),
        "f1": f1,
        "macro_f1": float(np.mean([f1[k] for k in TRUTH])),
        "lag_error_median_s": float(np.median(e)) if len(e) else float("nan"),
        "lag_error_p90_s": float(np.percentile(e, 90)) if len(e) else float("nan"),
        "lag_n": int(len(e)),
        "windows": int(conf.sum()),
        "missed_by_cause": missed,
    }


def miss_cause(truth: str, raw, i: int) -> str:
    """Why a mirror/match window was missed, from the comparator's windows before calibration."""
    s = CompareSettings()
    if raw.label[i] == "insufficient":
        return "insufficient"
    if not raw.sided[i]:
        return f"no side told (a posture change < {s.min_change:g})"
    if raw.label[i] == truth:
        return f"right before calibration, p >= {s.alpha:g}"
    if raw.label[i] == "none":
        return f"best score < {s.min_score:g} (own and pooled)"
    return f"{raw.label[i]} before calibration"


def false_alarms(windows_list) -> dict:
    n_all = n_an = n_rel = n_part_windows = n_part_rel = 0
    by_label = {k: 0 for k in RELATIONS}
    by_part = {c: 0 for c in REPORT_CHANNELS}
    for w in windows_list:
        n_all += len(w)
        analysable = w.label != "insufficient"
        n_an += int(analysable.sum())
        for k in RELATIONS:
            by_label[k] += int((w.label == k).sum())
        n_rel += int(np.isin(w.label, RELATIONS).sum())
        part_rel = np.isin(w.channel_label, RELATIONS)
        compared = w.channel_label != "insufficient"
        n_part_windows += int(compared.any(1).sum())
        n_part_rel += int(part_rel.any(1).sum())
        for c, name in enumerate(w.channels):
            by_part[name] += int(part_rel[:, c].sum())
    return {
        "windows": n_all,
        "analysable": n_an,
        "relation": n_rel,
        "relation_share": n_rel / n_an if n_an else float("nan"),
        "by_label": by_label,
        "part_windows": n_part_windows,
        "part_relation": n_part_rel,
        "part_relation_share": n_part_rel / n_part_windows if n_part_windows else float("nan"),
        "by_part": by_part,
    }


def agreement(pairs) -> dict:
    """``pairs``: (lite Windows, full Windows) of the same video; windows matched by start time."""
    same = total = same_part = total_part = same_an = total_an = 0
    opposite = 0
    for wl, wf in pairs:
        index = {round(float(s), 2): i for i, s in enumerate(wf.start_s)}
        for i, s in enumerate(wl.start_s):
            j = index.get(round(float(s), 2))
            if j is None:
                continue
            total += 1
            same += int(wl.label[i] == wf.label[j])
            if wl.label[i] != "insufficient" and wf.label[j] != "insufficient":
                total_an += 1
                same_an += int(wl.label[i] == wf.label[j])
            opposite += int({wl.label[i], wf.label[j]} == {"mirror", "match"})
            total_part += len(wl.channels)
            same_part += int((wl.channel_label[i] == wf.channel_label[j]).sum())
    return {
        "windows": total,
        "same": same / total if total else float("nan"),
        "both_analysable": total_an,
        "same_analysable": same_an / total_an if total_an else float("nan"),
        "opposite_mirror_match": opposite,
        "same_part": same_part / total_part if total_part else float("nan"),
    }


# ------------------------------------------------------------------------------ printing
def pct(x: float) -> str:
    return "   n/a" if x != x else f"{100 * x:5.1f}%"


def print_false_alarms(units: list[Unit], out: dict) -> None:
    say("\n== 1. False alarms on independent real pairs (none only) ==")
    minutes = len(units) * UNIT_S / 60
    say(
        f"{len(units)} scenes, {minutes:.1f} min of video; pairs: " + ", ".join(sorted({f"{u.a}|{u.b}" for u in units}))
    )
    say(
        "share of analysable windows labelled mirror/match/symmetric (overall), "
        "and of windows with any body-part relation"
    )
    say(
        f"{'framing':15s} {'null':9s} | "
        + " | ".join(f"{m:>4s}: windows analysable  rel%  (mir/mat/sym)  part-rel% " for m in MODELS)
    )
    rows = {}
    for framing in list(FA_FRAMINGS) + ["all"]:
        sel = [u for u in units if framing in ("all", u.framing)]
        if not sel:
            continue
        for which in ("heldout", "pipeline"):
            cells = []
            for m in MODELS:
                r = false_alarms([u.windows[m][which] for u in sel])
                rows[f"{framing}/{which}/{m}"] = r
                bl = r["by_label"]
                cells.append(
                    f"{r['windows']:12d} {r['analysable']:10d} {pct(r['relation_share'])} "
                    f"({bl['mirror']:3d}/{bl['match']:3d}/{bl['symmetric']:3d}) {pct(r['part_relation_share'])}  "
                )
            say(f"{framing:15s} {which:9s} | " + " | ".join(cells))
    say(
        "body-part relations (windows) by part, held-out null: "
        + "; ".join(
            f"{m}: " + ", ".join(f"{k} {v}" for k, v in rows[f"all/heldout/{m}"]["by_part"].items()) for m in MODELS
        )
    )
    say("per scene (held-out null), relation windows / analysable, part-relation windows:")
    for u in units:
        cells = []
        for m in MODELS:
            r = false_alarms([u.windows[m]["heldout"]])
            cells.append(
                f"{m} {r['relation']}/{r['analysable']} part {r['part_relation']}/{r['part_windows']} "
                f"(found {100 * u.extract[m]:.0f} %)"
            )
        say(f"  {u.framing:10s} {u.a:24s} {u.b:24s} " + "; ".join(cells))
    out["false_alarms"] = rows


def print_composites(units: list[Unit], out: dict) -> None:
    say("\n== 2. Composites: mirror / match / another person, per framing ==")
    res = {}
    for framing in COMPOSITE_FRAMINGS:
        sel = [u for u in units if u.framing == framing]
        if not sel:
            continue
        say(
            f"\n-- {framing}: {len(sel)} scenes, {len(sel) * UNIT_S / 60:.1f} min, A: "
            + ", ".join(sorted({u.a for u in sel}))
        )
        for which in ("pipeline", "heldout"):
            for m in MODELS:
                r = score_composites(sel, m, which)
                res[f"{framing}/{which}/{m}"] = r
            say(
                f"   [{which} null] confusion (rows truth, columns predicted: "
                + " ".join(p[:4] for p in PREDICTED)
                + ")"
            )
            for i, lab in enumerate(TRUTH):
                say(
                    f"   {lab:7s} "
                    + "   ".join(
                        f"{m}: " + " ".join(f"{v:4d}" for v in res[f"{framing}/{which}/{m}"]["confusion"][i])
                        for m in MODELS
                    )
                )
            for m in MODELS:
                r = res[f"{framing}/{which}/{m}"]
                say(
                    f"   {m:4s}: F1 "
                    + ", ".join(f"{k} {v:.3f}" for k, v in r["f1"].items())
                    + f"; macro-F1 {r['macro_f1']:.3f}; lag error median {r['lag_error_median_s']:.3f} s, "
                    f"p90 {r['lag_error_p90_s']:.3f} s (n {r['lag_n']})"
                )
                say(
                    "         missed mirror/match windows by cause: "
                    + (", ".join(f"{k} {v}" for k, v in sorted(r["missed_by_cause"].items())) or "none")
                )
        found = {m: np.mean([u.extract[m] for u in sel]) for m in MODELS}
        say("   both people found: " + ", ".join(f"{m} {100 * v:.1f} %" for m, v in found.items()))
        say("   per scene (A; macro-F1 and mirror/match windows missed, shipped null):")
        for u in sel:
            scene = {m: score_composites([u], m, "pipeline") for m in MODELS}
            res[f"{framing}/scene/{u.name}"] = {
                m: {k: scene[m][k] for k in ("macro_f1", "missed_by_cause")} for m in MODELS
            }
            say(
                f"     {u.a:26s} "
                + "   ".join(
                    f"{m}: {scene[m]['macro_f1']:.3f}, missed {sum(scene[m]['missed_by_cause'].values()):2d}"
                    for m in MODELS
                )
            )
    out["composites"] = res


def fmt_window(w, i) -> str:
    lag = "" if np.isnan(w.lag_s[i]) else f" lag {w.lag_s[i]:+.2f}"
    p = "" if np.isnan(w.p_value[i]) else f" p {w.p_value[i]:.3f}"
    parts = []
    for c, name in enumerate(w.channels):
        lab = w.channel_label[i, c]
        if lab == "insufficient":
            parts.append(f"{name} -")
        else:
            cp = w.channel_p[i, c]
            parts.append(f"{name} {lab}" + ("" if np.isnan(cp) else f"({cp:.3f})"))
    return f"{w.start_s[i]:5.1f}-{w.end_s[i]:5.1f} {w.label[i]:12s}{p}{lag}  | " + ", ".join(parts)


def real_clips(cache: Path, out: dict) -> list:
    say("\n== 3. Real two-person clips against their known truth ==")
    pairs, res = [], {}
    for name, path, truth, note in REAL_CLIPS:
        if not path.exists():
            say(f"\n-- {name}: {path} absent, skipped")
            continue
        got = {}
        for m in MODELS:
            lm = extract(path, m, cache)
            got[m] = analyse(lm, None, cache)
            got[m]["found"] = float(_both_present(lm))
        say(f"\n-- {name} (truth: {truth}; {note})")
        entry = {}
        for m in MODELS:
            w = got[m]["pipeline"]
            adapted = got[m]["info"].adapted
            labels = {k: int((w.label == k).sum()) for k in PREDICTED}
            arm = (
                w.channel_label[:, [w.channels.index("left_arm"), w.channels.index("right_arm")]]
                if len(w)
                else np.zeros((0, 2), str)
            )
            entry[m] = {
                "windows": len(w),
                "labels": labels,
                "found": got[m]["found"],
                "window_s": got[m]["info"].settings.window_s,
                "adapted": adapted.reason if adapted else None,
                "arm_mirror_windows": int((arm == "mirror").any(1).sum()) if len(w) else 0,
                "arm_match_windows": int((arm == "match").any(1).sum()) if len(w) else 0,
                "rows": [
                    {
                        "start_s": float(w.start_s[i]),
                        "label": str(w.label[i]),
                        "p": None if np.isnan(w.p_value[i]) else float(w.p_value[i]),
                        "lag_s": None if np.isnan(w.lag_s[i]) else float(w.lag_s[i]),
                        "parts": {
                            c: [
                                str(w.channel_label[i, k]),
                                None if np.isnan(w.channel_p[i, k]) else float(w.channel_p[i, k]),
                            ]
                            for k, c in enumerate(w.channels)
                        },
                    }
                    for i in range(len(w))
                ],
            }
            say(
                f"   {m}: both found {100 * got[m]['found']:.0f} %, {len(w)} windows of {entry[m]['window_s']:g} s; "
                + ", ".join(f"{k} {v}" for k, v in labels.items() if v)
                + (f"; {got[m]['info'].no_windows}" if not len(w) else "")
            )
            for i in range(len(w)):
                say(f"      {fmt_window(w, i)}")
        entry["verdict"] = real_verdict(name, truth, entry)
        say(f"   verdict: {entry['verdict']['text']}")
        res[name] = entry
        pairs.append((got["lite"]["pipeline"], got["full"]["pipeline"]))
    out["real_clips"] = res
    return pairs


def real_verdict(name: str, truth: str, entry: dict) -> dict:
    """Whether each model's labels fit the clip's known truth."""
    ok = {}
    text = []
    for m in MODELS:
        e = entry[m]
        lab = e["labels"]
        rel = lab["mirror"] + lab["match"] + lab["symmetric"]
        if truth == "none":
            ok[m] = rel == 0
            text.append(f"{m} {'ok' if ok[m] else 'WRONG'} ({rel} relation windows of {e['windows']})")
        elif truth == "mirror":
            ok[m] = (
                lab["mirror"] > 0 and lab["match"] == 0 and e["arm_mirror_windows"] > 0 and e["arm_match_windows"] == 0
            )
            text.append(
                f"{m} {'ok' if ok[m] else 'WRONG'} (mirror {lab['mirror']}, match {lab['match']} of {e['windows']}; "
                f"arm mirror in {e['arm_mirror_windows']}, arm match in {e['arm_match_windows']})"
            )
        elif truth == "symmetric":
            ok[m] = lab["mirror"] == 0 and lab["match"] == 0
            text.append(
                f"{m} {'ok' if ok[m] else 'WRONG'} (mirror {lab['mirror']}, match {lab['match']}, "
                f"symmetric {lab['symmetric']} of {e['windows']})"
            )
        else:
            ok[m] = None
            text.append(f"{m}: " + ", ".join(f"{k} {v}" for k, v in lab.items() if v))
    return {"ok": ok, "text": "; ".join(text)}


def print_agreement(groups: dict, out: dict) -> None:
    say("\n== 4. lite/full agreement (windows matched by start time) ==")
    res = {}
    say(
        f"{'footage':28s} {'windows':>8s} {'same label':>11s} {'both analysable':>16s} {'same there':>11s} "
        f"{'same part label':>16s} {'mirror vs match':>16s}"
    )
    for name, pairs in groups.items():
        r = agreement(pairs)
        res[name] = r
        say(
            f"{name:28s} {r['windows']:8d} {pct(r['same']):>11s} {r['both_analysable']:16d} "
            f"{pct(r['same_analysable']):>11s} {pct(r['same_part']):>16s} {r['opposite_mirror_match']:16d}"
        )
    out["agreement"] = res


def summary(out: dict) -> None:
    say("\n== 5. Summary: targets ==")
    rows = []
    fa = out.get("false_alarms", {})
    for framing in list(FA_FRAMINGS) + ["all"]:
        for which in ("heldout", "pipeline"):
            for m in MODELS:
                r = fa.get(f"{framing}/{which}/{m}")
                if r is None:
                    continue
                for key, what in (
                    ("relation_share", "windows with a relation"),
                    ("part_relation_share", "windows with a part relation"),
                ):
                    v = r[key]
                    rows.append(
                        (
                            f"false alarms {framing} {which} null, {m}: {what}",
                            pct(v),
                            "<= 2 %",
                            v <= TARGETS["false_alarm"],
                        )
                    )
    comp = out.get("composites", {})
    for framing in COMPOSITE_FRAMINGS:
        for m in MODELS:
            r = comp.get(f"{framing}/pipeline/{m}")
            if r is None:
                continue
            rows.append(
                (
                    f"composite {framing}, {m}: macro-F1",
                    f"{r['macro_f1']:.3f}",
                    ">= 0.95",
                    r["macro_f1"] >= TARGETS["macro_f1"],
                )
            )
            v = r["lag_error_median_s"]
            rows.append(
                (f"composite {framing}, {m}: median lag error", f"{v:.3f} s", "<= 0.15 s", v <= TARGETS["lag_error_s"])
            )
    for name, entry in out.get("real_clips", {}).items():
        for m in MODELS:
            ok = entry["verdict"]["ok"][m]
            if ok is not None:
                truth = next(t for n, _, t, _ in REAL_CLIPS if n == name)
                rows.append(
                    (
                        f"real {name} ({truth}), {m}",
                        "ok" if ok else "wrong",
                        f"labelled {truth}" if truth != "none" else "no relation",
                        ok,
                    )
                )
    for name, r in out.get("agreement", {}).items():
        rows.append(
            (f"lite/full agreement {name}: overall label", pct(r["same"]), ">= 90 %", r["same"] >= TARGETS["agreement"])
        )
        rows.append(
            (
                f"lite/full agreement {name}: part labels",
                pct(r["same_part"]),
                ">= 90 %",
                r["same_part"] >= TARGETS["agreement"],
            )
        )
    width = max(len(r[0]) for r in rows) if rows else 20
    say(f"{'measure':{width}s}  {'value':>9s}  {'target':>12s}  met")
    for what, value, target, met in rows:
        say(f"{what:{width}s}  {value:>9s}  {target:>12s}  {'yes' if met else 'NO'}")
    out["summary"] = [{"measure": a, "value": b, "target": c, "met": bool(d)} for a, b, c, d in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.5, help="video of independent pairs, in all (>= 10)")
    parser.add_argument("--composite-minutes", type=float, default=2.6, help="composite video per framing")
    parser.add_argument("--quick", action="store_true", help="one scene per framing (a check that everything runs)")
    parser.add_argument("--keep", type=Path, help="keep the scene videos and their truth here")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/accreal-cache"))
    parser.add_argument("--skip", nargs="*", default=[], choices=["fa", "composite", "real"], help="leave parts out")
    parser.add_argument(
        "--framings", nargs="*", choices=["upper_body", "call", "webcam", "upper_body+poor"], help="only these framings"
    )
    args = parser.parse_args()
    cache = args.cache_dir
    folder = args.keep or cache / "scenes"
    folder.mkdir(parents=True, exist_ok=True)
    missing = sorted(
        {
            k
            for pairs in list(FA_PAIRS.values()) + list(COMPOSITE_PAIRS.values())
            for p in pairs
            for k in p
            if not PERSON_CLIPS[k].available
        }
    )
    if missing:
        raise SystemExit(f"error: real footage missing ({', '.join(missing)}); it is read from {SHARED}")
    per = 1 if args.quick else None
    fa = (
        []
        if "fa" in args.skip
        else [u for u in fa_units(args.minutes, per) if not args.framings or u.framing in args.framings]
    )
    comp = (
        []
        if "composite" in args.skip
        else [
            u for u in composite_units(args.composite_minutes, per) if not args.framings or u.framing in args.framings
        ]
    )
    global COMPOSITE_FRAMINGS  # the scenes are made (and seeded) with every framing; only these are reported
    COMPOSITE_FRAMINGS = tuple(f for f in COMPOSITE_FRAMINGS if any(u.framing == f for u in comp)) or COMPOSITE_FRAMINGS
    out: dict = {"quick": args.quick, "models": list(MODELS), "fps": FPS, "unit_s": UNIT_S}
    t0 = time.perf_counter()
    say(
        f"mirror accuracy on real footage: {len(fa)} independent-pair scenes "
        f"and {len(comp)} composites of {UNIT_S:g} s, "
        f"scenes in {folder}, cache {cache}"
    )
    for u in fa + comp:
        run_unit(u, folder, cache)
    truth = {
        u.name: {"framing": u.framing, "a": u.a, "b": u.b, "a_lag_s": u.a_lag_s, "segments": u.truth()}
        for u in fa + comp
    }
    (folder / "truth.json").write_text(json.dumps(truth, indent=1))
    out["scenes"] = truth
    groups = {}
    if fa:
        print_false_alarms(fa, out)
        groups["independent pairs"] = [(u.windows["lite"]["pipeline"], u.windows["full"]["pipeline"]) for u in fa]
    if comp:
        print_composites(comp, out)
        for framing in COMPOSITE_FRAMINGS:
            groups[f"composite {framing}"] = [
                (u.windows["lite"]["pipeline"], u.windows["full"]["pipeline"]) for u in comp if u.framing == framing
            ]
        groups["composites, all"] = [(u.windows["lite"]["pipeline"], u.windows["full"]["pipeline"]) for u in comp]
    if "real" not in args.skip:
        groups["real clips"] = real_clips(cache, out)
    print_agreement(groups, out)
    summary(out)
    say(f"\ntotal {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(out, indent=1, default=lambda o: o.tolist() if isinstance(o, np.ndarray) else str(o))
        )
        say(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
