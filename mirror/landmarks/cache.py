"""The landmark cache: extraction results on disk, resumable, never recomputed.

Format (version 1)
------------------
A cache entry is a folder ``<cache root>/<key>/`` where ``key`` is the first
24 hex digits of the SHA-256 of a JSON document holding the cache format
version, the source's content hash (SHA-256 of the file's bytes), the model
files' checksums and every setting that changes the result (pose model,
layout, analysis fps, mirrored input, confidences).  It holds:

``manifest.json``
    ``{"format": "mirror.landmark-cache", "format_version": 1, "key": ...,
    "identity": {...the keyed document...}, "chunks": [{"file", "frames",
    "first_index", "last_index"}...], "complete": bool, "info": {...}}``
``chunk_000000.npz``, ``chunk_000001.npz``, ...
    Consecutive runs of analysed frames, each a :class:`~mirror.landmarks.types.Landmarks`
    ``.npz`` file, as the forward pass produced them.
``final.npz`` or ``final_000000.npz``, ... (once complete)
    The whole result after the backward pass (``"final"`` in the manifest: one file
    name, or a list of files, one per chunk, when the result was assembled chunk by
    chunk so that no face meshes of the whole session were held in memory).

Every file is written to a temporary name and renamed, chunk first, manifest
second: an interruption at any point leaves a valid entry holding every
finished chunk, and the next run resumes after the last one.

The chunks and manifest are a :class:`ChunkStore`, which also holds a live
session's recorded landmarks while it runs (:mod:`mirror.live.record`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mirror.errors import MirrorError
from mirror.landmarks.run import ExtractRun
from mirror.landmarks.types import Landmarks, PersonLandmarks
from mirror.storage import write_atomic

CACHE_FORMAT = "mirror.landmark-cache"
CACHE_VERSION = 1


def default_cache_dir() -> Path:
    """``$MIRROR_CACHE_DIR``, else ``$XDG_CACHE_HOME/mirror``, else ``~/.cache/mirror``."""
    env = os.environ.get("MIRROR_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mirror"


def cache_key(identity: dict) -> str:
    blob = json.dumps({"cache_version": CACHE_VERSION, **identity}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


class ChunkStore:
    """Consecutive chunks of landmarks in one folder, named by a manifest; written atomically.

    Each chunk is a :class:`~mirror.landmarks.types.Landmarks` ``.npz`` file; :meth:`append`
    writes the chunk first and the manifest second (both atomically), so an interruption at
    any point leaves a valid store holding every finished chunk.  Reading drops a damaged
    chunk and all after it.

    Parameters
    ----------
    folder : Path
        Where the chunks and ``manifest.json`` go (made on the first write).
    header : dict
        The manifest's identifying fields (``format`` and ``format_version`` at least); a
        manifest on disk whose format differs is not read.
    resume : bool
        Read the chunks a manifest already in ``folder`` names (False: start empty, whatever
        an earlier run left there).
    """

    def __init__(self, folder: str | Path, header: dict, resume: bool = True) -> None:
        self.dir = Path(folder)
        self.header = header
        self.manifest_path = self.dir / "manifest.json"
        self.manifest = self._read_manifest() if resume else self._fresh()
        self._checked = -1  # chunks found readable by check()

    def _fresh(self) -> dict:
        return {**self.header, "chunks": [], "complete": False, "info": {}}

    def _read_manifest(self) -> dict:
        fresh = self._fresh()
        if not self.manifest_path.exists():
            return fresh
        try:
            manifest = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return fresh  # unreadable: start the entry again
        if any(manifest.get(k) != self.header[k] for k in ("format", "format_version")):
            return fresh
        # keep only chunks whose files are still there, in order
        chunks = []
        for chunk in manifest.get("chunks", []):
            if not (self.dir / chunk["file"]).exists():
                break
            chunks.append(chunk)
        manifest["chunks"] = chunks
        if len(chunks) != len(manifest.get("chunks", [])):
            manifest["complete"] = False
        return manifest

    @property
    def n_frames(self) -> int:
        return sum(c["frames"] for c in self.manifest["chunks"])

    def resume_index(self) -> int:
        """Stream index of the first frame not yet in the cache."""
        chunks = self.manifest["chunks"]
        return chunks[-1]["last_index"] + 1 if chunks else 0

    def check(self) -> int:
        """Read every chunk once and drop a damaged one and all after it; frames still cached.

        Nothing is kept in memory: this is how a resume finds its starting point.
        """
        files = [c["file"] for c in self.manifest["chunks"]]
        if self._checked == len(files):
            return self.n_frames
        read = _ReadCount()
        for _ in self._read(files, False, read):
            pass
        if read.parts < len(files):
            self._truncate(read.parts)
        self._checked = read.parts
        return self.n_frames

    def load(self, slim: bool = False) -> Landmarks | None:
        """Everything cached so far (None when empty); a damaged chunk and all after it are dropped.

        Parameters
        ----------
        slim : bool
            Drop the face meshes chunk by chunk (:meth:`Landmarks.slimmed`): memory for the
            whole session holds the slim result and one chunk, however long the session.
        """
        chunks = list(self.manifest["chunks"])
        if not chunks:
            return None
        read = _ReadCount()
        result = self._assemble(self._read([c["file"] for c in chunks], slim, read), sum(c["frames"] for c in chunks))
        if read.parts < len(chunks):  # damaged chunk: it and every later one are dropped and redone
            self._truncate(read.parts)
        if result is not None and not self.manifest.get("info"):
            result.info = read.info
        return result

    def last_people(self) -> tuple[PersonLandmarks | None, PersonLandmarks | None]:
        chunks = self.manifest["chunks"]
        if not chunks:
            return (None, None)
        last = Landmarks.load(self.dir / chunks[-1]["file"])
        t = len(last) - 1
        return (last.person(t, 0), last.person(t, 1))

    def append(self, part: Landmarks) -> None:
        if len(part) == 0:
            return
        name = f"chunk_{len(self.manifest['chunks']):06d}.npz"
        part.save(self.dir / name)
        self.manifest["chunks"].append(
            {
                "file": name,
                "frames": len(part),
                "first_index": int(part.frame_index[0]),
                "last_index": int(part.frame_index[-1]),
            }
        )
        self.manifest["complete"] = False
        self._write_manifest()

    def _read(self, names: list[str], slim: bool, read: _ReadCount) -> Iterator[Landmarks]:
        """The landmark files ``names`` in order (slimmed when asked), up to the first damaged one.

        ``read`` counts the files read whole and keeps the last one's info.
        """
        for name in names:
            try:
                part = Landmarks.load(self.dir / name)
            except MirrorError:
                return
            read.parts += 1
            read.info = part.info
            yield part.slimmed() if slim else part

    def _assemble(self, parts: Iterable[Landmarks], total: int) -> Landmarks | None:
        try:
            return Landmarks.assemble(parts, total, info=self._info())
        except ValueError:  # nothing readable, or the files disagree with the manifest
            return None

    def _info(self) -> ExtractRun | None:
        """The manifest's run information, None when it holds none."""
        return ExtractRun.from_dict(self.manifest["info"]) if self.manifest.get("info") else None

    def _truncate(self, n_chunks: int) -> None:
        self.manifest["chunks"] = self.manifest["chunks"][:n_chunks]
        self.manifest["complete"] = False
        self._write_manifest()

    def _write_manifest(self) -> None:
        write_atomic(self.manifest_path, json.dumps(self.manifest, indent=1).encode())


class LandmarkCache(ChunkStore):
    """One cache entry: the chunks extracted so far for one source and settings, and the finished result."""

    def __init__(self, root: str | Path, identity: dict) -> None:
        self.identity = identity
        self.key = cache_key(identity)
        header = {"format": CACHE_FORMAT, "format_version": CACHE_VERSION, "key": self.key, "identity": identity}
        super().__init__(Path(root) / "landmarks" / self.key, header)

    @property
    def complete(self) -> bool:
        return bool(self.manifest.get("complete"))

    def load_final(self, slim: bool = False) -> Landmarks | None:
        """The finished result after post-passes (see :meth:`save_final`), if any."""
        names = self.manifest.get("final")
        if not self.complete or not names:
            return None
        names = [names] if isinstance(names, str) else list(names)
        if not all((self.dir / name).exists() for name in names):
            return None
        read = _ReadCount()
        if len(names) == 1:  # one file holds it all
            result = next(self._read(names, slim, read), None)
            if result is not None:
                result.info = self._info() or result.info
            return result
        total = self.n_frames  # one final chunk per forward chunk
        result = self._assemble(self._read(names, slim, read), total)
        return None if read.parts < len(names) or result is None or len(result) != total else result

    def save_final(self, landmarks: Landmarks, face_patches: dict | None = None) -> None:
        """Store the finished result (chunks stay as the forward pass wrote them).

        Slim landmarks (no face meshes in memory) are stored chunk by chunk: each forward
        chunk is read back, given the finished pose, head pose and blendshapes of its frames
        and the meshes of frames the backward pass recovered (``face_patches``:
        ``{(frame position, person): (478, 3) mesh}``), and written as a final chunk.
        """
        if landmarks.has_face_mesh:
            landmarks.save(self.dir / "final.npz")
            self.manifest["final"] = "final.npz"
        else:
            names, start = [], 0
            patches = face_patches or {}
            for i, chunk in enumerate(self.manifest["chunks"]):
                part = Landmarks.load(self.dir / chunk["file"])
                stop = start + len(part)
                done = landmarks.slice(start, stop)
                for name in ("pose_image", "pose_world", "pose_visibility", "head_pose_deg", "blendshapes"):
                    getattr(part, name)[:] = getattr(done, name)
                missing = ~done.face_present
                part.face[missing] = np.nan
                for (t, p), mesh in patches.items():
                    if start <= t < stop:
                        part.face[t - start, p] = mesh
                part.info = ExtractRun()
                name = f"final_{i:06d}.npz"
                part.save(self.dir / name)
                names.append(name)
                start = stop
            if start != len(landmarks):
                raise MirrorError(f"landmark cache {self.dir}: chunks hold {start} frames, the result {len(landmarks)}")
            self.manifest["final"] = names
        self.manifest["info"] = landmarks.info.to_dict()
        self._write_manifest()

    def finish(self, info: ExtractRun) -> None:
        self.manifest["complete"] = True
        self.manifest["info"] = info.to_dict()
        self._write_manifest()

    def set_info(self, info: ExtractRun) -> None:
        self.manifest["info"] = info.to_dict()
        self._write_manifest()


@dataclass
class _ReadCount:
    """Chunk files read whole so far, and the last one's run information."""

    parts: int = 0
    info: ExtractRun = field(default_factory=ExtractRun)
