"""``heap.pin_mmap_threshold``: after it, big buffers stay mappings of their own.

glibc's dynamic rule raises the mmap threshold to the size of each freed mapping;
after a freed 8 MiB buffer, a 1 MiB one would come from the heap.  Pinned, the
1 MiB buffer must show up in ``mallinfo2``'s bytes held in mappings (``hblkhd``).
Each case runs in a fresh interpreter: the setting is per process.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import ctypes, sys
    from grader.grading import heap

    class Info(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks "
            "keepcost").split()]

    info = ctypes.CDLL(None).mallinfo2
    info.restype = Info
    if sys.argv[1] == "pin":
        assert heap.pin_mmap_threshold()
    big = bytearray(8 << 20)
    del big  # without the pin, the threshold is now 8 MiB
    before = info().hblkhd
    held = bytearray(1 << 20)
    print(info().hblkhd - before >= (1 << 20))
    """
)


def _glibc_with_mallinfo2() -> bool:
    try:
        ctypes.CDLL(None).mallinfo2  # noqa: B018 (glibc 2.33 or later)
    except AttributeError:
        return False
    return True


def _mapped(mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(not _glibc_with_mallinfo2(), reason="needs glibc's mallinfo2")
def test_pinned_threshold_keeps_big_buffers_out_of_the_heap() -> None:
    assert _mapped("pin") == "True"
