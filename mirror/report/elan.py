"""An ELAN annotation file (``.eaf``) of a session, linked to its video, written with pympi-ling.

Tiers (all time-aligned, milliseconds):

``mirror``, ``match``, ``symmetric``
    The events of that kind; the value gives the p-value and confidence, leader, lag,
    strength and body parts (``mirror (p=0.004, sure); leader A; ...``).
``mechanical B copies A``, ``mechanical A copies B``
    The time ranges where that direction of copying was flagged mechanical; the value gives the score.
``head``, ``left_arm``, ``right_arm``, ``torso``, ``face``
    Per body part, the runs of windows labelled ``mirror`` or ``match``, with the run's
    p-value (the largest of its windows) and confidence: ``mirror (p=0.004, sure)``.
``feedback to A``, ``feedback to B``
    The coaching messages, from the moment each is given until the next one (at most ``hold_s``).
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from mirror.report.doc import (
    ReportLike,
    alpha_of,
    as_report,
    channel_series,
    copy_directions,
    duration_of,
    flagged_ranges,
    p_runs,
    p_text,
    step_of,
)
from mirror.report.model import Direction, Event
from mirror.vocabulary import BODY_PARTS, RELATIONS

MIME = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska", ".webm": "video/webm", ".mpg": "video/mpeg", ".mpeg": "video/mpeg",
    ".wmv": "video/x-ms-wmv",
}  # fmt: skip
FEEDBACK_HOLD_S = 8.0


def _ms(t: float) -> int:
    return int(round(1000.0 * float(t)))


def _add(eaf, tier: str, start_s: float, end_s: float, value: str) -> None:
    a, b = _ms(start_s), _ms(end_s)
    if b <= a:
        b = a + 1
    eaf.add_annotation(tier, a, b, value)


def labelled(label: str, p_value: float | None, alpha: float) -> str:
    """An annotation value: the label with its p-value and confidence, ``mirror (p=0.004, sure)``."""
    return f"{label} ({p_text(p_value, alpha)})"


def _event_value(e: Event, alpha: float) -> str:
    parts = ", ".join(e.channels) or "-"
    lag_text = f"lag {e.lag_s:+.2f} s" if e.lag_s is not None else "no lag"
    strength_text = f"strength {e.strength:.2f}" if e.strength is not None else ""
    return (
        f"{labelled(str(e.kind), e.p_value, alpha)}; leader {e.leader or '-'}; {lag_text}; {strength_text}; "
        f"body parts: {parts}"
    )


def eaf_document(doc: ReportLike, video_path: str | Path | None = None, eaf_path: str | Path | None = None):
    """The :class:`pympi.Elan.Eaf` object for a report.

    Parameters
    ----------
    video_path : path, optional
        Linked as the media file (absolute ``file://`` URL, and relative to ``eaf_path`` when given).
    """
    from pympi.Elan import Eaf

    doc = as_report(doc)
    eaf = Eaf(author="mirror")
    eaf.remove_tier("default")
    if video_path is not None:
        video = Path(video_path).resolve()
        relpath = None
        if eaf_path is not None:
            relpath = os.path.relpath(video, Path(eaf_path).resolve().parent)
        mime = MIME.get(video.suffix.lower()) or mimetypes.guess_type(video.name)[0] or "video/*"
        eaf.add_linked_file(video.as_uri(), relpath=relpath, mimetype=mime)
    eaf.add_property("mirror_report_format", f"{doc.format} {doc.format_version}")
    eaf.add_property("mirror_version", str(doc.mirror))
    alpha = alpha_of(doc)
    cal = doc.calibration
    if cal.null:
        eaf.add_property(
            "mirror_calibration", f"labels only where p < {alpha:g}; null: {cal.null} ({cal.description or '-'})"
        )

    for kind in RELATIONS:
        eaf.add_tier(kind)
        for e in doc.events:
            if e.kind == kind:
                _add(eaf, kind, e.start_s, e.end_s, _event_value(e, alpha))

    unanalysed: list[tuple[str, str, Direction | None]] = [("B", "A", None), ("A", "B", None)]  # the tiers, empty
    directions = [(d.copier, d.model, d) for _, d in copy_directions(doc)] or unanalysed
    for copier, model, d in directions:
        tier = f"mechanical {copier} copies {model}"
        eaf.add_tier(tier, part=copier)
        for a, b in flagged_ranges(d) if d is not None else []:
            score = float(d.score or 0) if d is not None else 0.0
            _add(eaf, tier, a, b, f"{copier} copies {model} mechanically (score {score:.2f})")

    series = channel_series(doc)
    step = step_of(doc)
    for c in BODY_PARTS:
        eaf.add_tier(c)
        for a, b, lab, p in p_runs(series[c], step, labels=("mirror", "match")):
            _add(eaf, c, a, b, labelled(lab, p, alpha))

    end = duration_of(doc)
    for who in ("A", "B"):
        tier = f"feedback to {who}"
        eaf.add_tier(tier, part=who)
        msgs = sorted((m for m in doc.feedback if m.to == who), key=lambda m: m.t_s)
        for i, m in enumerate(msgs):
            stop = min(
                m.t_s + FEEDBACK_HOLD_S,
                msgs[i + 1].t_s if i + 1 < len(msgs) else end or m.t_s + FEEDBACK_HOLD_S,
            )
            _add(eaf, tier, m.t_s, max(stop, m.t_s + 0.5), f"{m.kind}: {m.text}")
    return eaf


def render_eaf(doc: ReportLike, video_path: str | Path | None = None, eaf_path: str | Path | None = None) -> bytes:
    """The ``.eaf`` file as UTF-8 XML bytes (EAF 2.8, as pympi writes it)."""
    from pympi.Elan import to_string

    data = to_string(eaf_document(doc, video_path, eaf_path), encoding="UTF-8")
    if not data.lstrip().startswith(b"<?xml"):
        data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + data
    return data
