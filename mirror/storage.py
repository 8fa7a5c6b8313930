"""Files that are never half-written, and output folders that one run owns at a time."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from mirror.errors import MirrorError


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import, never while other threads create files


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` through a temporary file in the same folder and a rename.

    Raises
    ------
    MirrorError
        The folder cannot be written (permissions, disk full, ...); no partial file is left.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if hasattr(os, "fchmod"):  # as open() would make it, not mkstemp's private 0600
                os.fchmod(fh.fileno(), 0o666 & ~_UMASK)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        reason = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or type(exc).__name__)
        raise MirrorError(f"cannot write {path}: {reason}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


LOCK_NAME = ".mirror.lock"


@contextlib.contextmanager
def folder_lock(folder: Path):
    """Hold ``folder/.mirror.lock`` for the duration; a second run on the same folder is refused.

    The lock file is removed when the run ends (however it ends), so no output folder keeps
    one. A run that opened the file just before another removed it notices (the path no
    longer names the file it locked) and takes the lock again on a fresh file.
    """
    folder = Path(folder)
    path = folder / LOCK_NAME
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks, nothing to hold (fcntl is then never used)
        have_locks = False
    else:
        have_locks = True
    for _ in range(100):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise MirrorError(f"cannot write to {folder}: {exc.strerror or type(exc).__name__}") from None
        if not have_locks:
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise MirrorError(
                f"another mirror run is writing to {folder}: wait for it or choose another --out"
            ) from None
        if _same_file(fd, path):
            break
        os.close(fd)  # the holder before us removed this file as we opened it: lock a fresh one
    else:  # pragma: no cover - a hundred removals in a row
        raise MirrorError(f"another mirror run is writing to {folder}: wait for it or choose another --out")
    try:
        yield folder
    finally:
        with contextlib.suppress(OSError):
            if not have_locks or _same_file(fd, path):
                path.unlink()
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, now = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)
