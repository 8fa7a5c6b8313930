"""History stage: every analysed session in a local SQLite file, and progress over them.

``mirror analyze``, ``mirror batch`` and ``mirror live`` call :func:`record_session` once a
session's report is complete; ``mirror progress`` reads the history back
(:func:`load_progress`) and writes ``progress.html`` and CSV.  Nothing leaves the machine.

    store.py     the SQLite file: schema versions and migrations, concurrent writers
    session.py   one session's figures, read from its report.json
    progress.py  figures from one person's side, trends, CSV
    page.py      progress.html

``mirror progress`` and the history options of analyze, batch and live are in
:mod:`mirror.cli.progress` and :mod:`mirror.cli.history`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mirror.history.page import render_progress_html
from mirror.history.progress import (
    Figure,
    FigureTrend,
    Progress,
    SessionView,
    build_progress,
    compare_latest,
    describe,
    parse_since,
    people_names,
    progress_csv,
)
from mirror.history.session import People, SessionKind, SessionRecord, record_from_report
from mirror.history.store import SCHEMA_VERSION, History, check_file, default_history_path, history_path
from mirror.storage import write_atomic

if TYPE_CHECKING:
    from mirror.report.model import Report


@dataclass(frozen=True)
class Recorded:
    """A session just stored: its record (with its id), whether it was new, and the history file."""

    path: Path
    session: SessionRecord
    added: bool


def open_history(path: str | Path | None = None, create: bool = True) -> History:
    """The history at ``path`` (``--history``), ``$MIRROR_HISTORY`` or the default place (see :func:`history_path`)."""
    return History(history_path(path), create=create)


def record_session(
    report_dir: str | Path,
    kind: SessionKind,
    people: People | None = None,
    path: str | Path | None = None,
    report: Report | None = None,
) -> Recorded:
    """Record the finished report in ``report_dir`` (the same source and settings again: updated).

    ``report`` is that report as built in memory, when the caller has it (default: read back).

    Raises
    ------
    MirrorError
        The report is missing or damaged, or the history cannot be used.
    """
    rec = record_from_report(report_dir, kind, people, report)
    with open_history(path) as history:
        sid, added = history.record(rec)
        stored = history.session(sid)
    return Recorded(history.path, stored or rec, added)


def load_progress(path: str | Path | None = None, person: str | None = None, since: str | None = None) -> Progress:
    """Progress of ``person`` (everyone when None) over the sessions recorded since ``since`` (ISO 8601, UTC)."""
    with open_history(path, create=False) as history:
        records = history.sessions(since=since)
    return build_progress(records, person, since)


def write_progress_page(progress: Progress, page: str | Path) -> Path:
    """Write ``progress.html`` atomically; returns its path."""
    page = Path(page)
    write_atomic(page, render_progress_html(progress, page).encode())
    return page


def write_progress_csv(progress: Progress, path: str | Path) -> Path:
    path = Path(path)
    write_atomic(path, progress_csv(progress).encode())
    return path


def write_people_pages(
    out_dir: str | Path, people: People, report_dirs: list[str | Path], path: str | Path | None = None
) -> dict[str, Path]:
    """Progress pages for a batch: one per person named (over their whole history), else one over this batch.

    Returns ``{person or "A/B": page}``; the pages are ``progress-NAME.html`` (or ``progress.html``) in ``out_dir``.
    """
    out = Path(out_dir)
    with open_history(path) as history:
        records = history.sessions()
    pages: dict[str, Path] = {}
    names = [n for n in (people.me_name, people.partner_name) if n]
    for name in names:
        page = out / f"progress-{_file_safe(name)}.html"
        pages[name] = write_progress_page(build_progress(records, name), page)
    if not names:
        here = {str(Path(d).resolve()) for d in report_dirs}
        mine = [r for r in records if r.report_dir in here]
        if mine:
            pages["A/B"] = write_progress_page(build_progress(mine), out / "progress.html")
    return pages


def _file_safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._") or "person"


__all__ = [
    "SCHEMA_VERSION",
    "Figure",
    "FigureTrend",
    "History",
    "People",
    "Progress",
    "Recorded",
    "SessionRecord",
    "SessionView",
    "build_progress",
    "check_file",
    "compare_latest",
    "default_history_path",
    "describe",
    "history_path",
    "load_progress",
    "open_history",
    "parse_since",
    "people_names",
    "progress_csv",
    "record_from_report",
    "record_session",
    "render_progress_html",
    "write_progress_csv",
    "write_people_pages",
    "write_progress_page",
]
