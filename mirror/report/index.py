"""The index of a batch: ``index.csv`` and a self-contained, sortable ``index.html`` ranking its videos."""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mirror.errors import MirrorError
from mirror.report.doc import copy_directions, duration_of, read_report
from mirror.storage import write_atomic

if TYPE_CHECKING:
    from mirror.batch.plan import BatchItem, FileResult

INDEX_COLUMNS = [
    "rank_mirror", "rank_match", "rank_mechanical", "name", "source", "status", "error", "duration_s",
    "mirror_share", "match_share", "symmetric_share", "leader", "synchrony", "effect_size", "p_value",
    "mechanical_score", "mechanical_flagged", "events", "report",
]  # fmt: skip

INDEX_JS = (
    "\ndocument.querySelectorAll('th[data-sort]').forEach(function(th){th.addEventListener('click',function(){\n"
    "var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,n=th.dataset.sort==='num',"
    "d=th.dataset.dir==='asc'?'desc':'asc';th.dataset.dir=d;\n"
    "var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var a=x.cells[i].dataset.v,"
    "c=y.cells[i].dataset.v;\n"
    "if(a===''&&c!=='')return 1;if(c===''&&a!=='')return -1;"
    "var r=n?(parseFloat(a)-parseFloat(c)):a.localeCompare(c);return d==='asc'?r:-r;});\n"
    "rows.forEach(function(r){b.appendChild(r);});});});\n"
)
"""The index table's sorting: click a header to sort by its column (empty cells last)."""


def write_index(
    out_dir: Path, items: list[BatchItem], results: list[FileResult], progress_pages: dict[str, Path] | None = None
) -> dict[str, Path]:
    """``index.csv`` and ``index.html`` (self-contained, sortable by any column).

    The page links to ``progress_pages`` (person → page).
    """
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


def index_rows(out_dir: Path, items: list[BatchItem], results: list[FileResult]) -> list[dict]:
    """One row per input file, with ranks: 1 = most mirroring, most matching, most mechanical."""
    rows = [_index_row(Path(out_dir), it, r) for it, r in zip(items, results, strict=True)]
    _rank(rows, "mirror_share", True)
    _rank(rows, "match_share", True)
    _rank(rows, "mechanical_score", True)
    rows.sort(key=lambda r: (r.get("rank_mirror") is None, r.get("rank_mirror") or 0, r["name"], r["source"]))
    return rows


def _index_row(out: Path, item: BatchItem, result: FileResult) -> dict:
    row: dict[str, Any] = {"name": item.name, "source": str(item.source), "error": result.error or ""}
    row["status"] = "done" if result.state in ("done", "skipped-done") else result.state
    if row["status"] != "done":
        return row
    try:
        doc = read_report(out / item.name / "report.json")
    except MirrorError as err:
        return {**row, "status": "failed", "error": str(err)}
    share = doc.summary.share
    sync = doc.summary.synchrony
    ls = doc.summary.leader_share
    leaders = {"A": ls.A, "B": ls.B, "together": ls.together}
    dirs = [d for _, d in copy_directions(doc)]
    row.update(
        duration_s=round(duration_of(doc), 2),
        mirror_share=share.mirror,
        match_share=share.match,
        symmetric_share=share.symmetric,
        leader=(max(leaders, key=lambda k: leaders[k] or 0) if any(leaders.values()) else ""),
        synchrony=sync.real,
        effect_size=sync.effect_size,
        p_value=sync.p_value,
        mechanical_score=max((d.score or 0.0 for d in dirs), default=None),
        mechanical_flagged=";".join(f"{d.copier} copies {d.model}" for d in dirs if d.flagged),
        events=len(doc.events),
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


def render_index_html(rows: list[dict], progress_pages: dict[str, Path] | None = None) -> str:
    done = sum(r["status"] == "done" for r in rows)
    failed = sum(r["status"] == "failed" for r in rows)
    skipped = sum(r["status"] == "skipped" for r in rows)
    head = [
        ("rank (mirror)", "num"), ("rank (match)", "num"), ("rank (mechanical)", "num"), ("session", "txt"),
        ("status", "txt"), ("mirror", "num"), ("match", "num"), ("symmetric", "num"), ("leader", "txt"),
        ("synchrony", "num"), ("effect size", "num"), ("p", "num"), ("mechanical score", "num"), ("flagged", "txt"),
        ("events (whole body)", "num"), ("duration (s)", "num"), ("error", "txt"),
    ]  # fmt: skip
    body = []
    for r in rows:
        name = escape(r["name"] or Path(r["source"]).name)
        link = f'<a href="{escape(r["report"])}">{name}</a>' if r.get("report") else name
        synchrony = r.get("synchrony") if r.get("effect_size") is not None else None
        body.append(
            f'<tr data-status="{escape(r["status"])}">'
            + _cell(r.get("rank_mirror"), "int") + _cell(r.get("rank_match"), "int")
            + _cell(r.get("rank_mechanical"), "int")
            + f'<td data-v="{name}" title="{escape(r["source"])}">{link}</td>'
            + _cell(r["status"]) + _cell(r.get("mirror_share"), "pct") + _cell(r.get("match_share"), "pct")
            + _cell(r.get("symmetric_share"), "pct") + _cell(r.get("leader")) + _cell(synchrony, "num")
            + _cell(r.get("effect_size"), "num") + _cell(r.get("p_value"), "p")
            + _cell(r.get("mechanical_score"), "num")
            + _cell(r.get("mechanical_flagged")) + _cell(r.get("events"), "int") + _cell(r.get("duration_s"), "num")
            + _cell(r.get("error")).replace("<td", '<td class="error"', 1) + "</tr>"
        )  # fmt: skip
    th = "".join(f'<th data-sort="{k}">{escape(h)}</th>' for h, k in head)
    table = f'<table id="index"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>mirror batch index</title>'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        "<style>body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#1d2330}table{border-collapse:collapse}"
        "th,td{border:1px solid #d7dbe2;padding:4px 5px;text-align:left}"
        "th{background:#eef0f4;cursor:pointer;font-size:12.5px}"
        ".wrap{max-width:100%;overflow-x:auto}td{font-size:13px}"
        "td.error{min-width:12em;max-width:22em;overflow-wrap:anywhere}"
        "td[title]{min-width:11em;max-width:16em;overflow-wrap:anywhere}"
        "td.num{text-align:right;font-variant-numeric:tabular-nums}tr[data-status=failed] td{background:#fff4f2}"
        "tr[data-status=skipped] td{color:#777}</style></head><body>"
        f"<h1>mirror batch: {len(rows)} files</h1><p>{done} done, {failed} failed, {skipped} skipped (not videos). "
        "Ranks: 1 is the session with the most mirroring, the most matching, the most mechanical copying. "
        "Synchrony is shown only beside its chance reference (effect size and p against pseudo-sessions). "
        "Click a column to sort.</p>" + _progress_links(progress_pages or {}) + f'<div class="wrap">{table}</div>'
        f"<script>{INDEX_JS}</script></body></html>\n"
    )


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
