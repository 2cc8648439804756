"""Output sizes of convolution, pooling and transposed convolution (one axis at a time).

A window of ``k`` taps spaced ``dilation`` apart covers ``dilation * (k - 1) + 1``
input cells.  Sliding it with step ``stride`` over an input of ``n`` cells padded
with ``before`` and ``after`` cells gives ``floor((n + before + after - span) / stride) + 1``
positions: the floor drops a last partial step that would run off the edge.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

IntOrPair = int | Sequence[int]


def _positive(name: str, value: int) -> int:
    """Return ``value`` as an int after checking that it is a positive integer."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _padding_pair(padding: IntOrPair) -> tuple[int, int]:
    """Split ``padding`` (int, or ``(before, after)``) into two non-negative ints."""
    if np.ndim(padding) == 0:
        before = after = padding
    else:
        if len(padding) != 2:
            raise ValueError(f"padding must be an int or a (before, after) pair, got {padding!r}")
        before, after = padding
    for value in (before, after):
        if int(value) != value or value < 0:
            raise ValueError(f"padding must be non-negative integers, got {padding!r}")
    return int(before), int(after)


def conv_output_size(
    n: int, k: int, stride: int = 1, padding: IntOrPair = 0, dilation: int = 1
) -> int:
    """Number of output positions of a convolution along one axis.

    ``padding`` is the same on both sides when an int, or ``(before, after)``.
    Raises ``ValueError`` when the (dilated) window is larger than the padded input.
    """
    n, k = _positive("input size n", n), _positive("kernel size k", k)
    stride, dilation = _positive("stride", stride), _positive("dilation", dilation)
    before, after = _padding_pair(padding)
    span = dilation * (k - 1) + 1
    padded = n + before + after
    if span > padded:
        raise ValueError(
            f"window of span {span} (k={k}, dilation={dilation}) does not fit in the padded "
            f"input of size {padded} (n={n}, padding=({before}, {after}))"
        )
    return (padded - span) // stride + 1


def pool_output_size(n: int, k: int, stride: int | None = None, padding: IntOrPair = 0) -> int:
    """Number of output positions of a pooling window along one axis (stride defaults to k).

    Padding may be at most half the window (as in PyTorch, and ``pool2d_forward``).
    """
    if 2 * max(np.ravel(padding)) > k:
        raise ValueError(f"padding {padding!r} is more than half the window {k}: "
                         "at most half the window size is allowed, as in PyTorch")
    return conv_output_size(n, k, k if stride is None else stride, padding)


def _axis_pair(name: str, value: IntOrPair) -> tuple[int, int]:
    """Turn an int-or-(height, width) argument into a pair of ints."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a (height, width) pair, got {value!r}")
    return int(value[0]), int(value[1])


def conv_output_shape(
    x_shape: Sequence[int],
    w_shape: Sequence[int],
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> tuple[int, int, int, int]:
    """Shape ``(N, F, out_h, out_w)`` of ``conv2d_forward(x, w, ...)``.

    ``x_shape`` is ``(N, C, H, W)`` and ``w_shape`` is ``(F, C // groups, kh, kw)``;
    ``padding`` is an int or ``(ph, pw)`` applied on both sides of each axis.
    """
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ValueError(f"expected 4-D shapes, got x {tuple(x_shape)} and w {tuple(w_shape)}")
    n, c, h, w = x_shape
    f, c_per_group, kh, kw = w_shape
    groups = _positive("groups", groups)
    if c != c_per_group * groups or f % groups:
        raise ValueError(
            f"channels do not match: x has {c} channels, w expects {c_per_group} per group "
            f"with groups={groups} and {f} filters"
        )
    (sh, sw), (ph, pw), (dh, dw) = (
        _axis_pair("stride", stride),
        _axis_pair("padding", padding),
        _axis_pair("dilation", dilation),
    )
    return (
        int(n),
        int(f),
        conv_output_size(h, kh, sh, ph, dh),
        conv_output_size(w, kw, sw, pw, dw),
    )


def same_padding(k: int, dilation: int = 1) -> tuple[int, int]:
    """Padding ``(before, after)`` that keeps the size unchanged at stride 1.

    The total is ``dilation * (k - 1)``; when it is odd (even kernel) the extra
    cell goes after, as TensorFlow's and PyTorch's ``padding="same"`` do.
    """
    total = _positive("dilation", dilation) * (_positive("kernel size k", k) - 1)
    return total // 2, total - total // 2


def stride_for_output(n: int, k: int, padding: IntOrPair, out: int) -> int | None:
    """Smallest stride giving ``out`` output positions, or ``None`` when no stride does."""
    _positive("output size", out)
    largest = n + sum(_padding_pair(padding))
    for stride in range(1, largest + 1):
        if conv_output_size(n, k, stride, padding) == out:
            return stride
    return None


def transposed_conv_output_size(
    n: int,
    k: int,
    stride: int = 1,
    padding: IntOrPair = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Output size of a transposed convolution along one axis (PyTorch's convention).

    ``(n - 1) * stride - before - after + dilation * (k - 1) + output_padding + 1``:
    the inverse of ``conv_output_size`` up to the floor, which ``output_padding``
    (smaller than the stride or the dilation) resolves.
    """
    n, k = _positive("input size n", n), _positive("kernel size k", k)
    stride, dilation = _positive("stride", stride), _positive("dilation", dilation)
    before, after = _padding_pair(padding)
    if output_padding < 0 or output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be in [0, max(stride, dilation)), got {output_padding}"
        )
    size = (n - 1) * stride - before - after + dilation * (k - 1) + output_padding + 1
    if size < 1:
        raise ValueError(f"padding ({before}, {after}) removes the whole output (size {size})")
    return size
