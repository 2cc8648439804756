"""The child's own ``.npy`` writer against NumPy's (the oracle): same bytes for every
C-ordered array, a loadable file for any other, and the parent's parser agrees."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox.readback import parse_npy

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
