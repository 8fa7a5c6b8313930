"""``mirror batch``: every video of a folder or glob analysed, by local worker processes or a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mirror.batch import BatchItem, BatchMonitor, FileResult
from mirror.cli.errors import RESUME, user_errors
from mirror.cli.history import history_target, people_from_options
from mirror.cli.options import (
    FLAG,
    AnalysisFps,
    LayoutOption,
    MaxLagS,
    PoseModel,
    PresetOption,
    Regions,
    StepS,
    WindowS,
    cache_dir_option,
    check_out_folder,
    compare_settings,
    history_option,
    me_option,
    me_side_option,
    mirrored_input_option,
    no_history_option,
    out_option,
    plural,
    progress_option,
    surrogates_option,
)
from mirror.errors import MirrorError

if TYPE_CHECKING:
    from tqdm import tqdm


def batch(
    inputs: Annotated[
        str,
        typer.Argument(
            metavar="DIR_OR_GLOB", help="A folder of videos, a quoted glob ('sessions/**/*.mp4') or one video."
        ),
    ],
    out: Annotated[Path, out_option("Output folder: one subfolder per video, index.csv and index.html.")],
    workers: Annotated[
        str,
        typer.Option(
            "--workers",
            "-j",
            metavar="N|auto",
            help="Local worker processes (each loads the models once); auto: one per core, "
            "at most one per video and as many as the memory holds.",
        ),
    ] = "auto",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on a Dask distributed cluster instead, e.g. tcp://host:8786 (workers must see the same paths).",
        ),
    ] = None,
    preset: PresetOption = "live",
    window_s: WindowS = None,
    step_s: StepS = None,
    max_lag_s: MaxLagS = None,
    surrogates: Annotated[int, surrogates_option()] = 200,
    fps: AnalysisFps = 15.0,
    layout: LayoutOption = "auto",
    regions: Regions = None,
    model: PoseModel = "lite",
    mirrored_input: Annotated[bool, mirrored_input_option("The sources are mirror (selfie) images.")] = False,
    cache_dir: Annotated[Path | None, cache_dir_option("Landmark cache folder (shared by all workers).")] = None,
    overlay_video: Annotated[
        bool,
        typer.Option(
            "--overlay-video",
            metavar=FLAG,
            help="Also write overlay.avi: the video with the same overlay as `mirror live` drawn on it.",
        ),
    ] = False,
    progress: Annotated[bool, progress_option("Show progress bars (files, and frames of each file).")] = True,
    me: Annotated[
        str | None, me_option("Your name, recorded in the history for every video (`mirror progress --me NAME`).")
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="Your partner's name, recorded in the history for every video.")
    ] = None,
    me_side: Annotated[
        str | None, me_side_option("Which person is you in the videos: left (A, the default) or right (B).")
    ] = None,
    history: Annotated[
        Path | None, history_option("Session history file (default $MIRROR_HISTORY, else the user data folder).")
    ] = None,
    no_history: Annotated[bool, no_history_option("Do not record these sessions in the history.")] = False,
) -> None:
    """Analyse every video of a folder or glob: one report folder per video, and an index ranking them.

    Resumable: videos already done are skipped, and a Ctrl+C followed by the same command loses nothing.
    Exit codes: 0 when every video was analysed (or done before); 1 when any video failed (each is
    listed in index.csv with its one-line error, and the others go on); 2, before any work, for bad
    options or an input with no video in it (an empty folder, or only other files).
    """
    from mirror.batch import (
        BatchSettings,
        available_memory_bytes,
        dask_executor,
        local_executor,
        plan_workers,
        run_batch,
    )
    from mirror.landmarks import ExtractSettings, Layout

    with user_errors(interrupted=RESUME):
        people = people_from_options(me, partner, me_side)
        compare = compare_settings(preset, window_s, step_s, max_lag_s)
        asked = parse_workers(workers)
        check_out_folder(out)
        videos = check_has_videos(inputs)
        history_file = history_target(history, no_history)  # a damaged history is refused before any work
        settings = BatchSettings(
            extract=ExtractSettings(
                pose_model=model, layout=Layout.parse(layout, regions), fps=fps, mirrored_input=mirrored_input
            ),
            compare=compare,
            n_surrogates=surrogates,
            cache_dir=str(cache_dir.resolve()) if cache_dir else None,
            overlay_video=overlay_video,
            history=str(history_file.resolve()) if history_file else None,
            people=people,
        )
        if overlay_video:
            try:
                from mirror.overlay import write_overlay_video  # noqa: F401
            except ImportError:
                raise MirrorError("--overlay-video needs mirror.overlay, which this installation lacks") from None
        client = None
        if scheduler:
            executor, client = dask_executor(scheduler)
            factory = lambda: executor  # noqa: E731
        else:
            plan = plan_workers(asked, videos, memory_bytes=available_memory_bytes())
            typer.echo(plan.describe())
            factory = lambda: local_executor(plan.workers, settings.extract, plan.threads_per_worker)  # noqa: E731
        bars = _Bars(progress)
        try:
            results = run_batch(inputs, out, settings, executor_factory=factory, monitor=bars)
        finally:
            bars.close()
            if client is not None:
                client.close()
    done = sum(r.state == "done" for r in results)
    earlier = sum(r.state == "skipped-done" for r in results)
    failed = [r for r in results if r.state == "failed"]
    skipped = [r for r in results if r.state == "skipped"]
    typer.echo(
        f"{plural(len(results), 'file')}: {done} analysed, {earlier} already done, {len(failed)} failed, "
        f"{len(skipped)} not {'a video' if len(skipped) == 1 else 'videos'}"
    )
    for r in failed:
        typer.echo(f"  failed  {r.source}: {r.error}")
    for r in skipped:
        typer.echo(f"  skipped {r.source}: {r.error}")
    for r in results:
        if r.history_error:
            typer.echo(f"  not in the history: {r.source}: {r.history_error}", err=True)
    if history_file:
        recorded = sum(r.state in ("done", "skipped-done") and not r.history_error for r in results)
        typer.echo(f"{plural(recorded, 'session')} in the history {history_file}")
    typer.echo(f"wrote {out / 'index.html'} and {out / 'index.csv'}")
    if failed:
        raise typer.Exit(1)


def parse_workers(text: str) -> int | None:
    """``--workers``: a whole number of at least 1, or ``auto`` (None: chosen for the machine).

    Raises
    ------
    MirrorError
        Anything else, in one line naming the valid values.
    """
    if text.strip().lower() == "auto":
        return None
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise MirrorError(f"--workers must be at least 1, or auto, got {text}")
    return n


def check_has_videos(inputs: str) -> int:
    """Refuse an input with no video in it (an empty folder, or only other files), before any work; the videos found.

    Raises
    ------
    MirrorError
        Nothing matches, or nothing that matches is a video.
    """
    from mirror.batch import VIDEO_SUFFIXES, find_videos

    files = find_videos(inputs)
    videos = sum(f.suffix.lower() in VIDEO_SUFFIXES for f in files)
    if not videos:
        raise MirrorError(
            f"no video in {inputs}: {plural(len(files), 'file')}, none with a video extension "
            f"({', '.join(sorted(VIDEO_SUFFIXES))})"
        )
    return videos


class _Bars(BatchMonitor):
    """One tqdm bar across files and one per video being analysed."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.files: tqdm | None = None
        self.per_file: dict[str, tqdm] = {}
        self.position: dict[str, int] = {}
        self.free: list[int] = []
        self.next_pos = 1

    def started(self, items: list[BatchItem], todo: list[BatchItem]) -> None:
        from tqdm import tqdm

        self.files = tqdm(
            total=len(items),
            unit="file",
            desc="files",
            disable=not self.enabled,
            file=sys.stderr,
            dynamic_ncols=True,
            position=0,
        )

    def file_progress(self, item: BatchItem, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.per_file.get(item.name)
        if bar is None:
            pos = self.free.pop(0) if self.free else self.next_pos
            self.next_pos = max(self.next_pos, pos + 1)
            bar = tqdm(
                total=total if total > 0 else None, unit="frame", desc=item.name[:24], disable=not self.enabled,
                file=sys.stderr, dynamic_ncols=True, position=pos, leave=False,
            )  # fmt: skip
            self.per_file[item.name] = bar
            self.position[item.name] = pos
        if total > 0 and bar.total != total:
            bar.total = total
        bar.update(max(0, done - bar.n))

    def file_finished(self, item: BatchItem, result: FileResult) -> None:
        bar = self.per_file.pop(item.name, None)
        if bar is not None:
            self.free.append(self.position.pop(item.name))
            bar.close()
        if self.files is not None:
            self.files.update(1)
            if result.state == "failed" and self.enabled:
                self.files.write(f"failed: {item.source.name}: {result.error}", file=sys.stderr)

    def close(self) -> None:
        for bar in self.per_file.values():
            bar.close()
        if self.files is not None:
            self.files.close()
