"""One recorded session end to end: landmarks, comparison, mechanical imitation, coaching, report files.

``mirror analyze`` and ``mirror batch`` both run :func:`analyze_video`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mirror.compare import CompareSettings, Synchrony, analyze_features
from mirror.errors import Interrupted
from mirror.features import Features, compute_features
from mirror.landmarks import ExtractSettings, Landmarks, extract_video


@dataclass
class Session:
    """Everything known about one analysed session.

    Attributes
    ----------
    landmarks : Landmarks or None
        ``(T, 2, ...)`` landmarks of both people; None when not kept
        (:func:`analyze_video` with ``keep_landmarks=False``: the analysis needs only the features).
    features : Features
        ``(T, 2, F)`` body-centric features.
    synchrony : Synchrony
        Windows, events and the session summary.
    mechanical : object
        :class:`mirror.mechanical.Mechanical`, per direction of copying.
    feedback : list
        Time-stamped coaching messages (:class:`mirror.coach.Message`).
    provenance : dict
        Source, checksums, landmark statistics and settings.
    """

    landmarks: Landmarks | None
    features: Features
    synchrony: Synchrony
    mechanical: object = None
    feedback: list = field(default_factory=list)
    provenance: dict = field(default_factory=dict)


def analyze_session(
    landmarks: Landmarks,
    settings: CompareSettings | None = None,
    n_surrogates: int = 200,
    seed: int = 0,
    provenance: dict | None = None,
) -> tuple[Session, dict]:
    """Compare, detect mechanical imitation and coach, from landmarks.

    Returns
    -------
    (Session, dict)
        The session and run information.
    """
    return _analyze(compute_features(landmarks), landmarks, settings, n_surrogates, seed, provenance)


def _analyze(
    features: Features,
    landmarks: Landmarks | None,
    settings: CompareSettings | None,
    n_surrogates: int,
    seed: int,
    provenance: dict | None,
) -> tuple[Session, dict]:
    from mirror.coach import coach_session
    from mirror.mechanical import detect_mechanical

    settings = settings or CompareSettings()
    synchrony, info = analyze_features(features, settings, n_surrogates=n_surrogates, seed=seed)
    mechanical, mech_info = detect_mechanical(features, synchrony.windows)
    feedback = coach_session(features, synchrony, mechanical)
    info = {**info, "mechanical": mech_info}
    session = Session(
        landmarks=landmarks,
        features=features,
        synchrony=synchrony,
        mechanical=mechanical,
        feedback=feedback,
        provenance=dict(provenance or {}),
    )
    return session, info


def analyze_video(
    source: str | Path,
    settings: CompareSettings | None = None,
    extract: ExtractSettings | None = None,
    n_surrogates: int = 200,
    cache_dir: Path | None = None,
    backend=None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int, int], None] | None = None,
    keep_landmarks: bool = True,
) -> tuple[Session, dict]:
    """Landmarks (cached and resumable), then :func:`analyze_session`.

    Parameters
    ----------
    backend : LandmarkBackend, optional
        A loaded landmark backend to reuse (a batch worker keeps one); default: a new MediaPipe one
        when landmarks are not cached.
    keep_landmarks : bool
        False: the landmarks are let go once the features are computed (``Session.landmarks``
        is None), so a long session's comparison runs without them in memory.

    Raises
    ------
    MirrorError
        Bad input.
    Interrupted
        The extraction was interrupted (the landmarks so far are cached).
    """
    extract = extract or ExtractSettings()
    landmarks, ext_info = extract_video(
        source, extract, backend=backend, cache_dir=cache_dir, progress=progress, on_total=on_total, face_mesh=False
    )  # slim: the analysis needs no face mesh, so memory does not grow with 12 KB a frame
    if ext_info.get("interrupted"):
        raise Interrupted(
            "interrupted during extraction: the frames analysed so far are cached; run the same command again to resume"
        )
    provenance = {
        "source": ext_info.get("source"),
        "source_path": str(Path(source).resolve()),
        "source_sha256": ext_info.get("source_sha256"),
        "landmarks": {k: ext_info.get(k) for k in ("frames", "both_present_rate", "identity_swaps", "backend")},
        "extract_settings": extract.to_dict(),
    }
    features = compute_features(landmarks)
    if not keep_landmarks:
        landmarks = None
    session, info = _analyze(features, landmarks, settings, n_surrogates, 0, provenance)
    return session, {**info, "extract": ext_info}


def write_session(session: Session, out_dir: str | Path) -> dict[str, Path]:
    """``report.json``, ``windows.csv`` and ``events.csv`` of a session (atomic writes)."""
    from mirror.report import write_report

    return write_report(
        session.synchrony,
        out_dir,
        session.provenance,
        mechanical=session.mechanical,
        feedback=session.feedback,
        usability=session.features.usability(),
    )
