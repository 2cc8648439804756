"""Sampling: the version-stable stream, the distributions and safe expressions."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pytest

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.params import (
    SamplingFailure,
    VariantRng,
    derive_key,
    failed_constraint,
    sample_one,
    sample_params,
)


def test_the_seed_is_hmac_sha256_of_the_slash_joined_path():
    expected = hmac.new(b"s", b"c/a/e/st", hashlib.sha256).digest()
    assert derive_key(b"s", "c", "a", "e", "st") == expected


def test_the_same_seed_gives_the_same_numbers_and_another_seed_other_numbers():
    first = VariantRng(b"seed").integers(0, 10**9, 8)
    again = VariantRng(b"seed").integers(0, 10**9, 8)
    other = VariantRng(b"seeds").integers(0, 10**9, 8)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_batched_draws_equal_one_at_a_time_draws():
    batched = VariantRng(b"k").integers(3, 9, 50)
    one_by_one = VariantRng(b"k")
    assert batched.tolist() == [one_by_one.integers(3, 9) for _ in range(50)]


def test_a_child_stream_does_not_move_its_parent():
    rng = VariantRng(b"k")
    rng.child("x").integers(0, 100, 10)
    assert rng.integers(0, 100) == VariantRng(b"k").integers(0, 100)
    assert VariantRng(b"k").child("x").integers(0, 10**6) != VariantRng(b"k").child(
        "y").integers(0, 10**6)


def test_integers_cover_both_ends_and_nothing_outside():
    values = VariantRng(b"ends").integers(-2, 2, 2000)
    assert set(values.tolist()) == {-2, -1, 0, 1, 2}
    assert values.dtype == np.int64


def test_integers_are_roughly_uniform():
    counts = np.bincount(VariantRng(b"uniform").integers(0, 5, 60000), minlength=6)
    assert np.all(np.abs(counts - 10000) < 500)  # about 5 standard deviations


def test_uniform_floats_stay_in_the_half_open_interval_with_the_right_mean():
    values = VariantRng(b"floats").uniform(-1.0, 3.0, 20000)
    assert values.min() >= -1.0 and values.max() < 3.0
    assert abs(values.mean() - 1.0) < 0.05


def test_scalars_are_plain_python_numbers():
    rng = VariantRng(b"types")
    assert type(rng.integers(1, 5)) is int
    assert type(rng.uniform(0, 1)) is float


def test_permutation_is_a_permutation_and_choice_picks_an_element():
    rng = VariantRng(b"perm")
    assert sorted(rng.permutation(7).tolist()) == list(range(7))
    assert rng.choice(["a", "b", "c"]) in {"a", "b", "c"}


def test_an_empty_range_is_refused():
    with pytest.raises(ValueError, match="empty"):
        VariantRng(b"k").integers(5, 3)


@pytest.mark.parametrize("spec, check", [
    ({"int": [2, 4]}, lambda v: v in (2, 3, 4)),
    ({"choice": [3, 5, 7]}, lambda v: v in (3, 5, 7)),
    ({"float": [0, 1], "decimals": 2}, lambda v: v == round(v, 2) and 0 <= v <= 1),
    (7, lambda v: v == 7),  # a bare constant
    ({"value": [1, 2]}, lambda v: v == (1, 2)),  # lists become tuples
])
def test_each_scalar_distribution_samples_inside_its_definition(spec, check):
    for index in range(30):
        assert check(sample_one("p", spec, {}, VariantRng(bytes([index + 1]))))


def test_derived_parameters_and_expression_bounds_see_earlier_parameters():
    specs = {"n": {"int": [5, 9]}, "k": {"int": [1, "n - 2"]}, "out": {"derived": "n - k + 1"}}
    for index in range(40):
        values = sample_params(specs, VariantRng(bytes([index + 1])))
        assert 1 <= values["k"] <= values["n"] - 2
        assert values["out"] == values["n"] - values["k"] + 1


def test_matrices_have_their_shape_and_range_and_can_use_parameters_in_the_shape():
    specs = {"n": {"int": [2, 4]}, "m": {"matrix": {"shape": ["n", 3], "int": [-1, 1]}}}
    values = sample_params(specs, VariantRng(b"m"))
    assert values["m"].shape == (values["n"], 3)
    assert values["m"].dtype == np.int64
    assert set(values["m"].ravel().tolist()) <= {-1, 0, 1}


def test_distinct_matrices_have_no_repeated_value():
    for index in range(30):
        value = sample_one("m", {"matrix": {"shape": [3, 3], "int": [0, 9], "distinct": True}},
                           {}, VariantRng(bytes([index + 1])))
        assert len(set(value.ravel().tolist())) == 9


def test_asymmetric_matrices_differ_from_their_half_turn():
    for index in range(50):
        value = sample_one("w", {"matrix": {"shape": [2, 2], "int": [0, 1],
                                            "asymmetric": True}}, {}, VariantRng(bytes([index])))
        assert not np.array_equal(value, np.flip(value, axis=(0, 1)))


def test_tensors_of_higher_rank_are_asymmetric_in_their_last_two_axes():
    value = sample_one("w", {"tensor": {"shape": [2, 3, 3], "int": [0, 1], "asymmetric": True}},
                       {}, VariantRng(b"t"))
    assert value.shape == (2, 3, 3)
    assert not np.array_equal(value, np.flip(value, axis=(-2, -1)))


def test_impossible_distinct_request_is_a_sampling_failure():
    with pytest.raises(SamplingFailure, match="distinct"):
        sample_one("m", {"matrix": {"shape": [2, "n"], "int": [0, 2], "distinct": True}},
                   {"n": 5}, VariantRng(b"k"))


@pytest.mark.parametrize("source, scope, value", [
    ("(n + 2*p - k) % s != 0", {"n": 7, "p": 1, "k": 3, "s": 2}, False),  # 6 is even
    ("(n + 2*p - k) % s != 0", {"n": 8, "p": 1, "k": 3, "s": 2}, True),
    ("n // 2 + 2 ** 3", {"n": 9}, 12),
    ("min(a, b) < max(a, b) and not a == b", {"a": 1, "b": 2}, True),
    ("abs(-x) - 1 >= 0 or x < 0", {"x": 0}, False),
    ("1 < x <= 3", {"x": 3}, True),
    ("7 / 2", {}, 3.5),
])
def test_safe_expressions_compute_like_python(source, scope, value):
    assert parse_expression(source).evaluate(scope) == value


@pytest.mark.parametrize("source", [
    "__import__('os')",
    "x.__class__",
    "[1, 2]",
    "'text'",
    "lambda: 1",
    "x if x else 1",
    "open('f')",
    "min(*x)",
    "x[0]",
])
def test_anything_beyond_arithmetic_is_refused_when_parsed(source):
    with pytest.raises(ExpressionError):
        parse_expression(source)


def test_huge_powers_and_division_by_zero_are_evaluation_errors():
    with pytest.raises(ExpressionError):
        parse_expression("2 ** 100000").evaluate({})
    with pytest.raises(ExpressionError):
        parse_expression("1 // x").evaluate({"x": 0})


def test_the_first_failing_constraint_is_named():
    constraints = ("k <= n", "(n - k) % s != 0")
    assert failed_constraint(constraints, {"n": 5, "k": 3, "s": 2}) == "(n - k) % s != 0"
    assert failed_constraint(constraints, {"n": 6, "k": 3, "s": 2}) is None


@pytest.mark.parametrize("seed", [b"k", b"x" * 32, b"y" * 64, b"z" * 100])
def test_stream_blocks_are_hmac_sha256_of_the_little_endian_counter(seed):
    rng = VariantRng(seed)
    stream = b"".join(rng._read(32) for _ in range(3))
    expected = b"".join(hmac.new(seed, i.to_bytes(8, "little"), hashlib.sha256).digest()
                        for i in range(3))
    assert stream == expected
