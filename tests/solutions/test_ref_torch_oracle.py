"""PyTorch CPU (float64) as an independent oracle: convolution, pooling, sizes, activations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solutions.activations import cross_entropy, relu, softmax
from solutions.conv import conv2d_backward, conv2d_forward
from solutions.pool import avgpool_backward, maxpool_backward, pool2d_forward
from solutions.sizes import transposed_conv_output_size

torch = pytest.importorskip("torch")
F = torch.nn.functional

CONV_SETUPS = [  # (N, C, H, W, F, kh, kw, stride, padding, dilation, groups)
    (2, 3, 8, 7, 4, 3, 3, 1, 1, 1, 1),
    (1, 4, 9, 9, 6, 3, 2, (2, 1), (1, 0), (1, 2), 2),
    (2, 6, 7, 10, 6, 3, 3, 2, 1, 1, 6),
    (1, 2, 11, 6, 3, 2, 3, 3, (2, 1), 2, 1),
    (3, 4, 5, 5, 8, 1, 1, 1, 0, 1, 4),
]


@pytest.mark.parametrize("setup", CONV_SETUPS)
def test_conv2d_forward_and_backward_match_torch_autograd(setup):
    n, c, h, w, f, kh, kw, stride, padding, dilation, groups = setup
    rng = np.random.default_rng(sum(setup[:7]))
    x, weight, bias = (rng.normal(size=(n, c, h, w)), rng.normal(size=(f, c // groups, kh, kw)),
                       rng.normal(size=f))
    tensors = [torch.tensor(v, requires_grad=True) for v in (x, weight, bias)]
    out = F.conv2d(*tensors, stride=stride, padding=padding, dilation=dilation, groups=groups)
    ours = conv2d_forward(x, weight, bias, stride, padding, dilation, groups)
    np.testing.assert_allclose(ours, out.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = rng.normal(size=ours.shape)
    out.backward(torch.tensor(upstream))
    grads = conv2d_backward(upstream, x, weight, stride, padding, dilation, groups)
    for got, tensor in zip(grads, tensors, strict=True):
        np.testing.assert_allclose(got, tensor.grad.numpy(), rtol=1e-11, atol=1e-12)


def test_transposed_conv_output_size_matches_torch_conv_transpose2d():
    for n, k, s, p, d in itertools.product((1, 3, 6), (1, 2, 3, 4), (1, 2, 3), (0, 1),
                                           (1, 2)):
        for extra in range(max(s, d)):
            try:
                ours = transposed_conv_output_size(n, k, s, p, extra, d)
            except ValueError:
                continue
            out = F.conv_transpose2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k),
                                     stride=s, padding=p, output_padding=extra, dilation=d)
            assert out.shape[-1] == ours


POOL_SETUPS = [(2, None, 0), (3, 2, 1), (3, 1, 1), ((3, 2), (1, 2), (1, 1)), (2, 1, 0)]


@pytest.mark.parametrize(("size", "stride", "padding"), POOL_SETUPS)
def test_pooling_forward_and_backward_match_torch(size, stride, padding):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 7, 8))
    for mode in ("max", "avg"):
        tensor = torch.tensor(x, requires_grad=True)
        if mode == "max":
            out = F.max_pool2d(tensor, size, stride, padding)
        else:
            out = F.avg_pool2d(tensor, size, stride, padding, count_include_pad=True)
        ours = pool2d_forward(x, size, stride, padding, mode)
        np.testing.assert_allclose(ours, out.detach().numpy(), atol=1e-12)
        upstream = rng.normal(size=ours.shape)
        out.backward(torch.tensor(upstream))
        grad = (maxpool_backward(upstream, x, size, stride, padding) if mode == "max"
                else avgpool_backward(upstream, x.shape, size, stride, padding))
        np.testing.assert_allclose(grad, tensor.grad.numpy(), atol=1e-12)


def test_min_pooling_is_minus_torch_max_pooling_of_minus_the_input():
    x = np.random.default_rng(3).normal(size=(1, 2, 6, 7))
    want = -F.max_pool2d(torch.tensor(-x), 3, 2, 1).numpy()
    np.testing.assert_allclose(pool2d_forward(x, 3, 2, 1, "min"), want)


def test_activations_match_torch():
    rng = np.random.default_rng(11)
    logits, labels = rng.normal(size=(5, 4)) * 30, rng.integers(0, 4, size=5)
    np.testing.assert_allclose(relu(logits), torch.relu(torch.tensor(logits)).numpy())
    np.testing.assert_allclose(softmax(logits), torch.softmax(torch.tensor(logits), -1).numpy())
    want = F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert cross_entropy(logits, labels) == pytest.approx(want, rel=1e-12)
