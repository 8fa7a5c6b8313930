"""``mirror extract``: both people's landmarks from a video file, a still image or a webcam."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mirror.cli.bars import ProgressBar
from mirror.cli.errors import RESUME, user_errors
from mirror.cli.options import (
    FLAG,
    PoseModel,
    cache_dir_option,
    check_out_folder,
    layout_option,
    mirrored_input_option,
    out_option,
    plural,
    progress_option,
)
from mirror.vocabulary import LayoutMode


def extract(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="Video file, still image, or webcam index (0, 1, ...).")
    ],
    out: Annotated[Path, out_option("Folder for landmarks.npz and extract.json.")],
    fps: Annotated[
        float | None, typer.Option("--fps", help="Analysis rate: subsample to at most this many frames per second.")
    ] = None,
    layout: Annotated[
        LayoutMode, layout_option("Where the two people are: auto, split (left/right halves) or regions.")
    ] = "auto",
    regions: Annotated[
        str | None,
        typer.Option("--regions", help="With --layout regions: 'x0,y0,x1,y1;x0,y0,x1,y1' in [0, 1], A's box first."),
    ] = None,
    model: PoseModel = "lite",
    face: Annotated[
        bool,
        typer.Option("--face/--no-face", metavar=FLAG, help="Also extract the face mesh, head pose and blendshapes."),
    ] = True,
    backfill: Annotated[
        bool,
        typer.Option(
            "--backfill/--no-backfill",
            metavar=FLAG,
            help="Files only: track people back from where they were first found, "
            "to recover frames the forward pass missed.",
        ),
    ] = True,
    mirrored_input: Annotated[
        bool,
        mirrored_input_option("The source is a mirror (selfie) image; flip it back so left/right stay anatomical."),
    ] = False,
    cache_dir: Annotated[
        Path | None, cache_dir_option("Landmark cache folder (default $MIRROR_CACHE_DIR or ~/.cache/mirror).")
    ] = None,
    use_cache: Annotated[
        bool, typer.Option("--cache/--no-cache", metavar=FLAG, help="Reuse and resume cached landmarks.")
    ] = True,
    max_seconds: Annotated[
        float | None, typer.Option("--max-seconds", help="Webcam only: stop after this long (else Ctrl+C stops).")
    ] = None,
    progress: Annotated[bool, progress_option("Show a progress bar.")] = True,
) -> None:
    """Extract both people's pose and face landmarks, frame by frame."""
    from mirror.landmarks import ExtractRun, ExtractSettings, Layout
    from mirror.sources import camera_or_file
    from mirror.storage import folder_lock, write_atomic

    with user_errors(interrupted=RESUME):
        where = camera_or_file(source)
        settings = ExtractSettings(
            pose_model=model,
            face=face,
            layout=Layout.parse(layout, regions),
            fps=fps,
            mirrored_input=mirrored_input,
            backfill=backfill,
        )
        check_out_folder(out)
        bar = ProgressBar(progress)
        try:
            if isinstance(where, int):
                from mirror.landmarks import extract_landmarks
                from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
                from mirror.sources import WebcamSource

                with WebcamSource(where, fps=fps, max_seconds=max_seconds, mirrored_input=mirrored_input) as cam:
                    backend = MediaPipeBackend(model, face=face)
                    try:
                        info0 = ExtractRun(source=cam.info.to_dict(), settings=settings.to_dict())
                        landmarks = extract_landmarks(
                            cam, backend, settings.layout, with_face=face, progress=bar.frames, info=info0
                        )
                    finally:
                        backend.close()
            else:
                from mirror.landmarks import extract_video

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
    if info.interrupted and not isinstance(where, int):  # a camera stops with Ctrl+C; a file was cut short
        typer.echo(
            "interrupted: the frames so far are written and cached; run the same command again to finish", err=True
        )
        raise typer.Exit(130)
