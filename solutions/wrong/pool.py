"""Wrong ways to pool and to send gradients back through pooling (topics in :mod:`solutions.pool`).

The maximum-routing mistakes share one vectorized router that takes the rule
picking a cell in each flattened window, and whether shared cells add up.
"""

from __future__ import annotations

import numpy as np

from solutions import pool
from solutions.wrong.base import Mistake


def _geometry(size, stride, padding):
    kh, kw = (size, size) if isinstance(size, int) or np.ndim(size) == 0 else size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) or np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    return kh, kw, sh, sw, ph, pw


def _route(dout, x, size, stride, padding, pick, accumulate=True):
    """Send each window's gradient to the cell ``pick(flat_windows)`` chooses."""
    kh, kw, sh, sw, ph, pw = _geometry(size, stride, padding)
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    n, c, h, w = x.shape
    hp, wp = h + 2 * ph, w + 2 * pw
    xp = np.full((n, c, hp, wp), -np.inf, order="F" if x.flags.fnc else "C")  # as maxpool_backward
    xp[:, :, ph:ph + h, pw:pw + w] = x
    if kh > hp or kw > wp:
        raise ValueError(f"window {(kh, kw)} exceeds padded input {(hp, wp)}")
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    s_n, s_c, s_h, s_w = xp.strides  # the windows, a read-only view (as in pool.py)
    win = np.ndarray((n, c, oh, ow, kh, kw), xp.dtype, xp,
                     strides=(s_n, s_c, sh * s_h, sw * s_w, s_h, s_w))
    win.flags.writeable = False
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


def _last_max(windows):
    return windows.shape[-1] - 1 - windows[..., ::-1].argmax(axis=-1)


def _min_ignoring_padding(windows):
    return np.where(np.isinf(windows), np.inf, windows).argmin(axis=-1)


def maxpool_grad_to_every_cell(dout, x, size, stride=None, padding=0):
    kh, kw = _geometry(size, stride, padding)[:2]
    return pool.avgpool_backward(dout, np.shape(x), size, stride, padding) * (kh * kw)


def maxpool_grad_spread_evenly(dout, x, size, stride=None, padding=0):
    return pool.avgpool_backward(dout, np.shape(x), size, stride, padding)


def maxpool_grad_to_last_max(dout, x, size, stride=None, padding=0):
    return _route(dout, x, size, stride, padding, _last_max)


def maxpool_grad_to_min(dout, x, size, stride=None, padding=0):
    return _route(dout, x, size, stride, padding, _min_ignoring_padding)


def maxpool_grad_to_top_left(dout, x, size, stride=None, padding=0):
    return _route(dout, x, size, stride, padding, lambda windows: np.zeros(windows.shape[:-1],
                                                                            dtype=np.int64))


def maxpool_overlap_overwritten(dout, x, size, stride=None, padding=0):
    return _route(dout, x, size, stride, padding, lambda windows: windows.argmax(axis=-1),
                  accumulate=False)


def avgpool_grad_not_divided(dout, x_shape, size, stride=None, padding=0):
    kh, kw = _geometry(size, stride, padding)[:2]
    return pool.avgpool_backward(dout, x_shape, size, stride, padding) * (kh * kw)


def avgpool_overlap_overwritten(dout, x_shape, size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw = _geometry(size, stride, padding)
    dout = np.asarray(dout, dtype=np.float64)
    n, c, h, w = x_shape
    dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    oh, ow = dout.shape[2:]
    for i in range(kh):  # kernel offsets; each assignment overwrites what overlapping windows wrote
        for j in range(kw):
            dxp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] = dout / (kh * kw)
    return dxp[:, :, ph:ph + h, pw:pw + w].copy()


def avgpool_last_window_wins(dout, x_shape, size, stride=None, padding=0):
    """The natural loop over output cells, assigning with ``=``: the last window wins."""
    kh, kw, sh, sw, ph, pw = _geometry(size, stride, padding)
    dout = np.asarray(dout, dtype=np.float64)
    n, c, h, w = x_shape
    dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    oh, ow = dout.shape[2:]
    for i in range(oh):
        for j in range(ow):
            share = dout[:, :, i, j, None, None] / (kh * kw)
            dxp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = share
    return dxp[:, :, ph:ph + h, pw:pw + w].copy()


def pool_max_avg_confused(x, size, stride=None, padding=0, mode="max"):
    swapped = {"max": "avg", "avg": "max", "min": "avg"}.get(mode, mode)
    return pool.pool2d_forward(x, size, stride, padding, swapped)


def pool_stride_one(x, size, stride=None, padding=0, mode="max"):
    return pool.pool2d_forward(x, size, 1 if stride is None else stride, padding, mode)


def pool_padded_with_zeros(x, size, stride=None, padding=0, mode="max"):
    ph, pw = (padding, padding) if isinstance(padding, int) or np.ndim(padding) == 0 else padding
    x = np.asarray(x, dtype=np.float64)
    n, c, h, w = x.shape
    padded = np.zeros_like(x, shape=(n, c, h + 2 * ph, w + 2 * pw), order="A")  # as np.pad
    padded[:, :, ph:ph + h, pw:pw + w] = x
    kh, kw = (size, size) if isinstance(size, int) or np.ndim(size) == 0 else size
    return pool.pool2d_forward(padded, size, (kh, kw) if stride is None else stride, 0, mode)


MISTAKES = (
    Mistake("pool_max_avg_confused", "pool2d_forward",
            "Max pooling keeps the largest value of each window; average pooling keeps the "
            "mean; check which one is asked.", pool_max_avg_confused),
    Mistake("pool_stride_one", "pool2d_forward",
            "Without an explicit stride, pooling windows step by their own size and do not "
            "overlap.", pool_stride_one),
    Mistake("pool_padded_with_zeros", "pool2d_forward",
            "Padding must never win a max (or min) pool, so it acts as -inf (or +inf), not 0.",
            pool_padded_with_zeros),
    Mistake("maxpool_grad_to_every_cell", "maxpool_backward",
            "Only the cell that produced a window's maximum influenced the output, so only "
            "it receives the gradient.", maxpool_grad_to_every_cell),
    Mistake("maxpool_grad_spread_evenly", "maxpool_backward",
            "Spreading the gradient evenly is the average-pool backward; max pool sends all "
            "of it to the winner.", maxpool_grad_spread_evenly),
    Mistake("maxpool_grad_to_last_max", "maxpool_backward",
            "When a window's maximum is tied, the rule here gives the gradient to the first "
            "tied cell in row-major order.", maxpool_grad_to_last_max),
    Mistake("maxpool_grad_to_min", "maxpool_backward",
            "The gradient goes to the window's largest value, the one max pooling kept.",
            maxpool_grad_to_min),
    Mistake("maxpool_grad_to_top_left", "maxpool_backward",
            "The gradient goes where the maximum was, wherever in the window it lies, not to "
            "a fixed corner.", maxpool_grad_to_top_left),
    Mistake("maxpool_overlap_overwritten", "maxpool_backward",
            "A cell that wins several overlapping windows collects the sum of their "
            "gradients; use += rather than =.", maxpool_overlap_overwritten),
    Mistake("avgpool_grad_not_divided", "avgpool_backward",
            "Each cell contributes 1 / (kh * kw) of the average, so it receives that share of "
            "the gradient.", avgpool_grad_not_divided),
    Mistake("avgpool_overlap_overwritten", "avgpool_backward",
            "A cell covered by several overlapping windows collects a share from each of them.",
            avgpool_overlap_overwritten),
    Mistake("avgpool_last_window_wins", "avgpool_backward",
            "Where windows overlap, a cell receives a share from every window covering it; "
            "assigning with = keeps only the last window's share, so add with +=.",
            avgpool_last_window_wins),
)

# Inputs that make a mistake visible (the others show on almost any input).
SHOWS_WHEN = {
    "pool_stride_one": "stride is None and size > 1",
    "pool_padded_with_zeros":
        "padding > 0 and a border window's real cells are all negative (max) or all positive (min)",
    "maxpool_grad_to_last_max": "some window's maximum is tied",
    "maxpool_grad_to_top_left": "some window's maximum is not in its top-left cell",
    "maxpool_overlap_overwritten": "stride < size and a cell wins two overlapping windows",
    "avgpool_overlap_overwritten": "stride < size",
    "avgpool_last_window_wins": "stride < size and overlapping windows have different dout",
}
