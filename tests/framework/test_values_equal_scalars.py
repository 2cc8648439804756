"""``values_equal`` on two Python ints or two Python floats (its shortcut) gives what
its array path gives for the same numbers as NumPy scalars."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.authoring.variant import values_equal
from grader.model import EXACT, Tolerance

TOLERANCES = st.sampled_from((EXACT, Tolerance(atol=1e-9, rtol=1e-6), Tolerance(atol=0.5, rtol=0.0),
                              Tolerance(atol=0.0, rtol=1e-3)))
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    (0.0, -0.0, 1.0, 1.0 + 1e-7, 1e308, -1e308, 5e-324))


@settings(max_examples=500, deadline=None)
@given(FLOATS, FLOATS, TOLERANCES)
def test_two_floats_as_the_array_path(got: float, expected: float, tolerance: Tolerance) -> None:
    assert values_equal(got, expected, tolerance) == values_equal(
        np.float64(got), np.float64(expected), tolerance)


@settings(max_examples=300, deadline=None)
@given(st.integers(), st.integers(), TOLERANCES)
def test_two_ints_as_the_array_path(got: int, expected: int, tolerance: Tolerance) -> None:
    assert values_equal(got, expected, tolerance) == values_equal(
        np.asarray(got), np.asarray(expected), tolerance)


def test_near_floats_within_tolerance_are_equal_and_ints_are_exact() -> None:
    loose = Tolerance(atol=0.5, rtol=0.0)
    assert values_equal(1.0, 1.4, loose) and not values_equal(1.0, 1.6, loose)
    assert not values_equal(1, 2, loose)
    assert values_equal(float("inf"), float("inf")) and not values_equal(float("nan"), float("nan"))
