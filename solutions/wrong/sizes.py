"""Wrong ways to compute output sizes (topics in :mod:`solutions.sizes`)."""

from __future__ import annotations

import math

from solutions import sizes
from solutions.sizes import _padding_pair
from solutions.wrong.base import Mistake


def _span(k: int, dilation: int) -> int:
    return dilation * (k - 1) + 1


def floor_forgotten(n, k, stride=1, padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return (n + before + after - _span(k, dilation)) / stride + 1


def rounded_up(n, k, stride=1, padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return math.ceil((n + before + after - _span(k, dilation)) / stride) + 1


def padding_once(n, k, stride=1, padding=0, dilation=1):
    before, _ = _padding_pair(padding)
    return (n + before - _span(k, dilation)) // stride + 1


def plus_one_forgotten(n, k, stride=1, padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return (n + before + after - _span(k, dilation)) // stride


def stride_ignored(n, k, stride=1, padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return n + before + after - _span(k, dilation) + 1


def dilation_ignored(n, k, stride=1, padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return (n + before + after - k) // stride + 1


def plus_one_inside_division(n, k, stride=1, padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return (n + before + after - _span(k, dilation) + 1) // stride


def pool_stride_defaults_to_one(n, k, stride=None, padding=0):
    return sizes.conv_output_size(n, k, 1 if stride is None else stride, padding)


def transposed_uses_conv_formula(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return sizes.conv_output_size(n, k, stride, padding, dilation)


def transposed_n_times_stride(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    before, after = _padding_pair(padding)
    return n * stride - before - after + dilation * (k - 1) + output_padding + 1


def same_padding_half_kernel(k, dilation=1):
    return k // 2, k // 2


def same_padding_dilation_ignored(k, dilation=1):
    return (k - 1) // 2, k - 1 - (k - 1) // 2


def output_channels_from_input(x_shape, w_shape, stride=1, padding=0, dilation=1, groups=1):
    n, _, oh, ow = sizes.conv_output_shape(x_shape, w_shape, stride, padding, dilation, groups)
    return n, int(x_shape[1]), oh, ow


def height_width_swapped(x_shape, w_shape, stride=1, padding=0, dilation=1, groups=1):
    n, f, oh, ow = sizes.conv_output_shape(x_shape, w_shape, stride, padding, dilation, groups)
    return n, f, ow, oh


MISTAKES = (
    Mistake("floor_forgotten", "conv_output_size",
            "A window either fits or it does not: round (n + 2p - k) / s down before adding 1, "
            "never keep a fraction.", floor_forgotten),
    Mistake("rounded_up", "conv_output_size",
            "A last window that would hang over the edge is dropped, so the division rounds "
            "down, not up.", rounded_up),
    Mistake("padding_once", "conv_output_size",
            "Padding p adds p cells on both sides of the axis, so the padded length is n + 2p.",
            padding_once),
    Mistake("plus_one_forgotten", "conv_output_size",
            "The quotient (n + 2p - k) / s counts the steps between window positions; the "
            "first position adds 1 more.", plus_one_forgotten),
    Mistake("stride_ignored", "conv_output_size",
            "With stride s the window jumps s cells at a time, so divide the free length by s.",
            stride_ignored),
    Mistake("dilation_ignored", "conv_output_size",
            "A dilated kernel of k taps spans d * (k - 1) + 1 cells; use that span instead of k.",
            dilation_ignored),
    Mistake("plus_one_inside_division", "conv_output_size",
            "The +1 for the first window comes after the division: floor((n + 2p - k) / s) + 1.",
            plus_one_inside_division),
    Mistake("pool_stride_defaults_to_one", "pool_output_size",
            "A pooling layer given no stride moves by its window size, not by 1.",
            pool_stride_defaults_to_one),
    Mistake("transposed_uses_conv_formula", "transposed_conv_output_size",
            "A transposed convolution enlarges: its size is (n - 1) * s - 2p + k, the inverse "
            "of the convolution formula.", transposed_uses_conv_formula),
    Mistake("transposed_n_times_stride", "transposed_conv_output_size",
            "Spreading n inputs s cells apart leaves n - 1 gaps, so the term is (n - 1) * s.",
            transposed_n_times_stride),
    Mistake("same_padding_half_kernel", "same_padding",
            "An even kernel needs an odd total padding k - 1, so one side gets one cell more "
            "than the other.", same_padding_half_kernel),
    Mistake("same_padding_dilation_ignored", "same_padding",
            "A dilated kernel reaches d * (k - 1) cells beyond its first tap, and the padding "
            "must cover all of them.", same_padding_dilation_ignored),
    Mistake("output_channels_from_input", "conv_output_shape",
            "A convolution outputs one channel per filter, whatever the number of input "
            "channels.", output_channels_from_input),
    Mistake("height_width_swapped", "conv_output_shape",
            "Shapes are (N, C, height, width): keep height before width.", height_width_swapped),
)

# Inputs that make a mistake visible (the others show on almost any input).
SHOWS_WHEN = {
    "floor_forgotten": "n + 2p - span is not a multiple of the stride",
    "rounded_up": "n + 2p - span is not a multiple of the stride",
    "padding_once": "padding > 0 (with stride 1, or enough padding to change the floor)",
    "stride_ignored": "stride > 1",
    "dilation_ignored": "dilation > 1 and k > 1",
    "plus_one_inside_division": "stride > 1",
    "pool_stride_defaults_to_one": "stride is None and k > 1",
    "same_padding_half_kernel": "k is even",
    "same_padding_dilation_ignored": "dilation > 1 and k > 1",
    "output_channels_from_input": "the number of filters differs from the input channels",
    "height_width_swapped": "out_h != out_w",
}
