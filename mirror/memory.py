"""Process memory policy for long sessions.

A session's stages (features, comparison, surrogates, mechanical imitation,
coaching, reports) each build large temporary arrays.  With glibc's default
policy, memory freed by one stage stays with the process, so peaks of later
stages stack on top of it and resident memory grows with the video's length.
:func:`return_freed_memory` makes large blocks come from their own mappings,
which go back to the system as soon as they are freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

LARGE_BLOCK_BYTES = 128 * 1024
"""Blocks from this size up are mapped on their own and unmapped when freed (glibc's initial threshold)."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


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
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, int(large_block_bytes)) == 1
    ok &= mallopt(_M_TRIM_THRESHOLD, int(large_block_bytes)) == 1
    return bool(ok)
