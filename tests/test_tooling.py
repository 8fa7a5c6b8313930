"""The code stays clean: ruff (lint, import order, formatting) and mypy report nothing.

Both tools are configured in ``pyproject.toml`` and installed by the ``test`` extra, so
the README's test command (which ``.ci/run`` runs) checks them with the rest of the
suite.  Each test prints the tool's own findings when it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=env, timeout=600)


def test_ruff_check_finds_nothing() -> None:
    done = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    done = _run(str(BIN / "ruff"), "format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    done = _run(str(BIN / "mypy"), "--cache-dir", os.devnull)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
