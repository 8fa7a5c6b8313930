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
    alpha_of,
    calibration_short,
    calibration_text,
    confidence,
    duration_of,
    flagged_ranges,
    label_confidence,
    mechanical_directions,
    nothing_fix,
    nothing_text,
    p_text,
    part_events,
    share_rows,
    source_name,
    step_of,
    strength,
    synchrony_missing,
    synchrony_reference,
    usability_rows,
)
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
WHOLE_BODY = "whole_body"
"""The scope of an event of the whole body (a body part's event is scoped to that part)."""

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


def _r(x, nd: int = 3):
    return None if x is None else round(float(x), nd)


def review_events(doc: dict) -> list[dict]:
    """Every reviewable moment of a report, in time order, each with a stable ``id``.

    Kinds: ``mirror``, ``match``, ``symmetric`` (``events[]``, id ``event-N``); ``mechanical``
    (each flagged range of a direction of copying, id ``mechanical-<direction>-N``);
    ``copy`` (each copy the mechanical detector found, from the model's gesture to the copy,
    id ``copy-N``); ``warning``,
    ``praise``, ``prompt`` (coaching messages, id ``feedback-N``).  Every event has
    ``start_s``, ``end_s``, ``channels`` (body parts; empty for the whole body), ``who`` and
    ``detail`` (one line of text).
    """
    out: list[dict] = []
    alpha = alpha_of(doc)
    for i, e in enumerate(doc.get("events") or []):
        lead = e.get("leader")
        bits = ["whole body", p_text(e.get("p_value"), alpha), f"leader {lead}" if lead else "no leader"]
        if e.get("lag_s") is not None:
            bits.append(f"lag {float(e['lag_s']):+.2f} s")
        if e.get("strength") is not None:
            bits.append(f"strength {float(e['strength']):.2f}")
        out.append({
            "id": f"event-{i}", "kind": e.get("kind"), "start_s": _r(e.get("start_s")), "end_s": _r(e.get("end_s")),
            "channels": list(e.get("channels") or []), "who": lead, "detail": ", ".join(bits),
            "p_value": e.get("p_value"), "confidence": confidence(e.get("p_value"), alpha), "scope": WHOLE_BODY,
        })  # fmt: skip
    for i, e in enumerate(part_events(doc)):
        part = str(e.get("body_part"))
        name = BODY_PART_NAMES.get(part, part)
        bits = [f"{name} only", p_text(e.get("p_value"), alpha), f"{e.get('windows')} windows"]
        if e.get("strength") is not None:
            bits.append(f"strength {float(e['strength']):.2f}")
        out.append({
            "id": f"part-event-{i}", "kind": e.get("kind"),
            "start_s": _r(e.get("start_s")), "end_s": _r(e.get("end_s")), "channels": [part], "who": None,
            "detail": ", ".join(bits),
            "p_value": e.get("p_value"), "confidence": confidence(e.get("p_value"), alpha), "scope": part,
        })  # fmt: skip
    for d in mechanical_directions(doc):
        for j, (a, b) in enumerate(flagged_ranges(d) if d.get("flagged") else []):
            reasons = "; ".join(r.get("text", "") for r in d.get("reasons") or [])
            score = d.get("score")
            head = f"{d.get('copier')} copies {d.get('model')} mechanically" + (
                f" (score {float(score):.2f})" if score is not None else ""
            )
            out.append({
                "id": f"mechanical-{d['name']}-{j}", "kind": "mechanical", "start_s": _r(a), "end_s": _r(b),
                "channels": [], "who": d.get("copier"), "detail": head + (f": {reasons}" if reasons else ""),
            })  # fmt: skip
    for i, c in enumerate((doc.get("mechanical") or {}).get("copies") or []):
        direction = str(c.get("direction") or "")
        copier, model = (direction.split("_copies_") + ["", ""])[:2]
        parts = [p for p in (c.get("channel_model"), c.get("channel_copy")) if p]
        lag = c.get("lag_s")
        m0, m1, c0 = c.get("model_start_s"), c.get("model_end_s"), c.get("copy_start_s")
        c1 = c.get("copy_end_s", None if m1 is None or lag is None else float(m1) + float(lag))
        times = [float(t) for t in (m0, m1, c0, c1) if t is not None]
        span = lambda a, b: f"{float(a):.2f}" + ("" if b is None else f"–{float(b):.2f}") + " s"  # noqa: E731
        name = lambda ch: BODY_PART_NAMES.get(ch, str(ch or "").replace("_", " "))  # noqa: E731
        detail = f"{copier} copies {model}'s {name(c.get('channel_model'))} ({c.get('kind')})"
        if m0 is not None and c0 is not None:
            detail += f": {model}'s gesture {span(m0, m1)}, {copier}'s {name(c.get('channel_copy'))} {span(c0, c1)}"
        if lag is not None:
            detail += f", {float(lag):.2f} s later (the delay that best lines up the two movements)"
        if c.get("similarity") is not None:
            detail += f", similarity {float(c['similarity']):.2f}"
        out.append({
            "id": f"copy-{i}", "kind": "copy",
            "start_s": _r(min(times)) if times else None, "end_s": _r(max(times)) if times else None,
            "channels": sorted(set(parts), key=parts.index), "who": copier, "detail": detail,
            "model_start_s": _r(m0), "copy_start_s": _r(c0), "lag_s": _r(lag),
        })  # fmt: skip
    for i, m in enumerate(doc.get("feedback") or []):
        out.append({
            "id": f"feedback-{i}", "kind": m.get("kind"), "start_s": _r(m.get("t_s")), "end_s": _r(m.get("t_s")),
            "channels": [m["channel"]] if m.get("channel") else [], "who": m.get("to"),
            "detail": f"to {m.get('to')}: {m.get('text', '')}", "about": [_r(m.get("start_s")), _r(m.get("end_s"))],
        })  # fmt: skip
    out = [e for e in out if e["start_s"] is not None and e["kind"] in EVENT_KINDS]
    out.sort(key=lambda e: (e["start_s"], EVENT_KINDS.index(e["kind"]), e["id"]))
    return out


def _windows(doc: dict) -> dict:
    """Columnar windows: bounds, overall label, scores, p-value, confidence and drawing strength, and each
    body part's."""
    ws = doc.get("windows") or []
    alpha = alpha_of(doc)
    cols = {
        "start_s": [_r(w.get("start_s")) for w in ws],
        "end_s": [_r(w.get("end_s")) for w in ws],
        "label": [w.get("label") or "none" for w in ws],
        "mirror": [_r(w.get("mirror_score")) for w in ws],
        "match": [_r(w.get("match_score")) for w in ws],
        "lag_s": [_r(w.get("lag_s")) for w in ws],
        "leader": [w.get("leader") for w in ws],
        "p_value": [w.get("p_value") for w in ws],
        "confidence": [label_confidence(w.get("label") or "none", w.get("p_value"), alpha) for w in ws],
        "strength": [strength(w.get("p_value"), alpha) for w in ws],
        "channels": {},
    }
    for c in BODY_PARTS:
        chans = [((w.get("channels") or {}).get(c)) or {} for w in ws]
        cols["channels"][c] = {
            "label": [
                "insufficient" if w.get("label") == "insufficient" else (ch.get("label") or "none")
                for w, ch in zip(ws, chans, strict=True)
            ],
            "mirror": [_r(ch.get("mirror_score")) for ch in chans],
            "match": [_r(ch.get("match_score")) for ch in chans],
            "p_value": [
                None if w.get("label") == "insufficient" else ch.get("p_value") for w, ch in zip(ws, chans, strict=True)
            ],
            "confidence": [
                None
                if w.get("label") == "insufficient"
                else label_confidence(ch.get("label") or "none", ch.get("p_value"), alpha)
                for w, ch in zip(ws, chans, strict=True)
            ],
            "strength": [strength(ch.get("p_value"), alpha) for ch in chans],
        }
    return cols


def vocabulary(doc: dict) -> dict:
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
    doc: dict, skeleton: Skeleton | None, video_url: str | None, video_note: str = "", video_name: str | None = None
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
    prov = doc.get("provenance") or {}
    src = prov.get("source") or {}
    settings = prov.get("extract_settings") or {}
    width = (
        (skeleton.frame_size[0] if skeleton is not None and skeleton.frame_size[0] else None) or src.get("width") or 640
    )
    height = (
        (skeleton.frame_size[1] if skeleton is not None and skeleton.frame_size[1] else None)
        or src.get("height")
        or 480
    )
    duration = duration_of(doc)
    if skeleton is not None and len(skeleton):
        duration = max(duration, float(skeleton.t_s[-1]))
    summary = doc.get("summary") or {}
    directions = [
        {
            "name": d["name"], "copier": d.get("copier"), "model": d.get("model"), "score": _r(d.get("score")),
            "flagged": bool(d.get("flagged")),
            "flagged_ranges": [[_r(a), _r(b)] for a, b in flagged_ranges(d)] if d.get("flagged") else [],
            "reasons": [
                {"sign": r.get("sign"), "text": r.get("text"), "ranges": r.get("ranges") or []}
                for r in d.get("reasons") or []
            ],
        }
        for d in mechanical_directions(doc)
    ]  # fmt: skip
    return {
        "mirror": __version__,
        "source": {
            "name": source_name(doc),
            "sha256": prov.get("source_sha256") or "",
            "width": int(width),
            "height": int(height),
            "duration_s": round(duration, 3),
            "analysis_fps": settings.get("fps") or src.get("analysis_fps"),
        },
        "video": {"url": video_url, "note": video_note, "name": video_name or source_name(doc)},
        "step_s": step_of(doc),
        "share": summary.get("share") or {},
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
    return resources.files("mirror.review").joinpath("assets", name).read_text(encoding="utf-8")


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
<style>{_asset("review.css")}</style>
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
