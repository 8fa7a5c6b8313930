from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings

# The property suites draw the same examples on every run (set HYPOTHESIS_PROFILE=explore to
# search afresh): a run that passed here passes in CI, and a failure found is found again.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared" / "data"
SHARED_REASON = f"research footage not present ({SHARED} is absent: it is never copied into the repository)"


def write_video(path: Path, frames: list[np.ndarray], fps: float = 25.0, fourcc: str = "MJPG") -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write test videos here"
    for f in frames:
        writer.write(f)
    writer.release()
    return path


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(SHARED_REASON)
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRROR_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session", autouse=True)
def _session_history(tmp_path_factory):
    """Module and session fixtures that analyse (before any per-test fixture) record into a scratch history too."""
    old = os.environ.get("MIRROR_HISTORY")
    os.environ["MIRROR_HISTORY"] = str(tmp_path_factory.mktemp("history") / "history.sqlite")
    yield
    if old is None:
        os.environ.pop("MIRROR_HISTORY", None)
    else:
        os.environ["MIRROR_HISTORY"] = old


@pytest.fixture(scope="session", autouse=True)
def _every_report_follows_the_schema(tmp_path_factory):
    """At the end of the run, every report.json the suite wrote (under pytest's temporary base folder) must
    validate against docs/report.schema.json; the run fails, naming each one that does not."""
    yield
    from tests.report_fixtures import invalid_reports

    bad = invalid_reports(tmp_path_factory.getbasetemp())
    assert not bad, "reports written by the suite that break docs/report.schema.json:\n" + "\n".join(
        f"  {path}: {problem}" for path, problem in bad
    )


@pytest.fixture(autouse=True)
def _isolated_history(tmp_path, monkeypatch):
    """The session history of every test is its own file: the suite never writes to the user's history."""
    monkeypatch.setenv("MIRROR_HISTORY", str(tmp_path / "history" / "history.sqlite"))


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser), one per test module."""
    from tests.report_fixtures import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


_EXTRACTED: dict = {}


@pytest.fixture(scope="session")
def extracted():
    """Extract a clip once per test session (real MediaPipe models)."""
    from mirror.landmarks import ExtractSettings, extract_video

    def get(path: Path, **settings):
        key = (str(path), tuple(sorted(settings.items())))
        if key not in _EXTRACTED:
            _EXTRACTED[key] = extract_video(path, ExtractSettings(**settings), use_cache=False)
        return _EXTRACTED[key]

    return get
