"""Review one analysed session in a browser: the video, both skeletons over it, and its timeline.

``mirror review OUT_DIR`` serves the page on the loopback address (:mod:`mirror.review.server`);
``mirror review OUT_DIR --static`` writes it as one file, ``OUT_DIR/review.html``.  The page
plays the original video, draws the skeletons on a canvas in step with it, shows a zoomable
timeline (mirror, match and symmetric per body part, events, mechanical imitation, coaching),
and lets the reviewer mark each event right or wrong and export the marks as CSV.

>>> review = prepare_review("out/session")          # doctest: +SKIP
>>> write_static_review(review)                      # doctest: +SKIP
>>> with serve_review(review, port=0).start() as s:  # doctest: +SKIP
...     print(s.url)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mirror.report.doc import read_report
from mirror.report.model import Report
from mirror.review.events import review_events
from mirror.review.page import MARKS_COLUMNS, page_data, render_review_html, static_video_url
from mirror.review.server import DEFAULT_PORT, VIDEO_ROUTE, ReviewServer
from mirror.review.skeleton import (
    Skeleton,
    extract_settings_from,
    load_skeleton,
    skeleton_from_landmarks,
    write_skeleton,
)
from mirror.sources.frames import file_sha256
from mirror.storage import folder_lock, write_atomic
from mirror.vocabulary import EVENT_KINDS

__all__ = [
    "DEFAULT_PORT",
    "EVENT_KINDS",
    "MARKS_COLUMNS",
    "Review",
    "ReviewServer",
    "Skeleton",
    "extract_settings_from",
    "load_skeleton",
    "page_data",
    "prepare_review",
    "render_review_html",
    "review_events",
    "review_page",
    "serve_review",
    "skeleton_from_landmarks",
    "write_static_review",
]


@dataclass
class Review:
    """One session, ready to review.

    Attributes
    ----------
    out_dir : Path
        The output folder of ``mirror analyze`` (or ``mirror live``).
    doc : Report
        Its ``report.json``, validated.
    skeleton : Skeleton or None
        Both people's pose points per analysed frame; None when no landmarks could be had.
    skeleton_from : str
        ``skeleton.json``, ``landmarks.npz`` or ``cache``; or why there are no skeletons.
    video : Path or None
        The video to play (None: there is none to play).
    video_note : str
        Why there is no video, shown on the page; empty when there is one.
    """

    out_dir: Path
    doc: Report
    skeleton: Skeleton | None
    skeleton_from: str
    video: Path | None
    video_note: str = ""


def prepare_review(
    out_dir: str | Path,
    video: str | Path | None = None,
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int, int], None] | None = None,
) -> Review:
    """Read a session's report and its skeletons; write ``skeleton.json`` beside the report when new.

    Parameters
    ----------
    out_dir : path
        Folder holding ``report.json``.
    video : path, optional
        The analysed video, when it has moved (default: ``provenance.source_path``).
    cache_dir : path, optional
        Landmark cache, for reports without ``landmarks.npz`` or ``skeleton.json``.
    progress, on_total : callable, optional
        Progress of a landmark extraction, if the cache lacks frames (see
        :func:`mirror.landmarks.extract_video`).

    Raises
    ------
    MirrorError
        No readable ``report.json``; a bad landmarks file.
    """
    out = Path(out_dir)
    doc = read_report(out)
    recorded = doc.provenance.source_path
    path = Path(video) if video is not None else (Path(recorded) if recorded else None)
    note = ""
    if path is None:
        note = "This session has no video (a live session, or a report that names none)."
    elif not path.is_file():
        note = f"The analysed video {path} is not there any more (give its new place with --video)."
        path = None
    sha = doc.provenance.source_sha256
    if path is not None and sha and file_sha256(path) != sha:
        note = (
            f"{path} is not the video this session was analysed from (its content differs): the skeletons and "
            "the timeline may not match it."
        )
        skeleton, origin = load_skeleton(out, doc, video_path=None, extract=False)
        if skeleton is None:
            origin = f"{path} is not the analysed video and the folder has no landmarks.npz"
    else:
        skeleton, origin = load_skeleton(
            out, doc, video_path=path, cache_dir=cache_dir, progress=progress, on_total=on_total
        )
    if skeleton is not None and origin != "skeleton.json":
        with folder_lock(out):
            write_skeleton(skeleton, out)
    return Review(out_dir=out, doc=doc, skeleton=skeleton, skeleton_from=origin, video=path, video_note=note)


def review_page(review: Review, static: bool) -> str:
    """The page's HTML: for the server (video at ``/video``) or standalone in ``out_dir`` (``static``)."""
    if review.video is None:
        url = None
    elif static:
        url = static_video_url(review.video, review.out_dir)
    else:
        url = VIDEO_ROUTE
    name = review.video.name if review.video is not None else None
    return render_review_html(page_data(review.doc, review.skeleton, url, review.video_note, name), static=static)


def write_static_review(review: Review) -> Path:
    """``OUT_DIR/review.html``: one file with its data, script and styles; the video stays where it is."""
    path = review.out_dir / "review.html"
    with folder_lock(review.out_dir):
        write_atomic(path, review_page(review, static=True).encode())
    return path


def serve_review(review: Review, port: int = DEFAULT_PORT, log: Callable[[str], None] | None = None) -> ReviewServer:
    """A :class:`ReviewServer` for the session on 127.0.0.1 (not started: call ``serve_forever`` or ``start``).

    ``port`` is tried first; if it is taken, any free port (``port=0``: any free port at once).
    """
    return ReviewServer(
        review.out_dir, review_page(review, static=False).encode(), video=review.video, port=port, log=log
    )
