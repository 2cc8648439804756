"""Wrong ways to compute convolutions (topics in :mod:`solutions.conv`)."""

from __future__ import annotations

import numpy as np

from solutions import conv
from solutions.wrong.base import Mistake


def _pair(value):
    return (value, value) if np.ndim(value) == 0 else tuple(value)


def kernel_flipped(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv.convolve2d_true(x, w, b, stride, padding, dilation, groups)


def bias_forgotten(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv.conv2d_forward(x, w, None, stride, padding, dilation, groups)


def conv_stride_ignored(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv.conv2d_forward(x, w, b, 1, padding, dilation, groups)


def conv_padding_ignored(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv.conv2d_forward(x, w, b, stride, 0, dilation, groups)


def conv_padding_one_side(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    ph, pw = _pair(padding)
    x = np.asarray(x, dtype=np.float64)
    n, c, h, width = x.shape
    # zeros above and to the left only (in the memory order of x, as np.pad keeps it)
    padded = np.zeros_like(x, shape=(n, c, h + ph, width + pw), order="A")
    padded[:, :, ph:, pw:] = x
    return conv.conv2d_forward(padded, w, b, stride, 0, dilation, groups)


def conv_dilation_ignored(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv.conv2d_forward(x, w, b, stride, padding, 1, groups)


def kernel_transposed(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv.conv2d_forward(x, np.swapaxes(np.asarray(w), 2, 3), b, stride, padding,
                               dilation, groups)


# The three backward mistakes below rework the reference's gradients; each also has a
# ``from_reference(gradients, **arguments)`` giving the same values from the reference's
# own (for a caller that has them: one backward pass fewer).  It returns the gradients it
# keeps as they are (the very arrays, strides and all), never changing them.

def db_not_summed_over_batch(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    gradients = conv.conv2d_backward(dout, x, w, stride, padding, dilation, groups)
    return _db_not_summed(gradients, dout)


def _db_not_summed(gradients, dout, *_, **__):
    dx, dw, _ = gradients
    return dx, dw, np.asarray(dout, dtype=np.float64).sum(axis=(2, 3))


def dw_kernel_flipped(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    return _dw_flipped(conv.conv2d_backward(dout, x, w, stride, padding, dilation, groups))


def _dw_flipped(gradients, *_, **__):
    dx, dw, db = gradients
    return dx, np.ascontiguousarray(dw[:, :, ::-1, ::-1]), db


def dx_kernel_not_flipped(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    gradients = conv.conv2d_backward(dout, x, w, stride, padding, dilation, groups)
    return _dx_not_flipped(gradients, dout, x, w, stride, padding, dilation, groups)


def _dx_not_flipped(gradients, dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    flipped = np.flip(np.asarray(w, dtype=np.float64), axis=(2, 3))
    dx, _, _ = conv.conv2d_backward(dout, x, flipped, stride, padding, dilation, groups)
    _, dw, db = gradients
    return dx, dw, db


db_not_summed_over_batch.from_reference = _db_not_summed
dw_kernel_flipped.from_reference = _dw_flipped
dx_kernel_not_flipped.from_reference = _dx_not_flipped


def im2col_channel_innermost(x, kh, kw, stride=1, padding=0, dilation=1):
    cols = conv.im2col(x, kh, kw, stride, padding, dilation)
    n, rows, positions = cols.shape
    channels = rows // (kh * kw)
    reordered = cols.reshape(n, channels, kh * kw, positions).transpose(0, 2, 1, 3)
    return reordered.reshape(n, rows, positions)


def im2col_positions_column_major(x, kh, kw, stride=1, padding=0, dilation=1):
    x = np.asarray(x, dtype=np.float64)
    cols = conv.im2col(x, kh, kw, stride, padding, dilation)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    out_h = (x.shape[2] + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (x.shape[3] + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    n, rows, _ = cols.shape
    return cols.reshape(n, rows, out_h, out_w).transpose(0, 1, 3, 2).reshape(n, rows, -1)


def depthwise_bias_forgotten(x, w_depth, w_point, b_depth=None, b_point=None, stride=1,
                             padding=0):
    return conv.depthwise_separable_forward(x, w_depth, w_point, None, b_point, stride, padding)


def depthwise_relu_between(x, w_depth, w_point, b_depth=None, b_point=None, stride=1,
                           padding=0):
    channels = np.asarray(w_depth).shape[0]
    mid = conv.conv2d_forward(x, w_depth, b_depth, stride, padding, groups=channels)
    return conv.conv1x1_forward(np.maximum(mid, 0.0), w_point, b_point)


MISTAKES = (
    Mistake("kernel_flipped", "conv2d_forward",
            "Deep-learning convolution is cross-correlation: the kernel is laid on the input "
            "as it is, not rotated by 180 degrees.", kernel_flipped),
    Mistake("bias_forgotten", "conv2d_forward",
            "Each filter adds its own bias to every output position.", bias_forgotten),
    Mistake("conv_stride_ignored", "conv2d_forward",
            "With stride s the window moves s cells between outputs, so only every s-th "
            "position is computed.", conv_stride_ignored),
    Mistake("conv_padding_ignored", "conv2d_forward",
            "Zero padding is added around the input before sliding the window.",
            conv_padding_ignored),
    Mistake("conv_padding_one_side", "conv2d_forward",
            "Padding p puts p zero rows above and below and p zero columns left and right.",
            conv_padding_one_side),
    Mistake("conv_dilation_ignored", "conv2d_forward",
            "With dilation d the kernel taps are d cells apart in the input, leaving gaps.",
            conv_dilation_ignored),
    Mistake("kernel_transposed", "conv2d_forward",
            "Kernel index (i, j) means row i and column j: do not swap the kernel's height "
            "and width.", kernel_transposed),
    Mistake("db_not_summed_over_batch", "conv2d_backward",
            "One bias serves every sample and position, so its gradient sums dout over the "
            "batch as well as over space.", db_not_summed_over_batch),
    Mistake("dw_kernel_flipped", "conv2d_backward",
            "The weight gradient correlates the input with dout in the forward orientation; "
            "no flip is needed for dw.", dw_kernel_flipped),
    Mistake("dx_kernel_not_flipped", "conv2d_backward",
            "Sending dout back to the input reverses the sliding, which uses the kernel "
            "rotated by 180 degrees.", dx_kernel_not_flipped),
    Mistake("im2col_channel_innermost", "im2col",
            "Rows must follow the weight layout (channel, row, column) so that "
            "w.reshape(F, -1) @ cols matches.", im2col_channel_innermost),
    Mistake("im2col_positions_column_major", "im2col",
            "Output positions are numbered row by row (y * out_w + x), like the reshape of "
            "the output map.", im2col_positions_column_major),
    Mistake("depthwise_bias_forgotten", "depthwise_separable_forward",
            "The depthwise step has its own per-channel bias, added before the 1x1 mixing.",
            depthwise_bias_forgotten),
    Mistake("depthwise_relu_between", "depthwise_separable_forward",
            "This layer applies no activation between the depthwise and the pointwise step.",
            depthwise_relu_between),
)

# Inputs that make a mistake visible (the others show on almost any input).
SHOWS_WHEN = {
    "kernel_flipped": "the kernel changes under a 180-degree rotation",
    "bias_forgotten": "a nonzero bias is given",
    "conv_stride_ignored": "stride > 1",
    "conv_padding_ignored": "padding > 0",
    "conv_padding_one_side": "padding > 0",
    "conv_dilation_ignored": "dilation > 1",
    "kernel_transposed": "the kernel is not symmetric (kh != kw changes the shape)",
    "dx_kernel_not_flipped": "the kernel changes under a 180-degree rotation",
    "dw_kernel_flipped": "the kernel gradient changes under a 180-degree rotation (kh or kw > 1)",
    "im2col_channel_innermost": "C > 1 and kh * kw > 1",
    "im2col_positions_column_major": "out_h > 1 and out_w > 1",
    "depthwise_bias_forgotten": "a nonzero b_depth is given",
    "depthwise_relu_between": "some depthwise output is negative",
}
