"""An installed mirror works anywhere: a built wheel, in a fresh environment, run from another folder.

The wheel is built from a copy of the sources (so the repository gets no ``build/``), installed
into a fresh virtual environment with ``--no-deps``, and finds its heavy dependencies (MediaPipe,
OpenCV, ...) through a path file pointing at this environment's site-packages, so nothing is
downloaded again but the build backend. The editable install's import hook is not on that path:
the ``mirror`` that runs is the wheel's, with the models it carries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO

SOURCES = ("pyproject.toml", "setup.py", "README.md", "mirror", "models")


def _run(args: list, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment holding the built wheel; returns its ``bin`` folder."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "models"))
        else:
            shutil.copy(path, src / name)
    shutil.copytree(REPO / "models", src / "models", dirs_exist_ok=True)
    wheels = base / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", wheels, src], cwd=base)
    (wheel,) = wheels.glob("mirror-*.whl")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    _run([bin_dir / "python", "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel], cwd=base)
    site = Path(
        _run(
            [bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base
        ).stdout.strip()
    )
    (site / "zz_mirror_test_deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )  # the dependencies, after the wheel
    return bin_dir


def _clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIRROR_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), MIRROR_CACHE_DIR=str(home / "cache"), MIRROR_HISTORY=str(home / "history.sqlite"))
    return env


@pytest.mark.slow
def test_the_wheel_carries_its_models_and_analyses_from_any_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env(tmp_path)
    mirror = installed / "mirror"

    where = _run([installed / "python", "-c", "import mirror; print(mirror.__file__)"], cwd=elsewhere, env=env).stdout
    assert str(installed.parent) in where, f"the wheel's mirror should run, not {where}"

    info = _run([mirror, "info"], cwd=elsewhere, env=env).stdout
    assert "(installed with the package)" in info and str(installed.parent) in info, info
    for name in ("pose_landmarker_lite.task", "face_landmarker.task"):
        assert any(name in line and " ok " in line for line in info.splitlines()), info

    clip = elsewhere / "clip.mp4"
    shutil.copy(EXAMPLES / "raga_2people.mp4", clip)
    done = _run(
        [mirror, "analyze", "clip.mp4", "--out", "out", "--fps", "5", "--surrogates", "0",
         "--no-progress", "--no-history"],
        cwd=elsewhere, env=env,
    )  # fmt: skip
    assert "both people in view" in done.stdout, done.stdout
    report = json.loads((elsewhere / "out" / "report.json").read_text())
    models_used = report["provenance"]["landmarks"]["backend"]["models"]
    assert models_used["pose_landmarker_lite.task"].startswith("6462885f") and not report["provenance"][
        "landmarks"
    ].get("from_cache")
    assert not (elsewhere / "out" / ".mirror.lock").exists()

    # $MIRROR_MODELS_DIR still overrides the models the package carries
    env["MIRROR_MODELS_DIR"] = str(tmp_path / "no-models-here")
    info = _run([mirror, "info"], cwd=elsewhere, env=env).stdout
    assert f"models in {tmp_path / 'no-models-here'} ($MIRROR_MODELS_DIR)" in info and "missing" in info
