"""Landmarks frame by frame, for live use: two people in one picture, or one person per picture.

The same step as :func:`mirror.landmarks.extract_landmarks` for one frame
(:class:`mirror.landmarks.estimate.PairStep`: the identity tracker, one
estimator per person, the face on a crop around the head), as objects called
once per frame.  The two people's estimators run side by side on a thread
pool (MediaPipe releases the GIL).

The face model is off the display path: the live loop draws the pose of every
frame at once, and hands the frames it records to a :class:`FaceWorker`,
which adds the faces on its own thread (with its own face trackers) and then
records the row.  When the worker is still busy, a row is recorded without
faces rather than queued behind it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from mirror.landmarks.backend import LandmarkBackend
from mirror.landmarks.estimate import PairStep, add_face, estimate_person
from mirror.landmarks.layout import Layout
from mirror.landmarks.tracker import IdentityTracker
from mirror.landmarks.types import PersonLandmarks

People = tuple[PersonLandmarks | None, PersonLandmarks | None]


class _MonotonicMs:
    """Strictly increasing milliseconds for MediaPipe's VIDEO mode."""

    def __init__(self) -> None:
        self.last = -1

    def __call__(self, t_s: float) -> int:
        t_ms = max(int(round(t_s * 1000.0)), self.last + 1)
        self.last = t_ms
        return t_ms


class PairEstimator:
    """Two people in one picture: A (left at the start) and B, with stable identities.

    The two-person step of :class:`mirror.landmarks.estimate.PairStep`, on the
    stream's timestamps made strictly increasing.

    Parameters
    ----------
    backend : LandmarkBackend
    size : tuple of int
        ``(width, height)`` of every frame.
    layout : Layout, optional
        Default ``auto``.
    pool : ThreadPoolExecutor, optional
        Runs A's and B's estimators side by side; default: one of two threads, owned.
    """

    def __init__(
        self,
        backend: LandmarkBackend,
        size: tuple[int, int],
        layout: Layout | None = None,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self.step = PairStep(backend, size, layout, pool=pool)
        self._ms = _MonotonicMs()

    @property
    def tracker(self) -> IdentityTracker:
        return self.step.tracker

    def __call__(self, image: np.ndarray, t_s: float, with_face: bool = True) -> People:
        """A and B in one ``(H, W, 3)`` uint8 BGR frame (None: not found), frame-normalised."""
        people = self.step(image, self._ms(t_s), with_face)
        return people[0], people[1]

    def close(self) -> None:
        self.step.close()


class SoloEstimator:
    """One person in each picture (the most prominent), for one source.

    Parameters
    ----------
    backend : LandmarkBackend
    """

    def __init__(self, backend: LandmarkBackend) -> None:
        self.estimator = backend.person_estimator()
        self._ms = _MonotonicMs()

    def __call__(self, image: np.ndarray, t_s: float, with_face: bool = True) -> PersonLandmarks | None:
        """The person in one ``(H, W, 3)`` uint8 BGR frame, frame-normalised (None: nobody)."""
        h, w = image.shape[:2]
        return estimate_person(self.estimator, image, (0, 0, w, h), self._ms(t_s), with_face)

    def close(self) -> None:
        self.estimator.close()


class FaceWorker(threading.Thread):
    """Adds faces to recorded rows on its own thread, then hands each row on, in order.

    Parameters
    ----------
    backend : LandmarkBackend
        Gives one face tracker per person (separate from the pose estimators,
        which the identity tracker may replace at any frame).
    on_row : callable
        ``on_row(t_s, index, people)`` for every row, in submission order.
    with_face : bool
        False: rows pass straight through (no face model).
    """

    def __init__(
        self, backend: LandmarkBackend, on_row: Callable[[float, int, People], None], with_face: bool = True
    ) -> None:
        super().__init__(name="mirror-face", daemon=True)
        self.on_row = on_row
        self.with_face = with_face
        self.estimators = [backend.person_estimator(), backend.person_estimator()] if with_face else []
        self._ms = [_MonotonicMs(), _MonotonicMs()]
        self._rows: deque = deque()
        self._cond = threading.Condition()
        self._working = False
        self._closing = False
        self.faced = 0
        self.skipped = 0
        self.error: str | None = None

    def idle(self) -> bool:
        with self._cond:
            return not self._rows and not self._working

    def submit(self, t_s: float, index: int, images: tuple[np.ndarray, np.ndarray], people: People) -> None:
        """Queue a row; its faces are estimated only when the worker has nothing else to do."""
        with self._cond:
            want = self.with_face and not self._rows and not self._working
            if self.with_face and not want:
                self.skipped += 1
            self._rows.append((t_s, index, images, people, want))
            self._cond.notify_all()

    def close(self) -> None:
        """Finish every queued row, then stop (blocks)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self.is_alive():
            self.join()
        for est in self.estimators:
            est.close()

    def run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._rows or self._closing)
                if not self._rows:
                    return
                t_s, index, images, people, want = self._rows.popleft()
                self._working = True
            try:
                if want and self.error is None:
                    for slot, person in enumerate(people):
                        if person is not None and person.face is None:
                            add_face(self.estimators[slot], images[slot], person, self._ms[slot](t_s))
                    self.faced += 1
            except Exception as err:  # the face model failed: record poses only from now on
                self.error = f"{type(err).__name__}: {err}"
            finally:
                self.on_row(t_s, index, people)
                with self._cond:
                    self._working = False
