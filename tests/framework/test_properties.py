"""Properties checked on many generated inputs (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.params import VariantRng

NAMES = ("a", "b", "c")
OPERATORS = ("+", "-", "*", "//", "%", "<", "<=", "==", "!=", "and", "or")


@st.composite
def expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.one_of(st.sampled_from(NAMES), st.integers(0, 20).map(str)))
    if draw(st.integers(0, 5)) == 0:
        function = draw(st.sampled_from(("min", "max", "abs", "not")))
        inner = draw(expressions(depth - 1))
        if function == "abs" or function == "not":
            return f"{function}({inner})" if function == "abs" else f"(not {inner})"
        return f"{function}({inner}, {draw(expressions(depth - 1))})"
    left, right = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    return f"({left} {draw(st.sampled_from(OPERATORS))} {right})"


@settings(max_examples=300, deadline=None)
@given(expressions(), st.fixed_dictionaries({name: st.integers(-9, 9) for name in NAMES}))
def test_safe_expressions_agree_with_python_on_arithmetic(source, scope):
    try:
        expected = eval(source, {"__builtins__": {"min": min, "max": max, "abs": abs}},
                        dict(scope))  # the oracle: our own generated, harmless text
    except ZeroDivisionError:
        try:
            parse_expression(source).evaluate(scope)
        except ExpressionError:
            return
        raise AssertionError("division by zero was not reported") from None
    assert parse_expression(source).evaluate(scope) == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=40), st.integers(-10**6, 10**6), st.integers(0, 10**6),
       st.integers(1, 50))
def test_integers_stay_in_their_inclusive_range(seed, low, span, count):
    values = VariantRng(seed).integers(low, low + span, count)
    assert values.shape == (count,)
    assert values.min() >= low and values.max() <= low + span


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=40), st.lists(st.integers(1, 30), min_size=1,
                                                     max_size=8))
def test_scalar_and_batched_draws_read_the_same_stream(seed, highs):
    batched, one_by_one = VariantRng(seed), VariantRng(seed)
    for high in highs:
        batch = batched.integers(0, high, 3).tolist()
        assert batch == [one_by_one.integers(0, high) for _ in range(3)]
    assert np.array_equal(batched.uniform(0, 1, 4), one_by_one.uniform(0, 1, 4))
