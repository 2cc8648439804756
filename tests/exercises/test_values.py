"""Argument templates and answer conversions shared by the kinds."""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.kinds.values import as_answer, format_matrix, resolve, take
from grader.errors import SpecError
from tests.exercises.helpers import rng

PARAMS = {"n": 7, "k": 3, "s": 2, "image": np.array([[1, 2], [3, 4]])}


@pytest.mark.parametrize("template, expected", [
    ("n", 7),                                   # a parameter by name
    ("(n - k) // s + 1", 3),                    # an expression over parameters
    (5, 5),                                     # a number as itself
    ([["k", 1], [2, "s"]], ((3, 1), (2, 2))),   # lists become tuples
    ({"value": "max"}, "max"),                  # a literal string
    ({"type": {"value": "conv"}, "k": "k"}, {"type": "conv", "k": 3}),  # a dict of templates
])
def test_templates_resolve_against_the_parameters(template, expected):
    assert resolve(template, PARAMS) == expected


def test_lifting_adds_leading_axes_and_makes_floats():
    lifted = resolve({"param": "image", "lift": 4}, PARAMS)
    assert lifted.shape == (1, 1, 2, 2) and lifted.dtype == np.float64
    np.testing.assert_array_equal(lifted[0, 0], PARAMS["image"])


def test_random_inputs_take_their_shape_from_parameters_and_stay_in_range():
    values = resolve({"random": [1, "k", "n"], "low": 2, "high": 3}, PARAMS, rng())
    assert values.shape == (1, 3, 7)
    assert values.min() >= 2 and values.max() < 3


@pytest.mark.parametrize("template, message", [
    ("m + 1", "unknown parameter 'm'"),
    ({"param": "nothing"}, "unknown parameter 'nothing'"),
    ({"random": [2, 0]}, "random shape must be positive"),
    ("__import__('os')", "may be called"),  # no calls but min, max, abs
])
def test_bad_templates_are_author_errors_naming_the_place(template, message):
    with pytest.raises(SpecError, match=message) as caught:
        resolve(template, PARAMS, rng(), where="demo.yml: options.arguments.x")
    assert "demo.yml: options.arguments.x" in str(caught.value)


def test_answers_keep_a_mistakes_fraction_but_reject_a_fractional_reference():
    assert as_answer(12.0, "integer", strict=True) == 12
    assert as_answer(12.5, "integer", strict=False) == 12.5
    with pytest.raises(ValueError, match="integer"):
        as_answer(12.5, "integer", strict=True)
    assert as_answer(np.array([1, 2]), "shape", strict=True) == (1, 2)


def test_take_follows_a_tuple_then_array_indices():
    result = (np.zeros((1, 1, 2, 2)), np.arange(8).reshape(2, 1, 2, 2))
    np.testing.assert_array_equal(take(result, [1, 1, 0]), [[4, 5], [6, 7]])


def test_matrices_are_shown_as_aligned_rows():
    assert format_matrix(np.array([[1.0, -10.0], [2.5, 3.0]])) == "  1 -10\n2.5   3"
