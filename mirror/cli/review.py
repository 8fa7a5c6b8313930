"""``mirror review``: a session in the browser, served on 127.0.0.1 or written as one standalone page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mirror.cli.bars import ProgressBar
from mirror.cli.errors import RESUME, user_errors
from mirror.cli.options import FLAG, cache_dir_option, progress_option
from mirror.errors import MirrorError
from mirror.review.server import DEFAULT_PORT


def review(
    out_dir: Annotated[
        Path, typer.Argument(metavar="OUT_DIR", help="Output folder of `mirror analyze` (holds report.json).")
    ],
    static: Annotated[
        bool,
        typer.Option(
            "--static",
            metavar=FLAG,
            help="Write OUT_DIR/review.html, one standalone file, instead of serving the page.",
        ),
    ] = False,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (if taken, any free port; 0: any free port)."),
    ] = DEFAULT_PORT,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", metavar=FLAG, help="Open the page in the default browser.")
    ] = True,
    video: Annotated[
        Path | None, typer.Option("--video", help="The analysed video, if it has moved since the analysis.")
    ] = None,
    cache_dir: Annotated[
        Path | None,
        cache_dir_option("Landmark cache folder (for the skeletons, when OUT_DIR has no landmarks)."),
    ] = None,
    progress: Annotated[bool, progress_option("Show a progress bar if landmarks must be extracted.")] = True,
) -> None:
    """Review a session in the browser: the video with both skeletons, its timeline and events to mark right or wrong.

    Serves the page on 127.0.0.1 until Ctrl+C (only this folder's files and the video), or with
    --static writes OUT_DIR/review.html. Marks are kept in the browser and exported as CSV.
    """
    from mirror.review import prepare_review, serve_review, write_static_review

    with user_errors(interrupted=RESUME):
        if not out_dir.is_dir():
            raise MirrorError(f"{out_dir} is not a folder: give the --out folder of `mirror analyze`")
        if video is not None and not video.is_file():
            raise MirrorError(f"--video {video} is not a file")
        bar = ProgressBar(progress)
        try:
            session = prepare_review(out_dir, video=video, cache_dir=cache_dir, progress=bar.frames, on_total=bar.total)
        finally:
            bar.close()
        if session.skeleton is None:
            typer.echo(f"no skeletons: {session.skeleton_from}", err=True)
        if session.video_note:
            typer.echo(session.video_note, err=True)
        if static:
            path = write_static_review(session)
            typer.echo(f"wrote {path}")
            if open_browser:
                _open(path.resolve().as_uri())
            return
        server = serve_review(session, port=port)
    typer.echo(f"serving {out_dir} at {server.url} (127.0.0.1 only); Ctrl+C stops")
    if open_browser:
        _open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    typer.echo("stopped")


def _open(url: str) -> None:
    import webbrowser

    try:
        webbrowser.open(url)
    except Exception:  # no browser here: the URL is printed
        pass
