"""The review page: one HTML document with its data, script and styles inline.

The same page is served by :mod:`mirror.review.server` (the video at ``/video``) and written
as ``review.html`` by ``mirror review --static`` (the video by a relative or ``file:`` URL).
Its Content-Security-Policy allows no request but the video, so it works offline and
leaks nothing.
"""

from __future__ import annotations

import json
import os
from html import escape
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from mirror import __version__, messages
from mirror.report.doc import (
    ReportLike,
    alpha_of,
    as_report,
    calibration_short,
    calibration_text,
    copy_directions,
    duration_of,
    flagged_ranges,
    label_confidence,
    nothing_fix,
    nothing_text,
    share_rows,
    source_name,
    step_of,
    strength,
    synchrony_missing,
    synchrony_reference,
    usability_rows,
)
from mirror.report.model import Report, SourceInfo
from mirror.review.events import WHOLE_BODY, review_events, rounded
from mirror.review.skeleton import Skeleton
from mirror.vocabulary import (
    BODY_PART_NAMES,
    BODY_PARTS,
    BONE_INDICES,
    EVENT_FAMILY,
    EVENT_KINDS,
    JOINT_INDICES,
    KIND_COLORS,
    MARK_COLORS,
    MIRRORED_PART,
    PERSON_COLORS,
    RELATIONS,
    SIDED,
)

KIND_NAMES = {
    "mirror": "mirror events", "match": "match events", "symmetric": "symmetric events",
    "mechanical": "mechanical stretches", "copy": "copies",
    "warning": "coaching: warnings", "praise": "coaching: praise", "prompt": "coaching: prompts",
}  # fmt: skip
"""What the page calls each kind in its filters: events are runs of windows, copies are gesture copies,
coaching is advice."""
FAMILIES = EVENT_FAMILY
"""Which family each kind belongs to (:data:`mirror.vocabulary.EVENT_FAMILY`); the header counts each family
under its own name."""
MARKS_COLUMNS = (
    "source_sha256",
    "source",
    "event_id",
    "kind",
    "start_s",
    "end_s",
    "body_parts",
    "detail",
    "mark",
    "marked_at",
)
"""Columns of the CSV the page exports (one row per marked event; ``mark`` is ``right`` or ``wrong``)."""


def _windows(report: Report) -> dict:
    """Columnar windows: bounds, overall label, scores, p-value, confidence and drawing strength, and each
    body part's."""
    ws = report.windows
    alpha = alpha_of(report)
    cols: dict = {
        "start_s": [rounded(w.start_s) for w in ws],
        "end_s": [rounded(w.end_s) for w in ws],
        "label": [w.label or "none" for w in ws],
        "mirror": [rounded(w.mirror_score) for w in ws],
        "match": [rounded(w.match_score) for w in ws],
        "lag_s": [rounded(w.lag_s) for w in ws],
        "leader": [w.leader for w in ws],
        "p_value": [w.p_value for w in ws],
        "confidence": [label_confidence(w.label or "none", w.p_value, alpha, w.continues) for w in ws],
        "strength": [strength(w.p_value, alpha) for w in ws],
        "channels": {},
    }
    for c in BODY_PARTS:
        chans = [w.channels.get(c) for w in ws]
        labels = [ch.label if ch is not None and ch.label else "none" for ch in chans]
        p_values = [ch.p_value if ch is not None else None for ch in chans]
        out = [w.label == "insufficient" for w in ws]
        cols["channels"][c] = {
            "label": ["insufficient" if o else lab for o, lab in zip(out, labels, strict=True)],
            "mirror": [rounded(ch.mirror_score) if ch is not None else None for ch in chans],
            "match": [rounded(ch.match_score) if ch is not None else None for ch in chans],
            "p_value": [None if o else p for o, p in zip(out, p_values, strict=True)],
            "confidence": [
                None if o else label_confidence(lab, p, alpha) for o, lab, p in zip(out, labels, p_values, strict=True)
            ],
            "strength": [strength(p, alpha) for p in p_values],
        }
    return cols


def vocabulary(doc: ReportLike) -> dict:
    """The words, colours and shapes the page script uses, from their one definition in Python.

    From :mod:`mirror.vocabulary`: ``colors`` (state and event kind to CSS colour), ``people``
    (A's and B's colours), ``marks`` (a reviewer's mark to its colour), ``body_parts`` (in report
    order) and ``parts`` (their names), ``relations`` (the labels drawn as a relation), ``sided``
    (those with a lag and a leader), ``mirrored_part`` (B's part that mirrors A's), ``event_kinds``
    (in the order the filters list them), ``whole_body`` (the scope of a whole-body event),
    ``bones`` (body part or ``legs`` to pairs of pose indices) and ``joints`` (pose indices drawn as
    dots).  From the report: ``confidence`` (key to words, from
    :data:`mirror.messages.CONFIDENCE`), ``alpha``, ``meaning``
    (what a label means), ``meaning_short``, ``nothing`` (why nothing could be measured, or
    None) and ``nothing_fix`` (what to do then), ``usability`` (one sentence per person and body
    part, when the report has them), ``kind_names`` and ``families`` (what the page calls each
    kind, and whether it is an event, a copy, coaching or a mechanical stretch) and ``synchrony``
    (synchrony against its chance reference in words, or why there is none).
    """
    doc = as_report(doc)
    ref = synchrony_reference(doc)
    return {
        "colors": dict(KIND_COLORS),
        "people": dict(PERSON_COLORS),
        "marks": dict(MARK_COLORS),
        "body_parts": list(BODY_PARTS),
        "parts": {c: BODY_PART_NAMES[c] for c in BODY_PARTS},
        "relations": list(RELATIONS),
        "sided": list(SIDED),
        "mirrored_part": dict(MIRRORED_PART),
        "event_kinds": list(EVENT_KINDS),
        "whole_body": WHOLE_BODY,
        "bones": {part: [list(b) for b in bones] for part, bones in BONE_INDICES.items()},
        "joints": list(JOINT_INDICES),
        "confidence": dict(messages.CONFIDENCE),
        "kind_names": dict(KIND_NAMES),
        "families": dict(FAMILIES),
        "alpha": alpha_of(doc),
        "meaning": calibration_text(doc),
        "meaning_short": calibration_short(doc),
        "nothing": nothing_text(doc),
        "nothing_fix": nothing_fix(doc),
        "usability": [r["text"] for r in usability_rows(doc) if r["reason"] != "ok"],
        "synchrony": ref["words"] if ref else (None if nothing_text(doc) else synchrony_missing(doc)),
    }


def page_data(
    doc: ReportLike,
    skeleton: Skeleton | None,
    video_url: str | None,
    video_note: str = "",
    video_name: str | None = None,
) -> dict:
    """Everything the page script reads (embedded as JSON).

    Parameters
    ----------
    video_url : str or None
        Where the page loads the video from; None when there is no video to load.
    video_note : str
        Why there is no video, or an empty string.
    video_name : str, optional
        File name of the video played (default: the analysed one's).
    """
    doc = as_report(doc)
    prov = doc.provenance
    src = prov.source if isinstance(prov.source, SourceInfo) else SourceInfo()
    settings = prov.extract_settings
    width = (skeleton.frame_size[0] if skeleton is not None and skeleton.frame_size[0] else None) or src.width or 640
    height = (skeleton.frame_size[1] if skeleton is not None and skeleton.frame_size[1] else None) or src.height or 480
    duration = duration_of(doc)
    if skeleton is not None and len(skeleton):
        duration = max(duration, float(skeleton.t_s[-1]))
    directions = [
        {
            "name": name, "copier": d.copier, "model": d.model, "score": rounded(d.score), "flagged": d.flagged,
            "flagged_ranges": [[rounded(a), rounded(b)] for a, b in flagged_ranges(d)] if d.flagged else [],
            "reasons": [{"sign": r.sign, "text": r.text, "ranges": [list(x) for x in r.ranges]} for r in d.reasons],
        }
        for name, d in copy_directions(doc)
    ]  # fmt: skip
    return {
        "mirror": __version__,
        "source": {
            "name": source_name(doc),
            "sha256": prov.source_sha256 or "",
            "width": int(width),
            "height": int(height),
            "duration_s": round(duration, 3),
            "analysis_fps": (settings.fps if settings is not None else None) or src.analysis_fps,
        },
        "video": {"url": video_url, "note": video_note, "name": video_name or source_name(doc)},
        "step_s": step_of(doc),
        "share": doc.summary.share.model_dump(mode="json", exclude_unset=True),
        "shares": [
            {
                "row": r["row"],
                "name": r["name"],
                "share": r["share"],
                "not_measured": r["not_measured"],
                "events": r["events"],
                "unusable": r["unusable"],
            }
            for r in share_rows(doc)
        ],
        "windows": _windows(doc),
        "events": review_events(doc),
        "mechanical": directions,
        "skeleton": skeleton.to_dict() if skeleton is not None else None,
        "marks_columns": list(MARKS_COLUMNS),
        "vocabulary": vocabulary(doc),
    }


SCRIPTS = ("data.js", "player.js", "skeleton.js", "timeline.js", "events.js", "video.js", "controls.js", "main.js")
"""The page script's files in ``assets/``, in the order they run: each is a part of one closure
(data and vocabulary first, then time, skeletons, timeline, events list, video, loop and keys,
and the header lines with the first drawing last)."""


def _asset(name: str) -> str:
    return resources.files("mirror.review").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def page_style() -> str:
    """The page's styles: the marks' colours from :data:`mirror.vocabulary.MARK_COLORS` as CSS variables
    (``--mark-right``, ``--mark-wrong``), then ``assets/review.css``."""
    marks = ";".join(f"--mark-{mark}:{color}" for mark, color in MARK_COLORS.items())
    return f":root{{{marks}}}\n{_asset('review.css')}"


def page_script() -> str:
    """The page script: :data:`SCRIPTS` in order, in one strict closure (no library, no request)."""
    parts = "\n".join(f"// ---- {name}\n{_asset(name)}" for name in SCRIPTS)
    return f'"use strict";\n(() => {{\n{parts}}})();\n'


def _json_for_script(obj) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    return (
        json.dumps(obj, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def content_security_policy(static: bool) -> str:
    """Nothing may load but the inline script and styles, ``data:``/``blob:`` images and the video."""
    media = "file: 'self'" if static else "'self'"
    return (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
        f"media-src {media}; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )


def render_review_html(data: dict, static: bool) -> str:
    """The page, from :func:`page_data`."""
    title = f"Review: {data['source']['name']}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{escape(content_security_policy(static))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{page_style()}</style>
</head><body>
<header><h1>{escape(title)}</h1><p class="sub" id="summary"></p><p class="sub" id="parts"></p>
<p class="sub" id="synchrony"></p><p class="sub" id="meaning"></p>
<div id="nothing" role="alert" hidden><p id="nothing-why"></p><p id="nothing-fix"></p></div></header>
<main>
<section id="player">
  <div id="stage"><video id="video" preload="auto" playsinline></video><canvas id="overlay"></canvas>
    <div id="novideo" hidden></div></div>
  <div id="controls">
    <button id="play" type="button" title="Play / pause (Space)">Play</button>
    <span id="time">0:00.00</span>
    <span class="sep"></span>
    <button id="zoom-in" type="button" title="Zoom in the timeline (or scroll over it)">+</button>
    <button id="zoom-out" type="button" title="Zoom out">&minus;</button>
    <button id="zoom-fit" type="button" title="Whole session">Fit</button>
    <label><input type="checkbox" id="show-skeleton" checked> skeletons</label>
    <span class="hint">&larr; &rarr; previous / next event &middot; Space play &middot;
      R / W mark the selected event right / wrong</span>
  </div>
  <div id="notice" hidden></div>
</section>
<section id="timeline-box"><canvas id="timeline" tabindex="0"></canvas><div id="tip" hidden></div></section>
<section id="events-box">
  <div id="filters">
    <span id="kinds"></span>
    <label>body part <select id="part"><option value="">any</option></select></label>
    <span id="count"></span>
    <span class="grow"></span>
    <button id="export" type="button">Export marks (CSV)</button>
    <label class="button" title="Read marks exported before">Import marks<input type="file" id="import"
      accept=".csv,text/csv" hidden></label>
  </div>
  <div id="list-wrap"><table id="events"><thead><tr>
    <th>mark</th><th>time</th><th>kind</th><th>body parts</th><th>who</th><th>confidence</th><th>detail</th>
  </tr></thead><tbody></tbody></table></div>
</section>
</main>
<script type="application/json" id="mirror-data">{_json_for_script(data)}</script>
<script>{page_script()}</script>
</body></html>
"""


def static_video_url(video: Path, page_dir: Path) -> str:
    """How ``review.html`` in ``page_dir`` reaches the video: a relative URL when possible, else ``file:``."""
    video = Path(video).resolve()
    try:
        rel = os.path.relpath(video, Path(page_dir).resolve())
    except ValueError:  # another drive
        return video.as_uri()
    return "/".join(quote(part) for part in Path(rel).parts)
