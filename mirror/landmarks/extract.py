"""Frames in, two people's landmarks out: the landmark stage's pipeline.

For every analysed frame, each person's estimator runs on that person's
region (see :mod:`mirror.landmarks.tracking`); the face model runs on a crop
around the head the pose found, since faces under about 12-15 % of the
analysed width are missed.  A and B run on two threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from mirror import __version__
from mirror.errors import MirrorError
from mirror.landmarks.backend import LandmarkBackend, PersonEstimator
from mirror.landmarks.cache import LandmarkCache, default_cache_dir
from mirror.landmarks.headpose import headpose_from_matrix
from mirror.landmarks.tracking import (
    IdentityTracker,
    Layout,
    count_identity_swaps,
    find_tiles,
    head_center_px,
    head_size_px,
    person_scale_px,
)
from mirror.landmarks.types import Landmarks, PersonLandmarks
from mirror.sources import FrameSource, ImageSource, VideoFileSource, open_source

Box = tuple[int, int, int, int]

CHUNK_FRAMES = 250
"""Frames per landmark-cache chunk."""

EXTRACTOR_VERSION = 4
"""Bumped whenever extraction changes its results: cached landmarks of another version are not reused."""


@dataclass(frozen=True)
class ExtractSettings:
    """Everything that changes the extracted landmarks (and so keys the cache)."""

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

    def to_dict(self) -> dict:
        return {
            "pose_model": self.pose_model,
            "face": self.face,
            "layout": self.layout.to_dict(),
            "fps": self.fps,
            "mirrored_input": self.mirrored_input,
            "min_detection_confidence": self.min_detection_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
            "backfill": self.backfill,
        }


def head_box_px(person: PersonLandmarks, size: tuple[int, int]) -> Box | None:
    """Square pixel box around the head, about 2.4 head widths across.

    Parameters
    ----------
    person : PersonLandmarks
        Frame-normalised pose.
    size : tuple of int
        ``(width, height)`` of the frame.
    """
    w, h = size
    vis = person.pose_visibility[:11].tolist()  # the 11 head points come first
    if max(vis) < 0.2:
        return None
    center = head_center_px(person, size)
    head = max(head_size_px(person, size), 0.5 * person_scale_px(person, size))
    half = 1.2 * head
    x0, y0 = int(max(0, center[0] - half)), int(max(0, center[1] - half))
    x1, y1 = int(min(w, center[0] + half)), int(min(h, center[1] + half))
    if x1 - x0 < 24 or y1 - y0 < 24:
        return None
    return (x0, y0, x1, y1)


def _to_frame(points: np.ndarray, box: Box, size: tuple[int, int]) -> np.ndarray:
    """Crop-normalised ``(N, 3)`` points to frame-normalised (z in frame-width units)."""
    x0, y0, x1, y1 = box
    w, h = size
    out = points.astype(np.float32, copy=True)
    out[:, 0] = (x0 + points[:, 0] * (x1 - x0)) / w
    out[:, 1] = (y0 + points[:, 1] * (y1 - y0)) / h
    out[:, 2] = points[:, 2] * (x1 - x0) / w
    return out


def _rgb_crop(bgr: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return cv2.cvtColor(bgr[y0:y1, x0:x1], cv2.COLOR_BGR2RGB)  # contiguous, converted once


def estimate_person(
    estimator: PersonEstimator, bgr: np.ndarray, box: Box, t_ms: int, with_face: bool = True
) -> PersonLandmarks | None:
    """Pose in ``box`` of the frame, then the face on a crop around the head it found.

    Parameters
    ----------
    bgr : np.ndarray
        ``(H, W, 3)`` uint8 BGR frame; only the crops are converted to RGB.
    """
    size = (bgr.shape[1], bgr.shape[0])
    found = estimator.pose(_rgb_crop(bgr, box), t_ms)
    if found is None:
        return None
    person = PersonLandmarks(
        pose_image=_to_frame(found.pose_image, box, size),
        pose_world=found.pose_world,
        pose_visibility=found.pose_visibility,
    )
    if with_face:
        add_face(estimator, bgr, person, t_ms)
    return person


def add_face(estimator: PersonEstimator, bgr: np.ndarray, person: PersonLandmarks, t_ms: int) -> PersonLandmarks:
    """Run the face model on a crop around ``person``'s head; fill its face fields when found."""
    head = head_box_px(person, (bgr.shape[1], bgr.shape[0]))
    if head is not None:
        face = estimator.face(_rgb_crop(bgr, head), t_ms)
        if face is not None:
            person.face = _to_frame(face.landmarks, head, (bgr.shape[1], bgr.shape[0]))
            person.head_pose_deg = headpose_from_matrix(face.matrix).astype(np.float32)
            person.blendshapes = face.blendshapes.astype(np.float32)
    return person


class _Buffer:
    """Frames since the last flush, written to the cache as one chunk."""

    def __init__(self, size: tuple[int, int], info: dict) -> None:
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
    info: dict | None = None,
    keep_face_mesh: bool = True,
) -> tuple[Landmarks, dict]:
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
    info : dict, optional
        Provenance to record (source, settings); extraction statistics are added.
    keep_face_mesh : bool
        False: the returned landmarks are slim (:meth:`Landmarks.slimmed`) and no face
        mesh of the whole session is held in memory; the cache chunks keep the meshes.

    Returns
    -------
    (Landmarks, dict)
        The landmarks of every analysed frame and the run's information:
        ``frames``, presence rates, identity-check counts, ``interrupted``.
    """
    layout = layout or Layout()
    chunk_frames = chunk_frames or CHUNK_FRAMES
    size = (source.info.width, source.info.height)
    info = dict(info or {})
    info.setdefault("mirror", __version__)
    info["backend"] = backend.provenance()
    tracker = IdentityTracker(layout, size)
    # Slim landmarks with a cache are not held while the model runs: every chunk goes to
    # disk as it completes, and the result is read back once at the end, so the loop's
    # memory does not grow with the length of the video.
    stream_to_cache = cache is not None and not keep_face_mesh
    restored = None
    n_restored = cache.check() if cache is not None else 0
    if cache is not None and not stream_to_cache:
        restored = cache.load()
    if n_restored:
        tracker.restore(cache.last_people())
    still_images = isinstance(source, ImageSource)
    estimators = [backend.person_estimator(), backend.person_estimator()]
    pool = ThreadPoolExecutor(max_workers=2) if threads > 1 else None
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

    try:
        for frame in source:
            if still_images and frame.index > 0:  # unrelated stills: no tracking across them
                for est in estimators:
                    est.close()
                estimators = [backend.person_estimator(), backend.person_estimator()]
                tracker = IdentityTracker(layout, size)
            t_ms = int(round(frame.t_s * 1000.0))
            seeds: dict[int, PersonLandmarks] = {}
            if n_new == 0 and n_restored and tracker.wants_tiles():  # resuming a call: its tiles again
                tiles = find_tiles(frame.image)
                if tiles is not None:
                    tracker.use_tiles(tiles)
            if tracker.needs_detection():
                seeds = search_people(tracker, backend, frame.image)
            for slot in tracker.pop_reseeded():  # a new body or a tile: drop the old tracking state
                estimators[slot].close()
                estimators[slot] = backend.person_estimator()
            boxes = tracker.regions()

            def run(slot: int, boxes=boxes, bgr=frame.image, t_ms=t_ms):
                box = boxes[slot]
                return None if box is None else estimate_person(estimators[slot], bgr, box, t_ms, with_face)

            found = list(pool.map(run, (0, 1))) if pool is not None else [run(0), run(1)]
            for slot, seed in seeds.items():
                if found[slot] is None:  # the search measured this body on this very frame: keep it
                    found[slot] = add_face(estimators[slot], frame.image, seed, t_ms) if with_face else seed
            people = tracker.update(found)
            buffer.add(frame.t_s, frame.index, people)
            n_new += 1
            if progress is not None:
                progress(1)
            if len(buffer.t_s) >= chunk_frames:
                flush()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        flush()  # nothing finished is lost, whatever stopped the loop
        if pool is not None:
            pool.shutdown(wait=True)
        for est in estimators:
            est.close()
    if stream_to_cache:
        result = cache.load(slim=True)
        if result is not None:
            result.info = info
    else:
        result = Landmarks.concatenate(parts, info=info) if parts else None
    parts.clear()
    if result is None:
        raise MirrorError(f"{source.info.name}: no frames to analyse")
    elapsed = time.perf_counter() - started
    info.update(
        {
            "frames_this_run": n_new,
            "resumed_from_frames": n_restored,
            "identity_checks": tracker.stats.to_dict(),
            "call_tiles": [list(t) for t in tracker.tiles] if tracker.tiles is not None else None,
            "seconds_this_run": round(elapsed, 3),
            "interrupted": interrupted,
        }
    )
    _summarise(result, info)
    result.info = info
    if cache is not None:
        if interrupted:
            cache.set_info(info)
        else:
            cache.finish(info)
    return result, info


def _summarise(result: Landmarks, info: dict) -> None:
    """Presence rates and identity swaps of a result, into ``info``."""
    present = result.pose_present
    info.update(
        {
            "frames": len(result),
            "both_present_rate": float(present.all(1).mean()),
            "present_rate": {p: float(present[:, i].mean()) for i, p in enumerate(("A", "B"))},
            "face_present_rate": {p: float(result.face_present[:, i].mean()) for i, p in enumerate(("A", "B"))},
            "identity_swaps": count_identity_swaps(result),
        }
    )


def _detect_in_halves(backend: LandmarkBackend, rgb: np.ndarray) -> list[PersonLandmarks]:
    """People found in the left and right halves, in whole-frame coordinates."""
    h, w = rgb.shape[:2]
    out = []
    for box in ((0, 0, w // 2 + w // 20, h), (w // 2 - w // 20, 0, w, h)):
        for person in backend.detect_people(np.ascontiguousarray(rgb[box[1] : box[3], box[0] : box[2]]), max_people=2):
            person.pose_image = _to_frame(person.pose_image, box, (w, h))
            out.append(person)
    return out


def search_people(tracker: IdentityTracker, backend: LandmarkBackend, bgr: np.ndarray) -> dict[int, PersonLandmarks]:
    """One search of ``auto`` on a whole frame: a video call's tiles, else the people in it.

    A call's two tiles (:func:`~mirror.landmarks.tracking.find_tiles`) become the
    people's fixed regions.  Otherwise people are detected on the whole frame and on
    each half: a head-and-shoulders person close to the camera is often missed, or
    merged with the other, on the whole frame, yet found in their half.  The tracker
    takes what it needs (:meth:`IdentityTracker.start`).

    Parameters
    ----------
    bgr : np.ndarray
        ``(H, W, 3)`` uint8 frame.

    Returns
    -------
    dict
        Bodies the search measured on this frame, per slot (kept when the slot's
        estimator finds nothing on it); the slots to restart are in
        :meth:`IdentityTracker.pop_reseeded`.
    """
    if tracker.wants_tiles():
        tiles = find_tiles(bgr)
        if tiles is not None:
            tracker.use_tiles(tiles)
            return {}
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    detections = backend.detect_people(rgb) + _detect_in_halves(backend, rgb)
    tracker.start(detections)
    return tracker.pop_seeds()


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
) -> tuple[Landmarks, dict]:
    """Landmarks of a video file or still image, through the cache.

    A complete cache entry is returned without opening a model; an
    incomplete one is resumed after its last chunk.

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
        from mirror.landmarks.models import FACE_MODEL, POSE_MODELS, SHA256  # checksums only, nothing loads

        pose_file = POSE_MODELS[settings.pose_model]
        models = {pose_file: SHA256[pose_file], **({FACE_MODEL: SHA256[FACE_MODEL]} if settings.face else {})}
        identity = {
            "extractor_version": EXTRACTOR_VERSION,
            "source_sha256": source.content_sha256(),
            "models": models,
            "settings": settings.to_dict(),
        }
        info = {"source": source.info.to_dict(), "settings": settings.to_dict(), "source_sha256": identity["source_sha256"]}
        cache = LandmarkCache(cache_dir or default_cache_dir(), identity) if use_cache else None
        if cache is not None and cache.complete:
            # with the backward pass, only its finished result will do; a damaged
            # chunk or final file sends the entry back to work on what is missing
            slim = not face_mesh
            cached = cache.load_final(slim=slim) if settings.backfill else cache.load(slim=slim)
            if cached is not None and cache.complete:
                return cached, {**cached.info, "from_cache": True}
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
            result, run_info = extract_landmarks(
                source, backend, settings.layout, with_face=settings.face, cache=cache, progress=progress, info=info,
                keep_face_mesh=face_mesh,
            )
            if settings.backfill and isinstance(source, VideoFileSource) and not run_info["interrupted"]:
                from mirror.landmarks.backfill import backfill_landmarks

                face_patches: dict = {}
                result, recovered = backfill_landmarks(
                    result,
                    lambda: VideoFileSource(path, fps=settings.fps, mirrored_input=settings.mirrored_input),
                    backend,
                    layout=settings.layout,
                    with_face=settings.face,
                    face_patches=face_patches,
                    regions=run_info.get("call_tiles"),
                )
                _summarise(result, run_info)
                run_info["backfilled_frames"] = recovered
                result.info = run_info
                if cache is not None:
                    cache.save_final(result, face_patches)
        finally:
            if own_backend:
                backend.close()
        run_info["from_cache"] = False
        return result, run_info


def _expected_frames(source: FrameSource) -> int:
    info = source.info
    if info.frame_count <= 0:
        return -1
    if info.analysis_fps and info.nominal_fps > 0:
        duration = info.frame_count / info.nominal_fps
        return int(np.ceil(duration * min(info.analysis_fps, info.nominal_fps)))
    return info.frame_count
