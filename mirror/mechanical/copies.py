"""Copies: one person making a mirror or match counterpart of the other's gesture.

For each gesture of the model on body part ``c``, every lag between
``min_lag_s`` and ``max_lag_s`` that moves it onto one of the copier's
gestures on the counterpart body part is tried: the same part for a match,
the other arm for a mirror (head, torso and face are their own counterparts;
there the side shows in the sign of the signed features and in which eye or
brow moves).  The lag with the best alignment of the two velocity
trajectories wins, and the copy is kept when their cosine similarity reaches
``min_similarity``.  One long movement of the copier may answer several
quick gestures of the model.

The model's trajectory is compared with the copier's through the mirror
operator for a mirror copy (:func:`mirror.features.mirror_operator`: swap the
sides, negate the signed features), unchanged for a match.  When both readings
are equally good (a nod, a jaw movement: nothing lateral moved) the copy is
``symmetric``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mirror.features.body import FEATURE_INDEX, mirror_operator
from mirror.mechanical.gestures import Gestures, Motion, excursion
from mirror.serial import Plain
from mirror.vocabulary import BODY_PART_FEATURES, DIRECTIONS

COUNTERPART = {"match": {}, "mirror": {"left_arm": "right_arm", "right_arm": "left_arm"}}


@dataclass(frozen=True)
class CopySettings(Plain):
    min_lag_s: float = 0.1  # faster than this is simultaneous movement, not a copy
    max_lag_s: float = 5.0
    pad_s: float = 0.2  # trajectory compared from pad_s before onset to pad_s after offset
    min_similarity: float = 0.6  # cosine similarity of the velocity trajectories
    kind_margin: float = 0.2  # mirror and match closer than this: symmetric (the sided part hardly moved)
    similarity_margin: float = 0.15  # of good answers this close to the best, the earliest is the copy


@dataclass
class Copies:
    """Detected copies, both directions.

    Attributes
    ----------
    direction : np.ndarray
        ``(K,)`` str, one of :data:`DIRECTIONS`.
    model, copy : np.ndarray
        ``(K,)`` int indices into :class:`Gestures`.
    kind : np.ndarray
        ``(K,)`` str: mirror, match or symmetric.
    lag_s : np.ndarray
        ``(K,)`` copier's delay.
    similarity : np.ndarray
        ``(K,)`` cosine similarity of the aligned velocity trajectories.
    amplitude_ratio : np.ndarray
        ``(K,)`` copier's excursion over the model's.
    fidelity : np.ndarray
        ``(K,)`` similarity times amplitude agreement (min of the ratio and its inverse), in [0, 1].
    """

    direction: np.ndarray
    model: np.ndarray
    copy: np.ndarray
    kind: np.ndarray
    lag_s: np.ndarray
    similarity: np.ndarray
    amplitude_ratio: np.ndarray
    fidelity: np.ndarray
    settings: CopySettings = field(default_factory=CopySettings)

    def __len__(self) -> int:
        return len(self.lag_s)

    def to_records(self, gestures: Gestures) -> list[dict]:
        """One dict per copy: the model's gesture (``model_start_s``, ``model_end_s``) and where
        the copier made it, the same stretch ``lag_s`` later (``copy_start_s``, ``copy_end_s``).

        The lag is the delay that best lines up the two movements' velocity over the whole
        gesture, not the gap between two onsets (one long movement of the copier may answer
        several gestures), so ``copy_start_s - model_start_s == lag_s`` always.
        """
        return [
            {
                "direction": str(self.direction[k]),
                "kind": str(self.kind[k]),
                "channel_model": str(gestures.channel[self.model[k]]),
                "channel_copy": str(gestures.channel[self.copy[k]]),
                "model_start_s": float(gestures.start_s[self.model[k]]),
                "model_end_s": float(gestures.end_s[self.model[k]]),
                "copy_start_s": float(gestures.start_s[self.model[k]] + self.lag_s[k]),
                "copy_end_s": float(gestures.end_s[self.model[k]] + self.lag_s[k]),
                "lag_s": float(self.lag_s[k]),
                "similarity": float(self.similarity[k]),
                "fidelity": float(self.fidelity[k]),
            }
            for k in range(len(self))
        ]


def _cosines(model: np.ndarray, series: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cosine similarity of ``model`` ``(L, K)`` with ``series[s : s + L]`` for each start ``s``.

    Samples where either side is NaN (or outside ``series``) are left out; fewer than
    3 shared samples give NaN.
    """
    L = len(model)
    rows = starts[:, None] + np.arange(L)  # (S, L)
    inside = (rows >= 0) & (rows < len(series))
    seg = series[np.clip(rows, 0, len(series) - 1)]  # (S, L, K)
    ok = inside & ~np.isnan(seg).any(-1) & ~np.isnan(model).any(-1)[None, :]
    m = np.where(ok[..., None], np.nan_to_num(model)[None], 0.0)
    y = np.where(ok[..., None], np.nan_to_num(seg), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.einsum("slk,slk->s", m, y) / np.sqrt(np.einsum("slk,slk->s", m, m) * np.einsum("slk,slk->s", y, y))
    sim[ok.sum(1) < 3] = np.nan
    return sim


def _window(x: np.ndarray, a: int, b: int) -> np.ndarray:
    """Rows ``a:b`` of ``x``, NaN-padded where outside."""
    n = len(x)
    out = np.full((b - a,) + x.shape[1:], np.nan)
    lo, hi = max(a, 0), min(b, n)
    if hi > lo:
        out[lo - a : hi - a] = x[lo:hi]
    return out


def detect_copies(motion: Motion, gestures: Gestures, settings: CopySettings | None = None) -> Copies:
    """Copies in both directions.

    Parameters
    ----------
    motion : Motion
        ``(N, 2, F)`` smoothed features and velocities.
    gestures : Gestures
        From :func:`~mirror.mechanical.gestures.segment_gestures` on the same motion.
    """
    settings = settings or CopySettings()
    rate = motion.rate_hz
    pad = int(round(settings.pad_s * rate))
    lo_k, hi_k = int(np.ceil(settings.min_lag_s * rate)), int(np.floor(settings.max_lag_s * rate))
    rows = []
    for direction, (m, c) in zip(DIRECTIONS, ((0, 1), (1, 0)), strict=True):
        velocity = {
            "match": motion.v[:, m],
            "mirror": mirror_operator(motion.v[:, m]),
        }  # the model, as each copy sees it
        by_channel = {}  # copier's gestures per body part, sorted by onset
        for ch in set(gestures.channel.tolist()):
            sel = np.flatnonzero((gestures.person == c) & (gestures.channel == ch))
            by_channel[ch] = (sel, gestures.start_i[sel], gestures.end_i[sel])
        channel_of = gestures.channel.tolist()
        channel_idx = {ch: [FEATURE_INDEX[n] for n in names] for ch, names in BODY_PART_FEATURES.items()}
        channel_v = {(kind, ch): velocity[kind][:, ix] for kind in velocity for ch, ix in channel_idx.items()}
        channel_v.update({("copier", ch): motion.v[:, c][:, ix] for ch, ix in channel_idx.items()})
        for g in np.flatnonzero(gestures.person == m):
            a, b = int(gestures.start_i[g]) - pad, int(gestures.end_i[g]) + pad
            found = []  # (similarity, kind, copier gesture, lag steps, other-kind similarity, features)
            for kind in ("match", "mirror"):
                cm = channel_of[g]
                cc = COUNTERPART[kind].get(cm, cm)
                idx = channel_idx[cc]
                model_v = _window(channel_v[(kind, cc)], a, b)
                other_v = _window(channel_v[("mirror" if kind == "match" else "match", cc)], a, b)
                if cc not in by_channel:
                    continue
                copier_idx, copier_start, copier_end = by_channel[cc]
                g0, g1 = int(gestures.start_i[g]), int(gestures.end_i[g])
                # copier gestures that the model's gesture, moved by an allowed lag, overlaps
                first = np.searchsorted(copier_start, g0 + lo_k - (g1 - g0), "left")
                last = np.searchsorted(copier_start, g1 + hi_k, "right")
                copier_v = channel_v[("copier", cc)]
                for h, h0, h1 in zip(
                    *(x[first:last].tolist() for x in (copier_idx, copier_start, copier_end)), strict=True
                ):
                    ks = np.arange(max(lo_k, h0 - g1 + 1), min(hi_k, h1 - g0 - 1) + 1)
                    if len(ks) == 0:
                        continue
                    sims = _cosines(model_v, copier_v, a + ks)
                    if not np.isfinite(sims).any():
                        continue
                    j = int(np.nanargmax(sims))
                    k = int(ks[j])
                    found.append((float(sims[j]), kind, h, k, _cosines(other_v, copier_v, np.array([a + k]))[0], idx))
            good = [f for f in found if f[0] >= settings.min_similarity]
            best = None
            if good:  # the first good answer, not a better-looking one much later
                top = max(f[0] for f in good)
                best = min((f for f in good if f[0] >= top - settings.similarity_margin), key=lambda f: (f[3], -f[0]))
            if best is None or best[0] < settings.min_similarity:
                continue
            sim, kind, h, k, other_sim, idx = best
            if np.isfinite(other_sim) and sim - other_sim < settings.kind_margin:
                kind = "symmetric"
            gs, ge = int(gestures.start_i[g]), int(gestures.end_i[g])
            amp_m = float(gestures.amplitude[g])
            amp_c = excursion(_window(motion.x[:, c][:, idx], gs + k, ge + k))
            ratio = amp_c / amp_m if amp_m > 0 else float("nan")
            agree = min(ratio, 1 / ratio) if ratio > 0 else 0.0
            rows.append((direction, g, h, kind, k / rate, sim, ratio, max(0.0, sim) * agree))
    if not rows:
        z = np.zeros(0)
        return Copies(
            z.astype("<U10"),
            z.astype(int),
            z.astype(int),
            z.astype("<U9"),
            z,
            z,
            z,
            z,
            settings=settings,
        )
    cols = list(zip(*rows, strict=True))
    return Copies(
        direction=np.array(cols[0], dtype="<U10"),
        model=np.array(cols[1], dtype=int),
        copy=np.array(cols[2], dtype=int),
        kind=np.array(cols[3], dtype="<U9"),
        lag_s=np.array(cols[4], dtype=float),
        similarity=np.array(cols[5], dtype=float),
        amplitude_ratio=np.array(cols[6], dtype=float),
        fidelity=np.array(cols[7], dtype=float),
        settings=settings,
    )
