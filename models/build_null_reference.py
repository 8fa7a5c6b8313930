"""Build the comparator's null reference: the features of real people who never interacted.

Each clip holds one real person, filmed alone.  Pairs of two such people can show
only chance synchrony, so the comparator's scores on them are the null against
which a real session's windows are judged (``mirror/compare/nulls.py``, ``mirror/compare/calibrate.py``).  What
ships is the features (numbers, no pictures) of every person, once per pose model,
so that the null can be computed for any window length and lag range.

    python models/build_null_reference.py [--shared ../shared/data] [--cache-dir DIR]
    python models/build_null_reference.py --tables-only

``--tables-only`` keeps the reference and rebuilds only the presets' null tables from it (after a
change of the comparator's scores, which bumps ``NULL_VERSION``).

Footage: ``../shared/data/people`` (single real people: head-and-shoulders, upper body,
whole body; see its README) and the MIT clips of ``examples/``.  Clips with shot cuts,
two people, or fewer than 10 frames a second are left out (listed in ``EXCLUDED``).
Landmarks are extracted at 15 frames a second with each pose model; the output is
``mirror/compare/data/null_reference.npz``.  The same footage and code give the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mirror.compare import PRESETS, adapted_windows, smoothing_levels  # noqa: E402
from mirror.compare.nulls import (  # noqa: E402
    NULL_REFERENCE_PATH,
    null_to_bytes,
    reference_key,
    reference_null,
    shipped_null_path,
)
from mirror.features import FEATURES, compute_features  # noqa: E402
from mirror.landmarks import ExtractSettings, extract_video  # noqa: E402
from mirror.storage import write_atomic  # noqa: E402

EXCLUDED = {
    "hamilton_mic_performer.mp4": "shot cuts (a face close-up and an audience shot)",
    "two_children_bed_jumping.mp4": "two people interacting",
    "squats_fitness.mp4": "5 frames a second",
}
MIN_DURATION_S = 4.5
"""Shorter clips would repeat within one window when played forwards and backwards."""
MIT_CLIPS = ("raga_1person.mp4", "pyfeat_single_face.mp4")
MODELS = ("lite", "full")
FPS = 15.0


def clips(shared: Path) -> list[Path]:
    people = sorted(p for p in (shared / "people").glob("*.mp4") if p.name not in EXCLUDED)
    return people + [REPO / "examples" / name for name in MIT_CLIPS]


def person_features(path: Path, model: str, cache_dir: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """``(T,)`` times and ``(T, F)`` features of the clip's one person (the slot seen most)."""
    landmarks = extract_video(path, ExtractSettings(pose_model=model, fps=FPS), cache_dir=cache_dir, face_mesh=False)
    slot = int(np.argmax(landmarks.pose_present.sum(0)))
    features = compute_features(landmarks)
    return features.t_s - features.t_s[0], features.values[:, slot].astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=NULL_REFERENCE_PATH)
    parser.add_argument("--tables-only", action="store_true", help="rebuild only the presets' null tables")
    args = parser.parse_args()
    if args.tables_only:
        preset_tables()
        return
    if not (args.shared / "people").is_dir():
        raise SystemExit(f"error: {args.shared / 'people'} not found (the real single-person footage)")
    arrays: dict[str, np.ndarray] = {}
    people = []
    for path in clips(args.shared):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        for model in MODELS:
            t_s, values = person_features(path, model, args.cache_dir)
            seen = float(np.mean(~np.isnan(values).all(1)))
            print(f"{path.name:36s} {model:4s} {len(t_s):4d} frames, seen in {100 * seen:5.1f} %", flush=True)
            if t_s[-1] < MIN_DURATION_S:
                print(f"    left out: shorter than {MIN_DURATION_S:g} s", flush=True)
                continue
            if seen < 0.5:
                print("    left out: the person is seen in under half of the frames", flush=True)
                continue
            key = reference_key(path.stem, model)
            arrays[f"{key}/t_s"] = t_s.astype(np.float32)
            arrays[f"{key}/values"] = values
            people.append({"key": key, "clip": path.name, "sha256": digest, "model": model, "frames": len(t_s)})
    meta = {
        "format": "mirror.null_reference",
        "version": 1,
        "features": [s.name for s in FEATURES],
        "fps": FPS,
        "people": people,
        "excluded": EXCLUDED,
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    import io

    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    write_atomic(args.out, buf.getvalue())
    print(f"wrote {args.out} ({len(people)} person-model series, {args.out.stat().st_size // 1024} KB)")
    if args.out == NULL_REFERENCE_PATH:
        preset_tables()


def preset_tables() -> None:
    """The presets' null tables, from the shipped reference (the old tables go)."""
    for old in NULL_REFERENCE_PATH.parent.glob("preset_null_*.npz"):
        old.unlink()
    ready = (
        [(name, s) for name, s in PRESETS.items()]
        + [("live, short clip", s) for s in adapted_windows(PRESETS["live"])]
        + [(f"{name}, people small in the picture", s) for name, p in PRESETS.items() for s in smoothing_levels(p)]
    )
    for name, settings in ready:  # the presets' null tables ship ready: no first-use wait
        null = reference_null(settings)
        path = shipped_null_path(settings)
        write_atomic(path, null_to_bytes(null))
        print(
            f"wrote {path.name}: null of the {name} preset ({settings.window_s:g} s windows, "
            f"{settings.smooth_s:g} s smoothing), "
            f"{len(null)} windows ({null.description})"
        )


if __name__ == "__main__":
    main()
