"""Wall time of each stage of ``mirror analyze`` on a two-person 720p session, cold and cached.

Input: a two-person 1280x720, 25 fps scene built at run time by ``tests/scenes.py`` from the
MIT clips in ``examples/`` (A: ``raga_1person``, B: the same person flipped or mirrored in
some segments, another person in others), looped to ``--minutes`` and written as MP4 under
the temporary folder (reused by later runs with the same arguments, never into the repository).

Runs ``mirror analyze`` in this process twice: with an empty landmark cache (cold), then
again with the extraction cached.  Each stage is timed by wrapping the function that does
it (nothing in the library changes):

- extraction: open and decode, pose, face, person search (detection), tracking, the
  backward pass (its own decode and model calls shown under it), the landmark cache;
- analysis: features, comparator with calibration, surrogates, mechanical, coach;
- each report file.

Pose and face run for the two people in two threads, so their summed call times can exceed
their share of the wall time.  Next to these, the bare model time: the same frames decoded
and the same MediaPipe calls (the boxes recorded in the cold run) alone.

    nice -n 10 python benchmarks/profile_analyze.py [--minutes 10] [--fps 12.5] [--surrogates 200] [--cached-only]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIZE = (1280, 720)
VIDEO_FPS = 25.0
SCENE_S = 30.0


class StageClock:
    """Summed wall time of wrapped calls, per stage; the backward pass's calls are kept apart."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.phase = ""
        self.frame_index = -1
        self.model_calls: list[tuple[int, tuple]] = []  # (time in ms, box) of the forward pass's pose calls

    def key(self, stage: str) -> str:
        return f"{self.phase}{stage}"

    def wrap(self, owner, name: str, stage: str, phase: str | None = None) -> None:
        original = getattr(owner, name)
        clock = self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            saved = clock.phase
            if phase is not None:
                clock.phase = phase
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = f"{saved}{stage}"
                clock.seconds[key] += time.perf_counter() - started
                clock.calls[key] += 1
                clock.phase = saved

        setattr(owner, name, timed)
        self.seconds.setdefault(stage, 0.0)  # the tables list the stages in this order

    def wrap_iterator(self, owner, name: str, stage: str) -> None:
        original = getattr(owner, name)
        clock = self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            it = original(*args, **kwargs)
            while True:
                started = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    clock.seconds[clock.key(stage)] += time.perf_counter() - started
                    return
                clock.seconds[clock.key(stage)] += time.perf_counter() - started
                clock.calls[clock.key(stage)] += 1
                clock.frame_index = item.index
                yield item

        setattr(owner, name, timed)

    def reset(self) -> None:
        for stage in self.seconds:
            self.seconds[stage] = 0.0
        self.calls.clear()


def instrument(clock: StageClock) -> None:
    """Wrap the function behind each stage (module attributes, looked up at call time)."""
    import mirror.coach
    import mirror.compare
    import mirror.landmarks.backfill
    import mirror.landmarks.estimate
    import mirror.landmarks.extract
    import mirror.mechanical
    import mirror.pipeline
    import mirror.report.bundle
    from mirror.landmarks.cache import LandmarkCache
    from mirror.landmarks.mediapipe_adapter import MediaPipeBackend, MediaPipePersonEstimator
    from mirror.landmarks.tracker import IdentityTracker
    from mirror.sources.frames import VideoFileSource

    clock.wrap_iterator(VideoFileSource, "__iter__", "open and decode")
    clock.wrap(VideoFileSource, "__init__", "open and decode")
    clock.wrap(VideoFileSource, "content_sha256", "source checksum (SHA-256)")
    clock.wrap(MediaPipeBackend, "__init__", "load models")
    clock.wrap(MediaPipePersonEstimator, "__init__", "load models")
    clock.wrap(MediaPipePersonEstimator, "pose", "pose (2 threads, summed)")
    clock.wrap(MediaPipePersonEstimator, "face", "face (2 threads, summed)")
    clock.wrap(MediaPipeBackend, "detect_people", "person search (detection)")
    for name in ("update", "regions", "needs_detection"):
        clock.wrap(IdentityTracker, name, "tracking")
    for name in ("append", "load", "load_final", "save_final", "check", "finish"):
        clock.wrap(LandmarkCache, name, "landmark cache (write, read back)")
    clock.wrap(mirror.landmarks.backfill, "backfill_landmarks", "backward pass (total)", phase="  backward pass: ")
    clock.wrap(mirror.pipeline, "extract_video", "extraction (total)")
    record = mirror.landmarks.estimate.estimate_person

    def estimate_person(estimator, bgr, box, t_ms, with_face=True):
        if not clock.phase:
            clock.model_calls.append((t_ms, tuple(box)))
        return record(estimator, bgr, box, t_ms, with_face)

    mirror.landmarks.estimate.estimate_person = estimate_person
    clock.wrap(mirror.pipeline, "compute_features", "features")
    clock.wrap(mirror.pipeline, "analyze_features", "comparator with calibration (and surrogates)")
    clock.wrap(mirror.compare, "surrogate_test", "  of which surrogates")
    clock.wrap(mirror.mechanical, "detect_mechanical", "mechanical")
    clock.wrap(mirror.coach, "coach_session", "coach")
    clock.wrap(mirror.pipeline, "write_session", "report.json, windows.csv, events.csv (write_report)")
    for name, stage in (
        ("render_timeline_png", "timeline.png"),
        ("render_eaf", "report.eaf"),
        ("render_boris", "boris_*.csv"),
        ("provenance_dict", "provenance.json"),
        ("render_html", "report.html"),
    ):
        clock.wrap(mirror.report.bundle, name, stage)


def make_video(path: Path, minutes: float) -> None:
    """A 30 s two-person scene (mirror, none, match) looped forwards and backwards to ``minutes``."""
    import cv2

    from tests.scenes import PERSON_CLIPS, Segment, build_scene

    plan = [
        Segment("mirror", 0.0, 10.0, lag_s=0.8),
        Segment("none", 10.0, 20.0),
        Segment("match", 20.0, SCENE_S, lag_s=0.5),
    ]
    scene = build_scene(
        "upper_body", PERSON_CLIPS["raga_1person"], PERSON_CLIPS["pyfeat_single_face"], plan, fps=VIDEO_FPS, size=SIZE
    )
    frames = scene.frames
    cycle = list(range(len(frames))) + list(range(len(frames) - 2, 0, -1))
    tmp = path.with_suffix(".part.mp4")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), VIDEO_FPS, SIZE)
    for i in range(int(round(minutes * 60 * VIDEO_FPS))):
        writer.write(frames[cycle[i % len(cycle)]])
    writer.release()
    tmp.rename(path)


def run_analyze(video: Path, out: Path, cache: Path, fps: float, surrogates: int) -> float:
    from mirror.cli import app

    started = time.perf_counter()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            app(
                [
                    "analyze",
                    str(video),
                    "--out",
                    str(out),
                    "--cache-dir",
                    str(cache),
                    "--fps",
                    str(fps),
                    "--surrogates",
                    str(surrogates),
                    "--no-progress",
                    "--no-history",
                ],
                standalone_mode=False,
            )
        except SystemExit as stop:
            if stop.code:
                raise
    return time.perf_counter() - started


def bare_model_time(video: Path, fps: float, calls: list[tuple[int, tuple]]) -> tuple[float, float, int]:
    """Decode the same frames and make the same pose and face calls alone (2 threads, as extraction does).

    Returns (decode seconds, total seconds, model calls).
    """
    from mirror.landmarks.estimate import estimate_person
    from mirror.landmarks.mediapipe_adapter import MediaPipeBackend
    from mirror.sources.frames import VideoFileSource

    boxes: dict[int, list[tuple]] = defaultdict(list)
    for t_ms, box in calls:
        boxes[t_ms].append(box)
    by_time = {t_ms: list(enumerate(sorted(b)))[:2] for t_ms, b in boxes.items()}  # the left box is A's
    backend = MediaPipeBackend("lite", face=True)
    estimators = [backend.person_estimator(), backend.person_estimator()]
    pool = ThreadPoolExecutor(max_workers=2)
    decode_s = 0.0
    n = 0
    started = time.perf_counter()
    source = VideoFileSource(video, fps=fps)
    it = iter(source)
    while True:
        t0 = time.perf_counter()
        frame = next(it, None)
        decode_s += time.perf_counter() - t0
        if frame is None:
            break
        t_ms = int(round(frame.t_s * 1000.0))
        jobs = by_time.get(t_ms, [])
        list(
            pool.map(
                lambda job, bgr=frame.image, t_ms=t_ms: estimate_person(estimators[job[0]], bgr, job[1], t_ms, True),
                jobs,
            )
        )
        n += len(jobs)
    total_s = time.perf_counter() - started
    source.close()
    pool.shutdown()
    for est in estimators:
        est.close()
    backend.close()
    return decode_s, total_s, n


def print_table(title: str, clock: StageClock, wall_s: float, video_s: float) -> None:
    print(f"\n{title}: {wall_s:.2f} s wall for {video_s:.0f} s of video ({video_s / wall_s:.2f}x real time)")
    print(f"  {'stage':58s} {'seconds':>8s} {'calls':>7s} {'share':>6s}")
    for stage, seconds in clock.seconds.items():
        if not clock.calls[stage]:
            continue
        print(f"  {stage:58s} {seconds:8.2f} {clock.calls[stage]:7d} {100 * seconds / wall_s:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the session (default 10)")
    parser.add_argument("--fps", type=float, default=12.5, help="analysis rate (default 12.5 Hz: every other frame)")
    parser.add_argument("--surrogates", type=int, default=200)
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mirror-profile-analyze",
        help="where the built video is kept between runs (outside the repository)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare model run")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="only the cached run, from a landmark cache kept in --work-dir (filled by the first such run)",
    )
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    video = args.work_dir / f"two_people_720p_{args.minutes:g}min.mp4"
    if not video.exists():
        started = time.perf_counter()
        make_video(video, args.minutes)
        print(f"built {video} in {time.perf_counter() - started:.1f} s")
    video_s = args.minutes * 60.0
    clock = StageClock()
    started = time.perf_counter()
    instrument(clock)
    print(f"imports before the first run: {time.perf_counter() - started:.2f} s (not in the tables)")
    with tempfile.TemporaryDirectory(dir=args.work_dir) as tmp:
        tmp = Path(tmp)
        if args.cached_only:
            cache = args.work_dir / "cache"  # kept: filled by the first such run
            run_analyze(video, tmp / "fill", cache, args.fps, args.surrogates)
            clock.reset()
            warm_s = run_analyze(video, tmp / "warm", cache, args.fps, args.surrogates)
            print_table("mirror analyze, landmarks cached", clock, warm_s, video_s)
            return
        cold_s = run_analyze(video, tmp / "cold", tmp / "cache", args.fps, args.surrogates)
        print_table("mirror analyze, empty cache", clock, cold_s, video_s)
        calls = list(clock.model_calls)
        clock.reset()
        warm_s = run_analyze(video, tmp / "warm", tmp / "cache", args.fps, args.surrogates)
        print_table("mirror analyze, landmarks cached", clock, warm_s, video_s)
    if not args.no_bare:
        decode_s, bare_s, n = bare_model_time(video, args.fps, calls)
        print(
            f"\nbare model time (decode + {n} pose-and-face calls on the same frames and boxes, 2 threads): "
            f"{bare_s:.2f} s"
        )
        print(f"  of which decode {decode_s:.2f} s; cold analyze / bare = {cold_s / bare_s:.2f}x")


if __name__ == "__main__":
    main()
