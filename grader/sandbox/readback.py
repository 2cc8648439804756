"""The parent's side of the data path: read what a finished child left behind.

Nothing here trusts the child.  Files are opened without following symlinks, must
be regular files under a size cap, and ``.npy`` blobs (from the results file, see
``results_read.py``) are parsed by hand (header first, then a raw buffer of a plain
numeric dtype), never with pickle.  Values come out as int64/float64 ndarrays with
finite entries, Python ints, floats or short strings; 0-d arrays become scalars.

What comes back is bounded twice: each array by ``Limits.output_mb``, and all the
arrays of one submission (every probe of every module of a ``run_many``) by a
``ResultBudget``, charged from each blob's header *before* its data is read,
parsed or widened (every value counts 8 bytes, the size the grader keeps it at).
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import stat
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.sandbox.checks import array_problem, describe_nonfinite

MAX_JSON = 64 * 1024
MAX_ERROR = 500
MAX_TEXT = 1000
INT64 = np.iinfo(np.int64)
MAX_HEADER = 10000
CANONICAL = re.compile(rb"\{'descr': '([<>|=]?[biuf][0-9]{1,2})', 'fortran_order': (True|False), "
                       rb"'shape': \((|[0-9]{1,19},|[0-9]{1,19}(?:, [0-9]{1,19})+,?)\), \} *\n")
MIB = 2**20
UNBOUNDED = 2**63


class Invalid(Exception):
    """A returned value the parent refuses; the message is student-facing."""


@dataclass
class ResultBudget:
    """How many bytes of arrays the grader still accepts from one submission.

    Mutable on purpose: one budget follows one ``run``/``run_many`` call while its
    results are read, then is dropped.  A refused array costs nothing, so a later,
    smaller one may still fit.
    """

    allowed: int
    used: int = 0

    def charge(self, nbytes: int) -> None:
        """Count ``nbytes`` more, or refuse with a message a student can act on."""
        if self.used + nbytes > self.allowed:
            raise Invalid(f"your results total {_size(self.used + nbytes)}, more than the "
                          f"{_size(self.allowed)} allowed (each number counts 8 bytes); "
                          "return smaller arrays")
        self.used += nbytes


def _size(nbytes: int) -> str:
    return f"{nbytes / MIB:.0f} MiB" if nbytes >= MIB else f"{nbytes / 1024:.1f} KiB"


def read_capped(path: str, cap: int, budget: ResultBudget | None = None) -> bytes | None:
    """The file's bytes, None when absent; ``Invalid`` for links, devices, big files.
    With a ``budget``, the file is an ``.npy`` whose widened size is charged to it
    from the header alone, before the rest is read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Invalid(f"left a result file the grader could not open ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Invalid("left a result that is not a regular file")
        if info.st_size > cap:
            raise Invalid(f"returned more data than allowed ({info.st_size} bytes)")
        if budget is not None:
            charge_npy(budget, os.pread(fd, MAX_HEADER + 16, 0), info.st_size)
        chunks, remaining = [], cap + 1
        want = info.st_size + 1  # one read, then one that finds the end (see collect.py)
        while remaining > 0:
            chunk = os.read(fd, min(remaining, want))
            want = 1 << 16
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > cap:
        raise Invalid("returned more data than allowed")
    return data


Header = tuple[tuple[int, ...], bool, np.dtype, int]  # shape, Fortran order, dtype, offset


def charge_npy(budget: ResultBudget, head: bytes, size: int) -> Header:
    """Charge the widened size of an ``.npy`` blob of ``size`` bytes, known from its
    header (``head``, its first bytes) alone, or ``Invalid``.  Returns the parsed
    header, so that ``parse_npy`` of the same blob need not parse it again."""
    header = npy_header(head)
    shape, _, dtype, offset = header
    count = math.prod(shape)
    if count * dtype.itemsize != size - offset:
        raise Invalid("returned data the grader could not read (size does not match shape)")
    budget.charge(8 * count)
    return header


def read_head(path: str, limit: int = 4096) -> str:
    """The first ``limit`` characters of a captured stream, marked when truncated."""
    try:
        info = os.lstat(path)  # most streams are empty: one system call instead of four
        if stat.S_ISREG(info.st_mode) and info.st_size == 0:
            return ""
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        data = os.read(fd, limit + 1)
    finally:
        os.close(fd)
    text = data[:limit].decode("utf-8", "replace")
    return text + "\n[... output truncated]" if len(data) > limit else text


def clean_text(text: Any) -> str:
    """A child-written message, shown as plain text of bounded length."""
    if not isinstance(text, str):
        return "failed (no readable reason was given)"
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR] + "…"


def check_scalar(value: Any) -> int | float | str:
    if type(value) is int and INT64.min <= value <= INT64.max:
        return value
    if type(value) is float and np.isfinite(value):
        return value
    if type(value) is str and len(value) <= MAX_TEXT:
        return value
    if type(value) is bool:
        raise Invalid(f"returned a bool ({value}), not a number")
    raise Invalid("returned a value of a type the grader does not accept")


def npy_header(data: bytes) -> Header:
    """(shape, Fortran order, dtype, data offset) of ``.npy`` bytes (the header is
    enough), or ``Invalid``; the dtype is one the grader accepts."""
    canonical = _canonical_header(data)
    if canonical is not None:
        shape, fortran_order, dtype, offset = canonical
    else:
        shape, fortran_order, dtype, offset = _numpy_header(data)
    problem = array_problem(dtype)
    if problem or dtype.hasobject:
        raise Invalid(problem or "returned an object array")
    if min(shape, default=0) < 0:
        raise Invalid("returned data the grader could not read (size does not match shape)")
    return shape, fortran_order, dtype, offset


def _canonical_header(data: bytes) -> Header | None:
    """The header as the child (and ``np.save``) writes it, parsed by one regular
    expression instead of NumPy's ``ast.literal_eval`` (a compile per file); None for
    anything else, which NumPy's parser then judges."""
    if len(data) < 12 or data[:8] != b"\x93NUMPY\x01\x00":
        return None
    end = 10 + int.from_bytes(data[8:10], "little")
    if end > min(len(data), MAX_HEADER):
        return None
    return _parse_canonical(data[10:end])


@functools.lru_cache(maxsize=128)
def _parse_canonical(text: bytes) -> Header | None:
    """The header text after the magic and its length, parsed.  A pure function of
    those bytes (at most ``MAX_HEADER``, so the cache holds at most ~1.3 MB): the
    arrays of one submission, and of a class, share a few shapes, and the pattern,
    the shape's integers and the dtype cost more than the rest of reading a small
    array.  The result is immutable (tuples and a dtype)."""
    found = CANONICAL.fullmatch(text)
    if found is None:
        return None
    descr, order, dims = found.groups()
    shape = tuple(int(dim) for dim in dims.split(b",") if dim.strip())
    try:
        dtype = np.dtype(descr.decode())
    except TypeError:  # a type code NumPy does not know ('<f9'): NumPy's parser refuses it
        return None
    return shape, order == b"True", dtype, 10 + len(text)


def _numpy_header(data: bytes) -> Header:
    buffer = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buffer)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}[version]
        shape, fortran_order, dtype = read_header(buffer, max_header_size=MAX_HEADER)
    except (ValueError, KeyError, SyntaxError, TypeError):
        raise Invalid("returned data the grader could not read") from None
    return shape, fortran_order, dtype, buffer.tell()


def parse_npy(data: bytes, header: Header | None = None) -> Any:
    """A plain int64/float64 array (or scalar) from ``.npy`` bytes, or ``Invalid``.
    ``header`` is what ``charge_npy`` (or ``npy_header``) found in these bytes' head."""
    shape, fortran_order, dtype, offset = header or npy_header(data)
    count = math.prod(shape)  # Python integers: a hostile shape cannot overflow
    if count * dtype.itemsize != len(data) - offset:
        raise Invalid("returned data the grader could not read (size does not match shape)")
    try:
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        array = flat.reshape(shape, order="F" if fortran_order else "C")
    except ValueError:
        raise Invalid("returned data the grader could not read") from None
    return _normalize(array)


def _normalize(array: np.ndarray) -> Any:
    if array.dtype.kind in "iu":
        if array.size and (int(array.max()) > INT64.max or int(array.min()) < INT64.min):
            raise Invalid("returned integers too large to store in 64 bits")
        result = np.array(array, dtype=np.int64, order="C", copy=True)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            result = np.array(array, dtype=np.float64, order="C", copy=True)
            # A finite sum means every value is finite (an inf or NaN makes the sum inf
            # or NaN); only when it is not (overflow included) is every value looked at.
            total = np.add.reduce(result, axis=None)
        problem = None if math.isfinite(total) else describe_nonfinite(result)
        if problem:
            raise Invalid(problem)
    return result.item() if result.ndim == 0 else result
