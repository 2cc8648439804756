"""Parameter counts, multiply-accumulates and receptive fields.

Bias convention: ``bias=True`` adds one bias per output channel (convolution)
or per output neuron (dense layer).  A parameter is anything learned, so biases
count; weights alone are ``bias=False``.  Multiply-accumulates (MACs) count only
the products of weights and inputs (biases and activations are free).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any


def conv_params(
    c_in: int, c_out: int, kh: int, kw: int | None = None, bias: bool = True, groups: int = 1
) -> int:
    """Learned numbers of a convolution: ``c_out * (c_in / groups) * kh * kw`` weights,
    plus ``c_out`` biases when ``bias``.  ``kw`` defaults to ``kh`` (square kernel)."""
    kw = kh if kw is None else kw
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return int(c_out * (c_in // groups) * kh * kw + (c_out if bias else 0))


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Learned numbers of a fully connected layer: ``n_in * n_out`` weights (+ ``n_out`` biases)."""
    return int(n_in * n_out + (n_out if bias else 0))


def depthwise_separable_params(
    c_in: int, c_out: int, k: int, bias: bool = True, *, depthwise_bias: bool | None = None
) -> int:
    """Depthwise ``k x k`` convolution (one filter per input channel) then a 1x1 convolution.

    Weights: ``c_in * k * k + c_in * c_out``.  With ``bias=True`` both parts have
    biases (``c_in`` + ``c_out``), as two stacked PyTorch ``Conv2d`` layers do;
    ``depthwise_bias=False`` keeps only the pointwise biases (the count some notes use).
    """
    depthwise_bias = bias if depthwise_bias is None else depthwise_bias
    depthwise = conv_params(c_in, c_in, k, bias=depthwise_bias, groups=c_in)
    return depthwise + conv_params(c_in, c_out, 1, bias=bias)


def conv_macs(
    h_out: int, w_out: int, c_in: int, c_out: int, kh: int, kw: int | None = None, groups: int = 1
) -> int:
    """Multiply-accumulates of a convolution: every output value takes
    ``(c_in / groups) * kh * kw`` products."""
    kw = kh if kw is None else kw
    return int(h_out * w_out * c_out * (c_in // groups) * kh * kw)


def depthwise_separable_macs(h_out: int, w_out: int, c_in: int, c_out: int, k: int) -> int:
    """MACs of a depthwise ``k x k`` convolution plus a 1x1 convolution at output size
    ``h_out x w_out``: ``h_out * w_out * c_in * (k * k + c_out)``."""
    return int(h_out * w_out * c_in * k * k + h_out * w_out * c_in * c_out)


def receptive_field(layers: Sequence[Sequence[int]]) -> int:
    """Side of the input region that one output cell of the last layer sees.

    ``layers`` holds ``(kernel, stride)`` or ``(kernel, stride, dilation)`` per
    layer (pooling layers included).  Each layer widens the field by
    ``dilation * (kernel - 1)`` steps of its input grid, and one such step is
    the product of the strides of all earlier layers.
    """
    field, jump = 1, 1
    for index, layer in enumerate(layers):
        if len(layer) not in (2, 3):
            raise ValueError(f"layer {index}: expected (kernel, stride[, dilation]), got {layer!r}")
        kernel, stride, dilation = (*layer, 1) if len(layer) == 2 else layer
        field += int(dilation) * (int(kernel) - 1) * jump
        jump *= int(stride)
    return field


def layer_params(layer: Mapping[str, Any]) -> int:
    """Parameters of one layer dict (see :func:`network_params`)."""
    kind = layer.get("type")
    if kind == "conv":
        return conv_params(layer["c_in"], layer["c_out"], layer["k"], layer.get("kw"),
                           layer.get("bias", True), layer.get("groups", 1))
    if kind == "dense":
        return dense_params(layer["n_in"], layer["n_out"], layer.get("bias", True))
    if kind == "depthwise_separable":
        return depthwise_separable_params(layer["c_in"], layer["c_out"], layer["k"],
                                          layer.get("bias", True),
                                          depthwise_bias=layer.get("depthwise_bias"))
    if kind in ("pool", "relu", "flatten"):
        return 0
    raise ValueError(f"unknown layer type {kind!r} in {dict(layer)!r}")


def network_params(layers: Sequence[Mapping[str, Any]]) -> int:
    """Total parameters of a network given as layer dicts.

    ``{"type": "conv", "c_in", "c_out", "k"[, "kw", "bias", "groups"]}``,
    ``{"type": "dense", "n_in", "n_out"[, "bias"]}``,
    ``{"type": "depthwise_separable", "c_in", "c_out", "k"[, "bias", "depthwise_bias"]}``
    (the same bias options as :func:`depthwise_separable_params`) and
    parameter-free ``{"type": "pool" | "relu" | "flatten"}``; ``bias`` defaults to True.
    """
    return int(sum(layer_params(layer) for layer in layers))


def _conv(c_in: int, c_out: int, k: int) -> Mapping[str, Any]:
    return MappingProxyType({"type": "conv", "c_in": c_in, "c_out": c_out, "k": k, "bias": True})


def _dense(n_in: int, n_out: int) -> Mapping[str, Any]:
    return MappingProxyType({"type": "dense", "n_in": n_in, "n_out": n_out, "bias": True})


_POOL: Mapping[str, Any] = MappingProxyType({"type": "pool"})


def mlp(n_in: int, hidden: int, n_out: int) -> tuple[Mapping[str, Any], ...]:
    """A one-hidden-layer perceptron ``n_in -> hidden -> n_out`` with biases."""
    return (_dense(n_in, hidden), _dense(hidden, n_out))


# TinyCNN: 1x8x8 input, conv 3 filters 3x3 (30), ReLU, max-pool 2x2 -> 3x3x3, dense 27 -> 3 (84).
TINY_CNN = (_conv(1, 3, 3), _POOL, _dense(27, 3))                 # 114 parameters
TINY_CNN_FOUR_CLASS = (_conv(1, 3, 3), _POOL, _dense(27, 4))      # 142 parameters
TINY_MLP_WIDTH_18 = mlp(64, 18, 3)                                # 1,227 parameters
FOUR_CLASS_MLP_WIDTH_8 = mlp(64, 8, 4)                            # 556 parameters
FOUR_CLASS_MLP_WIDTH_18 = mlp(64, 18, 4)                          # 1,246 parameters
# 32x32x3 input; conv 32@5x5 pad 2, pool, conv 64@5x5 pad 2, pool, conv 128@3x3 pad 1.
CONV_STACK_127552 = (_conv(3, 32, 5), _POOL, _conv(32, 64, 5), _POOL, _conv(64, 128, 3))
# 32x32x3 input; conv 32@3x3 pad 1, pool, conv 64@3x3 pad 1, pool, dense 4096 -> 128 -> 10.
CIFAR_STYLE_CNN = (_conv(3, 32, 3), _POOL, _conv(32, 64, 3), _POOL, _dense(8 * 8 * 64, 128),
                   _dense(128, 10))                                # 545,098 parameters
# 128x128x3 input; three conv 3x3 ("same") + pool blocks (32, 64, 128), dense 32768 -> 512 -> 2.
CATS_VS_DOGS_CNN = (_conv(3, 32, 3), _POOL, _conv(32, 64, 3), _POOL, _conv(64, 128, 3), _POOL,
                    _dense(16 * 16 * 128, 512), _dense(512, 2))    # 16,872,002 parameters
# Classic networks of the notes' scaling table (biases included, no batch-norm).
LENET5 = (_conv(1, 6, 5), _POOL, _conv(6, 16, 5), _POOL, _conv(16, 120, 5), _dense(120, 84),
          _dense(84, 10))                                          # 61,706 parameters
ALEXNET = (_conv(3, 96, 11), _POOL, _conv(96, 256, 5), _POOL, _conv(256, 384, 3),
           _conv(384, 384, 3), _conv(384, 256, 3), _POOL, _dense(256 * 6 * 6, 4096),
           _dense(4096, 4096), _dense(4096, 1000))                 # 62,378,344 (one-GPU form)
VGG16 = (*(_conv(c_in, c_out, 3) for c_in, c_out in [
    (3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
    (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]),
    _dense(512 * 7 * 7, 4096), _dense(4096, 4096), _dense(4096, 1000))  # 138,357,544
