"""What a file on disk is: its checksum, and why OpenCV cannot read it as a video.

Both look at the file's bytes only (no decoding): the checksum names the exact video a
report was made from, and the reason turns "cannot open" into something a person can act
on (sound only, an MP4 still being recorded, ...).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def file_sha256(path: str | Path, chunk_bytes: int = 1 << 22) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


AUDIO_ONLY = "it holds sound only, no video track"


def why_unreadable(path: Path, scan_bytes: int = 1 << 20) -> str:
    """A plain reason a file OpenCV cannot read is not a video, from its first and last bytes."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(scan_bytes)
        tail = b""
        if size > scan_bytes:
            fh.seek(max(scan_bytes, size - scan_bytes))
            tail = fh.read()
    data = head + tail
    wav = head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    ogg_sound = head[:4] == b"OggS" and (b"\x01vorbis" in head[:128] or b"OpusHead" in head[:128])
    if wav or ogg_sound or head[:4] == b"fLaC" or head[:3] == b"ID3":  # WAV, Ogg Vorbis or Opus, FLAC, MP3
        return AUDIO_ONLY
    if head[4:8] == b"ftyp":  # MP4, MOV, M4A: the track handlers say what the tracks hold
        handlers = {data[m.start() + 12 : m.start() + 16] for m in re.finditer(b"hdlr", data)}
        if b"soun" in handlers and b"vide" not in handlers:
            return AUDIO_ONLY
        if b"moov" not in data:
            return "an MP4 without its index (moov): truncated, or still being recorded"
    return "unknown format, truncated or corrupt"
