"""Pooling forward and backward, vectorized with sliding windows.

``x`` is ``(N, C, H, W)``; ``size``, ``stride`` and ``padding`` are an int or a
``(height, width)`` pair; the stride defaults to the window size (windows tile
the input without overlap).  Padding cells never win: max pads with ``-inf``,
min with ``+inf``; average pads with zeros that count in the divisor (PyTorch's
``count_include_pad=True``), so every window is divided by ``kh * kw``.  Padding
may be at most half the window on each axis (``2 * ph <= kh``), as PyTorch requires:
with more, a window could hold padding only (a max of ``-inf``) and its gradient
would be lost, so the functions raise ``ValueError`` instead.

The student-facing functions keep their whole body between the SOLUTION markers
and use only ``np`` there (see :mod:`solutions.conv`).
"""

from __future__ import annotations

import numpy as np


def pool2d_forward(x, size, stride=None, padding=0, mode="max"):
    """Pool each ``size`` window of every channel: ``mode`` is ``"max"``, ``"avg"`` or ``"min"``.

    Returns ``(N, C, out_h, out_w)`` with ``out = floor((H + 2 * ph - kh) / sh) + 1``.
    """
    ### BEGIN SOLUTION
    kh, kw = (size, size) if isinstance(size, int) or np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    if 2 * ph > kh or 2 * pw > kw:  # a whole window could lie in the padding (PyTorch refuses)
        raise ValueError(f"padding {(ph, pw)} is more than half the window {(kh, kw)}: "
                         "at most half the window size is allowed, as in PyTorch")
    fills = {"max": -np.inf, "min": np.inf, "avg": 0.0}
    if mode not in fills:
        raise ValueError(f"mode must be one of {sorted(fills)}, got {mode!r}")
    x = np.asarray(x, dtype=np.float64)
    n, c, h, w = x.shape
    # x in the middle of the fill (in the memory order of x, as np.pad keeps it)
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), fills[mode],
                 order="F" if x.flags.fnc else "C")
    xp[:, :, ph:ph + h, pw:pw + w] = x
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError(f"window {(kh, kw)} exceeds padded input {xp.shape[2:]}")
    # each window as a read-only view of xp (no copy), (N, C, out_h, out_w, kh, kw): window
    # (oy, ox) starts sh * oy rows and sw * ox columns in
    s_n, s_c, s_h, s_w = xp.strides
    win = np.ndarray((n, c, (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1, kh, kw),
                     xp.dtype, xp, strides=(s_n, s_c, sh * s_h, sw * s_w, s_h, s_w))
    win.flags.writeable = False
    # window cells to the front: (kh * kw, N, C, out_h, out_w), reduced element-wise (fast)
    cells = win.transpose(4, 5, 0, 1, 2, 3).reshape(kh * kw, *win.shape[:4])
    if mode == "max":
        return cells.max(axis=0)
    if mode == "min":
        return cells.min(axis=0)
    return cells.mean(axis=0)
    ### END SOLUTION


def maxpool_backward(dout, x, size, stride=None, padding=0):
    """Gradient of max pooling with respect to ``x``.

    Each window sends its ``dout`` value to one cell, its maximum.  Tie rule:
    when several cells share the maximum, the first one in row-major order
    (top row first, then left to right) gets all of it, which is what
    ``argmax`` over the flattened window returns.  Overlapping windows (stride
    smaller than the window) add up in the cells they share.
    """
    ### BEGIN SOLUTION
    kh, kw = (size, size) if isinstance(size, int) or np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    if 2 * ph > kh or 2 * pw > kw:  # a whole window could lie in the padding (PyTorch refuses)
        raise ValueError(f"padding {(ph, pw)} is more than half the window {(kh, kw)}: "
                         "at most half the window size is allowed, as in PyTorch")
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    n, c, h, w = x.shape
    hp, wp = h + 2 * ph, w + 2 * pw
    # x in the middle of -inf padding, which never wins (memory order of x, as np.pad)
    xp = np.full((n, c, hp, wp), -np.inf, order="F" if x.flags.fnc else "C")
    xp[:, :, ph:ph + h, pw:pw + w] = x
    if kh > hp or kw > wp:
        raise ValueError(f"window {(kh, kw)} exceeds padded input {(hp, wp)}")
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    s_n, s_c, s_h, s_w = xp.strides  # the windows, a read-only view (see pool2d_forward)
    win = np.ndarray((n, c, oh, ow, kh, kw), xp.dtype, xp,
                     strides=(s_n, s_c, sh * s_h, sw * s_w, s_h, s_w))
    win.flags.writeable = False
    cells = win.transpose(4, 5, 0, 1, 2, 3).reshape(kh * kw, n, c, oh, ow)
    order = np.arange(kh * kw).reshape(kh * kw, 1, 1, 1, 1)  # row-major position in window
    first = np.where(cells == cells.max(axis=0), order, kh * kw).min(axis=0)  # first maximum
    rows = (np.arange(oh) * sh).reshape(oh, 1) + first // kw
    cols = (np.arange(ow) * sw).reshape(1, ow) + first % kw
    flat = (np.arange(n * c).reshape(n, c, 1, 1) * hp + rows) * wp + cols
    dxp = np.bincount(flat.ravel(), weights=dout.ravel(), minlength=n * c * hp * wp)
    return dxp.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w].copy()
    ### END SOLUTION


def avgpool_backward(dout, x_shape, size, stride=None, padding=0):
    """Gradient of average pooling with respect to an input of shape ``x_shape``.

    Each window spreads ``dout / (kh * kw)`` evenly over its cells (padding
    cells included in the count, then cut off); overlapping windows add up.
    """
    ### BEGIN SOLUTION
    kh, kw = (size, size) if isinstance(size, int) or np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    if 2 * ph > kh or 2 * pw > kw:  # a whole window could lie in the padding (PyTorch refuses)
        raise ValueError(f"padding {(ph, pw)} is more than half the window {(kh, kw)}: "
                         "at most half the window size is allowed, as in PyTorch")
    if min(sh, sw) < 1:  # every window would start at the same cell
        raise ValueError(f"stride {(sh, sw)} must be >= 1")
    dout = np.asarray(dout, dtype=np.float64)
    n, c, h, w = x_shape
    hp, wp = h + 2 * ph, w + 2 * pw
    oh, ow = dout.shape[2:]
    share = np.broadcast_to(dout.reshape(n, c, oh, ow, 1, 1) / (kh * kw), (n, c, oh, ow, kh, kw))
    rows = (np.arange(oh) * sh).reshape(oh, 1, 1, 1) + np.arange(kh).reshape(1, 1, kh, 1)
    cols = (np.arange(ow) * sw).reshape(1, ow, 1, 1) + np.arange(kw).reshape(1, 1, 1, kw)
    flat = (np.arange(n * c).reshape(n, c, 1, 1, 1, 1) * hp + rows) * wp + cols
    dxp = np.bincount(flat.ravel(), weights=share.ravel(), minlength=n * c * hp * wp)
    return dxp.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w].copy()
    ### END SOLUTION
