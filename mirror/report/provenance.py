"""``provenance.json``: what produced a report, to reproduce or audit it.

Parameters (extraction, comparison, mechanical imitation), the versions of mirror,
Python and the packages that shape the numbers, the SHA-256 of every model file
used, and the source video's path and SHA-256.
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mirror import __version__
from mirror.report.model import Report, SourceInfo

PACKAGES = (
    "mediapipe", "numpy", "scipy", "opencv-contrib-python", "opencv-python", "opencv-python-headless",
    "matplotlib", "pympi-ling", "typer", "tqdm",
)  # fmt: skip


def package_versions() -> dict[str, str]:
    """Installed versions of the packages mirror's results depend on (absent ones left out)."""
    out = {"mirror": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    try:
        import cv2

        out["cv2"] = cv2.__version__
    except ImportError:  # pragma: no cover - opencv is a dependency
        pass
    return out


def _plain(model: BaseModel | None) -> dict | None:
    """A part of the report as the JSON data it was written as (None when absent)."""
    return model.model_dump(mode="json", exclude_unset=True) if model is not None else None


def provenance_dict(doc: Report, video_path: str | Path | None = None, run: dict | None = None) -> dict:
    """The sidecar document for a report.

    Parameters
    ----------
    doc : Report
        The ``report.json`` document.
    video_path : path, optional
        The video the report is for; its SHA-256 is checked against the report's.
    run : dict, optional
        Extra facts about the run (e.g. batch options), stored as is.
    """
    from mirror.sources.frames import file_sha256

    prov = doc.provenance
    backend = prov.landmarks.backend if prov.landmarks is not None else None
    backend_info = _plain(backend) or {}
    info = _plain(prov.source) if isinstance(prov.source, SourceInfo) else prov.source
    source: dict[str, Any] = {
        "path": prov.source_path or (prov.source.name if isinstance(prov.source, SourceInfo) else None),
        "sha256": prov.source_sha256,
        "info": info,
    }
    if video_path is not None and Path(video_path).is_file():
        actual = file_sha256(Path(video_path))
        source["path"] = str(Path(video_path).resolve())
        source["sha256_now"] = actual
        source["matches_report"] = (actual == prov.source_sha256) if prov.source_sha256 else None
    sync = doc.summary.synchrony
    return {
        "format": "mirror.provenance",
        "format_version": 1,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "report": {"format": doc.format, "format_version": doc.format_version, "mirror": doc.mirror},
        "source": source,
        "models": dict(backend_info.get("models") or {}),
        "landmark_backend": {k: v for k, v in backend_info.items() if k != "models"},
        "parameters": {
            "extract": _plain(prov.extract_settings),
            "compare": _plain(doc.settings),
            "mechanical": _plain(doc.mechanical.settings) if doc.mechanical is not None else None,
            "surrogates": sync.n_surrogates if "n_surrogates" in sync.model_fields_set else None,
        },
        "packages": package_versions(),
        "run": run or {},
    }
