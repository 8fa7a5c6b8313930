"""Build step: the model files travel with the package.

``models/`` at the repository root stays the source of truth (``models/README.md``). When a
wheel is built (``pip install .``, ``pip wheel .``, ``python -m build``), the ``.task``
bundles present there, their checksums and licence are copied into ``mirror/models/`` of the
build, so an installed mirror finds them beside its code (``mirror/landmarks/models.py``).
An editable install (``pip install -e .``) reads ``models/`` in place. Everything else is in
``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODELS = Path(__file__).resolve().parent / "models"
SHIPPED = ("*.task", "SHA256SUMS", "LICENSE-Apache-2.0.txt", "README.md")


class BuildWithModels(build_py):
    """``build_py`` that also copies ``models/`` into the built package as ``mirror/models/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the source tree is used in place: models/ is found there
            return
        target = Path(self.build_lib) / "mirror" / "models"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in SHIPPED:
            for path in sorted(MODELS.glob(pattern)):
                shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildWithModels})
