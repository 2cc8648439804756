"""The child's own ``.npy`` writer against NumPy's (the oracle): same bytes for every
C-ordered array, a loadable file for any other, and the parent's parser agrees."""

from __future__ import annotations

import importlib
import io
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox.readback import Invalid, parse_npy

HERE = str(Path(__file__).resolve().parents[2] / "grader" / "sandbox")


def child_runner():
    """``runner`` as the zygote loads it (a top-level module beside its helpers)."""
    sys.path.insert(0, HERE)
    try:
        return importlib.import_module("runner")
    finally:
        sys.path.remove(HERE)

ARRAYS = [
    np.arange(6.0).reshape(2, 3),
    np.array(3.5),
    np.array(-7, dtype=np.int16),
    np.zeros((0, 4), np.int32),
    np.arange(5, dtype=">i4"),
    np.ones((1,) * 12, np.float16),
    np.arange(10**5, dtype=np.uint8),
    np.full((3, 70), 2.0)[:, ::3],  # not contiguous
    np.asfortranarray(np.arange(12.0).reshape(3, 4)),  # Fortran order
]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_written_arrays_read_back_as_numpy_writes_them(tmp_path, array):
    ours, theirs = tmp_path / "ours.npy", tmp_path / "theirs.npy"
    child_runner().save_npy(str(ours), array)
    np.save(theirs, np.array(array, order="C"), allow_pickle=False)
    assert ours.read_bytes() == theirs.read_bytes()
    loaded = np.load(ours, allow_pickle=False)
    assert loaded.dtype == array.dtype and loaded.shape == array.shape
    np.testing.assert_array_equal(loaded, array)
    parsed = parse_npy(ours.read_bytes())
    np.testing.assert_array_equal(parsed, array)


HEADERS = [*ARRAYS, np.array([True, False]), np.ones(3, np.longdouble), np.arange(4, dtype="<u8")]


@pytest.mark.parametrize("array", HEADERS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_the_parents_quick_header_parser_agrees_with_numpys(array):
    from grader.sandbox.readback import _canonical_header, _numpy_header

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    data = buffer.getvalue()
    quick = _canonical_header(data)
    assert quick is not None
    assert quick == _numpy_header(data)


def reordered(array: np.ndarray) -> bytes:
    """A valid .npy whose header lists its keys in another order (not canonical)."""
    text = (f"{{'shape': {array.shape!r}, 'fortran_order': False, "
            f"'descr': {array.dtype.str!r}}}")
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode() + array.tobytes()


def test_headers_it_does_not_know_are_left_to_numpys_parser():
    from grader.sandbox.readback import _canonical_header

    array = np.arange(6.0).reshape(3, 2)
    data = reordered(array)
    assert _canonical_header(data) is None
    np.testing.assert_array_equal(parse_npy(data), array)


@pytest.mark.parametrize("change", [
    (b"(2, 3)", b"(2, 4)"),  # more data promised than there is
    (b"(2, 3)", b"(2, 2)"),  # less
    (b"(2, 3)", b"(-2, -3)"),  # negative: not canonical, and NumPy's parser refuses it too
    (b"'<f8'", b"'<c8'"),  # complex
    (b"'<f8'", b"'|b1'"),  # bool
    (b"'<f8'", b"'|O'"),  # objects
])
def test_lying_or_refused_headers_stay_refused(change):
    buffer = io.BytesIO()
    np.save(buffer, np.arange(6.0).reshape(2, 3), allow_pickle=False)
    data = buffer.getvalue().replace(*change)
    with pytest.raises(Invalid):
        parse_npy(data)
