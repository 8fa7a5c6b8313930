"""Reading ``report.json`` back, and the time series and runs every renderer draws from it.

All the per-video files (HTML, timeline, ELAN, BORIS) are rendered from the JSON
document alone, so they can be rebuilt at any time without the video or the models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirror.errors import MirrorError
from mirror.report.files import REPORT_FORMAT, REPORT_VERSION

CHANNELS = ("head", "left_arm", "right_arm", "torso", "face")
STATES = ("mirror", "match", "symmetric")
CHANNEL_NAMES = {"head": "head", "left_arm": "left arm", "right_arm": "right arm", "torso": "torso", "face": "face"}


def read_report(path: str | Path) -> dict:
    """``report.json`` (a file, or the folder holding it) as a dict.

    Raises
    ------
    MirrorError
        Missing, unreadable, or not a ``mirror.report`` document of a known version.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise MirrorError(f"{path} not found: run `mirror analyze VIDEO --out {path.parent}` first") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MirrorError(f"{path} is not a readable report: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        raise MirrorError(f"{path} is not a {REPORT_FORMAT} document")
    if doc.get("format_version") != REPORT_VERSION:
        raise MirrorError(f"{path} has format version {doc.get('format_version')}; this mirror reads version {REPORT_VERSION}")
    return doc


@dataclass
class ChannelSeries:
    """Mirror and match intensity of one body part, one value per window.

    Attributes
    ----------
    t_s : ndarray, shape (W,)
        Window centres.
    mirror, match : ndarray, shape (W,)
        Best mirror and match scores in [-1, 1]; NaN where the window has no scores.
    label : ndarray of str, shape (W,)
        ``mirror``, ``match``, ``symmetric``, ``none`` or ``insufficient``.
    """

    t_s: np.ndarray
    mirror: np.ndarray
    match: np.ndarray
    label: np.ndarray


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def channel_series(doc: dict) -> dict[str, ChannelSeries]:
    """``{"overall", "head", "left_arm", ...}`` → :class:`ChannelSeries`, from ``doc["windows"]``."""
    windows = doc.get("windows") or []
    t = np.array([(_f(w["start_s"]) + _f(w["end_s"])) / 2 for w in windows], dtype=float)
    out = {
        "overall": ChannelSeries(
            t_s=t,
            mirror=np.array([_f(w.get("mirror_score")) for w in windows], dtype=float),
            match=np.array([_f(w.get("match_score")) for w in windows], dtype=float),
            label=np.array([w.get("label") or "none" for w in windows], dtype=object),
        )
    }
    for c in CHANNELS:
        chans = [(w.get("channels") or {}).get(c) or {} for w in windows]
        insufficient = [w.get("label") == "insufficient" for w in windows]
        out[c] = ChannelSeries(
            t_s=t,
            mirror=np.array([_f(ch.get("mirror_score")) for ch in chans], dtype=float),
            match=np.array([_f(ch.get("match_score")) for ch in chans], dtype=float),
            label=np.array(["insufficient" if bad else (ch.get("label") or "none") for ch, bad in zip(chans, insufficient)], dtype=object),
        )
    return out


def label_runs(series: ChannelSeries, step_s: float, labels=("mirror", "match", "symmetric")) -> list[tuple[float, float, str]]:
    """Runs of equal labels as non-overlapping ``(start_s, end_s, label)``.

    Each window owns the time from halfway after the previous window's centre to
    halfway before the next one's (``step_s`` wide at the ends), so runs of
    overlapping windows tile the timeline without overlapping each other.
    """
    t = np.asarray(series.t_s, dtype=float)
    if len(t) == 0:
        return []
    mid = (t[1:] + t[:-1]) / 2
    lo = np.concatenate([[t[0] - step_s / 2], mid])
    hi = np.concatenate([mid, [t[-1] + step_s / 2]])
    runs: list[tuple[float, float, str]] = []
    prev = None
    for i, lab in enumerate(series.label):
        if lab in labels:
            if prev == lab:
                runs[-1] = (runs[-1][0], float(hi[i]), lab)
            else:
                runs.append((max(0.0, float(lo[i])), float(hi[i]), lab))
        prev = lab
    return runs


def step_of(doc: dict) -> float:
    """The window step in seconds (from the settings, else from the window starts)."""
    step = (doc.get("settings") or {}).get("step_s")
    if step:
        return float(step)
    starts = [w["start_s"] for w in doc.get("windows") or [] if w.get("start_s") is not None]
    return float(np.median(np.diff(starts))) if len(starts) > 1 else 1.0


def duration_of(doc: dict) -> float:
    """Length of the analysed recording in seconds (best known)."""
    src = ((doc.get("provenance") or {}).get("source")) or {}
    ends = [w.get("end_s") or 0.0 for w in doc.get("windows") or []]
    ends += [e.get("end_s") or 0.0 for e in doc.get("events") or []]
    fps, n = src.get("nominal_fps"), src.get("frame_count")
    if fps and n:
        ends.append(float(n) / float(fps))
    return float(max(ends)) if ends else 0.0


def mechanical_directions(doc: dict) -> list[dict]:
    """Both directions of copying (``B_copies_A`` first), each with its ``name``; empty if not analysed."""
    dirs = ((doc.get("mechanical") or {}).get("directions")) or {}
    return [{"name": k, **dirs[k]} for k in sorted(dirs, key=lambda k: (k != "B_copies_A", k))]


def flagged_ranges(direction: dict) -> list[tuple[float, float]]:
    """Time ranges where a direction of copying was flagged mechanical."""
    ranges = direction.get("flagged_ranges")
    if ranges is None:  # older documents: the flagged rolling spans
        ranges = [(s["start_s"], s["end_s"]) for s in direction.get("spans") or [] if s.get("flagged")]
    merged: list[list[float]] = []
    for a, b in sorted((float(a), float(b)) for a, b in ranges):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def source_name(doc: dict) -> str:
    prov = doc.get("provenance") or {}
    path = prov.get("source_path") or ((prov.get("source") or {}).get("name")) or "session"
    return Path(path).name
