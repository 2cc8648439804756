"""SciPy as an independent oracle of the reference cross-correlation and convolution."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from solutions.conv import conv2d_forward, convolve2d_true


@pytest.mark.parametrize("seed", range(10))
def test_single_channel_forward_matches_scipy_correlate2d_and_convolve2d(seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=tuple(rng.integers(3, 10, size=2)))
    kernel = rng.normal(size=tuple(rng.integers(1, 4, size=2)))
    x, w = image[None, None], kernel[None, None]
    np.testing.assert_allclose(conv2d_forward(x, w)[0, 0],
                               signal.correlate2d(image, kernel, mode="valid"), atol=1e-12)
    np.testing.assert_allclose(convolve2d_true(x, w)[0, 0],
                               signal.convolve2d(image, kernel, mode="valid"), atol=1e-12)
    np.testing.assert_allclose(conv2d_forward(x, w, padding=(kernel.shape[0] - 1,
                                                            kernel.shape[1] - 1))[0, 0],
                               signal.correlate2d(image, kernel, mode="full"), atol=1e-12)
