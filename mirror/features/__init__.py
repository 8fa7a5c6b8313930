"""Feature stage: body-centric posture features per person, the mirror operator, and which body parts can be used."""

from mirror.features.body import (
    FEATURES,
    Features,
    FeatureSpec,
    compute_features,
    mirror_operator,
)
from mirror.features.usability import REASONS, Reason, UsabilitySettings, usability_summary
from mirror.vocabulary import BODY_PARTS as PARTS
from mirror.vocabulary import FEATURE_CHANNELS
from mirror.vocabulary import BodyPart as Part

__all__ = [
    "FEATURE_CHANNELS",
    "FEATURES",
    "PARTS",
    "REASONS",
    "FeatureSpec",
    "Features",
    "Part",
    "Reason",
    "UsabilitySettings",
    "compute_features",
    "mirror_operator",
    "usability_summary",
]
