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
from pydantic import ValidationError

from mirror import messages
from mirror.errors import MirrorError
from mirror.report.model import REPORT_FORMAT, REPORT_VERSION, Direction, PartEvent, Report, SourceInfo
from mirror.report.parts import part_events_from_windows
from mirror.vocabulary import BODY_PART_NAMES, BODY_PARTS, LABELS, PEOPLE, RELATIONS, ROW_NAMES

CHANNELS = BODY_PARTS
"""The body parts, in report order (:data:`mirror.vocabulary.BODY_PARTS`)."""
STATES = RELATIONS
"""The labels that are relations (:data:`mirror.vocabulary.RELATIONS`)."""
CHANNEL_NAMES = BODY_PART_NAMES
"""How a body part is written for people; :data:`ROW_NAMES` adds the whole body (the timeline's and the share
table's rows)."""
SHARE_COLUMNS = LABELS
"""The labels the share table counts (``insufficient``: not measured)."""

DEFAULT_ALPHA = 0.01
"""The comparator's default ``alpha``, for reports that do not name theirs."""
VERY_SURE_FACTOR = 10.0
"""A p-value below ``alpha / VERY_SURE_FACTOR`` is "very sure"; below ``alpha`` "sure"."""
STRENGTH_DECADES = 2.0
"""Drawing strength grows from 0 at ``p = alpha`` to 1 at ``p = alpha / 10**STRENGTH_DECADES``."""
STRENGTH_LEVELS = 4
"""Strengths are drawn in this many steps above 0, so runs of windows stay few."""


def read_report(path: str | Path) -> Report:
    """``report.json`` (a file, or the folder holding it), validated, as a :class:`~mirror.report.model.Report`.

    Raises
    ------
    MirrorError
        Missing, unreadable, not a ``mirror.report`` document of a known version, or not valid
        against the report model (the first problem is named).
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
    try:
        return Report.model_validate(doc)
    except ValidationError as exc:
        raise MirrorError(f"{path} is not a valid {REPORT_FORMAT} document: {validation_problem(exc)}") from None


def validation_problem(exc: ValidationError) -> str:
    """The first problem a validation found, in one line (``windows.3.label: Input should be ...``), and how many
    more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "the document"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def as_report(doc: Report | dict) -> Report:
    """A :class:`~mirror.report.model.Report`: as is, or validated from ``report.json``'s data as loaded.

    Raises
    ------
    MirrorError
        The data is not a valid report.
    """
    if isinstance(doc, Report):
        return doc
    try:
        return Report.model_validate(doc)
    except ValidationError as exc:
        raise MirrorError(f"not a valid {REPORT_FORMAT} document: {validation_problem(exc)}") from None


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


def _f(x: float | None) -> float:
    return float("nan") if x is None else float(x)


ReportLike = Report | dict
"""A :class:`~mirror.report.model.Report`, or ``report.json``'s data as loaded (validated on the way in)."""


def alpha_of(doc: ReportLike) -> float:
    """The significance level the report's labels were tested at."""
    doc = as_report(doc)
    alpha = doc.calibration.alpha or doc.settings.alpha
    return float(alpha) if alpha else DEFAULT_ALPHA


def is_calibrated(doc: ReportLike) -> bool:
    """Whether the report's labels were tested against a null (reports from before calibration were not)."""
    return bool(as_report(doc).calibration.null)


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
    """A p-value as people read it: three decimals (``0.004``), one significant digit below 0.001 (``0.0004``),
    ``–`` when missing."""
    if p_value is None or not math.isfinite(float(p_value)):
        return "–"
    p = float(p_value)
    return f"{p:.3f}" if p >= 0.001 else f"{p:.1g}" if p >= 1e-9 else "< 1e-9"


def p_text(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """``p=0.004, sure`` (or ``no p-value`` when there is none)."""
    if p_value is None or not math.isfinite(float(p_value)):
        return "no p-value"
    return f"p={format_p(p_value)}, {confidence_word(p_value, alpha)}"


def calibration_text(doc: ReportLike) -> str:
    """What the labels mean, in one sentence (from the report's ``calibration``)."""
    doc = as_report(doc)
    cal = doc.calibration
    if not cal.null:
        return messages.CALIBRATION["uncalibrated"]
    description = cal.description or messages.CALIBRATION.get(f"null_{cal.null}", str(cal.null))
    return messages.render(messages.CALIBRATION, "meaning", alpha=alpha_of(doc), description=description)


def calibration_short(doc: ReportLike) -> str:
    """What the labels mean in a few words (``labels only where p < 0.01 against people who were not interacting``)."""
    doc = as_report(doc)
    cal = doc.calibration
    if not cal.null:
        return messages.CALIBRATION["uncalibrated"]
    null = messages.CALIBRATION.get(f"null_{cal.null}", str(cal.null))
    return messages.render(messages.CALIBRATION, "meaning_short", alpha=alpha_of(doc), null=null)


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
        order = [c for c in CHANNELS if c in parts] + sorted(c for c in parts if c not in CHANNELS)
        for part in order:
            entry = parts[part]
            share = entry.usable_share
            extra = entry.model_extra or {}
            if share is None and "usable" in extra:  # written before ``usable_share``
                share = extra["usable"]
            reason = str(entry.reason or "ok")
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


def channel_series(doc: ReportLike) -> dict[str, ChannelSeries]:
    """``{"overall", "head", "left_arm", ...}`` → :class:`ChannelSeries`, from the report's windows."""
    windows = as_report(doc).windows
    t = np.array([(_f(w.start_s) + _f(w.end_s)) / 2 for w in windows], dtype=float)
    out = {
        "overall": ChannelSeries(
            t_s=t,
            mirror=np.array([_f(w.mirror_score) for w in windows], dtype=float),
            match=np.array([_f(w.match_score) for w in windows], dtype=float),
            label=np.array([w.label or "none" for w in windows], dtype=object),
            p_value=np.array([_f(w.p_value) for w in windows], dtype=float),
        )
    }
    insufficient = [w.label == "insufficient" for w in windows]
    for c in CHANNELS:
        chans = [w.channels.get(c) for w in windows]
        out[c] = ChannelSeries(
            t_s=t,
            mirror=np.array([_f(ch.mirror_score if ch else None) for ch in chans], dtype=float),
            match=np.array([_f(ch.match_score if ch else None) for ch in chans], dtype=float),
            label=np.array(
                [
                    "insufficient" if bad else ((ch.label if ch else None) or "none")
                    for ch, bad in zip(chans, insufficient, strict=True)
                ],
                dtype=object,
            ),
            p_value=np.array(
                [
                    float("nan") if bad else _f(ch.p_value if ch else None)
                    for ch, bad in zip(chans, insufficient, strict=True)
                ],
                dtype=float,
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


def label_runs(series: ChannelSeries, step_s: float, labels=RELATIONS) -> list[tuple[float, float, str]]:
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


def p_runs(series: ChannelSeries, step_s: float, labels=RELATIONS) -> list[tuple[float, float, str, float]]:
    """:func:`label_runs` with each run's p-value (:func:`run_p_value`; NaN without one)."""
    return [
        (a, b, lab, run_p_value(series.p_value[i : j + 1]))
        for a, b, lab, i, j in _runs(series, step_s, labels, lambda i: None)
    ]


def strength_runs(
    series: ChannelSeries, step_s: float, alpha: float = DEFAULT_ALPHA, labels=RELATIONS
) -> list[tuple[float, float, str, float, float]]:
    """Runs of equal label and equal drawing :func:`strength`: ``(start_s, end_s, label, strength, p_value)``.

    Tiled as :func:`label_runs`; a run ends where its windows become surer or less sure.
    """
    level = [strength(p, alpha) for p in series.p_value]
    return [
        (a, b, lab, level[i], run_p_value(series.p_value[i : j + 1]))
        for a, b, lab, i, j in _runs(series, step_s, labels, lambda i: level[i])
    ]


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


def mechanical_directions(doc: ReportLike) -> list[dict]:
    """:func:`copy_directions` as ``report.json``'s data, each with its ``name`` (for readers of the JSON data)."""
    return [{"name": k, **d.model_dump(mode="json", exclude_unset=True)} for k, d in copy_directions(doc)]


def flagged_ranges(direction: Direction | dict) -> list[tuple[float, float]]:
    """Time ranges where a direction of copying was flagged mechanical (merged)."""
    if isinstance(direction, dict):
        direction = Direction.model_validate(direction)
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
    return part_events_from_windows(doc.windows, list(CHANNELS))


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
    for row in ("overall", *CHANNELS):
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
