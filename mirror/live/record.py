"""What a live session keeps: its landmarks (flushed to disk as it goes) and screen recordings."""

from __future__ import annotations

import shutil
import threading
from collections import deque
from pathlib import Path

import numpy as np

from mirror.landmarks.cache import ChunkStore
from mirror.landmarks.run import ExtractRun
from mirror.landmarks.types import Landmarks, PersonLandmarks
from mirror.overlay.video import AtomicVideoWriter

People = tuple[PersonLandmarks | None, PersonLandmarks | None]
Row = tuple[float, int, People]
"""One recorded frame: ``(t_s, frame index, (A, B))``."""

PARTS_FORMAT = "mirror.live-parts"
"""The format of a live session's chunk store (removed when the session is saved)."""


class SessionLandmarks:
    """The session's recorded landmarks, with a rolling buffer for the live analysis.

    Rows come at the analysis rate (the inference's rate gate keeps them).  Every
    ``chunk_rows`` rows become a chunk of a :class:`~mirror.landmarks.cache.ChunkStore`
    in ``parts_dir`` (written atomically by :meth:`flush`, called off the frame loop),
    so a long session holds only the rolling buffer in memory and a crash loses at
    most one chunk.

    Parameters
    ----------
    frame_size : tuple of int
        ``(width, height)`` the landmarks are normalised to.
    info : ExtractRun
        Provenance stored with the landmarks.
    parts_dir : Path
        Where the chunks go; removed by :meth:`finish` (what an earlier session left there is
        not read).
    buffer_s : float
        Length of the rolling buffer.
    """

    def __init__(
        self,
        frame_size: tuple[int, int],
        info: ExtractRun,
        parts_dir: Path,
        buffer_s: float = 60.0,
        chunk_rows: int = 250,
    ) -> None:
        self.frame_size = (int(frame_size[0]), int(frame_size[1]))
        self.info = info
        self.parts_dir = Path(parts_dir)
        self.buffer_s = buffer_s
        self.chunk_rows = chunk_rows
        self.store = ChunkStore(self.parts_dir, {"format": PARTS_FORMAT, "format_version": 1}, resume=False)
        self._lock = threading.Lock()
        self._recent: deque[Row] = deque()
        self._pending: list[Row] = []
        self.rows = 0

    def add(self, t_s: float, index: int, people: People) -> None:
        """Record one frame's people (A, B); rows come in time order."""
        with self._lock:
            row = (float(t_s), int(index), people)
            self._recent.append(row)
            self._pending.append(row)
            while self._recent and self._recent[0][0] < t_s - self.buffer_s:
                self._recent.popleft()
            self.rows += 1

    def recent(self, span_s: float | None = None) -> Landmarks:
        """The last ``span_s`` seconds (default: the whole buffer) as :class:`Landmarks`."""
        with self._lock:
            rows = list(self._recent)
        if span_s is not None and rows:
            rows = [r for r in rows if r[0] >= rows[-1][0] - span_s]
        return self._stack(rows)

    def flush(self, force: bool = False) -> None:
        """Write full chunks (every pending row with ``force``) to the store."""
        while True:
            with self._lock:
                if not self._pending or (len(self._pending) < self.chunk_rows and not force):
                    return
                rows, self._pending = self._pending[: self.chunk_rows], self._pending[self.chunk_rows :]
            self.store.append(self._stack(rows))

    def finish(self) -> Landmarks | None:
        """Every recorded row, in order (None when nothing was recorded); the store's folder is removed."""
        with self._lock:
            rows, self._pending = self._pending, []
        stored = self.store.load()
        parts = [stored] if stored is not None else []
        if rows:
            parts.append(self._stack(rows))
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        self.store = ChunkStore(self.parts_dir, self.store.header, resume=False)
        if not parts:
            return None
        return Landmarks.concatenate(parts, info=self.info)

    def _stack(self, rows: list[Row]) -> Landmarks:
        return Landmarks.from_frames(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], self.frame_size, self.info
        )


class ScreenRecorder:
    """Records the frames shown, at a constant rate: a frame is repeated or skipped to keep real time.

    Parameters
    ----------
    path : Path
        The ``.avi`` to write (atomic: temporary name until :meth:`close`).
    fps : float
        Constant output rate.
    """

    def __init__(self, path: Path, fps: float = 20.0) -> None:
        self.path = Path(path)
        self.fps = fps
        self._writer: AtomicVideoWriter | None = None
        self._t0 = 0.0  # wall-clock time of the first frame
        self._last: np.ndarray | None = None
        self.written = 0

    def add(self, image: np.ndarray, t_s: float) -> None:
        """The frame shown from wall-clock time ``t_s`` (seconds, any origin) on.

        Each output tick ``t0 + k / fps`` gets the frame that was on screen at that time.
        """
        if self._writer is None:
            self._writer = AtomicVideoWriter(self.path, self.fps, (image.shape[1], image.shape[0]))
            self._t0 = t_s
        self._fill(int(np.ceil((t_s - self._t0) * self.fps - 1e-9)))  # ticks before t_s
        self._last = image

    def _fill(self, ticks: int) -> None:
        while self._writer is not None and self._last is not None and self.written < ticks:
            self._writer.write(self._last)
            self.written += 1

    def close(self, t_s: float | None = None) -> Path | None:
        """Finish the file at wall-clock time ``t_s`` (default: after the last frame's tick).

        Returns the file, or None when no frame was shown.
        """
        if self._writer is None:
            return None
        end = self.written + 1 if t_s is None else int(np.floor((t_s - self._t0) * self.fps + 1e-9)) + 1
        self._fill(max(end, self.written + 1))
        path = self._writer.close()
        self._writer = None
        return path
