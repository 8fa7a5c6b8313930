"""Feature stage: body-centric posture features per person, the mirror operator, and which body parts can be used."""

from mirror.features.body import (
    CHANNELS,
    FEATURES,
    Features,
    FeatureSpec,
    compute_features,
    mirror_operator,
)
from mirror.features.usability import PARTS, REASONS, Part, Reason, UsabilitySettings, usability_summary

__all__ = [
    "CHANNELS",
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
