"""Counts of parameters, MACs and receptive fields (by enumeration), and the activations."""

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


def test_counts_of_numpy_integers_are_python_ints():
    assert type(counts.conv_params(np.int64(3), np.int64(8), np.int64(3))) is int
    assert type(counts.receptive_field(np.array([[3, 1], [2, 2]]))) is int
