"""The ``mirror`` command line.  A thin layer: the library computes, this prints."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Optional

import typer

from mirror import __version__
from mirror.errors import MirrorError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="mirror: tells two people when their body language mirrors or matches.",
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


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


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(f"mirror {__version__}")
        raise typer.Exit(0)
    _silence_native_logs()


@app.command()
def extract(
    source: str = typer.Argument(..., help="Video file, still image, or webcam index (0, 1, ...)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for landmarks.npz and extract.json."),
    fps: Optional[float] = typer.Option(None, "--fps", help="Analysis rate: subsample to at most this many frames per second."),
    layout: str = typer.Option("auto", "--layout", help="Where the two people are: auto, split (left/right halves) or regions."),
    regions: Optional[str] = typer.Option(None, "--regions", help="With --layout regions: 'x0,y0,x1,y1;x0,y0,x1,y1' in [0, 1], A's box first."),
    model: str = typer.Option("lite", "--model", help="Pose model: lite, full or heavy."),
    face: bool = typer.Option(True, "--face/--no-face", help="Also extract the face mesh, head pose and blendshapes."),
    backfill: bool = typer.Option(True, "--backfill/--no-backfill", help="Files only: track people back from where they were first found, to recover frames the forward pass missed."),
    mirrored_input: bool = typer.Option(False, "--mirrored-input", help="The source is a mirror (selfie) image; flip it back so left/right stay anatomical."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Landmark cache folder (default $MIRROR_CACHE_DIR or ~/.cache/mirror)."),
    use_cache: bool = typer.Option(True, "--cache/--no-cache", help="Reuse and resume cached landmarks."),
    max_seconds: Optional[float] = typer.Option(None, "--max-seconds", help="Webcam only: stop after this long (else Ctrl+C stops)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Extract both people's pose and face landmarks, frame by frame."""
    from tqdm import tqdm

    from mirror.landmarks import ExtractSettings, Layout, extract_landmarks, extract_video
    from mirror.landmarks.types import write_atomic

    try:
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
        bars: list[tqdm] = []

        def on_total(done: int, total: int) -> None:
            bars.append(tqdm(total=total if total > 0 else None, initial=done, unit="frame", disable=not progress, file=sys.stderr, dynamic_ncols=True))

        def on_frames(n: int) -> None:
            if not bars:
                on_total(0, -1)
            bars[0].update(n)

        try:
            if source.isdigit():
                from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
                from mirror.sources import WebcamSource

                with WebcamSource(int(source), fps=fps, max_seconds=max_seconds, mirrored_input=mirrored_input) as cam:
                    backend = MediaPipeBackend(model, face=face)
                    try:
                        info0 = {"source": cam.info.to_dict(), "settings": settings.to_dict()}
                        landmarks, info = extract_landmarks(
                            cam, backend, settings.layout, with_face=face, progress=on_frames, info=info0
                        )
                    finally:
                        backend.close()
            else:
                landmarks, info = extract_video(
                    source,
                    settings,
                    cache_dir=cache_dir,
                    use_cache=use_cache,
                    progress=on_frames,
                    on_total=on_total,
                )
        finally:
            for bar in bars:
                bar.close()
        out.mkdir(parents=True, exist_ok=True)
        landmarks.save(out / "landmarks.npz")
        write_atomic(out / "extract.json", json.dumps(info, indent=1, default=str).encode())
    except MirrorError as err:
        _fail(str(err))
        return
    except KeyboardInterrupt:
        _fail("interrupted: the frames analysed so far are cached; run the same command again to resume", 130)
        return
    both = info.get("both_present_rate", 0.0)
    origin = "from the cache" if info.get("from_cache") else f"in {info.get('seconds_this_run', 0):.1f} s"
    typer.echo(
        f"{len(landmarks)} frames {origin}: both people found in {100 * both:.1f} % of frames "
        f"(A {100 * info['present_rate']['A']:.1f} %, B {100 * info['present_rate']['B']:.1f} %); "
        f"faces A {100 * info['face_present_rate']['A']:.1f} %, B {100 * info['face_present_rate']['B']:.1f} %"
    )
    recovered = info.get("backfilled_frames") or {}
    if any(recovered.values()):
        typer.echo(f"backward pass recovered A {recovered.get('A', 0)}, B {recovered.get('B', 0)} frames")
    if info.get("interrupted"):
        typer.echo("interrupted: partial results written; run the same command again to resume")
    typer.echo(f"wrote {out / 'landmarks.npz'} and {out / 'extract.json'}")


@app.command()
def info() -> None:
    """Show versions, the model files and the cameras found."""
    import cv2
    import numpy as np

    from mirror.landmarks.models import SHA256, model_status, models_dir
    from mirror.sources import list_cameras

    typer.echo(f"mirror {__version__}")
    typer.echo(f"python {platform.python_version()} ({sys.executable})")
    typer.echo(f"numpy {np.__version__}")
    typer.echo(f"opencv {cv2.__version__} ({', '.join(_opencv_distributions()) or 'not from PyPI'})")
    if len(_opencv_distributions()) > 1:
        typer.echo(
            "warning: several OpenCV packages share one cv2; repair with "
            "`pip uninstall -y opencv-python opencv-contrib-python && pip install opencv-contrib-python`"
        )
    try:
        from mirror.landmarks.mediapipe_adapter import mediapipe_version

        typer.echo(f"mediapipe {mediapipe_version()}")
    except Exception as exc:  # broken install: say so, keep going
        typer.echo(f"mediapipe unavailable ({type(exc).__name__}: {exc})")
    typer.echo(f"models in {models_dir()}:")
    for name, status in model_status().items():
        note = "" if status == "ok" else "  (rebuild: bash models/build.sh)"
        if name == "pose_landmarker_heavy.task" and status == "missing":
            note = "  (optional: VARIANTS=lite,full,heavy bash models/build.sh)"
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
