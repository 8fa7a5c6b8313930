"""The landmark pipeline and its cache, driven by a stand-in model that reads pixels."""

import json

import numpy as np
import pytest

from mirror.errors import MirrorError
from mirror.landmarks import ExtractSettings, LandmarkCache, Layout, extract_landmarks, extract_video
from mirror.landmarks.estimate import head_box_px
from mirror.sources import VideoFileSource
from tests.conftest import write_video
from tests.helpers import BlobBackend, draw_scene, skeleton

SIZE = (320, 240)


def _scene_video(tmp_path, n=60):
    """A on the left, B on the right walking a little; B leaves for frames 20-29."""
    frames, truth = [], []
    for i in range(n):
        a = (30 + i // 4, 40, 100 + i // 4, 220)
        b = (200 - i // 6, 30, 270 - i // 6, 230)
        boxes = [a] if 20 <= i < 30 else [a, b]
        frames.append(draw_scene(boxes, SIZE))
        truth.append((a, None if 20 <= i < 30 else b))
    return write_video(tmp_path / "scene.avi", frames, fps=20), truth


def _centers(box):
    return (box[0] + box[2]) / 2 / SIZE[0]


def test_two_people_tracked_with_a_gap_recorded_as_missing(tmp_path):
    path, truth = _scene_video(tmp_path)
    with VideoFileSource(path) as src:
        lm = extract_landmarks(src, BlobBackend(), Layout("auto"))
        info = lm.info
    assert len(lm) == 60
    present = lm.pose_present
    assert present[:, 0].all()
    assert not present[20:30, 1].any()  # missing, never invented
    assert present[:20, 1].all() and present[33:, 1].all()  # found again within a few frames
    shoulders = lm.pose_image[:, :, [11, 12], 0].mean(-1)
    for t, (a, b) in enumerate(truth):
        assert abs(shoulders[t, 0] - _centers(a)) < 0.02
        if b is not None and present[t, 1]:
            assert abs(shoulders[t, 1] - _centers(b)) < 0.02
    assert info.identity_swaps == 0
    assert lm.face_present[:, 0].all()
    np.testing.assert_allclose(lm.t_s, np.arange(60) / 20, atol=1e-3)


def test_flipped_video_gives_flipped_landmarks_with_people_exchanged(tmp_path):
    path, _ = _scene_video(tmp_path, n=12)
    with VideoFileSource(path) as src:
        lm = extract_landmarks(src, BlobBackend(), Layout("auto"))
    with VideoFileSource(path, mirrored_input=True) as src:
        mirrored = extract_landmarks(src, BlobBackend(), Layout("auto"))
    back = mirrored.flipped().swapped_people()
    # the stand-in model is not mirror-symmetric inside a blob, so compare the torso centres
    centre = lambda x: x.pose_image[:, :, [11, 12, 23, 24], :2].mean(2)  # noqa: E731
    np.testing.assert_allclose(centre(back), centre(lm), atol=2 / SIZE[0])


def test_interrupted_extraction_resumes_without_recomputing(tmp_path):
    path, _ = _scene_video(tmp_path)
    settings = ExtractSettings(fps=10, backfill=False)  # count the forward pass's model calls only
    ref = extract_video(path, settings, backend=BlobBackend(), use_cache=False)

    seen = []

    def stop_after_17(n):
        seen.append(n)
        if len(seen) == 17:
            raise KeyboardInterrupt

    backend = BlobBackend()
    lm1 = extract_video(path, settings, backend=backend, cache_dir=tmp_path / "c", progress=stop_after_17)
    info1 = lm1.info
    assert info1.interrupted and len(lm1) == 17
    backend2 = BlobBackend()
    lm2 = extract_video(path, settings, backend=backend2, cache_dir=tmp_path / "c")
    info2 = lm2.info
    assert info2.resumed_from_frames == 17 and info2.frames_this_run == len(ref) - 17
    assert backend2.pose_calls <= 2 * (len(ref) - 17)
    for name in ("t_s", "frame_index"):
        np.testing.assert_array_equal(getattr(lm2, name), getattr(ref, name))
    np.testing.assert_array_equal(lm2.pose_present, ref.pose_present)
    np.testing.assert_array_equal(lm2.pose_image[:17], ref.pose_image[:17])  # the cached part, as it was
    # after the resume, tracking starts from the last cached frame: the same people within 4 px
    np.testing.assert_allclose(lm2.pose_image, ref.pose_image, atol=4 / SIZE[0], equal_nan=True)
    # third run: complete in the cache, no model at all
    lm3 = extract_video(path, settings, backend=None, cache_dir=tmp_path / "c")
    info3 = lm3.info
    assert info3.from_cache and len(lm3) == len(ref)


def test_cache_key_depends_on_content_and_settings(tmp_path):
    base = {"source_sha256": "a", "models": {"m": "1"}, "settings": {"fps": None}}
    keys = {
        LandmarkCache(tmp_path, base).key,
        LandmarkCache(tmp_path, {**base, "source_sha256": "b"}).key,
        LandmarkCache(tmp_path, {**base, "models": {"m": "2"}}).key,
        LandmarkCache(tmp_path, {**base, "settings": {"fps": 15}}).key,
    }
    assert len(keys) == 4


def test_damaged_cache_chunk_is_redone(tmp_path):
    path, _ = _scene_video(tmp_path, n=30)
    settings = ExtractSettings()
    from mirror.landmarks import extract as ex

    orig = ex.extract_landmarks

    def small_chunks(*a, **k):
        k["chunk_frames"] = 10
        return orig(*a, **k)

    ex.extract_landmarks = small_chunks
    try:
        extract_video(path, settings, backend=BlobBackend(), cache_dir=tmp_path / "c")
        chunks = sorted((tmp_path / "c").rglob("chunk_*.npz"))
        assert len(chunks) == 3
        final = next((tmp_path / "c").rglob("final.npz"))
        intact = extract_video(path, settings, backend=BlobBackend(), cache_dir=tmp_path / "c")
        info = intact.info
        assert info.from_cache and len(intact) == 30  # the finished result does not need the chunks
        chunks[1].write_bytes(b"broken")
        final.write_bytes(b"broken too")
        backend = BlobBackend()
        lm = extract_video(path, settings, backend=backend, cache_dir=tmp_path / "c")
        info = lm.info
    finally:
        ex.extract_landmarks = orig
    assert len(lm) == 30 and info.resumed_from_frames == 10 and not info.from_cache
    both = lm.pose_present & intact.pose_present
    assert (lm.pose_present != intact.pose_present).sum() <= 3  # B's return may be seen a frame or two apart
    np.testing.assert_allclose(lm.pose_image[both], intact.pose_image[both], atol=4 / SIZE[0])


def test_head_box_is_square_around_the_head():
    person = skeleton((100, 50, 200, 350), (640, 480))
    x0, y0, x1, y1 = head_box_px(person, (640, 480))
    nose = person.pose_image[0, :2] * (640, 480)
    assert x0 < nose[0] < x1 and y0 < nose[1] < y1
    assert abs((x1 - x0) - (y1 - y0)) <= 2


def test_empty_source_is_an_error(tmp_path):
    path, _ = _scene_video(tmp_path, n=5)
    with VideoFileSource(path, start_index=99) as src:
        with pytest.raises(MirrorError, match="no frames to analyse"):
            extract_landmarks(src, BlobBackend())


def test_backward_pass_recovers_a_person_found_late(tmp_path):
    """B cannot be found from scratch for 12 frames but can be tracked: the backward pass recovers them."""
    frames = []
    for i in range(40):
        boxes = [(30, 40, 100, 220), (200, 30, 270, 230)]
        frames.append(draw_scene(boxes, SIZE, hard=(1,) if i < 12 else ()))
    path = write_video(tmp_path / "late.avi", frames, fps=20)
    forward = extract_video(path, ExtractSettings(backfill=False), backend=BlobBackend(), use_cache=False)
    missed = int((~forward.pose_present[:, 1]).sum())
    assert not forward.pose_present[:12, 1].any() and forward.pose_present[20:, 1].all() and missed >= 12
    full = extract_video(path, ExtractSettings(), backend=BlobBackend(), cache_dir=tmp_path / "c")
    info = full.info
    assert full.pose_present.all()
    assert info.backfilled_frames == {"A": 0, "B": missed} and info.both_present_rate == 1.0
    # B stands still: every recovered frame puts B where the found frames do
    np.testing.assert_allclose(full.pose_image[:12, 1], np.repeat(full.pose_image[25:26, 1], 12, 0), atol=2 / SIZE[0])
    again = extract_video(path, ExtractSettings(), backend=None, cache_dir=tmp_path / "c")
    info2 = again.info
    assert info2.from_cache and again.pose_present.all()


def test_backward_pass_never_takes_the_other_persons_body(tmp_path):
    """B only appears at frame 12; before that the walk back must not land on A."""
    frames = []
    for i in range(30):
        boxes = [(30, 40, 100, 220)] + ([(200, 30, 270, 230)] if i >= 12 else [])
        frames.append(draw_scene(boxes, SIZE))
    path = write_video(tmp_path / "enter.avi", frames, fps=20)
    lm = extract_video(path, ExtractSettings(), backend=BlobBackend(), use_cache=False)
    info = lm.info
    assert not lm.pose_present[:12, 1].any() and lm.pose_present[12:, 1].all()
    assert info.identity_swaps == 0


def test_slim_landmarks_hold_no_face_mesh_and_the_cache_keeps_every_mesh(tmp_path, monkeypatch):
    """Analysis reads slim landmarks; the cache, assembled chunk by chunk, still gives the full result."""
    frames = []
    for i in range(40):
        boxes = [(30, 40, 100, 220), (200, 30, 270, 230)]
        frames.append(draw_scene(boxes, SIZE, hard=(1,) if i < 12 else ()))
    path = write_video(tmp_path / "late.avi", frames, fps=20)
    full = extract_video(path, ExtractSettings(), backend=BlobBackend(), use_cache=False)
    assert full.has_face_mesh and full.face_present[:12, 1].any()  # B's faces come from the backward pass

    from mirror.landmarks import extract as extract_module

    monkeypatch.setattr(extract_module, "CHUNK_FRAMES", 7)  # recovered frames span several chunks
    slim = extract_video(path, ExtractSettings(), backend=BlobBackend(), cache_dir=tmp_path / "c", face_mesh=False)
    info = slim.info
    assert not slim.has_face_mesh and slim.face.shape[2] == 1
    assert slim.face.nbytes * 400 < full.face.nbytes
    for name in ("pose_image", "pose_world", "pose_visibility", "head_pose_deg", "blendshapes"):
        np.testing.assert_array_equal(getattr(slim, name), getattr(full, name))
    assert np.array_equal(slim.face_present, full.face_present)
    assert info.backfilled_frames["B"] >= 12
    # the finished entry was written chunk by chunk from the slim result and the recovered meshes
    again = extract_video(path, ExtractSettings(), backend=None, cache_dir=tmp_path / "c")
    info2 = again.info
    assert info2.from_cache and again.has_face_mesh
    np.testing.assert_array_equal(again.face, full.face)
    np.testing.assert_array_equal(again.pose_image, full.pose_image)
    slim_again = extract_video(path, ExtractSettings(), backend=None, cache_dir=tmp_path / "c", face_mesh=False)
    assert not slim_again.has_face_mesh and np.array_equal(slim_again.face_present, full.face_present)
    manifest = json.loads(next((tmp_path / "c").rglob("manifest.json")).read_text())
    assert len(manifest["final"]) == len(manifest["chunks"]) == 6


@pytest.mark.parametrize(
    "manifest",
    [
        '{"format": "someone.else", "format_version": 1, '
        '"chunks": [{"file": "chunk_000000.npz", "frames": 30}], "complete": true}',
        '{"format": "mirror.landmark-cache", "format_version": 99, "complete": true}',
        "not json at all",
    ],
)
def test_foreign_or_garbled_cache_manifest_is_not_trusted(tmp_path, manifest):
    path, _ = _scene_video(tmp_path, n=20)
    settings = ExtractSettings(backfill=False)
    first = extract_video(path, settings, backend=BlobBackend(), cache_dir=tmp_path / "c")
    entry = next((tmp_path / "c").rglob("manifest.json"))
    entry.write_text(manifest)
    backend = BlobBackend()
    again = extract_video(path, settings, backend=backend, cache_dir=tmp_path / "c")
    info = again.info
    assert not info.from_cache and info.resumed_from_frames == 0 and backend.pose_calls > 0  # recomputed
    np.testing.assert_array_equal(again.pose_present, first.pose_present)
    assert json.loads(entry.read_text())["format"] == "mirror.landmark-cache"  # and the entry rewritten


def test_backward_pass_holds_only_the_frames_of_open_gaps(tmp_path):
    """Two separate gaps of B: the frames of the first are dropped before the second is read."""
    import weakref

    from mirror.landmarks.backfill import backfill_landmarks
    from mirror.sources import VideoFileSource

    frames = []
    for i in range(70):
        a, b = (30, 40, 100, 220), (200, 30, 270, 230)
        if 30 <= i < 40:
            frames.append(draw_scene([a], SIZE))  # B away
        else:
            frames.append(draw_scene([a, b], SIZE, hard=(1,) if i < 12 or 40 <= i < 50 else ()))
    path = write_video(tmp_path / "two_gaps.avi", frames, fps=20)
    forward = extract_video(path, ExtractSettings(backfill=False), backend=BlobBackend(), use_cache=False)
    assert not forward.pose_present[:12, 1].any() and not forward.pose_present[40:50, 1].any()
    early = int((~forward.pose_present[:30, 1]).sum())  # the grey start, and a frame or two to find B
    alive: list = []
    most = [0]

    class Watched(VideoFileSource):
        def __iter__(self):
            for frame in super().__iter__():
                alive.append(weakref.ref(frame.image))
                most[0] = max(most[0], sum(r() is not None for r in alive))
                yield frame

    full = backfill_landmarks(forward, lambda: Watched(path), BlobBackend())
    assert full.info.backfilled_frames == {"A": 0, "B": early + 10}  # back to the start, and back to where B came in
    assert (
        full.pose_present[:12, 1].all() and full.pose_present[40:50, 1].all() and not full.pose_present[30:40, 1].any()
    )
    assert most[0] <= 21 + 2 < early + 21  # the later gap's frames (30-50), never both gaps at once


# Values that differ from each settings field's default; a field that is neither here nor a
# bool or a number makes the test below fail until it is given one (and so is checked).
_OTHER_VALUES = {
    ("ExtractSettings", "pose_model"): "full",
    ("ExtractSettings", "fps"): 15.0,
    ("Layout", "mode"): "split",
    ("Layout", "regions"): ((0.0, 0.0, 0.4, 1.0), (0.6, 0.0, 1.0, 1.0)),
}


def _changed(owner, f):
    """``owner`` with field ``f`` set to another valid value."""
    import dataclasses

    value = getattr(owner, f.name)
    key = (type(owner).__name__, f.name)
    if key in _OTHER_VALUES:
        other = _OTHER_VALUES[key]
    elif isinstance(value, bool):
        other = not value
    elif isinstance(value, (int, float)):
        other = value + 0.125
    else:
        raise AssertionError(f"give {key} another value in _OTHER_VALUES: its change must be shown to key the cache")
    return dataclasses.replace(owner, **{f.name: other})


def test_every_extract_setting_reaches_the_cache_key():
    """Changing any one field of ExtractSettings (the layout's included) changes the landmark cache key."""
    import dataclasses

    from mirror.landmarks.cache import cache_key
    from mirror.landmarks.extract import cache_identity

    def key(settings):
        return cache_key(cache_identity(settings, "0" * 64))

    base = ExtractSettings()
    checked = []
    for f in dataclasses.fields(ExtractSettings):
        if dataclasses.is_dataclass(getattr(base, f.name)):
            inner = getattr(base, f.name)
            for g in dataclasses.fields(inner):
                start = inner
                if g.name == "regions":  # boxes are only taken with the regions layout
                    start = Layout(mode="regions", regions=((0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 1.0, 1.0)))
                one = dataclasses.replace(base, **{f.name: start})
                other = dataclasses.replace(base, **{f.name: _changed(start, g)})
                assert key(one) != key(other), f"{f.name}.{g.name} does not reach the cache key"
                checked.append(f"{f.name}.{g.name}")
        else:
            assert key(base) != key(_changed(base, f)), f"{f.name} does not reach the cache key"
            checked.append(f.name)
    assert "layout.split_overlap" in checked and "backfill" in checked and len(checked) == 10


def test_cache_key_of_default_settings_is_unchanged():
    """The settings part of the key is as it was before it was built from the fields: cached landmarks stay valid."""
    assert ExtractSettings().to_dict() == {
        "pose_model": "lite",
        "face": True,
        "layout": {"mode": "auto", "regions": None},
        "fps": None,
        "mirrored_input": False,
        "min_detection_confidence": 0.5,
        "min_tracking_confidence": 0.5,
        "backfill": True,
    }
    regions = ExtractSettings(layout=Layout.parse("regions", "0,0,0.5,1;0.5,0,1,1")).to_dict()["layout"]
    assert regions == {"mode": "regions", "regions": [[0.0, 0.0, 0.5, 1.0], [0.5, 0.0, 1.0, 1.0]]}


def test_file_extraction_and_live_pair_estimation_take_the_same_step(tmp_path):
    """extract_landmarks and the live PairEstimator run one per-frame step: the same people, frame for frame."""
    from mirror.live.estimate import PairEstimator

    path, _ = _scene_video(tmp_path)  # B leaves and comes back: searches while B is lost
    with VideoFileSource(path) as src:
        lm = extract_landmarks(src, BlobBackend(), Layout("auto"))
        info = lm.info
    assert info.identity_checks["searches"] >= 2
    live = PairEstimator(BlobBackend(), SIZE)
    try:
        with VideoFileSource(path) as src:
            rows = [live(frame.image, frame.t_s) for frame in src]
    finally:
        live.close()
    for t, people in enumerate(rows):
        for slot, person in enumerate(people):
            assert (person is None) == (not lm.pose_present[t, slot])
            if person is not None:
                np.testing.assert_array_equal(person.pose_image, lm.pose_image[t, slot])
                np.testing.assert_array_equal(person.face, lm.face[t, slot])
