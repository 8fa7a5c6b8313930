"""One recorded session end to end: landmarks, comparison, mechanical imitation, coaching, report files.

``mirror analyze`` and ``mirror batch`` both run :func:`analyze_video`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mirror.compare import CompareSettings, Synchrony, analyze_features
from mirror.errors import Interrupted
from mirror.features import Features, compute_features
from mirror.landmarks import ExtractRun, ExtractSettings, Landmarks, extract_video

if TYPE_CHECKING:
    from mirror.coach import Message
    from mirror.landmarks.backend import LandmarkBackend
    from mirror.mechanical import Mechanical
    from mirror.report.model import Report


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
        Windows, events, the session summary and the comparator's run information.
    mechanical : Mechanical or None
        Mechanical imitation per direction of copying, with its run information.
    feedback : list of Message
        Time-stamped coaching messages.
    provenance : dict
        Source, checksums, landmark statistics and settings.
    extract : ExtractRun or None
        The landmark extraction's run information (:func:`analyze_video`; None from landmarks).
    """

    landmarks: Landmarks | None
    features: Features
    synchrony: Synchrony
    mechanical: Mechanical | None = None
    feedback: list[Message] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    extract: ExtractRun | None = None


def analyze_session(
    landmarks: Landmarks,
    settings: CompareSettings | None = None,
    n_surrogates: int = 200,
    seed: int = 0,
    provenance: dict | None = None,
) -> Session:
    """Compare, detect mechanical imitation and coach, from landmarks.

    Returns
    -------
    Session
        The session; each stage's run information is on its result (``synchrony.run``,
        ``mechanical.run``).
    """
    return _analyze(compute_features(landmarks), landmarks, settings, n_surrogates, seed, provenance)


def _analyze(
    features: Features,
    landmarks: Landmarks | None,
    settings: CompareSettings | None,
    n_surrogates: int,
    seed: int,
    provenance: dict | None,
) -> Session:
    from mirror.coach import coach_session
    from mirror.mechanical import detect_mechanical

    settings = settings or CompareSettings()
    synchrony = analyze_features(features, settings, n_surrogates=n_surrogates, seed=seed)
    mechanical = detect_mechanical(features, synchrony.windows)
    feedback = coach_session(features, synchrony, mechanical)
    return Session(
        landmarks=landmarks,
        features=features,
        synchrony=synchrony,
        mechanical=mechanical,
        feedback=feedback,
        provenance=dict(provenance or {}),
    )


def analyze_video(
    source: str | Path,
    settings: CompareSettings | None = None,
    extract: ExtractSettings | None = None,
    n_surrogates: int = 200,
    cache_dir: Path | None = None,
    backend: LandmarkBackend | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int, int], None] | None = None,
    keep_landmarks: bool = True,
) -> Session:
    """Landmarks (cached and resumable), then :func:`analyze_session`.

    ``Session.extract`` holds the extraction's run information.

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
    landmarks = extract_video(
        source, extract, backend=backend, cache_dir=cache_dir, progress=progress, on_total=on_total, face_mesh=False
    )  # slim: the analysis needs no face mesh, so memory does not grow with 12 KB a frame
    ext_info = landmarks.info
    if ext_info.interrupted:
        raise Interrupted(
            "interrupted during extraction: the frames analysed so far are cached; run the same command again to resume"
        )
    provenance = {
        "source": ext_info.source,
        "source_path": str(Path(source).resolve()),
        "source_sha256": ext_info.source_sha256,
        "landmarks": {
            "frames": ext_info.frames,
            "both_present_rate": ext_info.both_present_rate,
            "identity_swaps": ext_info.identity_swaps,
            "backend": ext_info.backend,
        },
        "extract_settings": extract.to_dict(),
    }
    features = compute_features(landmarks)
    kept = landmarks if keep_landmarks else None
    session = _analyze(features, kept, settings, n_surrogates, 0, provenance)
    session.extract = ext_info
    return session


def session_report(session: Session) -> Report:
    """The session's ``report.json`` document, built in memory (typed, validated)."""
    from mirror.report import build_report

    return build_report(
        session.synchrony,
        session.provenance,
        mechanical=session.mechanical,
        feedback=session.feedback,
        usability=session.features.usability(),
    )


def write_session(session: Session, out_dir: str | Path, report: Report | None = None) -> dict[str, Path]:
    """``report.json``, ``windows.csv`` and ``events.csv`` of a session (atomic writes).

    ``report`` is :func:`session_report` of the session when the caller has already built it.
    """
    from mirror.report import write_report_files

    return write_report_files(report if report is not None else session_report(session), out_dir)
