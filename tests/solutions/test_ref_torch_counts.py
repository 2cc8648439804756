"""Parameter counts agree with the same layers built as PyTorch modules."""

from __future__ import annotations

import itertools

import pytest

from solutions import counts

torch = pytest.importorskip("torch")
nn = torch.nn


def torch_count(module):
    return sum(p.numel() for p in module.parameters())


def test_conv_and_dense_counts_match_torch_modules():
    for c_in, c_out, kh, kw, bias, groups in itertools.product(
            (2, 6), (4, 6), (1, 3), (2, 3), (True, False), (1, 2)):
        conv = nn.Conv2d(c_in, c_out, (kh, kw), bias=bias, groups=groups)
        assert counts.conv_params(c_in, c_out, kh, kw, bias, groups) == torch_count(conv)
    assert counts.dense_params(27, 3) == torch_count(nn.Linear(27, 3))
    assert counts.dense_params(27, 3, bias=False) == torch_count(nn.Linear(27, 3, bias=False))


def test_depthwise_separable_count_matches_two_torch_convolutions():
    for c_in, c_out, k, bias in itertools.product((3, 8), (5, 16), (3, 5), (True, False)):
        layers = nn.Sequential(nn.Conv2d(c_in, c_in, k, groups=c_in, bias=bias),
                               nn.Conv2d(c_in, c_out, 1, bias=bias))
        assert counts.depthwise_separable_params(c_in, c_out, k, bias) == torch_count(layers)
    pointwise_bias_only = nn.Sequential(nn.Conv2d(8, 8, 3, groups=8, bias=False),
                                        nn.Conv2d(8, 16, 1))
    assert counts.depthwise_separable_params(8, 16, 3, depthwise_bias=False) == torch_count(
        pointwise_bias_only)


def torch_model(layers):
    modules = []
    for layer in layers:
        if layer["type"] == "conv":
            modules.append(nn.Conv2d(layer["c_in"], layer["c_out"], layer["k"]))
        elif layer["type"] == "dense":
            modules.append(nn.Linear(layer["n_in"], layer["n_out"]))
    return nn.Sequential(*modules)


@pytest.mark.parametrize("name", ["TINY_CNN", "TINY_CNN_FOUR_CLASS", "TINY_MLP_WIDTH_18",
                                  "FOUR_CLASS_MLP_WIDTH_8", "FOUR_CLASS_MLP_WIDTH_18",
                                  "CONV_STACK_127552", "CIFAR_STYLE_CNN"])
def test_example_network_count_matches_the_same_network_built_in_torch(name):
    layers = getattr(counts, name)
    assert counts.network_params(layers) == torch_count(torch_model(layers))
