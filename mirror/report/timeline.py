"""``timeline.png`` and the inline SVG timeline of ``report.html``: mirror against match over time.

One row per body part (and one for the whole body): the best mirror score and the best
match score of each window at its centre, with the windows labelled mirror, match or
symmetric shaded behind (surer windows darker: the shade's opacity grows with the
:func:`~mirror.report.doc.strength` of their p-value), and, on the whole-body row, the spans
flagged mechanical.
"""

from __future__ import annotations

import io
import math
from html import escape

import numpy as np

from mirror import messages
from mirror.report.doc import (
    ROW_NAMES,
    ReportLike,
    alpha_of,
    as_report,
    body_part_events,
    channel_series,
    confidence_word,
    copy_directions,
    duration_of,
    flagged_ranges,
    format_p,
    nothing_text,
    run_level,
    share_rows,
    step_of,
    strength_runs,
)
from mirror.report.model import Event, PartEvent
from mirror.vocabulary import BODY_PARTS, RELATION_COLORS

COLORS = RELATION_COLORS
"""The colour of each relation, on every output (:data:`mirror.vocabulary.RELATION_COLORS`)."""


def bgr(hex_color: str) -> tuple[int, int, int]:
    """``#rrggbb`` as OpenCV's (blue, green, red)."""
    h = hex_color.lstrip("#")
    return int(h[4:6], 16), int(h[2:4], 16), int(h[0:2], 16)


ROWS = ("overall",) + BODY_PARTS
EVENT_BAR_PX = 6
"""Height of the bar along the top of a timeline row that spans each event, from its first window's start to its
last's end."""
SHADE_OPACITY = (0.07, 0.42)
"""Opacity of a labelled window's shade at strength 0 (just below alpha) and 1 (p <= alpha / 100)."""


def shade_opacity(strength: float) -> float:
    """The shade's opacity for a drawing strength in [0, 1]."""
    lo, hi = SHADE_OPACITY
    return lo + (hi - lo) * float(strength)


AnyEvent = Event | PartEvent
"""A whole-body event or a body part's."""


def row_events(doc: ReportLike) -> dict[str, list[AnyEvent]]:
    """The events drawn on each timeline row: the whole body's on ``overall``, each body part's on its own."""
    doc = as_report(doc)
    out: dict[str, list[AnyEvent]] = {row: [] for row in ROWS}
    out["overall"] = list(doc.events)
    for e in body_part_events(doc):
        out.setdefault(e.body_part, []).append(e)
    return out


def stack(events: list[AnyEvent]) -> list[tuple[AnyEvent, int]]:
    """Each event with the level (0, 1, ...) of its bar, so that events that overlap in time (their windows
    overlap) never share one."""
    ends: list[float] = []
    out = []
    for e in sorted(events, key=lambda e: float(e.start_s)):
        level = next((k for k, end in enumerate(ends) if end <= float(e.start_s)), len(ends))
        if level == len(ends):
            ends.append(0.0)
        ends[level] = float(e.end_s)
        out.append((e, level))
    return out


def render_timeline_png(doc: ReportLike, width_in: float = 11.0, dpi: int = 100) -> bytes:
    """The timeline as PNG bytes (matplotlib, Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    doc = as_report(doc)
    nothing = nothing_text(doc)
    if nothing is not None:  # one plain sentence instead of six empty plots
        fig = Figure(figsize=(width_in, 1.6), dpi=dpi)
        fig.text(0.5, 0.5, nothing, ha="center", va="center", fontsize=13, wrap=True)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    series = channel_series(doc)
    step = step_of(doc)
    alpha = alpha_of(doc)
    end = max(duration_of(doc), 1e-3)
    mech = [flagged_ranges(d) for _, d in copy_directions(doc)]
    fig = Figure(figsize=(width_in, 1.25 * len(ROWS) + 0.9), dpi=dpi, layout="constrained")
    axes = fig.subplots(len(ROWS), 1, sharex=True, squeeze=False)[:, 0]
    events = row_events(doc)
    unmeasured = {r["row"]: r for r in share_rows(doc) if not r["measured"]}
    for ax, row in zip(axes, ROWS, strict=True):
        s = series[row]
        for a, b, lab, level, _, _ in strength_runs(s, step, alpha):
            ax.axvspan(a, b, color=COLORS[lab], alpha=shade_opacity(level), lw=0)
        for e, level in stack(events.get(row, [])):
            ax.axvspan(
                float(e.start_s),
                float(e.end_s),
                ymin=0.91 - 0.09 * level,
                ymax=0.99 - 0.09 * level,
                color=COLORS.get(e.kind, "#555"),
                lw=0,
            )
        if row in unmeasured:
            ax.text(
                0.5,
                0.5,
                "not measured: " + (unmeasured[row]["unusable"] or "no window had it in view"),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
                color="#555",
            )
        if row == "overall":
            for ranges in mech:
                for a, b in ranges:
                    ax.axvspan(a, b, ymin=0.0, ymax=0.12, color=COLORS["mechanical"], alpha=0.8, lw=0)
        ax.plot(s.t_s, s.mirror, color=COLORS["mirror"], lw=1.6, label="mirror")
        ax.plot(s.t_s, s.match, color=COLORS["match"], lw=1.6, label="match")
        for kind, v in (("mirror", s.mirror), ("match", s.match)):  # a window with no neighbour: a dot
            lone = _lone(v)
            if lone:
                ax.plot(s.t_s[lone], v[lone], "o", color=COLORS[kind], ms=4)
        ax.axhline(0, color="#999", lw=0.6)
        ax.set_ylim(-1.05, 1.05)
        ax.set_xlim(0, end)
        ax.set_ylabel(ROW_NAMES[row], rotation=0, ha="right", va="center")
        ax.set_yticks([-1, 0, 1])
        ax.grid(axis="x", color="#ddd", lw=0.5)
    axes[-1].set_xlabel("time (s)")
    handles = [
        matplotlib.lines.Line2D([], [], color=COLORS["mirror"], lw=2, label="mirror score"),
        matplotlib.lines.Line2D([], [], color=COLORS["match"], lw=2, label="match score"),
        Patch(color=COLORS["mirror"], alpha=shade_opacity(1.0), label="mirror window"),
        Patch(color=COLORS["match"], alpha=shade_opacity(1.0), label="match window"),
        Patch(color=COLORS["symmetric"], alpha=shade_opacity(1.0), label="symmetric window"),
        Patch(color=COLORS["mechanical"], alpha=0.8, label="mechanical copying"),
        Patch(color="#555555", label="bar on top: an event, first window's start to last window's end"),
        Patch(
            color="#555555", alpha=shade_opacity(0.25), label=f"darker: surer (p < {alpha:g} to p < {alpha / 100:g})"
        ),
    ]
    if (run := run_level(doc)) is not None:
        handles.append(
            Patch(
                color="#555555",
                alpha=shade_opacity(0.0),
                label=f"faintest: {messages.CONFIDENCE['continues']} (p < {run:g})",
            )
        )
    fig.legend(handles=handles, loc="outside upper center", ncol=4, frameon=False, fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _path(t: np.ndarray, v: np.ndarray, x, y) -> str:
    """SVG path data through the finite points; a NaN breaks the line."""
    parts, pen = [], False
    for ti, vi in zip(t, v, strict=True):
        if not math.isfinite(vi):
            pen = False
            continue
        parts.append(f"{'L' if pen else 'M'}{x(ti):.1f},{y(vi):.1f}")
        pen = True
    return " ".join(parts)


def _lone(v: np.ndarray) -> list[int]:
    """Indices of finite values with no finite neighbour (a line through them draws nothing)."""
    ok = [math.isfinite(float(a)) for a in v]
    return [k for k, f in enumerate(ok) if f and not (k > 0 and ok[k - 1]) and not (k + 1 < len(ok) and ok[k + 1])]


def render_timeline_svg(doc: ReportLike, width: int = 960, row_h: int = 70) -> str:
    """One inline ``<svg>`` per row (whole body, then each body part), for report.html.

    Each ``<svg class="timeline" data-channel=...>`` holds a ``path.mirror`` and a
    ``path.match`` line, and a ``rect.run`` per run of windows with the same label and
    drawing strength (``data-strength``, ``data-p``: the run's largest p-value), whose
    ``fill-opacity`` grows with the strength, with ``<title>`` tooltips; and a ``rect.event``
    bar along the top for each event of that row (the whole body's, or the part's), from the
    start of its first window to the end of its last (``data-start``, ``data-end``). A body
    part that was never measured says why instead of drawing empty lines.
    """
    doc = as_report(doc)
    series = channel_series(doc)
    step = step_of(doc)
    alpha = alpha_of(doc)
    end = max(duration_of(doc), 1e-3)
    left, right, top, bottom = 92, 10, 6, 6
    plot_w = width - left - right
    plot_h = row_h - top - bottom

    def x(t: float) -> float:
        return left + plot_w * float(t) / end

    def y(v: float) -> float:
        return top + plot_h * (1 - (float(v) + 1) / 2)

    mech = [(d, flagged_ranges(d)) for _, d in copy_directions(doc)]
    events = row_events(doc)
    unmeasured = {r["row"]: r for r in share_rows(doc) if not r["measured"]}
    out = []
    for row in ROWS:
        s = series[row]
        el = [
            f'<svg class="timeline" data-channel="{row}" viewBox="0 0 {width} {row_h}" width="100%" role="img" '
            f'aria-label="{escape(ROW_NAMES[row])}: mirror and match scores over time">',
            f'<text x="{left - 8}" y="{row_h / 2 + 4:.0f}" text-anchor="end" class="rowname">'
            f"{escape(ROW_NAMES[row])}</text>",
            f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>',
            f'<text x="{left - 3}" y="{top + 9}" text-anchor="end" class="scale">1</text>',
            f'<text x="{left - 3}" y="{top + plot_h}" text-anchor="end" class="scale">−1</text>',
        ]
        for a, b, lab, level, p, continues in strength_runs(s, step, alpha):
            if continues:
                sure = f", {messages.CONFIDENCE['continues']}"
            else:
                sure = f", p ≤ {format_p(p)} ({confidence_word(p, alpha)})" if math.isfinite(p) else ""
            data_p = "" if not math.isfinite(p) else f"{p:g}"
            el.append(
                f'<rect class="run {lab}" x="{x(a):.1f}" y="{top}" width="{max(0.5, x(b) - x(a)):.1f}" '
                f'height="{plot_h}" fill-opacity="{shade_opacity(level):.3f}" data-strength="{level:g}" '
                f'data-p="{data_p}"><title>{lab} {a:.2f}–{b:.2f} s{escape(sure)}</title></rect>'
            )
        if row == "overall":
            for d, ranges in mech:
                for a, b in ranges:
                    el.append(
                        f'<rect class="run mechanical" x="{x(a):.1f}" y="{top + plot_h - 8}" '
                        f'width="{max(0.5, x(b) - x(a)):.1f}" height="8">'
                        f"<title>mechanical: {d.copier} copies {d.model} {a:.2f}–{b:.2f} s</title></rect>"
                    )
        for e, level in stack(events.get(row, [])):
            a, b, kind = float(e.start_s), float(e.end_s), str(e.kind)
            event_p = e.p_value
            sure = f", p ≤ {format_p(event_p)} ({confidence_word(event_p, alpha)})" if event_p is not None else ""
            el.append(
                f'<rect class="event {kind}" x="{x(a):.2f}" y="{top + level * (EVENT_BAR_PX + 1)}" '
                f'width="{max(0.5, x(b) - x(a)):.2f}" height="{EVENT_BAR_PX}" data-start="{a:g}" data-end="{b:g}" '
                f'data-kind="{kind}"><title>{kind} event {a:.2f}–{b:.2f} s{escape(sure)}</title></rect>'
            )
        if row in unmeasured:
            why = unmeasured[row]["unusable"] or "no window had it in view for both people"
            el.append(
                f'<text x="{left + plot_w / 2:.0f}" y="{row_h / 2 + 4:.0f}" text-anchor="middle" class="unmeasured" '
                f'data-key="not-measured">not measured: {escape(why)}</text>'
            )
        el.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="zero"/>')
        el.append(f'<path class="mirror" d="{_path(s.t_s, s.mirror, x, y)}"/>')
        el.append(f'<path class="match" d="{_path(s.t_s, s.match, x, y)}"/>')
        for kind, v in (("mirror", s.mirror), ("match", s.match)):  # a window with no neighbour to join: a dot
            for k in _lone(v):
                el.append(f'<circle class="{kind}" cx="{x(s.t_s[k]):.1f}" cy="{y(v[k]):.1f}" r="3"/>')
        el.append("</svg>")
        out.append("".join(el))
    ticks = _ticks(end)
    axis = [f'<svg class="timeline-axis" viewBox="0 0 {width} 22" width="100%">']
    for t in ticks:
        axis.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="0" y2="5" class="tick"/>')
        anchor = "end" if x(t) > width - 25 else "middle"
        axis.append(f'<text x="{x(t):.1f}" y="17" text-anchor="{anchor}">{t:g} s</text>')
    axis.append("</svg>")
    return "\n".join(out + ["".join(axis)])


def _ticks(end: float) -> list[float]:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600):
        if end / step <= 10:
            break
    return [float(t) for t in np.arange(0, end + 1e-9, step)]
