"""Inside the child: the run's one results file, appended to as each step finishes.

Loaded by the zygote as a top-level module (standard library only); the parent
reads the format in ``results_read.py``.  One file per module run replaces a
``.json`` (written to a temporary name, then renamed) per probe and a ``.npy`` per
returned array: about 90 fewer files per assignment-3 submission.

The format is a stream of records, each written with one system call as soon as
its step is done, so a probe that hangs or crashes loses nothing recorded before it:

    record := length (4 bytes, big-endian) | JSON object of that length | blobs

The first record is the import's (``{"import": true}`` or ``{"import": false,
"error": ...}``), then one per probe in order (``{"probe": i, "parts": [...]}`` or
``{"probe": i, "error": ...}``); a part is ``{"scalar": v}`` or ``{"npy": n}``, the
latter an ``.npy`` blob of ``n`` bytes following the JSON, in the parts' order.

The stream is cut into files of exactly ``SEGMENT_BYTES`` (``results``,
``results.1``, ...; the last one shorter), far below any file-size limit of a run,
so a run may return as much as before (each array up to ``Limits.output_mb``).
The parent trusts none of it: student code can write this file too.
"""

from __future__ import annotations

import contextlib
import json
import os

RESULTS = "results"
SEGMENT_BYTES = 1 << 20
LENGTH_BYTES = 4
# No Python-level buffering: a record is on its way to the parent once written.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC


def segment_name(number: int) -> str:
    """``results``, then ``results.1``, ``results.2``, ..."""
    return RESULTS if number == 0 else f"{RESULTS}.{number}"


class ResultsWriter:
    """Appends records to the results stream of one module run (see the module's doc).

    Holds one descriptor for the whole run.  Student code runs in between and may
    close or replace it; the descriptor is then opened again by name, once per
    record (what it wrote itself is the student's business: the parent checks all).
    """

    __slots__ = ("_fd", "_folder", "_segment", "_used")

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._segment = 0
        self._used = 0
        self._fd = _create(os.path.join(folder, RESULTS))

    def add(self, record: dict, blobs: list[bytes]) -> None:
        """Append ``record`` (its ``npy`` parts' blobs after it, in order)."""
        body = json.dumps(record).encode()  # the C encoder (json.dump is Python)
        chunks = [len(body).to_bytes(LENGTH_BYTES, "big"), body, *blobs]
        size = sum(len(chunk) for chunk in chunks)
        if self._used + size <= SEGMENT_BYTES and len(chunks) <= 64:
            try:
                written = os.writev(self._fd, chunks)
            except OSError:  # closed or replaced by student code: reopen by name
                self._reopen()
                written = os.writev(self._fd, chunks)
            self._used += written
            if written == size:
                return
            chunks = [b"".join(chunks)[written:]]  # a short write: the rest below
        for chunk in chunks:
            self._write(memoryview(chunk))

    def _write(self, view: memoryview) -> None:
        while view:
            if self._used == SEGMENT_BYTES:
                self._next_segment()
            written = os.write(self._fd, view[: SEGMENT_BYTES - self._used])
            self._used += written
            view = view[written:]

    def _next_segment(self) -> None:
        os.close(self._fd)
        self._segment += 1
        self._used = 0
        self._fd = _create(os.path.join(self._folder, segment_name(self._segment)))

    def _reopen(self) -> None:
        path = os.path.join(self._folder, segment_name(self._segment))
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
        self._used = os.fstat(self._fd).st_size

    def close(self) -> None:
        """Best effort: the process exits right after anyway."""
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _create(path: str) -> int:
    """A new, empty file at ``path``.  Whatever is there already (planted by an earlier
    module of the same child: a file, a link, a FIFO, a folder) is moved aside first,
    so it can take no result away; ``O_EXCL`` never follows a link."""
    try:
        return os.open(path, _FLAGS, 0o600)
    except FileExistsError:
        os.rename(path, f"{path}.planted-{os.urandom(6).hex()}")
        return os.open(path, _FLAGS, 0o600)
