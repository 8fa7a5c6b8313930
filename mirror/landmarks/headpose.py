"""Head yaw, pitch and roll from MediaPipe's facial transformation matrix.

Angles are anatomical, in degrees:

* ``yaw``   > 0: the head turns towards the person's own left;
* ``pitch`` > 0: the chin goes up (< 0: nodding down);
* ``roll``  > 0: the head tilts towards the person's own left shoulder.

A horizontal flip of the image conjugates the rotation by ``diag(-1, 1, 1)``,
which negates yaw and roll and keeps pitch; the formulas below are chosen so
that this holds exactly.  The signs were calibrated on real footage (see
``tests/test_headpose.py``).
"""

from __future__ import annotations

import numpy as np

# Multipliers turning the matrix's own axes into the anatomical conventions above.
_YAW_SIGN = 1.0
_PITCH_SIGN = -1.0
_ROLL_SIGN = -1.0


def headpose_from_matrix(matrix: np.ndarray) -> np.ndarray:
    """Yaw, pitch and roll in degrees.

    Parameters
    ----------
    matrix : np.ndarray
        ``(..., 4, 4)`` facial transformation matrices (or ``(..., 3, 3)``
        rotations).

    Returns
    -------
    np.ndarray
        ``(..., 3)`` array of ``(yaw, pitch, roll)`` in degrees.
    """
    r = np.asarray(matrix, dtype=np.float64)[..., :3, :3]
    if r.ndim == 2:  # one matrix (every frame's face): the same ufuncs on its scalars, without the stacking
        yaw, roll = np.degrees(np.arctan2(r[0, 2], r[2, 2])), np.degrees(np.arctan2(r[1, 0], r[1, 1]))
        pitch = np.degrees(np.arcsin(np.minimum(np.maximum(-r[1, 2], -1.0), 1.0)))
        return np.array([_YAW_SIGN * yaw, _PITCH_SIGN * pitch, _ROLL_SIGN * roll])
    yaw = np.degrees(np.arctan2(r[..., 0, 2], r[..., 2, 2]))
    pitch = np.degrees(np.arcsin(np.clip(-r[..., 1, 2], -1.0, 1.0)))
    roll = np.degrees(np.arctan2(r[..., 1, 0], r[..., 1, 1]))
    return np.stack([_YAW_SIGN * yaw, _PITCH_SIGN * pitch, _ROLL_SIGN * roll], axis=-1)
