"""A depthwise-separable layer inside a network counts like the standalone function,
bias options included; PyTorch's modules are the oracle."""

from __future__ import annotations

import itertools

import pytest

from solutions.counts import depthwise_separable_params, network_params

torch = pytest.importorskip("torch")


def torch_separable(c_in, c_out, k, bias, depthwise_bias):
    depthwise = torch.nn.Conv2d(c_in, c_in, k, groups=c_in, bias=depthwise_bias)
    pointwise = torch.nn.Conv2d(c_in, c_out, 1, bias=bias)
    return sum(p.numel() for m in (depthwise, pointwise) for p in m.parameters())


@pytest.mark.parametrize(("bias", "depthwise_bias"),
                         list(itertools.product((True, False), (None, True, False))))
def test_depthwise_separable_layer_takes_the_standalone_bias_options(bias, depthwise_bias):
    layer = {"type": "depthwise_separable", "c_in": 6, "c_out": 10, "k": 3, "bias": bias}
    if depthwise_bias is not None:
        layer["depthwise_bias"] = depthwise_bias
    expected = torch_separable(6, 10, 3, bias, bias if depthwise_bias is None else depthwise_bias)
    assert network_params([layer, {"type": "pool"}]) == expected
    assert depthwise_separable_params(6, 10, 3, bias, depthwise_bias=depthwise_bias) == expected
