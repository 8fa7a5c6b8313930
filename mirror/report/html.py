"""``report.html``: one self-contained page per session, rendered from ``report.json``.

Everything is inline (CSS, SVG plots, thumbnails as ``data:`` URIs): the page makes no
request of its own and can be mailed or archived as a single file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from mirror.report.doc import (
    CHANNEL_NAMES,
    adapted_text,
    alpha_of,
    calibration_text,
    confidence,
    confidence_word,
    duration_of,
    flagged_ranges,
    format_p,
    is_calibrated,
    mechanical_directions,
    nothing_text,
    source_name,
    usability_rows,
)
from mirror.report.keyframes import event_keyframes
from mirror.report.timeline import COLORS, SHADE_OPACITY, render_timeline_svg

MAX_THUMBNAILS = 60  # events beyond this get a row without thumbnails (keeps the page small)

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1060px;margin:0 auto;padding:18px 22px 40px}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #d7dbe2;padding-bottom:4px}
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
svg.timeline{display:block;margin:0 0 2px}svg text{font-size:12px;fill:#3a4252}svg text.scale{font-size:9px;fill:#8a919c}
svg .frame{fill:#fff;stroke:#c9ced6}svg .zero{stroke:#aab0ba;stroke-width:.6}
svg path{fill:none;stroke-width:1.8}svg path.mirror{stroke:%(mirror)s}svg path.match{stroke:%(match)s}
svg rect.run.mirror{fill:%(mirror)s}svg rect.run.match{fill:%(match)s}
svg rect.run.symmetric{fill:%(symmetric)s}svg rect.run.mechanical{fill:%(mechanical)s;opacity:.85}
svg .tick{stroke:#888}.legend{font-size:12.5px;color:#3a4252;margin:6px 0 0}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:18px;height:4px;vertical-align:middle;margin-right:5px}
.box{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:5px;opacity:.35}
.meaning{background:#eef3fb;border:1px solid #c4d3ea;border-radius:8px;padding:8px 12px;margin:8px 0}
.nothing{background:#fff8e6;border:1px solid #ecd08a;border-radius:8px;padding:10px 14px;margin:8px 0;font-size:16px}
.conf.very_sure{font-weight:650}.conf.chance,.conf.unmeasured{color:#8a919c}
td.usable-bad{color:#a33a2a}
footer{color:#5b6473;font-size:12px;margin-top:30px}
""" % COLORS


def _pct(x) -> str:
    return "–" if x is None else f"{100 * float(x):.0f} %"


def _num(x, fmt: str = "{:.2f}") -> str:
    return "–" if x is None else fmt.format(float(x))


def _leader(doc: dict) -> tuple[str, str]:
    """The leader's name and a sentence about the leader's share."""
    share = (doc.get("summary") or {}).get("leader_share") or {}
    if not share or not any(share.values()):
        return "–", "no mirroring or matching windows, so nobody led"
    who = max(share, key=lambda k: share[k] or 0)
    if who == "together":
        return "together", f"together (within the lag tolerance) in {_pct(share['together'])} of related windows"
    return who, f"{who} led {_pct(share.get(who))} of mirror and match windows (A {_pct(share.get('A'))}, B {_pct(share.get('B'))}, together {_pct(share.get('together'))})"


def _meaning(doc: dict) -> str:
    """What the labels mean: the calibration sentence."""
    cal = doc.get("calibration") or {}
    facts = ""
    if is_calibrated(doc) and cal.get("null_windows"):
        facts = f' <span class="sub">({int(cal["null_windows"])} null windows, null: {escape(str(cal["null"]))})</span>'
    return f'<p class="meaning" data-key="calibration">{escape(calibration_text(doc))}{facts}</p>'


def _summary(doc: dict) -> str:
    nothing = nothing_text(doc)
    if nothing is not None:
        return (
            f'<section id="summary"><h2>Summary</h2><p class="nothing" data-key="nothing-measured">{escape(nothing)}</p>'
            + _meaning(doc)
            + "</section>"
        )
    summary = doc.get("summary") or {}
    share = summary.get("share") or {}
    sync = summary.get("synchrony") or {}
    leader, leader_text = _leader(doc)
    beyond = " beyond chance" if is_calibrated(doc) else ""
    cards = [
        ("mirror", _pct(share.get("mirror")), f"of the time mirroring{beyond}"),
        ("match", _pct(share.get("match")), f"of the time matching{beyond}"),
        ("symmetric", _pct(share.get("symmetric")), f"of the time symmetric and in sync{beyond}"),
        ("leader", escape(leader), "leads"),
        ("synchrony", _num(sync.get("real"), "{:.3f}"), "synchrony (mean best score)"),
    ]
    html = ['<section id="summary"><h2>Summary</h2>', _meaning(doc), '<div class="cards">']
    for key, value, label in cards:
        html.append(f'<div class="card {key}" data-key="{key}"><div class="v">{value}</div><div class="k">{escape(label)}</div></div>')
    html.append("</div>")
    html.append(f'<p data-key="leader-text">{escape(leader_text)}.</p>')
    if sync.get("n_surrogates"):
        html.append(
            f'<p data-key="pseudo">Synchrony {_num(sync.get("real"), "{:.3f}")} against pseudo-synchrony '
            f'{_num(sync.get("surrogate_mean"), "{:.3f}")} ± {_num(sync.get("surrogate_sd"), "{:.3f}")} '
            f'({sync["n_surrogates"]} surrogate sessions): effect size <b data-key="effect-size">{_num(sync.get("effect_size"))}</b>, '
            f'p = <b data-key="p-value">{_num(sync.get("p_value"), "{:.3f}")}</b>.</p>'
        )
    else:
        html.append(f'<p data-key="pseudo">No pseudo-synchrony test: {escape(str(sync.get("method") or "not run"))}.</p>')
    n, good = summary.get("windows", 0), summary.get("analysable_windows", 0)
    adapted = adapted_text(doc)
    if adapted:
        html.append(f'<p data-key="adapted">{escape(adapted[0].upper() + adapted[1:])}.</p>')
    html.append(f'<p class="sub">{good} of {n} windows had data for both people; the rest are left out of the shares.</p></section>')
    return "".join(html)


def _usability(doc: dict) -> str:
    """Per person and body part, how much could be used and why not (only when the report says)."""
    rows = usability_rows(doc)
    if not rows:
        return ""
    html = [
        '<section id="usability"><h2>Usable body parts</h2><p class="sub">Share of the frames in which each person\'s body part '
        "could be trusted, and the main reason when it could not. A part that cannot be trusted is never scored.</p>"
        '<table id="usability-table"><thead><tr><th>person</th><th>body part</th><th>usable</th><th>why not</th></tr></thead><tbody>'
    ]
    for r in rows:
        bad = r["reason"] != "ok"
        html.append(
            f'<tr data-person="{escape(r["person"])}" data-part="{escape(r["part"])}" data-reason="{escape(r["reason"])}" title="{escape(r["text"])}">'
            f'<td>{escape(r["person"])}</td><td>{escape(CHANNEL_NAMES.get(r["part"], r["part"]))}</td>'
            f'<td class="num">{_pct(r["usable_share"])}</td><td class="{"usable-bad" if bad else ""}">{escape(r["reason_text"] if bad else "–")}</td></tr>'
        )
    html.append("</tbody></table></section>")
    return "".join(html)


def _mechanical(doc: dict) -> str:
    dirs = mechanical_directions(doc)
    html = ['<section id="mechanical"><h2>Mechanical imitation</h2>']
    if not dirs:
        html.append("<p>Not analysed in this report.</p></section>")
        return "".join(html)
    for d in dirs:
        name = f"{d['copier']} copies {d['model']}"
        score = _num(d.get("score"))
        facts = f"{d.get('copies', 0)} copies of {d.get('model_gestures', 0)} gestures; score {score}"
        if d.get("flagged"):
            ranges = ", ".join(f"{a:.0f}–{b:.0f} s" for a, b in flagged_ranges(d)) or "–"
            reasons = "".join(f"<li>{escape(r.get('text', ''))}</li>" for r in d.get("reasons") or [])
            html.append(
                f'<div class="warn" data-direction="{escape(d["name"])}" data-flagged="true"><b>Warning: {escape(name)} mechanically</b> '
                f"({escape(facts)}; at {escape(ranges)}).<ul>{reasons}</ul></div>"
            )
        else:
            html.append(
                f'<div class="ok" data-direction="{escape(d["name"])}" data-flagged="false">{escape(name)}: not mechanical ({escape(facts)}).</div>'
            )
    html.append("</section>")
    return "".join(html)


def _feedback(doc: dict) -> str:
    msgs = doc.get("feedback") or []
    html = ['<section id="feedback"><h2>Coaching feedback</h2>']
    if not msgs:
        html.append("<p>No coaching messages for this session.</p></section>")
        return "".join(html)
    html.append('<table><thead><tr><th>time</th><th>to</th><th>kind</th><th>message</th></tr></thead><tbody>')
    for m in msgs:
        html.append(
            f'<tr data-kind="{escape(str(m.get("kind")))}"><td class="num">{_num(m.get("t_s"), "{:.1f} s")}</td><td>{escape(str(m.get("to")))}</td>'
            f'<td>{escape(str(m.get("kind")))}</td><td>{escape(str(m.get("text")))}</td></tr>'
        )
    html.append("</tbody></table></section>")
    return "".join(html)


def _timeline(doc: dict) -> str:
    if nothing_text(doc) is not None:
        return '<section id="timeline"><h2>Timeline</h2><p data-key="no-timeline">No timeline: nothing could be measured.</p></section>'
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
        f'<span><i class="box" style="background:#555;opacity:{lo + (hi - lo) * 0.25:.2f}"></i><i class="box" style="background:#555;opacity:{hi:.2f}"></i>'
        f"fainter to darker: p just under {alpha:g} to p under {alpha / 100:g}</span></div>"
    )
    return (
        '<section id="timeline"><h2>Timeline</h2><p class="sub">Best mirror and match score of each window '
        "(from −1 to 1) at the window's centre, for the whole body and each body part. "
        "An arm is A's arm, compared with B's other arm (mirror) and same arm (match). "
        "A labelled window is shaded darker the surer it is (the smaller its p-value).</p>"
        f'<div class="plot">{render_timeline_svg(doc)}{legend}</div></section>'
    )


def _events(doc: dict, video_path) -> str:
    events = doc.get("events") or []
    alpha = alpha_of(doc)
    html = ['<section id="events"><h2>Events</h2>']
    if nothing_text(doc) is not None:
        html.append("<p>No events: nothing could be measured.</p></section>")
        return "".join(html)
    if not events:
        html.append("<p>No mirror, match or symmetric events (runs of at least two windows) in this session.</p></section>")
        return "".join(html)
    thumbs = event_keyframes(doc, video_path, events[:MAX_THUMBNAILS])
    have_video = any(k is not None for k in thumbs)
    note = (
        "Thumbnails: A's side at the middle of the event, and B's side one lag later, so the two show the same movement."
        if have_video
        else "No thumbnails: the video was not available when this page was written."
    )
    html.append(f'<p class="sub">{escape(note)}</p>')
    head = "<th>#</th><th>time</th><th>kind</th><th>body parts</th><th>leader</th><th>lag</th><th>strength</th><th>p-value</th><th>confidence</th>"
    html.append(f'<table id="events-table"><thead><tr>{head}{"<th>A, then B</th>" if have_video else ""}</tr></thead><tbody>')
    for i, e in enumerate(events):
        kind = escape(str(e.get("kind")))
        parts = ", ".join(CHANNEL_NAMES.get(c, c) for c in e.get("channels") or []) or "–"
        row = (
            f'<tr data-kind="{kind}"><td class="num">{i + 1}</td>'
            f'<td class="num">{_num(e.get("start_s"), "{:.1f}")}–{_num(e.get("end_s"), "{:.1f}")} s</td>'
            f'<td class="kind {kind}">{kind}</td><td>{escape(parts)}</td><td>{escape(str(e.get("leader") or "–"))}</td>'
            f'<td class="num">{_num(e.get("lag_s"), "{:+.2f} s")}</td><td class="num">{_num(e.get("strength"))}</td>'
            f'<td class="num p-value">{escape(format_p(e.get("p_value")))}</td>'
            f'<td class="conf {confidence(e.get("p_value"), alpha)}">{escape(confidence_word(e.get("p_value"), alpha))}</td>'
        )
        if have_video:
            k = thumbs[i] if i < len(thumbs) else None
            if k is None:
                row += "<td>–</td>"
            else:
                ua, ub = k.data_uris()
                row += (
                    f'<td><div class="thumbs"><figure><img class="thumb" alt="A at {k.t_a_s:.1f} s" src="{ua}"><figcaption>A {k.t_a_s:.1f} s</figcaption></figure>'
                    f'<figure><img class="thumb" alt="B at {k.t_b_s:.1f} s" src="{ub}"><figcaption>B {k.t_b_s:.1f} s</figcaption></figure></div></td>'
                )
        html.append(row + "</tr>")
    html.append("</tbody></table></section>")
    return "".join(html)


def render_html(doc: dict, video_path: str | Path | None = None) -> str:
    """The whole page as a string. ``video_path`` (optional) supplies the thumbnails."""
    prov = doc.get("provenance") or {}
    src = prov.get("source") or {}
    name = source_name(doc)
    facts = [f"{duration_of(doc):.1f} s"]
    if src.get("width"):
        facts.append(f"{src['width']}×{src['height']}")
    if src.get("analysis_fps"):
        facts.append(f"analysed at {src['analysis_fps']:g} fps")
    settings = doc.get("settings") or {}
    if settings.get("window_s"):
        facts.append(f"{settings['window_s']:g} s windows every {settings.get('step_s', 0):g} s")
    sha = prov.get("source_sha256") or ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
        f"<title>mirror report: {escape(name)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>mirror report: {escape(name)}</h1>"
        f'<p class="sub">{escape(" · ".join(facts))}. A is the person on the left, B on the right; left and right are the people\'s own sides.</p>'
        + _summary(doc)
        + _usability(doc)
        + _mechanical(doc)
        + _feedback(doc)
        + _timeline(doc)
        + _events(doc, video_path)
        + f'<footer>mirror {escape(str(doc.get("mirror", "")))} · report format {escape(str(doc.get("format")))} v{doc.get("format_version")}'
        + (f" · source SHA-256 {escape(sha)}" if sha else "")
        + "</footer></main></body></html>\n"
    )
