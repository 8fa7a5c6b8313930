"""How a live session runs (:class:`LiveSettings`), how it can end, and the sources it opens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from mirror.errors import MirrorError
from mirror.sources import FrameSource, VideoFileSource, WebcamSource
from mirror.vocabulary import Person

EndedBy = Literal["quit", "closed", "end", "lost", "time", "interrupt", "error"]
LiveMode = Literal["pair", "solo"]
ENDINGS: tuple[EndedBy, ...] = get_args(EndedBy)
"""How a session can end: q or Esc, the window closed, the end of a file, a lost source,
``max_seconds``, Ctrl-C, a failure of the pipeline."""


@dataclass(frozen=True)
class LiveSettings:
    """How to run a live session.

    Attributes
    ----------
    camera : int
        Camera index (when no ``source`` is given).
    source : Path or None
        A video file played as if it were the camera.
    partner_video : Path or None
        Solo practice: the recorded partner clip.
    me : {"A", "B", None}
        The trainee: ``A`` (left) or ``B`` (right).  Solo practice defaults to
        ``B`` (the partner clip is shown on the left).
    selfie : bool
        Show a mirror image (display only).
    pose_model : str
        ``lite``, ``full`` or ``heavy``.
    face : bool
        Run the face model on recorded frames.
    fps : float
        Recording and analysis rate (the skeletons are drawn on every frame).
    max_size : tuple of int
        Frames are scaled down to fit this ``(width, height)``.
    analysis_every_s, mechanical_every_s, span_s : float
        Rolling analysis cadence and length (see :mod:`mirror.live.analysis`).
    surrogates : int
        Surrogate sessions for the final report's pseudo-synchrony test.
    max_seconds : float or None
        Stop after this long.
    lost_hold_s : float
        After a camera is lost, how long the window stays up (q closes it sooner).
    pace_files : bool
        Play files in real time (False: as fast as the pipeline goes; for benchmarks).
    """

    camera: int = 0
    source: Path | None = None
    partner_video: Path | None = None
    me: Person | None = None
    selfie: bool = False
    pose_model: str = "lite"
    face: bool = True
    fps: float = 15.0
    max_size: tuple[int, int] = (640, 480)
    analysis_every_s: float = 0.5
    mechanical_every_s: float = 5.0
    span_s: float = 60.0
    surrogates: int = 200
    max_seconds: float | None = None
    lost_hold_s: float = 10.0
    pace_files: bool = True

    def __post_init__(self) -> None:
        if self.me not in (None, "A", "B"):
            raise MirrorError(f"me must be A (left) or B (right), got {self.me!r}")
        if not self.fps > 0:
            raise MirrorError(f"--fps must be positive, got {self.fps}")
        if self.surrogates < 0:
            raise MirrorError(f"--surrogates must be >= 0, got {self.surrogates}")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise MirrorError(f"--max-seconds must be positive, got {self.max_seconds}")
        from mirror.landmarks.models import POSE_MODELS

        if self.pose_model not in POSE_MODELS:
            raise MirrorError(f"unknown pose model {self.pose_model!r}; choose one of: {', '.join(POSE_MODELS)}")

    @property
    def mode(self) -> LiveMode:
        return "solo" if self.partner_video is not None else "pair"

    @property
    def trainee(self) -> Person | None:
        """Who is ``You``: ``me``, or ``B`` in solo practice."""
        return self.me if self.me is not None or self.mode == "pair" else "B"

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "camera": None if self.source else self.camera,
            "source": str(self.source) if self.source else None,
            "partner_video": str(self.partner_video) if self.partner_video else None,
            "me": self.trainee,
            "selfie": self.selfie,
            "pose_model": self.pose_model,
            "face": self.face,
            "fps": self.fps,
            "max_size": list(self.max_size),
            "analysis_every_s": self.analysis_every_s,
            "mechanical_every_s": self.mechanical_every_s,
            "span_s": self.span_s,
        }


def open_sources(settings: LiveSettings) -> dict[str, FrameSource]:
    """The session's sources: ``main`` (camera or file) and, in solo practice, ``partner``.

    The partner clip is opened first, so a bad clip is reported before the camera starts.

    Raises
    ------
    MirrorError
        No such camera, or a missing, corrupt or empty file (one line).
    """
    sources: dict[str, FrameSource] = {}
    try:
        if settings.partner_video is not None:
            try:
                sources["partner"] = VideoFileSource(settings.partner_video)
            except MirrorError as err:
                raise MirrorError(f"partner video: {err}") from None
        if settings.source is not None:
            sources["main"] = VideoFileSource(settings.source)
        else:
            w, h = settings.max_size
            sources["main"] = WebcamSource(settings.camera, width=w, height=h)
    except BaseException:
        for src in sources.values():
            src.close()
        raise
    return sources
