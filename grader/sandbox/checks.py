"""Checks on returned arrays, shared by the child (for precise messages) and the
parent (which re-checks, because nothing the child writes is trusted).

Standard library and NumPy only: the zygote loads this as a top-level module.
"""

from __future__ import annotations

import numpy as np

_KIND_NAMES = {
    "b": "a bool array",
    "c": "a complex array",
    "O": "an object array",
    "U": "an array of strings",
    "S": "an array of bytes",
    "V": "a structured or raw-bytes array",
    "M": "an array of dates",
    "m": "an array of time differences",
}


def array_problem(dtype: np.dtype) -> str | None:
    """Why an array of this dtype cannot be graded, or None for plain int/uint/float."""
    if dtype.fields is not None or dtype.subdtype is not None:
        return "returned a structured array"
    if dtype.kind in "iuf":
        return None
    return f"returned {_KIND_NAMES.get(dtype.kind, f'an array of {dtype}')}"


def describe_nonfinite(array: np.ndarray) -> str | None:
    """``returned values that are not finite (NaN at [0, 2])`` or None."""
    if array.dtype.kind != "f":
        return None
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    where = np.argwhere(bad)[0] if array.ndim else ()
    value = float(array[tuple(where)])
    name = "NaN" if value != value else ("inf" if value > 0 else "-inf")
    count = int(bad.sum())
    more = f"; {count} such values" if count > 1 else ""
    index = "[" + ", ".join(str(int(i)) for i in where) + "]"
    return f"returned values that are not finite ({name} at {index}{more})"
