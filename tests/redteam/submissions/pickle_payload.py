"""Forges the run's results file where the parent reads it: a pickled object array,
a symlink, a FIFO, a lying header, an oversized file, a record claiming a terabyte,
and a second segment that is a FIFO.  The format (``results_file.py``) is rebuilt by
hand here, as a student could: length, JSON, then the ``.npy`` blobs."""

import io
import json
import os

import numpy as np

MARKER = "__DECOY__/unpickled"
RESULTS = "../out/results"
SEGMENT_BYTES = 1 << 20


class Payload:
    def __reduce__(self):
        return (open, (MARKER, "w"))


def _record(data, *blobs):
    body = json.dumps(data).encode()
    return len(body).to_bytes(4, "big") + body + b"".join(blobs)


def _forge_array(blob, declared=None):
    """Append probe 0's record (the import's is there already), then end the run."""
    record = _record({"probe": 0, "parts": [{"npy": declared or len(blob)}]}, blob)
    with open(RESULTS, "ab") as handle:
        handle.write(record)
    os._exit(0)


def _replace(make):
    make(RESULTS + ".new")
    os.replace(RESULTS + ".new", RESULTS)
    os._exit(0)


def pickled(x, k):
    array = np.empty(1, dtype=object)
    array[0] = Payload()
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    _forge_array(buffer.getvalue())


def symlinked(x, k):
    _replace(lambda path: os.symlink("/etc/passwd", path))


def fifo(x, k):
    _replace(os.mkfifo)


def lying_header(x, k):
    buffer = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": (400_000_000,)}
    np.lib.format.write_array_header_1_0(buffer, header)
    _forge_array(buffer.getvalue() + b"\0" * 32)


def oversized(x, k):
    os.truncate(RESULTS, 4 * SEGMENT_BYTES)  # sparse: costs the child nothing
    os._exit(0)


def huge_blob(x, k):
    _forge_array(b"", declared=10**12)


def fifo_segment(x, k):
    """A record whose blob runs into ``results.1``, which is a FIFO (never opened for
    reading by the parent: that would block it)."""
    used = os.path.getsize(RESULTS)
    head = _record({"probe": 0, "parts": [{"npy": 10 * SEGMENT_BYTES}]})
    with open(RESULTS, "ab") as handle:
        handle.write(head + b"\x93" * (SEGMENT_BYTES - used - len(head)))
    os.mkfifo(RESULTS + ".1")
    os._exit(0)
