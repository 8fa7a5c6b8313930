"""Finding what the overlay drew, in pixels (screenshots, snapshots, overlay videos)."""

from __future__ import annotations

import cv2
import numpy as np


def blob_centre(image: np.ndarray, color, tol: int = 12) -> tuple[float, float] | None:
    """Centre of the largest solid rectangle of exactly ``color`` (a label box, not a thin bone)."""
    mask = (np.abs(image.astype(int) - np.array(color)).max(-1) <= tol).astype(np.uint8)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask)
    best = None
    for k in range(1, n):
        x, y, bw, bh, area = stats[k]
        if area >= 150 and area >= 0.6 * bw * bh and (best is None or area > best[0]):
            best = (area, tuple(centroids[k]))
    return None if best is None else best[1]
