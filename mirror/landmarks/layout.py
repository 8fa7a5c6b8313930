"""Where the two people are expected in the frame: the layouts, and a video call's tiles.

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
    and a lost person is searched for again (:mod:`mirror.landmarks.tracker`).
    Where only head and shoulders are in view (shoulders cut by the frame's
    edge), a person's size is taken from the head, so a big head near the
    camera does not stretch the region over the other person.
``split``
    Fixed left and right halves (with a small overlap): A left, B right.
``regions``
    Two fixed boxes given by the user, A first.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mirror.errors import MirrorError
from mirror.serial import Plain, omit_default
from mirror.vocabulary import LAYOUTS, LayoutMode

MAX_REGION_OVERLAP = 0.5
"""Two regions may share at most this share of the smaller box: one body cannot be both people."""


def layout_mode(text: str) -> LayoutMode:
    """``text`` as a layout mode; a :class:`MirrorError` naming the choices when it is none."""
    for mode in LAYOUTS:
        if text == mode:
            return mode
    raise MirrorError(f"unknown layout {text!r}; choose one of: {', '.join(LAYOUTS)}")


@dataclass(frozen=True)
class Layout(Plain):
    """Where the two people are expected.

    Attributes
    ----------
    mode : {"auto", "split", "regions"}
    regions : tuple of two ``(x0, y0, x1, y1)`` boxes, normalised to [0, 1]
        Only for ``mode="regions"``: A's box, then B's.
    split_overlap : float
        For ``split``: how far (fraction of the width) each half reaches past the middle.

    :meth:`to_dict` is part of the landmark cache key: ``mode`` and ``regions`` are always
    there, ``split_overlap`` only when it differs from its default, so the keys of landmarks
    cached before it was keyed stay valid.
    """

    mode: LayoutMode = "auto"
    regions: tuple[tuple[float, float, float, float], ...] | None = None
    split_overlap: float = omit_default(0.04)

    def __post_init__(self) -> None:
        layout_mode(self.mode)  # a mode read from a file is checked as one typed on the command line
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
    def parse(cls, mode: str, regions: str | None = None) -> Layout:  # mode: CLI text, checked here
        """From CLI text: ``regions`` is ``'x0,y0,x1,y1;x0,y0,x1,y1'`` in [0, 1]."""
        if regions:
            try:
                boxes = tuple(tuple(float(v) for v in part.split(",")) for part in regions.split(";"))
            except ValueError:
                raise MirrorError(f"cannot read regions {regions!r}: use 'x0,y0,x1,y1;x0,y0,x1,y1' in [0, 1]") from None
            if any(len(b) != 4 for b in boxes):
                raise MirrorError(f"cannot read regions {regions!r}: each box has four numbers x0,y0,x1,y1")
            four = tuple((b[0], b[1], b[2], b[3]) for b in boxes)
            return cls(mode="regions" if mode == "auto" else layout_mode(mode), regions=four)
        return cls(mode=layout_mode(mode))


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
    gray: np.ndarray = cv2.cvtColor(bgr[::step], cv2.COLOR_BGR2GRAY).astype(np.float32)
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
        band_rows = slice(ty0 // step, max(ty0 // step + 1, ty1 // step))
        outside = min(max(0, band_x0 - 2), w - 1) if c0 == 0 else min(w - 1, band_x1 + 1)
        edge = np.abs(gray[band_rows, outside] - gray[band_rows, band_x0:band_x1].mean(axis=1))
        if np.mean(edge > TILE_EDGE_STEP) < 0.5:
            return None
        tiles.append((tx0, ty0, tx1, ty1))
    return tiles[0], tiles[1]
