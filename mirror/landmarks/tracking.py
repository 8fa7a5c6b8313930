"""Who is A and who is B, frame after frame: regions to look in and identity checks.

One pose landmarker runs per person, on that person's region of the frame:
on a whole frame, MediaPipe in VIDEO mode often merges two people into one.

Layouts
-------
``auto``
    A video call's gallery view (two tiles side by side, split by a flat
    separator running the frame's full height: see :func:`find_tiles`) is
    recognised on the first frames, and each tile is then that person's
    fixed region (A = left tile).  Otherwise people are found on the whole
    first frame and on each half of it (A = the one on the left); each region
    then follows its person, bounded by the midline between the two heads,
    and a lost person is searched for again.  Where only head and shoulders
    are in view (shoulders cut by the frame's edge), a person's size is
    taken from the head, so a big head near the camera does not stretch the
    region over the other person.
``split``
    Fixed left and right halves (with a small overlap): A left, B right.
``regions``
    Two fixed boxes given by the user, A first.

Identity checks (every layout): when both regions return the same body, it
is kept for the person it is closer to; a body that jumps onto the other
person's last place is rejected.  A missing person stays missing.

A body's size and place in pixels come from :mod:`mirror.landmarks.geometry`;
the per-frame step that runs the estimators where this module says is
:class:`mirror.landmarks.estimate.PairStep`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import cv2
import numpy as np

from mirror.errors import MirrorError
from mirror.landmarks.geometry import anchor_px, bbox_px, person_scale_px, prominence, same_body
from mirror.landmarks.types import PersonLandmarks
from mirror.vocabulary import LAYOUTS, SHOULDERS

MAX_REGION_OVERLAP = 0.5
"""Two regions may share at most this share of the smaller box: one body cannot be both people."""


@dataclass(frozen=True)
class Layout:
    """Where the two people are expected.

    Attributes
    ----------
    mode : {"auto", "split", "regions"}
    regions : tuple of two ``(x0, y0, x1, y1)`` boxes, normalised to [0, 1]
        Only for ``mode="regions"``: A's box, then B's.
    split_overlap : float
        For ``split``: how far (fraction of the width) each half reaches past the middle.
    """

    mode: str = "auto"
    regions: tuple[tuple[float, float, float, float], ...] | None = None
    split_overlap: float = 0.04

    def __post_init__(self) -> None:
        if self.mode not in LAYOUTS:
            raise MirrorError(f"unknown layout {self.mode!r}; choose one of: {', '.join(LAYOUTS)}")
        if self.mode == "regions":
            if not self.regions or len(self.regions) != 2:
                raise MirrorError("layout 'regions' needs two boxes: --regions 'x0,y0,x1,y1;x0,y0,x1,y1' (A first)")
            for box in self.regions:
                x0, y0, x1, y1 = box
                if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
                    raise MirrorError(f"region {box} must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")
            (a0, b0, a1, b1), (c0, d0, c1, d1) = self.regions
            inter = max(0.0, min(a1, c1) - max(a0, c0)) * max(0.0, min(b1, d1) - max(b0, d0))
            smaller = min((a1 - a0) * (b1 - b0), (c1 - c0) * (d1 - d0))
            if inter > MAX_REGION_OVERLAP * smaller:
                raise MirrorError(
                    f"the two regions share {100 * inter / smaller:.0f} % of the smaller one: give each person "
                    f"their own box (at most {100 * MAX_REGION_OVERLAP:.0f} % shared)"
                )

    @classmethod
    def parse(cls, mode: str, regions: str | None = None) -> Layout:
        """From CLI text: ``regions`` is ``'x0,y0,x1,y1;x0,y0,x1,y1'`` in [0, 1]."""
        if regions:
            try:
                boxes = tuple(tuple(float(v) for v in part.split(",")) for part in regions.split(";"))
            except ValueError:
                raise MirrorError(f"cannot read regions {regions!r}: use 'x0,y0,x1,y1;x0,y0,x1,y1' in [0, 1]") from None
            if any(len(b) != 4 for b in boxes):
                raise MirrorError(f"cannot read regions {regions!r}: each box has four numbers x0,y0,x1,y1")
            return cls(mode="regions" if mode == "auto" else mode, regions=boxes)  # type: ignore[arg-type]
        return cls(mode=mode)

    def to_dict(self) -> dict:
        """Every field, by name (boxes as lists): part of the landmark cache key.

        ``mode`` and ``regions`` are always there; a later field only when it differs from
        its default, so the keys of landmarks cached before it was keyed stay valid.
        """
        out: dict = {"mode": self.mode, "regions": [list(b) for b in self.regions] if self.regions else None}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in out and value != f.default:
                out[f.name] = value
        return out


TILE_FLAT_SD = 6.0
"""Grey-level spread (after a small vertical blur) under which a column is flat: a call window's separator."""

TILE_EDGE_STEP = 5.0
"""Grey-level step between a tile's picture and the separator along most of the tile's height."""

TILE_MIN_SHARE = 0.25
"""Each tile is at least this share of the frame's width, and of its height."""


def find_tiles(bgr: np.ndarray) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]] | None:
    """The two tiles of a video call's gallery view, side by side, or None.

    A call recording shows each person's camera in a tile; the tiles are split by a
    flat band (the window's background, usually dark) that runs the frame's full
    height.  Such a band near the middle, with picture content on both sides, gives
    the tiles: each is the content's extent on its side of the band (the window's
    flat margins around it left out).  A shared room has no such band: the people,
    the desk or the floor cross the middle somewhere.

    Parameters
    ----------
    bgr : np.ndarray
        ``(H, W, 3)`` uint8 frame.

    Returns
    -------
    tuple or None
        Pixel boxes ``(x0, y0, x1, y1)`` of the left tile and the right tile.
    """
    h, w = bgr.shape[:2]
    if w < 64 or h < 32:
        return None
    step = max(1, h // 270)  # every few rows is plenty to see a band run the full height
    gray = cv2.cvtColor(bgr[::step], cv2.COLOR_BGR2GRAY).astype(np.float32)
    gray = cv2.blur(gray, (1, 5))  # noise and compression blocks down, no bleeding across columns
    flat_col = gray.std(axis=0) < TILE_FLAT_SD
    lo, hi = int(0.3 * w), int(0.7 * w)
    min_band = max(2, int(round(0.003 * w)))
    best = None
    x = lo
    while x < hi:  # flat runs of columns that overlap the middle band
        if not flat_col[x]:
            x += 1
            continue
        x0 = x
        while x0 > 0 and flat_col[x0 - 1]:
            x0 -= 1
        x1 = x
        while x1 < w and flat_col[x1]:
            x1 += 1
        if x1 - x0 >= min_band and (best is None or abs((x0 + x1) / 2 - w / 2) < abs(sum(best) / 2 - w / 2)):
            best = (x0, x1)
        x = x1 + 1
    if best is None:
        return None
    band_x0, band_x1 = best
    tiles = []
    for c0, c1 in ((0, band_x0), (band_x1, w)):
        cols = np.flatnonzero(~flat_col[c0:c1]) + c0
        if len(cols) == 0:
            return None
        tx0, tx1 = int(cols[0]), int(cols[-1]) + 1
        rows = np.flatnonzero(gray[:, tx0:tx1].std(axis=1) >= TILE_FLAT_SD)
        if len(rows) == 0:
            return None
        ty0, ty1 = int(rows[0]) * step, min(h, (int(rows[-1]) + 1) * step)
        if tx1 - tx0 < TILE_MIN_SHARE * w or ty1 - ty0 < TILE_MIN_SHARE * h:
            return None
        # content all across the tile, not a person in front of a plain wall: most columns busy
        if np.mean(~flat_col[tx0:tx1]) < 0.9:
            return None
        # and a straight edge along the band: the picture stops there, it does not fade into it
        rows = slice(ty0 // step, max(ty0 // step + 1, ty1 // step))
        outside = min(max(0, band_x0 - 2), w - 1) if c0 == 0 else min(w - 1, band_x1 + 1)
        edge = np.abs(gray[rows, outside] - gray[rows, band_x0:band_x1].mean(axis=1))
        if np.mean(edge > TILE_EDGE_STEP) < 0.5:
            return None
        tiles.append((tx0, ty0, tx1, ty1))
    return tiles[0], tiles[1]


def _region_px(
    person: PersonLandmarks,
    size: tuple[int, int],
    missed: int = 0,
    other_center: np.ndarray | None = None,
    other_scale: float = 0.0,
    center: np.ndarray | None = None,
) -> np.ndarray:
    """Where to look for ``person`` next: its body with room to move, short of the other person."""
    w, h = size
    s = person_scale_px(person, size)
    center = anchor_px(person, size) if center is None else center
    box = bbox_px(person, size)
    x0, y0, x1, y1 = box[0] - 1.0 * s, box[1] - 1.5 * s, box[2] + 1.0 * s, box[3] + 0.5 * s
    if missed > 0:  # lost: look wider around the last place
        grow = min(missed, 4) * s
        x0, y0, x1, y1 = x0 - grow, y0 - grow, x1 + grow, y1 + grow
    if other_center is not None:
        mine, theirs = center[0], other_center[0]
        mid = (mine + theirs) / 2
        gap = abs(theirs - mine)
        # a little past the midline between the two heads, never as far as the other head
        reach = min(0.5 * min(s, other_scale), 0.3 * gap)
        room = min(0.75 * s, 0.5 * gap + reach)  # the own body's half-width, as far as the bound allows
        if mine <= theirs:
            x1 = max(min(x1, mid + reach), mine + room)
        else:
            x0 = min(max(x0, mid - reach), mine - room)
    return np.array([max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)])


def region_for(
    person: PersonLandmarks, other: PersonLandmarks | None, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Integer pixel box to run ``person``'s estimator on, given the other person (or None)."""
    oc = None if other is None else anchor_px(other, size)
    os_ = 0.0 if other is None else person_scale_px(other, size)
    x0, y0, x1, y1 = _region_px(person, size, 0, oc, os_)
    return (int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1)))


def _inside_body(point: np.ndarray, person: PersonLandmarks, size: tuple[int, int]) -> bool:
    """Whether a pixel point lies well inside a person's visible extent (its box less 15 % a side)."""
    x0, y0, x1, y1 = bbox_px(person, size)
    mx, my = 0.15 * (x1 - x0), 0.15 * (y1 - y0)
    return bool(x0 + mx <= point[0] <= x1 - mx and y0 + my <= point[1] <= y1 - my)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _Track:
    person: PersonLandmarks | None = None  # last seen
    center: np.ndarray | None = None  # last seen, px
    scale: float = 0.0
    missed: int = 0
    region: np.ndarray | None = None  # px box the estimator looks in


@dataclass
class TrackerStats:
    duplicates_resolved: int = 0
    jumps_rejected: int = 0
    searches: int = 0
    reacquired: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


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
        if layout.mode == "split":
            o = layout.split_overlap * w
            self._fixed = [np.array([0, 0, w / 2 + o, h]), np.array([w / 2 - o, 0, w, h])]
        elif layout.mode == "regions":
            self._fixed = [np.array(b) * (w, h, w, h) for b in layout.regions]  # type: ignore[union-attr]
        else:
            self._fixed = None
        if self._fixed is not None:
            for track, box in zip(self.tracks, self._fixed):
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
        out = []
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
        for track, box in zip(self.tracks, boxes):
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
                if (
                    other.person is not None
                    and other.missed < 3
                    and (same_body(det, other.person, self.size) or _inside_body(c, other.person, self.size))
                ):
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
        found = list(found)
        centers = [None if p is None else anchor_px(p, self.size) for p in found]
        # 1. both estimators on one body: keep it for the person it is closer to
        if found[0] is not None and found[1] is not None:
            if same_body(found[0], found[1], self.size):
                keep = self._closer_slot(centers[0])
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
            track = self.tracks[slot]
            if person is None:
                track.missed += 1
            else:
                track.person = person
                track.center = centers[slot]
                track.scale = person_scale_px(person, self.size)
                track.missed = 0
        self._refresh_regions()
        return found

    # ----------------------------------------------------------- internals
    def _closer_slot(self, center: np.ndarray) -> int:
        d = [np.inf if t.center is None else float(np.linalg.norm(center - t.center)) for t in self.tracks]
        return int(np.argmin(d))

    def _seed(self, slot: int, person: PersonLandmarks) -> None:
        track = self.tracks[slot]
        self._seeds[slot] = person
        track.person = person
        track.center = anchor_px(person, self.size)
        track.scale = person_scale_px(person, self.size)
        track.missed = 0
        track.region = None  # recomputed by _refresh_regions

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
        return _region_px(
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
            if (
                current is None
                or track.missed > 0
                or _iou(current, desired) < 0.75
                or not self._contains(current, slot)
            ):
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
