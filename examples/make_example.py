"""Make ``examples/rapport_demo.mp4``: one real woman beside copies of herself, with a known plan.

The woman of ``raga_1person.mp4`` (MIT, see ``ATTRIBUTION.md``) sits on the left (A) the
whole time. Who sits on the right (B) changes stretch by stretch (:data:`PLAN`):

- **match**: B is A's own picture, not flipped, 1 s *ahead* of her: A does what B did a
  second before, on the same side, so A matches B;
- **mirror**: the same, flipped left-right: a flip swaps anatomical sides, so A mirrors B,
  1 s behind her;
- **none**: B is someone else, the face of ``pyfeat_single_face.mp4`` (MIT); nobody copies
  anybody;
- **mechanical**: B is A's exact picture 0.4 s ahead of her: A repeats every gesture of B at
  once, always at the same delay, which is what mechanical imitation looks like.

Each stretch holds several whole 4 s windows (the natural ones are 12 s long: the comparator
judges posture changes against a moving average over two windows).

A is the follower throughout (she copies B), so the mechanical stretch is judged against
her natural copies of the first two stretches.

Each person's picture is cropped from its clip, placed side by side on the blurred corner
of the raga stage, and written at 25 fps, 960x540, H.264, 58 s (``av``, from the ``test`` extra).
Clips shorter than the video play forwards then backwards (``tests/scenes.py``). The frames
are a pure function of the two clips and :data:`PLAN`: run it again and the same frames come
out. ``tests/test_example.py`` analyses the shipped video and checks that what ``mirror
analyze`` finds is where this plan put it.

Run from the repository root::

    .venv/bin/python examples/make_example.py            # writes examples/rapport_demo.mp4
    .venv/bin/python examples/make_example.py --out x.mp4
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "rapport_demo.mp4"
FPS = 25
SIZE = (960, 540)


@dataclass(frozen=True)
class Stretch:
    """One stretch of the example: what B does, from ``start_s`` to ``end_s``.

    ``lag_s`` is how far B is behind A (negative: B is ahead, so A follows B).
    ``copier`` is who copies whom, when someone does.
    """

    relation: str  # "mirror", "match", "none" or "mechanical"
    start_s: float
    end_s: float
    lag_s: float
    copier: str | None

    @property
    def label(self) -> str:
        """The comparator's label for this stretch: a mechanical copy is an unflipped one, so a match."""
        return "match" if self.relation == "mechanical" else self.relation


PLAN: tuple[Stretch, ...] = (
    Stretch("match", 0.0, 12.0, -1.0, "A"),
    Stretch("mirror", 12.0, 24.0, -1.0, "A"),
    Stretch("none", 24.0, 30.0, float("nan"), None),
    Stretch("mechanical", 30.0, 58.0, -0.4, "A"),
)
"""The truth of the shipped example, read by ``tests/test_example.py``."""


def build(out: Path = OUT) -> Path:
    sys.path.insert(0, str(REPO))
    import av
    import numpy as np

    from tests.scenes import PERSON_CLIPS, Segment, Stream, build_scene

    woman, other = PERSON_CLIPS["raga_1person"], PERSON_CLIPS["pyfeat_single_face"]
    segments = []
    for s in PLAN:  # B shows the woman lag_s later (negative: earlier), flipped for a mirror
        if s.relation == "none":
            segments.append(Segment("none", s.start_s, s.end_s, 0.0))
        else:
            b = Stream(woman, s.lag_s, flip=s.relation == "mirror")
            segments.append(Segment("mirror" if b.flip else "match", s.start_s, s.end_s, s.lag_s, b_stream=b))
    scene = build_scene("upper_body", woman, other, segments, fps=FPS, size=SIZE, background=woman)
    out = Path(out)
    with av.open(str(out), "w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "30", "preset": "slow", "threads": "1"}  # one thread: the same bytes every run
        for frame in scene.frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"video to write (default {OUT.relative_to(REPO)})")
    path = build(parser.parse_args().out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
