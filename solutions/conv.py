"""Convolution layers as cross-correlation, vectorized with sliding windows and matmul.

Deep-learning "convolution" slides the kernel over the input without flipping it
(cross-correlation); :func:`convolve2d_true` is the flipped-kernel operation of
mathematics, kept beside it for comparison.  Shapes: ``x (N, C, H, W)``,
``w (F, C // groups, kh, kw)``, ``b (F,)``.  ``stride`` and ``dilation`` are an int
or ``(height, width)``; ``padding`` is an int or ``(ph, pw)``, zeros on both sides.

The student-facing functions keep their whole body between the SOLUTION markers
and use only ``np`` there, so that an exercise can cut the body out and leave a
stub that stands alone in a student module.
"""

from __future__ import annotations

import numpy as np


def im2col(x, kh, kw, stride=1, padding=0, dilation=1):
    """Unfold every receptive field of ``x`` into a column.

    Returns ``(N, C * kh * kw, out_h * out_w)``: row ``c * kh * kw + i * kw + j``
    holds tap ``(i, j)`` of channel ``c`` (the order of ``w.reshape(F, -1)``), and
    column ``oy * out_w + ox`` is the output position.  A convolution is then
    ``w.reshape(F, -1) @ cols`` for each sample.
    """
    ### BEGIN SOLUTION
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    dh, dw = ((dilation, dilation) if isinstance(dilation, int) or np.ndim(dilation) == 0
              else dilation)
    x = np.asarray(x, dtype=np.float64)
    n, c, h, w = x.shape
    # zero padding: x in the middle of zeros (in the memory order of x, as np.pad keeps it)
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), order="F" if x.flags.fnc else "C")
    xp[:, :, ph:ph + h, pw:pw + w] = x
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if min(sh, sw, dh, dw) < 1:
        raise ValueError(f"stride {(sh, sw)} and dilation {(dh, dw)} must be >= 1")
    if span_h > xp.shape[2] or span_w > xp.shape[3]:
        raise ValueError(f"window span {(span_h, span_w)} exceeds padded input {xp.shape[2:]}")
    # each window as a read-only view of xp (no copy), (N, C, out_h, out_w, kh, kw): window
    # (oy, ox) starts sh * oy rows and sw * ox columns in; its taps are dh rows, dw columns apart
    out_h, out_w = (xp.shape[2] - span_h) // sh + 1, (xp.shape[3] - span_w) // sw + 1
    s_n, s_c, s_h, s_w = xp.strides
    win = np.ndarray((n, c, out_h, out_w, kh, kw), xp.dtype, xp,
                     strides=(s_n, s_c, sh * s_h, sw * s_w, dh * s_h, dw * s_w))
    win.flags.writeable = False
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, out_h * out_w)
    ### END SOLUTION


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlate ``x (N, C, H, W)`` with ``w (F, C // groups, kh, kw)``, add ``b (F,)``.

    ``out[n, f, y, x] = b[f] + sum over c, i, j of
    w[f, c, i, j] * x_padded[n, g * C/groups + c, y * sh + i * dh, x * sw + j * dw]``
    where ``g = f // (F / groups)`` is the group of filter ``f``.
    Returns ``(N, F, out_h, out_w)``.
    """
    ### BEGIN SOLUTION
    # im2col (one column per output position) and one matrix product per group
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    dh, dw = ((dilation, dilation) if isinstance(dilation, int) or np.ndim(dilation) == 0
              else dilation)
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    n, c, h, width = x.shape
    f, cg, kh, kw = w.shape
    if c != cg * groups or f % groups:
        raise ValueError(f"x has {c} channels; w {w.shape} needs {cg} per group x {groups}")
    # zero padding: x in the middle of zeros (in the memory order of x, as np.pad keeps it)
    xp = np.zeros((n, c, h + 2 * ph, width + 2 * pw), order="F" if x.flags.fnc else "C")
    xp[:, :, ph:ph + h, pw:pw + width] = x
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if min(sh, sw, dh, dw) < 1:
        raise ValueError(f"stride {(sh, sw)} and dilation {(dh, dw)} must be >= 1")
    if span_h > xp.shape[2] or span_w > xp.shape[3]:
        raise ValueError(f"window span {(span_h, span_w)} exceeds padded input {xp.shape[2:]}")
    # each window as a read-only view of xp (no copy), (N, C, out_h, out_w, kh, kw): window
    # (oy, ox) starts sh * oy rows and sw * ox columns in; its taps are dh rows, dw columns apart
    oh, ow = (xp.shape[2] - span_h) // sh + 1, (xp.shape[3] - span_w) // sw + 1
    s_n, s_c, s_h, s_w = xp.strides
    win = np.ndarray((n, c, oh, ow, kh, kw), xp.dtype, xp,
                     strides=(s_n, s_c, sh * s_h, sw * s_w, dh * s_h, dw * s_w))
    win.flags.writeable = False
    # columns: (groups, C/groups * kh * kw, N * out_h * out_w), one per output position
    cols = win.reshape(n, groups, cg, oh, ow, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    cols = cols.reshape(groups, cg * kh * kw, n * oh * ow)
    out = w.reshape(groups, f // groups, cg * kh * kw) @ cols
    out = out.reshape(f, n, oh, ow).transpose(1, 0, 2, 3)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64).reshape(1, f, 1, 1)
    return np.ascontiguousarray(out)
    ### END SOLUTION


def convolve2d_true(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """The mathematical convolution: :func:`conv2d_forward` with each kernel flipped
    in both spatial axes (rotated by 180 degrees).  Same arguments and shapes."""
    return conv2d_forward(x, np.flip(np.asarray(w), axis=(2, 3)), b, stride, padding, dilation,
                          groups)


def conv2d_backward(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    """Gradients ``(dx, dw, db)`` of ``conv2d_forward`` given ``dout = dL/dout``.

    ``dx``, ``dw`` and ``db`` have the shapes of ``x``, ``w`` and ``(F,)``.
    ``db`` sums ``dout`` over batch and space; each weight collects, over every
    output position, the input cell it multiplied there times ``dout``; each
    input cell collects the gradient of every output whose window covered it.
    Cells never covered (cut off by the floor) get 0.
    """
    ### BEGIN SOLUTION
    # dw: im2col transposed times dout; dx: the full cross-correlation of dout (spread out by
    # the stride: zeros between its cells) with the spatially flipped kernel, channels swapped
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    dh, dw_ = (dilation, dilation) if np.ndim(dilation) == 0 else dilation
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    (n, c, h, width), (f, cg, kh, kw), (oh, ow) = x.shape, w.shape, dout.shape[2:]
    g, fg = groups, f // groups
    # zero padding: x in the middle of zeros (in the memory order of x, as np.pad keeps it)
    xp = np.zeros((n, c, h + 2 * ph, width + 2 * pw), order="F" if x.flags.fnc else "C")
    xp[:, :, ph:ph + h, pw:pw + width] = x
    span_h, span_w = dh * (kh - 1) + 1, dw_ * (kw - 1) + 1
    if span_h > xp.shape[2] or span_w > xp.shape[3]:
        raise ValueError(f"window span {(span_h, span_w)} exceeds padded input {xp.shape[2:]}")
    s_n, s_c, s_h, s_w = xp.strides  # the forward windows, a view (see conv2d_forward)
    win = np.lib.stride_tricks.as_strided(
        xp, (n, c, (xp.shape[2] - span_h) // sh + 1, (xp.shape[3] - span_w) // sw + 1, kh, kw),
        (s_n, s_c, sh * s_h, sw * s_w, dh * s_h, dw_ * s_w), writeable=False)
    cols = win.reshape(n, g, cg, oh, ow, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)  # checks dout
    cols = cols.reshape(g, cg * kh * kw, n * oh * ow)  # im2col, one column per output
    dout_g = dout.reshape(n, g, fg, oh, ow).transpose(1, 2, 0, 3, 4).reshape(g, fg, n * oh * ow)
    db = dout.sum(axis=(0, 2, 3))
    dw = (dout_g @ cols.transpose(0, 2, 1)).reshape(f, cg, kh, kw)
    # dx: dout spread out by the stride (stride - 1 zeros between its cells) after span - 1
    # zeros, in zeros one span larger than xp; a window at every cell of xp, stride 1
    hp, wp = xp.shape[2:]
    spread_h, spread_w = (oh - 1) * sh + 1, (ow - 1) * sw + 1
    up = np.zeros((n, f, hp + span_h - 1, wp + span_w - 1))
    up[:, :, span_h - 1:span_h - 1 + spread_h:sh, span_w - 1:span_w - 1 + spread_w:sw] = dout
    s_n, s_f, s_h, s_w = up.strides
    win = np.lib.stride_tricks.as_strided(
        up, (n, f, hp, wp, kh, kw), (s_n, s_f, s_h, s_w, dh * s_h, dw_ * s_w), writeable=False)
    cols = win.reshape(n, g, fg, hp, wp, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    cols = cols.reshape(g, fg * kh * kw, n * hp * wp)
    flipped = w[:, :, ::-1, ::-1].reshape(g, fg, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    dxp = flipped.reshape(g, cg, fg * kh * kw) @ cols  # (g, C / g, N * hp * wp)
    dxp = dxp.reshape(c, n, hp, wp).transpose(1, 0, 2, 3)
    dx = np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + width])
    return dx, dw, db
    ### END SOLUTION


def depthwise_separable_forward(x, w_depth, w_point, b_depth=None, b_point=None, stride=1,
                                padding=0):
    """Depthwise convolution (one ``k x k`` filter per channel) followed by a 1x1 convolution.

    ``w_depth (C, 1, k, k)`` and ``b_depth (C,)`` act on each channel alone;
    ``w_point (F, C, 1, 1)`` and ``b_point (F,)`` then mix channels at each
    position.  No activation in between: the same as a convolution with
    ``groups = C`` (bias ``b_depth``) followed by a 1x1 convolution (bias ``b_point``).
    Returns ``(N, F, out_h, out_w)``.
    """
    ### BEGIN SOLUTION
    # equals conv1x1_forward(conv2d_forward(x, w_depth, b_depth, stride, padding, groups=C), ...)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    x = np.asarray(x, dtype=np.float64)
    w_depth, w_point = np.asarray(w_depth, dtype=np.float64), np.asarray(w_point, np.float64)
    if w_depth.shape[0] != x.shape[1] or w_point.shape[1] != x.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels; w_depth {w_depth.shape}, "
                         f"w_point {w_point.shape} must match")
    n, c, h, w = x.shape
    # zero padding: x in the middle of zeros (in the memory order of x, as np.pad keeps it)
    xp = np.zeros_like(x, shape=(n, c, h + 2 * ph, w + 2 * pw), order="A")
    xp[:, :, ph:ph + h, pw:pw + w] = x
    kh, kw = w_depth.shape[2:]
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError(f"kernel {(kh, kw)} exceeds padded input {xp.shape[2:]}")
    # each window as a read-only view of xp (no copy), (N, C, out_h, out_w, kh, kw)
    s_n, s_c, s_h, s_w = xp.strides
    win = np.lib.stride_tricks.as_strided(
        xp, (n, c, (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1, kh, kw),
        (s_n, s_c, sh * s_h, sw * s_w, s_h, s_w), writeable=False)
    mid = np.einsum("nchwij,cij->nchw", win, w_depth[:, 0])
    if b_depth is not None:
        mid = mid + np.asarray(b_depth, dtype=np.float64).reshape(1, -1, 1, 1)
    out = np.einsum("nchw,fc->nfhw", mid, w_point[:, :, 0, 0])
    if b_point is not None:
        out = out + np.asarray(b_point, dtype=np.float64).reshape(1, -1, 1, 1)
    return out
    ### END SOLUTION


def conv1x1_forward(x, w, b=None):
    """1x1 convolution: each position's channel vector times ``w (F, C, 1, 1)``, plus ``b``."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if w.shape[2:] != (1, 1) or w.shape[1] != x.shape[1]:
        raise ValueError(f"w must be (F, {x.shape[1]}, 1, 1), got {w.shape}")
    out = np.einsum("nchw,fc->nfhw", x, w[:, :, 0, 0])
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64).reshape(1, -1, 1, 1)
    return out
