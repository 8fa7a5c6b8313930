"""Reading ``report.json`` back, and the time series and runs every renderer draws from it.

All the per-video files (HTML, timeline, ELAN, BORIS) are rendered from the JSON
document alone, so they can be rebuilt at any time without the video or the models.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirror import messages
from mirror.errors import MirrorError
from mirror.report.files import REPORT_FORMAT, REPORT_VERSION, part_events_from_windows

CHANNELS = ("head", "left_arm", "right_arm", "torso", "face")
STATES = ("mirror", "match", "symmetric")
CHANNEL_NAMES = {"head": "head", "left_arm": "left arm", "right_arm": "right arm", "torso": "torso", "face": "face"}
PEOPLE = ("A", "B")
ROW_NAMES = {"overall": "whole body", **CHANNEL_NAMES}
"""The timeline's rows and the share table's: the whole body, then each body part."""
SHARE_COLUMNS = ("mirror", "match", "symmetric", "none", "insufficient")
"""The labels the share table counts (``insufficient``: not measured)."""

DEFAULT_ALPHA = 0.01
"""The comparator's default ``alpha``, for reports that do not name theirs."""
VERY_SURE_FACTOR = 10.0
"""A p-value below ``alpha / VERY_SURE_FACTOR`` is "very sure"; below ``alpha`` "sure"."""
STRENGTH_DECADES = 2.0
"""Drawing strength grows from 0 at ``p = alpha`` to 1 at ``p = alpha / 10**STRENGTH_DECADES``."""
STRENGTH_LEVELS = 4
"""Strengths are drawn in this many steps above 0, so runs of windows stay few."""


def read_report(path: str | Path) -> dict:
    """``report.json`` (a file, or the folder holding it) as a dict.

    Raises
    ------
    MirrorError
        Missing, unreadable, or not a ``mirror.report`` document of a known version.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise MirrorError(f"{path} not found: run `mirror analyze VIDEO --out {path.parent}` first") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MirrorError(f"{path} is not a readable report: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        raise MirrorError(f"{path} is not a {REPORT_FORMAT} document")
    if doc.get("format_version") != REPORT_VERSION:
        raise MirrorError(
            f"{path} has format version {doc.get('format_version')}; this mirror reads version {REPORT_VERSION}"
        )
    return doc


@dataclass
class ChannelSeries:
    """Mirror and match intensity of one body part, one value per window.

    Attributes
    ----------
    t_s : ndarray, shape (W,)
        Window centres.
    mirror, match : ndarray, shape (W,)
        Best mirror and match scores in [-1, 1]; NaN where the window has no scores.
    label : ndarray of str, shape (W,)
        ``mirror``, ``match``, ``symmetric``, ``none`` or ``insufficient``.
    p_value : ndarray, shape (W,)
        p-value of the window's best candidate relation against the null; NaN where none was
        tested (``insufficient`` windows, parts not compared, reports older than calibration).
    """

    t_s: np.ndarray
    mirror: np.ndarray
    match: np.ndarray
    label: np.ndarray
    p_value: np.ndarray


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def alpha_of(doc: dict) -> float:
    """The significance level the report's labels were tested at."""
    alpha = (doc.get("calibration") or {}).get("alpha") or (doc.get("settings") or {}).get("alpha")
    return float(alpha) if alpha else DEFAULT_ALPHA


def is_calibrated(doc: dict) -> bool:
    """Whether the report's labels were tested against a null (reports from before calibration were not)."""
    return bool((doc.get("calibration") or {}).get("null"))


def confidence(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """How sure a label is, as a key of :data:`mirror.messages.CONFIDENCE`.

    ``very_sure`` below ``alpha / 10``, ``sure`` below ``alpha``, ``chance`` otherwise, and
    ``unmeasured`` when there is no p-value.
    """
    if p_value is None or not math.isfinite(float(p_value)):
        return "unmeasured"
    p = float(p_value)
    if p < alpha / VERY_SURE_FACTOR:
        return "very_sure"
    return "sure" if p < alpha else "chance"


def label_confidence(label: str, p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str | None:
    """How sure a window's label is (a :data:`mirror.messages.CONFIDENCE` key), or None when there is nothing to say.

    A relation (``mirror``, ``match``, ``symmetric``) gets :func:`confidence`. ``none`` is
    ``chance`` when its best candidate did not beat chance; a ``none`` whose candidate beat
    chance but scored too low for a label, and an ``insufficient`` window, get None.
    """
    if label in STATES:
        return confidence(p_value, alpha)
    if label == "none" and confidence(p_value, alpha) == "chance":
        return "chance"
    return None


def confidence_word(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """:func:`confidence` in words (``very sure``, ``sure``, ``not beyond chance``, ``not measured``)."""
    return messages.CONFIDENCE[confidence(p_value, alpha)]


def strength(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> float:
    """How strongly to draw a label, in [0, 1]: 0 at ``p >= alpha``, 1 at ``p <= alpha / 100``.

    Quantised to :data:`STRENGTH_LEVELS` steps. A label without a p-value (a report from
    before calibration) is drawn at full strength, as it always was.
    """
    if p_value is None or not math.isfinite(float(p_value)):
        return 1.0
    p = max(float(p_value), 1e-300)
    raw = min(1.0, max(0.0, math.log10(alpha / p) / STRENGTH_DECADES))
    return math.ceil(raw * STRENGTH_LEVELS - 1e-9) / STRENGTH_LEVELS


def format_p(p_value: float | None) -> str:
    """A p-value as people read it: three decimals (``0.004``), one significant digit below 0.001 (``0.0004``), ``–`` when missing."""
    if p_value is None or not math.isfinite(float(p_value)):
        return "–"
    p = float(p_value)
    return f"{p:.3f}" if p >= 0.001 else f"{p:.1g}" if p >= 1e-9 else "< 1e-9"


def p_text(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """``p=0.004, sure`` (or ``no p-value`` when there is none)."""
    if p_value is None or not math.isfinite(float(p_value)):
        return "no p-value"
    return f"p={format_p(p_value)}, {confidence_word(p_value, alpha)}"


def calibration_text(doc: dict) -> str:
    """What the labels mean, in one sentence (from ``doc["calibration"]``)."""
    cal = doc.get("calibration") or {}
    if not cal.get("null"):
        return messages.CALIBRATION["uncalibrated"]
    description = cal.get("description") or messages.CALIBRATION.get(f"null_{cal['null']}", str(cal["null"]))
    return messages.render(messages.CALIBRATION, "meaning", alpha=alpha_of(doc), description=description)


def calibration_short(doc: dict) -> str:
    """What the labels mean in a few words (``labels only where p < 0.01 against people who were not interacting``)."""
    cal = doc.get("calibration") or {}
    if not cal.get("null"):
        return messages.CALIBRATION["uncalibrated"]
    null = messages.CALIBRATION.get(f"null_{cal['null']}", str(cal["null"]))
    return messages.render(messages.CALIBRATION, "meaning_short", alpha=alpha_of(doc), null=null)


def nothing_measured(doc: dict) -> str | None:
    """Why no window of the report could be measured, in words; None when some window was."""
    windows = doc.get("windows") or []
    if any(w.get("label") != "insufficient" for w in windows):
        return None
    settings = doc.get("settings") or {}
    window_s = settings.get("window_s")
    need = float(settings.get("min_valid") or 0.6)
    adapted = doc.get("adapted") or {}
    if not windows and adapted.get("reason"):
        return str(adapted["reason"])
    if not windows:
        if window_s:
            return messages.render(
                messages.CALIBRATION, "reason_short", duration=duration_of(doc), window=float(window_s)
            )
        return messages.CALIBRATION["reason_no_data"]
    both = ((doc.get("provenance") or {}).get("landmarks") or {}).get("both_present_rate")
    if both is not None and float(both) < need:
        return messages.render(messages.CALIBRATION, "reason_apart", both=100 * float(both), need=100 * need)
    main = main_unusable_reason(doc)
    if main is not None:
        return messages.render(
            messages.CALIBRATION, "reason_unusable", need=100 * need, why=messages.USABILITY.get(main, main)
        )
    return messages.render(messages.CALIBRATION, "reason_insufficient", need=100 * need)


def main_unusable_reason(doc: dict) -> str | None:
    """The reason that cost the most usable frames over both people's body parts (``usability``), or None."""
    lost: dict[str, float] = {}
    for person in (doc.get("usability") or {}).values():
        for part in (person or {}).values():
            for reason, share in ((part or {}).get("reasons") or {}).items():
                if reason != "ok" and share:
                    lost[reason] = lost.get(reason, 0.0) + float(share)
            if not (part or {}).get("reasons") and (part or {}).get("reason") not in (None, "ok"):
                share = part.get("usable_share")
                lost[part["reason"]] = lost.get(part["reason"], 0.0) + (
                    1.0 - float(share) if share is not None else 1.0
                )
    return max(lost, key=lost.get) if lost else None


def adapted_text(doc: dict) -> str | None:
    """Why the windows are shorter than asked (a clip shorter than one window), or None."""
    adapted = doc.get("adapted") or {}
    return str(adapted["reason"]) if adapted.get("reason") and doc.get("windows") else None


def nothing_fix(doc: dict) -> str | None:
    """What to do so that something can be measured, or None when something was."""
    if nothing_measured(doc) is None:
        return None
    windows = doc.get("windows") or []
    adapted = doc.get("adapted") or {}
    window_s = (doc.get("settings") or {}).get("window_s")
    if not windows and adapted.get("reason"):
        return messages.CALIBRATION["fix_too_short"]
    if not windows and window_s:
        return messages.render(messages.CALIBRATION, "fix_short", window=float(window_s))
    both = ((doc.get("provenance") or {}).get("landmarks") or {}).get("both_present_rate")
    need = float((doc.get("settings") or {}).get("min_valid") or 0.6)
    main = main_unusable_reason(doc)
    if (both is None or float(both) >= need) and main is not None and f"fix_{main}" in messages.CALIBRATION:
        return messages.CALIBRATION[f"fix_{main}"]
    return messages.CALIBRATION["fix_apart"]


def window_grid(doc: dict) -> tuple[float, float] | None:
    """``(window_s, step_s)`` as the windows really are (measured from them), or None without windows."""
    windows = doc.get("windows") or []
    if not windows:
        return None
    window_s = float(windows[0]["end_s"]) - float(windows[0]["start_s"])
    starts = [float(w["start_s"]) for w in windows]
    step_s = (
        float(np.median(np.diff(starts)))
        if len(starts) > 1
        else float((doc.get("settings") or {}).get("step_s") or window_s)
    )
    return round(window_s, 3), round(step_s, 3)


def nothing_text(doc: dict) -> str | None:
    """``Nothing could be measured: <why>.``, or None when something was."""
    reason = nothing_measured(doc)
    return None if reason is None else messages.render(messages.CALIBRATION, "nothing", reason=reason)


def usability_rows(doc: dict) -> list[dict]:
    """Per person and body part: ``person``, ``part``, ``usable_share``, ``reason``, ``reason_text``, ``text``.

    From ``doc["usability"]`` (absent in older reports: an empty list).
    """
    usability = doc.get("usability") or {}
    rows = []
    for person in PEOPLE:
        parts = usability.get(person) or {}
        order = [c for c in CHANNELS if c in parts] + sorted(c for c in parts if c not in CHANNELS)
        for part in order:
            entry = parts[part] or {}
            share = entry.get("usable_share", entry.get("usable"))
            reason = str(entry.get("reason") or "ok")
            reason_text = messages.USABILITY.get(reason, reason.replace("_", " "))
            name = CHANNEL_NAMES.get(part, part.replace("_", " "))
            text = (
                messages.render(
                    messages.USABILITY, "line", person=person, part=name, percent=100 * float(share), reason=reason_text
                )
                if share is not None
                else f"{person}'s {name}: {reason_text}"
            )
            rows.append(
                {
                    "person": person,
                    "part": part,
                    "usable_share": share,
                    "reason": reason,
                    "reason_text": reason_text,
                    "text": text,
                }
            )
    return rows


def channel_series(doc: dict) -> dict[str, ChannelSeries]:
    """``{"overall", "head", "left_arm", ...}`` → :class:`ChannelSeries`, from ``doc["windows"]``."""
    windows = doc.get("windows") or []
    t = np.array([(_f(w["start_s"]) + _f(w["end_s"])) / 2 for w in windows], dtype=float)
    out = {
        "overall": ChannelSeries(
            t_s=t,
            mirror=np.array([_f(w.get("mirror_score")) for w in windows], dtype=float),
            match=np.array([_f(w.get("match_score")) for w in windows], dtype=float),
            label=np.array([w.get("label") or "none" for w in windows], dtype=object),
            p_value=np.array([_f(w.get("p_value")) for w in windows], dtype=float),
        )
    }
    for c in CHANNELS:
        chans = [(w.get("channels") or {}).get(c) or {} for w in windows]
        insufficient = [w.get("label") == "insufficient" for w in windows]
        out[c] = ChannelSeries(
            t_s=t,
            mirror=np.array([_f(ch.get("mirror_score")) for ch in chans], dtype=float),
            match=np.array([_f(ch.get("match_score")) for ch in chans], dtype=float),
            label=np.array(
                ["insufficient" if bad else (ch.get("label") or "none") for ch, bad in zip(chans, insufficient)],
                dtype=object,
            ),
            p_value=np.array(
                [float("nan") if bad else _f(ch.get("p_value")) for ch, bad in zip(chans, insufficient)], dtype=float
            ),
        )
    return out


def _tiles(t: np.ndarray, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Each window's share of the timeline: halfway to its neighbours' centres (``step_s`` wide at the ends)."""
    mid = (t[1:] + t[:-1]) / 2
    lo = np.concatenate([[t[0] - step_s / 2], mid])
    hi = np.concatenate([mid, [t[-1] + step_s / 2]])
    return lo, hi


def _runs(series: ChannelSeries, step_s: float, labels, key) -> list[tuple[float, float, str, int, int]]:
    """``(start_s, end_s, label, first, last)`` runs of windows with a label in ``labels`` and equal ``key(i)``."""
    t = np.asarray(series.t_s, dtype=float)
    if len(t) == 0:
        return []
    lo, hi = _tiles(t, step_s)
    runs: list[tuple[float, float, str, int, int]] = []
    prev = None
    for i, lab in enumerate(series.label):
        k = (lab, key(i))
        if lab in labels:
            if prev == k:
                a, _, _, first, _ = runs[-1]
                runs[-1] = (a, float(hi[i]), lab, first, i)
            else:
                runs.append((max(0.0, float(lo[i])), float(hi[i]), lab, i, i))
        prev = k
    return runs


def label_runs(
    series: ChannelSeries, step_s: float, labels=("mirror", "match", "symmetric")
) -> list[tuple[float, float, str]]:
    """Runs of equal labels as non-overlapping ``(start_s, end_s, label)``.

    Each window owns the time from halfway after the previous window's centre to
    halfway before the next one's (``step_s`` wide at the ends), so runs of
    overlapping windows tile the timeline without overlapping each other.
    """
    return [(a, b, lab) for a, b, lab, _, _ in _runs(series, step_s, labels, lambda i: None)]


def run_p_value(p_value: np.ndarray) -> float:
    """The p-value of a run of windows: the largest of theirs (each beat chance at least this surely)."""
    finite = np.asarray(p_value, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if len(finite) else float("nan")


def p_runs(
    series: ChannelSeries, step_s: float, labels=("mirror", "match", "symmetric")
) -> list[tuple[float, float, str, float]]:
    """:func:`label_runs` with each run's p-value (:func:`run_p_value`; NaN without one)."""
    return [
        (a, b, lab, run_p_value(series.p_value[i : j + 1]))
        for a, b, lab, i, j in _runs(series, step_s, labels, lambda i: None)
    ]


def strength_runs(
    series: ChannelSeries, step_s: float, alpha: float = DEFAULT_ALPHA, labels=("mirror", "match", "symmetric")
) -> list[tuple[float, float, str, float, float]]:
    """Runs of equal label and equal drawing :func:`strength`: ``(start_s, end_s, label, strength, p_value)``.

    Tiled as :func:`label_runs`; a run ends where its windows become surer or less sure.
    """
    level = [strength(p, alpha) for p in series.p_value]
    return [
        (a, b, lab, level[i], run_p_value(series.p_value[i : j + 1]))
        for a, b, lab, i, j in _runs(series, step_s, labels, lambda i: level[i])
    ]


def step_of(doc: dict) -> float:
    """The window step in seconds: as the window starts really are, else from the settings."""
    starts = [w["start_s"] for w in doc.get("windows") or [] if w.get("start_s") is not None]
    if len(starts) > 1:
        return float(np.median(np.diff(starts)))
    step = (doc.get("settings") or {}).get("step_s")
    return float(step) if step else 1.0


def duration_of(doc: dict) -> float:
    """Length of the analysed recording in seconds (best known)."""
    src = ((doc.get("provenance") or {}).get("source")) or {}
    ends = [w.get("end_s") or 0.0 for w in doc.get("windows") or []]
    ends += [e.get("end_s") or 0.0 for e in doc.get("events") or []]
    fps, n = src.get("nominal_fps"), src.get("frame_count")
    if fps and n:
        ends.append(float(n) / float(fps))
    return float(max(ends)) if ends else 0.0


def mechanical_directions(doc: dict) -> list[dict]:
    """Both directions of copying (``B_copies_A`` first), each with its ``name``; empty if not analysed."""
    dirs = ((doc.get("mechanical") or {}).get("directions")) or {}
    return [{"name": k, **dirs[k]} for k in sorted(dirs, key=lambda k: (k != "B_copies_A", k))]


def flagged_ranges(direction: dict) -> list[tuple[float, float]]:
    """Time ranges where a direction of copying was flagged mechanical."""
    ranges = direction.get("flagged_ranges")
    if ranges is None:  # older documents: the flagged rolling spans
        ranges = [(s["start_s"], s["end_s"]) for s in direction.get("spans") or [] if s.get("flagged")]
    merged: list[list[float]] = []
    for a, b in sorted((float(a), float(b)) for a, b in ranges):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def source_name(doc: dict) -> str:
    prov = doc.get("provenance") or {}
    path = prov.get("source_path") or ((prov.get("source") or {}).get("name")) or "session"
    return Path(path).name


def part_events(doc: dict) -> list[dict]:
    """The events of each body part: ``doc["part_events"]``, or built from the windows for reports written before it."""
    if "part_events" in doc and doc["part_events"] is not None:
        return list(doc["part_events"])
    return part_events_from_windows(doc.get("windows") or [], list(CHANNELS))


def share_rows(doc: dict) -> list[dict]:
    """The whole body's and each body part's shares, counted from ``doc["windows"]``.

    One dict per row (``overall`` first): ``row``, ``name``, ``counts`` (windows per label of
    :data:`SHARE_COLUMNS`), ``measured`` (windows not ``insufficient``), ``share`` (of the
    measured windows, per label; None when none was measured), ``not_measured`` (share of
    all windows), ``events`` (count), and ``unusable``: for a part measured in no window, why
    (the usability sentences of the people whose part was not always usable), else None.
    A window that is ``insufficient`` as a whole is ``insufficient`` for every part.
    """
    windows = doc.get("windows") or []
    n = len(windows)
    series = channel_series(doc)
    events = {"overall": len(doc.get("events") or [])}
    for e in part_events(doc):
        events[e["body_part"]] = events.get(e["body_part"], 0) + 1
    usable = {}  # why each part could not be used, for a part never measured
    for r in usability_rows(doc):
        if r["reason"] != "ok":
            usable.setdefault(r["part"], []).append(r["text"])
    rows = []
    for row in ("overall",) + CHANNELS:
        labels = list(series[row].label) if n else []
        counts = {k: sum(lab == k for lab in labels) for k in SHARE_COLUMNS}
        measured = n - counts["insufficient"]
        rows.append({
            "row": row, "name": ROW_NAMES[row], "counts": counts, "measured": measured,
            "share": {k: counts[k] / measured for k in SHARE_COLUMNS if k != "insufficient"} if measured else None,
            "not_measured": counts["insufficient"] / n if n else None, "events": events.get(row, 0),
            "unusable": "; ".join(usable[row]) if row in usable and not measured else None,
        })  # fmt: skip
    return rows


def synchrony_reference(doc: dict) -> dict | None:
    """Synchrony against its chance reference, or None when there is no reference to judge it by.

    ``real``, ``surrogate_mean``, ``surrogate_sd``, ``effect_size``, ``p_value``,
    ``n_surrogates``, ``percentile`` (share of the pseudo-sessions, in which B's timing was
    broken, that scored lower than the real session, from the test's p-value) and ``words``
    (in plain words, from :data:`mirror.messages.SYNCHRONY`).
    """
    sync = (doc.get("summary") or {}).get("synchrony") or {}
    n = sync.get("n_surrogates") or 0
    if not n or sync.get("real") is None or sync.get("surrogate_mean") is None or sync.get("p_value") is None:
        return None
    p = float(sync["p_value"])
    at_least = max(0.0, p * (1 + n) - 1)  # surrogates that scored at least as high as the real session
    percentile = 100.0 * (1 - at_least / n)
    effect = sync.get("effect_size")
    if p < 0.05:
        key = "above"
    elif effect is not None and float(effect) < 0:
        key = "below"
    else:
        key = "chance"
    words = messages.render(messages.SYNCHRONY, key, percentile=percentile, n=int(n))
    return {**sync, "percentile": percentile, "words": words, "verdict": key}


def synchrony_missing(doc: dict) -> str:
    """Why synchrony is not shown (there is no chance reference to judge it by)."""
    sync = (doc.get("summary") or {}).get("synchrony") or {}
    method = str(sync.get("method") or "")
    why = method if method and method != "none" else messages.SYNCHRONY["not_run"]
    return messages.render(messages.SYNCHRONY, "missing", why=why)
