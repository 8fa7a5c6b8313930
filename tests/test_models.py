import shutil

import pytest

from mirror.errors import MirrorError
from mirror.landmarks import models


def test_committed_models_are_intact():
    status = models.model_status()
    for name in ("pose_landmarker_lite.task", "pose_landmarker_full.task", "face_landmarker.task"):
        assert status[name] == "ok"
    assert models.pose_model_path("lite").name == "pose_landmarker_lite.task"


def test_sha256sums_file_matches_the_checked_checksums():
    lines = (models.models_dir() / "SHA256SUMS").read_text().split("\n")
    listed = dict(reversed(line.split()) for line in lines if line.strip())
    for name, digest in listed.items():
        assert models.SHA256[name] == digest


def test_corrupt_and_missing_models_say_how_to_rebuild(tmp_path, monkeypatch):
    shutil.copy(models.models_dir() / "face_landmarker.task", tmp_path / "face_landmarker.task")
    with open(tmp_path / "face_landmarker.task", "r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02\x03")
    monkeypatch.setenv("MIRROR_MODELS_DIR", str(tmp_path))
    with pytest.raises(MirrorError) as err:
        models.model_path("face_landmarker.task")
    assert "corrupt" in str(err.value) and "models/build.sh" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(MirrorError, match="missing.*models/build.sh"):
        models.pose_model_path("lite")
    with pytest.raises(MirrorError, match="choose one of: lite, full, heavy"):
        models.pose_model_path("huge")
