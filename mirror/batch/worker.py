"""One video of a batch, analysed in a worker: the worker's models, thread caps and executors.

:func:`process_video` runs in a local process pool (:func:`local_executor`, models loaded once
per worker by :func:`init_worker`) or on a Dask distributed cluster (:func:`dask_executor`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from mirror.batch.plan import OVERLAY, PROGRESS, STATUS, BatchSettings, source_fingerprint
from mirror.errors import MirrorError
from mirror.storage import folder_lock, write_atomic

if TYPE_CHECKING:  # imported where used: `mirror --help` does not load the comparator, scipy or OpenCV
    from distributed import Client

    from mirror.landmarks import ExtractSettings
    from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
    from mirror.pipeline import Session
    from mirror.report.model import Report

_WORKER = threading.local()


def worker_backend(extract: ExtractSettings) -> MediaPipeBackend:
    """The landmark backend of this worker (thread), loaded on first use and kept for every later video."""
    key = (extract.pose_model, extract.face, extract.min_detection_confidence, extract.min_tracking_confidence)
    if getattr(_WORKER, "key", None) != key:
        from mirror.landmarks.mediapipe_adapter import MediaPipeBackend

        old = getattr(_WORKER, "backend", None)
        if old is not None:
            old.close()
        _WORKER.backend = MediaPipeBackend(
            extract.pose_model,
            face=extract.face,
            min_detection_confidence=extract.min_detection_confidence,
            min_tracking_confidence=extract.min_tracking_confidence,
        )
        _WORKER.key = key
    return _WORKER.backend


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Environment variables that cap the BLAS threads of a worker, set before it imports numpy."""


def init_worker(extract: ExtractSettings | bytes, threads: int | None = None) -> None:
    """Process-pool initializer: cap this worker's library threads, then load the models once.

    ``extract`` may come pickled, so that unpickling it (which imports numpy and OpenCV) happens
    after the thread caps are in the environment.
    """
    if threads is not None:
        for name in THREAD_VARIABLES:
            os.environ[name] = str(threads)
    if isinstance(extract, bytes):
        import pickle

        extract = cast("ExtractSettings", pickle.loads(extract))
    if threads is not None:
        import cv2

        cv2.setNumThreads(threads)
    worker_backend(extract)


class _ProgressFile:
    """Frame progress of one video in ``OUT/<name>/.progress.json``, read by the parent for its bar.

    ``{"done": frames analysed, "total": frames expected (-1: unknown), "pid": the worker's process id}``
    """

    def __init__(self, path: Path, every_s: float = 0.5) -> None:
        self.path, self.every_s = path, every_s
        self.done = self.total = 0
        self.last = 0.0

    def on_total(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.write(force=True)

    def frames(self, n: int) -> None:
        self.done += n
        self.write()

    def write(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every_s:
            self.last = now
            with contextlib.suppress(MirrorError):
                write_atomic(
                    self.path, json.dumps({"done": self.done, "total": self.total, "pid": os.getpid()}).encode()
                )


@dataclass(frozen=True)
class VideoOutcome:
    """What a worker did with one video, sent back to the run loop.

    Attributes
    ----------
    state : {"done", "failed"}
    error : str or None
        Why it failed, in one line.
    seconds : float
        Wall time in the worker.
    history_error : str or None
        The report is done but the session could not be recorded in the history: why.
    """

    state: Literal["done", "failed"]
    error: str | None
    seconds: float
    history_error: str | None = None


def process_video(source: str, out_folder: str, settings: BatchSettings, attempt: int = 1) -> VideoOutcome:
    """Analyse one video and write all its files, then mark it done.  Runs in a worker.

    Bad input is returned as ``failed`` with its one-line error, never raised.
    """
    from mirror.memory import return_freed_memory
    from mirror.pipeline import analyze_video, session_report, write_session
    from mirror.report import write_all

    return_freed_memory()  # in a pool or Dask worker too: stages do not stack their peaks
    t0 = time.monotonic()
    folder = Path(out_folder)
    src = Path(source)
    try:
        with folder_lock(folder):
            (folder / STATUS).unlink(missing_ok=True)  # whatever was done before no longer stands
            progress = _ProgressFile(folder / PROGRESS)
            fingerprint = source_fingerprint(src)
            session = analyze_video(
                src,
                settings.compare,
                settings.extract,
                n_surrogates=settings.n_surrogates,
                cache_dir=Path(settings.cache_dir) if settings.cache_dir else None,
                backend=worker_backend(settings.extract),
                progress=progress.frames,
                on_total=progress.on_total,
                keep_landmarks=settings.overlay_video,
            )
            doc = session_report(session)  # built once: written, rendered and recorded without reading it back
            paths = dict(write_session(session, folder, doc))
            run = {
                "batch_settings": settings.to_dict(),
                "worker": f"{socket.gethostname()}:{os.getpid()}",
                "attempt": attempt,
            }
            paths.update(write_all(folder, src, run=run, report=doc))
            if settings.overlay_video:
                paths[OVERLAY] = _write_overlay(src, folder, session, doc)
            status = {
                "format": "mirror.batch.status",
                "state": "done",
                **fingerprint,
                "source_sha256": session.provenance.get("source_sha256"),
                "settings_key": settings.key(),
                "files": sorted(p.name for p in paths.values()),
                "seconds": round(time.monotonic() - t0, 3),
                "attempt": attempt,
                "worker": run["worker"],
                "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            write_atomic(folder / STATUS, json.dumps(status, indent=1).encode())  # last: the done marker
            (folder / PROGRESS).unlink(missing_ok=True)
        return VideoOutcome("done", None, status["seconds"], record_in_history(folder, settings, doc))
    except MirrorError as err:
        return VideoOutcome("failed", str(err), round(time.monotonic() - t0, 3))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # one bad file must not stop the batch: record it in one line
        line = " ".join(f"{type(exc).__name__}: {exc}".split())
        return VideoOutcome("failed", line[:500], round(time.monotonic() - t0, 3))


def record_in_history(folder: Path, settings: BatchSettings, report: Report | None = None) -> str | None:
    """Record a finished video's report (``report``: as built in memory, default read back) in the session
    history; the one-line error if that failed."""
    if settings.history is None:
        return None
    from mirror.history import record_session

    try:
        record_session(folder, "batch", settings.people, path=settings.history, report=report)
    except MirrorError as err:
        return str(err)
    except Exception as exc:  # the video is done all the same: say why it is not in the history, in one line
        return " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
    return None


def _write_overlay(source: Path, folder: Path, session: Session, report: Report) -> Path:
    try:
        from mirror.overlay import write_overlay_video
    except ImportError:
        raise MirrorError("--overlay-video needs mirror.overlay, which this installation lacks") from None
    if session.landmarks is None:  # kept by process_video whenever an overlay video is asked for
        raise MirrorError(f"{source}: the session's landmarks were not kept, so no overlay video can be drawn")
    out = folder / OVERLAY
    write_overlay_video(source, out, report, session.landmarks)
    return out


# ----------------------------------------------------------------------------- executors


def local_executor(workers: int, extract: ExtractSettings, threads_per_worker: int | None = None) -> cf.Executor:
    """A process pool of ``workers`` processes, each loading the models once (spawned: no inherited state).

    ``threads_per_worker``: cap each worker's OpenCV and BLAS threads (see :class:`WorkerPlan`).
    """
    import multiprocessing
    import pickle

    return cf.ProcessPoolExecutor(
        max_workers=max(1, int(workers)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(pickle.dumps(extract), threads_per_worker),
    )


def dask_executor(scheduler: str) -> tuple[cf.Executor, Client]:
    """``(executor, client)`` for a running Dask distributed scheduler, e.g. ``tcp://10.0.0.5:8786``.

    Raises
    ------
    MirrorError
        dask.distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError:
        raise MirrorError("--scheduler needs dask.distributed: pip install 'distributed'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise MirrorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    return client.get_executor(pure=False), client
