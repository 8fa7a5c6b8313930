"""``progress.html``: one self-contained page of a person's sessions, figure by figure.

Inline CSS and SVG only, no script, and a Content-Security-Policy that forbids any request,
so the page can be kept or mailed as one file.  Each figure is an ``svg.plot`` with one
``circle.pt`` per session that measured it (oldest on the left), the target band shaded
(``rect.band``) and the warning line (``line.warning``) where the figure has them; each
point links to that session's report.  The table ``#sessions`` lists every session with
links to its ``report.html`` and its review page.
"""

from __future__ import annotations

import math
import os
from html import escape
from pathlib import Path
from urllib.parse import quote

from mirror.history.progress import (
    Figure,
    FigureTrend,
    Progress,
    SessionView,
    band_distance,
    describe,
    format_value,
    local_time,
)
from mirror.vocabulary import PEOPLE

PLOT_W, PLOT_H = 760, 170
PAD_L, PAD_R, PAD_T, PAD_B = 52, 14, 12, 26
TREND_COLOURS = {"better": "#1a7f37", "worse": "#c62828", "steady": "#5f6b7a", None: "#9aa3ae"}


def render_progress_html(progress: Progress, page_path: Path) -> str:
    """The page for ``progress``, with links made to work from ``page_path``'s folder."""
    base = Path(page_path).resolve().parent
    links = [_links(v, base) for v in progress.views]
    who = escape(progress.person) if progress.person else "everyone"
    since = f" since {escape(progress.since[:10])}" if progress.since else ""
    n = len(progress.views)
    trends = "".join(_trend_item(t) for t in progress.trends)
    plots = "".join(_plot(f, progress.views, links, t) for f, t in zip(progress.figures, progress.trends, strict=False))
    part_plots = "".join(
        _plot(f, progress.views, links, t)
        for f, t in zip(progress.part_figures, progress.part_trends, strict=False)
        if any(v.values.get(f.key) is not None for v in progress.views)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>mirror progress: {who}</title>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<style>{CSS}</style></head><body>"
        f'<h1>Progress: {who}</h1><p id="meta"><span id="count">{n}</span> session{"s" if n != 1 else ""}{since}. '
        "Each figure is shown from this person's side; the latest session is compared with the median of the "
        "sessions before it (up to five). The shaded band is the target where there is one. "
        "Click a point to open that session's report.</p>"
        f'<h2>Latest session against the earlier ones</h2><ul id="trends">{trends}</ul>'
        f'<div id="plots">{plots}</div>'
        + (f'<h2>By body part</h2><div id="parts">{part_plots}</div>' if part_plots else "")
        + f"<h2>Sessions</h2>{_table(progress, links)}"
        "</body></html>\n"
    )


CSS = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:20px auto;max-width:1320px;color:#1d2330;padding:0 16px}"
    "h1{margin:0 0 4px}h2{margin:22px 0 8px;font-size:17px}"
    "#trends{list-style:none;padding:0;margin:0}#trends li{margin:3px 0}"
    ".badge{display:inline-block;min-width:58px;text-align:center;border-radius:10px;color:#fff;padding:0 8px;"
    "margin-right:8px;font-size:12px}"
    "section.figure{margin:10px 0 18px}section.figure h3{margin:0 0 2px;font-size:15px}"
    "svg.plot{display:block;background:#fafbfc;border:1px solid #e3e6eb}"
    "svg .axis{stroke:#9aa3ae;stroke-width:1}svg text{font:11px system-ui,sans-serif;fill:#5f6b7a}"
    "svg .band{fill:#1a7f37;fill-opacity:.1}svg .warning{stroke:#c62828;stroke-dasharray:5 4;stroke-width:1.5}"
    "svg .line{fill:none;stroke:#2f6fdf;stroke-width:1.5}svg .pt{fill:#2f6fdf;stroke:#fff;stroke-width:1}"
    "svg a:hover .pt{fill:#c62828}svg .zero{stroke:#5f6b7a;stroke-dasharray:2 3}"
    "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d7dbe2;padding:3px 6px;text-align:left}"
    "#sessions td{white-space:nowrap}.scroll{overflow-x:auto}th{background:#eef0f4;font-size:12px}"
    "details code{display:block;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-size:12px}"
    ".missing{color:#c62828}"
)


def _trend_item(t: FigureTrend) -> str:
    word = t.trend or ("first" if t.latest is not None else "–")
    colour = TREND_COLOURS[t.trend]
    return (
        f'<li data-figure="{t.figure.key}" data-trend="{t.trend or ""}">'
        f'<span class="badge" style="background:{colour}">{escape(word)}</span>{escape(describe(t))}</li>'
    )


def _plot(fig: Figure, views: list[SessionView], links: list[dict], trend: FigureTrend) -> str:
    n = len(views)
    pts = [(i, y) for i, y in ((i, v.values.get(fig.key)) for i, v in enumerate(views)) if y is not None]
    pts = [(i, y) for i, y in pts if math.isfinite(y)]
    lo, hi = _y_range(fig, [y for _, y in pts])
    inner_w, inner_h = PLOT_W - PAD_L - PAD_R, PLOT_H - PAD_T - PAD_B

    def x_of(i: int) -> float:
        return PAD_L + (inner_w / 2 if n <= 1 else inner_w * i / (n - 1))

    def y_of(y: float) -> float:
        return PAD_T + inner_h * (1 - (y - lo) / (hi - lo))

    parts = [f'<line class="axis" x1="{PAD_L}" y1="{PAD_T + inner_h}" x2="{PLOT_W - PAD_R}" y2="{PAD_T + inner_h}"/>']
    parts.append(f'<line class="axis" x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + inner_h}"/>')
    if fig.band is not None:
        b_lo = lo if fig.band[0] is None else max(lo, fig.band[0])
        b_hi = hi if fig.band[1] is None else min(hi, fig.band[1])
        if b_hi > b_lo:
            parts.append(
                f'<rect class="band" x="{PAD_L}" y="{y_of(b_hi):.1f}" width="{inner_w}" '
                f'height="{y_of(b_lo) - y_of(b_hi):.1f}">'
                f"<title>target: {escape(_band_text(fig))}</title></rect>"
            )
    if lo < 0 < hi:
        parts.append(f'<line class="zero" x1="{PAD_L}" y1="{y_of(0):.1f}" x2="{PLOT_W - PAD_R}" y2="{y_of(0):.1f}"/>')
    if fig.warning is not None and lo <= fig.warning <= hi:
        y = y_of(fig.warning)
        parts.append(
            f'<line class="warning" x1="{PAD_L}" y1="{y:.1f}" x2="{PLOT_W - PAD_R}" y2="{y:.1f}">'
            f"<title>warning line {fig.warning:g}</title></line>"
        )
    for frac in (0.0, 0.5, 1.0):
        val = lo + frac * (hi - lo)
        parts.append(
            f'<text x="{PAD_L - 6}" y="{y_of(val) + 4:.1f}" text-anchor="end">{escape(format_value(fig, val))}</text>'
        )
    for i in sorted({0, n - 1}) if n else []:
        anchor = "middle" if n == 1 else ("start" if i == 0 else "end")
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{PLOT_H - 8}" text-anchor="{anchor}">'
            f"{escape(local_time(views[i].record.recorded_at, False))}</text>"
        )
    if len(pts) > 1:
        line = " ".join(f"{x_of(i):.1f},{y_of(y):.1f}" for i, y in pts)
        parts.append(f'<polyline class="line" points="{line}"/>')
    radius = 4.0 if n <= 60 else (3.0 if n <= 200 else 2.0)
    for i, y in pts:
        rec = views[i].record
        tip = f"session {rec.id}, {local_time(rec.recorded_at)}: {format_value(fig, y)} ({Path(rec.source).name})"
        circle = (
            f'<circle class="pt" data-session="{rec.id}" cx="{x_of(i):.1f}" cy="{y_of(y):.1f}" r="{radius}">'
            f"<title>{escape(tip)}</title></circle>"
        )
        href = links[i]["report"] or links[i]["folder"]
        parts.append(f'<a href="{escape(href)}">{circle}</a>' if href else circle)
    badge = f'<span class="badge" style="background:{TREND_COLOURS[trend.trend]}">{escape(trend.trend or "–")}</span>'
    return (
        f'<section class="figure" data-figure="{fig.key}"><h3>{badge}{escape(fig.title)}</h3>'
        f'<svg class="plot" data-sessions="{len(pts)}" viewBox="0 0 {PLOT_W} {PLOT_H}" width="{PLOT_W}" '
        f'height="{PLOT_H}" '
        f'role="img" aria-label="{escape(fig.title)} over {len(pts)} sessions">{"".join(parts)}</svg></section>'
    )


def _y_range(fig: Figure, ys: list[float]) -> tuple[float, float]:
    if fig.unit == "share" or (fig.unit == "score" and fig.warning is not None):
        return 0.0, max([1.0, *ys])  # shares and mechanical scores: always the whole 0..1 scale
    marks = list(ys)
    if fig.band is not None:
        marks += [b for b in fig.band if b is not None]
    if fig.warning is not None:
        marks.append(fig.warning)
    if not marks:
        marks = [0.0, 1.0]
    lo, hi = min(marks), max(marks)
    if fig.unit in ("s", "per_10min"):
        lo = min(lo, 0.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    return (lo if lo == 0.0 else lo - pad), hi + pad


def _band_text(fig: Figure) -> str:
    lo, hi = fig.band or (None, None)
    if lo is not None and hi is not None:
        return f"{format_value(fig, lo)} to {format_value(fig, hi)}"
    return f"above {format_value(fig, lo)}" if lo is not None else f"below {format_value(fig, hi)}"


def _table(progress: Progress, links: list[dict]) -> str:
    keys = [f.key for f in progress.figures]
    head = [(h, "") for h in ("#", "recorded", "source", "duration", "side", "partner")]
    head += [(f.heading, f.title) for f in progress.figures] + [(h, "") for h in ("leader", "p", "report", "review")]
    rows = []
    for v, link in zip(reversed(progress.views), reversed(links), strict=False):
        r = v.record
        partner = r.people.name_of(v.other) if v.other else f"{r.people.name_of('A')} / {r.people.name_of('B')}"
        cells = [
            f'<td class="num">{r.id}</td>',
            f'<td title="analysed {escape(r.analysed_at)}">{escape(local_time(r.recorded_at))}</td>',
            f'<td title="{escape(r.source)}">{escape(Path(r.source).name)}</td>',
            f'<td class="num">{_duration(r.duration_s)}</td>',
            f"<td>{escape(v.side or 'A/B')}</td>",
            f"<td>{escape(partner)}</td>",
        ]
        for fig, key in zip(progress.figures, keys, strict=False):
            value = v.values.get(key)
            off = fig.band is not None and value is not None and band_distance(fig, value) > 0
            cells.append(f'<td class="num{" missing" if off else ""}">{escape(format_value(fig, value))}</td>')
        leader = r.people.name_of(r.leader) if r.leader in PEOPLE else (r.leader or "–")
        cells.append(f"<td>{escape(leader)}</td>")
        cells.append(f'<td class="num">{"–" if r.p_value is None else f"{r.p_value:.3f}"}</td>')
        if link["report"]:
            cells.append(f'<td><a class="report" href="{escape(link["report"])}">report</a></td>')
        elif link["folder"]:
            cells.append(f'<td><a class="report" href="{escape(link["folder"])}">folder</a></td>')
        else:
            cells.append(f'<td class="missing" title="{escape(r.report_dir)}">report gone</td>')
        if link["review"]:
            cells.append(f'<td><a class="review" href="{escape(link["review"])}">review</a></td>')
        else:
            cells.append(
                f"<td><details><summary>make it</summary><code>mirror review {escape(_shell_quote(r.report_dir))} "
                "--static</code></details></td>"
            )
        rows.append(f'<tr data-session="{r.id}">{"".join(cells)}</tr>')
    th = "".join(f'<th title="{escape(t)}">{escape(h)}</th>' if t else f"<th>{escape(h)}</th>" for h, t in head)
    return (
        f'<div class="scroll"><table id="sessions"><thead><tr>{th}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _links(view: SessionView, base: Path) -> dict:
    folder = Path(view.record.report_dir)
    report, review = folder / "report.html", folder / "review.html"
    return {
        "report": _href(report, base) if report.is_file() else None,
        "review": _href(review, base) if review.is_file() else None,
        "folder": _href(folder, base) + "/" if folder.is_dir() else None,
    }


def _href(target: Path, base: Path) -> str:
    """A relative link when ``target`` is under the page's folder, else an absolute ``file:`` URL."""
    target = target.resolve()
    try:
        rel = target.relative_to(base)
        return "/".join(quote(p) for p in rel.parts)
    except ValueError:
        return target.as_uri()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _shell_quote(path: str) -> str:
    import shlex

    return shlex.quote(path) if os.name != "nt" else f'"{path}"'
