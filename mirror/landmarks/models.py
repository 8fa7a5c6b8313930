"""The model files.

See :mod:`mirror.model_files`, where the lookup lives so the command line can ask without importing this package.
"""

from mirror.model_files import (  # noqa: F401
    FACE_MODEL,
    PACKAGED_MODELS,
    POSE_MODELS,
    REBUILD_HINT,
    REPOSITORY_MODELS,
    SHA256,
    model_path,
    model_status,
    models_dir,
    models_origin,
    pose_model_path,
)

__all__ = [
    "FACE_MODEL", "PACKAGED_MODELS", "POSE_MODELS", "REBUILD_HINT", "REPOSITORY_MODELS", "SHA256",
    "model_path", "model_status", "models_dir", "models_origin", "pose_model_path",
]  # fmt: skip
