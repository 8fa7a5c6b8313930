"""``mirror progress``: the sessions of the local history over time, as lines, a page and a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mirror.cli.options import history_option, me_option, out_option
from mirror.errors import MirrorError


def progress(
    me: Annotated[
        str | None,
        me_option(
            "Whose progress: a name given to analyze, batch or live (as --me or --partner). Default: every session."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only sessions recorded on or after this date (2026-03-01, or 2026-03-01T14:30)."),
    ] = None,
    out: Annotated[Path, out_option("Where to write the progress page.")] = Path("progress.html"),
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write every session's figures to this CSV file.")
    ] = None,
    forget: Annotated[
        int | None,
        typer.Option(
            "--forget",
            metavar="SESSION",
            parser=session_number,
            help="Delete one session's record (its number, as listed); its report files stay.",
        ),
    ] = None,
    last: Annotated[int, typer.Option("--last", min=0, help="How many recent sessions to list.")] = 10,
    history: Annotated[Path | None, history_option()] = None,
) -> None:
    """Your sessions over time: recent sessions, better / worse / steady per figure, progress.html and CSV.

    Everything is read from the local history; nothing leaves the machine.
    """
    from mirror.history import (
        describe,
        load_progress,
        open_history,
        parse_since,
        write_progress_csv,
        write_progress_page,
    )
    from mirror.history.progress import format_value, local_time

    if forget is not None:
        with open_history(history, create=False) as h:
            gone = h.forget(forget)
        typer.echo(
            f"forgot session {gone.id} ({Path(gone.source).name}, recorded {local_time(gone.recorded_at)}); "
            f"its report in {gone.report_dir} is kept"
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
            f"mirror {format_value(figs['mirror_share'], r.mirror_share):>5s}  "
            f"match {format_value(figs['match_share'], r.match_share):>5s}  "
            f"delay {format_value(figs['follow_lag_s'], v.values.get('follow_lag_s')):>7s}  mechanical {mech}"
        )
    typer.echo("latest session against the earlier ones:")
    for t in prog.trends:
        typer.echo(f"  {describe(t)}")
    page = write_progress_page(prog, out)
    typer.echo(f"wrote {page}")
    if csv_path is not None:
        typer.echo(f"wrote {write_progress_csv(prog, csv_path)}")


def session_number(text: str) -> int:
    """``--forget``: a session number as ``mirror progress`` lists them (typer calls this on the value).

    Raises
    ------
    MirrorError
        Anything but a whole number.
    """
    if not text.strip().isdigit():
        raise MirrorError(f"--forget takes a session number as `mirror progress` lists them, got {text!r}")
    return int(text)
