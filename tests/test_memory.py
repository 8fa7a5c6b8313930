"""Memory freed by one stage of a long session goes back to the system."""

import subprocess
import sys

import pytest

SCRIPT = """
import sys, numpy as np
from mirror.memory import return_freed_memory
def rss_mb():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
if sys.argv[1] == "policy":
    assert return_freed_memory()
x = np.ones(1 << 20); del x  # a mapped block freed: glibc would raise its threshold
start = rss_mb()
big, small = [], []
for i in range(400):
    big.append(np.ones(32 * 1024))  # 256 KB temporaries of a stage, 100 MB in all
    small.append(np.ones(16))  # small results kept between them
held = rss_mb() - start
del big
print(held, rss_mb() - start)
"""


def _held_then_kept(mode: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True).stdout
    held, kept = map(float, out.split())
    return held, kept


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator policy is Linux-only")
def test_freed_temporaries_leave_the_process():
    held, kept = _held_then_kept("policy")
    assert held > 90 and kept < 5, (held, kept)
    held, kept = _held_then_kept("default")  # what the policy prevents: freed memory stays resident
    assert held > 90 and kept > 90, (held, kept)


REUSE_SCRIPT = """
import resource, sys, numpy as np
from mirror.memory import return_freed_memory, temporaries_reused
def rss_mb():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
assert return_freed_memory()
def stage():
    start = faults()
    for _ in range(50):
        x = np.ones(256 * 1024)  # a 2 MB temporary, made and freed block after block
        del x
    return faults() - start
mapped = stage()
start = rss_mb()
with temporaries_reused():
    reused = stage()
    big, small = [], []
    for i in range(400):
        big.append(np.ones(32 * 1024))  # 256 KB temporaries, 100 MB in all
        small.append(np.ones(16))  # small results kept between them
    held = rss_mb() - start
    del big
print(mapped, reused, held, rss_mb() - start)
"""


def _huge_pages_always() -> bool:
    try:
        return "[always]" in open("/sys/kernel/mm/transparent_hugepage/enabled").read()
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator policy is Linux-only")
@pytest.mark.skipif(_huge_pages_always(), reason="fresh mappings come as huge pages here: few faults either way")
def test_a_stage_reuses_its_temporaries_then_returns_them():
    out = subprocess.run([sys.executable, "-c", REUSE_SCRIPT], capture_output=True, text=True, check=True).stdout
    mapped, reused, held, kept = map(float, out.split())
    # under the policy every 2 MB temporary is a fresh mapping whose 512 pages fault in again;
    # reused, the heap's pages are already there
    assert mapped > 50 * 100 and reused * 10 < mapped, (mapped, reused)
    # what the stage freed leaves the process when it ends, small results kept between its temporaries or not
    assert held > 90 and kept < 5, (held, kept)
