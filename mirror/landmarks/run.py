"""What a landmark extraction did, typed: provenance and statistics, carried as :attr:`Landmarks.info`.

The record is stored with the landmarks (a ``.npz`` file's metadata, the landmark cache's
manifest) as :meth:`ExtractRun.to_dict` writes it: a key is there only when it was set, as in the
files written before the record was typed, so those files read back unchanged.  The nested
provenance records (``source``, ``settings``, ``backend``, ``live``) are the JSON forms of their own
typed objects (:class:`~mirror.sources.SourceInfo`, :class:`~mirror.landmarks.ExtractSettings`,
the backend's ``provenance()``, the live settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mirror.serial import from_plain, omit_none, to_plain


@dataclass(frozen=True)
class ExtractRun:
    """Provenance and statistics of the extraction that made a set of landmarks.

    Attributes
    ----------
    mirror : str
        The mirror version that extracted them.
    source, settings, source_sha256, backend
        What was analysed and how: the source's ``SourceInfo.to_dict()``, the extraction settings'
        ``to_dict()`` (the cache key's), the file's SHA-256 and the model provenance.
    frames, frames_this_run, resumed_from_frames, seconds_this_run, interrupted
        Frames in all, analysed by this run, restored from the cache before it; its duration and
        whether it was cut short.
    both_present_rate, present_rate, face_present_rate, identity_swaps
        Presence rates (both people; each person's pose and face by ``"A"``/``"B"``) and identity swaps.
    identity_checks : dict
        The tracker's counts (``TrackerStats.to_dict()``).
    call_tiles : list or None
        The two tiles of a video call's gallery view (pixel boxes), when found.
    backfilled_frames : dict
        Frames the backward pass recovered, per person.
    from_cache : bool
        The landmarks came whole from the cache.
    live, partner_source, people, frame_sizes
        A live session's settings, second camera, which source feeds A and B, and frame sizes.
    """

    source: dict[str, Any] | None = omit_none()
    settings: dict[str, Any] | None = omit_none()
    source_sha256: str | None = omit_none()
    mirror: str | None = omit_none()
    live: dict[str, Any] | None = omit_none()
    partner_source: dict[str, Any] | None = omit_none()
    people: dict[str, str] | None = omit_none()
    frame_sizes: dict[str, list[int]] | None = omit_none()
    backend: dict[str, Any] | None = omit_none()
    frames_this_run: int | None = omit_none()
    resumed_from_frames: int | None = omit_none()
    identity_checks: dict[str, int] | None = omit_none()
    call_tiles: list[list[int]] | None = omit_none()
    seconds_this_run: float | None = omit_none()
    interrupted: bool | None = omit_none()
    frames: int | None = omit_none()
    both_present_rate: float | None = omit_none()
    present_rate: dict[str, float] | None = omit_none()
    face_present_rate: dict[str, float] | None = omit_none()
    identity_swaps: int | None = omit_none()
    backfilled_frames: dict[str, int] | None = omit_none()
    from_cache: bool | None = omit_none()

    def to_dict(self) -> dict:
        """The set fields, by name (JSON-ready)."""
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> ExtractRun:
        """From :meth:`to_dict`'s dict (or an older file's info; keys this class does not know are dropped)."""
        return from_plain(cls, data or {})


__all__ = ["ExtractRun"]
