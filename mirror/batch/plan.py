"""Which videos a batch analyses, under which output names, and with how many workers.

* :func:`find_videos` and :func:`plan_batch`: the input files and their stable output folder
  names (kept in ``OUT/batch.json``);
* :func:`is_done`: whether an earlier run finished a video with the same file and settings;
* :func:`plan_workers`: how many local worker processes, and how many threads each.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mirror.errors import MirrorError
from mirror.history.session import People
from mirror.serial import Plain, local
from mirror.storage import write_atomic
from mirror.vocabulary import BatchState

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
class BatchSettings(Plain):
    """How every video of a batch is analysed (the same for all, so results compare).

    Its dict (:meth:`to_dict`) is everything that changes the results: every field but the
    ``local`` ones (where the cache and the history live, who was who), so a field added here
    reaches :meth:`key` unless it is declared local.
    """

    extract: ExtractSettings = field(default_factory=_default_extract)
    compare: CompareSettings = field(default_factory=_default_compare)
    n_surrogates: int = 200
    cache_dir: str | None = local(default=None)
    overlay_video: bool = False
    history: str | None = local(default=None)  # the history file each finished video goes to (None: no history)
    people: People = local(default_factory=People)  # who was who, for the history

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
    state : BatchState
        ``done`` (all files written now), ``skipped-done`` (done by an earlier run),
        ``failed`` (``error`` says why) or ``skipped`` (not a video).
    """

    source: Path
    name: str
    state: BatchState
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
    manifest = read_json(out_dir / MANIFEST) or {}
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


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def source_fingerprint(source: Path) -> dict:
    st = source.stat()
    return {"source": str(source), "source_size": st.st_size, "source_mtime_ns": st.st_mtime_ns}


def is_done(item: BatchItem, out_dir: Path, settings: BatchSettings) -> bool:
    """Whether an earlier run finished this video with these settings (and its files are all there)."""
    folder = out_dir / item.name
    status = read_json(folder / STATUS)
    if not status or status.get("state") != "done" or status.get("settings_key") != settings.key():
        return False
    try:
        fp = source_fingerprint(item.source)
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


WORKER_MEMORY_BYTES = 1_500_000_000
"""Memory one worker may need (models, a long session's landmarks and comparison): ``--workers
auto`` starts no more workers than the available memory holds."""


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
