"""The reference's convolution and pooling as they were written with ``np.pad`` and
``sliding_window_view`` (commit 4ed04c4), before issue 15 wrote the padding into an
array of the fill and took the windows with ``as_strided``.

Kept as the oracle of that change: every array the reference computes must stay
the same bit for bit (values, shapes and memory layout), because released variants
are recomputed from it.  Not a teaching text: see ``solutions/`` for that.
"""

from __future__ import annotations

import numpy as np


def im2col(x, kh, kw, stride=1, padding=0, dilation=1):
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    dh, dw = (dilation, dilation) if np.ndim(dilation) == 0 else dilation
    x = np.asarray(x, dtype=np.float64)
    n, c = x.shape[:2]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if span_h > xp.shape[2] or span_w > xp.shape[3]:
        raise ValueError(f"window span {(span_h, span_w)} exceeds padded input {xp.shape[2:]}")
    win = np.lib.stride_tricks.sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, out_h, out_w, kh, kw)
    out_h, out_w = win.shape[2:4]
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, out_h * out_w)


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    # im2col (one column per output position) and one matrix product per group
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    dh, dw = (dilation, dilation) if np.ndim(dilation) == 0 else dilation
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    n, c = x.shape[:2]
    f, cg, kh, kw = w.shape
    if c != cg * groups or f % groups:
        raise ValueError(f"x has {c} channels; w {w.shape} needs {cg} per group x {groups}")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if span_h > xp.shape[2] or span_w > xp.shape[3]:
        raise ValueError(f"window span {(span_h, span_w)} exceeds padded input {xp.shape[2:]}")
    win = np.lib.stride_tricks.sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, out_h, out_w, kh, kw)
    oh, ow = win.shape[2:4]
    # columns: (groups, C/groups * kh * kw, N * out_h * out_w), one per output position
    cols = win.reshape(n, groups, cg, oh, ow, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    cols = cols.reshape(groups, cg * kh * kw, n * oh * ow)
    out = w.reshape(groups, f // groups, cg * kh * kw) @ cols
    out = out.reshape(f, n, oh, ow).transpose(1, 0, 2, 3)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64).reshape(1, f, 1, 1)
    return np.ascontiguousarray(out)


def conv2d_backward(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    # dw: im2col transposed times dout; dx: the full cross-correlation of dout (spread
    # out by the stride, i.e. zeros inserted between its cells) with the spatially
    # flipped kernel, channels swapped.  Fully vectorized.
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    dh, dw_ = (dilation, dilation) if np.ndim(dilation) == 0 else dilation
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    (n, c, h, width), (f, cg, kh, kw), (oh, ow) = x.shape, w.shape, dout.shape[2:]
    g, fg = groups, f // groups
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span_h, span_w = dh * (kh - 1) + 1, dw_ * (kw - 1) + 1
    sliding = np.lib.stride_tricks.sliding_window_view
    win = sliding(xp, (span_h, span_w), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw_]
    cols = win.reshape(n, g, cg, oh, ow, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    cols = cols.reshape(g, cg * kh * kw, n * oh * ow)  # im2col, one column per output
    dout_g = dout.reshape(n, g, fg, oh, ow).transpose(1, 2, 0, 3, 4).reshape(g, fg, n * oh * ow)
    db = dout.sum(axis=(0, 2, 3))
    dw = (dout_g @ cols.transpose(0, 2, 1)).reshape(f, cg, kh, kw)
    # dx: spread dout by the stride, pad it by the window span, correlate with the flipped kernel
    up = np.zeros((n, f, (oh - 1) * sh + 1, (ow - 1) * sw + 1))
    up[:, :, ::sh, ::sw] = dout
    rest_h, rest_w = xp.shape[2] - (oh - 1) * sh - span_h, xp.shape[3] - (ow - 1) * sw - span_w
    up = np.pad(up, ((0, 0), (0, 0), (span_h - 1, span_h - 1 + rest_h),
                     (span_w - 1, span_w - 1 + rest_w)))
    win = sliding(up, (span_h, span_w), axis=(2, 3))[:, :, :, :, ::dh, ::dw_]
    hp, wp = win.shape[2:4]
    cols = win.reshape(n, g, fg, hp, wp, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    cols = cols.reshape(g, fg * kh * kw, n * hp * wp)
    flipped = w[:, :, ::-1, ::-1].reshape(g, fg, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    dxp = flipped.reshape(g, cg, fg * kh * kw) @ cols  # (g, C / g, N * hp * wp)
    dxp = dxp.reshape(c, n, hp, wp).transpose(1, 0, 2, 3)
    dx = np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + width])
    return dx, dw, db


def depthwise_separable_forward(x, w_depth, w_point, b_depth=None, b_point=None, stride=1,
                                padding=0):
    # equals conv1x1_forward(conv2d_forward(x, w_depth, b_depth, stride, padding, groups=C), ...)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    x = np.asarray(x, dtype=np.float64)
    w_depth, w_point = np.asarray(w_depth, dtype=np.float64), np.asarray(w_point, np.float64)
    if w_depth.shape[0] != x.shape[1] or w_point.shape[1] != x.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels; w_depth {w_depth.shape}, "
                         f"w_point {w_point.shape} must match")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = w_depth.shape[2:]
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError(f"kernel {(kh, kw)} exceeds padded input {xp.shape[2:]}")
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    mid = np.einsum("nchwij,cij->nchw", win, w_depth[:, 0])
    if b_depth is not None:
        mid = mid + np.asarray(b_depth, dtype=np.float64).reshape(1, -1, 1, 1)
    out = np.einsum("nchw,fc->nfhw", mid, w_point[:, :, 0, 0])
    if b_point is not None:
        out = out + np.asarray(b_point, dtype=np.float64).reshape(1, -1, 1, 1)
    return out


def pool2d_forward(x, size, stride=None, padding=0, mode="max"):
    kh, kw = (size, size) if np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    if 2 * ph > kh or 2 * pw > kw:  # a whole window could lie in the padding (PyTorch refuses)
        raise ValueError(f"padding {(ph, pw)} is more than half the window {(kh, kw)}: "
                         "at most half the window size is allowed, as in PyTorch")
    fills = {"max": -np.inf, "min": np.inf, "avg": 0.0}
    if mode not in fills:
        raise ValueError(f"mode must be one of {sorted(fills)}, got {mode!r}")
    x = np.asarray(x, dtype=np.float64)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fills[mode])
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError(f"window {(kh, kw)} exceeds padded input {xp.shape[2:]}")
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    # window cells to the front: (kh * kw, N, C, out_h, out_w), reduced element-wise (fast)
    cells = win.transpose(4, 5, 0, 1, 2, 3).reshape(kh * kw, *win.shape[:4])
    if mode == "max":
        return cells.max(axis=0)
    if mode == "min":
        return cells.min(axis=0)
    return cells.mean(axis=0)


def maxpool_backward(dout, x, size, stride=None, padding=0):
    kh, kw = (size, size) if np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    if 2 * ph > kh or 2 * pw > kw:  # a whole window could lie in the padding (PyTorch refuses)
        raise ValueError(f"padding {(ph, pw)} is more than half the window {(kh, kw)}: "
                         "at most half the window size is allowed, as in PyTorch")
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    hp, wp = xp.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    oh, ow = win.shape[2:4]
    cells = win.transpose(4, 5, 0, 1, 2, 3).reshape(kh * kw, n, c, oh, ow)
    order = np.arange(kh * kw).reshape(kh * kw, 1, 1, 1, 1)  # row-major position in window
    first = np.where(cells == cells.max(axis=0), order, kh * kw).min(axis=0)  # first maximum
    rows = (np.arange(oh) * sh).reshape(oh, 1) + first // kw
    cols = (np.arange(ow) * sw).reshape(1, ow) + first % kw
    flat = (np.arange(n * c).reshape(n, c, 1, 1) * hp + rows) * wp + cols
    dxp = np.bincount(flat.ravel(), weights=dout.ravel(), minlength=n * c * hp * wp)
    return dxp.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w].copy()


def geometry(size, stride, padding):
    kh, kw = (size, size) if np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    return kh, kw, sh, sw, ph, pw


def route(dout, x, size, stride, padding, pick, accumulate=True):
    kh, kw, sh, sw, ph, pw = geometry(size, stride, padding)
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    hp, wp = xp.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    oh, ow = win.shape[2:4]
    chosen = pick(win.reshape(n, c, oh, ow, kh * kw))
    rows = (np.arange(oh) * sh).reshape(oh, 1) + chosen // kw
    cols = (np.arange(ow) * sw).reshape(1, ow) + chosen % kw
    flat = ((np.arange(n * c).reshape(n, c, 1, 1) * hp + rows) * wp + cols).ravel()
    if accumulate:
        dxp = np.bincount(flat, weights=dout.ravel(), minlength=n * c * hp * wp)
    else:
        dxp = np.zeros(n * c * hp * wp)
        dxp[flat] = dout.ravel()  # a later window overwrites an earlier one
    return dxp.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w].copy()
