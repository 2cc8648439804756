"""Independent plain-loop implementations used as oracles by the reference tests.

Written straight from the definitions, one output cell at a time, sharing no
code with ``solutions/``.  Slow on purpose; use small shapes.
"""

from __future__ import annotations

import math

import numpy as np


def pair(value):
    return (value, value) if np.ndim(value) == 0 else tuple(value)


def conv2d_loops(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    dh, dw = pair(dilation)
    n, c, h, width = x.shape
    f, cg, kh, kw = w.shape
    padded = np.zeros((n, c, h + 2 * ph, width + 2 * pw))
    padded[:, :, ph:ph + h, pw:pw + width] = x
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, oh, ow))
    per_group = f // groups
    for s in range(n):
        for k in range(f):
            first = (k // per_group) * cg
            for y in range(oh):
                for z in range(ow):
                    total = 0.0 if b is None else b[k]
                    for ch in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                total += w[k, ch, i, j] * padded[
                                    s, first + ch, y * sh + i * dh, z * sw + j * dw]
                    out[s, k, y, z] = total
    return out


def conv2d_backward_loops(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    """Chain rule cell by cell: each output cell passes its gradient to the inputs it read."""
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    dh, dw_ = pair(dilation)
    n, c, h, width = x.shape
    f, cg, kh, kw = w.shape
    padded = np.zeros((n, c, h + 2 * ph, width + 2 * pw))
    padded[:, :, ph:ph + h, pw:pw + width] = x
    dpadded = np.zeros_like(padded)
    dw = np.zeros_like(w, dtype=float)
    per_group = f // groups
    for s in range(n):
        for k in range(f):
            first = (k // per_group) * cg
            for y in range(dout.shape[2]):
                for z in range(dout.shape[3]):
                    g = dout[s, k, y, z]
                    for ch in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                row, col = y * sh + i * dh, z * sw + j * dw_
                                dw[k, ch, i, j] += g * padded[s, first + ch, row, col]
                                dpadded[s, first + ch, row, col] += g * w[k, ch, i, j]
    db = np.array([dout[:, k].sum() for k in range(f)])
    return dpadded[:, :, ph:ph + h, pw:pw + width], dw, db


def pool_loops(x, size, stride=None, padding=0, mode="max"):
    kh, kw = pair(size)
    sh, sw = pair((kh, kw) if stride is None else stride)
    ph, pw = pair(padding)
    n, c, h, width = x.shape
    oh = (h + 2 * ph - kh) // sh + 1
    ow = (width + 2 * pw - kw) // sw + 1
    out = np.zeros((n, c, oh, ow))
    for s in range(n):
        for ch in range(c):
            for y in range(oh):
                for z in range(ow):
                    cells = []
                    for i in range(kh):
                        for j in range(kw):
                            row, col = y * sh + i - ph, z * sw + j - pw
                            inside = 0 <= row < h and 0 <= col < width
                            cells.append(x[s, ch, row, col] if inside else None)
                    real = [v for v in cells if v is not None]
                    if mode == "max":
                        out[s, ch, y, z] = max(real)
                    elif mode == "min":
                        out[s, ch, y, z] = min(real)
                    else:
                        out[s, ch, y, z] = sum(real) / (kh * kw)
    return out


def maxpool_backward_loops(dout, x, size, stride=None, padding=0):
    """Route each window's gradient to its first maximum in reading order."""
    kh, kw = pair(size)
    sh, sw = pair((kh, kw) if stride is None else stride)
    ph, pw = pair(padding)
    n, c, h, width = x.shape
    dx = np.zeros(x.shape)
    for s in range(n):
        for ch in range(c):
            for y in range(dout.shape[2]):
                for z in range(dout.shape[3]):
                    best, where = -math.inf, None
                    for i in range(kh):
                        for j in range(kw):
                            row, col = y * sh + i - ph, z * sw + j - pw
                            if 0 <= row < h and 0 <= col < width and x[s, ch, row, col] > best:
                                best, where = x[s, ch, row, col], (row, col)
                    dx[s, ch, where[0], where[1]] += dout[s, ch, y, z]
    return dx


def avgpool_backward_loops(dout, x_shape, size, stride=None, padding=0):
    kh, kw = pair(size)
    sh, sw = pair((kh, kw) if stride is None else stride)
    ph, pw = pair(padding)
    n, c, h, width = x_shape
    dx = np.zeros(x_shape)
    for s in range(n):
        for ch in range(c):
            for y in range(dout.shape[2]):
                for z in range(dout.shape[3]):
                    for i in range(kh):
                        for j in range(kw):
                            row, col = y * sh + i - ph, z * sw + j - pw
                            if 0 <= row < h and 0 <= col < width:
                                dx[s, ch, row, col] += dout[s, ch, y, z] / (kh * kw)
    return dx


def output_size_by_counting(n, k, stride=1, before=0, after=0, dilation=1):
    """Count window positions one by one: start at 0 and step while the window fits."""
    span = dilation * (k - 1) + 1
    count, start = 0, 0
    while start + span <= n + before + after:
        count += 1
        start += stride
    return count
