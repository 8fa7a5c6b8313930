"""How well blendshape left/right pairs follow a horizontal flip, on real faces.

For each clip the landmarks are extracted from the video and from its mirror
image; for every Left/Right blendshape pair the flipped run's Left score is
compared with the original's Right score (and vice versa).  Pairs with a high
correlation and a small error are the ones the face channel uses
(``mirror.features.body.FACE_PAIRS``).

    python benchmarks/bench_face_flip.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirror.landmarks import ExtractSettings, extract_video
from mirror.landmarks.skeleton import BLENDSHAPE_FLIP, BLENDSHAPE_NAMES

REPO = Path(__file__).resolve().parents[1]
CLIPS = [REPO / "examples" / "pyfeat_single_face.mp4", REPO / "examples" / "raga_2people.mp4"]


def main() -> None:
    orig_all, back_all = [], []
    for clip in CLIPS:
        lm = extract_video(clip, ExtractSettings(), use_cache=False)
        fl = extract_video(clip, ExtractSettings(mirrored_input=True), use_cache=False)
        back = fl.flipped()
        if clip.name != "pyfeat_single_face.mp4":
            back = back.swapped_people()
        ok = lm.face_present & back.face_present
        orig_all.append(lm.blendshapes[ok])
        back_all.append(back.blendshapes[ok])
    a, b = np.concatenate(orig_all), np.concatenate(back_all)
    print(f"{len(a)} face samples from {', '.join(c.name for c in CLIPS)}")
    print(f"{'pair':24s} {'corr':>6s} {'MAE':>6s} {'range':>6s}")
    for i, name in enumerate(BLENDSHAPE_NAMES):
        if not name.endswith("Left") or BLENDSHAPE_FLIP[i] == i:
            continue
        x, y = a[:, i], b[:, i]
        spread = float(np.ptp(x))
        corr = float(np.corrcoef(x, y)[0, 1]) if x.std() > 1e-6 and y.std() > 1e-6 else float("nan")
        print(f"{name[:-4]:24s} {corr:6.2f} {np.mean(np.abs(x - y)):6.3f} {spread:6.3f}")


if __name__ == "__main__":
    main()
