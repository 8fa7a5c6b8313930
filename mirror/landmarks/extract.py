"""Frames in, two people's landmarks out: the landmark stage's pipeline.

Every analysed frame goes through the two-person step
(:class:`mirror.landmarks.estimate.PairStep`): each person's estimator runs on
that person's region (see :mod:`mirror.landmarks.tracker`), and the face
model on a crop around the head the pose found.  A and B run on two threads.
Landmarks go to the cache chunk by chunk; a file then gets the backward pass
(:mod:`mirror.landmarks.backfill`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from mirror import __version__
from mirror.errors import MirrorError
from mirror.landmarks.backend import LandmarkBackend
from mirror.landmarks.backfill import backfill_landmarks
from mirror.landmarks.cache import LandmarkCache, default_cache_dir
from mirror.landmarks.estimate import PairStep, PendingPeople
from mirror.landmarks.layout import Layout, find_tiles
from mirror.landmarks.run import ExtractRun
from mirror.landmarks.tracker import count_identity_swaps
from mirror.landmarks.types import Landmarks
from mirror.serial import Plain
from mirror.sources import Frame, FrameSource, ImageSource, VideoFileSource, open_source
from mirror.vocabulary import PEOPLE

CHUNK_FRAMES = 250
"""Frames per landmark-cache chunk."""

EXTRACTOR_VERSION = 5
"""Bumped whenever extraction changes its results: cached landmarks of another version are not reused."""


@dataclass(frozen=True)
class ExtractSettings(Plain):
    """Everything that changes the extracted landmarks (and so keys the cache).

    :meth:`to_dict` (:class:`mirror.serial.Plain`: every field by name, the layout as
    :meth:`Layout.to_dict`) is the cache key's settings, so a field added to the class keys the
    cache without more code (``tests/test_extract.py`` checks that each one does).
    """

    pose_model: str = "lite"
    face: bool = True
    layout: Layout = field(default_factory=Layout)
    fps: float | None = None
    mirrored_input: bool = False
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    backfill: bool = True

    def __post_init__(self) -> None:
        from mirror.landmarks.models import POSE_MODELS

        if self.pose_model not in POSE_MODELS:
            raise MirrorError(f"unknown pose model {self.pose_model!r}; choose one of: {', '.join(POSE_MODELS)}")
        if self.fps is not None and not self.fps > 0:
            raise MirrorError(f"--fps must be positive, got {self.fps}")


def cache_identity(settings: ExtractSettings, source_sha256: str) -> dict:
    """What keys a source's landmarks in the cache: extractor version, source content, model files, every setting."""
    from mirror.landmarks.models import FACE_MODEL, POSE_MODELS, SHA256  # checksums only, nothing loads

    pose_file = POSE_MODELS[settings.pose_model]
    models = {pose_file: SHA256[pose_file], **({FACE_MODEL: SHA256[FACE_MODEL]} if settings.face else {})}
    return {
        "extractor_version": EXTRACTOR_VERSION,
        "source_sha256": source_sha256,
        "models": models,
        "settings": settings.to_dict(),
    }


class _Buffer:
    """Frames since the last flush, written to the cache as one chunk."""

    def __init__(self, size: tuple[int, int], info: ExtractRun) -> None:
        self.size, self.info = size, info
        self.t_s: list[float] = []
        self.index: list[int] = []
        self.people: list[tuple] = []

    def add(self, t_s: float, index: int, people: list) -> None:
        self.t_s.append(t_s)
        self.index.append(index)
        self.people.append(tuple(people))

    def take(self) -> Landmarks:
        part = Landmarks.from_frames(self.t_s, self.index, self.people, self.size, self.info)
        self.t_s, self.index, self.people = [], [], []
        return part


def extract_landmarks(
    source: FrameSource,
    backend: LandmarkBackend,
    layout: Layout | None = None,
    *,
    with_face: bool = True,
    cache: LandmarkCache | None = None,
    chunk_frames: int | None = None,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
    info: ExtractRun | None = None,
    keep_face_mesh: bool = True,
) -> Landmarks:
    """Run the landmark stage over a source.

    Parameters
    ----------
    source : FrameSource
        Frames to analyse (already subsampled to the analysis rate).
    backend : LandmarkBackend
        The landmark model.
    layout : Layout
        Where the two people are expected (default ``auto``).
    cache : LandmarkCache, optional
        Chunks are appended as they complete; frames it already holds are
        taken from it, not recomputed (the source must start after them).
    chunk_frames : int, optional
        Frames per cache chunk (how much an interruption can lose at most); default
        :data:`CHUNK_FRAMES`.
    progress : callable, optional
        Called with the number of frames just analysed.
    info : ExtractRun, optional
        Provenance to record (source, settings); extraction statistics are added.
    keep_face_mesh : bool
        False: the returned landmarks are slim (:meth:`Landmarks.slimmed`) and no face
        mesh of the whole session is held in memory; the cache chunks keep the meshes.

    Returns
    -------
    Landmarks
        The landmarks of every analysed frame; :attr:`Landmarks.info` holds the run's information
        (``frames``, presence rates, identity-check counts, ``interrupted``).
    """
    layout = layout or Layout()
    chunk_frames = chunk_frames or CHUNK_FRAMES
    size = (source.info.width, source.info.height)
    info = info or ExtractRun()
    info = replace(info, mirror=info.mirror or __version__, backend=backend.provenance())
    # Slim landmarks with a cache are not held while the model runs: every chunk goes to
    # disk as it completes, and the result is read back once at the end, so the loop's
    # memory does not grow with the length of the video.
    stream_to_cache = cache is not None and not keep_face_mesh
    restored = None
    n_restored = cache.check() if cache is not None else 0
    if cache is not None and not stream_to_cache:
        restored = cache.load()
    step = PairStep(backend, size, layout, threads=threads)
    if n_restored and cache is not None:
        step.tracker.restore(cache.last_people())
    still_images = isinstance(source, ImageSource)
    buffer = _Buffer(size, info)
    parts: list[Landmarks] = [restored] if restored is not None else []
    interrupted = False
    started = time.perf_counter()
    n_new = 0

    def flush() -> None:
        if not buffer.t_s:
            return
        part = buffer.take()
        if cache is not None:
            cache.append(part)
        if not stream_to_cache:
            parts.append(part if keep_face_mesh else part.slimmed())

    # A frame is begun before the last one's faces are collected (PairStep.begin): its
    # bodies then run while the last faces finish, and the threads never wait for each other.
    pending: tuple[Frame, PendingPeople] | None = None

    def collect() -> None:
        nonlocal pending, n_new
        if pending is None:
            return
        frame, begun = pending
        people = begun.result()
        pending = None
        buffer.add(frame.t_s, frame.index, people)
        n_new += 1
        if progress is not None:
            progress(1)
        if len(buffer.t_s) >= chunk_frames:
            flush()

    try:
        for frame in source:
            if still_images and frame.index > 0:  # unrelated stills: no tracking across them
                collect()
                step.restart()
            t_ms = int(round(frame.t_s * 1000.0))
            if pending is None and n_new == 0 and n_restored and step.tracker.wants_tiles():
                tiles = find_tiles(frame.image)  # resuming a call: its tiles again
                if tiles is not None:
                    step.tracker.use_tiles(tiles)
            begun = step.begin(frame.image, t_ms, with_face)
            collect()
            pending = (frame, begun)
        collect()
    except KeyboardInterrupt:
        interrupted = True
        try:
            collect()  # a frame begun before the interruption is finished, not lost
        except KeyboardInterrupt:
            pass
    finally:
        flush()  # nothing finished is lost, whatever stopped the loop
        step.close()
    if stream_to_cache and cache is not None:
        result = cache.load(slim=True)
        if result is not None:
            result.info = info
    else:
        result = Landmarks.concatenate(parts, info=info) if parts else None
    parts.clear()
    if result is None:
        raise MirrorError(f"{source.info.name}: no frames to analyse")
    elapsed = time.perf_counter() - started
    tracker = step.tracker
    info = replace(
        info,
        frames_this_run=n_new,
        resumed_from_frames=n_restored,
        identity_checks=tracker.stats.to_dict(),
        call_tiles=[list(t) for t in tracker.tiles] if tracker.tiles is not None else None,
        seconds_this_run=round(elapsed, 3),
        interrupted=interrupted,
    )
    result.info = _summarised(result, info)
    if cache is not None:
        if interrupted:
            cache.set_info(result.info)
        else:
            cache.finish(result.info)
    return result


def _summarised(result: Landmarks, info: ExtractRun) -> ExtractRun:
    """``info`` with the presence rates and identity swaps of a result."""
    present = result.pose_present
    return replace(
        info,
        frames=len(result),
        both_present_rate=float(present.all(1).mean()),
        present_rate={p: float(present[:, i].mean()) for i, p in enumerate(PEOPLE)},
        face_present_rate={p: float(result.face_present[:, i].mean()) for i, p in enumerate(PEOPLE)},
        identity_swaps=count_identity_swaps(result),
    )


def extract_video(
    path: str | Path,
    settings: ExtractSettings | None = None,
    *,
    backend: LandmarkBackend | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int, int], None] | None = None,
    face_mesh: bool = True,
) -> Landmarks:
    """Landmarks of a video file or still image, through the cache.

    A complete cache entry is returned without opening a model; an
    incomplete one is resumed after its last chunk.  :attr:`Landmarks.info` holds the run's
    information (``from_cache`` tells which happened).

    Parameters
    ----------
    path : str or Path
        Video file or still image.
    settings : ExtractSettings
    backend : LandmarkBackend, optional
        Default: :class:`~mirror.landmarks.mediapipe_adapter.MediaPipeBackend`.
    cache_dir : path, optional
        Default :func:`~mirror.landmarks.cache.default_cache_dir`.
    on_total : callable, optional
        Called once with ``(frames already done, frames expected in all)``
        (``-1`` when the total is unknown) before analysis starts.
    face_mesh : bool
        False: return slim landmarks (no 478-point face meshes; :meth:`Landmarks.slimmed`).
        Memory then stays small however long the video; the cache still stores the meshes.
    """
    settings = settings or ExtractSettings()
    source = open_source(path, fps=settings.fps, mirrored_input=settings.mirrored_input)
    if not isinstance(source, (VideoFileSource, ImageSource)):
        source.close()
        raise MirrorError(f"{path}: extract_video takes a file; use extract_landmarks for a camera")
    with source:
        identity = cache_identity(settings, source.content_sha256())
        info = ExtractRun(
            source=source.info.to_dict(),
            settings=settings.to_dict(),
            source_sha256=identity["source_sha256"],
        )
        cache = LandmarkCache(cache_dir or default_cache_dir(), identity) if use_cache else None
        if cache is not None and cache.complete:
            # with the backward pass, only its finished result will do; a damaged
            # chunk or final file sends the entry back to work on what is missing
            slim = not face_mesh
            cached = cache.load_final(slim=slim) if settings.backfill else cache.load(slim=slim)
            if cached is not None and cache.complete:
                cached.info = replace(cached.info, from_cache=True)
                return cached
        if cache is not None:
            cache.check()  # drops damaged chunks, so the resume point is right
        start = cache.resume_index() if cache is not None else 0
        if isinstance(source, VideoFileSource):
            source.start_index = start
        expected = _expected_frames(source)
        if on_total is not None:
            on_total(cache.n_frames if cache is not None else 0, expected)
        if backend is None:
            from mirror.landmarks.mediapipe_adapter import MediaPipeBackend

            backend = MediaPipeBackend(
                settings.pose_model,
                face=settings.face,
                min_detection_confidence=settings.min_detection_confidence,
                min_tracking_confidence=settings.min_tracking_confidence,
            )
            own_backend = True
        else:
            own_backend = False
        try:
            result = extract_landmarks(
                source,
                backend,
                settings.layout,
                with_face=settings.face,
                cache=cache,
                progress=progress,
                info=info,
                keep_face_mesh=face_mesh,
            )
            run_info = result.info
            if settings.backfill and isinstance(source, VideoFileSource) and not run_info.interrupted:
                face_patches: dict = {}
                result = backfill_landmarks(
                    result,
                    lambda: VideoFileSource(path, fps=settings.fps, mirrored_input=settings.mirrored_input),
                    backend,
                    layout=settings.layout,
                    with_face=settings.face,
                    face_patches=face_patches,
                    regions=run_info.call_tiles,
                )
                result.info = _summarised(result, result.info)
                if cache is not None:
                    cache.save_final(result, face_patches)
        finally:
            if own_backend:
                backend.close()
        result.info = replace(result.info, from_cache=False)
        return result


def _expected_frames(source: FrameSource) -> int:
    info = source.info
    if info.frame_count <= 0:
        return -1
    if info.analysis_fps and info.nominal_fps > 0:
        duration = info.frame_count / info.nominal_fps
        return int(np.ceil(duration * min(info.analysis_fps, info.nominal_fps)))
    return info.frame_count
