"""TinyCNN's reference against PyTorch CPU autograd and against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.kinds.gradcheck import numerical_gradient, relative_error
from solutions.stripes import make_stripes
from solutions.tinycnn import (
    tinycnn_backward,
    tinycnn_forward,
    tinycnn_layer_shapes,
    tinycnn_loss,
    tinycnn_param_count,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional

SETUPS = [  # (images, side, filters, kernel, classes)
    (16, 8, 3, 3, 3),
    (5, 8, 3, 3, 4),
    (7, 10, 4, 3, 3),
    (3, 9, 2, 2, 5),  # odd conv output: pooling drops the last row and column
]


def _random_params(rng, side, filters, k, classes):
    pooled = filters * ((side - k + 1) // 2) ** 2
    return {
        "conv_w": rng.normal(size=(filters, 1, k, k)),
        "conv_b": rng.normal(scale=0.3, size=filters),
        "dense_w": rng.normal(scale=0.5, size=(classes, pooled)),
        "dense_b": rng.normal(scale=0.3, size=classes),
    }


def _torch_network(x, y, params):
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    z = F.conv2d(torch.tensor(x), tensors["conv_w"], tensors["conv_b"])
    pooled = F.max_pool2d(torch.relu(z), 2)
    logits = pooled.reshape(len(x), -1) @ tensors["dense_w"].T + tensors["dense_b"]
    loss = F.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    return torch.softmax(logits, 1).detach().numpy(), loss.item(), tensors


@pytest.mark.parametrize("setup", SETUPS)
def test_forward_loss_and_gradients_match_torch_autograd(setup):
    n, side, filters, k, classes = setup
    rng = np.random.default_rng(sum(setup))
    x = rng.normal(size=(n, 1, side, side))
    y = rng.integers(0, classes, size=n)
    params = _random_params(rng, side, filters, k, classes)
    probs, loss, tensors = _torch_network(x, y, params)
    np.testing.assert_allclose(tinycnn_forward(x, **params), probs, rtol=1e-12, atol=1e-14)
    assert tinycnn_loss(x, y, **params) == pytest.approx(loss, rel=1e-12)
    for name, grad in zip(params, tinycnn_backward(x, y, **params), strict=True):
        assert grad.shape == params[name].shape
        np.testing.assert_allclose(grad, tensors[name].grad.numpy(), rtol=1e-10, atol=1e-13)


def test_gradients_on_stripes_match_torch():
    x, y = make_stripes(64, seed=9)
    params = _random_params(np.random.default_rng(3), 8, 3, 3, 3)
    _, _, tensors = _torch_network(x, y, params)
    for name, grad in zip(params, tinycnn_backward(x, y, **params), strict=True):
        np.testing.assert_allclose(grad, tensors[name].grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("seed", range(4))
def test_gradients_pass_the_notes_finite_difference_check(seed):
    rng = np.random.default_rng(100 + seed)
    x = rng.normal(size=(6, 1, 8, 8))
    y = rng.integers(0, 3, size=6)
    params = _random_params(rng, 8, 3, 3, 3)
    inputs = {"x": x, "y": y, **params}
    for name, grad in zip(params, tinycnn_backward(**inputs), strict=True):
        assert relative_error(grad, numerical_gradient(tinycnn_loss, inputs, name)) < 1e-7


def test_numerical_gradient_is_exact_enough_on_a_known_function():
    inputs = {"a": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": 2.0}
    numeric = numerical_gradient(lambda a, b: float(np.sum(a**3) * b), inputs, "a")
    np.testing.assert_allclose(numeric, 6.0 * inputs["a"] ** 2, rtol=1e-8)


def test_parameter_counts_match_the_torch_modules():
    for side, filters, classes in [(8, 3, 3), (8, 3, 4), (10, 4, 3), (12, 6, 5)]:
        pooled = filters * ((side - 2) // 2) ** 2
        modules = [torch.nn.Conv2d(1, filters, 3), torch.nn.Linear(pooled, classes)]
        expected = sum(p.numel() for m in modules for p in m.parameters())
        assert tinycnn_param_count(classes, filters, 3, side) == expected


def test_layer_shapes_match_a_torch_forward_pass():
    for side, filters, classes in [(8, 3, 3), (10, 4, 3), (12, 6, 4)]:
        z = F.conv2d(torch.zeros(1, 1, side, side), torch.zeros(filters, 1, 3, 3))
        pooled = F.max_pool2d(torch.relu(z), 2)
        shapes = tinycnn_layer_shapes(side, filters, 3, classes)
        assert shapes[:4] == (tuple(z.shape[1:]), tuple(z.shape[1:]), tuple(pooled.shape[1:]),
                              (pooled.numel(),))
        assert shapes[4] == (classes,)
