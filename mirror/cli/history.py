"""The history options of ``analyze``, ``batch`` and ``live``: who was who, where the session is recorded.

The library keeps the history (:mod:`mirror.history`); this module reads the options and
says in one line where a session went.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from mirror.errors import MirrorError
from mirror.history.progress import FigureTrend
from mirror.history.session import People, SessionKind, SessionRecord
from mirror.vocabulary import Person

if TYPE_CHECKING:
    from mirror.report.model import Report

SIDE_WORDS: dict[str, Person] = {"left": "A", "right": "B", "a": "A", "b": "B"}
"""``--me-side`` (and ``--me left``) words -> the person."""


def people_from_options(
    me: str | None, partner: str | None, me_side: str | None, default_side: Person | None = "A"
) -> People:
    """Who was who, from ``--me``, ``--partner`` and ``--me-side``.

    ``--me left`` / ``--me right`` name no one and only say the side (as ``mirror live``
    always took them); any other ``--me`` is a name.

    Raises
    ------
    MirrorError
        A side that is not left or right, or two sides that disagree.
    """
    side: Person | None = None
    if me_side is not None:
        side = SIDE_WORDS.get(me_side.strip().lower())
        if side is None:
            raise MirrorError(f"--me-side must be left or right, got {me_side!r}")
    for label, given in (("--me", me), ("--partner", partner)):
        if given is not None and not given.strip():
            raise MirrorError(f"{label} must be a name on one line, got {given!r}")
    name = me.strip() if me is not None else None
    if name is not None and name.lower() in ("left", "right"):
        said = SIDE_WORDS[name.lower()]
        if side is not None and side != said:
            raise MirrorError(f"--me {me} and --me-side {me_side} disagree")
        return People(None, partner.strip() if partner else None, said)
    if name is not None or partner is not None:
        side = side or default_side
    return People(name or None, partner.strip() if partner else None, side)


def history_target(history: Path | None, no_history: bool) -> Path | None:
    """The history file a command records into (None: ``--no-history``), checked before any work.

    Raises
    ------
    MirrorError
        Both ``--history`` and ``--no-history``; a damaged, foreign or newer history.
    """
    from mirror.history import open_history

    if no_history:
        if history is not None:
            raise MirrorError("give --history PATH or --no-history, not both")
        return None
    with open_history(history) as h:
        return h.path


def record_and_describe(
    path: Path, report_dir: Path, kind: SessionKind, people: People, report: Report | None = None
) -> tuple[SessionRecord, str]:
    """Record a finished report (``report``: it as built in memory, default read back); the record and one line
    saying where it went."""
    from mirror.history import record_session

    try:
        done = record_session(report_dir, kind, people, path=path, report=report)
    except MirrorError as err:
        raise MirrorError(f"{err} (the report in {report_dir} is written; the session is not in the history)") from None
    verb = "recorded" if done.added else "updated"
    who = f" --me {shlex.quote(people.me_name)}" if people.me_name else ""
    return done.session, f"{verb} session {done.session.id} in the history {done.path} (see `mirror progress{who}`)"


def recent_trends(path: Path, current: SessionRecord, recent: int = 5) -> list[FigureTrend]:
    """This session against the same person's last ``recent`` sessions (:class:`FigureTrend` per figure).

    Without a name, the earlier sessions that have no name either are compared with.
    """
    from mirror.history import compare_latest, open_history

    with open_history(path) as history:
        earlier = [r for r in history.sessions() if r.id != current.id and r.recorded_at <= current.recorded_at]
    person = current.people.me_name
    if person is None:
        earlier = [r for r in earlier if r.people.me_name is None]
    return compare_latest(current, earlier, person, recent)
