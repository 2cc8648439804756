"""Counts of parameters, MACs and receptive fields, checked against PyTorch and by enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solutions import counts
from solutions.activations import cross_entropy, log_softmax, relu, softmax


def receptive_field_by_enumeration(layers):
    """Walk back from one output cell, collecting every input index it reads (1-D)."""
    cells = {0}
    for layer in reversed(layers):
        kernel, stride, dilation = (*layer, 1)[:3]
        cells = {i * stride + j * dilation for i in cells for j in range(kernel)}
    return max(cells) - min(cells) + 1


def test_receptive_field_equals_enumeration_for_random_stacks():
    rng = np.random.default_rng(0)
    for _ in range(200):
        layers = [tuple(int(v) for v in rng.integers(1, 4, size=int(rng.integers(2, 4))))
                  for _ in range(int(rng.integers(1, 5)))]
        assert counts.receptive_field(layers) == receptive_field_by_enumeration(layers)


def test_receptive_field_rejects_a_layer_without_a_stride():
    with pytest.raises(ValueError, match="layer 1"):
        counts.receptive_field([(3, 1), (3,)])


def test_separable_macs_are_a_fraction_one_over_c_out_plus_one_over_k_squared_of_standard():
    for c_in, c_out, k in itertools.product((3, 16), (8, 64), (3, 5)):
        ratio = (counts.depthwise_separable_macs(7, 5, c_in, c_out, k)
                 / counts.conv_macs(7, 5, c_in, c_out, k))
        assert ratio == pytest.approx(1 / c_out + 1 / k**2)


def test_conv_macs_count_one_product_per_weight_per_output_position():
    assert counts.conv_macs(32, 32, 3, 64, 3) == 32 * 32 * 64 * 3 * 9
    assert counts.conv_macs(4, 5, 8, 6, 3, 1, groups=2) == 4 * 5 * 6 * 4 * 3


def test_network_params_rejects_an_unknown_layer_type():
    with pytest.raises(ValueError, match="unknown layer type"):
        counts.network_params([{"type": "attention"}])


def test_softmax_is_stable_for_large_scores_and_sums_to_one():
    p = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]])
    assert np.allclose(np.exp(log_softmax([3.0, 1.0])), softmax([3.0, 1.0]))


def test_cross_entropy_of_one_sample_is_minus_log_of_its_true_class_probability():
    assert cross_entropy([2.0, 1.0, 0.1], 0) == pytest.approx(-np.log(softmax([2.0, 1.0, 0.1])[0]))
    assert relu([-1.0, 2.0]).tolist() == [0.0, 2.0]


def test_cross_entropy_names_labels_out_of_range():
    with pytest.raises(ValueError, match="labels"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


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
