"""A live practice session: capture, landmarks, rolling analysis and the overlay, on threads.

Threads and what passes between them (each mailbox keeps only the newest
item, so a slow stage drops stale frames instead of queueing them)::

    capture (one per source) --frame--> inference --people+frame--> main: draw, show, keys
                                            |
                                            +--rows at the analysis rate--> SessionLandmarks
                                                                              |
    analysis (every 0.5 s, last 60 s) <--------------------------------------+
        -> ReportView read by the main thread when it draws

Two modes (:mod:`mirror.live.inference`): ``pair``, one source with two people,
and ``solo``, the trainee's source beside a recorded partner clip.

At the end, whatever stopped the session (q, the end of a file, a lost
camera, Ctrl-C), the landmarks and the report are written to the output
folder in the format of ``mirror analyze``.

This module is a little over 400 lines because :class:`LiveSession` is the one
place the threads meet: its set-up, the main thread's frame loop and the
saving share the session's state.  Each job that stands alone has its own
module: settings, inference, capture, recording, rolling analysis, stats.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from mirror.live.estimate import FaceWorker
from mirror.live.inference import Ending, Inference, LiveFrame, PairInference, SoloInference
from mirror.live.keys import PAUSE, QUIT, RECORD_START, RECORD_STOP, RESUME, SNAPSHOT, Controls, handle_key
from mirror.live.record import ScreenRecorder, SessionLandmarks
from mirror.live.settings import EndedBy, LiveSettings, open_sources
from mirror.live.stats import LiveStats, Timing
from mirror.overlay import OverlayState, draw_overlay
from mirror.sources import FrameSource, VideoFileSource
from mirror.sources.rate import RateGate
from mirror.storage import folder_lock, write_atomic

if TYPE_CHECKING:
    from mirror.pipeline import Session


@dataclass
class LiveResult:
    """What a session left behind.

    Attributes
    ----------
    ended_by : str
        One of :data:`~mirror.live.settings.ENDINGS`.
    error : str or None
        Why a source was lost or the pipeline failed.
    paths : dict
        Files written: ``landmarks.npz``, ``report.json``, ``windows.csv``, ``events.csv``.
    session : mirror.pipeline.Session or None
        The final analysis (None when nothing was recorded).
    stats : LiveStats
        Frames shown, rate, latency from capture to display, inference time, drops.
    """

    out_dir: Path
    ended_by: EndedBy
    stats: LiveStats
    error: str | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    snapshots: list[Path] = field(default_factory=list)
    recordings: list[Path] = field(default_factory=list)
    landmarks: Landmarks | None = None
    session: Session | None = None


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
        self._own_backend = backend is None
        try:
            if settings.mode == "solo" and "partner" not in self.sources:
                raise MirrorError("solo practice needs a partner source")
            if backend is None:
                from mirror.landmarks.mediapipe_adapter import MediaPipeBackend

                backend = MediaPipeBackend(settings.pose_model, face=settings.face)
            self.backend: LandmarkBackend = backend
            # every part of the session, made here and started by run()
            s = settings
            self.me = s.trainee
            self.captures = {
                name: Capture(
                    src,
                    paced=src.info.kind == "video" and s.pace_files,
                    stream_time=s.mode == "pair" and src.info.kind == "video",
                    max_size=s.max_size,
                    name=f"mirror-capture-{name}",
                )
                for name, src in self.sources.items()
            }
            self.shown = Latest[LiveFrame]()
            self.paused = threading.Event()
            self._halt = threading.Event()
            gate = RateGate(1.0 / s.fps, 0.25 / s.fps)  # the analysis rate, on the frames' timestamps
            parts = (self.backend, self.captures, self.shown, gate, self._record, self.paused, self._halt)
            self.inference: Inference = (
                SoloInference(*parts, me=self.me or "B") if s.mode == "solo" else PairInference(*parts)
            )
            self.recorder = SessionLandmarks(
                self.inference.frame_size, self._landmark_info(), self.out_dir / ".live-parts", buffer_s=s.span_s
            )
            self.faces = FaceWorker(self.backend, self.recorder.add, with_face=s.face)
            self.rolling = RollingAnalysis(mechanical_every_s=s.mechanical_every_s)
            self._inference_thread = threading.Thread(target=self._infer, name="mirror-inference", daemon=True)
            self._analysis_thread = threading.Thread(target=self._analyse, name="mirror-analysis", daemon=True)
            self._end: Ending | None = None
            self._latency_s: list[float] = []
            self._analysis_s: list[float] = []
            self._analysis_errors: list[str] = []
            self._frames_shown = 0
            self.last_image: np.ndarray | None = None
            self._last_frame: LiveFrame | None = None
            self._screen: ScreenRecorder | None = None
            self._snapshots: list[Path] = []
            self._recordings: list[Path] = []
        except BaseException:
            self._close()
            raise

    def _close(self) -> None:
        """Close the sources, the face worker's models if it never ran, and the backend if the session made it."""
        for src in self.sources.values():
            src.close()
        faces = getattr(self, "faces", None)  # absent when the set-up failed before it
        if faces is not None and faces.ident is None:  # never started (a started one is closed by _run)
            faces.close()
        if self._own_backend and hasattr(self, "backend"):
            self.backend.close()

    def _landmark_info(self) -> ExtractRun:
        people = self.inference.people_sources()
        return ExtractRun(
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
            partner_source=self.sources["partner"].info.to_dict() if people else None,
            people=dict(people) if people else None,
            frame_sizes={p: list(self.captures[name].size) for p, name in people.items()} if people else None,
        )

    # --------------------------------------------------------- the threads
    def _record(self, t_s: float, index: int, images: tuple[np.ndarray, np.ndarray], people) -> None:
        """A frame the inference keeps at the analysis rate: faces added, then recorded."""
        self.faces.submit(t_s, index, images, people)

    def _infer(self) -> None:
        try:
            self._end = self.inference.run()
        except MirrorError as err:
            self._end = ("error", str(err))
        except Exception as err:  # the session still saves what it recorded
            self._end = ("error", f"{type(err).__name__}: {err}")
        finally:
            self.shown.close()

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
            self._analysis_s.append(time.perf_counter() - start)

    # -------------------------------------------------------------- main
    def _status(self, controls: Controls) -> str | None:
        from mirror.messages import BANNERS

        if self._end is not None and self._end[0] == "lost":
            return BANNERS["camera_lost" if self.inference.lost_kind == "webcam" else "video_lost"]
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

    def _loop(self) -> Ending:
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
            if not fresh and not self._inference_thread.is_alive() and self._end is not None:
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
            self._close()

    def _run(self) -> LiveResult:
        t0 = time.perf_counter()
        for cap in self.captures.values():
            cap.start_at(t0)
        self.faces.start()
        self._inference_thread.start()
        self._analysis_thread.start()
        started = time.perf_counter()
        cpu_started = time.process_time()
        ended_by: EndedBy = "quit"
        error: str | None = None
        try:
            ended_by, error = self._loop()
        except KeyboardInterrupt:
            ended_by = "interrupt"
        finally:
            self._halt.set()
            for cap in self.captures.values():
                cap.stop()
            self._inference_thread.join(timeout=5.0)
            self._analysis_thread.join(timeout=5.0)
            self.faces.close()  # every queued row is recorded
            self._stop_recording()
            wall_s = time.perf_counter() - started
            cpu_s = time.process_time() - cpu_started
        _, self._last_frame = self.shown.peek()
        if self.on_saving is not None:
            with contextlib.suppress(Exception):  # saying so must not stop the saving (a closed terminal, ...)
                self.on_saving()
        result = self._save(self._stats(ended_by, error, wall_s, cpu_s), error)
        if ended_by == "lost":
            self._hold_lost()
        return result

    # -------------------------------------------------------------- save
    def _stats(self, ended_by: EndedBy, error: str | None, wall_s: float, cpu_s: float) -> LiveStats:
        return LiveStats(
            seconds=round(wall_s, 3),
            frames_shown=self._frames_shown,
            fps_shown=round(self._frames_shown / wall_s, 2) if wall_s > 0 else None,
            cpu_seconds=round(cpu_s, 3),
            latency_ms=Timing.of(self._latency_s),
            inference_ms=Timing.of(self.inference.infer_s),
            analysis_ms=Timing.of(self._analysis_s),
            analysis_runs=self.rolling.runs,
            mechanical_runs=self.rolling.mechanical_runs,
            analysis_errors=self._analysis_errors[:5],
            frames_captured={name: cap.captured for name, cap in self.captures.items()},
            frames_dropped={name: cap.frames.dropped + cap.late_dropped for name, cap in self.captures.items()},
            frames_recorded=self.recorder.rows,
            frames_with_face_model=self.faces.faced,
            frames_recorded_without_face_model=self.faces.skipped,
            face_model_error=self.faces.error,
            ended_by=ended_by,
            error=error,
        )

    def _save(self, stats: LiveStats, error: str | None) -> LiveResult:
        from mirror.compare import PRESETS
        from mirror.pipeline import analyze_session, write_session

        result = LiveResult(
            self.out_dir,
            stats.ended_by,
            stats,
            error,
            snapshots=list(self._snapshots),
            recordings=list(self._recordings),
        )
        self.recorder.flush(force=True)
        landmarks = self.recorder.finish()
        if landmarks is None:
            return result
        result.landmarks = landmarks
        result.paths["landmarks.npz"] = landmarks.save(self.out_dir / "landmarks.npz")
        present = landmarks.pose_present
        provenance: dict[str, Any] = {
            "source": self.sources["main"].info.to_dict(),
            "live": {**self.settings.to_dict(), "stats": stats.to_dict()},
            "landmarks": {
                "frames": len(landmarks),
                "both_present_rate": float(present.all(1).mean()),
                "identity_swaps": count_identity_swaps(landmarks) if self.settings.mode == "pair" else None,
                "backend": self.backend.provenance(),
            },
            "extract_settings": landmarks.info.settings,
        }
        main = self.sources["main"]
        if isinstance(main, VideoFileSource) and self.settings.source is not None and self.settings.mode == "pair":
            # a file played two-person is timed by its own timestamps: the review plays it in step
            provenance["source_path"] = str(self.settings.source.resolve())
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


__all__ = ["LiveResult", "LiveSession", "run_live"]
