"""The landmark stage's result: two people's pose and face, frame by frame.

Person slot 0 is **A**, the person on the left at the start; slot 1 is **B**.
Missing data is NaN (and visibility 0): a person who is not found is recorded
as missing, never invented.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mirror.errors import MirrorError
from mirror.landmarks.run import ExtractRun
from mirror.landmarks.skeleton import (
    BLENDSHAPE_FLIP,
    FACE_FLIP,
    N_BLENDSHAPES,
    N_FACE,
    N_POSE,
    POSE_FLIP,
)
from mirror.storage import write_atomic
from mirror.vocabulary import PEOPLE, SHOULDERS

FORMAT = "mirror.landmarks"
FORMAT_VERSION = 1


@dataclass
class PersonLandmarks:
    """One person in one frame.

    Attributes
    ----------
    pose_image : np.ndarray
        ``(33, 3)``: x, y normalised to the frame width and height, z in
        frame-width units (MediaPipe's depth, hip-centred).
    pose_world : np.ndarray
        ``(33, 3)`` metres, hip-centred, x towards the image right.
    pose_visibility : np.ndarray
        ``(33,)`` in [0, 1].
    face : np.ndarray or None
        ``(478, 3)`` like ``pose_image``; None when the face was not found.
    head_pose_deg : np.ndarray or None
        ``(3,)`` yaw, pitch, roll (see :mod:`mirror.landmarks.headpose`).
    blendshapes : np.ndarray or None
        ``(52,)`` scores in [0, 1].
    """

    pose_image: np.ndarray
    pose_world: np.ndarray
    pose_visibility: np.ndarray
    face: np.ndarray | None = None
    head_pose_deg: np.ndarray | None = None
    blendshapes: np.ndarray | None = None

    def bbox(self, min_visibility: float = 0.3) -> np.ndarray:
        """``(4,)`` x0, y0, x1, y1 (normalised) of the visible pose landmarks."""
        vis = self.pose_visibility >= min_visibility
        pts = self.pose_image[vis if vis.sum() >= 4 else slice(None), :2]
        return np.concatenate([pts.min(0), pts.max(0)])

    def center(self) -> np.ndarray:
        """``(2,)`` mid-shoulder point (normalised), the person's anchor for identity."""
        return self.pose_image[list(SHOULDERS), :2].mean(0)


def _nan(shape: tuple[int, ...]) -> np.ndarray:
    return np.full(shape, np.nan, dtype=np.float32)


@dataclass
class Landmarks:
    """Pose and face landmarks of two people over time.

    Attributes
    ----------
    t_s : np.ndarray
        ``(T,)`` float64 stream time of each analysed frame, in seconds.
    frame_index : np.ndarray
        ``(T,)`` int64 index of each analysed frame in the stream.
    pose_image : np.ndarray
        ``(T, 2, 33, 3)`` float32, see :class:`PersonLandmarks`; NaN when missing.
    pose_world : np.ndarray
        ``(T, 2, 33, 3)`` float32 metres; NaN when missing.
    pose_visibility : np.ndarray
        ``(T, 2, 33)`` float32; 0 when missing.
    face : np.ndarray
        ``(T, 2, 478, 3)`` float32; NaN when missing.
    head_pose_deg : np.ndarray
        ``(T, 2, 3)`` float32 yaw, pitch, roll in degrees; NaN when missing.
    blendshapes : np.ndarray
        ``(T, 2, 52)`` float32; NaN when missing.
    frame_size : tuple of int
        ``(width, height)`` of the analysed frames in pixels.
    info : ExtractRun
        Provenance (source, models with checksums, settings, versions) and extraction statistics.
    """

    t_s: np.ndarray
    frame_index: np.ndarray
    pose_image: np.ndarray
    pose_world: np.ndarray
    pose_visibility: np.ndarray
    face: np.ndarray
    head_pose_deg: np.ndarray
    blendshapes: np.ndarray
    frame_size: tuple[int, int] = (0, 0)
    info: ExtractRun = field(default_factory=ExtractRun)

    ARRAYS = (
        "t_s",
        "frame_index",
        "pose_image",
        "pose_world",
        "pose_visibility",
        "face",
        "head_pose_deg",
        "blendshapes",
    )

    # ------------------------------------------------------------------ build
    @classmethod
    def empty(
        cls, n_frames: int = 0, frame_size: tuple[int, int] = (0, 0), info: ExtractRun | None = None
    ) -> Landmarks:
        t = n_frames
        return cls(
            t_s=np.full(t, np.nan),
            frame_index=np.full(t, -1, dtype=np.int64),
            pose_image=_nan((t, 2, N_POSE, 3)),
            pose_world=_nan((t, 2, N_POSE, 3)),
            pose_visibility=np.zeros((t, 2, N_POSE), dtype=np.float32),
            face=_nan((t, 2, N_FACE, 3)),
            head_pose_deg=_nan((t, 2, 3)),
            blendshapes=_nan((t, 2, N_BLENDSHAPES)),
            frame_size=frame_size,
            info=info or ExtractRun(),
        )

    @classmethod
    def from_frames(
        cls,
        t_s: list[float],
        frame_index: list[int],
        people: list[tuple[PersonLandmarks | None, PersonLandmarks | None]],
        frame_size: tuple[int, int],
        info: ExtractRun | None = None,
    ) -> Landmarks:
        """Stack per-frame results; ``people[t] = (A or None, B or None)``."""
        out = cls.empty(len(t_s), frame_size, info)
        out.t_s[:] = t_s
        out.frame_index[:] = frame_index
        for t, pair in enumerate(people):
            for p, person in enumerate(pair):
                if person is None:
                    continue
                out.pose_image[t, p] = person.pose_image
                out.pose_world[t, p] = person.pose_world
                out.pose_visibility[t, p] = person.pose_visibility
                if person.face is not None:
                    out.face[t, p] = person.face
                if person.head_pose_deg is not None:
                    out.head_pose_deg[t, p] = person.head_pose_deg
                if person.blendshapes is not None:
                    out.blendshapes[t, p] = person.blendshapes
        return out

    @classmethod
    def concatenate(cls, parts: list[Landmarks], info: ExtractRun | None = None) -> Landmarks:
        if not parts:
            raise ValueError("nothing to concatenate")
        kwargs = {name: np.concatenate([getattr(p, name) for p in parts]) for name in cls.ARRAYS}
        return cls(**kwargs, frame_size=parts[0].frame_size, info=info if info is not None else parts[0].info)

    @classmethod
    def assemble(cls, parts: Iterable[Landmarks], n_frames: int, info: ExtractRun | None = None) -> Landmarks:
        """Stack parts that arrive one at a time into arrays allocated once.

        Unlike :meth:`concatenate`, the parts never need to exist all at once: with
        parts read from disk, memory holds the result and one part, not twice the
        session.

        Parameters
        ----------
        parts : iterable of Landmarks
            Consecutive parts with the same mesh size; together ``n_frames`` frames.
        n_frames : int
            Frames in all (a part that runs past it is an error).
        """
        out: Landmarks | None = None
        start = 0
        for part in parts:
            if out is None:
                out = cls(
                    **{
                        name: np.empty((n_frames,) + getattr(part, name).shape[1:], getattr(part, name).dtype)
                        for name in cls.ARRAYS
                    },
                    frame_size=part.frame_size,
                    info=info if info is not None else part.info,
                )
            stop = start + len(part)
            if stop > n_frames:
                raise ValueError(f"parts hold more than the {n_frames} frames announced")
            for name in cls.ARRAYS:
                getattr(out, name)[start:stop] = getattr(part, name)
            start = stop
        if out is None:
            raise ValueError("nothing to assemble")
        return out if start == n_frames else out.slice(0, start)

    # ------------------------------------------------------------- accessors
    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def pose_present(self) -> np.ndarray:
        """``(T, 2)`` bool: the person's pose was found in the frame."""
        return ~np.isnan(self.pose_image[:, :, 0, 0])

    @property
    def face_present(self) -> np.ndarray:
        """``(T, 2)`` bool: the person's face mesh was found in the frame."""
        return ~np.isnan(self.face[:, :, 0, 0])

    def person(self, t: int, p: int) -> PersonLandmarks | None:
        """One person in one frame, or None when missing."""
        if not self.pose_present[t, p]:
            return None
        face_ok = self.face_present[t, p]
        return PersonLandmarks(
            pose_image=self.pose_image[t, p],
            pose_world=self.pose_world[t, p],
            pose_visibility=self.pose_visibility[t, p],
            face=self.face[t, p] if face_ok else None,
            head_pose_deg=self.head_pose_deg[t, p] if face_ok else None,
            blendshapes=self.blendshapes[t, p] if face_ok else None,
        )

    @property
    def has_face_mesh(self) -> bool:
        """False for slim landmarks (:meth:`slimmed`), which keep one face point as a presence marker."""
        return self.face.shape[2] == N_FACE

    def slimmed(self) -> Landmarks:
        """The same landmarks without the 478-point face mesh (about 12 of 14 KB a frame).

        ``face`` keeps only the first mesh point, so :attr:`face_present` still holds;
        head pose and blendshapes stay.  The analysis needs no mesh: a long session is
        analysed with slim landmarks, while the cache keeps the meshes on disk.
        """
        if not self.has_face_mesh:
            return self
        kwargs = {name: getattr(self, name) for name in self.ARRAYS}
        kwargs["face"] = np.ascontiguousarray(self.face[:, :, :1])
        return Landmarks(**kwargs, frame_size=self.frame_size, info=self.info)

    def slice(self, start: int, stop: int) -> Landmarks:
        kwargs = {name: getattr(self, name)[start:stop] for name in self.ARRAYS}
        return Landmarks(**kwargs, frame_size=self.frame_size, info=self.info)

    # ------------------------------------------------------------- geometry
    def flipped(self) -> Landmarks:
        """The landmarks of the horizontally flipped video (people keep their slots).

        Mirrors x, swaps every anatomical left/right label, negates head yaw
        and roll and keeps pitch.  ``flipped().flipped()`` equals the original.
        """
        pose_image = self.pose_image[:, :, POSE_FLIP].copy()
        pose_image[..., 0] = 1.0 - pose_image[..., 0]
        pose_world = self.pose_world[:, :, POSE_FLIP].copy()
        pose_world[..., 0] = -pose_world[..., 0]
        face = (self.face[:, :, FACE_FLIP] if self.has_face_mesh else self.face).copy()
        face[..., 0] = 1.0 - face[..., 0]
        head = self.head_pose_deg.copy()
        head[..., 0] = -head[..., 0]
        head[..., 2] = -head[..., 2]
        return Landmarks(
            t_s=self.t_s.copy(),
            frame_index=self.frame_index.copy(),
            pose_image=pose_image,
            pose_world=pose_world,
            pose_visibility=self.pose_visibility[:, :, POSE_FLIP].copy(),
            face=face,
            head_pose_deg=head,
            blendshapes=self.blendshapes[:, :, BLENDSHAPE_FLIP].copy(),
            frame_size=self.frame_size,
            info=self.info,
        )

    def swapped_people(self) -> Landmarks:
        """The same data with person slots A and B exchanged."""
        kwargs = {
            name: (getattr(self, name)[:, ::-1].copy() if getattr(self, name).ndim > 1 else getattr(self, name).copy())
            for name in self.ARRAYS
        }
        return Landmarks(**kwargs, frame_size=self.frame_size, info=self.info)

    # -------------------------------------------------------------------- io
    def to_npz_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "frame_size": list(self.frame_size),
            "people": list(PEOPLE),
            "info": self.info.to_dict(),
        }
        np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **{n: getattr(self, n) for n in self.ARRAYS})
        return buf.getvalue()

    def save(self, path: str | Path) -> Path:
        """Write a ``.npz`` file atomically (temporary file, then rename)."""
        path = Path(path)
        write_atomic(path, self.to_npz_bytes())
        return path

    @classmethod
    def load(cls, path: str | Path) -> Landmarks:
        """Read a file written by :meth:`save`; a bad file gives a one-line error."""
        path = Path(path)
        if not path.exists():
            raise MirrorError(f"no such landmarks file: {path}")
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                arrays = {n: z[n] for n in cls.ARRAYS}
        except Exception as exc:  # zip, key or json errors alike
            raise MirrorError(f"{path} is not a readable mirror landmarks file ({type(exc).__name__})") from None
        if meta.get("format") != FORMAT:
            raise MirrorError(f"{path} is not a mirror landmarks file")
        if meta.get("format_version") != FORMAT_VERSION:
            raise MirrorError(
                f"{path} has landmarks format version {meta.get('format_version')}, "
                f"this mirror reads version {FORMAT_VERSION}: extract again"
            )
        return cls(**arrays, frame_size=tuple(meta["frame_size"]), info=ExtractRun.from_dict(meta.get("info")))
