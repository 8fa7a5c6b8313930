"""MediaPipe Tasks behind :class:`~mirror.landmarks.backend.LandmarkBackend`.

The only module of mirror that imports mediapipe, and only when a model is first used
(:func:`load_mediapipe`): importing this module changes nothing in the process.  Models come
from ``models/`` and are checked before loading; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import operator
import os
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from mirror.errors import MirrorError
from mirror.landmarks.backend import FaceResult, LandmarkBackend, PersonEstimator
from mirror.landmarks.models import FACE_MODEL, POSE_MODELS, SHA256, model_path, pose_model_path
from mirror.landmarks.skeleton import N_BLENDSHAPES
from mirror.landmarks.types import PersonLandmarks

if TYPE_CHECKING:
    import mediapipe as mp

_stderr_lock = threading.Lock()


@contextlib.contextmanager
def quiet_native_stderr():
    """Silence what the native libraries print to file descriptor 2 while models load."""
    with _stderr_lock:
        try:
            saved = os.dup(2)
        except OSError:  # no usable stderr: nothing to silence
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


@functools.cache
def load_mediapipe() -> tuple[ModuleType, Any, Any]:
    """``(mediapipe, BaseOptions, vision)``, imported once, on first use.

    The native libraries' logging is turned down first (``GLOG_minloglevel``,
    ``TF_CPP_MIN_LOG_LEVEL``, unless already set): they read it when they load.
    """
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with quiet_native_stderr():
        import mediapipe
        from mediapipe.tasks.python import BaseOptions, vision
    return mediapipe, BaseOptions, vision


def mediapipe_version() -> str:
    return getattr(load_mediapipe()[0], "__version__", "unknown")


def _image(rgb: np.ndarray) -> mp.Image:
    mediapipe = load_mediapipe()[0]
    return mediapipe.Image(image_format=mediapipe.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


_XYZ = operator.attrgetter("x", "y", "z")
_XYZV = operator.attrgetter("x", "y", "z", "visibility")


def _xyz(landmarks) -> np.ndarray:
    """``(N, 3)`` float32 x, y, z of MediaPipe landmarks, read in one pass (an unset value is NaN)."""
    n = len(landmarks)
    return np.fromiter(itertools.chain.from_iterable(map(_XYZ, landmarks)), dtype=np.float32, count=3 * n).reshape(n, 3)


def _pose_to_person(image_lms, world_lms) -> PersonLandmarks:
    n = len(image_lms)
    xyzv = np.fromiter(itertools.chain.from_iterable(map(_XYZV, image_lms)), dtype=np.float32, count=4 * n)
    xyzv = xyzv.reshape(n, 4)
    img, vis = xyzv[:, :3].copy(), xyzv[:, 3].copy()
    if np.isnan(vis).any():  # an unset visibility (read as NaN) counts as seen
        vis = np.array([p.visibility if p.visibility is not None else 1.0 for p in image_lms], dtype=np.float32)
    return PersonLandmarks(pose_image=img, pose_world=_xyz(world_lms), pose_visibility=vis)


def _video_landmarker(kind: str, model_path: str, **options: Any) -> Any:
    """MediaPipe's ``{kind}Landmarker`` in VIDEO mode from its model file, its native logs quieted."""
    _, BaseOptions, vision = load_mediapipe()  # before the quiet block: loading takes its lock too
    landmarker, landmarker_options = getattr(vision, f"{kind}Landmarker"), getattr(vision, f"{kind}LandmarkerOptions")
    with quiet_native_stderr():
        return landmarker.create_from_options(
            landmarker_options(
                base_options=BaseOptions(model_asset_path=model_path), running_mode=vision.RunningMode.VIDEO, **options
            )
        )


def video_pose_landmarker(pose_path: str, **options: float) -> Any:
    """A MediaPipe pose landmarker in VIDEO mode for one person (``options``: its confidence settings)."""
    return _video_landmarker("Pose", pose_path, num_poses=1, **options)


def video_face_landmarker(face_path: str) -> Any:
    """A MediaPipe face landmarker in VIDEO mode for one face, with blendshapes and the face's transformation matrix."""
    return _video_landmarker(
        "Face", face_path, num_faces=1, output_face_blendshapes=True, output_facial_transformation_matrixes=True
    )


class MediaPipePersonEstimator(PersonEstimator):
    """A VIDEO-mode pose landmarker and face landmarker for one person."""

    def __init__(self, pose_path: str, face_path: str | None, pose_options: dict) -> None:
        self._pose = video_pose_landmarker(pose_path, **pose_options)
        self._face = None if face_path is None else video_face_landmarker(face_path)
        self._last_pose_ms = -1
        self._last_face_ms = -1

    def pose(self, rgb: np.ndarray, t_ms: int) -> PersonLandmarks | None:
        t_ms = max(int(t_ms), self._last_pose_ms + 1)
        self._last_pose_ms = t_ms
        result = self._pose.detect_for_video(_image(rgb), t_ms)
        if not result.pose_landmarks:
            return None
        return _pose_to_person(result.pose_landmarks[0], result.pose_world_landmarks[0])

    def face(self, rgb: np.ndarray, t_ms: int) -> FaceResult | None:
        if self._face is None:
            return None
        t_ms = max(int(t_ms), self._last_face_ms + 1)
        self._last_face_ms = t_ms
        result = self._face.detect_for_video(_image(rgb), t_ms)
        if not result.face_landmarks:
            return None
        lms = _xyz(result.face_landmarks[0])
        matrix = np.asarray(result.facial_transformation_matrixes[0], dtype=np.float64).reshape(4, 4)
        blend = np.full(N_BLENDSHAPES, np.nan, dtype=np.float32)
        scores = [cat.score for cat in result.face_blendshapes[0][:N_BLENDSHAPES]]
        blend[: len(scores)] = scores
        return FaceResult(landmarks=lms, matrix=matrix, blendshapes=blend)

    def close(self) -> None:
        for task in (self._pose, self._face):
            if task is not None:
                with contextlib.suppress(Exception):
                    task.close()
        self._pose = self._face = None


class MediaPipeBackend(LandmarkBackend):
    """MediaPipe pose and face landmarkers from ``models/``.

    Parameters
    ----------
    pose_model : {"lite", "full", "heavy"}
        Pose landmark model variant.
    face : bool
        Also run the face landmarker (478 points, head pose, blendshapes).
    min_detection_confidence, min_tracking_confidence : float
        Passed to the pose landmarker.
    """

    def __init__(
        self,
        pose_model: str = "lite",
        face: bool = True,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.pose_model = pose_model
        self._pose_path = str(pose_model_path(pose_model))
        self._face_path = str(model_path(FACE_MODEL)) if face else None
        self._pose_options = {
            "min_pose_detection_confidence": float(min_detection_confidence),
            "min_tracking_confidence": float(min_tracking_confidence),
        }
        self._detector: Any = None  # a MediaPipe PoseLandmarker in IMAGE mode, made on first use
        self._detector_lock = threading.Lock()
        self._estimators: list[MediaPipePersonEstimator] = []

    def person_estimator(self) -> MediaPipePersonEstimator:
        try:
            est = MediaPipePersonEstimator(self._pose_path, self._face_path, self._pose_options)
        except (RuntimeError, ValueError) as exc:
            raise MirrorError(f"MediaPipe could not load the models ({str(exc).splitlines()[0]})") from None
        self._estimators.append(est)
        return est

    def detect_people(self, rgb: np.ndarray, max_people: int = 4) -> list[PersonLandmarks]:
        with self._detector_lock:
            if self._detector is None:
                _, BaseOptions, vision = load_mediapipe()
                with quiet_native_stderr():
                    self._detector = vision.PoseLandmarker.create_from_options(
                        vision.PoseLandmarkerOptions(
                            base_options=BaseOptions(model_asset_path=self._pose_path),
                            running_mode=vision.RunningMode.IMAGE,
                            num_poses=max_people,
                            min_pose_detection_confidence=self._pose_options["min_pose_detection_confidence"],
                        )
                    )
            result = self._detector.detect(_image(rgb))
        return [_pose_to_person(i, w) for i, w in zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)]

    def provenance(self) -> dict:
        pose_file = POSE_MODELS[self.pose_model]
        models = {pose_file: SHA256[pose_file]}
        if self._face_path:
            models[FACE_MODEL] = SHA256[FACE_MODEL]
        return {"backend": "mediapipe", "mediapipe": mediapipe_version(), "models": models, **self._pose_options}

    def close(self) -> None:
        for est in self._estimators:
            est.close()
        self._estimators.clear()
        if self._detector is not None:
            with contextlib.suppress(Exception):
                self._detector.close()
            self._detector = None
