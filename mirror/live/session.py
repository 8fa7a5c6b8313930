"""A live practice session: capture, landmarks, rolling analysis and the overlay, on threads.

Threads and what passes between them (each mailbox keeps only the newest
item, so a slow stage drops stale frames instead of queueing them)::

    capture (one per source) --frame--> inference --people+frame--> main: draw, show, keys
                                            |
                                            +--rows at the analysis rate--> SessionLandmarks
                                                                              |
    analysis (every 0.5 s, last 60 s) <--------------------------------------+
        -> ReportView read by the main thread when it draws

Two modes:

``pair``
    One source (a camera, or a video file played as if it were one) with two
    people: A on the left, B on the right; ``me`` says which one is the trainee.
``solo``
    The trainee's source (a camera, or a file) and a recorded partner clip,
    each with one person, analysed on its own and compared on the session
    clock.  The two pictures are shown side by side, A on the left.

At the end, whatever stopped the session (q, the end of a file, a lost
camera, Ctrl-C), the landmarks and the report are written to the output
folder in the format of ``mirror analyze``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from mirror import __version__
from mirror.errors import MirrorError
from mirror.landmarks.backend import LandmarkBackend
from mirror.landmarks.run import ExtractRun
from mirror.landmarks.tracker import count_identity_swaps
from mirror.landmarks.types import Landmarks
from mirror.live.analysis import RollingAnalysis
from mirror.live.capture import Capture, Latest
from mirror.live.display import Display
from mirror.live.estimate import FaceWorker, PairEstimator, SoloEstimator
from mirror.live.keys import PAUSE, QUIT, RECORD_START, RECORD_STOP, RESUME, SNAPSHOT, Controls, handle_key
from mirror.live.record import ScreenRecorder, SessionLandmarks
from mirror.overlay import OverlayState, PersonView, draw_overlay
from mirror.sources import FrameSource, VideoFileSource, WebcamSource
from mirror.storage import folder_lock, write_atomic

ENDINGS = ("quit", "closed", "end", "lost", "time", "interrupt", "error")
"""How a session can end: q or Esc, the window closed, the end of a file, a lost source,
``max_seconds``, Ctrl-C, a failure of the pipeline."""


@dataclass(frozen=True)
class LiveSettings:
    """How to run a live session.

    Attributes
    ----------
    camera : int
        Camera index (when no ``source`` is given).
    source : Path or None
        A video file played as if it were the camera.
    partner_video : Path or None
        Solo practice: the recorded partner clip.
    me : {"A", "B", None}
        The trainee: ``A`` (left) or ``B`` (right).  Solo practice defaults to
        ``B`` (the partner clip is shown on the left).
    selfie : bool
        Show a mirror image (display only).
    pose_model : str
        ``lite``, ``full`` or ``heavy``.
    face : bool
        Run the face model on recorded frames.
    fps : float
        Recording and analysis rate (the skeletons are drawn on every frame).
    max_size : tuple of int
        Frames are scaled down to fit this ``(width, height)``.
    analysis_every_s, mechanical_every_s, span_s : float
        Rolling analysis cadence and length (see :mod:`mirror.live.analysis`).
    surrogates : int
        Surrogate sessions for the final report's pseudo-synchrony test.
    max_seconds : float or None
        Stop after this long.
    lost_hold_s : float
        After a camera is lost, how long the window stays up (q closes it sooner).
    pace_files : bool
        Play files in real time (False: as fast as the pipeline goes; for benchmarks).
    """

    camera: int = 0
    source: Path | None = None
    partner_video: Path | None = None
    me: str | None = None
    selfie: bool = False
    pose_model: str = "lite"
    face: bool = True
    fps: float = 15.0
    max_size: tuple[int, int] = (640, 480)
    analysis_every_s: float = 0.5
    mechanical_every_s: float = 5.0
    span_s: float = 60.0
    surrogates: int = 200
    max_seconds: float | None = None
    lost_hold_s: float = 10.0
    pace_files: bool = True

    def __post_init__(self) -> None:
        if self.me not in (None, "A", "B"):
            raise MirrorError(f"me must be A (left) or B (right), got {self.me!r}")
        if not self.fps > 0:
            raise MirrorError(f"--fps must be positive, got {self.fps}")
        if self.surrogates < 0:
            raise MirrorError(f"--surrogates must be >= 0, got {self.surrogates}")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise MirrorError(f"--max-seconds must be positive, got {self.max_seconds}")
        from mirror.landmarks.models import POSE_MODELS

        if self.pose_model not in POSE_MODELS:
            raise MirrorError(f"unknown pose model {self.pose_model!r}; choose one of: {', '.join(POSE_MODELS)}")

    @property
    def mode(self) -> str:
        return "solo" if self.partner_video is not None else "pair"

    @property
    def trainee(self) -> str | None:
        """Who is ``You``: ``me``, or ``B`` in solo practice."""
        return self.me if self.me is not None or self.mode == "pair" else "B"

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "camera": None if self.source else self.camera,
            "source": str(self.source) if self.source else None,
            "partner_video": str(self.partner_video) if self.partner_video else None,
            "me": self.trainee,
            "selfie": self.selfie,
            "pose_model": self.pose_model,
            "face": self.face,
            "fps": self.fps,
            "max_size": list(self.max_size),
            "analysis_every_s": self.analysis_every_s,
            "mechanical_every_s": self.mechanical_every_s,
            "span_s": self.span_s,
        }


@dataclass(frozen=True)
class LiveFrame:
    """A frame ready to draw: the picture and the people found on it (in its coordinates)."""

    t_s: float
    index: int
    image: np.ndarray
    people: tuple[PersonView, PersonView]
    captured_s: float


@dataclass
class LiveResult:
    """What a session left behind.

    Attributes
    ----------
    ended_by : str
        One of :data:`ENDINGS`.
    error : str or None
        Why a source was lost or the pipeline failed.
    paths : dict
        Files written: ``landmarks.npz``, ``report.json``, ``windows.csv``, ``events.csv``.
    session : mirror.pipeline.Session or None
        The final analysis (None when nothing was recorded).
    stats : dict
        Frames shown, rate, latency from capture to display, inference time, drops.
    """

    out_dir: Path
    ended_by: str
    error: str | None = None
    paths: dict = field(default_factory=dict)
    snapshots: list = field(default_factory=list)
    recordings: list = field(default_factory=list)
    landmarks: Landmarks | None = None
    session: object = None
    stats: dict = field(default_factory=dict)


def open_sources(settings: LiveSettings) -> dict[str, FrameSource]:
    """The session's sources: ``main`` (camera or file) and, in solo practice, ``partner``.

    The partner clip is opened first, so a bad clip is reported before the camera starts.

    Raises
    ------
    MirrorError
        No such camera, or a missing, corrupt or empty file (one line).
    """
    sources: dict[str, FrameSource] = {}
    try:
        if settings.partner_video is not None:
            try:
                sources["partner"] = VideoFileSource(settings.partner_video)
            except MirrorError as err:
                raise MirrorError(f"partner video: {err}") from None
        if settings.source is not None:
            sources["main"] = VideoFileSource(settings.source)
        else:
            w, h = settings.max_size
            sources["main"] = WebcamSource(settings.camera, width=w, height=h)
    except BaseException:
        for src in sources.values():
            src.close()
        raise
    return sources


def _stats(values: list[float], scale: float = 1000.0) -> dict:
    if not values:
        return {"median": None, "p95": None, "n": 0}
    arr = np.asarray(values) * scale
    return {"median": round(float(np.median(arr)), 2), "p95": round(float(np.percentile(arr, 95)), 2), "n": len(arr)}


class LiveSession:
    """One live session; :meth:`run` blocks until it ends and returns a :class:`LiveResult`.

    Parameters
    ----------
    settings : LiveSettings
    out_dir : Path
        Output folder (locked for the session).
    display : Display
        Where frames are shown and keys come from; call from the main thread.
    backend : LandmarkBackend, optional
        Default: MediaPipe with ``settings.pose_model``.
    sources : dict, optional
        ``{"main": FrameSource, "partner": FrameSource}`` already open (closed by the session);
        default :func:`open_sources`.
    on_saving : callable, optional
        Called once before the final files are written (the CLI says "saving").
    """

    def __init__(
        self,
        settings: LiveSettings,
        out_dir: Path,
        display: Display,
        backend: LandmarkBackend | None = None,
        sources: dict[str, FrameSource] | None = None,
        on_saving: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.out_dir = Path(out_dir)
        self.display = display
        self.on_saving = on_saving
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise MirrorError(f"--out {self.out_dir} exists and is not a folder")
        self.sources = sources if sources is not None else open_sources(settings)
        if settings.mode == "solo" and "partner" not in self.sources:
            raise MirrorError("solo practice needs a partner source")
        self._own_backend = backend is None
        if backend is None:
            try:
                from mirror.landmarks.mediapipe_adapter import MediaPipeBackend

                backend = MediaPipeBackend(settings.pose_model, face=settings.face)
            except BaseException:
                self._close_sources()
                raise
        self.backend = backend
        self.me = settings.trainee
        self.shown = Latest[LiveFrame]()
        self.rolling = RollingAnalysis(mechanical_every_s=settings.mechanical_every_s)
        self.paused = threading.Event()
        self._halt = threading.Event()
        self._end: tuple[str, str | None] | None = None
        self._infer_ms: list[float] = []
        self._latency_s: list[float] = []
        self._analysis_ms: list[float] = []
        self._analysis_errors: list[str] = []
        self.last_image: np.ndarray | None = None
        self._screen: ScreenRecorder | None = None
        self._snapshots: list[Path] = []
        self._recordings: list[Path] = []
        self._lost_kind = "webcam"

    # ------------------------------------------------------------ set-up
    def _close_sources(self) -> None:
        for src in self.sources.values():
            src.close()

    def _slots(self) -> tuple[str, str]:
        """Which source feeds A and B in solo practice (A is shown on the left)."""
        return ("partner", "main") if self.me == "B" else ("main", "partner")

    def _landmark_info(self) -> ExtractRun:
        info = ExtractRun(
            mirror=__version__,
            live=self.settings.to_dict(),
            source=self.sources["main"].info.to_dict(),
            settings={
                "pose_model": self.settings.pose_model,
                "face": self.settings.face,
                "fps": self.settings.fps,
                "layout": {"mode": "auto", "regions": None},
                "mirrored_input": False,
            },
            backend=self.backend.provenance(),
        )
        if "partner" in self.sources:
            a, b = self._slots()
            info = replace(
                info,
                partner_source=self.sources["partner"].info.to_dict(),
                people={"A": a, "B": b},
                frame_sizes={p: list(self._captures[name].size) for p, name in zip("AB", (a, b))},
            )
        return info

    # --------------------------------------------------------- inference
    def _infer_pair(self) -> tuple[str, str | None]:
        cap = self._captures["main"]
        estimator = PairEstimator(self.backend, cap.size)
        try:
            seen = 0
            while not self._halt.is_set():
                seq, f = cap.frames.newer(seen, 0.1)
                if f is None:
                    if cap.frames.closed:
                        break
                    continue
                seen = seq
                if self.paused.is_set():
                    continue
                start = time.perf_counter()
                a, b = estimator(f.image, f.t_s, with_face=False)
                self._infer_ms.append(time.perf_counter() - start)
                if self.recorder.due(f.t_s):
                    self.recorder.reserve(f.t_s)
                    self._faces.submit(f.t_s, f.index, (f.image, f.image), (a, b))
                views = (PersonView.from_person("A", a), PersonView.from_person("B", b))
                self.shown.put(LiveFrame(f.t_s, f.index, f.image, views, f.captured_s))
        finally:
            estimator.close()
        return self._capture_end(cap)

    def _infer_solo(self) -> tuple[str, str | None]:
        names = self._slots()
        caps = [self._captures[n] for n in names]
        trainee = self._captures["main"]
        partner = self._captures["partner"]
        estimators = [SoloEstimator(self.backend), SoloEstimator(self.backend)]
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mirror-person")
        height = trainee.size[1]
        widths = [max(2, int(round(c.size[0] * height / c.size[1]))) for c in caps]
        total_w = sum(widths)
        offsets = (0, widths[0])
        last: list = [None, None]  # (seq, frame, person) per slot
        try:
            seen = 0
            while not self._halt.is_set():
                if not partner.is_alive() and partner.state != "running":  # the clip is over (or broke off)
                    return self._capture_end(partner)
                seq, f = trainee.frames.newer(seen, 0.1)
                if f is None:
                    if trainee.frames.closed:
                        break
                    continue
                seen = seq
                if self.paused.is_set():
                    continue
                pseq, pf = partner.frames.peek()
                if pf is None:
                    continue
                start = time.perf_counter()
                frames = {"main": (seq, f), "partner": (pseq, pf)}

                def run(slot: int) -> tuple:
                    s, frame = frames[names[slot]]
                    prev = last[slot]
                    if prev is not None and prev[0] == s:
                        return prev  # the same partner frame again: its result stands
                    return (s, frame, estimators[slot](frame.image, f.t_s, with_face=False))

                last = list(pool.map(run, (0, 1)))
                self._infer_ms.append(time.perf_counter() - start)
                people = (last[0][2], last[1][2])
                if self.recorder.due(f.t_s):
                    self.recorder.reserve(f.t_s)
                    self._faces.submit(f.t_s, f.index, (last[0][1].image, last[1][1].image), people)
                images = [
                    fr.image
                    if fr.image.shape[1] == w and fr.image.shape[0] == height
                    else cv2.resize(fr.image, (w, height), interpolation=cv2.INTER_AREA)
                    for (_, fr, _), w in zip(last, widths)
                ]
                image = np.concatenate(images, axis=1)
                views = tuple(
                    _shifted(PersonView.from_person("AB"[k], people[k]), offsets[k], widths[k], total_w) for k in (0, 1)
                )
                self.shown.put(LiveFrame(f.t_s, f.index, image, views, f.captured_s))
        finally:
            pool.shutdown(wait=True)
            for est in estimators:
                est.close()
        return self._capture_end(trainee)

    def _capture_end(self, cap: Capture) -> tuple[str, str | None]:
        cap.join(timeout=1.0)
        if self._halt.is_set() and cap.state in ("running", "stopped"):
            return ("quit", None)
        if cap.state == "ended":
            return ("end", None)
        if cap.state == "lost":
            self._lost_kind = cap.kind
            return ("lost", f"partner video: {cap.error}" if cap is self._captures.get("partner") else cap.error)
        return ("quit", None)

    def _infer(self) -> None:
        try:
            self._end = self._infer_solo() if self.settings.mode == "solo" else self._infer_pair()
        except MirrorError as err:
            self._end = ("error", str(err))
        except Exception as err:  # the session still saves what it recorded
            self._end = ("error", f"{type(err).__name__}: {err}")
        finally:
            self.shown.close()

    # ---------------------------------------------------------- analysis
    def _analyse(self) -> None:
        while not self._halt.wait(self.settings.analysis_every_s):
            if self.paused.is_set():
                continue
            start = time.perf_counter()
            try:
                self.recorder.flush()
                self.rolling.update(self.recorder.recent(self.settings.span_s))
            except Exception as err:  # the live view goes on with the previous analysis
                self._analysis_errors.append(f"{type(err).__name__}: {err}")
            self._analysis_ms.append(time.perf_counter() - start)

    # -------------------------------------------------------------- main
    def _status(self, controls: Controls) -> str | None:
        from mirror.messages import BANNERS

        if self._end is not None and self._end[0] == "lost":
            return BANNERS["camera_lost" if self._lost_kind == "webcam" else "video_lost"]
        return BANNERS["paused"] if controls.paused else None

    def overlay_state(self, frame: LiveFrame, controls: Controls) -> OverlayState:
        """What the window shows with ``frame``: the latest rolling analysis and this frame's people."""
        return OverlayState.from_live(
            self.rolling.view,
            frame.people,
            frame.t_s,
            me=self.me,
            selfie=self.settings.selfie,
            status=self._status(controls),
            recording=self._screen is not None,
        )

    def _draw(self, frame: LiveFrame, controls: Controls) -> np.ndarray:
        return draw_overlay(frame.image, self.overlay_state(frame, controls))

    def _next_name(self, stem: str, suffix: str) -> Path:
        k = 1
        while (self.out_dir / f"{stem}_{k:03d}{suffix}").exists():
            k += 1
        return self.out_dir / f"{stem}_{k:03d}{suffix}"

    def _snapshot(self) -> None:
        if self.last_image is None:
            return
        path = self._next_name("snapshot", ".png")
        ok, data = cv2.imencode(".png", self.last_image)
        if ok:
            write_atomic(path, data.tobytes())
            self._snapshots.append(path)

    def _stop_recording(self) -> None:
        if self._screen is not None:
            path = self._screen.close(time.perf_counter())
            if path is not None:
                self._recordings.append(path)
            self._screen = None

    def _loop(self) -> tuple[str, str | None]:
        controls = Controls()
        seen = 0
        current: LiveFrame | None = None
        redraw = False
        started = time.perf_counter()
        max_s = self.settings.max_seconds
        while True:
            seq, frame = self.shown.newer(seen, 0.01)
            fresh = frame is not None
            if fresh:
                seen, current, redraw = seq, frame, True
            if not fresh and not self._inference.is_alive() and self._end is not None:
                return self._end
            if max_s is not None and time.perf_counter() - started >= max_s:
                return ("time", None)
            if current is not None and redraw:
                image = self._draw(current, controls)
                self.display.show(image)
                now = time.perf_counter()
                if fresh:
                    self._latency_s.append(now - current.captured_s)
                    self._frames_shown += 1
                self.last_image = image
                if self._screen is not None:
                    self._screen.add(image, now)
                redraw = False
            key = self.display.poll_key(1)
            if not self.display.is_open():
                return ("closed", None)
            controls, action = handle_key(controls, key)
            if action == QUIT:
                return ("quit", None)
            if action in (PAUSE, RESUME):
                (self.paused.set if action == PAUSE else self.paused.clear)()
                redraw = True
            elif action == SNAPSHOT:
                self._snapshot()
            elif action == RECORD_START:
                self._screen = ScreenRecorder(self._next_name("recording", ".avi"))
                redraw = True
            elif action == RECORD_STOP:
                self._stop_recording()
                redraw = True

    def _hold_lost(self) -> None:
        """Keep the window up, showing that the camera is lost, until q or ``lost_hold_s``."""
        if self.last_image is None:
            return
        controls = Controls()
        if self._last_frame is not None:
            self.last_image = self._draw(self._last_frame, controls)
        self.display.show(self.last_image)
        until = time.perf_counter() + self.settings.lost_hold_s
        while time.perf_counter() < until and self.display.is_open():
            controls, action = handle_key(controls, self.display.poll_key(30))
            if action == QUIT:
                break

    def run(self) -> LiveResult:
        """Run until q, the end of a file, a lost source, ``max_seconds`` or Ctrl-C; then save."""
        try:
            with folder_lock(self.out_dir):
                return self._run()
        finally:
            self._close_sources()
            if self._own_backend:
                self.backend.close()

    def _run(self) -> LiveResult:
        s = self.settings
        t0 = time.perf_counter()
        self._captures = {
            name: Capture(
                src,
                t0,
                paced=src.info.kind == "video" and s.pace_files,
                stream_time=s.mode == "pair" and src.info.kind == "video",
                max_size=s.max_size,
                name=f"mirror-capture-{name}",
            )
            for name, src in self.sources.items()
        }
        size = self._captures["main"].size
        if s.mode == "solo":
            size = self._captures[self._slots()[0]].size
        self.recorder = SessionLandmarks(
            size, self._landmark_info(), s.fps, self.out_dir / ".live-parts", buffer_s=s.span_s
        )
        self._faces = FaceWorker(self.backend, self.recorder.add, with_face=s.face)
        self._frames_shown = 0
        self._last_frame = None
        self._inference = threading.Thread(target=self._infer, name="mirror-inference", daemon=True)
        analysis = threading.Thread(target=self._analyse, name="mirror-analysis", daemon=True)
        for cap in self._captures.values():
            cap.start()
        self._faces.start()
        self._inference.start()
        analysis.start()
        started = time.perf_counter()
        cpu_started = time.process_time()
        ended_by, error = "quit", None
        try:
            ended_by, error = self._loop()
        except KeyboardInterrupt:
            ended_by = "interrupt"
        finally:
            self._halt.set()
            for cap in self._captures.values():
                cap.stop()
            self._inference.join(timeout=5.0)
            analysis.join(timeout=5.0)
            self._faces.close()  # every queued row is recorded
            self._stop_recording()
            wall = time.perf_counter() - started
            self._cpu_s = time.process_time() - cpu_started
        _, self._last_frame = self.shown.peek()
        if self.on_saving is not None:
            try:
                self.on_saving()
            except Exception:  # saying so must not stop the saving (a closed terminal, ...)
                pass
        result = self._save(ended_by, error, wall)
        if ended_by == "lost":
            self._hold_lost()
        return result

    # -------------------------------------------------------------- save
    def _save(self, ended_by: str, error: str | None, wall_s: float) -> LiveResult:
        from mirror.compare import PRESETS
        from mirror.pipeline import analyze_session, write_session

        drops = {name: cap.frames.dropped + cap.late_dropped for name, cap in self._captures.items()}
        stats = {
            "seconds": round(wall_s, 3),
            "frames_shown": self._frames_shown,
            "fps_shown": round(self._frames_shown / wall_s, 2) if wall_s > 0 else None,
            "cpu_seconds": round(self._cpu_s, 3),  # all threads of this process, while the session ran
            "latency_ms": _stats(self._latency_s),
            "inference_ms": _stats(self._infer_ms),
            "analysis_ms": _stats(self._analysis_ms),
            "analysis_runs": self.rolling.runs,
            "mechanical_runs": self.rolling.mechanical_runs,
            "analysis_errors": self._analysis_errors[:5],
            "frames_captured": {name: cap.captured for name, cap in self._captures.items()},
            "frames_dropped": drops,
            "frames_recorded": self.recorder.rows,
            "frames_with_face_model": self._faces.faced,
            "frames_recorded_without_face_model": self._faces.skipped,
            "face_model_error": self._faces.error,
            "ended_by": ended_by,
            "error": error,
        }
        result = LiveResult(
            self.out_dir,
            ended_by,
            error,
            stats=stats,
            snapshots=list(self._snapshots),
            recordings=list(self._recordings),
        )
        self.recorder.flush(force=True)
        landmarks = self.recorder.finish()
        if landmarks is None:
            return result
        landmarks.info = replace(landmarks.info, live_stats=stats)
        result.landmarks = landmarks
        result.paths["landmarks.npz"] = landmarks.save(self.out_dir / "landmarks.npz")
        present = landmarks.pose_present
        provenance = {
            "source": self.sources["main"].info.to_dict(),
            "live": {**self.settings.to_dict(), "stats": stats},
            "landmarks": {
                "frames": len(landmarks),
                "both_present_rate": float(present.all(1).mean()),
                "identity_swaps": count_identity_swaps(landmarks) if self.settings.mode == "pair" else None,
                "backend": self.backend.provenance(),
            },
            "extract_settings": landmarks.info.settings,
        }
        main = self.sources["main"]
        if isinstance(main, VideoFileSource) and self.settings.mode == "pair":
            # a file played two-person is timed by its own timestamps: the review plays it in step
            provenance["source_path"] = str(Path(self.settings.source).resolve())
            provenance["source_sha256"] = main.content_sha256()
        if "partner" in self.sources:
            provenance["partner_source"] = self.sources["partner"].info.to_dict()
            provenance["people"] = landmarks.info.people
        session = analyze_session(
            landmarks, PRESETS["live"], n_surrogates=self.settings.surrogates, provenance=provenance
        )
        result.session = session
        result.paths.update(write_session(session, self.out_dir))
        return result


def _shifted(view: PersonView, offset_px: int, width_px: int, total_px: int) -> PersonView:
    """A person's points moved from their own picture into the side-by-side picture."""
    if view.points is None:
        return view
    pts = view.points.copy()
    pts[:, 0] = (pts[:, 0] * width_px + offset_px) / total_px
    return PersonView(view.label, pts, view.visible)


def run_live(
    settings: LiveSettings,
    out_dir: Path,
    display: Display,
    *,
    backend: LandmarkBackend | None = None,
    sources: dict[str, FrameSource] | None = None,
    on_saving: Callable[[], None] | None = None,
) -> LiveResult:
    """Run one live session (see :class:`LiveSession`)."""
    return LiveSession(settings, out_dir, display, backend=backend, sources=sources, on_saving=on_saving).run()


__all__ = ["ENDINGS", "LiveFrame", "LiveResult", "LiveSession", "LiveSettings", "open_sources", "run_live"]
