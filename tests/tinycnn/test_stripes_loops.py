"""The vectorised stripes generator equals a plain per-image, per-pixel loop, bit for bit.

``make_stripes`` builds every clean image at once and reads the noise integers with a
strided view; the oracle here is the construction of the module docstring written
out with Python integers (``int.from_bytes`` of each 3-byte group, sums in Python),
so any difference in a mask boundary or a noise term shows up as a byte that differs.
The ``v2`` stream (SHAKE-128, one byte a noise uniform) has its own oracle, written from
its docstring as the sum of the uniforms ``(2k + 1) / 512`` minus 6.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from solutions.stripes import make_stripes


def _raw(seed: int | bytes, label: str, size: int, stream: str = "v1") -> bytes:
    key = b"bytes:" + seed if isinstance(seed, bytes) else b"int:" + str(seed).encode()
    shake = hashlib.shake_256 if stream == "v1" else hashlib.shake_128
    return shake(b"cnn-grader/stripes/" + stream.encode() + b"/" + label.encode() + b"/"
                 + key).digest(size)


def _integers(seed: int | bytes, label: str, count: int, stream: str = "v1") -> list[int]:
    raw = _raw(seed, label, 3 * count, stream)
    return [int.from_bytes(raw[3 * i:3 * i + 3], "little") for i in range(count)]


def _lit(label: int, draws: list[int], size: int, i: int, j: int) -> bool:
    """Whether pixel ``(i, j)`` of the clean image is a one, per the docstring's rules."""
    width = 1 + draws[0] % 2
    if label in (0, 1):
        start = draws[1] % (size - width + 1)
        return start <= (j if label == 0 else i) < start + width
    if label == 2:
        offset = -2 - width + 1 + draws[1] % (4 + width)
        return 0 <= (i - j) - offset < width
    low = size // 2 - 2
    top, left = low + draws[1] % (5 - width), low + draws[3] % (5 - width)
    return top <= i < top + width and left <= j < left + width


def _images_by_loops(n: int, noise: float, classes: int, size: int, layout: list[int],
                     gauss_of) -> np.ndarray:
    """Every pixel in turn: the clean stripe plus ``noise`` times its 12-term variate."""
    x = np.zeros((n, 1, size, size))
    for k in range(n):
        for i in range(size):
            for j in range(size):
                gauss = gauss_of(12 * ((k * size + i) * size + j))
                clean = 1.0 if _lit(k % classes, layout[4 * k:4 * k + 4], size, i, j) else 0.0
                x[k, 0, i, j] = clean + noise * gauss
    return x


def stripes_by_loops(n: int, seed: int | bytes, noise: float, classes: int,
                     size: int) -> np.ndarray:
    ticks = _integers(seed, "noise", n * size * size * 12)
    return _images_by_loops(
        n, noise, classes, size, _integers(seed, "layout", 4 * n),
        lambda first: (sum(ticks[first:first + 12]) - 12 * 2**23) * (1.0 / 2**24))


def stripes_v2_by_loops(n: int, seed: int | bytes, noise: float, classes: int,
                        size: int) -> np.ndarray:
    ticks = _raw(seed, "noise", n * size * size * 12, "v2")
    # each term a multiple of 1/512 below 1: every partial sum is exact
    return _images_by_loops(
        n, noise, classes, size, _integers(seed, "layout", 4 * n, "v2"),
        lambda first: sum((2 * t + 1) / 512 for t in ticks[first:first + 12]) - 6.0)


CASES = pytest.mark.parametrize(("n", "seed", "classes", "size", "noise"), [
    (1, 0, 3, 8, 0.2), (7, 2026, 3, 8, 0.2), (40, b"seed", 4, 8, 0.3),
    (25, 2**62 + 11, 3, 5, 0.0), (30, 9, 4, 11, 0.2), (12, 3, 4, 4, 1.0),
    (300, 5, 3, 8, 0.2),  # 19,200 pixels: more than one chunk of noise sums, the last partial
])


@CASES
def test_images_equal_the_loops_of_the_docstring(n, seed, classes, size, noise):
    x, y = make_stripes(n, seed, noise=noise, classes=classes, size=size)
    expected = stripes_by_loops(n, seed, noise, classes, size)
    assert x.dtype == np.float64 and x.shape == expected.shape
    assert x.tobytes() == expected.tobytes()
    assert y.tolist() == [k % classes for k in range(n)]


@CASES
def test_v2_images_equal_the_loops_of_the_docstring(n, seed, classes, size, noise):
    x, y = make_stripes(n, seed, noise=noise, classes=classes, size=size, stream="v2")
    expected = stripes_v2_by_loops(n, seed, noise, classes, size)
    assert x.dtype == np.float64 and x.shape == expected.shape
    assert x.tobytes() == expected.tobytes()
    assert y.tolist() == [k % classes for k in range(n)]
