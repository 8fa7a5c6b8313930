"""The run loop of a batch: submit the videos still to do, retry dead workers, write the index."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from mirror.batch.plan import (
    PROGRESS,
    STATUS,
    BatchItem,
    BatchSettings,
    FileResult,
    find_videos,
    is_done,
    plan_batch,
    read_json,
)
from mirror.batch.worker import VideoOutcome, local_executor, process_video, record_in_history
from mirror.errors import MirrorError
from mirror.storage import folder_lock, write_atomic


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
    from mirror.report.index import write_index

    with folder_lock(out):
        items = plan_batch(files, out)
        results: dict[int, FileResult] = {}
        todo = []
        for i, item in enumerate(items):
            if item.skip:
                results[i] = FileResult(item.source, item.name, "skipped", item.skip)
            elif is_done(item, out, settings):
                status = read_json(out / item.name / STATUS) or {}
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
    """Record the videos done by earlier runs too (an update when already there).

    Then write the people's progress pages.
    """
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


def _run(
    items: list[BatchItem],
    todo: list[int],
    out: Path,
    settings: BatchSettings,
    factory: Callable[[], cf.Executor],
    monitor: BatchMonitor,
    results: dict[int, FileResult],
    max_attempts: int,
    poll_s: float,
) -> None:
    """Submit the videos ``todo`` (positions in ``items``) and fill ``results`` as they finish.

    A video whose worker died is submitted again (on a new pool when a local pool broke) up to
    ``max_attempts`` times; then, and for any other failure, its folder is marked failed.
    """
    attempts = {i: 0 for i in todo}
    pending = list(todo)
    executor: cf.Executor | None = None
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
                        res: VideoOutcome = fut.result()
                        result = FileResult(
                            item.source, item.name, res.state, res.error, res.seconds, attempts[i], res.history_error
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
                for i in running.values():
                    prog = read_json(out / items[i].name / PROGRESS)
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


def _worker_died(exc: BaseException) -> bool:
    if isinstance(exc, cf.process.BrokenProcessPool):
        return True
    return type(exc).__name__ in ("KilledWorker", "CommClosedError", "FutureCancelledError")
