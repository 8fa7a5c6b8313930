"""``report.html``: one self-contained page per session, rendered from ``report.json``.

Everything is inline (CSS, SVG plots, thumbnails as ``data:`` URIs): the page makes no
request of its own and can be mailed or archived as a single file.

The module is longer than about 400 lines because it is the page, top to bottom: its styles,
then one small function per section in the order they appear, sharing the same cell and
number helpers; the data each section shows comes from :mod:`mirror.report.doc`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from mirror import messages
from mirror.report.doc import (
    ReportLike,
    adapted_text,
    alpha_of,
    as_report,
    body_part_events,
    calibration_text,
    confidence,
    confidence_word,
    copy_directions,
    duration_of,
    flagged_ranges,
    format_p,
    is_calibrated,
    nothing_fix,
    nothing_text,
    run_level,
    share_rows,
    smoothing_text,
    source_name,
    synchrony_missing,
    synchrony_reference,
    usability_rows,
    window_grid,
)
from mirror.report.keyframes import event_keyframes
from mirror.report.model import Report, SourceInfo
from mirror.report.timeline import COLORS, SHADE_OPACITY, render_timeline_svg
from mirror.vocabulary import BODY_PART_NAMES, RELATIONS

MAX_THUMBNAILS = 60  # events beyond this get a row without thumbnails (keeps the page small)
PART_EVENTS_OPEN = 30  # more body-part events than this are listed folded (the whole body's stay in view)

CSS_TEMPLATE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1060px;margin:0 auto;padding:18px 22px 40px}
h1{font-size:22px;margin:8px 0 2px}
h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #d7dbe2;padding-bottom:4px}
.sub{color:#5b6473;font-size:13px;margin:0 0 10px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 12px}
.card .v{font-size:24px;font-weight:650}.card .k{color:#5b6473;font-size:12.5px}
.card.mirror .v{color:%(mirror)s}.card.match .v{color:%(match)s}.card.symmetric .v{color:%(symmetric)s}
.warn{background:#fff4f2;border:1px solid #f1b8b0;border-radius:8px;padding:8px 12px;margin:8px 0}
.ok{background:#f2f8f3;border:1px solid #b9dcc0;border-radius:8px;padding:8px 12px;margin:8px 0}
.warn b{color:%(mechanical)s}
table{border-collapse:collapse;width:100%%;background:#fff;font-size:13.5px}
th,td{border:1px solid #dde1e7;padding:5px 7px;text-align:left;vertical-align:top}th{background:#eef0f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.kind{font-weight:600}.kind.mirror{color:%(mirror)s}.kind.match{color:%(match)s}.kind.symmetric{color:%(symmetric)s}
.thumbs{display:flex;gap:6px}.thumbs figure{margin:0;text-align:center;font-size:11.5px;color:#5b6473}
.thumbs img{display:block;height:110px;border-radius:4px}
.plot{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:8px}
svg.timeline{display:block;margin:0 0 2px}svg text{font-size:12px;fill:#3a4252}
svg text.scale{font-size:9px;fill:#8a919c}
svg .frame{fill:#fff;stroke:#c9ced6}svg .zero{stroke:#aab0ba;stroke-width:.6}
svg path{fill:none;stroke-width:1.8;stroke-linecap:round;stroke-linejoin:round}
svg circle.mirror{fill:%(mirror)s}svg circle.match{fill:%(match)s}
svg path.mirror{stroke:%(mirror)s}svg path.match{stroke:%(match)s}
svg rect.run.mirror{fill:%(mirror)s}svg rect.run.match{fill:%(match)s}
svg rect.run.symmetric{fill:%(symmetric)s}svg rect.run.mechanical{fill:%(mechanical)s;opacity:.85}
svg .tick{stroke:#888}.legend{font-size:12.5px;color:#3a4252;margin:6px 0 0}
.legend span{display:inline-block;margin-right:14px}
.sw{display:inline-block;width:18px;height:4px;vertical-align:middle;margin-right:5px}
.box{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:5px;opacity:.35}
.meaning{background:#eef3fb;border:1px solid #c4d3ea;border-radius:8px;padding:8px 12px;margin:8px 0}
.nothing{background:#fff8e6;border:1px solid #ecd08a;border-radius:8px;padding:10px 14px;margin:8px 0;font-size:16px}
.nothing p{margin:4px 0}.nothing .fix{font-size:14.5px;color:#3a4252}
h3{font-size:15px;margin:18px 0 6px}
#shares td.share.mirror{color:%(mirror)s}#shares td.share.match{color:%(match)s}
#shares td.share.symmetric{color:%(symmetric)s}
#shares th[scope=row]{background:#fff;font-weight:600}#shares tr.unmeasured td{color:#8a5a00}
svg rect.event.mirror{fill:%(mirror)s}svg rect.event.match{fill:%(match)s}svg rect.event.symmetric{fill:%(symmetric)s}
svg text.unmeasured{font-size:12px;fill:#8a5a00}
details summary{cursor:pointer;margin:8px 0;color:#2b4f86}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}td.num{white-space:nowrap}footer{overflow-wrap:anywhere}
.plot{overflow-x:auto}
@media (max-width:600px){main{padding:12px 10px 30px}.cards{grid-template-columns:repeat(2,1fr)}.card .v{font-size:20px}
table{font-size:12.5px}th,td{padding:4px 5px}.thumbs img{height:70px}svg.timeline,svg.timeline-axis{min-width:640px}}
.conf.very_sure{font-weight:650}.conf.chance,.conf.unmeasured{color:#8a919c}
td.usable-bad{color:#a33a2a}
footer{color:#5b6473;font-size:12px;margin-top:30px}
"""
"""The page's styles, ``%(relation)s`` where each colour goes."""
CSS = CSS_TEMPLATE % COLORS


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * float(x):.0f} %"


def _num(x: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if x is None else fmt.format(float(x))


def _leader(doc: Report) -> tuple[str, str]:
    """The leader's name and a sentence about the leader's share."""
    ls = doc.summary.leader_share
    share = {"A": ls.A, "B": ls.B, "together": ls.together}
    if not any(share.values()):
        return "–", "no mirroring or matching windows, so nobody led"
    who = max(share, key=lambda k: share[k] or 0)
    if who == "together":
        return "together", f"together (within the lag tolerance) in {_pct(share['together'])} of related windows"
    return (
        who,
        f"{who} led {_pct(share[who])} of mirror and match windows "
        f"(A {_pct(share['A'])}, B {_pct(share['B'])}, together {_pct(share['together'])})",
    )


def _meaning(doc: Report) -> str:
    """What the labels mean: the calibration sentence."""
    cal = doc.calibration
    facts = ""
    if is_calibrated(doc) and cal.null_windows:
        facts = f' <span class="sub">({int(cal.null_windows)} null windows, null: {escape(str(cal.null))})</span>'
    return f'<p class="meaning" data-key="calibration">{escape(calibration_text(doc))}{facts}</p>'


def nothing_banner(doc: ReportLike) -> str:
    """The banner of a report in which nothing could be measured: why, and what to do."""
    doc = as_report(doc)
    fix = nothing_fix(doc) or ""
    return (
        f'<div class="nothing" role="alert" data-key="nothing-banner">'
        f'<p data-key="nothing-measured">{escape(nothing_text(doc) or "")}</p>'
        f'<p class="fix" data-key="nothing-fix">{escape(fix)}</p></div>'
    )


def _share_table(doc: Report) -> str:
    """Whole-body and per-body-part shares of the windows, counted from the windows themselves."""
    head = "".join(f'<th class="num">{escape(k)}</th>' for k in (*RELATIONS, "none"))
    html = [
        '<table id="shares"><thead><tr><th>body part</th>'
        + head
        + '<th class="num">not measured</th><th class="num">events</th></tr></thead><tbody>'
    ]
    for r in share_rows(doc):
        attrs = f'data-row="{r["row"]}" data-measured="{r["measured"]}"'
        name = f'<th scope="row">{escape(r["name"])}</th>'
        if not r["measured"]:
            why = r["unusable"] or "no window had this part in view for both people"
            html.append(
                f'<tr {attrs} class="unmeasured">{name}<td colspan="6" data-key="not-measured">'
                f"{escape(messages.render(messages.CALIBRATION, 'not_measured_part', why=why))}</td></tr>"
            )
            continue
        cells = "".join(
            f'<td class="num share {k}" data-label="{k}" data-windows="{r["counts"][k]}">{_pct(r["share"][k])}</td>'
            if k != "symmetric" or r["row"] == "overall" or r["counts"][k]
            else f'<td class="num" data-label="{k}" data-windows="0" '
            'title="a body part alone is labelled mirror, match or none">–</td>'
            for k in (*RELATIONS, "none")
        )
        html.append(
            f"<tr {attrs}>{name}{cells}"
            f'<td class="num" data-label="insufficient" data-windows="{r["counts"]["insufficient"]}">'
            f"{_pct(r['not_measured'])}</td>"
            f'<td class="num" data-key="events">{r["events"]}</td></tr>'
        )
    html.append("</tbody></table>")
    return "".join(html)


def _synchrony(doc: Report) -> tuple[tuple[str, str, str] | None, str]:
    """The synchrony card (or None) and its sentence: against pseudo-synchrony, or why it is not shown."""
    ref = synchrony_reference(doc)
    if ref is None:
        return None, f'<p data-key="pseudo">{escape(synchrony_missing(doc))}</p>'
    value = {"above": "above chance", "chance": "not beyond chance", "below": "below chance"}[ref["verdict"]]
    card = ("synchrony", escape(value), f"moving together: higher than {ref['percentile']:.0f} % of pseudo-sessions")
    text = (
        f'<p data-key="pseudo">{escape(ref["words"])} <span class="sub">Synchrony (mean best score of the windows, '
        f"−1 to 1) {_num(ref.get('real'), '{:.3f}')} against pseudo-synchrony "
        f"{_num(ref.get('surrogate_mean'), '{:.3f}')} ± {_num(ref.get('surrogate_sd'), '{:.3f}')}: "
        f'effect size <b data-key="effect-size">{_num(ref.get("effect_size"))}</b>, '
        f'p = <b data-key="p-value">{_num(ref.get("p_value"), "{:.3f}")}</b>.</span></p>'
    )
    return card, text


def _summary(doc: Report) -> str:
    if nothing_text(doc) is not None:
        return '<section id="summary"><h2>Summary</h2>' + nothing_banner(doc) + _meaning(doc) + "</section>"
    summary = doc.summary
    share = summary.share
    leader, leader_text = _leader(doc)
    beyond = " beyond chance" if is_calibrated(doc) else ""
    sync_card, sync_text = _synchrony(doc)
    cards = [
        ("mirror", _pct(share.mirror), f"of the measured time mirroring{beyond} (whole body)"),
        ("match", _pct(share.match), f"of the measured time matching{beyond} (whole body)"),
        ("symmetric", _pct(share.symmetric), f"of the measured time symmetric and in sync{beyond}"),
        ("leader", escape(leader), "leads" if leader != "–" else "leader: nobody (no mirror or match window)"),
    ] + ([sync_card] if sync_card else [])
    html = ['<section id="summary"><h2>Summary</h2>', _meaning(doc), '<div class="cards">']
    for key, value, label in cards:
        html.append(
            f'<div class="card {key}" data-key="{key}"><div class="v">{value}</div>'
            f'<div class="k">{escape(label)}</div></div>'
        )
    html.append("</div>")
    html.append(f'<p data-key="leader-text">{escape(leader_text)}.</p>')
    html.append(sync_text)
    n, good = summary.windows, summary.analysable_windows
    html.append(
        '<h3>By body part</h3><p class="sub">Share of the windows in which each body part was measured for both '
        "people, by label (a label only where it beat chance); <i>not measured</i>: share of all windows; "
        "<i>events</i>: runs of at least two windows with the same label.</p>" + _share_table(doc)
    )
    adapted = adapted_text(doc)
    if adapted:
        html.append(f'<p data-key="adapted">{escape(adapted[0].upper() + adapted[1:])}.</p>')
    smoothed = smoothing_text(doc)
    if smoothed:
        html.append(f'<p data-key="smoothed">{escape(smoothed[0].upper() + smoothed[1:])}.</p>')
    html.append(
        f'<p class="sub">{good} of {n} {"window" if n == 1 else "windows"} had data for both people; '
        "the rest are left out of the shares.</p></section>"
    )
    return "".join(html)


def _usability(doc: Report) -> str:
    """Per person and body part, how much could be used and why not (only when the report says)."""
    rows = usability_rows(doc)
    if not rows:
        return ""
    html = [
        '<section id="usability"><h2>Usable body parts</h2><p class="sub">Share of the frames in which each '
        "person's body part could be trusted, and the main reason when it could not. A part that cannot be trusted "
        'is never scored.</p><table id="usability-table"><thead><tr><th>person</th><th>body part</th><th>usable</th>'
        "<th>why not</th></tr></thead><tbody>"
    ]
    for r in rows:
        bad = r["reason"] != "ok"
        html.append(
            f'<tr data-person="{escape(r["person"])}" data-part="{escape(r["part"])}" '
            f'data-reason="{escape(r["reason"])}" title="{escape(r["text"])}">'
            f"<td>{escape(r['person'])}</td><td>{escape(BODY_PART_NAMES.get(r['part'], r['part']))}</td>"
            f'<td class="num">{_pct(r["usable_share"])}</td>'
            f'<td class="{"usable-bad" if bad else ""}">{escape(r["reason_text"] if bad else "–")}</td></tr>'
        )
    html.append("</tbody></table></section>")
    return "".join(html)


def _span(a: float | None, b: float | None) -> str:
    return _num(a, "{:.2f}") + ("" if b is None else "–" + _num(b, "{:.2f}")) + " s"


def _copies(doc: Report) -> str:
    """Every gesture copy: the model's gesture, the copy (the same stretch one lag later), kind, lag and similarity."""
    copies = doc.mechanical.copies if doc.mechanical is not None else []
    if not copies:
        return '<p class="sub" data-key="no-copies">No gesture copies were found.</p>'
    html = [
        f'<details id="copies"><summary>The {len(copies)} gesture {"copy" if len(copies) == 1 else "copies"}</summary>'
        '<p class="sub">A copy is one person making a gesture the other made just before, on the same body part '
        "(match) or the other side (mirror). Its lag is the delay that best lines up the two movements over the "
        "model's whole gesture (their speed over time), so the copy is the model's gesture that much later; it is not "
        "the gap between two onsets. A copy has no p-value: its kind says how it looks, not that it beat chance (the "
        "mechanical score weighs them).</p>"
        '<table id="copies-table"><thead><tr><th>who</th><th>kind</th><th>model\'s gesture</th><th>copy</th>'
        '<th class="num">lag</th><th class="num">similarity</th></tr></thead><tbody>'
    ]
    for c in copies:
        copier, model = (str(c.direction).split("_copies_") + ["", ""])[:2]
        kind = escape(str(c.kind))
        html.append(
            f'<tr data-model-start="{c.model_start_s}" data-copy-start="{c.copy_start_s}" data-lag="{c.lag_s}">'
            f"<td>{escape(copier)} copies {escape(model)}</td>"
            f'<td class="kind {kind}">{kind}</td>'
            f"<td>{escape(model)}'s {escape(BODY_PART_NAMES.get(c.channel_model, str(c.channel_model)))} "
            f"{_span(c.model_start_s, c.model_end_s)}</td>"
            f"<td>{escape(copier)}'s {escape(BODY_PART_NAMES.get(c.channel_copy, str(c.channel_copy)))} "
            f"{_span(c.copy_start_s, c.copy_end_s)}</td>"
            f'<td class="num">{_num(c.lag_s, "{:.2f} s")}</td><td class="num">{_num(c.similarity)}</td></tr>'
        )
    html.append("</tbody></table></details>")
    return "".join(html)


def _mechanical(doc: Report) -> str:
    dirs = copy_directions(doc)
    html = ['<section id="mechanical"><h2>Mechanical imitation (gesture copies)</h2>']
    if not dirs:
        html.append("<p>Not analysed in this report.</p></section>")
        return "".join(html)
    for key, d in dirs:
        name = f"{d.copier} copies {d.model}"
        score = _num(d.score)
        facts = (
            f"{messages.plural(int(d.copies or 0), 'copy')} of {messages.plural(int(d.model_gestures or 0), 'gesture')}"
            f" of {d.model}; "
            + (
                f"score {score} (0 to 1)"
                if d.score is not None
                else f"no score: too few gestures of {d.model} to judge"
            )
        )
        if d.flagged:
            ranges = ", ".join(f"{a:.2f}–{b:.2f} s" for a, b in flagged_ranges(d)) or "–"
            reasons = "".join(f"<li>{escape(r.text)}</li>" for r in d.reasons)
            html.append(
                f'<div class="warn" data-direction="{escape(key)}" data-flagged="true">'
                f"<b>Warning: {escape(name)} mechanically</b> ({escape(facts)}; at {escape(ranges)})."
                f"<ul>{reasons}</ul></div>"
            )
        else:
            html.append(
                f'<div class="ok" data-direction="{escape(key)}" data-flagged="false">'
                f"{escape(name)}: not mechanical ({escape(facts)}).</div>"
            )
    html.append(_copies(doc))
    html.append("</section>")
    return "".join(html)


def _feedback(doc: Report) -> str:
    msgs = doc.feedback
    html = ['<section id="feedback"><h2>Coaching</h2>']
    if not msgs:
        html.append("<p>No coaching messages for this session.</p></section>")
        return "".join(html)
    html.append("<table><thead><tr><th>time</th><th>to</th><th>kind</th><th>message</th></tr></thead><tbody>")
    for m in msgs:
        html.append(
            f'<tr data-kind="{escape(str(m.kind))}"><td class="num">{_num(m.t_s, "{:.2f} s")}</td>'
            f"<td>{escape(str(m.to))}</td><td>{escape(str(m.kind))}</td><td>{escape(str(m.text))}</td></tr>"
        )
    html.append("</tbody></table></section>")
    return "".join(html)


def _timeline(doc: Report) -> str:
    if nothing_text(doc) is not None:
        return (
            '<section id="timeline"><h2>Timeline</h2>'
            '<p data-key="no-timeline">No timeline: nothing could be measured.</p></section>'
        )
    alpha = alpha_of(doc)
    lo, hi = SHADE_OPACITY
    legend = (
        '<div class="legend">'
        f'<span><i class="sw" style="background:{COLORS["mirror"]}"></i>mirror score</span>'
        f'<span><i class="sw" style="background:{COLORS["match"]}"></i>match score</span>'
        f'<span><i class="box" style="background:{COLORS["mirror"]}"></i>mirror window</span>'
        f'<span><i class="box" style="background:{COLORS["match"]}"></i>match window</span>'
        f'<span><i class="box" style="background:{COLORS["symmetric"]}"></i>symmetric window</span>'
        f'<span><i class="box" style="background:{COLORS["mechanical"]};opacity:.85"></i>mechanical copying</span>'
        '<span><i class="sw" style="background:#555;height:6px"></i>an event (bar along the top: first window\'s '
        "start to last window's end)</span>"
        f'<span><i class="box" style="background:#555;opacity:{lo + (hi - lo) * 0.25:.2f}"></i>'
        f'<i class="box" style="background:#555;opacity:{hi:.2f}"></i>'
        f"fainter to darker: p just under {alpha:g} to p under {alpha / 100:g}"
        + (
            f"; faintest: {messages.CONFIDENCE['continues']} (p under {run:g})"
            if (run := run_level(doc)) is not None
            else ""
        )
        + "</span></div>"
    )
    return (
        '<section id="timeline"><h2>Timeline</h2><p class="sub">Best mirror and match score of each window '
        "(from −1 to 1) at the window's centre, for the whole body and each body part. "
        "An arm is A's arm, compared with B's other arm (mirror) and same arm (match). "
        "A labelled window is shaded around its centre, darker the surer it is (the smaller its p-value); "
        "the bar along the top of a row spans each event of that row, the whole window range it covers.</p>"
        f'<div class="plot">{render_timeline_svg(doc)}{legend}</div></section>'
    )


def _confidence_cells(p_value: float | None, alpha: float) -> str:
    """The p-value and confidence cells of an event's row."""
    return (
        f'<td class="num p-value">{escape(format_p(p_value))}</td>'
        f'<td class="conf {confidence(p_value, alpha)}">{escape(confidence_word(p_value, alpha))}</td>'
    )


def _part_events(doc: Report) -> str:
    """The body parts' events: one row each, with its p-value and confidence."""
    events = body_part_events(doc)
    alpha = alpha_of(doc)
    html = ['<h3 id="part-events">Events of each body part</h3>']
    if not events:
        html.append(
            '<p data-key="no-part-events">No body part had an event '
            "(a run of at least two windows with the same label).</p>"
        )
        return "".join(html)
    many = len(events) > PART_EVENTS_OPEN
    html.append(
        (
            f'<details id="part-events-more"><summary>All {len(events)} events of the body parts</summary>'
            if many
            else ""
        )
        + '<table id="part-events-table"><thead><tr><th>#</th><th>time</th><th>body part</th><th>kind</th>'
        "<th>windows</th><th>strength</th><th>p-value</th><th>confidence</th></tr></thead><tbody>"
    )
    for i, e in enumerate(events):
        kind = escape(str(e.kind))
        part = str(e.body_part)
        html.append(
            f'<tr data-kind="{kind}" data-part="{escape(part)}" data-start="{e.start_s}" data-end="{e.end_s}">'
            f'<td class="num">{i + 1}</td><td class="num time">{_span(e.start_s, e.end_s)}</td>'
            f'<td>{escape(BODY_PART_NAMES.get(part, part))}</td><td class="kind {kind}">{kind}</td>'
            f'<td class="num">{e.windows}</td><td class="num">{_num(e.strength)}</td>'
            + _confidence_cells(e.p_value, alpha)
            + "</tr>"
        )
    html.append("</tbody></table>" + ("</details>" if many else ""))
    return "".join(html)


def _events(doc: Report, video_path) -> str:
    events = doc.events
    alpha = alpha_of(doc)
    html = ['<section id="events"><h2>Events (runs of windows)</h2>']
    if nothing_text(doc) is not None:
        html.append("<p>No events: nothing could be measured.</p></section>")
        return "".join(html)
    html.append(
        '<p class="sub">An event is a run of at least two consecutive windows with the same label, each beating '
        "chance: it lasts from the start of its first window to the end of its last, and its p-value is the largest "
        "of its windows'. The whole body's events come first, then each body part's.</p>"
        "<h3>Events of the whole body</h3>"
    )
    if not events:
        html.append(
            '<p data-key="no-events">No whole-body mirror, match or symmetric events in this session.</p>'
            + _part_events(doc)
            + "</section>"
        )
        return "".join(html)
    thumbs = event_keyframes(doc, video_path, events[:MAX_THUMBNAILS])
    have_video = any(k is not None for k in thumbs)
    note = (
        "Thumbnails: A's side at the middle of the event, and B's side one lag later, so the two show the same "
        "movement."
        if have_video
        else "No thumbnails: the video was not available when this page was written."
    )
    html.append(f'<p class="sub">{escape(note)}</p>')
    head = (
        "<th>#</th><th>time</th><th>kind</th><th>body parts</th><th>leader</th><th>lag</th><th>strength</th>"
        "<th>p-value</th><th>confidence</th>"
    )
    html.append(
        f'<table id="events-table"><thead><tr>{head}{"<th>A, then B</th>" if have_video else ""}</tr></thead><tbody>'
    )
    for i, e in enumerate(events):
        kind = escape(str(e.kind))
        parts = ", ".join(BODY_PART_NAMES.get(c, c) for c in e.channels) or "–"
        row = (
            f'<tr data-kind="{kind}" data-start="{e.start_s}" data-end="{e.end_s}"><td class="num">{i + 1}</td>'
            f'<td class="num time">{_span(e.start_s, e.end_s)}</td>'
            f'<td class="kind {kind}">{kind}</td><td>{escape(parts)}</td><td>{escape(str(e.leader or "–"))}</td>'
            f'<td class="num">{_num(e.lag_s, "{:+.2f} s")}</td><td class="num">{_num(e.strength)}</td>'
            + _confidence_cells(e.p_value, alpha)
        )
        if have_video:
            k = thumbs[i] if i < len(thumbs) else None
            if k is None:
                row += "<td>–</td>"
            else:
                ua, ub = k.data_uris()
                row += (
                    f'<td><div class="thumbs"><figure><img class="thumb" alt="A at {k.t_a_s:.1f} s" src="{ua}">'
                    f"<figcaption>A {k.t_a_s:.1f} s</figcaption></figure>"
                    f'<figure><img class="thumb" alt="B at {k.t_b_s:.1f} s" src="{ub}">'
                    f"<figcaption>B {k.t_b_s:.1f} s</figcaption></figure></div></td>"
                )
        html.append(row + "</tr>")
    html.append("</tbody></table>" + _part_events(doc) + "</section>")
    return "".join(html)


CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The page's Content-Security-Policy: it makes no request of its own."""


def render_html(doc: ReportLike, video_path: str | Path | None = None) -> str:
    """The whole page as a string. ``video_path`` (optional) supplies the thumbnails."""
    doc = as_report(doc)
    prov = doc.provenance
    src = prov.source if isinstance(prov.source, SourceInfo) else SourceInfo()
    name = source_name(doc)
    facts = [f"{duration_of(doc):.1f} s"]
    if src.width:
        facts.append(f"{src.width}×{src.height}")
    if src.analysis_fps:
        facts.append(f"analysed at {src.analysis_fps:g} fps")
    settings = doc.settings
    grid = window_grid(doc)
    if grid is not None:
        facts.append(f"{grid[0]:g} s windows every {grid[1]:g} s")
    elif settings.window_s:
        facts.append(f"{settings.window_s:g} s windows every {settings.step_s or 0:g} s")
    sha = prov.source_sha256 or ""
    body = (
        _summary(doc) + _usability(doc) + _mechanical(doc) + _feedback(doc) + _timeline(doc) + _events(doc, video_path)
    )
    body = body.replace("<table", '<div class="scroll"><table').replace(
        "</table>", "</table></div>"
    )  # wide tables scroll on a phone
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>mirror report: {escape(name)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>mirror report: {escape(name)}</h1>"
        f'<p class="sub">{escape(" · ".join(facts))}. A is the person on the left, B on the right; '
        "left and right are the people's own sides.</p>"
        + body
        + f"<footer>mirror {escape(str(doc.mirror or ''))} · report format {escape(str(doc.format))} "
        f"v{doc.format_version}"
        + (f" · source SHA-256 {escape(sha)}" if sha else "")
        + "</footer></main></body></html>\n"
    )
