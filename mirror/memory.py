"""Process memory policy for long sessions.

A session's stages (features, comparison, surrogates, mechanical imitation,
coaching, reports) each build large temporary arrays.  With glibc's default
policy, memory freed by one stage stays with the process, so peaks of later
stages stack on top of it and resident memory grows with the video's length.
:func:`return_freed_memory` makes large blocks come from their own mappings,
which go back to the system as soon as they are freed.

A stage that makes the same temporaries over and over (the comparator scores a
session block by block) pays for fresh pages each time under that policy.
:func:`temporaries_reused` lets such a stage reuse its freed blocks while it runs,
then returns what it freed when it ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

LARGE_BLOCK_BYTES = 128 * 1024
"""Blocks from this size up are mapped on their own and unmapped when freed (glibc's initial threshold)."""

REUSED_BLOCK_BYTES = 32 * 1024 * 1024
"""Inside :func:`temporaries_reused`, blocks below this size come from the heap and are reused
(glibc's own ceiling for its moving threshold on 64-bit systems): a comparator block's
temporaries (a few MB each) are made once, not mapped afresh hundreds of times an hour."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_lock = threading.Lock()
_policy_bytes: int | None = None  # the threshold :func:`return_freed_memory` set, once it has
_reusing = 0  # stages inside :func:`temporaries_reused` now (threads may overlap)


@cache
def _libc():
    """glibc's ``mallopt`` and ``malloc_trim``, or None (not Linux, or a libc without them).

    Looked up once: finding the C library runs ``ldconfig``, and the comparator enters
    :func:`temporaries_reused` at every live update."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # musl and others have no mallopt
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return mallopt, trim


def _thresholds(mallopt, block_bytes: int) -> bool:
    ok = mallopt(_M_MMAP_THRESHOLD, int(block_bytes)) == 1
    ok &= mallopt(_M_TRIM_THRESHOLD, int(block_bytes)) == 1
    return bool(ok)


def return_freed_memory(large_block_bytes: int = LARGE_BLOCK_BYTES) -> bool:
    """Fix glibc's mmap and trim thresholds so freed large blocks leave the process.

    glibc raises its mmap threshold each time a mapped block is freed, after which
    arrays of that size come from the heap and their memory is kept after ``free``.
    Fixing the thresholds keeps a long session's resident memory close to what it
    holds, not to the sum of every stage's high-water mark.

    Returns
    -------
    bool
        True when the policy was set (Linux with glibc); elsewhere nothing changes.
    """
    global _policy_bytes
    libc = _libc()
    if libc is None:
        return False
    with _lock:
        ok = _thresholds(libc[0], large_block_bytes)
        if ok:
            _policy_bytes = int(large_block_bytes)
        return ok


@contextmanager
def temporaries_reused(block_bytes: int = REUSED_BLOCK_BYTES) -> Iterator[None]:
    """Within: blocks below ``block_bytes`` come from the heap and are reused; after: all freed memory leaves.

    Does nothing unless :func:`return_freed_memory` set the policy (a library user's
    allocator is left as it is).  When the last stage inside leaves, the policy's
    thresholds are set again and ``malloc_trim`` hands every wholly free page back, so
    the stage's freed temporaries do not stay with the process.
    """
    global _reusing
    libc = _libc() if _policy_bytes is not None else None
    if libc is None:
        yield
        return
    mallopt, trim = libc
    with _lock:
        if _reusing == 0:
            _thresholds(mallopt, block_bytes)
        _reusing += 1
    try:
        yield
    finally:
        with _lock:
            _reusing -= 1
            if _reusing == 0 and _policy_bytes is not None:
                _thresholds(mallopt, _policy_bytes)
                trim(0)
