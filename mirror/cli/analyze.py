"""``mirror analyze``: mirroring and matching over sliding windows of a video, written as the report files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mirror.cli.bars import ProgressBar
from mirror.cli.errors import RESUME, user_errors
from mirror.cli.history import history_target, people_from_options, record_and_describe
from mirror.cli.options import (
    AnalysisFps,
    LayoutOption,
    MaxLagS,
    Partner,
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

if TYPE_CHECKING:
    from mirror.landmarks import ExtractRun


def analyze(
    source: Annotated[
        str,
        typer.Argument(metavar="VIDEO", help="Video file (landmarks come from the cache when already extracted)."),
    ],
    out: Annotated[
        Path,
        out_option(
            "Folder for report.json, windows.csv, events.csv, report.html, timeline.png, report.eaf, "
            "BORIS tables and provenance.json."
        ),
    ],
    preset: PresetOption = "live",
    window_s: WindowS = None,
    step_s: StepS = None,
    max_lag_s: MaxLagS = None,
    surrogates: Annotated[int, surrogates_option()] = 200,
    fps: AnalysisFps = 15.0,
    layout: LayoutOption = "auto",
    regions: Regions = None,
    model: PoseModel = "lite",
    mirrored_input: Annotated[bool, mirrored_input_option("The source is a mirror (selfie) image.")] = False,
    cache_dir: Annotated[Path | None, cache_dir_option("Landmark cache folder.")] = None,
    progress: Annotated[bool, progress_option("Show a progress bar while extracting.")] = True,
    me: Annotated[str | None, me_option()] = None,
    partner: Partner = None,
    me_side: Annotated[str | None, me_side_option()] = None,
    history: Annotated[Path | None, history_option()] = None,
    no_history: Annotated[bool, no_history_option()] = False,
) -> None:
    """Tell mirroring from matching over sliding windows; write the report files."""
    from mirror.landmarks import ExtractSettings, Layout
    from mirror.pipeline import analyze_video, session_report, write_session
    from mirror.sources import check_file
    from mirror.storage import folder_lock

    with user_errors(interrupted=RESUME):
        check_file(source)
        people = people_from_options(me, partner, me_side)
        settings = compare_settings(preset, window_s, step_s, max_lag_s)
        ext = ExtractSettings(
            pose_model=model, layout=Layout.parse(layout, regions), fps=fps, mirrored_input=mirrored_input
        )
        check_out_folder(out)
        history_file = history_target(history, no_history)  # a damaged history is refused before any work
        bar = ProgressBar(progress)
        try:
            session = analyze_video(
                source,
                settings,
                ext,
                n_surrogates=surrogates,
                cache_dir=cache_dir,
                progress=bar.frames,
                on_total=bar.total,
                keep_landmarks=False,
            )
        finally:
            bar.close()
        doc = session_report(session)
        with folder_lock(out):
            paths = write_session(session, out, doc)
            from mirror.report import write_all

            paths.update(write_all(out, source, report=doc))
        recorded = record_and_describe(history_file, out, "analyze", people, doc)[1] if history_file else None
    from mirror.report.doc import (
        adapted_text,
        alpha_of,
        calibration_text,
        confidence_word,
        format_p,
        nothing_text,
        smoothing_text,
        synchrony_missing,
        synchrony_reference,
        usability_rows,
    )

    result = session.synchrony
    share = result.summary.share
    sync = result.summary.synchrony
    typer.echo(_presence_line(session.extract))
    unusable = [r["text"] for r in usability_rows(doc) if r["reason"] != "ok"]
    for line in unusable:
        typer.echo(f"  {line}")
    nothing = nothing_text(doc)
    if nothing is not None:
        typer.echo(nothing)
        typer.echo(f"wrote {plural(len(paths), 'file')} to {out}: {', '.join(p.name for p in paths.values())}")
        if recorded:
            typer.echo(recorded)
        return
    typer.echo(calibration_text(doc))
    adapted = adapted_text(doc)
    if adapted:
        typer.echo(adapted)
    smoothed = smoothing_text(doc)
    if smoothed:
        typer.echo(smoothed[0].upper() + smoothed[1:] + ".")
    alpha = alpha_of(doc)
    typer.echo(
        f"{plural(len(result.windows), 'window')}, labelled only where beyond chance: "
        f"mirror {100 * share['mirror']:.0f} %, match {100 * share['match']:.0f} %, "
        f"symmetric {100 * share['symmetric']:.0f} %, none {100 * share['none']:.0f} %"
        + (
            f"; insufficient data in {plural(result.summary.insufficient_windows, 'window')}"
            if result.summary.insufficient_windows
            else ""
        )
    )
    reference = synchrony_reference(doc)  # the same words as report.html and the review page
    if not math.isfinite(sync.real):
        typer.echo("synchrony not measurable: no window has both people in view long enough")
    elif reference is not None:
        typer.echo(
            f"synchrony: {reference['words'].rstrip('.')} "
            f"(synchrony {sync.real:.3f} vs pseudo-synchrony {sync.surrogate_mean:.3f}, "
            f"effect size {sync.effect_size:.2f}, p = {format_p(sync.p_value)})"
        )
    else:
        typer.echo(f"synchrony: {synchrony_missing(doc)}")
    for e in result.events[:10]:
        typer.echo(
            f"  {e.start_s:7.1f}-{e.end_s:7.1f} s  {e.kind:9s} leader {e.leader or '-':8s} lag {e.lag_s:+.2f} s  "
            f"strength {e.strength:.2f}  p={format_p(e.p_value)} {confidence_word(e.p_value, alpha)}  "
            f"{', '.join(e.channels)}"
        )
    if len(result.events) > 10:
        typer.echo(f"  ... {plural(len(result.events) - 10, 'more event')} in {paths['events.csv']}")
    directions = session.mechanical.directions.values() if session.mechanical is not None else ()
    for d in directions:
        if d.flagged:
            ranges = ", ".join(f"{a:.0f}-{b:.0f} s" for a, b in d.flagged_ranges[:5])
            typer.echo(f"mechanical imitation: {d.copier} copies {d.model} (score {d.score:.2f}; {ranges})")
            for r in d.reasons:
                typer.echo(f"  - {r.text}")
    warnings = sum(m.kind == "warning" for m in session.feedback)
    if session.feedback:
        typer.echo(
            f"{plural(len(session.feedback), 'coaching message')} ({plural(warnings, 'warning')}) in report.json"
        )
    typer.echo(f"wrote {plural(len(paths), 'file')} to {out}: {', '.join(p.name for p in paths.values())}")
    if recorded:
        typer.echo(recorded)


def _presence_line(extract_info: ExtractRun | None) -> str:
    """How often each person was in view, with a warning when the comparison has little to go on."""
    both = extract_info.both_present_rate if extract_info is not None else None
    each = (extract_info.present_rate if extract_info is not None else None) or {}
    if both is None:
        return "people in view: unknown"
    line = (
        f"both people in view in {100 * both:.0f} % of frames "
        f"(A {100 * each.get('A', 0):.0f} %, B {100 * each.get('B', 0):.0f} %)"
    )
    if both < 0.5:
        line += "; the comparison needs both: check that two people are in the picture (see --layout)"
    return line
