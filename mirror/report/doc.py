"""What every renderer reads from a report: its calibration, durations and steps, shares, usability, events and
synchrony, in figures and in words.

All the per-video files (HTML, timeline, ELAN, BORIS) are rendered from ``report.json`` alone
(:func:`read_report`), so they can be rebuilt at any time without the video or the models. The
p-value words are in :mod:`mirror.report.confidence` and the time series in
:mod:`mirror.report.series`; their names are importable from here too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirror import messages
from mirror.compare.settings import CompareSettings
from mirror.report.confidence import (
    DEFAULT_ALPHA,
    STRENGTH_DECADES,
    STRENGTH_LEVELS,
    VERY_SURE_FACTOR,
    confidence,
    confidence_word,
    format_p,
    label_confidence,
    p_text,
    strength,
)
from mirror.report.model import Direction, PartEvent, Report, SourceInfo
from mirror.report.parts import part_events_from_windows
from mirror.report.read import ReportLike, as_report, read_report, validation_problem
from mirror.report.series import (
    ChannelSeries,
    channel_series,
    label_runs,
    p_runs,
    run_p_value,
    strength_runs,
)
from mirror.vocabulary import BODY_PART_NAMES, BODY_PARTS, LABELS, PEOPLE, ROW_NAMES

SHARE_COLUMNS = LABELS
"""The labels the share table counts (``insufficient``: not measured)."""


def alpha_of(doc: ReportLike) -> float:
    """The significance level the report's labels were tested at."""
    doc = as_report(doc)
    alpha = doc.calibration.alpha or doc.settings.alpha
    return float(alpha) if alpha else DEFAULT_ALPHA


def is_calibrated(doc: ReportLike) -> bool:
    """Whether the report's labels were tested against a null (reports from before calibration were not)."""
    return bool(as_report(doc).calibration.null)


def calibration_text(doc: ReportLike) -> str:
    """What the labels mean, in one sentence (from the report's ``calibration``)."""
    doc = as_report(doc)
    cal = doc.calibration
    if not cal.null:
        return messages.CALIBRATION["uncalibrated"]
    description = cal.description or messages.CALIBRATION.get(f"null_{cal.null}", str(cal.null))
    run = run_level(doc)
    if run is not None:
        return messages.render(
            messages.CALIBRATION, "meaning_run", alpha=alpha_of(doc), description=description, alpha_run=run
        )
    return messages.render(messages.CALIBRATION, "meaning", alpha=alpha_of(doc), description=description)


def calibration_short(doc: ReportLike) -> str:
    """What the labels mean in a few words (``labels only where p < 0.01 against people who were not interacting``)."""
    doc = as_report(doc)
    cal = doc.calibration
    if not cal.null:
        return messages.CALIBRATION["uncalibrated"]
    null = messages.CALIBRATION.get(f"null_{cal.null}", str(cal.null))
    run = run_level(doc)
    if run is not None:
        return messages.render(messages.CALIBRATION, "meaning_short_run", alpha=alpha_of(doc), null=null, alpha_run=run)
    return messages.render(messages.CALIBRATION, "meaning_short", alpha=alpha_of(doc), null=null)


def run_level(doc: ReportLike) -> float | None:
    """The level at which a window continued a run, where some window of the report did (else None)."""
    doc = as_report(doc)
    run = doc.settings.alpha_run
    return float(run) if run is not None and any(w.continues for w in doc.windows) else None


def _min_valid(doc: Report) -> float:
    return float(doc.settings.min_valid or 0.6)


def _both_present(doc: Report) -> float | None:
    landmarks = doc.provenance.landmarks
    return landmarks.both_present_rate if landmarks is not None else None


def nothing_measured(doc: ReportLike) -> str | None:
    """Why no window of the report could be measured, in words; None when some window was."""
    doc = as_report(doc)
    windows = doc.windows
    if any(w.label != "insufficient" for w in windows):
        return None
    window_s = doc.settings.window_s
    need = _min_valid(doc)
    if not windows and doc.adapted is not None and doc.adapted.reason:
        return str(doc.adapted.reason)
    if not windows:
        if window_s:
            return messages.render(
                messages.CALIBRATION, "reason_short", duration=duration_of(doc), window=float(window_s)
            )
        return messages.CALIBRATION["reason_no_data"]
    both = _both_present(doc)
    if both is not None and float(both) < need:
        return messages.render(messages.CALIBRATION, "reason_apart", both=100 * float(both), need=100 * need)
    main = main_unusable_reason(doc)
    if main is not None:
        return messages.render(
            messages.CALIBRATION, "reason_unusable", need=100 * need, why=messages.USABILITY.get(main, main)
        )
    return messages.render(messages.CALIBRATION, "reason_insufficient", need=100 * need)


def main_unusable_reason(doc: ReportLike) -> str | None:
    """The reason that cost the most usable frames over both people's body parts (``usability``), or None."""
    lost: dict[str, float] = {}
    for person in (as_report(doc).usability or {}).values():
        for part in person.values():
            for reason, share in part.reasons.items():
                if reason != "ok" and share:
                    lost[reason] = lost.get(reason, 0.0) + float(share)
            if not part.reasons and part.reason != "ok":
                share = part.usable_share
                lost[part.reason] = lost.get(part.reason, 0.0) + (1.0 - float(share) if share is not None else 1.0)
    return max(lost, key=lambda k: lost[k]) if lost else None


def adapted_text(doc: ReportLike) -> str | None:
    """Why the windows are shorter than asked (a clip shorter than one window), or None."""
    doc = as_report(doc)
    return str(doc.adapted.reason) if doc.adapted is not None and doc.adapted.reason and doc.windows else None


def smoothing_text(doc: ReportLike) -> str | None:
    """Why the movements were smoothed more than usual (a person small in the picture), or None."""
    doc = as_report(doc)
    smooth, usual = doc.settings.smooth_s, CompareSettings().smooth_s
    if smooth is None or smooth <= usual + 1e-9 or not doc.windows:
        return None
    return messages.render(messages.CALIBRATION, "smoothed", smooth=float(smooth), usual=usual)


def nothing_fix(doc: ReportLike) -> str | None:
    """What to do so that something can be measured, or None when something was."""
    doc = as_report(doc)
    if nothing_measured(doc) is None:
        return None
    if not doc.windows and doc.adapted is not None and doc.adapted.reason:
        return messages.CALIBRATION["fix_too_short"]
    if not doc.windows and doc.settings.window_s:
        return messages.render(messages.CALIBRATION, "fix_short", window=float(doc.settings.window_s))
    both = _both_present(doc)
    main = main_unusable_reason(doc)
    if (both is None or float(both) >= _min_valid(doc)) and main is not None and f"fix_{main}" in messages.CALIBRATION:
        return messages.CALIBRATION[f"fix_{main}"]
    return messages.CALIBRATION["fix_apart"]


def window_grid(doc: ReportLike) -> tuple[float, float] | None:
    """``(window_s, step_s)`` as the windows really are (measured from them), or None without windows."""
    doc = as_report(doc)
    windows = doc.windows
    if not windows:
        return None
    window_s = float(windows[0].end_s) - float(windows[0].start_s)
    starts = [float(w.start_s) for w in windows]
    step_s = float(np.median(np.diff(starts))) if len(starts) > 1 else float(doc.settings.step_s or window_s)
    return round(window_s, 3), round(step_s, 3)


def nothing_text(doc: ReportLike) -> str | None:
    """``Nothing could be measured: <why>.``, or None when something was."""
    reason = nothing_measured(doc)
    return None if reason is None else messages.render(messages.CALIBRATION, "nothing", reason=reason)


def usability_rows(doc: ReportLike) -> list[dict]:
    """Per person and body part: ``person``, ``part``, ``usable_share``, ``reason``, ``reason_text``, ``text``.

    From the report's ``usability`` (absent in older reports: an empty list).
    """
    usability = as_report(doc).usability or {}
    rows = []
    for person in PEOPLE:
        parts = usability.get(person) or {}
        order = [c for c in BODY_PARTS if c in parts] + sorted(c for c in parts if c not in BODY_PARTS)
        for part in order:
            entry = parts[part]
            share = entry.usable_share
            extra = entry.model_extra or {}
            if share is None and "usable" in extra:  # written before ``usable_share``
                share = extra["usable"]
            reason = str(entry.reason or "ok")
            reason_text = messages.USABILITY.get(reason, reason.replace("_", " "))
            name = BODY_PART_NAMES.get(part, part.replace("_", " "))
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


def step_of(doc: ReportLike) -> float:
    """The window step in seconds: as the window starts really are, else from the settings."""
    doc = as_report(doc)
    starts = [w.start_s for w in doc.windows]
    if len(starts) > 1:
        return float(np.median(np.diff(starts)))
    step = doc.settings.step_s
    return float(step) if step else 1.0


def duration_of(doc: ReportLike) -> float:
    """Length of the analysed recording in seconds (best known)."""
    doc = as_report(doc)
    src = doc.provenance.source
    ends = [w.end_s or 0.0 for w in doc.windows]
    ends += [e.end_s or 0.0 for e in doc.events]
    if isinstance(src, SourceInfo) and src.nominal_fps and src.frame_count:
        ends.append(float(src.frame_count) / float(src.nominal_fps))
    return float(max(ends)) if ends else 0.0


def copy_directions(doc: ReportLike) -> list[tuple[str, Direction]]:
    """Both directions of copying (``B_copies_A`` first) as ``(name, direction)``; empty if not analysed."""
    mechanical = as_report(doc).mechanical
    dirs = mechanical.directions if mechanical is not None else {}
    return [(k, dirs[k]) for k in sorted(dirs, key=lambda k: (k != "B_copies_A", k))]


def flagged_ranges(direction: Direction) -> list[tuple[float, float]]:
    """Time ranges where a direction of copying was flagged mechanical (merged)."""
    ranges = direction.flagged_ranges
    if ranges is None:  # older documents: the flagged rolling spans
        ranges = [(s.start_s, s.end_s) for s in direction.spans if s.flagged]
    merged: list[list[float]] = []
    for a, b in sorted((float(a), float(b)) for a, b in ranges):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def source_name(doc: ReportLike) -> str:
    """The analysed file's name (``session`` when the report names none)."""
    prov = as_report(doc).provenance
    source = prov.source.name if isinstance(prov.source, SourceInfo) else None
    return Path(prov.source_path or source or "session").name


def body_part_events(doc: ReportLike) -> list[PartEvent]:
    """The events of each body part: the report's ``part_events``, or built from the windows for reports written
    before it."""
    doc = as_report(doc)
    if doc.part_events is not None:
        return list(doc.part_events)
    return part_events_from_windows(doc.windows, list(BODY_PARTS))


def part_events(doc: ReportLike) -> list[dict]:
    """:func:`body_part_events` as ``report.json``'s data (for readers of the JSON data)."""
    return [e.model_dump(mode="json", exclude_unset=True) for e in body_part_events(doc)]


def share_rows(doc: ReportLike) -> list[dict]:
    """The whole body's and each body part's shares, counted from the report's windows.

    One dict per row (``overall`` first): ``row``, ``name``, ``counts`` (windows per label of
    :data:`SHARE_COLUMNS`), ``measured`` (windows not ``insufficient``), ``share`` (of the
    measured windows, per label; None when none was measured), ``not_measured`` (share of
    all windows), ``events`` (count), and ``unusable``: for a part measured in no window, why
    (the usability sentences of the people whose part was not always usable), else None.
    A window that is ``insufficient`` as a whole is ``insufficient`` for every part.
    """
    doc = as_report(doc)
    n = len(doc.windows)
    series = channel_series(doc)
    events = {"overall": len(doc.events)}
    for e in body_part_events(doc):
        events[e.body_part] = events.get(e.body_part, 0) + 1
    usable: dict[str, list[str]] = {}  # why each part could not be used, for a part never measured
    for r in usability_rows(doc):
        if r["reason"] != "ok":
            usable.setdefault(r["part"], []).append(r["text"])
    rows = []
    for row in ("overall", *BODY_PARTS):
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


def synchrony_reference(doc: ReportLike) -> dict | None:
    """Synchrony against its chance reference, or None when there is no reference to judge it by.

    The surrogate test's fields (``real``, ``surrogate_mean``, ``surrogate_sd``, ``effect_size``,
    ``p_value``, ``n_surrogates``, ``method``) and ``percentile`` (share of the pseudo-sessions,
    in which B's timing was broken, that scored lower than the real session, from the test's
    p-value), ``words`` (in plain words, from :data:`mirror.messages.SYNCHRONY`) and ``verdict``.
    """
    sync = as_report(doc).summary.synchrony
    n = sync.n_surrogates or 0
    if not n or sync.real is None or sync.surrogate_mean is None or sync.p_value is None:
        return None
    p = float(sync.p_value)
    at_least = max(0.0, p * (1 + n) - 1)  # surrogates that scored at least as high as the real session
    percentile = 100.0 * (1 - at_least / n)
    effect = sync.effect_size
    if p < 0.05:
        key = "above"
    elif effect is not None and float(effect) < 0:
        key = "below"
    else:
        key = "chance"
    words = messages.render(messages.SYNCHRONY, key, percentile=percentile, n=int(n))
    return {**sync.model_dump(exclude_unset=True), "percentile": percentile, "words": words, "verdict": key}


def synchrony_missing(doc: ReportLike) -> str:
    """Why synchrony is not shown (there is no chance reference to judge it by)."""
    sync = as_report(doc).summary.synchrony
    method = str(sync.method or "")
    why = method if method and method != "none" else messages.SYNCHRONY["not_run"]
    return messages.render(messages.SYNCHRONY, "missing", why=why)


__all__ = [
    "DEFAULT_ALPHA", "ROW_NAMES", "SHARE_COLUMNS", "STRENGTH_DECADES",
    "STRENGTH_LEVELS", "VERY_SURE_FACTOR", "ChannelSeries", "ReportLike", "adapted_text", "alpha_of", "as_report",
    "smoothing_text",
    "body_part_events", "calibration_short", "calibration_text", "channel_series", "confidence", "confidence_word",
    "copy_directions", "duration_of", "flagged_ranges", "format_p", "is_calibrated", "label_confidence", "label_runs",
    "main_unusable_reason", "nothing_fix", "nothing_measured", "nothing_text", "p_runs", "p_text", "part_events",
    "read_report", "run_level", "run_p_value", "share_rows", "source_name", "step_of", "strength", "strength_runs",
    "synchrony_missing", "synchrony_reference", "usability_rows", "validation_problem", "window_grid",
]  # fmt: skip
