"""One frame's estimation: a person in a box, the face on a crop around the head, and the two-person step.

:class:`PairStep` is the per-frame step of two people in one picture, shared by
the file extraction (:func:`mirror.landmarks.extract.extract_landmarks`) and
the live pair estimator (:class:`mirror.live.estimate.PairEstimator`): the
identity tracker says where to look, a whole-frame search runs when it asks
for one (a video call's tiles, else people on the whole frame and on each
half), and one estimator per person runs on that person's region.
:func:`estimate_person` is the single-person estimation that the step, the
backward pass and solo practice run.

The face model runs on a crop around the head the pose found, since faces
under about 12-15 % of the analysed width are missed.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

import cv2
import numpy as np

from mirror.landmarks.geometry import head_center_px, head_size_px, person_scale_px
from mirror.landmarks.headpose import headpose_from_matrix
from mirror.landmarks.layout import Layout, find_tiles
from mirror.landmarks.tracker import IdentityTracker
from mirror.landmarks.types import PersonLandmarks

if TYPE_CHECKING:
    from mirror.landmarks.backend import LandmarkBackend, PersonEstimator

Box = tuple[int, int, int, int]
"""Pixel box ``(x0, y0, x1, y1)``."""

People = list[PersonLandmarks | None]
"""``[A or None, B or None]``."""


def head_box_px(person: PersonLandmarks, size: tuple[int, int]) -> Box | None:
    """Square pixel box around the head, about 2.4 head widths across: the face model's crop.

    Parameters
    ----------
    person : PersonLandmarks
        Frame-normalised pose.
    size : tuple of int
        ``(width, height)`` of the frame.
    """
    w, h = size
    vis = person.pose_visibility[:11].tolist()  # the 11 head points come first
    if max(vis) < 0.2:
        return None
    center = head_center_px(person, size)
    head = max(head_size_px(person, size), 0.5 * person_scale_px(person, size))
    half = 1.2 * head
    x0, y0 = int(max(0, center[0] - half)), int(max(0, center[1] - half))
    x1, y1 = int(min(w, center[0] + half)), int(min(h, center[1] + half))
    if x1 - x0 < 24 or y1 - y0 < 24:
        return None
    return (x0, y0, x1, y1)


def crop_to_frame(points: np.ndarray, box: Box, size: tuple[int, int]) -> np.ndarray:
    """Crop-normalised ``(N, 3)`` points to frame-normalised ``(N, 3)`` float32 (z in frame-width units)."""
    x0, y0, x1, y1 = box
    w, h = size
    out = points.astype(np.float32, copy=True)
    out[:, 0] = (x0 + points[:, 0] * (x1 - x0)) / w
    out[:, 1] = (y0 + points[:, 1] * (y1 - y0)) / h
    out[:, 2] = points[:, 2] * (x1 - x0) / w
    return out


SERIAL_CONVERT_PX = 1 << 16
"""Pixels OpenCV converts on the calling thread; a larger image is split across its thread pool."""


def _rgb_crop(bgr: np.ndarray, box: Box) -> np.ndarray:
    """``(y1 - y0, x1 - x0, 3)`` contiguous RGB copy of a box of the frame, converted once.

    Converted in bands of at most :data:`SERIAL_CONVERT_PX` pixels, each on the calling
    thread: a single call on a person's box would wake OpenCV's thread pool, whose threads
    then spin waiting for more and take CPU from the models running beside them.  A channel
    swap is the same byte for byte however it is split.
    """
    x0, y0, x1, y1 = box
    crop = bgr[y0:y1, x0:x1]
    h, w = crop.shape[:2]
    if h * w <= SERIAL_CONVERT_PX:
        return cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
    out = np.empty((h, w, 3), dtype=np.uint8)
    rows = max(1, SERIAL_CONVERT_PX // w)
    for r in range(0, h, rows):
        cv2.cvtColor(crop[r : r + rows], cv2.COLOR_BGR2RGB, dst=out[r : r + rows])
    return out


def estimate_person(
    estimator: PersonEstimator, bgr: np.ndarray, box: Box, t_ms: int, with_face: bool = True
) -> PersonLandmarks | None:
    """Pose in ``box`` of the frame, then the face on a crop around the head it found.

    Parameters
    ----------
    bgr : np.ndarray
        ``(H, W, 3)`` uint8 BGR frame; only the crops are converted to RGB.
    """
    person = estimate_pose(estimator, bgr, box, t_ms)
    if person is not None and with_face:
        add_face(estimator, bgr, person, t_ms)
    return person


def estimate_pose(estimator: PersonEstimator, bgr: np.ndarray, box: Box, t_ms: int) -> PersonLandmarks | None:
    """The pose model alone on ``box`` of an ``(H, W, 3)`` uint8 BGR frame: a frame-normalised person, no face yet."""
    found = estimator.pose(_rgb_crop(bgr, box), t_ms)
    if found is None:
        return None
    return PersonLandmarks(
        pose_image=crop_to_frame(found.pose_image, box, (bgr.shape[1], bgr.shape[0])),
        pose_world=found.pose_world,
        pose_visibility=found.pose_visibility,
    )


def add_face(estimator: PersonEstimator, bgr: np.ndarray, person: PersonLandmarks, t_ms: int) -> PersonLandmarks:
    """Run the face model on a crop around ``person``'s head; fill its face fields when found."""
    head = head_box_px(person, (bgr.shape[1], bgr.shape[0]))
    if head is not None:
        face_in(estimator, bgr, person, head, t_ms)
    return person


def face_in(estimator: PersonEstimator, bgr: np.ndarray, person: PersonLandmarks, head: Box, t_ms: int) -> None:
    """Run the face model on the ``head`` box of the frame; fill ``person``'s face fields when found."""
    face = estimator.face(_rgb_crop(bgr, head), t_ms)
    if face is not None:
        person.face = crop_to_frame(face.landmarks, head, (bgr.shape[1], bgr.shape[0]))
        person.head_pose_deg = headpose_from_matrix(face.matrix).astype(np.float32)
        person.blendshapes = face.blendshapes.astype(np.float32)


def detect_in_halves(backend: LandmarkBackend, rgb: np.ndarray) -> list[PersonLandmarks]:
    """People found in the left and right halves of an ``(H, W, 3)`` RGB frame, in whole-frame coordinates.

    The halves overlap by a tenth of the width around the middle.
    """
    h, w = rgb.shape[:2]
    out = []
    for box in ((0, 0, w // 2 + w // 20, h), (w // 2 - w // 20, 0, w, h)):
        crop = np.ascontiguousarray(rgb[box[1] : box[3], box[0] : box[2]])
        out += _in_frame(backend.detect_people(crop, max_people=2), box, (w, h))
    return out


def detect_in_box(backend: LandmarkBackend, bgr: np.ndarray, box: Box) -> list[PersonLandmarks]:
    """The one person detected from scratch in ``box`` of an ``(H, W, 3)`` uint8 BGR frame, in whole-frame coordinates.

    The pose model in VIDEO mode returns nothing on a frame where its tracking falls below
    its threshold and detects again only on the next one; a detection from scratch on that
    same frame often finds the person plainly there (a head-and-shoulders person in a call
    tile, with the lite model, on one frame in eight).
    """
    return _in_frame(backend.detect_people(_rgb_crop(bgr, box), max_people=1), box, (bgr.shape[1], bgr.shape[0]))


def _in_frame(people: list[PersonLandmarks], box: Box, size: tuple[int, int]) -> list[PersonLandmarks]:
    """People found on the crop ``box`` of a frame of ``size``, moved to whole-frame coordinates (in place)."""
    for person in people:
        person.pose_image = crop_to_frame(person.pose_image, box, size)
    return people


def detect_whole_frame(backend: LandmarkBackend, bgr: np.ndarray) -> list[PersonLandmarks]:
    """People detected on a whole ``(H, W, 3)`` uint8 BGR frame and on each half, in whole-frame coordinates.

    A head-and-shoulders person close to the camera is often missed, or merged with the
    other, on the whole frame, yet found in their half.
    """
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return backend.detect_people(rgb) + detect_in_halves(backend, rgb)


def search_people(
    tracker: IdentityTracker, backend: LandmarkBackend, bgr: np.ndarray
) -> tuple[dict[int, PersonLandmarks], list[PersonLandmarks] | None]:
    """One search of ``auto`` on a whole frame: a video call's tiles, else the people in it.

    A call's two tiles (:func:`~mirror.landmarks.layout.find_tiles`) become the
    people's fixed regions.  Otherwise people are detected on the whole frame and on
    each half (:func:`detect_whole_frame`).  The tracker takes what it needs
    (:meth:`IdentityTracker.start`).

    Parameters
    ----------
    bgr : np.ndarray
        ``(H, W, 3)`` uint8 frame.

    Returns
    -------
    dict
        Bodies the search measured on this frame, per slot (kept when the slot's
        estimator finds nothing on it); the slots to restart are in
        :meth:`IdentityTracker.pop_reseeded`.
    list or None
        Every body detected on the frame (None where a call's tiles were found instead):
        a person lost later in the same frame is looked for among them.
    """
    if tracker.wants_tiles():
        tiles = find_tiles(bgr)
        if tiles is not None:
            tracker.use_tiles(tiles)
            return {}, None
    detections = detect_whole_frame(backend, bgr)
    tracker.start(detections)
    return tracker.pop_seeds(), detections


class PendingPeople:
    """One frame's A and B from :meth:`PairStep.begin`: identities settled, faces perhaps still running."""

    def __init__(self, people: People, tasks: list[Future[None]]) -> None:
        self._people = people
        self._tasks = tasks

    def result(self) -> People:
        """``[A or None, B or None]`` with their faces, once the face models are done."""
        for task in self._tasks:
            task.result()  # a face model's error
        return self._people


class PairStep:
    """Two people in one picture, one frame per call: A (left at the start) and B, with stable identities.

    Parameters
    ----------
    backend : LandmarkBackend
    size : tuple of int
        ``(width, height)`` of every frame, in pixels.
    layout : Layout, optional
        Default ``auto``.
    pool : ThreadPoolExecutor, optional
        Runs A's and B's estimators side by side (MediaPipe releases the GIL); not shut down here.
        Default: a pool of two threads owned by the step, or none when ``threads`` is 1.
    threads : int
        Without a ``pool``: 1 runs A then B on the calling thread.
    """

    def __init__(
        self,
        backend: LandmarkBackend,
        size: tuple[int, int],
        layout: Layout | None = None,
        *,
        pool: ThreadPoolExecutor | None = None,
        threads: int = 2,
    ) -> None:
        self.backend = backend
        self.size = (int(size[0]), int(size[1]))
        self.layout = layout or Layout()
        self.tracker = IdentityTracker(self.layout, self.size)
        self.estimators = [backend.person_estimator(), backend.person_estimator()]
        self._own_pool = pool is None and threads > 1
        if self._own_pool:
            pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mirror-person")
        self.pool = pool
        self._in_flight: list[Future[None]] = []  # the last begun frame's tasks, one per person

    def __call__(self, bgr: np.ndarray, t_ms: int, with_face: bool = True) -> People:
        """A and B in one ``(H, W, 3)`` uint8 BGR frame at ``t_ms`` (None: not found), frame-normalised.

        ``t_ms`` must increase from call to call (MediaPipe's VIDEO mode).
        """
        return self.begin(bgr, t_ms, with_face).result()

    def begin(self, bgr: np.ndarray, t_ms: int, with_face: bool = True) -> PendingPeople:
        """Start a frame (as :meth:`__call__`); return once A's and B's bodies are checked, faces perhaps running.

        The next frame may be begun before this one's :meth:`PendingPeople.result`: its
        bodies then run while this frame's faces finish, so neither thread waits for the
        other person's face.  Each model still gets its calls one at a time in frame order
        (a person's next face waits for their last), so the landmarks are the same as one
        frame after the other.  ``bgr`` must stay unchanged until the result is taken.
        """
        tracker = self.tracker
        seeds: dict[int, PersonLandmarks] = {}
        detections: list[PersonLandmarks] | None = None
        if tracker.needs_detection():
            self._drain()
            seeds, detections = search_people(tracker, self.backend, bgr)
        reseeded = tracker.pop_reseeded()
        if reseeded:
            self._drain()
        for slot in reseeded:  # a new body or a tile: drop the old tracking state
            self.estimators[slot].close()
            self.estimators[slot] = self.backend.person_estimator()
        boxes = tracker.regions()
        if self.pool is not None and not seeds:
            return self._overlapped(self.pool, bgr, t_ms, boxes, with_face, detections)
        self._drain()

        def run(slot: int) -> PersonLandmarks | None:
            box = boxes[slot]
            return None if box is None else estimate_person(self.estimators[slot], bgr, box, t_ms, with_face)

        found = list(self.pool.map(run, (0, 1))) if self.pool is not None else [run(0), run(1)]
        for slot, seed in seeds.items():
            if found[slot] is None:  # the search measured this body on this very frame: keep it
                found[slot] = add_face(self.estimators[slot], bgr, seed, t_ms) if with_face else seed
        return self._rescued(bgr, t_ms, tracker.update(found), [], with_face, detections)

    def _rescued(
        self,
        bgr: np.ndarray,
        t_ms: int,
        people: People,
        tasks: list[Future[None]],
        with_face: bool,
        detections: list[PersonLandmarks] | None,
    ) -> PendingPeople:
        """This frame's people, with anyone their region just lost looked for again on this very frame.

        A person the pose model tracked until the frame before and misses in their region is
        often still plain to see (a borderline detection in a tight crop, a quick turn).  In
        ``auto`` the whole-frame search that would otherwise wait for the next scheduled one
        runs on this very frame, and a body found where they were is theirs; in a fixed region
        (a call's tile, a half, a given box) the region itself is searched from scratch
        (:meth:`IdentityTracker.rescue`).  ``detections``: the bodies a scheduled search already
        found on this frame (None: none ran).
        """
        lost = self.tracker.just_lost()
        if not lost:
            return PendingPeople(people, tasks)
        found: dict[int, PersonLandmarks] = {}
        if self.tracker.fixed_regions:  # a call's tile, a half, a given box: only that person's region is looked at
            boxes = self.tracker.regions()
            for slot in lost:
                box = boxes[slot]
                if box is not None:
                    found.update(self.tracker.rescue([slot], detect_in_box(self.backend, bgr, box)))
        else:
            if detections is None:
                detections = detect_whole_frame(self.backend, bgr)
            found = self.tracker.rescue(lost, detections)
        for slot, person in found.items():
            if with_face:
                if tasks:
                    wait([tasks[slot]])  # this person's last face call comes first (VIDEO mode)
                add_face(self.estimators[slot], bgr, person, t_ms)
            people[slot] = person
        return PendingPeople(people, tasks)

    def _overlapped(
        self,
        pool: ThreadPoolExecutor,
        bgr: np.ndarray,
        t_ms: int,
        boxes: list[Box | None],
        with_face: bool,
        detections: list[PersonLandmarks] | None,
    ) -> PendingPeople:
        """A and B on the pool, the identity checks on the bodies while the faces are still running.

        The tracker looks at the pose alone, so it need not wait for the face model: each
        thread hands its person over as soon as the pose (and the head box, the last
        geometry it measures) is done, then runs the face model on that same person, once
        that person's face of the frame before is done.
        """
        size = (bgr.shape[1], bgr.shape[0])
        bodies: list[Future[PersonLandmarks | None]] = [Future(), Future()]
        before: list[Future[None] | None] = [*self._in_flight] or [None, None]

        def run(slot: int) -> None:
            box, estimator = boxes[slot], self.estimators[slot]
            try:
                person = None if box is None else estimate_pose(estimator, bgr, box, t_ms)
                head = head_box_px(person, size) if person is not None and with_face else None
            except BaseException as exc:
                bodies[slot].set_exception(exc)
                raise
            bodies[slot].set_result(person)
            last = before[slot]
            if last is not None:
                wait([last])  # this person's face of the frame before (already running, on the other thread)
            if person is not None and head is not None:
                face_in(estimator, bgr, person, head, t_ms)

        tasks = [pool.submit(run, slot) for slot in (0, 1)]
        try:
            people = self.tracker.update([body.result() for body in bodies])
        except BaseException:
            wait(tasks)  # never leave a thread working on a frame nobody will collect
            raise
        self._in_flight = tasks
        return self._rescued(bgr, t_ms, people, tasks, with_face, detections)

    def _drain(self) -> None:
        """Wait for the last begun frame's faces (before a search, a restart or new estimators)."""
        wait(self._in_flight)
        self._in_flight = []

    def restart(self) -> None:
        """Forget everyone: a new tracker and fresh estimators (the next frame is unrelated to the last)."""
        self._drain()
        for est in self.estimators:
            est.close()
        self.estimators = [self.backend.person_estimator(), self.backend.person_estimator()]
        self.tracker = IdentityTracker(self.layout, self.size)

    def close(self) -> None:
        """Wait for the frames in work and the owned pool's threads, then close the estimators."""
        self._drain()
        if self._own_pool and self.pool is not None:
            self.pool.shutdown(wait=True)
        for est in self.estimators:
            est.close()
