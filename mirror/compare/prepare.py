"""The comparator's preparation: both people's features resampled, smoothed and split as the lag scan reads them.

Antisymmetric parts (left minus right and the signed features) become each person's posture
changes (departures from their own moving average over two windows) and velocities; symmetric
parts lose their slow drifts; each feature channel records where it has data.  The pairings
(:func:`paired`, :func:`person_rows`, :func:`shifted_pair`) put one preparation's A against
another's B, as the null and the surrogates need.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from mirror.compare.settings import CompareSettings
from mirror.features import Features, FeatureSpec
from mirror.signal import highpass, resample, smooth_and_differentiate
from mirror.vocabulary import ARM_FEATURES, FEATURE_CHANNELS


@dataclass
class Prepared:
    """Both people's features on the comparison grid, split and filtered as the lag scan reads them."""

    t: np.ndarray
    asym: np.ndarray  # (N, 2, K) smoothed, each person's posture changes (slow drifts removed), NaN->0
    posture: np.ndarray  # (N, 2, K) smoothed antisymmetric posture itself, NaN->0
    vel: np.ndarray  # (N, 2, K)
    sym_hp: np.ndarray  # (N, 2, J)
    ok: np.ndarray  # (N, 2, C) channel has data (asym)
    sym_ok: np.ndarray  # (N, 2, C)
    g: np.ndarray  # (K, C)
    gs: np.ndarray  # (J, C)
    arm_hp: np.ndarray  # (N, 2 people, 2 sides, P) arm features, slow drifts removed, NaN->0
    arm_ok: np.ndarray  # (N, 2, 2)
    sym_evidence: np.ndarray  # (J,) bool: symmetric columns that show a left-right symmetric movement


BASELINED = ("head_yaw",)
"""Antisymmetric columns (besides the face's) measured from each person's own usual value."""


def _from_own_baseline(asym: np.ndarray, specs) -> np.ndarray:
    """Face asymmetries and head yaw as departures from each person's median over the session.

    A face's resting left-right difference is anatomy and measurement, not expression, and
    seated side by side each person's usual yaw turns towards the other: both would read as a
    mirrored posture that nobody made.  What the comparison keeps is each person's change.
    """
    cols = [k for k, s in enumerate(specs) if s.channel == "face" or s.name in BASELINED]
    if not cols or not len(asym):
        return asym
    import warnings

    out = asym.copy()
    with warnings.catch_warnings():  # a person never seen: their median is NaN, silently
        warnings.simplefilter("ignore", RuntimeWarning)
        out[:, :, cols] -= np.nanmedian(asym[:, :, cols], axis=0, keepdims=True)
    return out


def antisymmetric_series(
    features: Features, settings: CompareSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[FeatureSpec]]:
    """Both people's antisymmetric parts on the comparison grid, unweighted, as :func:`prepare` reads them.

    Returns ``(t, posture, velocity, departures, specs)``: the grid, the smoothed posture
    ``(N, 2, K)`` (each person's own baseline taken from the face and head yaw), its velocity,
    its departures from each person's moving average over two windows, and the components'
    specs; NaN where a person has no data.
    """
    asym, specs = features.antisymmetric()
    asym = _from_own_baseline(asym, specs)
    t, asym = resample(features.t_s, asym, settings.rate_hz, settings.max_gap_s)
    asym, vel = smooth_and_differentiate(asym, settings.rate_hz, settings.smooth_s)
    # postures compared as each person's changes (departures from their own moving average over
    # two windows: what a window holds steady goes, its own movement stays): a posture both merely
    # hold (a camera's tilt, one's usual lean) is no evidence
    asym_hp = highpass(asym, 2 * int(round(settings.window_s * settings.rate_hz)))
    return t, asym, vel, asym_hp, specs


def prepare(features: Features, settings: CompareSettings) -> Prepared:
    """Resample, smooth and split features into antisymmetric and symmetric parts."""
    t, asym, vel, asym_hp, aspecs = antisymmetric_series(features, settings)
    sym, sspecs = features.symmetric()
    _, sym = resample(features.t_s, sym, settings.rate_hz, settings.max_gap_s)
    sym_smooth, _ = smooth_and_differentiate(sym, settings.rate_hz, settings.smooth_s)
    length = int(round(settings.window_s * settings.rate_hz))
    # each antisymmetric column weighted by how reliably the pose model reads its side (sums of
    # products scale by the square of a column, so each is multiplied by the weight's root)
    scale = np.sqrt(side_weights(aspecs))
    asym_hp *= scale
    asym *= scale
    vel *= scale
    # symmetric parts with slow drifts removed: their correlation is a within-window Pearson
    sym_hp = highpass(sym_smooth, length)
    g = _channel_matrix(aspecs, FEATURE_CHANNELS)
    gs = _channel_matrix(sspecs, FEATURE_CHANNELS)
    # a channel has data for a person when every one of its features has
    missing = np.isnan(asym) | np.isnan(vel)
    ok = (missing.astype(float) @ g) == 0
    ok &= (g.sum(0) > 0)[None, None, :]
    sym_missing = np.isnan(sym_hp)
    sym_ok = ((sym_missing.astype(float) @ gs) == 0) & (gs.sum(0) > 0)[None, None, :]
    cols = [[features.names.index(f"{base}_{side}") for base in ARM_FEATURES] for side in ("left", "right")]
    _, arm = resample(features.t_s, features.values[:, :, cols], settings.rate_hz, settings.max_gap_s)
    arm, _ = smooth_and_differentiate(arm, settings.rate_hz, settings.smooth_s)
    arm_hp = highpass(arm, int(round(settings.window_s * settings.rate_hz)))
    arm_ok = ~np.isnan(arm_hp).any(-1)
    # the series are this function's own and their gaps are recorded: missing samples become 0 in place
    return Prepared(
        t=t,
        asym=np.nan_to_num(asym_hp, copy=False),
        posture=np.nan_to_num(asym, copy=False),
        vel=np.nan_to_num(vel, copy=False),
        sym_hp=np.nan_to_num(sym_hp, copy=False),
        ok=ok,
        sym_ok=sym_ok,
        g=g,
        gs=gs,
        arm_hp=np.nan_to_num(arm_hp, copy=False).astype(np.float32),
        arm_ok=arm_ok,
        sym_evidence=np.array(
            [s.channel in ("arms", "torso") and s.name not in NOT_SYMMETRIC_EVIDENCE for s in sspecs], dtype=bool
        ),
    )


SIDE_RELIABILITY = {
    "wrist_height": 0.21, "elbow_height": 0.08, "reach": 0.31, "forward_reach": 0.20, "elbow_flexion": 0.23,
    "arm_elevation": 0.23, "hand_face": 0.17, "head_roll": 0.95, "head_yaw": 0.88, "torso_lean": 0.12,
    "torso_twist": 0.06, "shoulder_raise": 0.09, "face_browDown": 0.32, "face_browOuterUp": 0.45,
    "face_mouthSmile": 0.60, "face_mouthPress": 0.56,
}  # fmt: skip
"""How reliably the pose model reads each antisymmetric component's side, as the comparator reads it.

For each component (a lateral pair's left minus right, or a signed feature): the correlation of
its departures (resampled, smoothed, high-passed as :func:`prepare` does) with minus those of the
same clip seen horizontally flipped, pooled over 16 real single-person clips (``../shared/data/people``
and ``examples/raga_1person.mp4``) and both pose models; ``benchmarks/bench_side_reliability.py``
measures it.  1 would be a side read exactly under a flip; 0, noise.  The head's roll and yaw
follow a flip almost exactly (0.95, 0.88) and the face's kept blendshapes partly (0.32-0.60),
while the arms (0.08-0.31, in shoulder widths, the largest numbers of the body) and the torso
(0.06-0.12) mostly do not: summed unweighted, the arms' noise outweighed a head that tells the
side plainly.  ``hand_at_face`` (a hand seen clearly at one side of the face) is too rare in the
footage to measure and keeps weight 1."""
SIDE_RELIABILITY_CAP = 0.75
"""Reliabilities are capped here before they become weights (at most 3): with no cap the head
alone decided (weight 7-19), and strangers side by side were labelled in up to 2.1 % of windows
(``benchmarks/accuracy_real.py``) against 0.0-0.2 % with it."""


def side_weights(specs) -> np.ndarray:
    """``(K,)`` weight of each antisymmetric component: its signal-to-noise ratio ``r / (1 - r)``.

    ``r`` is its :data:`SIDE_RELIABILITY` (at most :data:`SIDE_RELIABILITY_CAP`); components
    without one weigh 1 (as ``r = 0.5``).
    """
    w = np.ones(len(specs))
    for i, spec in enumerate(specs):
        base = spec.name.removesuffix("_left") if spec.kind == "lateral" else spec.name
        if base in SIDE_RELIABILITY:
            r = min(max(SIDE_RELIABILITY[base], 0.0), SIDE_RELIABILITY_CAP)
            w[i] = r / (1.0 - r)
    return w


NOT_SYMMETRIC_EVIDENCE = ("motion_energy", "motion_symmetry")
"""What a ``symmetric`` label needs besides synchrony is the body's symmetric part moving in both
people: the left-plus-right halves of the arms, arm openness, arms crossed, a forward lean.  Not
these (a speed, and a correlation), nor the head or the face: a nod, blinks or the jaw while
talking are no evidence that both sides of a body move alike, and a posture merely too
symmetric to tell the side is none either."""


def _channel_matrix(specs, channels) -> np.ndarray:
    g = np.zeros((len(specs), len(channels)))
    for i, s in enumerate(specs):
        g[i, channels.index(s.channel)] = 1.0
    return g


def _person_series(prep: Prepared) -> list[str]:
    """Names of the ``(N, 2 people, ...)`` series of a preparation."""
    n = len(prep.t)
    return [
        f.name
        for f in fields(prep)
        if isinstance(x := getattr(prep, f.name), np.ndarray) and x.ndim >= 2 and x.shape[0] == n and x.shape[1] == 2
    ]


def paired(a: Prepared, b: Prepared) -> Prepared:
    """Person A of ``a`` against person B of ``b`` (two preparations of the same length and grid)."""
    changes = {}
    for name in _person_series(a):
        z = getattr(a, name).copy()
        z[:, 1] = getattr(b, name)[:, 1]
        changes[name] = z
    return replace(a, **changes)


def person_rows(prep: Prepared, a_rows: np.ndarray, b_rows: np.ndarray) -> Prepared:
    """A's samples ``a_rows`` against B's samples ``b_rows`` (times: A's)."""
    changes = {"t": prep.t[a_rows]}
    for name in _person_series(prep):
        x = getattr(prep, name)
        y = x[a_rows].copy()
        y[:, 1] = x[b_rows, 1]
        changes[name] = y
    return replace(prep, **changes)


def shifted_pair(prep: Prepared, start: int, length: int, shift: int) -> Prepared:
    """A's samples ``start .. start + length`` against B's ``shift`` samples later (circularly).

    The timing between the two people is broken; each keeps their own movement.
    """
    n = len(prep.t)
    a = np.arange(start, start + length) % n
    step_s = float(np.median(np.diff(prep.t))) if n > 1 else 1.0
    return replace(
        person_rows(prep, a, (a + shift) % n), t=prep.t[0] + np.arange(length) * step_s
    )  # A's stretch may wrap: a grid


def slice_prepared(prep: Prepared, lo: int, hi: int) -> Prepared:
    changes = {}
    for f in fields(prep):
        x = getattr(prep, f.name)
        if isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[0] == len(prep.t):
            changes[f.name] = x[lo:hi]
    return replace(prep, **changes)
