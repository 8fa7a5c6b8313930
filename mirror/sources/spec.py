"""What a source argument names: a webcam by its index (``0``, ``1`` ...), or a file that must exist.

Light (no OpenCV): the command line decides with it before anything is opened.
"""

from __future__ import annotations

from pathlib import Path

from mirror.errors import MirrorError


def camera_index(spec: str | Path) -> int | None:
    """The webcam a source names by its index (``"0"`` -> 0), or None when it names a file."""
    text = str(spec)
    return int(text) if text.isdigit() else None


def check_file(path: str | Path, what: str = "") -> Path:
    """A file to read, refused at once when it is missing or a folder (before any progress bar starts).

    Parameters
    ----------
    what : str
        The option that named it, said before the path (``--source``), if any.

    Raises
    ------
    MirrorError
        ``no such file: [what] path``, or ``[what] path is a folder, not a video file``.
    """
    named = f"{what} " if what else ""
    file = Path(path)
    if not file.exists():
        raise MirrorError(f"no such file: {named}{file}")
    if file.is_dir():
        raise MirrorError(f"{named}{file} is a folder, not a video file")
    return file


def camera_or_file(spec: str | Path, what: str = "") -> int | Path:
    """A webcam index, or a file checked by :func:`check_file`.

    Raises
    ------
    MirrorError
        The source names a file that is missing or a folder.
    """
    index = camera_index(spec)
    return index if index is not None else check_file(spec, what)
