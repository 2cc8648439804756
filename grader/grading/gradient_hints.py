"""Say *how* a wrong gradient differs from the true one: sign, a constant factor, one filter.

The modeled mistakes name the common bugs; these hints cover the rest of a wrong
backward pass from the relation between the student's array and the expected one,
which for a backward exercise is checked against a numerical gradient when the
variant is built (see ``grader.authoring.kinds.implementation``).  A hint names a
relation (``-1``, ``N``, ``1/N``, zero), never an expected value, so hidden tests
stay hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RELATIVE_RESIDUAL = 1e-6  # got == factor * expected within this share of |expected|


def describe_relation(got: Any, expected: Any) -> str | None:
    """A sentence relating ``got`` to ``expected`` of the same shape, or None if none fits."""
    got_array = np.asarray(got, dtype=np.float64)
    want = np.asarray(expected, dtype=np.float64)
    if got_array.shape != want.shape or want.size == 0 or not np.any(want):
        return None
    if not np.any(got_array):
        return "It is zero everywhere: this gradient was never computed."
    factor = float(np.vdot(got_array, want) / np.vdot(want, want))
    residual = np.linalg.norm(got_array - factor * want)
    if residual > RELATIVE_RESIDUAL * np.linalg.norm(want) or abs(factor - 1.0) < 1e-9:
        return _first_axis_hint(got_array, want)
    if abs(factor + 1.0) < 1e-6:
        return "It has the wrong sign everywhere (the loss would grow along it)."
    return (f"It is {_factor_text(factor)} times the right values everywhere: "
            "look at constant factors such as the batch size.")


def _first_axis_hint(got: np.ndarray, want: np.ndarray) -> str | None:
    """Errors confined to some entries of the first axis (filters of a kernel gradient)."""
    if got.ndim < 2 or got.shape[0] < 2:
        return None
    wrong = ~np.isclose(got, want, rtol=1e-6, atol=1e-10)
    per_entry = wrong.reshape(len(wrong), -1).any(axis=1)
    if per_entry.all() or not per_entry.any():
        return None
    bad = np.flatnonzero(per_entry)
    words = ("entry", "is") if len(bad) == 1 else ("entries", "are")
    listed = ", ".join(str(i) for i in bad)
    return f"Only {words[0]} {listed} along the first axis (filters, class rows) {words[1]} wrong."


def _factor_text(factor: float) -> str:
    """``4``, ``1/4``, ``-2`` or ``0.731``: simple fractions as such, others rounded."""
    from fractions import Fraction  # here: `check` of right answers never needs it

    near = Fraction(factor).limit_denominator(64)
    if abs(float(near) - factor) <= 1e-6 * abs(factor):
        return str(near)
    return f"{factor:.3g}"
