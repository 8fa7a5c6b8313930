"""Two-person scenes made from real single people, in the framings people really use.

Each scene puts two real people (single-person clips: ``examples/`` MIT clips, or the
research-only clips of ``../shared/data/people``, read from there and never copied) into
one framing, with the truth of who is where and, segment by segment, of how B relates to A.

Framings (:data:`FRAMINGS`):

``call``
    A video call's gallery view: two tiles side by side on a dark window, each a
    head-and-shoulders shot as close as a laptop webcam (head large, shoulders cut by the
    tile's bottom edge), with its own clip's background, a flat coloured border and a
    name label drawn with ``cv2.putText``.
``webcam``
    A laptop webcam with two people close to it: two head-and-shoulders people in one
    shared frame on one background (a blurred corner of a room), big heads, cut at the frame edges.
``upper_body``
    Two people side by side, whole upper body, on one background.

:func:`poor_camera` degrades any scene (320x180, heavy JPEG compression, noise, dim light).

What B shows is set per segment by a plan (:class:`Segment`):

- ``"none"``: B is ``b_clip``, another person (or any clip), shifted by ``lag_s``;
- ``"mirror"``: B is A's own stream ``lag_s`` later, flipped horizontally (a flip swaps
  anatomical sides, so B mirrors A);
- ``"match"``: B is A's own stream ``lag_s`` later, not flipped.

Any :class:`Stream` can also be given directly (``Segment.b_stream``) for other pairings,
for example a person against a flipped copy of a third clip. Clips shorter than the
scene play forwards then backwards. Example::

    from tests.scenes import PERSON_CLIPS, Segment, build_scene, poor_camera, write_scene

    plan = [Segment("mirror", 0.0, 10.0, lag_s=0.8), Segment("none", 10.0, 20.0)]
    scene = build_scene("call", PERSON_CLIPS["hdtf_aoc_talking"], PERSON_CLIPS["retalking_man_map"], plan, fps=12.5)
    scene = poor_camera(scene)          # optional
    write_scene(scene, "call.avi")      # MJPG AVI at scene.fps
    scene.truth                         # one SegmentTruth per plan segment
    scene.boxes_px                      # (T, 2, 4) where A and B are, per frame

Nothing here is a test; tests and benchmarks import it (``from tests.scenes import ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared" / "data"
PEOPLE_DIR = SHARED / "people"

SCENES_VERSION = 2
"""Bumped whenever the same arguments build different frames: files cached under another version are stale."""

Framing = Literal["call", "webcam", "upper_body"]
FRAMINGS: tuple[Framing, ...] = ("call", "webcam", "upper_body")
Relation = Literal["mirror", "match", "none"]
Shot = Literal["head", "upper_body"]


@dataclass(frozen=True)
class PersonClip:
    """One real person on video.

    Attributes
    ----------
    path : Path
    shot : {"head", "upper_body"}
        What the clip shows: head and shoulders, or the whole upper body.
    box : tuple of float
        ``(x0, y0, x1, y1)`` in [0, 1] of the source frame: the part that is the
        person's shot (head and shoulders, or upper body), background around it included.
    head : tuple of float
        ``(cx, cy, r)``: the head's usual centre and radius, as fractions of ``box``'s
        width (cx, r) and height (cy). Used to keep heads in view and to shape the
        person's matte in shared-background framings.
    name : str
        Label shown in a call tile.
    """

    path: Path
    shot: Shot
    box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    head: tuple[float, float, float] = (0.5, 0.4, 0.22)
    name: str = ""

    @property
    def available(self) -> bool:
        return self.path.is_file()


def _people(name: str, shot: Shot, box=(0.0, 0.0, 1.0, 1.0), head=(0.5, 0.4, 0.22), label: str = "") -> PersonClip:
    return PersonClip(PEOPLE_DIR / f"{name}.mp4", shot, box, head, label or name.split("_")[1].capitalize())


PERSON_CLIPS: dict[str, PersonClip] = {
    # MIT, shipped in examples/ (always available)
    "pyfeat_single_face": PersonClip(
        EXAMPLES / "pyfeat_single_face.mp4", "head", (0.2, 0.0, 0.8, 1.0), (0.5, 0.42, 0.24), "Sam"
    ),
    "raga_1person": PersonClip(
        EXAMPLES / "raga_1person.mp4", "upper_body", (0.21, 0.06, 0.73, 1.0), (0.5, 0.2, 0.12), "Asha"
    ),
    # research use only, read from ../shared/data/people
    "hdtf_aoc_talking": _people("hdtf_aoc_talking", "head", head=(0.5, 0.42, 0.24), label="Alex"),
    "hdtf_katiehill_talking": _people("hdtf_katiehill_talking", "head", head=(0.5, 0.4, 0.22), label="Katie"),
    "hdtf_theresa_may": _people("hdtf_theresa_may", "head", head=(0.5, 0.38, 0.24), label="Theresa"),
    "retalking_man_map": _people("retalking_man_map", "head", head=(0.5, 0.36, 0.2), label="Ben"),
    "retalking_woman_glasses": _people("retalking_woman_glasses", "head", head=(0.5, 0.38, 0.26), label="Ruth"),
    "retalking_man_suit": _people("retalking_man_suit", "head", head=(0.5, 0.32, 0.18), label="Ken"),
    "vox_jackie_chan_talking": _people("vox_jackie_chan_talking", "head", head=(0.5, 0.4, 0.3), label="Jack"),
    "retalking_woman_bluebg": _people("retalking_woman_bluebg", "upper_body", head=(0.5, 0.3, 0.14), label="Maria"),
    "ted_presenter_gestures": _people(
        "ted_presenter_gestures", "upper_body", (0.15, 0.0, 0.85, 0.75), (0.5, 0.18, 0.1), "Dana"
    ),
    "stock_woman_lakeside": _people(
        "stock_woman_lakeside", "upper_body", (0.0, 0.08, 1.0, 0.75), (0.5, 0.25, 0.17), "Lea"
    ),
}


@dataclass(frozen=True)
class Stream:
    """What one person slot shows: a clip, shifted in time and possibly flipped.

    The slot shows the clip at scene time ``t_s - lag_s`` (later than the original by
    ``lag_s``), ping-ponged when the scene is longer than the clip.
    """

    clip: PersonClip
    lag_s: float = 0.0
    flip: bool = False


@dataclass(frozen=True)
class Segment:
    """One stretch of the scene and what B does in it (see the module docstring).

    Attributes
    ----------
    relation : {"mirror", "match", "none"}
    start_s, end_s : float
        Scene time, ``start_s <= t < end_s``.
    lag_s : float
        B's delay behind its source (A's stream for mirror and match).
    b_stream : Stream, optional
        Overrides what B shows (``relation`` is then the truth as given).
    """

    relation: Relation
    start_s: float
    end_s: float
    lag_s: float = 0.0
    b_stream: Stream | None = None


@dataclass(frozen=True)
class SegmentTruth:
    """The truth of one segment: B's relation to A, and the lag of B behind A (NaN for none)."""

    relation: Relation
    start_s: float
    end_s: float
    lag_s: float


@dataclass
class Scene:
    """A generated two-person scene.

    Attributes
    ----------
    framing : str
        One of :data:`FRAMINGS` (with ``"+poor"`` after :func:`poor_camera`).
    frames : list of np.ndarray
        ``T`` frames, each ``(H, W, 3)`` uint8 BGR.
    t_s : np.ndarray
        ``(T,)`` scene time of each frame in seconds.
    fps : float
    boxes_px : np.ndarray
        ``(T, 2, 4)`` float ``(x0, y0, x1, y1)`` pixel boxes of A's and B's pictures
        (a call tile, or where the person's shot was placed), clipped to the frame.
    truth : list of SegmentTruth
    a_stream : Stream
    names : tuple of str
        Names shown for A and B (a call tile's label belongs to the slot, whoever it shows).
    """

    framing: str
    frames: list[np.ndarray]
    t_s: np.ndarray
    fps: float
    boxes_px: np.ndarray
    truth: list[SegmentTruth]
    a_stream: Stream
    names: tuple[str, str] = ("", "")
    meta: dict = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        h, w = self.frames[0].shape[:2]
        return (w, h)

    def relation_at(self, t_s: float) -> SegmentTruth | None:
        return next((s for s in self.truth if s.start_s <= t_s < s.end_s), None)


# ------------------------------------------------------------------ reading clips
class _ClipFrames:
    """The frames of one clip that a scene needs, cropped to the person's box and resized."""

    def __init__(self, clip: PersonClip, out_size: tuple[int, int], times_s: np.ndarray) -> None:
        if not clip.available:
            raise FileNotFoundError(f"{clip.path} is absent")
        cap = cv2.VideoCapture(str(clip.path))
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if n <= 0:
            raise RuntimeError(f"cannot read {clip.path}")
        duration = n / fps
        period = 2 * duration
        u = np.mod(times_s, period)
        u = np.where(u <= duration, u, period - u)
        self.index_of = np.minimum(n - 1, np.floor(u * fps + 1e-6).astype(int))
        wanted = set(self.index_of.tolist())
        self.frames: dict[int, np.ndarray] = {}
        i = 0
        last = None
        while i <= max(wanted):
            ok, frame = cap.read()
            if not ok:
                break
            last = frame
            if i in wanted:
                self.frames[i] = self._prepare(frame, clip, out_size)
            i += 1
        cap.release()
        if last is None:
            raise RuntimeError(f"cannot read {clip.path}")
        for j in wanted - set(self.frames):  # the container announced more frames than it holds
            self.frames[j] = self._prepare(last, clip, out_size)

    @staticmethod
    def _prepare(frame: np.ndarray, clip: PersonClip, out_size: tuple[int, int]) -> np.ndarray:
        h, w = frame.shape[:2]
        x0, y0, x1, y1 = clip.box
        crop = frame[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]
        return _cover(crop, out_size, anchor_y=0.45)

    def at(self, k: int) -> np.ndarray:
        return self.frames[int(self.index_of[k])]


def _cover(image: np.ndarray, size: tuple[int, int], anchor_y: float = 0.45) -> np.ndarray:
    """Scale ``image`` to fill ``size`` (w, h), cropping the overflow (vertically around ``anchor_y``)."""
    h, w = image.shape[:2]
    tw, th = size
    s = max(tw / w, th / h)
    rw, rh = max(tw, int(round(w * s))), max(th, int(round(h * s)))
    big = cv2.resize(image, (rw, rh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    x = (rw - tw) // 2
    y = int(round(np.clip(anchor_y * rh - th / 2, 0, rh - th)))
    return big[y : y + th, x : x + tw]


def _aspect(clip: PersonClip) -> float:
    """Width over height of the clip's person box."""
    cap = cv2.VideoCapture(str(clip.path))
    w, h = cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)
    cap.release()
    if not (w > 0 and h > 0):
        raise RuntimeError(f"cannot read {clip.path}")
    x0, y0, x1, y1 = clip.box
    return (x1 - x0) * w / ((y1 - y0) * h)


# ---------------------------------------------------------------------- planning
def _stream_for(segment: Segment, a: Stream, b_clip: PersonClip) -> Stream:
    if segment.b_stream is not None:
        return segment.b_stream
    if segment.relation == "none":
        return Stream(b_clip, segment.lag_s, False)
    return Stream(a.clip, a.lag_s + segment.lag_s, flip=a.flip != (segment.relation == "mirror"))


# ----------------------------------------------------------------------- framings
@dataclass(frozen=True)
class _Placement:
    """Where a person's picture goes: its pixel size, offset, and (optional) matte."""

    size: tuple[int, int]  # w, h of the person's picture
    offset: tuple[int, int]  # x, y of its top-left corner in the frame (may be negative)
    matte: np.ndarray | None  # (h, w) float32 in [0, 1], or None: opaque


def _head_matte(clip: PersonClip, size: tuple[int, int]) -> np.ndarray:
    """A soft head-and-shoulders silhouette (head ellipse over a wide shoulder ellipse)."""
    w, h = size
    m = np.zeros((h, w), np.float32)
    cx, cy, r = clip.head
    head_c = (int(cx * w), int(cy * h))
    cv2.ellipse(m, head_c, (int(1.7 * r * w), int(2.1 * r * w)), 0, 0, 360, 1.0, -1)
    cv2.ellipse(m, (int(cx * w), int(h * 1.02)), (int(0.62 * w), int(0.36 * h)), 0, 0, 360, 1.0, -1)
    cv2.rectangle(m, (int(cx * w - 0.45 * r * w), head_c[1]), (int(cx * w + 0.45 * r * w), h), 1.0, -1)  # the neck
    k = max(3, int(0.08 * w) | 1)
    return cv2.GaussianBlur(m, (k, k), 0)


def _upper_body_matte(size: tuple[int, int]) -> np.ndarray:
    """Soft-edged picture: the person's own surroundings fade into the shared background."""
    w, h = size
    m = np.zeros((h, w), np.float32)
    cv2.ellipse(m, (w // 2, int(0.6 * h)), (int(0.46 * w), int(0.62 * h)), 0, 0, 360, 1.0, -1)
    k = max(3, int(0.12 * w) | 1)
    return cv2.GaussianBlur(m, (k, k), 0)


def _layout(framing: Framing, clips: tuple[PersonClip, PersonClip], size: tuple[int, int]) -> list[_Placement]:
    w, h = size
    if framing == "call":
        gap, margin_y = int(0.02 * w), int(0.12 * h)
        tw = (w - 3 * gap) // 2
        th = min(h - 2 * margin_y, int(tw * 9 / 16))
        y = (h - th) // 2
        return [_Placement((tw, th), (gap, y), None), _Placement((tw, th), (2 * gap + tw, y), None)]
    if framing == "webcam":
        out = []
        for slot, clip in enumerate(clips):
            ph = int(1.02 * h)  # the head fills much of the height; shoulders cut at the bottom edge
            pw = ph
            cx = (0.25 if slot == 0 else 0.75) * w
            x = int(cx - clip.head[0] * pw) + (-int(0.04 * w) if slot == 0 else int(0.04 * w))
            y = int(-0.03 * h)
            out.append(_Placement((pw, ph), (x, y), _head_matte(clip, (pw, ph))))
        return out
    if framing == "upper_body":
        out = []
        for slot, clip in enumerate(clips):
            bx0, by0, bx1, by1 = clip.box
            aspect = (bx1 - bx0) / (by1 - by0)
            ph = int(0.92 * h)
            pw = min(int(ph * aspect), int(0.48 * w))
            ph = int(pw / aspect)
            x = int((0.25 if slot == 0 else 0.75) * w - pw / 2)
            out.append(_Placement((pw, ph), (x, h - ph), _upper_body_matte((pw, ph))))
        return out
    raise ValueError(f"unknown framing {framing!r}; choose one of: {', '.join(FRAMINGS)}")


def _paste(canvas: np.ndarray, picture: np.ndarray, place: _Placement) -> np.ndarray:
    """Composite ``picture`` onto ``canvas`` at ``place``; returns the visible pixel box."""
    H, W = canvas.shape[:2]
    ph, pw = picture.shape[:2]
    x, y = place.offset
    cx0, cy0, cx1, cy1 = max(0, x), max(0, y), min(W, x + pw), min(H, y + ph)
    if cx1 <= cx0 or cy1 <= cy0:
        return np.zeros(4)
    src = picture[cy0 - y : cy1 - y, cx0 - x : cx1 - x]
    if place.matte is None:
        canvas[cy0:cy1, cx0:cx1] = src
    else:
        m = place.matte[cy0 - y : cy1 - y, cx0 - x : cx1 - x, None]
        dst = canvas[cy0:cy1, cx0:cx1].astype(np.float32)
        canvas[cy0:cy1, cx0:cx1] = (m * src + (1 - m) * dst).astype(np.uint8)
    return np.array([cx0, cy0, cx1, cy1], dtype=float)


TILE_COLOURS = ((70, 50, 40), (40, 60, 45))  # flat BGR border colour of A's and B's tile
WINDOW_COLOUR = (28, 26, 24)  # the call window behind the tiles


def _webcam_view(picture: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A wide webcam picture of a head-and-shoulders shot: the shot at full height, its own
    background widened at the sides (blurred, as a webcam's wide-angle surroundings)."""
    tw, th = size
    h, w = picture.shape[:2]
    pw = min(tw, int(round(w * th / h)))
    shot = _cover(picture, (pw, th), anchor_y=0.45)
    if pw >= tw:
        return shot
    out = cv2.GaussianBlur(cv2.resize(shot, (tw, th), interpolation=cv2.INTER_LINEAR), (0, 0), max(2.0, tw / 60))
    x = (tw - pw) // 2
    ramp = max(2, pw // 10)
    alpha = np.ones(pw, np.float32)
    alpha[:ramp] = alpha[-ramp:][::-1] = np.linspace(0.0, 1.0, ramp)
    a = alpha[None, :, None]
    out[:, x : x + pw] = (a * shot + (1 - a) * out[:, x : x + pw]).astype(np.uint8)
    return out


def _tile(picture: np.ndarray, size: tuple[int, int], colour: tuple[int, int, int], name: str) -> np.ndarray:
    """A ``size`` (w, h) call tile.

    The camera picture inside a flat coloured border, a name label at the bottom left.
    """
    tw, th = size
    border = max(2, tw // 120)
    tile = np.empty((th, tw, 3), np.uint8)
    tile[:] = colour
    inner = _webcam_view(picture, (tw - 2 * border, th - 2 * border))
    tile[border : th - border, border : tw - border] = inner
    scale = max(0.35, tw / 900)
    thick = max(1, int(round(scale * 2)))
    (lw, lh), base = cv2.getTextSize(name, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    x0, y1 = border + 6, th - border - 6
    cv2.rectangle(tile, (x0 - 4, y1 - lh - base - 4), (x0 + lw + 4, y1 + 2), (20, 20, 20), -1)
    cv2.putText(tile, name, (x0, y1 - base), cv2.FONT_HERSHEY_SIMPLEX, scale, (235, 235, 235), thick, cv2.LINE_AA)
    return tile


def _background(clip: PersonClip, size: tuple[int, int]) -> np.ndarray:
    """One shared background: a corner of a clip's first frame, enlarged and blurred (a room out of focus)."""
    cap = cv2.VideoCapture(str(clip.path))
    ok, frame = cap.read()
    cap.release()
    if not ok:
        raise RuntimeError(f"cannot read {clip.path}")
    h, w = frame.shape[:2]
    corner = frame[: max(8, int(0.3 * h)), : max(8, int(0.2 * w))]  # a corner of the room, nobody in it
    bg = _cover(corner, size, 0.5)
    k = max(3, (size[0] // 12) | 1)
    return cv2.GaussianBlur(bg, (k, k), 0)


def build_scene(
    framing: Framing,
    a_clip: PersonClip,
    b_clip: PersonClip,
    plan: list[Segment] | tuple[Segment, ...],
    *,
    fps: float = 12.5,
    size: tuple[int, int] = (960, 540),
    a_lag_s: float = 0.0,
    a_flip: bool = False,
    background: PersonClip | None = None,
) -> Scene:
    """Compose A and B into one framing, segment by segment.

    Parameters
    ----------
    framing : {"call", "webcam", "upper_body"}
    a_clip : PersonClip
        A, always on the left.
    b_clip : PersonClip
        B in ``"none"`` segments (and whose name labels B's tile).
    plan : sequence of Segment
        Contiguous segments from 0 s; the scene lasts until the last ``end_s``.
    fps : float
        Frame rate of the scene.
    size : tuple of int
        ``(width, height)`` of the frames.
    a_lag_s, a_flip : float, bool
        A's own shift and flip.
    background : PersonClip, optional
        Shared background of ``webcam`` and ``upper_body`` (a blurred corner of its first frame); default ``b_clip``'s.

    Returns
    -------
    Scene
        Frames, their times, the pixel boxes of A's and B's pictures and the truth per segment.
    """
    if framing not in FRAMINGS:
        raise ValueError(f"unknown framing {framing!r}; choose one of: {', '.join(FRAMINGS)}")
    plan = sorted(plan, key=lambda s: s.start_s)
    end_s = plan[-1].end_s
    n = int(round(end_s * fps))
    t_s = np.arange(n) / fps
    a = Stream(a_clip, a_lag_s, a_flip)
    seg_of = [next((s for s in plan if s.start_s <= t < s.end_s), plan[-1]) for t in t_s]
    b_streams = [_stream_for(s, a, b_clip) for s in seg_of]
    places = _layout(framing, (a_clip, b_clip), size)
    # every (clip, picture size) the scene shows, read once at the times it needs
    readers: dict[tuple, _ClipFrames] = {}
    needs: dict[tuple, list[float]] = {}
    for k in range(n):
        for slot, st in ((0, a), (1, b_streams[k])):
            needs.setdefault((st.clip, slot), []).append(t_s[k] - st.lag_s)
    for (clip, slot), times in needs.items():
        picture_size = places[slot].size
        if framing == "call":  # the shot at the tile's height, its own aspect kept (see _webcam_view)
            picture_size = (max(8, int(round(picture_size[1] * _aspect(clip)))), picture_size[1])
        # negative times are fine: the ping-pong playback is periodic, so a lag is a true time shift from the start
        readers[(clip, slot)] = _ClipFrames(clip, picture_size, np.array(times))
    cursor = {key: 0 for key in readers}
    w, h = size
    if framing == "call":
        base = np.empty((h, w, 3), np.uint8)
        base[:] = WINDOW_COLOUR
    else:
        base = _background(background or b_clip, size)
    names = (a_clip.name, b_clip.name)
    frames, boxes = [], np.zeros((n, 2, 4))
    for k in range(n):
        canvas = base.copy()
        for slot, st in ((0, a), (1, b_streams[k])):
            key = (st.clip, slot)
            picture = readers[key].at(cursor[key])
            cursor[key] += 1
            if st.flip:
                picture = picture[:, ::-1]
            if framing == "call":
                picture = _tile(picture, places[slot].size, TILE_COLOURS[slot], names[slot])
            boxes[k, slot] = _paste(canvas, np.ascontiguousarray(picture), places[slot])
        frames.append(canvas)
    truth = [
        SegmentTruth(s.relation, s.start_s, s.end_s, float("nan") if s.relation == "none" else s.lag_s) for s in plan
    ]
    return Scene(framing, frames, t_s, fps, boxes, truth, a, names, {"a": str(a_clip.path), "b": str(b_clip.path)})


def poor_camera(
    scene: Scene,
    *,
    size: tuple[int, int] = (320, 180),
    jpeg_quality: int = 20,
    noise_sd: float = 4.0,
    gain: float = 0.6,
    seed: int = 0,
) -> Scene:
    """The same scene through a poor camera: downscaled, dim, noisy, heavily JPEG-compressed.

    ``gain`` scales the light (a dim room, before noise); the boxes are rescaled to the new size.
    Harsher settings are possible, but beyond about ``jpeg_quality=12, noise_sd=6, gain=0.45``
    together MediaPipe's person detector finds almost nobody, even in a tight crop.
    """
    rng = np.random.default_rng(seed)
    w0, h0 = scene.size
    out = []
    for frame in scene.frames:
        small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA).astype(np.float32)
        small = 255.0 * (small / 255.0) ** 1.15 * gain
        small += rng.normal(0.0, noise_sd, small.shape)
        small = np.clip(small, 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        out.append(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    sx, sy = size[0] / w0, size[1] / h0
    boxes = scene.boxes_px * np.array([sx, sy, sx, sy])
    return replace(scene, framing=f"{scene.framing}+poor", frames=out, boxes_px=boxes)


def write_scene(scene: Scene, path: str | Path) -> Path:
    """Write the frames as an MJPG AVI at ``scene.fps``; returns the path."""
    path = Path(path)
    w, h = scene.size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), scene.fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    for frame in scene.frames:
        writer.write(frame)
    writer.release()
    return path


def identity_errors(pose_center_px: np.ndarray, present: np.ndarray, boxes_px: np.ndarray) -> int:
    """Frames where a found person's anchor lies in the other person's picture and not in their own.

    Parameters
    ----------
    pose_center_px : np.ndarray
        ``(T, 2, 2)`` each person's anchor (mid-shoulder point) in pixels.
    present : np.ndarray
        ``(T, 2)`` bool.
    boxes_px : np.ndarray
        ``(T, 2, 4)`` from :attr:`Scene.boxes_px`.
    """

    def inside(p, b):
        return (
            (b[..., 0] <= p[..., 0])
            & (p[..., 0] <= b[..., 2])
            & (b[..., 1] - 0.3 * (b[..., 3] - b[..., 1]) <= p[..., 1])
        )

    wrong = np.zeros(len(present), bool)
    for slot in (0, 1):
        p = pose_center_px[:, slot]
        own, other = boxes_px[:, slot], boxes_px[:, 1 - slot]
        wrong |= present[:, slot] & inside(p, other) & ~inside(p, own)
    return int(wrong.sum())
