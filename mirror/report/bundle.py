"""Every per-video file, rendered from ``report.json`` in one call."""

from __future__ import annotations

import json
from pathlib import Path

from mirror.report.boris import render_boris
from mirror.report.doc import read_report
from mirror.report.elan import render_eaf
from mirror.report.html import render_html
from mirror.report.model import Report
from mirror.report.provenance import provenance_dict
from mirror.report.timeline import render_timeline_png
from mirror.storage import write_atomic

RENDERED_FILES = (
    "report.html", "timeline.png", "report.eaf", "boris_events.csv", "boris_ethogram.csv", "boris_subjects.csv",
    "provenance.json",
)  # fmt: skip


def report_video_path(doc: Report, video_path: str | Path | None = None) -> Path | None:
    """The video to link and take thumbnails from: the one given, else the report's source if it still exists."""
    if video_path is not None:
        return Path(video_path)
    recorded = doc.provenance.source_path
    return Path(recorded) if recorded and Path(recorded).is_file() else None


def write_all(
    out_dir: str | Path, video_path: str | Path | None = None, run: dict | None = None, report: Report | None = None
) -> dict[str, Path]:
    """Write the rest of the report files beside ``out_dir/report.json``, each atomically.

    Files: ``report.html`` (self-contained page), ``timeline.png``, ``report.eaf`` (ELAN,
    linked to the video), ``boris_events.csv``, ``boris_ethogram.csv``, ``boris_subjects.csv``
    and ``provenance.json`` (schema in docs/report-schema.md).

    Parameters
    ----------
    video_path : path, optional
        The analysed video, for thumbnails, the ELAN media link and its checksum; default:
        the report's ``provenance.source_path`` when that file exists. Without a video the
        page has no thumbnails and the ELAN file no media link.
    run : dict, optional
        Facts about the run to keep in ``provenance.json``.
    report : Report, optional
        The report just written there, as built in memory; default: ``report.json`` read back
        (``mirror report`` re-rendering an existing folder).

    Returns
    -------
    dict
        File name → path written.
    """
    out = Path(out_dir)
    doc = report if report is not None else read_report(out / "report.json")
    video = report_video_path(doc, video_path)
    paths = {name: out / name for name in RENDERED_FILES}
    write_atomic(paths["timeline.png"], render_timeline_png(doc))
    write_atomic(paths["report.eaf"], render_eaf(doc, video, paths["report.eaf"]))
    for name, data in render_boris(doc).items():
        write_atomic(paths[name], data)
    write_atomic(paths["provenance.json"], json.dumps(provenance_dict(doc, video, run), indent=1).encode())
    write_atomic(paths["report.html"], render_html(doc, video).encode())
    return paths
