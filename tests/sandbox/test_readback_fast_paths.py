"""The fast paths of reading ``.npy`` results back (the header parsed once and
cached by its bytes, finiteness judged from the sum first) against the code they
replaced, kept here as the oracle: same value, dtype and shape, or the same refusal
with the same message, for honest, odd and hostile blobs."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.sandbox import readback
from grader.sandbox.checks import array_problem, describe_nonfinite
from grader.sandbox.readback import CANONICAL, INT64, MAX_HEADER, Invalid, ResultBudget


# ---- the oracle: readback.py before the fast paths (53f4ae4) ----------------------
def _old_canonical(data: bytes):
    if len(data) < 12 or data[:8] != b"\x93NUMPY\x01\x00":
        return None
    end = 10 + int.from_bytes(data[8:10], "little")
    found = CANONICAL.fullmatch(data, 10, end)
    if found is None or end > min(len(data), MAX_HEADER):
        return None
    descr, order, dims = found.groups()
    shape = tuple(int(dim) for dim in dims.split(b",") if dim.strip())
    return shape, order == b"True", np.dtype(descr.decode()), end


def _old_header(data: bytes):
    canonical = _old_canonical(data)
    header = canonical if canonical is not None else readback._numpy_header(data)
    shape, _, dtype, _ = header
    problem = array_problem(dtype)
    if problem or dtype.hasobject:
        raise Invalid(problem or "returned an object array")
    if min(shape, default=0) < 0:
        raise Invalid("returned data the grader could not read (size does not match shape)")
    return header


def _old_normalize(array: np.ndarray):
    if array.dtype.kind in "iu":
        if array.size and (int(array.max()) > INT64.max or int(array.min()) < INT64.min):
            raise Invalid("returned integers too large to store in 64 bits")
        result = np.array(array, dtype=np.int64, order="C", copy=True)
    else:
        with np.errstate(over="ignore"):
            result = np.array(array, dtype=np.float64, order="C", copy=True)
        problem = describe_nonfinite(result)
        if problem:
            raise Invalid(problem)
    return result.item() if result.ndim == 0 else result


def _old_parse(data: bytes):
    shape, fortran_order, dtype, offset = _old_header(data)
    count = math.prod(shape)
    if count * dtype.itemsize != len(data) - offset:
        raise Invalid("returned data the grader could not read (size does not match shape)")
    try:
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        array = flat.reshape(shape, order="F" if fortran_order else "C")
    except ValueError:
        raise Invalid("returned data the grader could not read") from None
    return _old_normalize(array)


# ---- comparing ---------------------------------------------------------------------
def _outcome(parse, data: bytes):
    try:
        value = parse(data)
    except Exception as exc:  # any exception must be the same one
        return ("refused", type(exc).__name__, str(exc))
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.flags.c_contiguous,
                value.flags.writeable, value.tobytes())
    return ("scalar", type(value).__name__, repr(value))


def _new_parse(data: bytes):
    """As the results reader does it: charge from the head, parse with that header."""
    head = data[: MAX_HEADER + 16]
    header = readback.charge_npy(ResultBudget(allowed=2**40), head, len(data))
    return readback.parse_npy(data, header)


def _same(data: bytes) -> None:
    expected = _outcome(_old_parse, data)
    assert _outcome(readback.parse_npy, data) == expected
    assert _outcome(_new_parse, data) == expected
    assert _outcome(readback.parse_npy, data) == expected  # again: now from the cache


def _npy(array: np.ndarray, *, version=None) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=False)
    return buffer.getvalue()


_DTYPES = ["<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "|u1", "<u8", "|i1", "<u2"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_DTYPES), st.lists(st.integers(0, 5), max_size=4),
       st.booleans(), st.integers(0, 2**32 - 1), st.sampled_from(["normal", "huge", "special"]))
def test_honest_blobs_read_as_the_old_reader_read_them(dtype, shape, fortran, seed, kind):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) * (1e307 if kind == "huge" else 1.0)
    if kind == "special" and values.size:
        values.flat[rng.integers(values.size)] = rng.choice([np.nan, np.inf, -np.inf])
    with np.errstate(all="ignore"):
        array = values.astype(dtype) if np.dtype(dtype).kind == "f" else \
            (values * 1000).astype(np.int64).astype(dtype)
    _same(_npy(np.asfortranarray(array) if fortran else array))


@pytest.mark.parametrize("values", [
    [1e308, 1e308], [-1e308, -1e308, 1e308], [np.inf, -np.inf], [np.nan], [1.0, np.inf],
    [np.finfo(np.float64).max] * 4, [0.0, -0.0], [], 5e-324,
])
def test_sums_that_overflow_or_cancel_are_judged_value_by_value(values):
    _same(_npy(np.array(values, dtype=np.float64)))
    with np.errstate(over="ignore"):
        _same(_npy(np.array(values, dtype=np.float32)))


def test_float16_and_float32_extremes_widen_as_before():
    _same(_npy(np.array([65504, -65504, 1], dtype=np.float16)))
    _same(_npy(np.array([np.finfo(np.float32).max] * 3, dtype=np.float32)))


def _with_header(text: bytes, body: bytes = b"", magic: bytes = b"\x93NUMPY\x01\x00") -> bytes:
    return magic + len(text).to_bytes(2, "little") + text + body


_HOSTILE = [
    b"",
    b"\x93NUMPY",
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", b"\0" * 16),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", b"\0" * 15),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }   \n",
                 b"\0" * 48),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", b"\0" * 8),
    _with_header(b"{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }\n", b"\1"),
    _with_header(b"{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }\n", b"\0" * 16),
    _with_header(b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", b"\0" * 8),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }\n", b"\0" * 8),
    _with_header(b"{'descr': '<f8', 'shape': (1,), 'fortran_order': False}\n", b"\0" * 8),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n"[:-1], b"\0" * 8),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }\n"),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", b"\0" * 8,
                 magic=b"\x93NUMPY\x02\x00"),
    _with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + b" " * 12000
                 + b"\n", b"\0" * 8),
    (b"\x93NUMPY\x01\x00" + (60000).to_bytes(2, "little")
     + b"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n"),
    _with_header(b"{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n",
                 np.array([2**63 - 1, -2**63]).tobytes()),
    _with_header(b"{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }\n",
                 np.array([2**64 - 1], dtype=np.uint64).tobytes()),
]


@pytest.mark.parametrize("data", _HOSTILE, ids=range(len(_HOSTILE)))
def test_odd_and_hostile_blobs_get_the_old_verdict(data):
    _same(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 120))
def test_mangled_blobs_get_the_old_verdict(noise, where):
    honest = bytearray(_npy(np.arange(6, dtype=np.float64).reshape(2, 3)))
    honest[where:where + len(noise[:8])] = noise[:8]
    _same(bytes(honest) + noise[8:])


def test_a_cached_header_gives_the_same_verdict_for_another_blob_of_that_shape():
    first = _npy(np.arange(4.0))
    second = _npy(np.array([1.0, np.nan, 3.0, 4.0]))
    _same(first)
    _same(second)
    _same(first[:-8])


@pytest.mark.parametrize("descr", [b"<f9", b"<i3", b">u5"])
def test_a_type_code_numpy_does_not_know_is_refused_not_a_crash(descr):
    """The old reader let NumPy's ``TypeError`` out (the run's results then read as
    "could not read (TypeError)"); both paths now refuse such a blob as bad data."""
    data = _with_header(b"{'descr': '" + descr + b"', 'fortran_order': False, 'shape': (1,), }\n",
                        b"\0" * 9)
    assert _outcome(_old_parse, data)[:2] == ("refused", "TypeError")
    for parse in (readback.parse_npy, _new_parse, readback.parse_npy):
        assert _outcome(parse, data) == ("refused", "Invalid",
                                         "returned data the grader could not read")
