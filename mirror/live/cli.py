"""``mirror live``: the command line of :mod:`mirror.live` (registered on the app in mirror/cli.py)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from mirror.cli_options import FLAG, SIDES, check_pose_model, check_video_file, choices, fail, model_metavar, plural
from mirror.errors import MirrorError


def live(
    camera: int = typer.Option(0, "--camera", help="Camera index (0 is the default camera)."),
    source: Path | None = typer.Option(
        None, "--source", help="Play a video file as if it were the camera (real time; late frames are dropped)."
    ),
    partner_video: Path | None = typer.Option(
        None, "--partner-video", help="Solo practice: a recorded partner clip shown beside your camera image."
    ),
    me: str | None = typer.Option(
        None,
        "--me",
        help="Which person is you: left or right (solo practice: the side your image is shown on; default right); any other value is your name, for the history.",
    ),
    me_side: str | None = typer.Option(
        None,
        "--me-side",
        metavar=choices(SIDES),
        help="With --me NAME: which person is you, left or right (default left; right in solo practice).",
    ),
    partner: str | None = typer.Option(None, "--partner", help="Your partner's name, recorded in the history."),
    selfie_view: bool = typer.Option(
        False,
        "--selfie-view",
        metavar=FLAG,
        help="Show a mirror image, like a selfie camera (display only: the analysis is never flipped).",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Folder for the session's report, landmarks, snapshots and recordings (default live-sessions/DATE-TIME).",
    ),
    model: str = typer.Option("lite", "--model", metavar=model_metavar(), help="Pose model (the installed ones)."),
    face: bool = typer.Option(
        True, "--face/--no-face", metavar=FLAG, help="Also run the face model (head pose and expressions)."
    ),
    fps: float = typer.Option(15.0, "--fps", help="Recording and analysis rate; skeletons are drawn on every frame."),
    surrogates: int = typer.Option(
        200, "--surrogates", help="Surrogate sessions for the final report's pseudo-synchrony test (0: none)."
    ),
    max_seconds: float | None = typer.Option(None, "--max-seconds", help="Stop after this many seconds."),
    window: bool = typer.Option(
        True,
        "--window/--no-window",
        metavar=FLAG,
        help="Show the live window (without it, only the report is written).",
    ),
    history: Path | None = typer.Option(
        None, "--history", help="Session history file (default $MIRROR_HISTORY, else the user data folder)."
    ),
    no_history: bool = typer.Option(
        False, "--no-history", metavar=FLAG, help="Do not record this session in the history."
    ),
) -> None:
    """Practise live: your camera with on-screen feedback, with a partner or a recorded partner clip.

    Keys in the window: q quits, space pauses, s saves a snapshot, r starts or stops recording.
    """
    from mirror.history import cli as history_cli
    from mirror.live import LiveSession, LiveSettings, OffscreenDisplay, WindowDisplay, check_screen, open_sources

    try:
        people = history_cli.people_from_options(me, partner, me_side, default_side="B" if partner_video else "A")
    except MirrorError as err:
        fail(str(err))
    if out is None:
        out = Path("live-sessions") / time.strftime("%Y%m%d-%H%M%S")
    try:
        check_pose_model(model)
        for what, path in (("--source", source), ("--partner-video", partner_video)):
            if path is not None:
                check_video_file(path, what)
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
        if out.exists() and not out.is_dir():
            raise MirrorError(f"--out {out} exists and is not a folder")
        history_file = history_cli.history_target(
            history, no_history
        )  # a damaged history is refused before the session
        if window:
            check_screen()
        sources = open_sources(settings)
        display = WindowDisplay() if window else OffscreenDisplay()
        session = LiveSession(
            settings, out, display, sources=sources, on_saving=lambda: typer.echo("saving the session ...", err=True)
        )
    except MirrorError as err:
        fail(str(err))
    except KeyboardInterrupt:
        fail("interrupted before the session started; nothing was recorded", 130)
    if window:
        typer.echo(f"mirror live: q quits, space pauses, s saves a snapshot, r records; saving to {out}", err=True)
    else:
        typer.echo(f"mirror live: no window; Ctrl+C stops; saving to {out}", err=True)
    try:
        result = session.run()
    except MirrorError as err:
        display.close()
        fail(str(err))
    except KeyboardInterrupt:
        display.close()
        fail(
            f"interrupted while saving; the landmarks recorded so far are in {out / 'landmarks.npz'} if it exists", 130
        )
    try:
        _summarise(result)
        if history_file is not None and result.session is not None and "report.json" in result.paths:
            trends = _record(history_file, out, people, history_cli)
            if window and display.is_open():
                _end_screen(display, trends, people, session.last_image)
    finally:
        display.close()
    if result.ended_by == "error":
        fail(f"the live pipeline failed ({result.error}); what was recorded is saved in {out}", 1)


def _record(history_file: Path, out: Path, people, history_cli) -> list:
    """Record the finished session and print it against the same person's last few; returns those trends."""
    from mirror.history import describe

    try:
        current, line = history_cli.record_and_describe(history_file, out, "live", people)
        trends = history_cli.recent_trends(history_file, current)
    except MirrorError as err:
        fail(str(err))
    typer.echo(line)
    typer.echo(_comparison_title(people) + ":")
    for t in trends:
        typer.echo(f"  {describe(t, 'sessions')}")
    return trends


def _comparison_title(people) -> str:
    return (
        "this session against your last ones" if people.me_name else "this session against the last ones without a name"
    )


def _end_screen(display, trends: list, people, last_image) -> None:
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


def _summarise(result) -> None:
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
    lat = st["latency_ms"]
    latency = f", latency {lat['median']:.0f} ms median" if lat["median"] is not None else ""
    typer.echo(
        f"{endings.get(result.ended_by, result.ended_by)} after {st['seconds']:.1f} s: {plural(st['frames_shown'], 'frame')} shown "
        f"({st['fps_shown'] or 0:.1f} fps{latency}), {st['frames_recorded']} recorded"
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
                f"{plural(len(syn.windows), 'window')}: mirror {100 * share['mirror']:.0f} %, match {100 * share['match']:.0f} %, "
                f"symmetric {100 * share['symmetric']:.0f} %, none {100 * share['none']:.0f} %"
            )
            sync = syn.summary.synchrony
            if sync.n_surrogates:
                typer.echo(
                    f"synchrony {sync.real:.3f} vs pseudo-synchrony {sync.surrogate_mean:.3f} (p = {sync.p_value:.3f})"
                )
            elif sync.get("real") is not None:
                typer.echo(f"synchrony {sync['real']:.3f} ({sync['method']})")
        names = {"A": "A", "B": "B"}
        me = (session.provenance.get("live") or {}).get("me")
        if me in ("A", "B"):
            names = {me: "you", "B" if me == "A" else "A": "your partner"}
        for d in session.mechanical.directions.values():
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
