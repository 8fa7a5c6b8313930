"""``mirror live``: practise with the camera and on-screen feedback; the session is saved as a report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mirror.cli.errors import fail, user_errors
from mirror.cli.history import history_target, people_from_options, recent_trends, record_and_describe
from mirror.cli.options import (
    FLAG,
    Partner,
    PoseModel,
    check_out_folder,
    history_option,
    me_option,
    me_side_option,
    no_history_option,
    out_option,
    plural,
    surrogates_option,
)

if TYPE_CHECKING:
    import numpy as np

    from mirror.history.progress import FigureTrend
    from mirror.history.session import People
    from mirror.live import LiveResult
    from mirror.live.display import Display


def live(
    camera: Annotated[int, typer.Option("--camera", help="Camera index (0 is the default camera).")] = 0,
    source: Annotated[
        Path | None,
        typer.Option(
            "--source", help="Play a video file as if it were the camera (real time; late frames are dropped)."
        ),
    ] = None,
    partner_video: Annotated[
        Path | None,
        typer.Option("--partner-video", help="Solo practice: a recorded partner clip shown beside your camera image."),
    ] = None,
    me: Annotated[
        str | None,
        me_option(
            "Which person is you: left or right (solo practice: the side your image is shown on; default right); "
            "any other value is your name, for the history."
        ),
    ] = None,
    me_side: Annotated[
        str | None,
        me_side_option("With --me NAME: which person is you, left or right (default left; right in solo practice)."),
    ] = None,
    partner: Partner = None,
    selfie_view: Annotated[
        bool,
        typer.Option(
            "--selfie-view",
            metavar=FLAG,
            help="Show a mirror image, like a selfie camera (display only: the analysis is never flipped).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        out_option(
            "Folder for the session's report, landmarks, snapshots and recordings (default live-sessions/DATE-TIME)."
        ),
    ] = None,
    model: PoseModel = "lite",
    face: Annotated[
        bool,
        typer.Option("--face/--no-face", metavar=FLAG, help="Also run the face model (head pose and expressions)."),
    ] = True,
    fps: Annotated[
        float, typer.Option("--fps", help="Recording and analysis rate; skeletons are drawn on every frame.")
    ] = 15.0,
    surrogates: Annotated[
        int, surrogates_option("Surrogate sessions for the final report's pseudo-synchrony test (0: none).")
    ] = 200,
    max_seconds: Annotated[float | None, typer.Option("--max-seconds", help="Stop after this many seconds.")] = None,
    window: Annotated[
        bool,
        typer.Option(
            "--window/--no-window",
            metavar=FLAG,
            help="Show the live window (without it, only the report is written).",
        ),
    ] = True,
    history: Annotated[
        Path | None, history_option("Session history file (default $MIRROR_HISTORY, else the user data folder).")
    ] = None,
    no_history: Annotated[bool, no_history_option()] = False,
) -> None:
    """Practise live: your camera with on-screen feedback, with a partner or a recorded partner clip.

    Keys in the window: q quits, space pauses, s saves a snapshot, r starts or stops recording.
    """
    from mirror.live import LiveSession, LiveSettings, OffscreenDisplay, WindowDisplay, check_screen, open_sources
    from mirror.sources import check_file

    if out is None:
        out = Path("live-sessions") / time.strftime("%Y%m%d-%H%M%S")
    with user_errors(interrupted="interrupted before the session started; nothing was recorded"):
        people = people_from_options(me, partner, me_side, default_side="B" if partner_video else "A")
        for what, path in (("--source", source), ("--partner-video", partner_video)):
            if path is not None:
                check_file(path, what)
        settings = LiveSettings(
            camera=camera,
            source=source,
            partner_video=partner_video,
            me=people.me_side,
            selfie=selfie_view,
            pose_model=model,
            face=face,
            fps=fps,
            surrogates=surrogates,
            max_seconds=max_seconds,
        )
        check_out_folder(out)
        history_file = history_target(history, no_history)  # a damaged history is refused before the session
        if window:
            check_screen()
        sources = open_sources(settings)
        display = WindowDisplay() if window else OffscreenDisplay()
        session = LiveSession(
            settings, out, display, sources=sources, on_saving=lambda: typer.echo("saving the session ...", err=True)
        )
    if window:
        typer.echo(f"mirror live: q quits, space pauses, s saves a snapshot, r records; saving to {out}", err=True)
    else:
        typer.echo(f"mirror live: no window; Ctrl+C stops; saving to {out}", err=True)
    saving = f"interrupted while saving; the landmarks recorded so far are in {out / 'landmarks.npz'} if it exists"
    with user_errors(interrupted=saving):
        try:
            result = session.run()
        except BaseException:
            display.close()
            raise
    try:  # a history that cannot be written is one line too (the command group's user_errors)
        _summarise(result)
        if history_file is not None and result.session is not None and "report.json" in result.paths:
            trends = _record(history_file, out, people)
            if window and display.is_open():
                _end_screen(display, trends, people, session.last_image)
    finally:
        display.close()
    if result.ended_by == "error":
        fail(f"the live pipeline failed ({result.error}); what was recorded is saved in {out}", 1)


def _record(history_file: Path, out: Path, people: People) -> list[FigureTrend]:
    """Record the finished session and print it against the same person's last few; returns those trends."""
    from mirror.history import describe

    current, line = record_and_describe(history_file, out, "live", people)
    trends = recent_trends(history_file, current)
    typer.echo(line)
    typer.echo(_comparison_title(people) + ":")
    for t in trends:
        typer.echo(f"  {describe(t, 'sessions')}")
    return trends


def _comparison_title(people: People) -> str:
    return (
        "this session against your last ones" if people.me_name else "this session against the last ones without a name"
    )


def _end_screen(display: Display, trends: list[FigureTrend], people: People, last_image: np.ndarray | None) -> None:
    """Show the comparison in the window until a key is pressed, the window is closed, or a few seconds pass."""
    from mirror.live.endcard import END_HOLD_S, draw_end_card
    from mirror.live.keys import NO_KEY

    h, w = last_image.shape[:2] if last_image is not None else (480, 640)
    title = (f"{people.me_name}: " if people.me_name else "") + _comparison_title(people)
    until = time.monotonic() + END_HOLD_S
    try:
        display.show(draw_end_card((w, h), title, trends))
        while time.monotonic() < until and display.is_open():
            if display.poll_key(50) != NO_KEY:
                break
    except KeyboardInterrupt:
        pass


def _summarise(result: LiveResult) -> None:
    st = result.stats
    endings = {
        "quit": "stopped (q)",
        "closed": "window closed",
        "end": "the video ended",
        "lost": "source lost",
        "time": "time limit reached",
        "interrupt": "stopped by Ctrl-C",
        "error": "pipeline failure",
    }
    lat = st.latency_ms
    latency = f", latency {lat.median:.0f} ms median" if lat.median is not None else ""
    typer.echo(
        f"{endings.get(result.ended_by, result.ended_by)} after {st.seconds:.1f} s: "
        f"{plural(st.frames_shown, 'frame')} shown "
        f"({st.fps_shown or 0:.1f} fps{latency}), {st.frames_recorded} recorded"
    )
    if result.ended_by == "lost":
        typer.echo(f"camera lost: {result.error}; everything recorded until then is saved")
    session = result.session
    if session is None:
        typer.echo("nothing was recorded: no report written")
    else:
        syn = session.synchrony
        share = syn.summary.share
        if len(syn.windows) == 0:
            typer.echo(f"the session is shorter than one {syn.run.settings.window_s:g} s window: no windows")
        else:
            typer.echo(
                f"{plural(len(syn.windows), 'window')}: mirror {100 * share['mirror']:.0f} %, "
                f"match {100 * share['match']:.0f} %, "
                f"symmetric {100 * share['symmetric']:.0f} %, none {100 * share['none']:.0f} %"
            )
            sync = syn.summary.synchrony
            if sync.n_surrogates:
                typer.echo(
                    f"synchrony {sync.real:.3f} vs pseudo-synchrony {sync.surrogate_mean:.3f} (p = {sync.p_value:.3f})"
                )
            elif sync.real is not None:
                typer.echo(f"synchrony {sync.real:.3f} ({sync.method})")
        names = {"A": "A", "B": "B"}
        me = (session.provenance.get("live") or {}).get("me")
        if me in ("A", "B"):
            names = {me: "you", "B" if me == "A" else "A": "your partner"}
        for d in session.mechanical.directions.values() if session.mechanical is not None else ():
            if d.flagged:
                typer.echo(f"mechanical imitation: {names[d.copier]} copied {names[d.model]} (score {d.score:.2f})")
        if session.feedback:
            warnings = sum(m.kind == "warning" for m in session.feedback)
            typer.echo(
                f"{plural(len(session.feedback), 'coaching message')} ({plural(warnings, 'warning')}) in report.json"
            )
    for p in result.snapshots:
        typer.echo(f"snapshot {p}")
    for p in result.recordings:
        typer.echo(f"recording {p}")
    if result.paths:
        typer.echo(f"wrote {', '.join(str(p) for p in result.paths.values())}")
