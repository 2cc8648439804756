"""The gradient check's stand-in for ``tinycnn_loss`` gives the very same floats.

The verdict of the gradient check decides whether a draw of ``tinycnn-backward`` is
kept, so a stand-in that differed in the last bit could, in principle, change a
student's variant.  The oracle is ``tinycnn_loss`` itself, and the generic
``numerical_gradient`` around it, compared with ``==`` on the float bytes.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.kinds.gradcheck import cached_loss, check_case_gradients, numerical_gradient
from solutions.tinycnn import tinycnn_backward, tinycnn_loss
from solutions.tinycnn_cached import CachedTinyLoss

PARAMETERS = ("conv_w", "conv_b", "dense_w", "dense_b")


def _inputs(seed: int, n: int = 6, size: int = 8) -> dict:
    rng = np.random.default_rng(seed)
    side = (size - 2) // 2
    return {"x": rng.uniform(-1, 1, (n, 1, size, size)), "y": rng.integers(0, 3, n),
            "conv_w": rng.uniform(-1, 1, (3, 1, 3, 3)), "conv_b": rng.uniform(-0.3, 0.3, 3),
            "dense_w": rng.uniform(-0.5, 0.5, (3, 3 * side * side)),
            "dense_b": rng.uniform(-0.3, 0.3, 3)}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("name", PARAMETERS)
def test_numerical_gradient_is_bit_identical_with_the_stand_in(seed, name):
    inputs = _inputs(seed, n=4 + seed, size=8 if seed % 3 else 9)
    plain = numerical_gradient(tinycnn_loss, inputs, name)
    fast = numerical_gradient(CachedTinyLoss(inputs), inputs, name)
    assert fast.tobytes() == plain.tobytes()


def test_every_way_an_argument_can_differ_gives_the_loss_of_the_reference():
    base, other = _inputs(1), _inputs(2)
    loss = CachedTinyLoss(base)
    for changed in [(), ("dense_w",), ("dense_b",), ("dense_w", "dense_b"), ("conv_b",),
                    ("conv_w",), ("conv_w", "conv_b"), ("conv_b", "dense_w"), ("x",), ("y",),
                    ("x", "conv_w", "dense_b")]:
        arguments = {**base, **{name: other[name] for name in changed}}
        assert loss(**arguments) == tinycnn_loss(**arguments), changed


def test_an_array_changed_in_place_is_not_mistaken_for_the_base():
    # only identity counts as "the base's": an equal-looking copy is recomputed
    base = _inputs(3)
    loss = CachedTinyLoss(base)
    copy = {**base, "conv_w": base["conv_w"] * 1.5}
    assert loss(**copy) == tinycnn_loss(**copy) != tinycnn_loss(**base)


def test_the_stand_in_is_used_only_for_its_own_loss_and_arguments():
    inputs = _inputs(4)
    assert isinstance(cached_loss("tinycnn_loss", inputs), CachedTinyLoss)
    assert cached_loss("conv2d_loss", inputs) is None
    assert cached_loss("tinycnn_loss", {k: v for k, v in inputs.items() if k != "y"}) is None


def test_the_check_still_refuses_a_wrong_gradient():
    inputs = _inputs(5)
    gradients = list(tinycnn_backward(**inputs))
    option = {"loss": "tinycnn_loss", "parameters": list(PARAMETERS)}
    check_case_gradients(option, inputs, gradients, where="test")
    gradients[2] = gradients[2] * 1.01
    with pytest.raises(ValueError, match="dense_w"):
        check_case_gradients(option, inputs, gradients, where="test")


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("name", PARAMETERS)
def test_differences_at_once_equal_the_loop_over_tinycnn_loss(seed, name):
    # n from 4 to 18: the means of 8 or more terms are pairwise sums, as in the check
    inputs = _inputs(seed, n=4 + 2 * seed, size=8 if seed % 3 else 9)
    plain = numerical_gradient(tinycnn_loss, inputs, name)
    assert CachedTinyLoss(inputs).differences(name, 1e-6).tobytes() == plain.tobytes()


def test_differences_decline_the_data():
    loss = CachedTinyLoss(_inputs(0))
    assert loss.differences("x", 1e-6) is None
    assert loss.differences("y", 1e-6) is None
