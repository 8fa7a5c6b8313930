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

Modules, by job: :mod:`mirror.batch.plan` (inputs, output names, what is done, how many
workers), :mod:`mirror.batch.worker` (one video, in a worker; the executors),
:mod:`mirror.batch.run` (the run loop) and :mod:`mirror.report.index` (the index).

Layout of ``OUT``::

    OUT/batch.json            which output folder belongs to which video
    OUT/index.csv, index.html every video: status, error, figures, ranks
    OUT/<name>/               report.json, windows.csv, events.csv, report.html, timeline.png,
                              report.eaf, boris_*.csv, provenance.json, status.json
"""

from mirror.batch.plan import (
    MANIFEST,
    OVERLAY,
    PROGRESS,
    STATUS,
    VIDEO_SUFFIXES,
    WORKER_MEMORY_BYTES,
    BatchItem,
    BatchSettings,
    FileResult,
    WorkerPlan,
    available_memory_bytes,
    find_videos,
    is_done,
    plan_batch,
    plan_workers,
    source_fingerprint,
    usable_cores,
)
from mirror.batch.run import BatchMonitor, run_batch
from mirror.batch.worker import (
    THREAD_VARIABLES,
    VideoOutcome,
    dask_executor,
    init_worker,
    local_executor,
    process_video,
    record_in_history,
    worker_backend,
)

__all__ = [
    "MANIFEST",
    "OVERLAY",
    "PROGRESS",
    "STATUS",
    "THREAD_VARIABLES",
    "VIDEO_SUFFIXES",
    "WORKER_MEMORY_BYTES",
    "BatchItem",
    "BatchMonitor",
    "BatchSettings",
    "FileResult",
    "VideoOutcome",
    "WorkerPlan",
    "available_memory_bytes",
    "dask_executor",
    "find_videos",
    "init_worker",
    "is_done",
    "local_executor",
    "plan_batch",
    "plan_workers",
    "process_video",
    "record_in_history",
    "run_batch",
    "source_fingerprint",
    "usable_cores",
    "worker_backend",
]
