"""``--layout auto`` in the framings people use: both people found, identities kept.

Scenes come from ``tests/scenes.py``: real single people composed into video-call
tiles, a close laptop webcam and side by side upper body (short clips, analysed at
10 fps).  The face-to-face pairs are real two-person clips.  Research-only footage is
read from ``../shared/data`` and its tests skip where it is absent; the MIT clips of
``examples/`` always run.  Generated scenes and their landmarks are cached under
``$MIRROR_FRAMING_CACHE`` (default ``/tmp/framing-cache``) between runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mirror.landmarks import ExtractSettings, Layout, extract_video
from mirror.landmarks.layout import find_tiles
from mirror.landmarks.tracker import IdentityTracker
from tests.conftest import SHARED, SHARED_REASON
from tests.helpers import skeleton
from tests.scenes import PERSON_CLIPS, SCENES_VERSION, Segment, build_scene, identity_errors, write_scene

CACHE = Path(os.environ.get("MIRROR_FRAMING_CACHE", "/tmp/framing-cache"))
SECONDS, FPS = 5.0, 10.0
PLAN = (Segment("mirror", 0.0, 2.5, lag_s=0.5), Segment("none", 2.5, SECONDS))
MIT_PLAN = (Segment("mirror", 0.0, 2.5, lag_s=0.5), Segment("match", 2.5, SECONDS, lag_s=0.3))

# (framing, A, B): real people from ../shared/data/people unless both are MIT examples
SCENES = [
    ("call", "pyfeat_single_face", "pyfeat_single_face"),
    ("webcam", "pyfeat_single_face", "pyfeat_single_face"),
    ("upper_body", "raga_1person", "raga_1person"),
    ("call", "hdtf_aoc_talking", "retalking_man_map"),
    ("call", "hdtf_katiehill_talking", "hdtf_theresa_may"),
    ("call", "vox_jackie_chan_talking", "retalking_woman_glasses"),
    # the lite model's tracking drops Ruth on one frame in ten in her tile: a search of the tile finds her
    ("call", "retalking_woman_glasses", "hdtf_katiehill_talking"),
    ("webcam", "hdtf_katiehill_talking", "retalking_man_map"),
    ("webcam", "hdtf_aoc_talking", "hdtf_theresa_may"),
    ("webcam", "vox_jackie_chan_talking", "retalking_woman_glasses"),
    ("upper_body", "raga_1person", "ted_presenter_gestures"),
    ("upper_body", "retalking_woman_bluebg", "stock_woman_lakeside"),
]
FACING = ["facing_pair_lab.mp4", "highfive_facing.avi", "facing_pair_courtyard.mp4"]
HEAD_POINTS = [0, 2, 5, 7, 8, 11, 12]  # nose, eyes, ears, shoulders: what a head-and-shoulders shot shows


def _scene(framing: str, a: str, b: str):
    clips = PERSON_CLIPS[a], PERSON_CLIPS[b]
    if not all(c.available for c in clips):
        pytest.skip(SHARED_REASON)
    mit = all(c.path.parent.name == "examples" for c in clips)
    return build_scene(framing, clips[0], clips[1], MIT_PLAN if mit else PLAN, fps=FPS)


def _scene_file(scene, name: str) -> Path:
    folder = CACHE / "scenes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"test_{name}_{SECONDS:g}s_{FPS:g}fps_v{SCENES_VERSION}.avi"
    if not path.exists():
        write_scene(scene, path.with_suffix(".part.avi"))
        path.with_suffix(".part.avi").replace(path)
    return path


def _extract(path: Path, model: str = "lite", fps: float | None = FPS):
    settings = ExtractSettings(pose_model=model, fps=fps, layout=Layout("auto"))
    return extract_video(path, settings, cache_dir=CACHE / "landmarks")


def _centers_px(lm) -> np.ndarray:
    from mirror.landmarks.geometry import anchor_px

    w, h = lm.frame_size
    out = np.full((len(lm), 2, 2), np.nan)
    for t in range(len(lm)):
        for slot in (0, 1):
            person = lm.person(t, slot)
            if person is not None:
                out[t, slot] = anchor_px(person, (w, h))
    return out


# ------------------------------------------------------------------ no model
@pytest.mark.parametrize("framing", ["call", "webcam", "upper_body"])
def test_call_tiles_are_found_only_in_a_call(framing):
    a = "pyfeat_single_face" if framing != "upper_body" else "raga_1person"
    scene = build_scene(framing, PERSON_CLIPS[a], PERSON_CLIPS[a], MIT_PLAN[:1], fps=4.0)
    for k in range(0, len(scene.frames), 3):
        tiles = find_tiles(scene.frames[k])
        if framing != "call":
            assert tiles is None
            continue
        assert tiles is not None
        for tile, truth in zip(tiles, scene.boxes_px[k], strict=True):
            assert np.abs(np.array(tile) - truth).max() <= 3, (tile, truth)


@pytest.mark.parametrize("relation", ["mirror", "match"])
def test_scene_b_is_a_shifted_and_flipped_copy_of_a(relation):
    """The builder's truth: in a mirror (match) segment B's picture is A's, lag_s later, flipped (not)."""
    clip = PERSON_CLIPS["pyfeat_single_face"]
    scene = build_scene("call", clip, clip, [Segment(relation, 0.0, 1.5, lag_s=0.4)], fps=10.0)
    assert scene.truth[0].relation == relation and scene.truth[0].lag_s == 0.4
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = scene.boxes_px[0].astype(int)
    rows = slice(ay0 + 8, ay0 + (ay1 - ay0) * 3 // 4)  # inside the border, above the name label
    for k in range(4, len(scene.frames)):
        a = scene.frames[k - 4][rows, ax0 + 8 : ax1 - 8].astype(int)
        b = scene.frames[k][rows, bx0 + 8 : bx1 - 8].astype(int)
        if relation == "mirror":
            b = b[:, ::-1]
        assert np.abs(a - b).mean() < 3.0  # a pixel of centring apart at most, when flipped


def test_real_two_person_rooms_are_not_tiles():
    import cv2

    clips = [Path(__file__).resolve().parents[1] / "examples" / "raga_2people.mp4"]
    clips += [SHARED / "research" / n for n in FACING + ["kitchen_two_men.mp4", "highfive_double.avi"]]
    for path in clips:
        if not path.exists():
            continue
        cap = cv2.VideoCapture(str(path))
        for _ in range(3):
            ok, frame = cap.read()
            assert ok
            assert find_tiles(frame) is None, path.name
        cap.release()


def test_tiles_become_fixed_regions_left_is_A():
    tracker = IdentityTracker(Layout("auto"), (960, 540))
    assert tracker.needs_detection() and tracker.wants_tiles()
    tracker.use_tiles(((489, 144, 940, 398), (19, 144, 470, 398)))
    assert tracker.regions() == [(19, 144, 470, 398), (489, 144, 940, 398)]
    assert not tracker.needs_detection() and tracker.pop_reseeded() == {0, 1}


def test_big_heads_side_by_side_get_regions_short_of_each_other():
    """Head-and-shoulders people close to a webcam: shoulders below the frame, regions bounded between the heads."""
    size = (960, 540)
    tracker = IdentityTracker(Layout("auto"), size)
    a, b = skeleton((-250, 40, 650, 1900), size), skeleton((330, 40, 1230, 1900), size)
    for p, head_x in ((a, 200), (b, 780)):
        p.pose_visibility[11:] = 0.1  # the body below the head is out of view,
        p.pose_image[11, :2] = ((head_x + 400) / size[0], 620 / size[1])  # and the model's guess of the
        p.pose_image[12, :2] = ((head_x - 400) / size[0], 620 / size[1])  # shoulders is wide, below the frame
    tracker.start([b, a])
    ra, rb = tracker.regions()
    head_a, head_b = a.pose_image[0, 0] * size[0], b.pose_image[0, 0] * size[0]
    assert ra[0] <= head_a - 40 and ra[2] < head_b - 60
    assert rb[2] >= head_b + 40 and rb[0] > head_a + 60


# ------------------------------------------------------------ real MediaPipe
def _check_scene(framing: str, a: str, b: str) -> None:
    scene = _scene(framing, a, b)
    lm = _extract(_scene_file(scene, f"{framing}_{a}_{b}"))
    info = lm.info
    present = lm.pose_present
    n = min(len(lm), len(scene.frames))
    assert n >= 0.95 * len(scene.frames)
    assert info.both_present_rate >= 0.95, info.present_rate
    assert info.identity_swaps == 0
    assert identity_errors(_centers_px(lm)[:n], present[:n], scene.boxes_px[:n]) == 0
    if framing == "call":
        assert info.call_tiles is not None
    if PERSON_CLIPS[a].shot == "head" and PERSON_CLIPS[b].shot == "head":
        # head-and-shoulders: what is in view is recorded for each person, the face included
        seen = lm.pose_visibility[:, :, HEAD_POINTS] > 0.5
        assert seen[present].mean() >= 0.9
        assert min(info.face_present_rate.values()) >= 0.9
        faces = lm.face_present
        assert np.isfinite(lm.head_pose_deg[faces]).all() and np.isfinite(lm.blendshapes[faces]).all()


@pytest.mark.model
@pytest.mark.parametrize("framing, a, b", SCENES[:3], ids=[f"{f}-mit" for f, _, _ in SCENES[:3]])
def test_auto_keeps_both_people_mit(framing, a, b):
    _check_scene(framing, a, b)


@pytest.mark.model
@pytest.mark.parametrize(
    "framing, a, b", SCENES[3:], ids=[f"{f}-{a.split('_')[1]}-{b.split('_')[1]}" for f, a, b in SCENES[3:]]
)
def test_auto_keeps_both_people_real(framing, a, b):
    _check_scene(framing, a, b)


@pytest.mark.model
@pytest.mark.parametrize("name", FACING)
def test_auto_keeps_both_people_face_to_face(shared_data, name):
    lm = _extract(shared_data / "research" / name, fps=12.5)
    info = lm.info
    assert info.both_present_rate >= 0.95, info.present_rate
    assert info.identity_swaps == 0
    assert info.call_tiles is None


@pytest.mark.model
def test_solo_practice_finds_one_head_and_shoulders_person_per_stream(shared_data):
    """``mirror live --partner-video``: each stream is analysed on its own, one person each."""
    import cv2

    from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
    from mirror.live.estimate import SoloEstimator

    backend = MediaPipeBackend("lite")
    try:
        for name in ("hdtf_aoc_talking", "pyfeat_single_face"):
            estimator = SoloEstimator(backend)
            cap = cv2.VideoCapture(str(PERSON_CLIPS[name].path))
            found = faces = n = 0
            for k in range(50):
                ok, frame = cap.read()
                if not ok:
                    break
                if k % 2:
                    continue
                person = estimator(frame, k / 25.0)
                n += 1
                found += person is not None
                faces += person is not None and person.face is not None
            cap.release()
            estimator.close()
            assert found >= 0.95 * n and faces >= 0.9 * n, (name, found, faces, n)
    finally:
        backend.close()


@pytest.mark.model
def test_mirror_extract_on_a_call_recording(tmp_path, capsys):
    """The CLI on a generated call-tile clip (MIT footage): both people in every frame, the tiles recorded."""
    from mirror.cli import app

    scene = build_scene(
        "call", PERSON_CLIPS["pyfeat_single_face"], PERSON_CLIPS["pyfeat_single_face"], MIT_PLAN[:1], fps=FPS
    )
    clip = write_scene(scene, tmp_path / "call.avi")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["extract", str(clip), "--out", str(out), "--fps", "10", "--no-progress", "--no-cache"]
    )
    with capsys.disabled():
        print("\n$ mirror extract call.avi --out out --fps 10\n" + result.output.rstrip())
    assert result.exit_code == 0, result.output
    assert "both people found in 100.0 %" in result.output
    info = json.loads((out / "extract.json").read_text())
    assert np.abs(np.array(info["call_tiles"]) - scene.boxes_px[0]).max() <= 3
    assert info["identity_swaps"] == 0


def _blob_call_video(tmp_path, n: int = 30):
    """A call recording for the stand-in model: two textured tiles on a dark window, a white person in each."""
    import cv2

    from tests.conftest import write_video

    w, h = 320, 180
    rng = np.random.default_rng(3)
    texture = cv2.resize(rng.integers(30, 90, (12, 19), dtype=np.uint8), (150, 96), interpolation=cv2.INTER_NEAREST)
    tiles = ((6, 42, 156, 138), (164, 42, 314, 138))
    frames = []
    for i in range(n):
        frame = np.full((h, w, 3), 20, np.uint8)
        for k, (x0, y0, x1, y1) in enumerate(tiles):
            frame[y0:y1, x0:x1] = texture[:, :, None]
            px = x0 + 40 + (i % 10) * (1 if k == 0 else -1)  # each person sways inside their tile
            frame[y0 + 20 : y1, px : px + 60] = 255
        frames.append(frame)
    return write_video(tmp_path / "call.avi", frames, fps=10), tiles


def test_call_tiles_are_found_again_when_an_extraction_resumes(tmp_path):
    from tests.helpers import BlobBackend

    path, tiles = _blob_call_video(tmp_path)
    settings = ExtractSettings(backfill=False)
    seen = []

    def stop_after_12(n):
        seen.append(n)
        if len(seen) == 12:
            raise KeyboardInterrupt

    first = extract_video(path, settings, backend=BlobBackend(), cache_dir=tmp_path / "c", progress=stop_after_12).info
    assert first.interrupted and np.abs(np.array(first.call_tiles) - tiles).max() <= 2
    lm = extract_video(path, settings, backend=BlobBackend(), cache_dir=tmp_path / "c")
    info = lm.info
    assert info.resumed_from_frames == 12 and np.abs(np.array(info.call_tiles) - tiles).max() <= 2
    assert lm.pose_present.all() and info.identity_swaps == 0
    x = lm.pose_image[:, :, 0, 0] * 320  # each person's nose stays in their own tile
    assert (x[:, 0] < tiles[0][2]).all() and (x[:, 1] > tiles[1][0]).all()
