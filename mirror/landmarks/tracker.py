"""Who is A and who is B, frame after frame: regions to look in and identity checks.

Each person's estimator runs on that person's region, which the tracker sets from the
layout (:mod:`mirror.landmarks.layout`) and, in ``auto``, from where the person was last
seen.  Identity checks (every layout): when both regions return the same body, it is kept
for the person it is closer to; a body that jumps onto the other person's last place is
rejected.  A missing person stays missing.

A body's size and place in pixels come from :mod:`mirror.landmarks.geometry`; the per-frame
step that runs the estimators where this module says is :class:`mirror.landmarks.estimate.PairStep`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.landmarks.geometry import (
    anchor_px,
    bbox_px,
    inside_body,
    iou,
    person_scale_px,
    prominence,
    region_px,
    same_body,
)
from mirror.landmarks.layout import Layout
from mirror.landmarks.types import PersonLandmarks
from mirror.serial import Plain
from mirror.vocabulary import SHOULDERS


@dataclass
class _Track:
    person: PersonLandmarks | None = None  # last seen
    center: np.ndarray | None = None  # last seen, px
    scale: float = 0.0
    missed: int = 0
    region: np.ndarray | None = None  # px box the estimator looks in
    since_rescue: int = 1_000_000  # frames since a same-frame search last gave this person back


@dataclass
class TrackerStats(Plain):
    """The identity checks' counts over a run."""

    duplicates_resolved: int = 0
    jumps_rejected: int = 0
    searches: int = 0
    reacquired: int = 0


class IdentityTracker:
    """Keeps A and B apart; tells the extractor where to look for each.

    Parameters
    ----------
    layout : Layout
    frame_size : tuple of int
        ``(width, height)`` in pixels.
    search_every : int
        In ``auto``, frames between whole-frame searches for a lost person.
    """

    def __init__(self, layout: Layout, frame_size: tuple[int, int], search_every: int = 5) -> None:
        self.layout = layout
        self.size = (int(frame_size[0]), int(frame_size[1]))
        self.search_every = search_every
        self.tracks = [_Track(), _Track()]
        self.started = layout.mode != "auto"
        self.stats = TrackerStats()
        self._frames_since_search = 0
        self.tiles: tuple[tuple[int, int, int, int], tuple[int, int, int, int]] | None = None
        self._reseeded: set[int] = set()
        self._seeds: dict[int, PersonLandmarks] = {}
        w, h = self.size
        self._fixed: list[np.ndarray] | None
        if layout.mode == "split":
            o = layout.split_overlap * w
            self._fixed = [np.array([0, 0, w / 2 + o, h]), np.array([w / 2 - o, 0, w, h])]
        elif layout.mode == "regions":
            self._fixed = [np.array(b) * (w, h, w, h) for b in layout.regions]  # type: ignore[union-attr]
        else:
            self._fixed = None
        if self._fixed is not None:
            for track, box in zip(self.tracks, self._fixed, strict=True):
                track.region = box.astype(float)

    # ----------------------------------------------------------- queries
    def needs_detection(self) -> bool:
        """Whether the extractor should run a whole-frame search on this frame."""
        if self.layout.mode != "auto" or self._fixed is not None:
            return False
        if not self.started:
            return True
        lost = any(t.missed >= 3 or t.region is None for t in self.tracks)
        return lost and self._frames_since_search >= self.search_every

    def regions(self) -> list[tuple[int, int, int, int] | None]:
        """Pixel boxes ``(x0, y0, x1, y1)`` to run A's and B's estimators on (None: skip)."""
        out: list[tuple[int, int, int, int] | None] = []
        w, h = self.size
        for track in self.tracks:
            if track.region is None:
                out.append(None)
                continue
            x0, y0, x1, y1 = track.region
            x0, x1 = int(max(0, np.floor(x0))), int(min(w, np.ceil(x1)))
            y0, y1 = int(max(0, np.floor(y0))), int(min(h, np.ceil(y1)))
            out.append((x0, y0, x1, y1) if x1 - x0 >= 16 and y1 - y0 >= 16 else None)
        return out

    def pop_seeds(self) -> dict[int, PersonLandmarks]:
        """Bodies the last whole-frame search gave each slot (on the current frame)."""
        out, self._seeds = self._seeds, {}
        return out

    def pop_reseeded(self) -> set[int]:
        """Slots given a new body since the last call: their estimators must start afresh."""
        out, self._reseeded = self._reseeded, set()
        return out

    def just_lost(self) -> list[int]:
        """Slots whose person the region missed on this frame and a search of this frame may find.

        ``auto``: a person seen the frame before.  A person given back by such a search within the
        last ``search_every`` frames waits for the scheduled searches instead: a region that keeps
        losing someone costs at most one extra whole-frame search every ``search_every`` frames.

        A fixed region: its own crop is searched (one detection), on every missed frame up to
        ``search_every`` in a row, then every ``search_every`` frames (an empty tile costs one
        extra detection every ``search_every`` frames).
        """
        if self._fixed is not None:
            return [
                s
                for s, t in enumerate(self.tracks)
                if t.missed >= 1 and (t.missed <= self.search_every or t.missed % self.search_every == 0)
            ]
        if self.layout.mode != "auto":
            return []
        return [
            s
            for s, t in enumerate(self.tracks)
            if t.missed == 1 and t.person is not None and t.since_rescue >= self.search_every
        ]

    @property
    def fixed_regions(self) -> bool:
        """Whether each person has a fixed region (``split``, ``regions``, or ``auto`` on a call's tiles)."""
        return self._fixed is not None

    def wants_tiles(self) -> bool:
        """Whether a whole frame should be looked at for a video call's tiles (``auto``, before any are found)."""
        return self.layout.mode == "auto" and self.tiles is None

    # ------------------------------------------------------------ updates
    def use_tiles(self, tiles: tuple[tuple[int, int, int, int], tuple[int, int, int, int]]) -> None:
        """``auto`` on a video call: each tile becomes a person's fixed region.

        A takes the tile its person is in when someone is already tracked, else the left one.
        Both people's estimators start afresh on their tiles.
        """
        boxes = [np.array(t, dtype=float) for t in sorted(tiles, key=lambda b: b[0])]
        for slot, track in enumerate(self.tracks):
            if track.center is not None and track.missed < 3:
                x = track.center[0]
                inside = [b[0] <= x <= b[2] for b in boxes]
                if inside[1 - slot] and not inside[slot]:
                    boxes.reverse()
                break
        self.tiles = (tuple(int(v) for v in boxes[0]), tuple(int(v) for v in boxes[1]))  # type: ignore[assignment]
        self._fixed = boxes
        for track, box in zip(self.tracks, boxes, strict=True):
            track.region = box
            track.missed = 0
        self.started = True
        self._reseeded |= {0, 1}

    def start(self, detections: list[PersonLandmarks]) -> None:
        """``auto``: take the two most prominent people found on a whole frame; A = left."""
        self._frames_since_search = 0
        self.stats.searches += 1
        if self.started:
            self.assign(detections)
            return
        people = self._distinct(detections)
        if not people:
            return
        standing_out = [prominence(p, self.size) for p in people]
        chosen = [people[i] for i in np.argsort(standing_out)[::-1][:2]]
        chosen.sort(key=lambda p: p.center()[0])
        if len(chosen) == 1:
            slot = 0 if chosen[0].center()[0] < 0.5 else 1
            self._seed(slot, chosen[0])
        else:
            for slot, person in enumerate(chosen):
                self._seed(slot, person)
        self.started = True
        self._refresh_regions()

    def assign(self, detections: list[PersonLandmarks]) -> None:
        """``auto``: give lost people back their region from a whole-frame search."""
        self._frames_since_search = 0
        for slot, track in enumerate(self.tracks):
            if track.region is not None and track.missed < 3:
                continue
            other = self.tracks[1 - slot]
            candidates = []
            for det in detections:
                c = anchor_px(det, self.size)
                if self._is_other(det, c, slot, seen_within=3):
                    continue  # that is the other person
                if track.center is not None:
                    cost = float(np.linalg.norm(c - track.center))
                else:  # never seen: the most prominent body on the expected side of the other
                    cost = -prominence(det, self.size)
                    if other.center is not None and (c[0] < other.center[0]) != (slot == 0):
                        cost = 1e6
                candidates.append((cost, det))
            if candidates:
                candidates.sort(key=lambda cd: cd[0])
                if candidates[0][0] < 1e6:
                    self._seed(slot, candidates[0][1])
                    self._reseeded.add(slot)
                    self.stats.reacquired += 1
        self._refresh_regions()

    def rescue(self, slots: list[int], detections: list[PersonLandmarks]) -> dict[int, PersonLandmarks]:
        """A person the region missed on this frame, taken from a search of the same frame.

        ``auto``: ``detections`` come from the whole frame; one is theirs when it lies within
        one body scale of where they were last seen and is not the other person; their
        estimator starts afresh on the next frame, on a region around it.  A fixed region:
        ``detections`` come from that region alone; the one nearest their last place that is
        not the other person is theirs, and the region stays.

        Returns
        -------
        dict
            The bodies found, per slot (their tracks updated as seen on this frame).
        """
        self.stats.searches += 1
        self._frames_since_search = 0
        out: dict[int, PersonLandmarks] = {}
        for slot in slots:
            track = self.tracks[slot]
            person: PersonLandmarks | None = None
            if self._fixed is not None:  # the region's own detections: theirs, wherever their last place
                person = self._nearest(slot, detections, within_px=np.inf)
                if person is not None:
                    self._saw(slot, person)
            elif track.center is not None:
                person = self._nearest(slot, detections, within_px=max(track.scale, 1.0))
                if person is not None:
                    self._seed(slot, person)
                    self._seeds.pop(slot, None)  # returned here, not through pop_seeds
                    self._reseeded.add(slot)
                    track.since_rescue = 0
            if person is not None:
                self.stats.reacquired += 1
                out[slot] = person
        self._refresh_regions()
        return out

    def restore(self, people: tuple[PersonLandmarks | None, PersonLandmarks | None]) -> None:
        """Continue after the given last frame (resuming an interrupted extraction)."""
        for slot, person in enumerate(people):
            if person is not None:
                self._seed(slot, person)
        if any(p is not None for p in people):
            self.started = True
        self._refresh_regions()

    def update(self, found: list[PersonLandmarks | None]) -> list[PersonLandmarks | None]:
        """Check this frame's results for identity errors and move the regions.

        Parameters
        ----------
        found : list
            ``[A or None, B or None]`` as the estimators returned them, in
            frame-normalised coordinates.

        Returns
        -------
        list
            ``[A or None, B or None]`` after the identity checks.
        """
        self._frames_since_search += 1
        for track in self.tracks:
            track.since_rescue += 1
        found = list(found)
        centers = [None if p is None else anchor_px(p, self.size) for p in found]
        # 1. both estimators on one body: keep it for the person it is closer to
        if found[0] is not None and found[1] is not None:
            if same_body(found[0], found[1], self.size):
                keep = self._closer_slot(anchor_px(found[0], self.size))
                found[1 - keep] = None
                centers[1 - keep] = None
                self.stats.duplicates_resolved += 1
        # 2. a body that jumped onto the other person's place is the other person
        for slot in (0, 1):
            c = centers[slot]
            mine, theirs = self.tracks[slot], self.tracks[1 - slot]
            if c is None or mine.center is None or theirs.center is None:
                continue
            d_mine = float(np.linalg.norm(c - mine.center))
            d_theirs = float(np.linalg.norm(c - theirs.center))
            if d_theirs < 0.5 * d_mine and d_mine > 1.0 * max(mine.scale, 1.0):
                found[slot] = None
                centers[slot] = None
                self.stats.jumps_rejected += 1
        for slot, person in enumerate(found):
            if person is None:
                self.tracks[slot].missed += 1
            else:
                self._saw(slot, person, centers[slot])
        self._refresh_regions()
        return found

    # ----------------------------------------------------------- internals
    def _closer_slot(self, center: np.ndarray) -> int:
        d = [np.inf if t.center is None else float(np.linalg.norm(center - t.center)) for t in self.tracks]
        return int(np.argmin(d))

    def _is_other(self, det: PersonLandmarks, center: np.ndarray, slot: int, seen_within: int) -> bool:
        """Whether ``det`` (anchored at ``center``, px) is the body of the person in the other slot.

        Only while that person was seen within the last ``seen_within`` frames.
        """
        other = self.tracks[1 - slot]
        return (
            other.person is not None
            and other.missed < seen_within
            and (same_body(det, other.person, self.size) or inside_body(center, other.person, self.size))
        )

    def _nearest(self, slot: int, detections: list[PersonLandmarks], within_px: float) -> PersonLandmarks | None:
        """Of ``detections``, the one nearest ``slot``'s last place (within ``within_px``) that is not the other person.

        The other person counts only if seen on this very frame; with no last place, the first that is not them.
        """
        last = self.tracks[slot].center
        best: tuple[float, PersonLandmarks] | None = None
        for det in detections:
            c = anchor_px(det, self.size)
            if self._is_other(det, c, slot, seen_within=1):
                continue  # that is the other person (seen on this very frame)
            d = 0.0 if last is None else float(np.linalg.norm(c - last))
            if d <= within_px and (best is None or d < best[0]):
                best = (d, det)
        return None if best is None else best[1]

    def _saw(self, slot: int, person: PersonLandmarks, center: np.ndarray | None = None) -> None:
        """``slot``'s person seen on this frame (``center``: their anchor in px, when already measured)."""
        track = self.tracks[slot]
        track.person = person
        track.center = anchor_px(person, self.size) if center is None else center
        track.scale = person_scale_px(person, self.size)
        track.missed = 0

    def _seed(self, slot: int, person: PersonLandmarks) -> None:
        self._seeds[slot] = person
        self._saw(slot, person)
        self.tracks[slot].region = None  # recomputed by _refresh_regions

    def _distinct(self, detections: list[PersonLandmarks]) -> list[PersonLandmarks]:
        out: list[PersonLandmarks] = []
        for det in detections:
            c, s = anchor_px(det, self.size), person_scale_px(det, self.size)
            if all(np.linalg.norm(c - anchor_px(o, self.size)) > 0.5 * s for o in out):
                out.append(det)
        return out

    def _desired(self, slot: int) -> np.ndarray | None:
        track, other = self.tracks[slot], self.tracks[1 - slot]
        if track.person is None:
            return None
        near = other.center is not None and track.center is not None and other.missed < 3
        return region_px(
            track.person, self.size, track.missed, other.center if near else None, other.scale, track.center
        )

    def _refresh_regions(self) -> None:
        if self._fixed is not None:
            return
        for slot, track in enumerate(self.tracks):
            desired = self._desired(slot)
            if desired is None:
                continue
            current = track.region
            if current is None or track.missed > 0 or iou(current, desired) < 0.75 or not self._contains(current, slot):
                track.region = desired

    def _contains(self, region: np.ndarray, slot: int) -> bool:
        track = self.tracks[slot]
        if track.person is None:
            return True
        w, h = self.size
        box = np.clip(bbox_px(track.person, self.size), 0, [w, h, w, h])
        m = 0.25 * track.scale
        region = region + np.array([-m, -m, m, m]) * (region == [0, 0, w, h])  # frame edges contain all
        return bool(
            region[0] <= box[0] - m and region[1] <= box[1] - m and region[2] >= box[2] + m and region[3] >= box[3] + m
        )


def count_identity_swaps(landmarks) -> int:
    """Frames where A and B would fit the previous positions better exchanged.

    For each frame with both people present, the last seen mid-shoulder point
    of each (however long ago) is compared: a swap is counted when crossing
    the labels is cheaper than keeping them.

    Parameters
    ----------
    landmarks : Landmarks

    Returns
    -------
    int
    """
    centers = landmarks.pose_image[:, :, list(SHOULDERS), :2].mean(axis=2)  # (T, 2, 2)
    present = landmarks.pose_present
    last = [None, None]
    swaps = 0
    for t in range(len(centers)):
        if present[t].all() and last[0] is not None and last[1] is not None:
            direct = np.linalg.norm(centers[t, 0] - last[0]) + np.linalg.norm(centers[t, 1] - last[1])
            crossed = np.linalg.norm(centers[t, 0] - last[1]) + np.linalg.norm(centers[t, 1] - last[0])
            if crossed < direct:
                swaps += 1
        for p in (0, 1):
            if present[t, p]:
                last[p] = centers[t, p]
    return swaps
