"""Landmark stage: two people's pose and face landmarks with stable identities.

MediaPipe is confined to :mod:`mirror.landmarks.mediapipe_adapter`; everything
else here runs without a model.
"""

from mirror.landmarks.backend import FaceResult, LandmarkBackend, PersonEstimator
from mirror.landmarks.cache import LandmarkCache, default_cache_dir
from mirror.landmarks.estimate import PairStep, estimate_person
from mirror.landmarks.extract import ExtractSettings, extract_landmarks, extract_video
from mirror.landmarks.layout import Layout
from mirror.landmarks.run import ExtractRun
from mirror.landmarks.tracker import IdentityTracker
from mirror.landmarks.types import Landmarks, PersonLandmarks

__all__ = [
    "ExtractRun",
    "ExtractSettings",
    "FaceResult",
    "IdentityTracker",
    "LandmarkBackend",
    "LandmarkCache",
    "Landmarks",
    "Layout",
    "PairStep",
    "PersonEstimator",
    "PersonLandmarks",
    "default_cache_dir",
    "estimate_person",
    "extract_landmarks",
    "extract_video",
]
