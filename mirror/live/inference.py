"""The inference thread of a live session: the newest frames in, people out.

Two kinds, behind one interface (:class:`Inference`):

:class:`PairInference`
    One source with two people (A on the left at the start, B on the right).
:class:`SoloInference`
    Solo practice: the trainee's source and a recorded partner clip, one person
    each, estimated side by side and shown next to each other (A on the left).

Each frame's people go to the window (a :class:`LiveFrame` in the ``shown``
mailbox) at once; the frames the rate gate keeps also go to ``record`` (the
session's face worker, which adds the faces and records the row).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from mirror.landmarks.backend import LandmarkBackend
from mirror.landmarks.types import PersonLandmarks
from mirror.live.capture import Capture, CapturedFrame, Latest
from mirror.live.estimate import PairEstimator, SoloEstimator
from mirror.live.settings import EndedBy
from mirror.overlay import PersonView
from mirror.sources.rate import RateGate
from mirror.vocabulary import Person

People = tuple[PersonLandmarks | None, PersonLandmarks | None]
Ending = tuple[EndedBy, str | None]
"""How a session ended, and why (a lost source's or the pipeline's one-line error)."""
Record = Callable[[float, int, tuple[np.ndarray, np.ndarray], People], None]
"""``record(t_s, index, (image of A, image of B), people)``: a frame to record."""


@dataclass(frozen=True)
class LiveFrame:
    """A frame ready to draw: the picture and the people found on it (in its coordinates)."""

    t_s: float
    index: int
    image: np.ndarray
    people: tuple[PersonView, PersonView]
    captured_s: float


class Inference(ABC):
    """Frames to people, on the inference thread; :meth:`run` until the session halts or a source ends.

    Parameters
    ----------
    backend : LandmarkBackend
    captures : dict
        ``{"main": Capture}`` and, in solo practice, ``"partner"``.
    shown : Latest
        The frames to draw (:class:`LiveFrame`).
    gate : RateGate
        Which frames are recorded (the analysis rate, on the frames' timestamps).
    record : callable
        Takes each recorded frame (:data:`Record`).
    paused, halt : threading.Event
        Skip frames while paused; stop when halted.

    Attributes
    ----------
    infer_s : list of float
        Seconds of the pose step, per frame.
    lost_kind : str
        The kind of the source that was lost (``webcam`` or ``video``).
    """

    def __init__(
        self,
        backend: LandmarkBackend,
        captures: dict[str, Capture],
        shown: Latest[LiveFrame],
        gate: RateGate,
        record: Record,
        paused: threading.Event,
        halt: threading.Event,
    ) -> None:
        self.backend = backend
        self.captures = captures
        self.shown = shown
        self.gate = gate
        self.record = record
        self.paused = paused
        self.halt = halt
        self.infer_s: list[float] = []
        self.lost_kind = "webcam"

    @property
    @abstractmethod
    def frame_size(self) -> tuple[int, int]:
        """``(width, height)`` the recorded landmarks are normalised to."""

    def people_sources(self) -> dict[str, str] | None:
        """Which source feeds A and B (solo practice), None when one source shows both."""
        return None

    @abstractmethod
    def run(self) -> Ending:
        """Estimate every new frame until halted or a source ends; how it ended."""

    def _new_frames(
        self, cap: Capture, stop: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[int, CapturedFrame]]:
        """Each frame of ``cap`` newer than the last, as ``(sequence number, frame)``, skipping those that come
        while paused; ends when halted, when ``cap`` closes, or when ``stop()`` (checked before every wait) is true.
        """
        seen = 0
        while not self.halt.is_set() and not stop():
            seq, f = cap.frames.newer(seen, 0.1)
            if f is None:
                if cap.frames.closed:
                    return
                continue
            seen = seq
            if not self.paused.is_set():
                yield seq, f

    def _keep(self, f: CapturedFrame, images: tuple[np.ndarray, np.ndarray], people: People) -> None:
        """Record the frame when the rate gate lets it through."""
        if self.gate.keep(f.t_s):
            self.record(f.t_s, f.index, images, people)

    def _capture_end(self, cap: Capture) -> Ending:
        cap.join(timeout=1.0)
        if self.halt.is_set() and cap.state in ("running", "stopped"):
            return ("quit", None)
        if cap.state == "ended":
            return ("end", None)
        if cap.state == "lost":
            self.lost_kind = cap.kind
            return ("lost", f"partner video: {cap.error}" if cap is self.captures.get("partner") else cap.error)
        return ("quit", None)


class PairInference(Inference):
    """Two people in one picture (see :class:`Inference`)."""

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.captures["main"].size

    def run(self) -> Ending:
        cap = self.captures["main"]
        estimator = PairEstimator(self.backend, cap.size)
        try:
            for _, f in self._new_frames(cap):
                start = time.perf_counter()
                a, b = estimator(f.image, f.t_s, with_face=False)
                self.infer_s.append(time.perf_counter() - start)
                self._keep(f, (f.image, f.image), (a, b))
                views = (PersonView.from_person("A", a), PersonView.from_person("B", b))
                self.shown.put(LiveFrame(f.t_s, f.index, f.image, views, f.captured_s))
        finally:
            estimator.close()
        return self._capture_end(cap)


class SoloInference(Inference):
    """One person in each of two pictures: the trainee's source and the partner clip (see :class:`Inference`).

    Parameters
    ----------
    me : {"A", "B"}
        The trainee; the other slot is the partner clip (A is shown on the left).
    """

    def __init__(self, *args, me: Person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots: tuple[str, str] = ("partner", "main") if me == "B" else ("main", "partner")

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.captures[self.slots[0]].size

    def people_sources(self) -> dict[str, str] | None:
        return {"A": self.slots[0], "B": self.slots[1]}

    def run(self) -> Ending:
        names = self.slots
        caps = [self.captures[n] for n in names]
        trainee = self.captures["main"]
        partner = self.captures["partner"]
        estimators = [SoloEstimator(self.backend), SoloEstimator(self.backend)]
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mirror-person")
        height = trainee.size[1]
        widths = [max(2, int(round(c.size[0] * height / c.size[1]))) for c in caps]
        total_w = sum(widths)
        offsets = (0, widths[0])
        last: list = [None, None]  # (seq, frame, person) per slot

        partner_ended = False  # the frames stopped because the partner clip is over (or broke off)

        def partner_over() -> bool:
            nonlocal partner_ended
            partner_ended = not partner.is_alive() and partner.state != "running"
            return partner_ended

        try:
            for seq, f in self._new_frames(trainee, stop=partner_over):
                pseq, pf = partner.frames.peek()
                if pf is None:
                    continue
                start = time.perf_counter()
                frames = {"main": (seq, f), "partner": (pseq, pf)}

                def run(slot: int, frames: dict = frames, t_s: float = f.t_s, last: list = last) -> tuple:
                    s, frame = frames[names[slot]]
                    prev = last[slot]
                    if prev is not None and prev[0] == s:
                        return prev  # the same partner frame again: its result stands
                    return (s, frame, estimators[slot](frame.image, t_s, with_face=False))

                last = list(pool.map(run, (0, 1)))
                self.infer_s.append(time.perf_counter() - start)
                people = (last[0][2], last[1][2])
                self._keep(f, (last[0][1].image, last[1][1].image), people)
                images = [
                    fr.image
                    if fr.image.shape[1] == w and fr.image.shape[0] == height
                    else cv2.resize(fr.image, (w, height), interpolation=cv2.INTER_AREA)
                    for (_, fr, _), w in zip(last, widths, strict=True)
                ]
                image = np.concatenate(images, axis=1)
                a, b = (
                    _shifted(PersonView.from_person("AB"[k], people[k]), offsets[k], widths[k], total_w) for k in (0, 1)
                )
                self.shown.put(LiveFrame(f.t_s, f.index, image, (a, b), f.captured_s))
        finally:
            pool.shutdown(wait=True)
            for est in estimators:
                est.close()
        return self._capture_end(partner if partner_ended else trainee)


def _shifted(view: PersonView, offset_px: int, width_px: int, total_px: int) -> PersonView:
    """A person's points moved from their own picture into the side-by-side picture."""
    if view.points is None:
        return view
    pts = view.points.copy()
    pts[:, 0] = (pts[:, 0] * width_px + offset_px) / total_px
    return PersonView(view.label, pts, view.visible)
