"""Pooling forward/backward agree with plain loops; ties and overlaps follow the stated rules."""

from __future__ import annotations

import numpy as np
import pytest
from ref_brute_force import avgpool_backward_loops, maxpool_backward_loops, pool_loops

from solutions.pool import avgpool_backward, maxpool_backward, pool2d_forward


def random_pool(rng):
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = None if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(1, 4, size=2))
    padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
    h, w = int(rng.integers(kh, 9)), int(rng.integers(kw, 9))
    x = rng.normal(size=(int(rng.integers(1, 3)), int(rng.integers(1, 3)), h, w))
    return x, {"size": (kh, kw), "stride": stride, "padding": padding}


@pytest.mark.parametrize("mode", ["max", "avg", "min"])
@pytest.mark.parametrize("seed", range(20))
def test_pool2d_forward_matches_loops(seed, mode):
    x, options = random_pool(np.random.default_rng(seed))
    np.testing.assert_allclose(pool2d_forward(x, mode=mode, **options),
                               pool_loops(x, mode=mode, **options), atol=1e-12)


@pytest.mark.parametrize("seed", range(30))
def test_pool_backwards_match_loops(seed):
    rng = np.random.default_rng(500 + seed)
    x, options = random_pool(rng)
    x = np.round(x, 1)  # many ties, to exercise the first-maximum rule
    dout = rng.normal(size=pool_loops(x, **options).shape)
    np.testing.assert_allclose(maxpool_backward(dout, x, **options),
                               maxpool_backward_loops(dout, x, **options), atol=1e-12)
    np.testing.assert_allclose(avgpool_backward(dout, x.shape, **options),
                               avgpool_backward_loops(dout, x.shape, **options), atol=1e-12)


def test_maxpool_backward_sends_a_tied_window_gradient_to_the_first_cell_in_reading_order():
    x = np.array([[[[1.0, 5.0], [5.0, 5.0]]]])
    assert maxpool_backward(np.array([[[[3.0]]]]), x, 2).tolist() == [[[[0, 3], [0, 0]]]]


def test_maxpool_backward_adds_up_where_overlapping_windows_share_a_winner():
    x = np.array([[[[0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]])
    dx = maxpool_backward(np.array([[[[1.0, 2.0]]]]), x, 2, stride=1)
    assert dx.tolist() == [[[[0, 3, 0], [0, 0, 0]]]]


def test_avgpool_counts_padding_cells_in_the_divisor():
    out = pool2d_forward(np.ones((1, 1, 2, 2)), 2, stride=2, padding=1, mode="avg")
    assert out.tolist() == [[[[0.25, 0.25], [0.25, 0.25]]]]


def test_max_pooling_never_picks_a_padding_cell():
    x = -np.ones((1, 1, 3, 3))
    assert np.all(pool2d_forward(x, 3, stride=1, padding=1) == -1)


def test_pool2d_forward_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        pool2d_forward(np.zeros((1, 1, 4, 4)), 2, mode="median")
