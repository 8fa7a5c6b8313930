"""Events for BORIS (Behavioral Observation Research Interactive Software).

BORIS imports events into an open observation from a spreadsheet whose first row
names the columns ``time``, ``subject``, ``code``, ``modifier`` and ``comment`` (any
order; other columns are ignored).  A state event is two rows with the same
subject and code, one where it starts and one where it stops: BORIS pairs them in
time order.  ``boris_events.csv`` is that table, plus a ``status`` column
(``START``/``STOP``/``POINT``) and a ``p_value`` column (of a mirror, match or symmetric
event: the largest p-value of its windows) for people and scripts; BORIS reads spreadsheets in
XLSX or ODS, so save it as one of those (any spreadsheet program does) to import it.

The codes must exist in the project's ethogram and the subjects in its subject
list: ``boris_ethogram.csv`` and ``boris_subjects.csv`` are in the layout of
BORIS's "Import behaviors from text file (CSV)" and subjects import.

Codes: ``mirror``, ``match``, ``symmetric`` (state events of the pair, no focal
subject; the p-value and confidence, leader, lag and strength in the comment), ``mechanical`` (state event,
subject: the copier), ``feedback_warning``, ``feedback_praise``, ``feedback_prompt``
(point events, subject: who the message is for; the message in the comment).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from mirror.report.doc import ReportLike, alpha_of, as_report, copy_directions, flagged_ranges, p_text

EVENT_COLUMNS = ["time", "subject", "code", "modifier", "comment", "status", "p_value"]
ETHOGRAM_COLUMNS = ["Behavior code", "Behavior type", "Description", "Key", "Behavioral category", "Excluded behaviors"]
SUBJECT_COLUMNS = ["Key", "Subject name", "Description"]
ETHOGRAM = [
    ("mirror", "State event", "The two people mirror each other (opposite anatomical sides)", "m", "rapport"),
    ("match", "State event", "The two people match each other (same anatomical side)", "t", "rapport"),
    ("symmetric", "State event", "Both postures left-right symmetric and in sync", "s", "rapport"),
    ("mechanical", "State event", "The subject copies the partner mechanically", "x", "mechanical"),
    ("feedback_warning", "Point event", "Coaching warning given to the subject", "w", "feedback"),
    ("feedback_praise", "Point event", "Coaching praise given to the subject", "p", "feedback"),
    ("feedback_prompt", "Point event", "Coaching prompt given to the subject", "r", "feedback"),
]
SUBJECTS = [("a", "A", "the person on the left of the frame"), ("b", "B", "the person on the right of the frame")]


def _table(columns: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue().encode()


def boris_event_rows(doc: ReportLike) -> list[dict]:
    """The event rows (dicts with ``EVENT_COLUMNS``), in time order, STOP before START at equal times."""
    doc = as_report(doc)
    rows: list[dict[str, Any]] = []

    def state(start: float, end: float, subject: str, code: str, comment: str, p_value=None) -> None:
        p = "" if p_value is None else p_value
        rows.append(
            {
                "time": round(float(start), 3),
                "subject": subject,
                "code": code,
                "modifier": "",
                "comment": comment,
                "status": "START",
                "p_value": p,
            }
        )
        rows.append(
            {
                "time": round(float(end), 3),
                "subject": subject,
                "code": code,
                "modifier": "",
                "comment": comment,
                "status": "STOP",
                "p_value": p,
            }
        )

    alpha = alpha_of(doc)
    for e in doc.events:
        lag = "-" if e.lag_s is None else f"{e.lag_s:+.2f} s"
        strength = "-" if e.strength is None else format(e.strength, ".2f")
        comment = (
            f"{p_text(e.p_value, alpha)}; leader {e.leader or '-'}; lag {lag}; strength {strength}; "
            f"body parts {' '.join(e.channels) or '-'}"
        )
        state(e.start_s, e.end_s, "", str(e.kind), comment, e.p_value)
    for _, d in copy_directions(doc):
        for a, b in flagged_ranges(d):
            state(a, b, d.copier, "mechanical", f"{d.copier} copies {d.model} (score {float(d.score or 0):.2f})")
    for m in doc.feedback:
        rows.append(
            {
                "time": round(float(m.t_s), 3),
                "subject": m.to or "",
                "code": f"feedback_{m.kind}",
                "modifier": "",
                "comment": m.text or "",
                "status": "POINT",
                "p_value": "",
            }
        )
    order = {"STOP": 0, "POINT": 1, "START": 2}
    rows.sort(key=lambda r: (r["time"], order[r["status"]]))
    return rows


def render_boris(doc: ReportLike) -> dict[str, bytes]:
    """``{"boris_events.csv", "boris_ethogram.csv", "boris_subjects.csv"}`` → CSV bytes."""
    events = [[r[c] for c in EVENT_COLUMNS] for r in boris_event_rows(doc)]
    ethogram = [[code, kind, desc, key, cat, ""] for code, kind, desc, key, cat in ETHOGRAM]
    return {
        "boris_events.csv": _table(EVENT_COLUMNS, events),
        "boris_ethogram.csv": _table(ETHOGRAM_COLUMNS, ethogram),
        "boris_subjects.csv": _table(SUBJECT_COLUMNS, [list(s) for s in SUBJECTS]),
    }
