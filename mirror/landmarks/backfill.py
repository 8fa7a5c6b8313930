"""Backward pass: recover people the forward pass missed before it first found them.

A person may be undetectable for a while (a raised arm hides the face, the body
is cut by the frame edge) yet perfectly trackable once found: MediaPipe's
tracking mode follows a body the detector cannot find from scratch.  For a
recorded file the stream can be read again, so each gap that ends with the
person found is walked backwards from that frame with a fresh estimator,
until tracking is lost.  Every recovered frame is a real model measurement on
that frame; nothing is interpolated.  A recovered body must not be the other
person's body and must move continuously, otherwise the walk stops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from mirror.landmarks.backend import LandmarkBackend
from mirror.landmarks.estimate import estimate_person
from mirror.landmarks.geometry import anchor_px, person_scale_px, region_for, same_body
from mirror.landmarks.layout import Layout
from mirror.landmarks.tracker import IdentityTracker
from mirror.landmarks.types import Landmarks, PersonLandmarks
from mirror.sources import FrameSource


def find_gaps(present: np.ndarray, max_frames: int) -> list[tuple[int, int]]:
    """Runs of missing frames that end with the person found.

    Parameters
    ----------
    present : np.ndarray
        ``(T,)`` bool.
    max_frames : int
        Longest stretch walked back from one found frame.

    Returns
    -------
    list of (start, stop)
        Frame positions ``start <= t < stop`` to recover, walked from ``stop`` (present) down.
    """
    gaps = []
    t = len(present) - 1
    while t > 0:
        if present[t] and not present[t - 1]:
            start = t - 1
            while start > 0 and not present[start - 1] and t - start < max_frames:
                start -= 1
            gaps.append((start, t))
            t = start
        t -= 1
    return sorted(gaps)


def backfill_landmarks(
    landmarks: Landmarks,
    reopen: Callable[[], FrameSource],
    backend: LandmarkBackend,
    *,
    layout: Layout | None = None,
    with_face: bool = True,
    face_patches: dict | None = None,
    max_gap_s: float = 10.0,
    regions: list | None = None,
) -> Landmarks:
    """Fill gaps before each re-appearance by tracking backwards in time.

    Parameters
    ----------
    landmarks : Landmarks
        Forward-pass result; it is completed in place (no second copy of a long session) and returned.
    reopen : callable
        Opens the same source again, on the same frames.
    backend : LandmarkBackend
    layout : Layout
        With fixed regions (``split``, ``regions``) each person is tracked back in
        their own region; with ``auto``, around the body where it was found.
    face_patches : dict, optional
        Filled with ``{(frame position, person): (478, 3) face mesh}`` of every recovered
        frame, so slim landmarks (one face point kept) lose no mesh.
    max_gap_s : float
        At most this much time is walked back from one found frame.
    regions : list, optional
        A's and B's fixed pixel boxes ``(x0, y0, x1, y1)`` found by ``auto`` (a video
        call's tiles: ``call_tiles`` of the extraction's information); they take the
        place of the boxes around each body.

    Returns
    -------
    Landmarks
        The completed landmarks; their run information (:attr:`Landmarks.info`) counts the
        frames recovered per person in ``backfilled_frames`` (``{"A": ..., "B": ...}``).
    """
    out = landmarks.slice(0, len(landmarks))
    size = landmarks.frame_size
    layout = layout or Layout()
    fixed = IdentityTracker(layout, size).regions() if layout.mode != "auto" else None
    if regions is not None:
        fixed = [(int(box[0]), int(box[1]), int(box[2]), int(box[3])) for box in regions]
    present = landmarks.pose_present
    dt = float(np.median(np.diff(landmarks.t_s))) if len(landmarks) > 1 else 1.0
    max_frames = max(1, int(round(max_gap_s / max(dt, 1e-6))))
    gaps = {slot: find_gaps(present[:, slot], max_frames) for slot in (0, 1)}
    recovered = {"A": 0, "B": 0}
    wanted = {t for slot in (0, 1) for start, stop in gaps[slot] for t in range(start, stop + 1)}
    if not wanted:
        out.info = replace(out.info, backfilled_frames=recovered)
        return out
    # Gaps are walked as soon as the frames they need have been read, and those frames are
    # then dropped: memory holds the frames of the gaps open at one time, not of them all.
    # A gap of B waits for every gap of A it overlaps, so A is always completed first there.
    jobs = []
    for slot in (0, 1):
        for start, stop in gaps[slot]:
            ready = stop
            if slot == 1:
                ready = max([stop] + [s1 for s0, s1 in gaps[0] if s0 <= stop and s1 >= start])
            jobs.append((ready, slot, start, stop))
    jobs.sort()
    frames: dict[int, np.ndarray] = {}
    position = {int(idx): t for t, idx in enumerate(landmarks.frame_index)}
    with reopen() as source:
        for frame in source:
            t = position.get(frame.index)
            if t is None:
                continue
            if t in wanted:
                frames[t] = frame.image
            while jobs and jobs[0][0] <= t:
                _, slot, start, stop = jobs.pop(0)
                recovered["AB"[slot]] += _walk_back(
                    out, frames, backend, slot, start, stop, fixed, size, with_face, face_patches
                )
                keep_from = min((j[2] for j in jobs), default=t + 1)
                for old in [k for k in frames if k < keep_from]:
                    del frames[old]
            if not jobs:
                break
    out.info = replace(out.info, backfilled_frames=recovered)
    return out


def _store(out: Landmarks, t: int, slot: int, person: PersonLandmarks, face_patches: dict | None = None) -> None:
    out.pose_image[t, slot] = person.pose_image
    out.pose_world[t, slot] = person.pose_world
    out.pose_visibility[t, slot] = person.pose_visibility
    if person.face is not None:
        out.face[t, slot] = person.face[: out.face.shape[2]]  # slim landmarks keep one point
        if face_patches is not None:
            face_patches[(t, slot)] = person.face
        out.head_pose_deg[t, slot] = person.head_pose_deg
        out.blendshapes[t, slot] = person.blendshapes


def _walk_back(out, frames, backend, slot, start, stop, fixed, size, with_face, face_patches) -> int:
    """Track one person back from frame ``stop`` (found) to ``start``; returns the frames recovered."""
    anchor = out.person(stop, slot)
    if anchor is None or stop not in frames:
        return 0
    other = out.person(stop, 1 - slot)
    box = fixed[slot] if fixed is not None else region_for(anchor, other, size)
    if box is None:
        return 0
    recovered = 0
    estimator = backend.person_estimator()
    try:
        clock_ms = 0
        if estimate_person(estimator, frames[stop], box, clock_ms, with_face=False) is None:
            return 0  # the found body cannot be picked up again here: nothing to follow
        previous = anchor
        for t in range(stop - 1, start - 1, -1):
            clock_ms += 40
            if t not in frames:
                break
            person = estimate_person(estimator, frames[t], box, clock_ms, with_face)
            if person is None:
                break
            partner = out.person(t, 1 - slot)
            if partner is not None and same_body(person, partner, size):
                break
            step = float(np.linalg.norm(anchor_px(person, size) - anchor_px(previous, size)))
            if step > 1.0 * person_scale_px(previous, size):
                break
            _store(out, t, slot, person, face_patches)
            recovered += 1
            previous = person
    finally:
        estimator.close()
    return recovered
