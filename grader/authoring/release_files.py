"""Reading a student's release folder without trusting it: `check` runs there, and
the folder is the student's, so nothing planted in it (a link, a FIFO) is followed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_RELEASE_FILE = 64 << 20  # public.json / public.npz of one student


def read_plain(path: Path, limit: int = MAX_RELEASE_FILE) -> bytes:
    """A release file's bytes, never through a symbolic link nor from a FIFO or device:
    the folder is the student's, so whatever was planted there is not followed."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError(f"{path.name} is not a regular file of at most {limit >> 20} MiB")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)[:limit]
    finally:
        os.close(fd)
