"""Extension point: what the extractor needs from a landmark model.

The MediaPipe implementation lives in :mod:`mirror.landmarks.mediapipe_adapter`,
the only module that imports mediapipe.  Tests drive the extractor and the
identity tracker with scripted backends, with no model and no camera.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from mirror.landmarks.types import PersonLandmarks


@dataclass
class FaceResult:
    """One face in one image.

    Attributes
    ----------
    landmarks : np.ndarray
        ``(478, 3)`` normalised to the image given (z in image-width units).
    matrix : np.ndarray
        ``(4, 4)`` facial transformation matrix.
    blendshapes : np.ndarray
        ``(52,)`` scores.
    """

    landmarks: np.ndarray
    matrix: np.ndarray
    blendshapes: np.ndarray


class PersonEstimator(ABC):
    """Follows one person through a stream of images (stateful, monotonic time)."""

    @abstractmethod
    def pose(self, rgb: np.ndarray, t_ms: int) -> PersonLandmarks | None:
        """The most prominent person in ``rgb`` (``(H, W, 3)`` uint8 RGB), normalised to it."""

    @abstractmethod
    def face(self, rgb: np.ndarray, t_ms: int) -> FaceResult | None:
        """The face in ``rgb`` (a crop around one head)."""

    def close(self) -> None:  # noqa: B027 - optional: a backend without resources has nothing to release
        pass


class LandmarkBackend(ABC):
    """Makes per-person estimators and finds people in a whole image."""

    @abstractmethod
    def person_estimator(self) -> PersonEstimator: ...

    @abstractmethod
    def detect_people(self, rgb: np.ndarray, max_people: int = 4) -> list[PersonLandmarks]:
        """Every person found in one image (stateless), normalised to it."""

    def provenance(self) -> dict:
        return {}

    def close(self) -> None:  # noqa: B027 - optional: a backend without resources has nothing to release
        pass
