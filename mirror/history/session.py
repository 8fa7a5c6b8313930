"""One session's figures as the history keeps them, read back from a finished ``report.json``.

The figures are taken from the report document alone (never from the analysis in memory),
so what the history holds is exactly what the report says, and a session is recorded only
once its report is complete.  Every field of the report that the history does not need is
ignored, and optional fields may be missing or ``null``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mirror.errors import MirrorError
from mirror.vocabulary import Leading as Leader
from mirror.vocabulary import Person as Side

if TYPE_CHECKING:
    from pydantic import BaseModel

    from mirror.report.model import LiveRun, Message, Provenance, Report, Window
    from mirror.report.model import PartShares as ReportPartShares

SessionKind = Literal["analyze", "batch", "live"]
DEFAULT_FLAG_SCORE = 0.6  # mirror.mechanical.score.ScoreSettings.flag_score, for reports that do not say


@dataclass(frozen=True)
class People:
    """Who was who in a session: the trainee's name and side, and the partner's name.

    ``me_side`` is ``A`` (the person on the left at the start) or ``B``; None when nobody
    was named, and then the two people are simply A and B.
    """

    me_name: str | None = None
    partner_name: str | None = None
    me_side: Side | None = None

    def __post_init__(self) -> None:
        for label, name in (("--me", self.me_name), ("--partner", self.partner_name)):
            if name is not None and (not name.strip() or any(c in name for c in "\n\r\t")):
                raise MirrorError(f"{label} must be a name on one line, got {name!r}")
        if self.me_side not in (None, "A", "B"):
            raise MirrorError(f"the trainee's side must be A or B, got {self.me_side!r}")

    @property
    def partner_side(self) -> Side | None:
        return None if self.me_side is None else ("B" if self.me_side == "A" else "A")

    def name_of(self, side: Side) -> str:
        """The name of the person on ``side`` (``A`` or ``B`` when unnamed)."""
        if side == self.me_side and self.me_name:
            return self.me_name
        if side == self.partner_side and self.partner_name:
            return self.partner_name
        return side


@dataclass(frozen=True)
class PartShares:
    """Share of a body part's analysable windows labelled mirror, match or none."""

    mirror: float | None
    match: float | None
    none: float | None


@dataclass(frozen=True)
class SessionRecord:
    """One session of the history.

    Shares are of the analysable windows, in [0, 1]. Lags are in seconds, positive.
    ``*_B_copies_A`` is B copying A (A is the model). ``coaching`` counts the coaching
    messages by the person they were addressed to and their kind.

    Attributes
    ----------
    session_key : str
        Identity of the session: the source's SHA-256 and a fingerprint of the settings,
        so analysing the same source with the same settings again updates the record; a
        source without a checksum (a camera) is identified by its report folder.
    recorded_at, analysed_at : str
        ISO 8601 times in UTC: when the session was recorded (a live session's start, or
        the video file's modification time) and when its report was finished.
    typical_lag_s : float or None
        Median lag of the mirror and match windows that someone led.
    follow_lag_A_s, follow_lag_B_s : float or None
        The same, over the windows where that person followed (copied the other).
    id : int or None
        The record's number in the history (None before it is stored).
    """

    session_key: str
    kind: SessionKind
    source: str
    source_sha256: str | None
    settings_key: str
    recorded_at: str
    analysed_at: str
    duration_s: float | None
    people: People
    mirror_share: float | None
    match_share: float | None
    symmetric_share: float | None
    none_share: float | None
    typical_lag_s: float | None
    leader: Leader | None
    leader_share_A: float | None
    leader_share_B: float | None
    leader_share_together: float | None
    follow_lag_A_s: float | None
    follow_lag_B_s: float | None
    mechanical_B_copies_A: float | None
    mechanical_A_copies_B: float | None
    flagged_B_copies_A: bool
    flagged_A_copies_B: bool
    mechanical_flag_score: float
    synchrony: float | None
    surrogate_mean: float | None
    effect_size: float | None
    p_value: float | None
    report_dir: str
    parts: dict[str, PartShares] = field(default_factory=dict)
    coaching: dict[str, dict[str, int]] = field(default_factory=dict)
    id: int | None = None

    def coaching_total(self, kind: str) -> int:
        return sum(int(by_kind.get(kind, 0)) for by_kind in self.coaching.values())

    def follow_lag_s(self, side: Side) -> float | None:
        return self.follow_lag_A_s if side == "A" else self.follow_lag_B_s

    def mechanical(self, copier: Side) -> float | None:
        return self.mechanical_A_copies_B if copier == "A" else self.mechanical_B_copies_A

    def leader_share(self, side: Side) -> float | None:
        return self.leader_share_A if side == "A" else self.leader_share_B


def record_from_report(
    report_dir: str | Path, kind: SessionKind, people: People | None = None, report: Report | None = None
) -> SessionRecord:
    """The history record of the finished report in ``report_dir``.

    Parameters
    ----------
    people : People, optional
        Who was who. When no side is given, a live session's trainee (``provenance.live.me``)
        is taken from the report.
    report : Report, optional
        The report just written to ``report_dir``, as built in memory; default: read back.

    Raises
    ------
    MirrorError
        ``report.json`` is missing, damaged or not a mirror report.
    """
    from mirror.report import read_report

    folder = Path(report_dir).resolve()
    doc = report if report is not None else read_report(folder / "report.json")
    try:
        finished = (folder / "report.json").stat().st_mtime
    except OSError as exc:
        raise MirrorError(f"cannot read {folder / 'report.json'}: {exc.strerror}") from None
    return record_from_document(doc, folder, kind, people, finished_at=finished)


def record_from_document(
    doc: Report, report_dir: Path, kind: SessionKind, people: People | None = None, finished_at: float | None = None
) -> SessionRecord:
    """:func:`record_from_report` on a report document already read (``finished_at``: epoch seconds)."""
    from mirror.report.doc import duration_of
    from mirror.report.model import SourceInfo

    prov = doc.provenance
    live = prov.live
    source_info = prov.source if isinstance(prov.source, SourceInfo) else SourceInfo()
    people = people or People()
    if people.me_side is None and live is not None and live.me is not None:
        people = People(people.me_name, people.partner_name, live.me)
    summary = doc.summary
    share = summary.share
    sync = summary.synchrony
    leaders = summary.leader_share
    directions = doc.mechanical.directions if doc.mechanical is not None else {}
    flag_score = doc.mechanical.settings.score.flag_score if doc.mechanical is not None else None
    analysed = (
        datetime.fromtimestamp(finished_at, timezone.utc) if finished_at is not None else datetime.now(timezone.utc)
    )
    duration = _num(duration_of(doc))
    sha = prov.source_sha256
    live_source = (live.source or _camera_name(live)) if live is not None else None
    source = prov.source_path or live_source or source_info.name or str(report_dir)
    settings_key = _settings_key(doc)
    if sha:
        session_key = f"sha256:{sha}:{settings_key}"
    else:
        session_key = f"folder:{Path(report_dir).resolve()}"
    lags = _lags(doc.windows)
    leader_values = {"A": _num(leaders.A), "B": _num(leaders.B), "together": _num(leaders.together)}
    ranked: list[Leader] = [k for k in ("A", "B", "together") if leader_values[k]]
    leader = max(ranked, key=lambda k: leader_values.get(str(k)) or 0.0) if ranked else None
    b_copies_a, a_copies_b = directions.get("B_copies_A"), directions.get("A_copies_B")
    return SessionRecord(
        session_key=session_key,
        kind=kind,
        source=str(source),
        source_sha256=sha,
        settings_key=settings_key,
        recorded_at=_recorded_at(prov, live, analysed, duration).isoformat(timespec="seconds"),
        analysed_at=analysed.isoformat(timespec="seconds"),
        duration_s=duration,
        people=people,
        mirror_share=_num(share.mirror),
        match_share=_num(share.match),
        symmetric_share=_num(share.symmetric),
        none_share=_num(share.none),
        typical_lag_s=_median(lags["A"] + lags["B"]),
        leader=leader,
        leader_share_A=leader_values["A"],
        leader_share_B=leader_values["B"],
        leader_share_together=leader_values["together"],
        follow_lag_A_s=_median(lags["B"]),  # windows B led: A followed
        follow_lag_B_s=_median(lags["A"]),
        mechanical_B_copies_A=_num(b_copies_a.score) if b_copies_a is not None else None,
        mechanical_A_copies_B=_num(a_copies_b.score) if a_copies_b is not None else None,
        flagged_B_copies_A=bool(b_copies_a.flagged) if b_copies_a is not None else False,
        flagged_A_copies_B=bool(a_copies_b.flagged) if a_copies_b is not None else False,
        mechanical_flag_score=_num(flag_score) or DEFAULT_FLAG_SCORE,
        synchrony=_num(sync.real),
        surrogate_mean=_num(sync.surrogate_mean),
        effect_size=_num(sync.effect_size),
        p_value=_num(sync.p_value),
        report_dir=str(Path(report_dir).resolve()),
        parts=_parts(summary.share_by_channel),
        coaching=_coaching(doc.feedback),
    )


def _num(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 4) if values else None


def _camera_name(live: LiveRun) -> str | None:
    return f"camera {live.camera}" if live.camera is not None else None


def _plain(model: BaseModel | None) -> dict | None:
    """A part of the report as the JSON data it was read from (None when absent)."""
    return model.model_dump(mode="json", exclude_unset=True) if model is not None else None


def _settings_key(doc: Report) -> str:
    """Fingerprint of what changes the figures: comparison, extraction and mechanical settings."""
    prov = doc.provenance
    live = prov.live
    sync = doc.summary.synchrony
    basis = {
        "compare": _plain(doc.settings) if "settings" in doc.model_fields_set else None,
        "extract": _plain(prov.extract_settings),
        "mechanical": _plain(doc.mechanical.settings) if doc.mechanical is not None else None,
        "surrogates": sync.n_surrogates if "n_surrogates" in sync.model_fields_set else None,
        "mode": live.mode if live is not None else None,
        "partner_video": live.partner_video if live is not None else None,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _lags(windows: list[Window]) -> dict[str, list[float]]:
    """|lag| of the mirror and match windows, by who led them."""
    out: dict[str, list[float]] = {"A": [], "B": []}
    for w in windows:
        if w.label not in ("mirror", "match") or w.leader not in ("A", "B"):
            continue
        lag = _num(w.lag_s)
        if lag is not None:
            out[w.leader].append(abs(lag))
    return out


def _parts(by_channel: Mapping[str, ReportPartShares]) -> dict[str, PartShares]:
    return {
        str(part): PartShares(_num(shares.mirror), _num(shares.match), _num(shares.none))
        for part, shares in by_channel.items()
    }


def _coaching(feedback: list[Message]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for msg in feedback:
        by_kind = counts.setdefault(msg.to, {})
        by_kind[msg.kind] = by_kind.get(msg.kind, 0) + 1
    return counts


def _recorded_at(prov: Provenance, live: LiveRun | None, analysed: datetime, duration_s: float | None) -> datetime:
    """When the session happened: a live session's start, else the source file's modification time."""
    if live is not None:
        seconds = _num(live.stats.seconds if live.stats is not None else None) or duration_s or 0.0
        return datetime.fromtimestamp(analysed.timestamp() - seconds, timezone.utc)
    path = prov.source_path
    if isinstance(path, str):
        try:
            return datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
        except (OSError, ValueError, OverflowError):
            pass
    return analysed
