"""Progress over sessions: each figure seen from one person, and its trend against their earlier sessions.

A session is seen from a person's side: the trainee's (``--me``) when the person is the
trainee, the partner's when they were the partner.  The trend of a figure compares the
latest session with the median of up to ``recent`` sessions before it: **better**,
**worse**, or **steady** when the change is within the figure's tolerance.  A figure with
a target band (natural copying 0.5-4 s later; mechanical copying below the warning line)
is better when it comes closer to the band.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from mirror.errors import MirrorError
from mirror.history.session import DEFAULT_FLAG_SCORE, SessionRecord, Side
from mirror.vocabulary import BODY_PARTS, FEATURE_CHANNEL_OF, FEATURE_CHANNELS

Trend = Literal["better", "worse", "steady"]
Direction = Literal["higher", "lower", "band"]
Unit = Literal["share", "s", "score", "per_10min"]
RECENT = 5
NATURAL_LAG_S = (0.5, 4.0)


@dataclass(frozen=True)
class Figure:
    """A figure followed over sessions.

    Attributes
    ----------
    better : {"higher", "lower", "band"}
        Which way is better; ``band``: inside ``band`` (else the closer the better).
    tolerance : float
        Changes smaller than this are ``steady``.
    band : (float or None, float or None) or None
        The target range drawn on the plot (None: open on that side).
    warning : float or None
        A line drawn on the plot (the mechanical warning line).
    """

    key: str
    title: str
    unit: Unit
    better: Direction
    tolerance: float
    band: tuple[float | None, float | None] | None = None
    warning: float | None = None
    short: str = ""  # a column heading

    @property
    def heading(self) -> str:
        return self.short or self.title


@dataclass(frozen=True)
class SessionView:
    """A session seen from one person: ``side`` is theirs (None: no one in particular, A and B as they are)."""

    record: SessionRecord
    side: Side | None
    values: dict[str, float | None]

    @property
    def other(self) -> Side | None:
        return None if self.side is None else ("B" if self.side == "A" else "A")


@dataclass(frozen=True)
class FigureTrend:
    """One figure of the latest session against the ``earlier_n`` sessions before it (their median)."""

    figure: Figure
    latest: float | None
    baseline: float | None
    earlier_n: int
    trend: Trend | None


@dataclass(frozen=True)
class Progress:
    """The sessions of one person (or of everyone) and the trend of each figure."""

    person: str | None
    views: list[SessionView]
    figures: list[Figure]
    trends: list[FigureTrend]
    since: str | None = None
    part_figures: list[Figure] = field(default_factory=list)
    part_trends: list[FigureTrend] = field(default_factory=list)


def figures(personal: bool, flag_score: float = DEFAULT_FLAG_SCORE) -> list[Figure]:
    """The figures followed, titled from a person's point of view (``personal``) or as A and B."""
    you, them = ("you", "your partner") if personal else ("B", "A")
    copier, copied = ("you", "partner") if personal else ("B→A", "A→B")
    who = "you" if personal else "either"
    return [
        Figure("mirror_share", "mirroring (share of time)", "share", "higher", 0.05, short="mirroring"),
        Figure("match_share", "matching (share of time)", "share", "higher", 0.05, short="matching"),
        Figure("symmetric_share", "symmetric and in sync (share of time)", "share", "higher", 0.05, short="symmetric"),
        Figure(
            "follow_lag_s",
            "delay when you follow your partner" if personal else "typical delay of the follower",
            "s", "band", 0.25, band=NATURAL_LAG_S, short="delay",
        ),  # fmt: skip
        Figure("mechanical_copier", f"mechanical copying: {you} copying {them}", "score", "lower", 0.05,
               band=(0.0, flag_score), warning=flag_score, short=f"mechanical ({copier})"),
        Figure("mechanical_copied", f"mechanical copying: {them} copying {you}", "score", "lower", 0.05,
               band=(0.0, flag_score), warning=flag_score, short=f"mechanical ({copied})"),
        Figure("synchrony_excess", "synchrony above pseudo-synchrony", "score", "higher", 0.02, band=(0.0, None),
               short="synchrony +"),
        Figure("warnings_per_10min", f"coaching warnings to {who} (per 10 min)", "per_10min", "lower", 0.5,
               short="warnings /10 min"),
        Figure("praise_per_10min", f"praise to {who} (per 10 min)", "per_10min", "higher", 0.5, short="praise /10 min"),
    ]  # fmt: skip


def part_figures() -> list[Figure]:
    """Per body part: the share of time it mirrored or matched (the arms together, as either person's are compared)."""
    return [
        Figure(f"part_{key}", f"{key}: mirroring or matching (share of time)", "share", "higher", 0.05)
        for key in FEATURE_CHANNELS
    ]


def view_of(rec: SessionRecord, person: str | None = None) -> SessionView | None:
    """``rec`` from ``person``'s side (None when they were not in it); without a person, the trainee's side if named."""
    people = rec.people
    if person is None:
        side = people.me_side
    elif people.me_name and people.me_name.casefold() == person.casefold():
        side = people.me_side or "A"
    elif people.partner_name and people.partner_name.casefold() == person.casefold():
        side = people.partner_side or "B"
    else:
        return None
    return SessionView(rec, side, _values(rec, side))


def build_progress(
    records: list[SessionRecord], person: str | None = None, since: str | None = None, recent: int = RECENT
) -> Progress:
    """The progress of ``person`` (every session when None) over ``records`` (oldest first).

    Raises
    ------
    MirrorError
        ``person`` is in none of the sessions (the names recorded are listed).
    """
    views = [v for v in (view_of(r, person) for r in records) if v is not None]
    if person is not None and not views:
        names = people_names(records)
        known = (
            f"; people recorded: {', '.join(names)}"
            if names
            else "; no session has a name yet (give --me NAME to analyze, batch or live)"
        )
        when = f" since {local_time(since)}" if since else ""
        raise MirrorError(f"no session of {person!r} in the history{when}{known}")
    flag = statistics.median([v.record.mechanical_flag_score for v in views]) if views else DEFAULT_FLAG_SCORE
    figs = figures(bool(views) and all(v.side is not None for v in views), flag)
    trends = [figure_trend(f, views, recent) for f in figs]
    parts = part_figures()
    return Progress(person, views, figs, trends, since, parts, [figure_trend(f, views, recent) for f in parts])


def compare_latest(
    current: SessionRecord, earlier: list[SessionRecord], person: str | None, recent: int = RECENT
) -> list[FigureTrend]:
    """``current`` against ``person``'s last ``recent`` sessions before it (for the end of a live session)."""
    views = [v for v in (view_of(r, person) for r in earlier if r.id != current.id) if v is not None][-recent:]
    now = view_of(current, person) or SessionView(
        current, current.people.me_side, _values(current, current.people.me_side)
    )
    figs = figures(now.side is not None, current.mechanical_flag_score)
    return [figure_trend(f, [*views, now], recent) for f in figs]


def figure_trend(fig: Figure, views: list[SessionView], recent: int = RECENT) -> FigureTrend:
    """The last session's value of ``fig`` against the median of up to ``recent`` sessions before it."""
    if not views:
        return FigureTrend(fig, None, None, 0, None)
    latest = views[-1].values.get(fig.key)
    earlier = [x for x in (v.values.get(fig.key) for v in views[:-1]) if x is not None][-recent:]
    baseline = statistics.median(earlier) if earlier else None
    if latest is None or baseline is None:
        return FigureTrend(fig, latest, baseline, len(earlier), None)
    return FigureTrend(fig, latest, baseline, len(earlier), judge(fig, latest, baseline))


def judge(fig: Figure, latest: float, baseline: float) -> Trend:
    """better, worse or steady: ``latest`` against ``baseline`` for ``fig``."""
    if fig.better == "band":
        gain = band_distance(fig, baseline) - band_distance(fig, latest)
    elif fig.better == "higher":
        gain = latest - baseline
    else:
        gain = baseline - latest
    if abs(gain) < fig.tolerance or (fig.better == "band" and gain == 0.0):
        return "steady"
    return "better" if gain > 0 else "worse"


def band_distance(fig: Figure, value: float) -> float:
    lo, hi = fig.band or (None, None)
    if lo is not None and value < lo:
        return lo - value
    if hi is not None and value > hi:
        return value - hi
    return 0.0


def people_names(records: list[SessionRecord]) -> list[str]:
    """Every name recorded (trainees and partners), sorted, each once whatever its case."""
    seen: dict[str, str] = {}
    for r in records:
        for name in (r.people.me_name, r.people.partner_name):
            if name:
                seen.setdefault(name.casefold(), name)
    return sorted(seen.values(), key=str.casefold)


def parse_since(text: str) -> str:
    """``--since``: a date (``2026-03-01``) or a date and time, as an ISO 8601 UTC string to compare with.

    Raises
    ------
    MirrorError
        Not a date.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise MirrorError(f"--since must be a date such as 2026-03-01 (or 2026-03-01T14:30), got {text!r}") from None
    if when.tzinfo is None:
        when = when.astimezone()  # the user's local time
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


def local_time(iso: str, with_time: bool = True) -> str:
    """An ISO 8601 time from the history in the user's time zone: ``2026-03-01 14:30``."""
    try:
        when = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return when.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def format_value(fig: Figure, value: float | None) -> str:
    if value is None:
        return "–"
    if fig.unit == "share":
        return f"{100 * value:.0f} %"
    if fig.unit == "s":
        return f"{value:.2f} s"
    if fig.unit == "per_10min":
        return f"{value:.1f}"
    return f"{value:.2f}"


def _singular(words: str) -> str:
    """``earlier sessions`` -> ``earlier session``: the phrase for a count of one."""
    return words[:-1] if words.endswith("s") else words


def describe(t: FigureTrend, earlier_word: str = "earlier sessions") -> str:
    """One line: the figure, its latest value, the baseline and the verdict."""
    fig = t.figure
    target = ""
    if fig.better == "band" and fig.band:
        target = f" (natural: {fig.band[0]:g}-{fig.band[1]:g} s)"
    elif fig.warning is not None:
        target = f" (warning line {fig.warning:g})"
    if t.latest is None:
        return f"{fig.title}: not measured in this session{target}"
    if t.trend is None:
        return f"{fig.title}: {format_value(fig, t.latest)}{target}; no earlier session to compare with"
    return (
        f"{fig.title}: {format_value(fig, t.latest)} vs {format_value(fig, t.baseline)} over the last "
        f"{t.earlier_n} {_singular(earlier_word) if t.earlier_n == 1 else earlier_word}{target}: {t.trend}"
    )


CSV_COLUMNS = [
    "id", "recorded_at", "analysed_at", "kind", "source", "source_sha256", "duration_s", "person_side",
    "me_name", "partner_name", "me_side", "mirror_share", "match_share", "symmetric_share", "none_share",
    "typical_lag_s", "leader", "leader_share_A", "leader_share_B", "leader_share_together", "follow_lag_s",
    "mechanical_copier", "mechanical_copied", "mechanical_B_copies_A", "mechanical_A_copies_B",
    "flagged_B_copies_A", "flagged_A_copies_B", "mechanical_flag_score", "synchrony", "surrogate_mean",
    "synchrony_excess", "effect_size", "p_value", "warnings", "praise", "prompts", "warnings_per_10min",
    "praise_per_10min", "part_head", "part_arms", "part_torso", "part_face",
    *(f"{p}_{s}_share" for p in BODY_PARTS for s in ("mirror", "match", "none")), "report_dir",
]  # fmt: skip


def progress_csv(progress: Progress) -> str:
    """One row per session, oldest first, figures from the person's side (``person_side``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for v in progress.views:
        r = v.record
        row = {
            **{c: getattr(r, c, None) for c in CSV_COLUMNS},
            "person_side": v.side,
            "me_name": r.people.me_name,
            "partner_name": r.people.partner_name,
            "me_side": r.people.me_side,
            "warnings": r.coaching_total("warning"),
            "praise": r.coaching_total("praise"),
            "prompts": r.coaching_total("prompt"),
            **v.values,
        }
        for part in BODY_PARTS:
            shares = r.parts.get(part)
            for s in ("mirror", "match", "none"):
                row[f"{part}_{s}_share"] = getattr(shares, s) if shares else None
        writer.writerow({k: _cell(row.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return "" if not math.isfinite(v) else f"{v:.6g}"
    return str(v)


def _values(rec: SessionRecord, side: Side | None) -> dict[str, float | None]:
    other: Side | None = None if side is None else ("B" if side == "A" else "A")
    minutes10 = rec.duration_s / 600.0 if rec.duration_s else None
    values = {k: fn(rec, side, other, minutes10) for k, fn in _FIGURE_VALUES.items()}
    values.update({f"part_{key}": _part_share(rec, key) for key in FEATURE_CHANNELS})
    return values


def _part_share(rec: SessionRecord, key: str) -> float | None:
    names = [p for p in BODY_PARTS if FEATURE_CHANNEL_OF[p] == key]
    shares = []
    for name in names:
        s = rec.parts.get(name)
        if s is not None and (s.mirror is not None or s.match is not None):
            shares.append((s.mirror or 0.0) + (s.match or 0.0))
    return round(sum(shares) / len(shares), 4) if shares else None


def _per_10min(rec: SessionRecord, side: Side | None, kind: str, minutes10: float | None) -> float | None:
    if not minutes10:
        return None
    if side is None:
        n = rec.coaching_total(kind)
    elif set(rec.coaching) - {"A", "B"}:
        return None  # counts from a history that did not keep who they were for
    else:
        n = int(rec.coaching.get(side, {}).get(kind, 0))
    return round(n / minutes10, 4)


def _excess(rec: SessionRecord) -> float | None:
    if rec.synchrony is None or rec.surrogate_mean is None:
        return None
    return round(rec.synchrony - rec.surrogate_mean, 4)


_FIGURE_VALUES: dict[str, Callable[[SessionRecord, Side | None, Side | None, float | None], float | None]] = {
    "mirror_share": lambda r, s, o, m: r.mirror_share,
    "match_share": lambda r, s, o, m: r.match_share,
    "symmetric_share": lambda r, s, o, m: r.symmetric_share,
    "follow_lag_s": lambda r, s, o, m: r.typical_lag_s if s is None else r.follow_lag_s(s),
    "mechanical_copier": lambda r, s, o, m: r.mechanical(s or "B"),
    "mechanical_copied": lambda r, s, o, m: r.mechanical(o or "A"),
    "synchrony_excess": lambda r, s, o, m: _excess(r),
    "warnings_per_10min": lambda r, s, o, m: _per_10min(r, s, "warning", m),
    "praise_per_10min": lambda r, s, o, m: _per_10min(r, s, "praise", m),
}
