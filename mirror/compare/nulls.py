"""The nulls windows are judged against, and the shipped tables that hold them.

``reference``
    Pseudo-pairs of real people filmed alone (``data/null_reference.npz``, built by
    ``models/build_null_reference.py`` from the footage it names; both pose models).
    Each person's features play forwards and backwards to a common length (:func:`ping_pong`),
    and every ordered pair of two different people is compared (:func:`reference_null`).
    The presets' nulls ship as tables (``data/preset_null_*.npz``) named by
    :func:`null_identity` (settings, reference file and comparator version); other settings
    compute theirs once and keep it in the cache (:func:`reference_null_cached`).
``session``
    The session's own surrogates (:func:`session_null`): B circularly shifted against A by at
    least one window plus the largest lag, over blocks spread through the session.  Used when
    the session is long enough (:func:`session_is_long`).

How a window is judged against a null is :mod:`mirror.compare.calibrate`.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mirror.compare.calibrate import NULL_ARRAYS, NullSamples
from mirror.errors import MirrorError

if TYPE_CHECKING:
    from mirror.compare.prepare import Prepared
    from mirror.compare.settings import CompareSettings

NULL_REFERENCE_PATH = Path(__file__).resolve().parent / "data" / "null_reference.npz"
SESSION_NULL_MIN_S = 180.0
"""Sessions at least this long (and ten windows plus lags) are judged against their own surrogates."""
SESSION_BLOCKS = 32
"""Surrogate blocks of a long session: each a random stretch of A against B shifted by a random lag."""
REFERENCE_CHAIN_S = 60.0
"""Each null person is played forwards and backwards to this length (or longer for long windows)."""


def reference_key(clip_stem: str, model: str) -> str:
    return f"{clip_stem}@{model}"


@dataclass(frozen=True)
class ReferencePerson:
    key: str
    clip: str
    model: str
    t_s: np.ndarray  # (T,)
    values: np.ndarray  # (T, F)


_REFERENCE: dict[str, list[ReferencePerson]] = {}
_NULL_CACHE: dict[str, NullSamples] = {}
_LOCK = threading.Lock()


def load_reference(path: Path = NULL_REFERENCE_PATH) -> list[ReferencePerson]:
    """The people of the shipped null reference (checked against the current feature list).

    Raises
    ------
    MirrorError
        Missing, damaged or built for other features: says how to rebuild it.
    """
    from mirror.features import FEATURES

    key = str(path)
    with _LOCK:
        if key in _REFERENCE:
            return _REFERENCE[key]
        rebuild = "rebuild it with: python models/build_null_reference.py"
        try:
            with np.load(path) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                people = [
                    ReferencePerson(
                        p["key"],
                        p["clip"],
                        p["model"],
                        z[f"{p['key']}/t_s"].astype(np.float64),
                        z[f"{p['key']}/values"].astype(np.float64),
                    )
                    for p in meta["people"]
                ]
        except FileNotFoundError:
            raise MirrorError(f"the null reference {path} is missing; {rebuild}") from None
        except (OSError, KeyError, ValueError) as err:
            raise MirrorError(f"the null reference {path} is damaged ({err}); {rebuild}") from None
        if meta.get("format") != "mirror.null_reference" or meta.get("features") != [s.name for s in FEATURES]:
            raise MirrorError(f"the null reference {path} was built for other features; {rebuild}")
        _REFERENCE[key] = people
        return people


def ping_pong(
    t_s: np.ndarray, values: np.ndarray, length_s: float, rate_hz: float, phase_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """``values`` played forwards and backwards from ``phase_s`` to ``length_s``, on a grid of ``rate_hz``."""
    duration = float(t_s[-1] - t_s[0])
    grid = np.arange(int(length_s * rate_hz)) / rate_hz
    u = (grid + phase_s) % (2 * duration) if duration > 0 else np.zeros_like(grid)
    u = np.where(u <= duration, u, 2 * duration - u)
    idx = np.clip(np.searchsorted(t_s - t_s[0], u), 0, len(t_s) - 1)
    return grid, values[idx]


def reference_null(
    settings: CompareSettings, people: list[ReferencePerson] | None = None, max_pairs: int = 160, seed: int = 0
) -> NullSamples:
    """The comparator's windows on pseudo-pairs of the reference's people (cached per settings).

    Pairs are two different clips seen by the same pose model; up to ``max_pairs`` of them,
    drawn reproducibly.  Each pair is ``max(REFERENCE_CHAIN_S, 4 windows + 2 lags)`` long,
    each person starting at a random phase of their clip.
    """
    from mirror.compare.prepare import paired, prepare
    from mirror.compare.windows import compare_prepared
    from mirror.features import Features

    people = load_reference() if people is None else people
    ident = hashlib.sha256(
        json.dumps([settings.to_dict(), sorted(p.key for p in people), max_pairs, seed], sort_keys=True).encode()
    ).hexdigest()[:16]
    with _LOCK:
        if ident in _NULL_CACHE:
            return _NULL_CACHE[ident]
    pairs = [
        (i, j)
        for i in range(len(people))
        for j in range(len(people))
        if people[i].clip != people[j].clip and people[i].model == people[j].model
    ]
    rng = np.random.default_rng(seed)
    if len(pairs) > max_pairs:
        pairs = [pairs[k] for k in np.sort(rng.choice(len(pairs), max_pairs, replace=False))]
    length_s = max(REFERENCE_CHAIN_S, 4 * settings.window_s + 2 * settings.max_lag_s)
    # each person is prepared once (both slots), then pairs take A's slot from one and B's from another
    prepared = {}
    for i in sorted({k for pair in pairs for k in pair}):
        p = people[i]
        t, v = ping_pong(p.t_s, p.values, length_s, settings.rate_hz, float(rng.uniform(0, 2 * p.t_s[-1])))
        prepared[i] = prepare(Features(t, np.stack([v, v], 1)), settings)
    parts = [compare_prepared(paired(prepared[i], prepared[j]), settings) for i, j in pairs]
    null = NullSamples.from_windows(
        parts,
        settings,
        "reference",
        f"{len(pairs)} pseudo-pairs of {len({p.clip for p in people})} real people filmed alone, {length_s:g} s each",
    )
    with _LOCK:
        _NULL_CACHE[ident] = null
    return null


def session_null(prep: Prepared, settings: CompareSettings, blocks: int = SESSION_BLOCKS, seed: int = 0) -> NullSamples:
    """The session's own surrogates: stretches of A against B shifted by at least a window plus the largest lag."""
    from mirror.compare.prepare import shifted_pair
    from mirror.compare.windows import compare_prepared

    rate = settings.rate_hz
    n = len(prep.t)
    length = int(round(settings.window_s * rate))
    max_lag = int(round(settings.max_lag_s * rate))
    min_shift = length + max_lag
    block = min(n, max(length + 2 * max_lag + 1, int(round(30.0 * rate)) + length + 2 * max_lag))
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(blocks):
        start = int(rng.integers(0, max(1, n - block + 1)))
        shift = int(rng.integers(min_shift, n - min_shift + 1))
        parts.append(compare_prepared(shifted_pair(prep, start, block, shift), settings))
    return NullSamples.from_windows(
        parts,
        settings,
        "session",
        f"{blocks} stretches of this session with B shifted by {min_shift / rate:g} s or more",
    )


def session_is_long(n_samples: int, settings: CompareSettings) -> bool:
    duration_s = n_samples / settings.rate_hz
    return duration_s >= max(SESSION_NULL_MIN_S, 10 * (settings.window_s + settings.max_lag_s))


def null_to_bytes(null: NullSamples) -> bytes:
    """The samples as ``.npz`` bytes (with their source and description)."""
    buf = io.BytesIO()
    meta = json.dumps({"source": null.source, "description": null.description}).encode()
    np.savez_compressed(buf, meta=np.frombuffer(meta, dtype=np.uint8), **{k: getattr(null, k) for k in NULL_ARRAYS})
    return buf.getvalue()


def null_from_file(path: Path) -> NullSamples | None:
    """Samples written by :func:`null_to_bytes`; None when missing or unreadable."""
    try:
        with np.load(path) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            return NullSamples(**{k: z[k] for k in NULL_ARRAYS}, source=meta["source"], description=meta["description"])
    except (OSError, KeyError, ValueError):
        return None


NULL_VERSION = 19
"""Bumped whenever the comparator's scores change: null samples of another version are not reused."""


_DIGESTS: dict[tuple, str] = {}


def _reference_digest(reference: Path) -> str:
    """SHA-256 of the reference file, read once per version of the file (not at every live analysis)."""
    try:
        st = reference.stat()
    except OSError:
        return "missing"
    key = (str(reference), st.st_mtime_ns, st.st_size)
    with _LOCK:
        if key not in _DIGESTS:
            _DIGESTS[key] = hashlib.sha256(reference.read_bytes()).hexdigest()
        return _DIGESTS[key]


READ_ONLY_SETTINGS = ("alpha", "alpha_run", "run_lag_s")
"""Settings that only read the null (the levels a p-value is held to, how runs continue): not part of its key."""


def null_identity(settings: CompareSettings, reference: Path = NULL_REFERENCE_PATH) -> str:
    """Key of the reference null for these settings: settings, reference file and comparator version."""
    digest = _reference_digest(reference)
    keyed = {k: v for k, v in settings.to_dict().items() if k not in READ_ONLY_SETTINGS}
    return hashlib.sha256(json.dumps([NULL_VERSION, digest, keyed], sort_keys=True).encode()).hexdigest()[:20]


def shipped_null_path(settings: CompareSettings, ident: str | None = None) -> Path:
    """Where the null table of these settings ships (``ident``: their :func:`null_identity`, if known)."""
    return NULL_REFERENCE_PATH.parent / f"preset_null_{ident or null_identity(settings)}.npz"


def reference_null_cached(settings: CompareSettings, cache_dir: Path | None = None) -> NullSamples:
    """:func:`reference_null` through the shipped tables (the presets) and an on-disk cache.

    The first use of other settings computes the null once (seconds) and keeps it in
    ``cache_dir/null`` (default: the landmark cache's folder).
    """
    from mirror.landmarks.cache import default_cache_dir
    from mirror.storage import write_atomic

    ident = null_identity(settings)
    with _LOCK:
        if ident in _NULL_CACHE:
            return _NULL_CACHE[ident]
    cached = cache_dir or default_cache_dir()
    for path in (shipped_null_path(settings, ident), cached / "null" / f"null_{ident}.npz"):
        null = null_from_file(path)
        if null is not None:
            with _LOCK:
                _NULL_CACHE[ident] = null
            return null
    null = reference_null(settings)
    try:
        write_atomic(cached / "null" / f"null_{ident}.npz", null_to_bytes(null))
    except (MirrorError, OSError):
        pass  # an unwritable cache costs the next run the same seconds, nothing else
    with _LOCK:
        _NULL_CACHE[ident] = null
    return null
