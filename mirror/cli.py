"""The ``mirror`` command line.  A thin layer: the library computes, this prints."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info
from typer.models import CommandInfo

from mirror import __version__
from mirror.cli_options import (
    FLAG,
    LAYOUTS,
    PRESETS,
    SIDES,
    Progress,
    check_pose_model,
    check_video_file,
    choices,
    compare_settings,
    model_metavar,
    plural,
    user_errors,
)
from mirror.errors import MirrorError
from mirror.history import cli as history_cli
from mirror.storage import folder_lock

if TYPE_CHECKING:
    from mirror.landmarks import ExtractRun

LAZY_COMMANDS = {
    "batch": ("mirror.batch_cli", "batch"),
    "live": ("mirror.live.cli", "live"),
    "review": ("mirror.review.cli", "review"),
    "progress": ("mirror.history.cli", "progress"),
}
"""Commands whose module is imported only when the command runs or shows its own help: their
packages import the comparator, OpenCV, MediaPipe and the report, which ``mirror --help``,
``mirror info`` and the other commands do not need."""


def _summary(module: str, name: str) -> str:
    """A command's docstring read from its source file, without importing the module or its package."""
    import ast

    path = Path(__file__).resolve().parent.joinpath(*module.split(".")[1:]).with_suffix(".py")
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_docstring(node) or ""
    return ""


class _Commands(TyperGroup):
    """The command group: :data:`LAZY_COMMANDS` are listed from their docstrings and loaded when resolved."""

    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        for name, (module, function) in LAZY_COMMANDS.items():
            self.commands.setdefault(name, TyperCommand(name=name, help=_summary(module, function)))

    def resolve_command(self, ctx, args: list[str]):
        name = args[0] if args else None
        if name in LAZY_COMMANDS and not getattr(self.commands.get(name), "callback", None):
            import importlib

            module, function = LAZY_COMMANDS[name]
            info = CommandInfo(name=name, callback=getattr(importlib.import_module(module), function))
            self.commands[name] = get_command_from_info(
                info, pretty_exceptions_short=True, rich_markup_mode=self.rich_markup_mode
            )
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, as other command-line tools print it: flags without a type, choices as [a|b]
    help="mirror: tells two people when their body language mirrors or matches.",
)


def _silence_native_logs() -> None:
    """Send what native libraries print on fd 2 to /dev/null; Python's stderr keeps working."""
    if os.environ.get("MIRROR_VERBOSE") or sys.stderr is not sys.__stderr__:
        return
    try:
        saved = os.dup(2)
        sys.stderr.flush()
        sys.stderr = sys.__stderr__ = os.fdopen(saved, "w", buffering=1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mirror {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version, metavar=FLAG
    ),
) -> None:
    from mirror.memory import return_freed_memory

    return_freed_memory()  # a long session's stages do not stack their peaks
    _silence_native_logs()


@app.command()
def extract(
    source: str = typer.Argument(..., metavar="SOURCE", help="Video file, still image, or webcam index (0, 1, ...)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for landmarks.npz and extract.json."),
    fps: float | None = typer.Option(
        None, "--fps", help="Analysis rate: subsample to at most this many frames per second."
    ),
    layout: str = typer.Option(
        "auto",
        "--layout",
        metavar=choices(LAYOUTS),
        help="Where the two people are: auto, split (left/right halves) or regions.",
    ),
    regions: str | None = typer.Option(
        None, "--regions", help="With --layout regions: 'x0,y0,x1,y1;x0,y0,x1,y1' in [0, 1], A's box first."
    ),
    model: str = typer.Option("lite", "--model", metavar=model_metavar(), help="Pose model (the installed ones)."),
    face: bool = typer.Option(
        True, "--face/--no-face", metavar=FLAG, help="Also extract the face mesh, head pose and blendshapes."
    ),
    backfill: bool = typer.Option(
        True,
        "--backfill/--no-backfill",
        metavar=FLAG,
        help="Files only: track people back from where they were first found, to recover frames the forward pass missed.",
    ),
    mirrored_input: bool = typer.Option(
        False,
        "--mirrored-input",
        metavar=FLAG,
        help="The source is a mirror (selfie) image; flip it back so left/right stay anatomical.",
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Landmark cache folder (default $MIRROR_CACHE_DIR or ~/.cache/mirror)."
    ),
    use_cache: bool = typer.Option(True, "--cache/--no-cache", metavar=FLAG, help="Reuse and resume cached landmarks."),
    max_seconds: float | None = typer.Option(
        None, "--max-seconds", help="Webcam only: stop after this long (else Ctrl+C stops)."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", metavar=FLAG, help="Show a progress bar."),
) -> None:
    """Extract both people's pose and face landmarks, frame by frame."""
    from mirror.landmarks import ExtractRun, ExtractSettings, Layout, extract_landmarks, extract_video
    from mirror.storage import write_atomic

    with user_errors():
        if not source.isdigit():
            check_video_file(source)
        check_pose_model(model)
        settings = ExtractSettings(
            pose_model=model,
            face=face,
            layout=Layout.parse(layout, regions),
            fps=fps,
            mirrored_input=mirrored_input,
            backfill=backfill,
        )
        if out.exists() and not out.is_dir():
            raise MirrorError(f"--out {out} exists and is not a folder")
        bar = Progress(progress)
        try:
            if source.isdigit():
                from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
                from mirror.sources import WebcamSource

                with WebcamSource(int(source), fps=fps, max_seconds=max_seconds, mirrored_input=mirrored_input) as cam:
                    backend = MediaPipeBackend(model, face=face)
                    try:
                        info0 = ExtractRun(source=cam.info.to_dict(), settings=settings.to_dict())
                        landmarks = extract_landmarks(
                            cam, backend, settings.layout, with_face=face, progress=bar.frames, info=info0
                        )
                    finally:
                        backend.close()
            else:
                landmarks = extract_video(
                    source, settings, cache_dir=cache_dir, use_cache=use_cache, progress=bar.frames, on_total=bar.total
                )
        finally:
            bar.close()
        info = landmarks.info
        with folder_lock(out):
            landmarks.save(out / "landmarks.npz")
            write_atomic(out / "extract.json", json.dumps(info.to_dict(), indent=1, default=str).encode())
    both = info.both_present_rate or 0.0
    present, faces = info.present_rate or {}, info.face_present_rate or {}
    origin = "from the cache" if info.from_cache else f"in {info.seconds_this_run or 0:.1f} s"
    typer.echo(
        f"{plural(len(landmarks), 'frame')} {origin}: both people found in {100 * both:.1f} % of frames "
        f"(A {100 * present['A']:.1f} %, B {100 * present['B']:.1f} %); "
        f"faces A {100 * faces['A']:.1f} %, B {100 * faces['B']:.1f} %"
    )
    recovered = info.backfilled_frames or {}
    if any(recovered.values()):
        typer.echo(f"backward pass recovered A {recovered.get('A', 0)}, B {recovered.get('B', 0)} frames")
    typer.echo(f"wrote {out / 'landmarks.npz'} and {out / 'extract.json'}")
    if info.interrupted and not source.isdigit():  # a camera stops with Ctrl+C; a file was cut short
        typer.echo(
            "interrupted: the frames so far are written and cached; run the same command again to finish", err=True
        )
        raise typer.Exit(130)


def _presence_line(extract_info: ExtractRun | None) -> str:
    """How often each person was in view, with a warning when the comparison has little to go on."""
    both = extract_info.both_present_rate if extract_info is not None else None
    each = (extract_info.present_rate if extract_info is not None else None) or {}
    if both is None:
        return "people in view: unknown"
    line = f"both people in view in {100 * both:.0f} % of frames (A {100 * each.get('A', 0):.0f} %, B {100 * each.get('B', 0):.0f} %)"
    if both < 0.5:
        line += "; the comparison needs both: check that two people are in the picture (see --layout)"
    return line


@app.command()
def analyze(
    source: str = typer.Argument(
        ..., metavar="VIDEO", help="Video file (landmarks come from the cache when already extracted)."
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="Folder for report.json, windows.csv, events.csv, report.html, timeline.png, report.eaf, BORIS tables and provenance.json.",
    ),
    preset: str = typer.Option(
        "live",
        "--preset",
        metavar=choices(PRESETS),
        help="Window presets: live (4 s windows, 0.5 s step, 3 s lag) or report (30 s, 10 s, 5 s).",
    ),
    window_s: float | None = typer.Option(None, "--window-s", help="Window length in seconds (overrides the preset)."),
    step_s: float | None = typer.Option(None, "--step-s", help="Window step in seconds (overrides the preset)."),
    max_lag_s: float | None = typer.Option(
        None, "--max-lag-s", help="Largest lag searched, in seconds (overrides the preset)."
    ),
    surrogates: int = typer.Option(
        200, "--surrogates", help="Surrogate sessions for the pseudo-synchrony test (0: none)."
    ),
    fps: float | None = typer.Option(15.0, "--fps", help="Analysis rate for the landmarks."),
    layout: str = typer.Option(
        "auto", "--layout", metavar=choices(LAYOUTS), help="Where the two people are (see `mirror extract`)."
    ),
    regions: str | None = typer.Option(None, "--regions", help="With --layout regions: 'x0,y0,x1,y1;x0,y0,x1,y1'."),
    model: str = typer.Option("lite", "--model", metavar=model_metavar(), help="Pose model (the installed ones)."),
    mirrored_input: bool = typer.Option(
        False, "--mirrored-input", metavar=FLAG, help="The source is a mirror (selfie) image."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Landmark cache folder."),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", metavar=FLAG, help="Show a progress bar while extracting."
    ),
    me: str | None = typer.Option(None, "--me", help=history_cli.ME_HELP),
    partner: str | None = typer.Option(None, "--partner", help=history_cli.PARTNER_HELP),
    me_side: str | None = typer.Option(None, "--me-side", metavar=choices(SIDES), help=history_cli.ME_SIDE_HELP),
    history: Path | None = typer.Option(None, "--history", help=history_cli.HISTORY_HELP),
    no_history: bool = typer.Option(False, "--no-history", metavar=FLAG, help=history_cli.NO_HISTORY_HELP),
) -> None:
    """Tell mirroring from matching over sliding windows; write the report files."""
    from mirror.landmarks import ExtractSettings, Layout
    from mirror.pipeline import analyze_video, write_session

    with user_errors():
        check_video_file(source)
        check_pose_model(model)
        people = history_cli.people_from_options(me, partner, me_side)
        settings = compare_settings(preset, window_s, step_s, max_lag_s)
        if surrogates < 0:
            raise MirrorError(f"--surrogates must be >= 0, got {surrogates}")
        ext = ExtractSettings(
            pose_model=model, layout=Layout.parse(layout, regions), fps=fps, mirrored_input=mirrored_input
        )
        if out.exists() and not out.is_dir():
            raise MirrorError(f"--out {out} exists and is not a folder")
        history_file = history_cli.history_target(history, no_history)  # a damaged history is refused before any work
        bar = Progress(progress)
        try:
            session = analyze_video(
                source,
                settings,
                ext,
                n_surrogates=surrogates,
                cache_dir=cache_dir,
                progress=bar.frames,
                on_total=bar.total,
                keep_landmarks=False,
            )
        finally:
            bar.close()
        with folder_lock(out):
            paths = write_session(session, out)
            from mirror.report import write_all

            paths.update(write_all(out, source))
        recorded = history_cli.record_and_describe(history_file, out, "analyze", people)[1] if history_file else None
    from mirror.report import read_report
    from mirror.report.doc import (
        adapted_text,
        alpha_of,
        calibration_text,
        confidence_word,
        format_p,
        nothing_text,
        synchrony_missing,
        synchrony_reference,
        usability_rows,
    )

    doc = read_report(out)
    result = session.synchrony
    share = result.summary.share
    sync = result.summary.synchrony
    typer.echo(_presence_line(session.extract))
    unusable = [r["text"] for r in usability_rows(doc) if r["reason"] != "ok"]
    for line in unusable:
        typer.echo(f"  {line}")
    nothing = nothing_text(doc)
    if nothing is not None:
        typer.echo(nothing)
        typer.echo(f"wrote {plural(len(paths), 'file')} to {out}: {', '.join(p.name for p in paths.values())}")
        if recorded:
            typer.echo(recorded)
        return
    typer.echo(calibration_text(doc))
    adapted = adapted_text(doc)
    if adapted:
        typer.echo(adapted)
    alpha = alpha_of(doc)
    typer.echo(
        f"{plural(len(result.windows), 'window')}, labelled only where beyond chance: mirror {100 * share['mirror']:.0f} %, "
        f"match {100 * share['match']:.0f} %, symmetric {100 * share['symmetric']:.0f} %, none {100 * share['none']:.0f} %"
        + (
            f"; insufficient data in {plural(result.summary.insufficient_windows, 'window')}"
            if result.summary.insufficient_windows
            else ""
        )
    )
    reference = synchrony_reference(doc)  # the same words as report.html and the review page
    if not math.isfinite(sync.real):
        typer.echo("synchrony not measurable: no window has both people in view long enough")
    elif reference is not None:
        typer.echo(
            f"synchrony: {reference['words'].rstrip('.')} (synchrony {sync.real:.3f} vs pseudo-synchrony {sync.surrogate_mean:.3f}, "
            f"effect size {sync.effect_size:.2f}, p = {format_p(sync.p_value)})"
        )
    else:
        typer.echo(f"synchrony: {synchrony_missing(doc)}")
    for e in result.events[:10]:
        typer.echo(
            f"  {e.start_s:7.1f}-{e.end_s:7.1f} s  {e.kind:9s} leader {e.leader or '-':8s} lag {e.lag_s:+.2f} s  "
            f"strength {e.strength:.2f}  p={format_p(e.p_value)} {confidence_word(e.p_value, alpha)}  {', '.join(e.channels)}"
        )
    if len(result.events) > 10:
        typer.echo(f"  ... {plural(len(result.events) - 10, 'more event')} in {paths['events.csv']}")
    for d in session.mechanical.directions.values():
        if d.flagged:
            ranges = ", ".join(f"{a:.0f}-{b:.0f} s" for a, b in d.flagged_ranges[:5])
            typer.echo(f"mechanical imitation: {d.copier} copies {d.model} (score {d.score:.2f}; {ranges})")
            for r in d.reasons:
                typer.echo(f"  - {r.text}")
    warnings = sum(m.kind == "warning" for m in session.feedback)
    if session.feedback:
        typer.echo(
            f"{plural(len(session.feedback), 'coaching message')} ({plural(warnings, 'warning')}) in report.json"
        )
    typer.echo(f"wrote {plural(len(paths), 'file')} to {out}: {', '.join(p.name for p in paths.values())}")
    if recorded:
        typer.echo(recorded)


@app.command()
def info() -> None:
    """Show versions, the model files and the cameras found."""
    import cv2
    import numpy as np

    from mirror.model_files import SHA256, model_status, models_origin
    from mirror.sources import list_cameras

    typer.echo(f"mirror {__version__}")
    typer.echo(f"python {platform.python_version()} ({sys.executable})")
    typer.echo(f"numpy {np.__version__}")
    opencv = _opencv_distributions()
    typer.echo(f"opencv {cv2.__version__} ({', '.join(opencv) or 'not from PyPI'})")
    if len(opencv) > 1:
        typer.echo(
            "warning: several OpenCV packages share one cv2; repair with "
            "`pip uninstall -y opencv-python opencv-contrib-python && pip install opencv-contrib-python`"
        )
    try:
        from importlib import metadata

        try:
            version = metadata.version("mediapipe")  # the installed version, without a second of importing it
        except metadata.PackageNotFoundError:
            from mirror.landmarks.mediapipe_adapter import mediapipe_version

            version = mediapipe_version()
        typer.echo(f"mediapipe {version}")
    except Exception as exc:  # broken install: say so, keep going
        typer.echo(f"mediapipe unavailable ({type(exc).__name__}: {exc})")
    folder, origin = models_origin()
    typer.echo(f"models in {folder} ({origin}):")
    for name, status in model_status().items():
        where = (
            ""
            if origin.startswith("the repository")
            else " in a mirror checkout, then set MIRROR_MODELS_DIR to its models/"
        )
        note = "" if status == "ok" else f"  (rebuild: bash models/build.sh{where})"
        if name == "pose_landmarker_heavy.task" and status == "missing":
            note = f"  (optional, for --model heavy: VARIANTS=lite,full,heavy bash models/build.sh{where})"
        typer.echo(f"  {name:28s} {status:8s} sha256 {SHA256[name][:16]}{note}")
    cameras = list_cameras()
    typer.echo(f"cameras: {', '.join(map(str, cameras)) if cameras else 'none found'}")


def _opencv_distributions() -> list[str]:
    from importlib import metadata

    names = ("opencv-python", "opencv-contrib-python", "opencv-python-headless", "opencv-contrib-python-headless")
    found = []
    for name in names:
        try:
            metadata.version(name)
            found.append(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
