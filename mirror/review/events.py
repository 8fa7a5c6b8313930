"""The review page's events: every reviewable moment of a report, one row each in the page's list.

Relation events of the whole body and of each body part, flagged stretches of mechanical copying,
the gesture copies and the coaching messages, each with a stable id the exported marks refer to.
"""

from __future__ import annotations

from mirror.report.doc import (
    ReportLike,
    alpha_of,
    as_report,
    body_part_events,
    confidence,
    copy_directions,
    flagged_ranges,
    p_text,
)
from mirror.vocabulary import BODY_PART_NAMES, EVENT_KINDS

WHOLE_BODY = "whole_body"
"""The scope of an event of the whole body (a body part's event is scoped to that part)."""


def rounded(x: float | None, nd: int = 3) -> float | None:
    """``x`` to ``nd`` decimals (None stays None): the page's JSON carries no more digits than it shows."""
    return None if x is None else round(float(x), nd)


def review_events(doc: ReportLike) -> list[dict]:
    """Every reviewable moment of a report, in time order, each with a stable ``id``.

    Kinds: ``mirror``, ``match``, ``symmetric`` (``events[]``, id ``event-N``); ``mechanical``
    (each flagged range of a direction of copying, id ``mechanical-<direction>-N``);
    ``copy`` (each copy the mechanical detector found, from the model's gesture to the copy,
    id ``copy-N``); ``warning``,
    ``praise``, ``prompt`` (coaching messages, id ``feedback-N``).  Every event has
    ``start_s``, ``end_s``, ``channels`` (body parts; empty for the whole body), ``who`` and
    ``detail`` (one line of text).
    """
    report = as_report(doc)
    out: list[dict] = []
    alpha = alpha_of(report)
    for i, e in enumerate(report.events):
        lead = e.leader
        bits = ["whole body", p_text(e.p_value, alpha), f"leader {lead}" if lead else "no leader"]
        if e.lag_s is not None:
            bits.append(f"lag {float(e.lag_s):+.2f} s")
        if e.strength is not None:
            bits.append(f"strength {float(e.strength):.2f}")
        out.append({
            "id": f"event-{i}", "kind": e.kind, "start_s": rounded(e.start_s), "end_s": rounded(e.end_s),
            "channels": list(e.channels), "who": lead, "detail": ", ".join(bits),
            "p_value": e.p_value, "confidence": confidence(e.p_value, alpha), "scope": WHOLE_BODY,
        })  # fmt: skip
    for i, pe in enumerate(body_part_events(report)):
        part = pe.body_part
        bits = [f"{BODY_PART_NAMES.get(part, part)} only", p_text(pe.p_value, alpha), f"{pe.windows} windows"]
        if pe.strength is not None:
            bits.append(f"strength {float(pe.strength):.2f}")
        out.append({
            "id": f"part-event-{i}", "kind": pe.kind, "start_s": rounded(pe.start_s), "end_s": rounded(pe.end_s),
            "channels": [part], "who": None, "detail": ", ".join(bits),
            "p_value": pe.p_value, "confidence": confidence(pe.p_value, alpha), "scope": part,
        })  # fmt: skip
    for name, d in copy_directions(report):
        for j, (a, b) in enumerate(flagged_ranges(d) if d.flagged else []):
            reasons = "; ".join(r.text for r in d.reasons)
            head = f"{d.copier} copies {d.model} mechanically" + (
                f" (score {float(d.score):.2f})" if d.score is not None else ""
            )
            out.append({
                "id": f"mechanical-{name}-{j}", "kind": "mechanical", "start_s": rounded(a), "end_s": rounded(b),
                "channels": [], "who": d.copier, "detail": head + (f": {reasons}" if reasons else ""),
            })  # fmt: skip
    for i, c in enumerate(report.mechanical.copies if report.mechanical is not None else []):
        copier, model = (c.direction.split("_copies_") + ["", ""])[:2]
        parts = [c.channel_model, c.channel_copy]
        m0, m1, c0, c1 = c.model_start_s, c.model_end_s, c.copy_start_s, c.copy_end_s
        times = [float(t) for t in (m0, m1, c0, c1)]
        span = lambda a, b: f"{float(a):.2f}–{float(b):.2f} s"  # noqa: E731
        detail = (
            f"{copier} copies {model}'s {BODY_PART_NAMES[c.channel_model]} ({c.kind}): {model}'s gesture "
            f"{span(m0, m1)}, {copier}'s {BODY_PART_NAMES[c.channel_copy]} {span(c0, c1)}, {float(c.lag_s):.2f} s "
            "later (the delay that best lines up the two movements)"
        )
        if c.similarity is not None:
            detail += f", similarity {float(c.similarity):.2f}"
        out.append({
            "id": f"copy-{i}", "kind": "copy", "start_s": rounded(min(times)), "end_s": rounded(max(times)),
            "channels": sorted(set(parts), key=parts.index), "who": copier, "detail": detail,
            "model_start_s": rounded(m0), "copy_start_s": rounded(c0), "lag_s": rounded(c.lag_s),
        })  # fmt: skip
    for i, m in enumerate(report.feedback):
        out.append({
            "id": f"feedback-{i}", "kind": m.kind, "start_s": rounded(m.t_s), "end_s": rounded(m.t_s),
            "channels": [m.channel] if m.channel else [], "who": m.to,
            "detail": f"to {m.to}: {m.text}", "about": [rounded(m.start_s), rounded(m.end_s)],
        })  # fmt: skip
    out = [e for e in out if e["start_s"] is not None and e["kind"] in EVENT_KINDS]
    out.sort(key=lambda e: (e["start_s"], EVENT_KINDS.index(e["kind"]), e["id"]))
    return out
