"""Wrong counts (parameters, MACs, receptive fields) and wrong softmax / cross-entropy."""

from __future__ import annotations

import numpy as np

from solutions import counts
from solutions.activations import cross_entropy, softmax
from solutions.wrong.base import Mistake


def conv_bias_forgotten(c_in, c_out, kh, kw=None, bias=True, groups=1):
    return counts.conv_params(c_in, c_out, kh, kw, False, groups)


def conv_input_channels_forgotten(c_in, c_out, kh, kw=None, bias=True, groups=1):
    kw = kh if kw is None else kw
    return c_out * kh * kw + (c_out if bias else 0)


def conv_groups_ignored(c_in, c_out, kh, kw=None, bias=True, groups=1):
    return counts.conv_params(c_in, c_out, kh, kw, bias, 1)


def conv_single_bias(c_in, c_out, kh, kw=None, bias=True, groups=1):
    return counts.conv_params(c_in, c_out, kh, kw, False, groups) + (1 if bias else 0)


def dense_bias_forgotten(n_in, n_out, bias=True):
    return counts.dense_params(n_in, n_out, False)


def depthwise_counted_as_full_conv(c_in, c_out, k, bias=True, *, depthwise_bias=None):
    depthwise_bias = bias if depthwise_bias is None else depthwise_bias
    return counts.conv_params(c_in, c_in, k, bias=depthwise_bias) + counts.conv_params(
        c_in, c_out, 1, bias=bias)


def depthwise_biases_forgotten(c_in, c_out, k, bias=True, *, depthwise_bias=None):
    return counts.depthwise_separable_params(c_in, c_out, k, bias, depthwise_bias=False)


def macs_input_channels_forgotten(h_out, w_out, c_in, c_out, kh, kw=None, groups=1):
    return counts.conv_macs(h_out, w_out, groups, c_out, kh, kw, groups)


def macs_positions_forgotten(h_out, w_out, c_in, c_out, kh, kw=None, groups=1):
    return counts.conv_macs(1, 1, c_in, c_out, kh, kw, groups)


def separable_macs_pointwise_forgotten(h_out, w_out, c_in, c_out, k):
    return h_out * w_out * c_in * k * k


def receptive_field_strides_ignored(layers):
    return counts.receptive_field([(layer[0], 1, *layer[2:]) for layer in layers])


def receptive_field_dilation_ignored(layers):
    return counts.receptive_field([tuple(layer[:2]) for layer in layers])


def network_biases_forgotten(layers):
    return counts.network_params([{**layer, "bias": False} for layer in layers])


def cross_entropy_summed(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    batch = 1 if logits.ndim == 1 else logits.shape[0]
    return cross_entropy(logits, labels) * batch


def cross_entropy_softmax_forgotten(logits, labels):
    logits = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    labels = np.asarray(labels).reshape(-1)
    return float(-logits[np.arange(logits.shape[0]), labels].mean())


def cross_entropy_log_of_logits(logits, labels):
    logits = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    labels = np.asarray(labels).reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(-np.log(logits[np.arange(logits.shape[0]), labels]).mean())


def softmax_wrong_axis(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    return softmax(z, axis=0 if z.ndim > 1 and axis in (-1, z.ndim - 1) else -1)


MISTAKES = (
    Mistake("conv_bias_forgotten", "conv_params",
            "Every filter has a learned bias, and biases count as parameters.",
            conv_bias_forgotten),
    Mistake("conv_input_channels_forgotten", "conv_params",
            "A filter spans all input channels, so it holds c_in * kh * kw weights, not kh * kw.",
            conv_input_channels_forgotten),
    Mistake("conv_groups_ignored", "conv_params",
            "With groups g each filter sees only c_in / g input channels.", conv_groups_ignored),
    Mistake("conv_single_bias", "conv_params",
            "There is one bias per filter (per output channel), not one for the whole layer.",
            conv_single_bias),
    Mistake("dense_bias_forgotten", "dense_params",
            "Each output neuron of a dense layer has a bias, which is a parameter too.",
            dense_bias_forgotten),
    Mistake("depthwise_counted_as_full_conv", "depthwise_separable_params",
            "A depthwise filter sees a single channel, so it holds k * k weights, not "
            "c_in * k * k.", depthwise_counted_as_full_conv),
    Mistake("depthwise_biases_forgotten", "depthwise_separable_params",
            "Both the depthwise and the pointwise convolution carry biases (one per output "
            "channel of each).", depthwise_biases_forgotten),
    Mistake("macs_input_channels_forgotten", "conv_macs",
            "Each output value sums over all input channels of its window, c_in * kh * kw "
            "products.", macs_input_channels_forgotten),
    Mistake("macs_positions_forgotten", "conv_macs",
            "The weights are reused at every output position, so multiply by h_out * w_out.",
            macs_positions_forgotten),
    Mistake("separable_macs_pointwise_forgotten", "depthwise_separable_macs",
            "The 1x1 step costs c_in * c_out products at every position, usually the larger "
            "part.", separable_macs_pointwise_forgotten),
    Mistake("receptive_field_strides_ignored", "receptive_field",
            "After a stride-s layer one step in the feature map covers s input cells, so "
            "later kernels widen the field by (k - 1) times the product of earlier strides.",
            receptive_field_strides_ignored),
    Mistake("receptive_field_dilation_ignored", "receptive_field",
            "A dilated kernel reaches d * (k - 1) cells beyond its first tap.",
            receptive_field_dilation_ignored),
    Mistake("network_biases_forgotten", "network_params",
            "Count every layer's biases along with its weights.", network_biases_forgotten),
    Mistake("cross_entropy_summed", "cross_entropy",
            "The loss of a batch is the mean over its samples, not the sum.",
            cross_entropy_summed),
    Mistake("cross_entropy_softmax_forgotten", "cross_entropy",
            "Logits are not log-probabilities: subtract log-sum-exp of the logits first.",
            cross_entropy_softmax_forgotten),
    Mistake("cross_entropy_log_of_logits", "cross_entropy",
            "Take the log of the softmax probability of the true class, not of its raw score.",
            cross_entropy_log_of_logits),
    Mistake("softmax_wrong_axis", "softmax",
            "Normalize each sample's scores over the classes (the last axis), not over the "
            "batch.", softmax_wrong_axis),
)

# Inputs that make a mistake visible (the others show on almost any input).
SHOWS_WHEN = {
    "conv_input_channels_forgotten": "c_in / groups > 1",
    "conv_groups_ignored": "groups > 1",
    "conv_single_bias": "bias=True and c_out > 1",
    "conv_bias_forgotten": "bias=True",
    "dense_bias_forgotten": "bias=True",
    "depthwise_biases_forgotten": "the depthwise part has biases",
    "macs_input_channels_forgotten": "c_in / groups > 1",
    "macs_positions_forgotten": "h_out * w_out > 1",
    "receptive_field_strides_ignored": "a stride > 1 comes before a layer with kernel > 1",
    "receptive_field_dilation_ignored": "some dilation > 1",
    "network_biases_forgotten": "some layer has biases",
    "cross_entropy_summed": "more than one sample",
    "cross_entropy_log_of_logits": "the true-class logits are positive (else the value is NaN)",
    "softmax_wrong_axis": "a 2-D input with more than one row",
}
