"""``mirror info``: versions, the model files and the cameras found."""

from __future__ import annotations

import platform
import sys

import typer

from mirror import __version__


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
