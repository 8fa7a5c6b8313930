"""``mirror progress``, and the history options shared by ``analyze``, ``batch`` and ``live``.

Registered on the app in mirror/cli.py.  The library computes; this module only parses
options and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mirror.errors import MirrorError
from mirror.history.progress import FigureTrend
from mirror.history.session import People, SessionRecord

SIDE_WORDS = {"left": "A", "right": "B", "a": "A", "b": "B"}
HISTORY_HELP = "Session history file (default $MIRROR_HISTORY, else the user data folder, e.g. ~/.local/share/mirror/history.sqlite)."
NO_HISTORY_HELP = "Do not record this session in the history."
ME_HELP = "Your name, recorded in the history (`mirror progress --me NAME`)."
PARTNER_HELP = "Your partner's name, recorded in the history."
ME_SIDE_HELP = "Which person is you: left (A, the default) or right (B)."


def people_from_options(
    me: str | None, partner: str | None, me_side: str | None, default_side: str | None = "A"
) -> People:
    """Who was who, from ``--me``, ``--partner`` and ``--me-side``.

    ``--me left`` / ``--me right`` name no one and only say the side (as ``mirror live``
    always took them); any other ``--me`` is a name.

    Raises
    ------
    MirrorError
        A side that is not left or right, or two sides that disagree.
    """
    side = None
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


def record_and_describe(path: Path, report_dir: Path, kind: str, people: People) -> tuple[SessionRecord, str]:
    """Record a finished report; the record and one line saying where it went."""
    from mirror.history import record_session

    try:
        done = record_session(report_dir, kind, people, path=path)
    except MirrorError as err:
        raise MirrorError(f"{err} (the report in {report_dir} is written; the session is not in the history)") from None
    verb = "recorded" if done.added else "updated"
    who = f" --me {_quote(people.me_name)}" if people.me_name else ""
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


def progress(
    me: str | None = typer.Option(
        None,
        "--me",
        help="Whose progress: a name given to analyze, batch or live (as --me or --partner). Default: every session.",
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only sessions recorded on or after this date (2026-03-01, or 2026-03-01T14:30)."
    ),
    out: Path = typer.Option(Path("progress.html"), "--out", "-o", help="Where to write the progress page."),
    csv_path: Path | None = typer.Option(None, "--csv", help="Also write every session's figures to this CSV file."),
    forget: str | None = typer.Option(
        None,
        "--forget",
        metavar="SESSION",
        help="Delete one session's record (its number, as listed); its report files stay.",
    ),
    last: int = typer.Option(10, "--last", help="How many recent sessions to list."),
    history: Path | None = typer.Option(None, "--history", help=HISTORY_HELP),
) -> None:
    """Your sessions over time: recent sessions, better / worse / steady per figure, progress.html and CSV.

    Everything is read from the local history; nothing leaves the machine.
    """
    try:
        _progress(me, since, out, csv_path, forget, last, history)
    except MirrorError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def _progress(
    me: str | None,
    since: str | None,
    out: Path,
    csv_path: Path | None,
    forget: str | None,
    last: int,
    history: Path | None,
) -> None:
    from mirror.history import (
        describe,
        load_progress,
        open_history,
        parse_since,
        write_progress_csv,
        write_progress_page,
    )
    from mirror.history.progress import format_value, local_time

    if last < 0:
        raise MirrorError(f"--last must be >= 0, got {last}")
    if forget is not None:
        if not forget.strip().isdigit():
            raise MirrorError(f"--forget takes a session number as `mirror progress` lists them, got {forget!r}")
        with open_history(history, create=False) as h:
            gone = h.forget(int(forget))
        typer.echo(
            f"forgot session {gone.id} ({Path(gone.source).name}, recorded {local_time(gone.recorded_at)}); its report in {gone.report_dir} is kept"
        )
        return
    since_iso = parse_since(since) if since else None
    prog = load_progress(history, me, since_iso)
    if out.exists() and out.is_dir():
        raise MirrorError(f"--out {out} is a folder: give a file name such as {out / 'progress.html'}")
    if not prog.views:
        typer.echo("no sessions recorded" + (f" since {since}" if since else "") + " yet")
        return
    who = me or "everyone"
    n = len(prog.views)
    typer.echo(
        f"{n} session{'' if n == 1 else 's'} of {who}"
        + (f" since {since}" if since else "")
        + f"; the last {min(last, len(prog.views))}:"
    )
    figs = {f.key: f for f in prog.figures}
    for v in prog.views[::-1][:last]:
        r = v.record
        mech = format_value(figs["mechanical_copier"], v.values.get("mechanical_copier"))
        typer.echo(
            f"  {r.id:5d}  {local_time(r.recorded_at)}  {Path(r.source).name[:28]:28s}  "
            f"mirror {format_value(figs['mirror_share'], r.mirror_share):>5s}  match {format_value(figs['match_share'], r.match_share):>5s}  "
            f"delay {format_value(figs['follow_lag_s'], v.values.get('follow_lag_s')):>7s}  mechanical {mech}"
        )
    typer.echo("latest session against the earlier ones:")
    for t in prog.trends:
        typer.echo(f"  {describe(t)}")
    page = write_progress_page(prog, out)
    typer.echo(f"wrote {page}")
    if csv_path is not None:
        typer.echo(f"wrote {write_progress_csv(prog, csv_path)}")


def _quote(name: str) -> str:
    import shlex

    return shlex.quote(name)
