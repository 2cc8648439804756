"""Mistakes evaluated by their family give what each mistake gives alone, bit for bit.

A modeled mistake's value is part of a variant (it is how feedback names a
misconception, and a draw is refused when two mistakes agree), so evaluating the
TinyCNN mistakes together, with the steps no switch changes made once, must not
move a single bit.  The oracle is ``evaluate_safely`` of each mistake on its own.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.kinds.reference import evaluate_mistakes, evaluate_safely, mistakes_of


def _inputs(seed: int, n: int, with_labels: bool) -> dict:
    rng = np.random.default_rng(seed)
    inputs = {"x": rng.uniform(-1, 1, (n, 1, 8, 8)), "conv_w": rng.uniform(-1, 1, (3, 1, 3, 3)),
              "conv_b": rng.uniform(-0.3, 0.3, 3), "dense_w": rng.uniform(-0.5, 0.5, (3, 27)),
              "dense_b": rng.uniform(-0.3, 0.3, 3)}
    if with_labels:
        inputs["y"] = rng.integers(0, 3, n)
    return inputs


def _same(a, b) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, str):
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n", [4, 7, 12])
@pytest.mark.parametrize(("topic", "with_labels"), [("tinycnn_backward", True),
                                                    ("tinycnn_forward", False)])
def test_family_values_equal_each_mistake_alone(topic, with_labels, n, seed):
    inputs = _inputs(seed, n, with_labels)
    mistakes = mistakes_of(topic)
    assert sum(hasattr(m.fn, "family") for m in mistakes) >= 4  # the families are in use
    together = evaluate_mistakes(mistakes, inputs)
    alone = [evaluate_safely(m.fn, inputs) for m in mistakes]
    assert [ok for ok, _ in together] == [ok for ok, _ in alone] == [True] * len(mistakes)
    assert all(_same(t, a) for (_, t), (_, a) in zip(together, alone, strict=True))


def test_the_mistakes_do_not_change_their_inputs():
    inputs = _inputs(9, 6, True)
    before = {name: value.copy() for name, value in inputs.items()}
    evaluate_mistakes(mistakes_of("tinycnn_backward"), inputs)
    assert all(np.array_equal(inputs[name], before[name]) for name in inputs)


@pytest.mark.parametrize(("topic", "with_labels"), [("tinycnn_backward", True),
                                                    ("tinycnn_forward", False)])
def test_a_failure_is_reported_per_mistake_as_alone(topic, with_labels):
    inputs = {**_inputs(1, 5, with_labels), "dense_w": np.ones((3, 26))}  # does not fit
    mistakes = mistakes_of(topic)
    together = evaluate_mistakes(mistakes, inputs)
    alone = [evaluate_safely(m.fn, inputs) for m in mistakes]
    assert [ok for ok, _ in together] == [ok for ok, _ in alone]
    assert not any(ok for ok, _ in together)


def test_other_arguments_are_left_to_each_mistake():
    # one argument too many: the family is not used, and each mistake fails alone
    inputs = {**_inputs(2, 5, True), "extra": 1}
    mistakes = mistakes_of("tinycnn_backward")
    together = evaluate_mistakes(mistakes, inputs)
    assert together == [evaluate_safely(m.fn, inputs) for m in mistakes]
    assert not any(ok for ok, _ in together)
