"""The model files: where they are and whether they are intact.

Light on purpose (no numpy, no OpenCV): the command line asks which models are installed
before it imports anything heavy. ``mirror.landmarks.models`` re-exports this module.

Every ``.task`` bundle is checked against its SHA-256 before it is loaded.  A
missing or altered file gives one line saying how to rebuild it.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from mirror.errors import MirrorError

POSE_MODELS = {
    "lite": "pose_landmarker_lite.task",
    "full": "pose_landmarker_full.task",
    "heavy": "pose_landmarker_heavy.task",
}
FACE_MODEL = "face_landmarker.task"

# Reproducible build outputs of models/build.sh (byte-for-byte).
SHA256 = {
    "pose_landmarker_lite.task": "6462885fd43b90dbe7c12209c1d87fb96eed882ba36f435a75e7d4531f69cf5f",
    "pose_landmarker_full.task": "cc6808cceb152528c336d8a3dfb0c23c8604dc950e981302806ed10a1cde18ba",
    "pose_landmarker_heavy.task": "efb9afb6d1e987bbf0ecc9ca230b5d7d60c5a5e6e2e909fbf7361b9df351f8d9",
    "face_landmarker.task": "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
}
REBUILD_HINT = "rebuild with `bash models/build.sh` (VARIANTS=lite,full,heavy for the heavy model)"


PACKAGED_MODELS = Path(__file__).resolve().parent / "models"
"""``mirror/models/``: the copy an installed wheel carries (made at build time by ``setup.py``)."""
REPOSITORY_MODELS = Path(__file__).resolve().parents[1] / "models"
"""``models/`` of a source checkout (an editable install): the source of truth."""


def models_origin() -> tuple[Path, str]:
    """Where the model files are looked for, and why there.

    ``$MIRROR_MODELS_DIR`` when set; else the copy installed with the package
    (``mirror/models/``, from a wheel or ``pip install .``); else the repository's ``models/``
    (an editable install or a source checkout).
    """
    env = os.environ.get("MIRROR_MODELS_DIR")
    if env:
        return Path(env), "$MIRROR_MODELS_DIR"
    if any(PACKAGED_MODELS.glob("*.task")):
        return PACKAGED_MODELS, "installed with the package"
    return REPOSITORY_MODELS, "the repository's models/ folder"


def models_dir() -> Path:
    """The folder holding the model files (see :func:`models_origin`)."""
    return models_origin()[0]


@lru_cache(maxsize=16)
def _verified(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(file_name: str) -> Path:
    """Path of an intact model file.

    Raises
    ------
    MirrorError
        The file is missing, or its SHA-256 differs from the released build.
    """
    if file_name not in SHA256:
        raise MirrorError(f"unknown model {file_name!r}; known: {', '.join(sorted(SHA256))}")
    path = models_dir() / file_name
    if not path.is_file():
        raise MirrorError(f"model {path} is missing: {REBUILD_HINT}")
    stat = path.stat()
    actual = _verified(str(path), stat.st_size, stat.st_mtime_ns)
    if actual != SHA256[file_name]:
        raise MirrorError(
            f"model {path} is corrupt (SHA-256 {actual[:12]}... expected {SHA256[file_name][:12]}...): {REBUILD_HINT}"
        )
    return path


def pose_model_path(variant: str) -> Path:
    if variant not in POSE_MODELS:
        raise MirrorError(f"unknown pose model {variant!r}; choose one of: {', '.join(POSE_MODELS)}")
    return model_path(POSE_MODELS[variant])


def model_status() -> dict[str, str]:
    """``{file name: "ok" | "missing" | "corrupt"}`` for every known model."""
    status = {}
    for name in SHA256:
        path = models_dir() / name
        if not path.is_file():
            status[name] = "missing"
            continue
        stat = path.stat()
        status[name] = "ok" if _verified(str(path), stat.st_size, stat.st_mtime_ns) == SHA256[name] else "corrupt"
    return status


__all__ = [
    "FACE_MODEL", "PACKAGED_MODELS", "POSE_MODELS", "REBUILD_HINT", "REPOSITORY_MODELS", "SHA256",
    "model_path", "model_status", "models_dir", "models_origin", "pose_model_path",
]  # fmt: skip
