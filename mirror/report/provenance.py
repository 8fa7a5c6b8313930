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

from mirror import __version__

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


def provenance_dict(doc: dict, video_path: str | Path | None = None, run: dict | None = None) -> dict:
    """The sidecar document for a report.

    Parameters
    ----------
    doc : dict
        The ``report.json`` document.
    video_path : path, optional
        The video the report is for; its SHA-256 is checked against the report's.
    run : dict, optional
        Extra facts about the run (e.g. batch options), stored as is.
    """
    from mirror.sources.frames import file_sha256

    prov = doc.get("provenance") or {}
    backend = ((prov.get("landmarks") or {}).get("backend")) or {}
    source = {
        "path": prov.get("source_path") or ((prov.get("source") or {}).get("name")),
        "sha256": prov.get("source_sha256"),
        "info": prov.get("source"),
    }
    if video_path is not None and Path(video_path).is_file():
        actual = file_sha256(Path(video_path))
        source["path"] = str(Path(video_path).resolve())
        source["sha256_now"] = actual
        source["matches_report"] = (actual == prov.get("source_sha256")) if prov.get("source_sha256") else None
    return {
        "format": "mirror.provenance",
        "format_version": 1,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "report": {
            "format": doc.get("format"),
            "format_version": doc.get("format_version"),
            "mirror": doc.get("mirror"),
        },
        "source": source,
        "models": dict(backend.get("models") or {}),
        "landmark_backend": {k: v for k, v in backend.items() if k != "models"},
        "parameters": {
            "extract": prov.get("extract_settings"),
            "compare": doc.get("settings"),
            "mechanical": (doc.get("mechanical") or {}).get("settings"),
            "surrogates": ((doc.get("summary") or {}).get("synchrony") or {}).get("n_surrogates"),
        },
        "packages": package_versions(),
        "run": run or {},
    }
