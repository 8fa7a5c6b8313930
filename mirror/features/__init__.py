"""Feature stage: body-centric posture features per person, and the mirror operator."""

from mirror.features.body import (
    CHANNELS,
    FEATURES,
    Features,
    FeatureSpec,
    compute_features,
    mirror_operator,
)

__all__ = ["CHANNELS", "FEATURES", "FeatureSpec", "Features", "compute_features", "mirror_operator"]
