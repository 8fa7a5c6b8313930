"""Many recorded sessions at once: one output folder per video, an index ranking them.

Resumable and safe to interrupt:

* every file is written atomically, and a video's ``status.json`` says ``done`` only
  after all of its files are written (a worker killed half-way leaves no ``done``);
* a rerun skips videos whose ``status.json`` is ``done`` for the same file (path, size,
  modification time) and the same settings, and redoes the rest (landmarks resume from
  the cache);
* a video that fails is recorded with its one-line error and the batch goes on.

Work runs behind one :class:`concurrent.futures.Executor` seam: a local process pool by
default (:func:`local_executor`, models loaded once per worker by the pool initializer),
or a Dask distributed cluster (:func:`dask_executor`), whose workers must see the same
paths (a shared file system).  A worker that dies is retried on a new pool (local) or
by the scheduler (Dask); after ``max_attempts`` the video is marked failed.

Layout of ``OUT``::

    OUT/batch.json            which output folder belongs to which video
    OUT/index.csv, index.html every video: status, error, figures, ranks
    OUT/<name>/               report.json, windows.csv, events.csv, report.html, timeline.png,
                              report.eaf, boris_*.csv, provenance.json, status.json
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import csv
import glob
import hashlib
import io
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from mirror.errors import MirrorError
from mirror.history.session import People
from mirror.storage import folder_lock, write_atomic

if TYPE_CHECKING:  # imported where used: `mirror --help` does not load the comparator, scipy or OpenCV
    from mirror.compare import CompareSettings
    from mirror.landmarks import ExtractSettings

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".ts", ".mts", ".3gp", ".ogv"}
)
STATUS = "status.json"
PROGRESS = ".progress.json"
MANIFEST = "batch.json"
OVERLAY = "overlay.avi"


def _default_extract() -> ExtractSettings:
    from mirror.landmarks import ExtractSettings

    return ExtractSettings()


def _default_compare() -> CompareSettings:
    from mirror.compare import CompareSettings

    return CompareSettings()


@dataclass(frozen=True)
class BatchSettings:
    """How every video of a batch is analysed (the same for all, so results compare)."""

    extract: ExtractSettings = field(default_factory=_default_extract)
    compare: CompareSettings = field(default_factory=_default_compare)
    n_surrogates: int = 200
    cache_dir: str | None = None
    overlay_video: bool = False
    history: str | None = None  # the session history file each finished video is recorded in; None: not recorded
    people: People = field(default_factory=People)  # who was who, for the history

    def to_dict(self) -> dict:
        return {
            "extract": self.extract.to_dict(),
            "compare": self.compare.to_dict(),
            "n_surrogates": self.n_surrogates,
            "overlay_video": self.overlay_video,
        }

    def key(self) -> str:
        """Fingerprint of everything that changes the results (a rerun with other settings redoes the videos)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class BatchItem:
    """One input file and its output folder name (``skip`` gives why it is not analysed)."""

    source: Path
    name: str
    skip: str | None = None


@dataclass
class FileResult:
    """What happened to one input file.

    Attributes
    ----------
    state : str
        ``done`` (all files written now), ``skipped-done`` (done by an earlier run),
        ``failed`` (``error`` says why) or ``skipped`` (not a video).
    """

    source: Path
    name: str
    state: str
    error: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    history_error: str | None = None  # the report is done but the session could not be recorded in the history


# ----------------------------------------------------------------------------- inputs


def find_videos(pattern: str | Path) -> list[Path]:
    """Input files: a folder (every non-hidden file in it, recursively), a glob, or one file.

    Files are returned sorted; :func:`plan_batch` decides which are videos.

    Raises
    ------
    MirrorError
        Nothing matches.
    """
    text = str(pattern)
    path = Path(text).expanduser()
    if path.is_dir():
        files = [
            p
            for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
    elif path.is_file():
        files = [path]
    else:
        files = [Path(p) for p in glob.glob(os.path.expanduser(text), recursive=True) if Path(p).is_file()]
    if not files:
        raise MirrorError(
            f"no files match {text}: give a folder, a glob such as 'sessions/*.mp4' (quoted), or a video file"
        )
    return sorted({p.resolve() for p in files})


def _safe_name(stem: str) -> str:
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._")
    return name or "video"


def plan_batch(files: list[Path], out_dir: Path) -> list[BatchItem]:
    """Output folder names, from the file stems, kept stable across runs in ``OUT/batch.json``.

    Two files with the same stem get ``stem``, ``stem-2``, ... in sorted path order; a name
    given by an earlier run is kept. Files whose extension is not a video's are skipped.
    """
    manifest = _read_json(out_dir / MANIFEST) or {}
    names: dict[str, str] = dict(manifest.get("names") or {})
    used = set(names.values())
    items = []
    for f in files:
        key = str(f)
        if f.suffix.lower() not in VIDEO_SUFFIXES:
            items.append(BatchItem(f, "", skip=f"not a video file (extension {f.suffix or 'none'})"))
            continue
        if key not in names:
            base = _safe_name(f.stem)
            name, k = base, 1
            while name in used or name in (MANIFEST, "index.csv", "index.html"):
                k += 1
                name = f"{base}-{k}"
            names[key] = name
            used.add(name)
        items.append(BatchItem(f, names[key]))
    write_atomic(
        out_dir / MANIFEST,
        json.dumps({"format": "mirror.batch", "format_version": 1, "names": names}, indent=1).encode(),
    )
    return items


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fingerprint(source: Path) -> dict:
    st = source.stat()
    return {"source": str(source), "source_size": st.st_size, "source_mtime_ns": st.st_mtime_ns}


def is_done(item: BatchItem, out_dir: Path, settings: BatchSettings) -> bool:
    """Whether an earlier run finished this video with these settings (and its files are all there)."""
    folder = out_dir / item.name
    status = _read_json(folder / STATUS)
    if not status or status.get("state") != "done" or status.get("settings_key") != settings.key():
        return False
    try:
        fp = _fingerprint(item.source)
    except OSError:
        return False
    if any(status.get(k) != v for k, v in fp.items()):
        return False
    if not all((folder / name).is_file() for name in status.get("files") or ["report.json"]):
        return False
    from mirror.report import read_report

    try:  # a damaged or foreign report is done again, not trusted
        read_report(folder / "report.json")
    except MirrorError:
        return False
    return True


# ----------------------------------------------------------------------------- one video (runs in a worker)

_WORKER = threading.local()


def worker_backend(extract: ExtractSettings):
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


WORKER_MEMORY_BYTES = 1_500_000_000
"""Memory one worker may need (models, a long session's landmarks and comparison): ``--workers
auto`` starts no more workers than the available memory holds."""

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Environment variables that cap the BLAS threads of a worker, set before it imports numpy."""


@dataclass(frozen=True)
class WorkerPlan:
    """How many local worker processes, and how many threads each may use for OpenCV and BLAS.

    MediaPipe's own inference threads cannot be set from Python; the plan keeps the other
    libraries' threads to the worker's share of the cores so they do not spin against it.
    """

    workers: int
    threads_per_worker: int
    cores: int
    videos: int
    chosen: bool  # True: ``--workers auto`` chose the number
    reason: str = ""

    def describe(self) -> str:
        how = f"auto: {self.reason}" if self.chosen else "as asked"
        return (
            f"{self.workers} worker process{'es' if self.workers != 1 else ''} ({how}), "
            f"{self.threads_per_worker} OpenCV/BLAS thread{'s' if self.threads_per_worker != 1 else ''} each"
        )


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available_memory_bytes() -> int | None:
    """Memory available to new processes (Linux ``MemAvailable``); None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def plan_workers(
    workers: int | None, videos: int, cores: int | None = None, memory_bytes: int | None = None
) -> WorkerPlan:
    """The worker processes for a batch of ``videos``: as asked, or (``workers=None``) chosen for the machine.

    Chosen: one worker per core, but no more than there are videos or than the available memory
    holds (:data:`WORKER_MEMORY_BYTES` each); a second worker on two cores still adds a quarter
    (``benchmarks/bench_batch.py``).  Each worker gets its share of the cores for OpenCV and BLAS.
    """
    cores = cores or usable_cores()
    videos = max(1, videos)
    if workers is not None:
        n = max(1, int(workers))
        return WorkerPlan(n, max(1, cores // n), cores, videos, chosen=False)
    n = min(cores, videos)
    reason = f"{cores} core{'s' if cores != 1 else ''}, {videos} video{'s' if videos != 1 else ''}"
    if memory_bytes is not None:
        fits = max(1, memory_bytes // WORKER_MEMORY_BYTES)
        if fits < n:
            n = int(fits)
            reason += f", memory for {n}"
    return WorkerPlan(n, max(1, cores // n), cores, videos, chosen=True, reason=reason)


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

        extract = pickle.loads(extract)
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


def process_video(source: str, out_folder: str, settings: BatchSettings, attempt: int = 1) -> dict:
    """Analyse one video and write all its files, then mark it done.  Runs in a worker.

    Returns a dict (``state``, ``error``, ``seconds``); bad input is returned as
    ``failed`` with its one-line error, never raised.
    """
    from mirror.memory import return_freed_memory
    from mirror.pipeline import analyze_video, write_session
    from mirror.report import write_all

    return_freed_memory()  # in a pool or Dask worker too: stages do not stack their peaks
    t0 = time.monotonic()
    folder = Path(out_folder)
    src = Path(source)
    try:
        with folder_lock(folder):
            (folder / STATUS).unlink(missing_ok=True)  # whatever was done before no longer stands
            progress = _ProgressFile(folder / PROGRESS)
            fingerprint = _fingerprint(src)
            session, _ = analyze_video(
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
            paths = dict(write_session(session, folder))
            run = {
                "batch_settings": settings.to_dict(),
                "worker": f"{socket.gethostname()}:{os.getpid()}",
                "attempt": attempt,
            }
            paths.update(write_all(folder, src, run=run))
            if settings.overlay_video:
                paths[OVERLAY] = _write_overlay(src, folder, session)
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
        return {
            "state": "done",
            "error": None,
            "seconds": status["seconds"],
            "history_error": record_in_history(folder, settings),
        }
    except MirrorError as err:
        return {"state": "failed", "error": str(err), "seconds": round(time.monotonic() - t0, 3)}
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # one bad file must not stop the batch: record it in one line
        line = " ".join(f"{type(exc).__name__}: {exc}".split())
        return {"state": "failed", "error": line[:500], "seconds": round(time.monotonic() - t0, 3)}


def record_in_history(folder: Path, settings: BatchSettings) -> str | None:
    """Record a finished video's report in the session history; the one-line error if that failed."""
    if settings.history is None:
        return None
    from mirror.history import record_session

    try:
        record_session(folder, "batch", settings.people, path=settings.history)
    except MirrorError as err:
        return str(err)
    except Exception as exc:  # the video is done all the same: say why it is not in the history, in one line
        return " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
    return None


def _write_overlay(source: Path, folder: Path, session) -> Path:
    try:
        from mirror.overlay import write_overlay_video
    except ImportError:
        raise MirrorError("--overlay-video needs mirror.overlay, which this installation lacks") from None
    from mirror.report import read_report

    out = folder / OVERLAY
    write_overlay_video(source, out, read_report(folder / "report.json"), session.landmarks)
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


def dask_executor(scheduler: str):
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


def _worker_died(exc: BaseException) -> bool:
    if isinstance(exc, cf.process.BrokenProcessPool):
        return True
    return type(exc).__name__ in ("KilledWorker", "CommClosedError", "FutureCancelledError")


# ----------------------------------------------------------------------------- the batch


class BatchMonitor:
    """Callbacks of a running batch (the CLI draws progress bars from them). All optional."""

    def started(self, items: list[BatchItem], todo: list[BatchItem]) -> None: ...

    def file_progress(self, item: BatchItem, done: int, total: int) -> None: ...

    def file_finished(self, item: BatchItem, result: FileResult) -> None: ...


def run_batch(
    pattern: str | Path,
    out_dir: str | Path,
    settings: BatchSettings | None = None,
    executor_factory: Callable[[], cf.Executor] | None = None,
    workers: int = 1,
    monitor: BatchMonitor | None = None,
    max_attempts: int = 3,
    poll_s: float = 0.25,
) -> list[FileResult]:
    """Analyse every video matched by ``pattern`` into ``out_dir``; write the index.

    Parameters
    ----------
    executor_factory : callable, optional
        Returns the executor to submit to; called again after a local pool breaks (a worker
        died). Default: :func:`local_executor` with ``workers`` processes.
    max_attempts : int
        Tries per video when its worker dies; then it is marked failed.

    Returns
    -------
    list of FileResult
        One per input file, in input order.
    """
    settings = settings or BatchSettings()
    monitor = monitor or BatchMonitor()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise MirrorError(f"--out {out} exists and is not a folder")
    inside_out = out.resolve()
    files = [f for f in find_videos(pattern) if inside_out not in f.parents]  # never our own outputs
    if not files:
        raise MirrorError(f"no input files in {pattern} outside the output folder {out}")
    factory = executor_factory or (lambda: local_executor(workers, settings.extract))
    if settings.history is not None:  # a damaged or foreign history is refused before any work
        from mirror.history import open_history

        open_history(settings.history).close()
    with folder_lock(out):
        items = plan_batch(files, out)
        results: dict[int, FileResult] = {}
        todo = []
        for i, item in enumerate(items):
            if item.skip:
                results[i] = FileResult(item.source, item.name, "skipped", item.skip)
            elif is_done(item, out, settings):
                status = _read_json(out / item.name / STATUS) or {}
                results[i] = FileResult(
                    item.source, item.name, "skipped-done", seconds=status.get("seconds", 0.0), attempts=0
                )
            else:
                todo.append(i)
        monitor.started(items, [items[i] for i in todo])
        for i, r in results.items():
            monitor.file_finished(items[i], r)
        pages: dict[str, Path] = {}
        try:
            _run(items, todo, out, settings, factory, monitor, results, max_attempts, poll_s)
            pages = _progress_pages(out, items, results, settings)
        finally:
            ordered = [results[i] for i in sorted(results)]
            write_index(out, [items[i] for i in sorted(results)], ordered, progress_pages=pages)
    return [results[i] for i in range(len(items))]


def _progress_pages(
    out: Path, items: list[BatchItem], results: dict[int, FileResult], settings: BatchSettings
) -> dict[str, Path]:
    """Record the videos done by earlier runs too (an update when already there), then write the people's progress pages."""
    if settings.history is None:
        return {}
    done = [i for i, r in results.items() if r.state in ("done", "skipped-done")]
    for i in done:
        if results[i].state == "skipped-done":
            results[i].history_error = record_in_history(out / items[i].name, settings)
    from mirror.history import write_people_pages

    try:
        return write_people_pages(out, settings.people, [out / items[i].name for i in done], path=settings.history)
    except MirrorError:
        return {}


def _run(items, todo, out, settings, factory, monitor, results, max_attempts, poll_s) -> None:
    attempts = {i: 0 for i in todo}
    pending = list(todo)
    executor = None
    try:
        while pending:
            if executor is None:
                executor = factory()
            running: dict[cf.Future, int] = {}
            for i in pending:
                attempts[i] += 1
                fut = executor.submit(
                    process_video, str(items[i].source), str(out / items[i].name), settings, attempts[i]
                )
                running[fut] = i
            pending = []
            broken = False
            while running:
                finished, _ = cf.wait(list(running), timeout=poll_s, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    i = running.pop(fut)
                    item = items[i]
                    try:
                        res = fut.result()
                        result = FileResult(
                            item.source,
                            item.name,
                            res["state"],
                            res["error"],
                            res["seconds"],
                            attempts[i],
                            res.get("history_error"),
                        )
                    except Exception as exc:
                        if not _worker_died(exc):
                            raise
                        broken = broken or isinstance(exc, cf.process.BrokenProcessPool)
                        if attempts[i] < max_attempts and isinstance(exc, cf.process.BrokenProcessPool):
                            pending.append(i)
                            continue
                        why = (
                            "a worker process died"
                            if isinstance(exc, cf.process.BrokenProcessPool)
                            else f"workers died ({type(exc).__name__})"
                        )
                        result = FileResult(
                            item.source,
                            item.name,
                            "failed",
                            f"{why} while analysing it, {attempts[i]} time(s)",
                            0.0,
                            attempts[i],
                        )
                    if result.state == "failed":
                        _mark_failed(out / item.name, item, result, settings)
                    results[i] = result
                    monitor.file_finished(item, result)
                for fut, i in running.items():
                    prog = _read_json(out / items[i].name / PROGRESS)
                    if prog:
                        monitor.file_progress(items[i], int(prog.get("done", 0)), int(prog.get("total", 0)))
            if broken:
                executor.shutdown(wait=False, cancel_futures=True)
                executor = None
    except BaseException:
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
            executor = None
        raise
    finally:
        if executor is not None:
            executor.shutdown(wait=True)


def _mark_failed(folder: Path, item: BatchItem, result: FileResult, settings: BatchSettings) -> None:
    status = {
        "format": "mirror.batch.status",
        "state": "failed",
        "source": str(item.source),
        "error": result.error,
        "settings_key": settings.key(),
        "attempt": result.attempts,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    with contextlib.suppress(MirrorError):
        write_atomic(folder / STATUS, json.dumps(status, indent=1).encode())
    (folder / PROGRESS).unlink(missing_ok=True)


# ----------------------------------------------------------------------------- the index

INDEX_COLUMNS = [
    "rank_mirror", "rank_match", "rank_mechanical", "name", "source", "status", "error", "duration_s",
    "mirror_share", "match_share", "symmetric_share", "leader", "synchrony", "effect_size", "p_value",
    "mechanical_score", "mechanical_flagged", "events", "report",
]  # fmt: skip


def _index_row(out: Path, item: BatchItem, result: FileResult) -> dict:
    from mirror.report.doc import duration_of, mechanical_directions

    row = {"name": item.name, "source": str(item.source), "error": result.error or ""}
    row["status"] = "done" if result.state in ("done", "skipped-done") else result.state
    if row["status"] != "done":
        return row
    try:
        from mirror.report import read_report

        doc = read_report(out / item.name / "report.json")
    except MirrorError as err:
        return {**row, "status": "failed", "error": str(err)}
    summary = doc.get("summary") or {}
    share = summary.get("share") or {}
    sync = summary.get("synchrony") or {}
    leaders = summary.get("leader_share") or {}
    dirs = mechanical_directions(doc)
    row.update(
        duration_s=round(duration_of(doc), 2),
        mirror_share=share.get("mirror"),
        match_share=share.get("match"),
        symmetric_share=share.get("symmetric"),
        leader=(max(leaders, key=lambda k: leaders[k] or 0) if any((leaders or {}).values()) else ""),
        synchrony=sync.get("real"),
        effect_size=sync.get("effect_size"),
        p_value=sync.get("p_value"),
        mechanical_score=max((d.get("score") or 0.0 for d in dirs), default=None),
        mechanical_flagged=";".join(f"{d['copier']} copies {d['model']}" for d in dirs if d.get("flagged")),
        events=len(doc.get("events") or []),
        report=f"{item.name}/report.html",
    )
    return row


def _rank(rows: list[dict], key: str, descending: bool) -> None:
    scored = [r for r in rows if isinstance(r.get(key), (int, float))]
    scored.sort(key=lambda r: r[key], reverse=descending)
    prev, rank = None, 0
    for pos, r in enumerate(scored, 1):
        if r[key] != prev:
            rank, prev = pos, r[key]
        r[f"rank_{key.split('_')[0]}"] = rank


def index_rows(out_dir: Path, items: list[BatchItem], results: list[FileResult]) -> list[dict]:
    """One row per input file, with ranks: 1 = most mirroring, most matching, most mechanical."""
    rows = [_index_row(Path(out_dir), it, r) for it, r in zip(items, results)]
    _rank(rows, "mirror_share", True)
    _rank(rows, "match_share", True)
    _rank(rows, "mechanical_score", True)
    rows.sort(key=lambda r: (r.get("rank_mirror") is None, r.get("rank_mirror") or 0, r["name"], r["source"]))
    return rows


def write_index(
    out_dir: Path, items: list[BatchItem], results: list[FileResult], progress_pages: dict[str, Path] | None = None
) -> dict[str, Path]:
    """``index.csv`` and ``index.html`` (self-contained, sortable by any column; linked to ``progress_pages``, person → page)."""
    out = Path(out_dir)
    rows = index_rows(out, items, results)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=INDEX_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in INDEX_COLUMNS})
    paths = {"index.csv": out / "index.csv", "index.html": out / "index.html"}
    write_atomic(paths["index.csv"], buf.getvalue().encode())
    write_atomic(paths["index.html"], render_index_html(rows, progress_pages).encode())
    return paths


def _cell(v, kind: str = "") -> str:
    if v is None or v == "":
        return '<td data-v="">–</td>'
    if kind == "pct":
        return f'<td class="num" data-v="{float(v)}">{100 * float(v):.0f} %</td>'
    if kind == "num":
        return f'<td class="num" data-v="{float(v)}">{float(v):.2f}</td>'
    if kind == "p":  # a p-value as the reports write it: 0.004, not 0.00
        p = float(v)
        return (
            f'<td class="num" data-v="{p}">{p:.3f}</td>' if p >= 0.001 else f'<td class="num" data-v="{p}">{p:.1g}</td>'
        )
    if kind == "int":
        return f'<td class="num" data-v="{int(v)}">{int(v)}</td>'
    return f'<td data-v="{escape(str(v))}">{escape(str(v))}</td>'


def _progress_links(pages: dict[str, Path]) -> str:
    if not pages:
        return ""
    links = ", ".join(
        f'<a class="progress" href="{escape(Path(p).name)}">{escape("these sessions" if who == "A/B" else who)}</a>'
        for who, p in pages.items()
    )
    return f'<p id="progress">Progress over sessions: {links}.</p>'


INDEX_JS = """
document.querySelectorAll('th[data-sort]').forEach(function(th){th.addEventListener('click',function(){
var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,n=th.dataset.sort==='num',d=th.dataset.dir==='asc'?'desc':'asc';th.dataset.dir=d;
var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var a=x.cells[i].dataset.v,c=y.cells[i].dataset.v;
if(a===''&&c!=='')return 1;if(c===''&&a!=='')return -1;var r=n?(parseFloat(a)-parseFloat(c)):a.localeCompare(c);return d==='asc'?r:-r;});
rows.forEach(function(r){b.appendChild(r);});});});
"""


def render_index_html(rows: list[dict], progress_pages: dict[str, Path] | None = None) -> str:
    done = sum(r["status"] == "done" for r in rows)
    failed = sum(r["status"] == "failed" for r in rows)
    skipped = sum(r["status"] == "skipped" for r in rows)
    head = [
        ("rank (mirror)", "num"), ("rank (match)", "num"), ("rank (mechanical)", "num"), ("session", "txt"), ("status", "txt"),
        ("mirror", "num"), ("match", "num"), ("symmetric", "num"), ("leader", "txt"), ("synchrony", "num"), ("effect size", "num"),
        ("p", "num"), ("mechanical score", "num"), ("flagged", "txt"), ("events (whole body)", "num"), ("duration (s)", "num"), ("error", "txt"),
    ]  # fmt: skip
    body = []
    for r in rows:
        name = escape(r["name"] or Path(r["source"]).name)
        link = f'<a href="{escape(r["report"])}">{name}</a>' if r.get("report") else name
        body.append(
            f'<tr data-status="{escape(r["status"])}">'
            + _cell(r.get("rank_mirror"), "int") + _cell(r.get("rank_match"), "int") + _cell(r.get("rank_mechanical"), "int")
            + f'<td data-v="{name}" title="{escape(r["source"])}">{link}</td>'
            + _cell(r["status"]) + _cell(r.get("mirror_share"), "pct") + _cell(r.get("match_share"), "pct")
            + _cell(r.get("symmetric_share"), "pct") + _cell(r.get("leader")) + _cell(r.get("synchrony") if r.get("effect_size") is not None else None, "num")
            + _cell(r.get("effect_size"), "num") + _cell(r.get("p_value"), "p") + _cell(r.get("mechanical_score"), "num")
            + _cell(r.get("mechanical_flagged")) + _cell(r.get("events"), "int") + _cell(r.get("duration_s"), "num")
            + _cell(r.get("error")).replace("<td", '<td class="error"', 1) + "</tr>"
        )  # fmt: skip
    th = "".join(f'<th data-sort="{k}">{escape(h)}</th>' for h, k in head)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>mirror batch index</title>'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        "<style>body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#1d2330}table{border-collapse:collapse}"
        "th,td{border:1px solid #d7dbe2;padding:4px 5px;text-align:left}th{background:#eef0f4;cursor:pointer;font-size:12.5px}"
        ".wrap{max-width:100%;overflow-x:auto}td{font-size:13px}td.error{min-width:12em;max-width:22em;overflow-wrap:anywhere}"
        "td[title]{min-width:11em;max-width:16em;overflow-wrap:anywhere}"
        "td.num{text-align:right;font-variant-numeric:tabular-nums}tr[data-status=failed] td{background:#fff4f2}"
        "tr[data-status=skipped] td{color:#777}</style></head><body>"
        f"<h1>mirror batch: {len(rows)} files</h1><p>{done} done, {failed} failed, {skipped} skipped (not videos). "
        "Ranks: 1 is the session with the most mirroring, the most matching, the most mechanical copying. "
        "Synchrony is shown only beside its chance reference (effect size and p against pseudo-sessions). "
        "Click a column to sort.</p>"
        + _progress_links(progress_pages or {})
        + f'<div class="wrap"><table id="index"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
        f"<script>{INDEX_JS}</script></body></html>\n"
    )
