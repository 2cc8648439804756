"""Convolution forward/backward, im2col and friends agree with plain loops on random shapes."""

from __future__ import annotations

import numpy as np
import pytest
from ref_brute_force import conv2d_backward_loops, conv2d_loops

from solutions.conv import (
    conv1x1_forward,
    conv2d_backward,
    conv2d_forward,
    convolve2d_true,
    depthwise_separable_forward,
    im2col,
)


def random_config(rng):
    """A random small convolution: shapes, stride, padding, dilation, groups (window fits)."""
    while True:
        groups = int(rng.choice([1, 1, 2, 3]))
        cg, fg = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        h, w = (int(v) for v in rng.integers(3, 9, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
        if (dilation[0] * (kh - 1) < h + 2 * padding[0]
                and dilation[1] * (kw - 1) < w + 2 * padding[1]):
            break
    x = rng.normal(size=(int(rng.integers(1, 3)), cg * groups, h, w))
    weights = rng.normal(size=(fg * groups, cg, kh, kw))
    return x, weights, rng.normal(size=fg * groups), {
        "stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


@pytest.mark.parametrize("seed", range(40))
def test_conv2d_forward_matches_loops_on_a_random_configuration(seed):
    x, w, b, options = random_config(np.random.default_rng(seed))
    np.testing.assert_allclose(conv2d_forward(x, w, b, **options),
                               conv2d_loops(x, w, b, **options), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_conv2d_backward_matches_loops_on_a_random_configuration(seed):
    rng = np.random.default_rng(1000 + seed)
    x, w, _, options = random_config(rng)
    dout = rng.normal(size=conv2d_loops(x, w, **options).shape)
    for got, want in zip(conv2d_backward(dout, x, w, **options),
                         conv2d_backward_loops(dout, x, w, **options), strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)


def test_conv2d_backward_gives_zero_to_input_cells_that_the_floor_cut_off():
    x, w = np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3))
    dx, _, _ = conv2d_backward(np.ones((1, 1, 2, 2)), x, w, stride=2)
    assert np.all(dx[0, 0, 5, :] == 0) and np.all(dx[0, 0, :, 5] == 0)
    assert dx[0, 0, 2, 2] == 4  # covered by all four windows


@pytest.mark.parametrize("seed", range(10))
def test_convolve2d_true_equals_cross_correlation_with_the_rotated_kernel(seed):
    x, w, b, options = random_config(np.random.default_rng(2000 + seed))
    rotated = w[:, :, ::-1, ::-1]
    np.testing.assert_allclose(convolve2d_true(x, w, b, **options),
                               conv2d_loops(x, rotated, b, **options), atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_im2col_columns_hold_each_receptive_field_in_weight_order(seed):
    rng = np.random.default_rng(3000 + seed)
    x, w, _, options = random_config(rng)
    options.pop("groups")
    f, _, kh, kw = w.shape
    w = rng.normal(size=(f, x.shape[1], kh, kw))
    cols = im2col(x, kh, kw, **options)
    out = conv2d_loops(x, w, **options)
    assert cols.shape == (x.shape[0], x.shape[1] * kh * kw, out.shape[2] * out.shape[3])
    np.testing.assert_allclose(w.reshape(f, -1) @ cols, out.reshape(x.shape[0], f, -1),
                               atol=1e-12)


def test_im2col_of_one_channel_lists_the_patches_in_reading_order():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    assert im2col(x, 2, 2)[0].T.tolist() == [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7],
                                              [4, 5, 7, 8]]


@pytest.mark.parametrize("seed", range(8))
def test_depthwise_separable_forward_is_a_per_channel_conv_then_a_1x1_conv(seed):
    rng = np.random.default_rng(4000 + seed)
    c, f, k = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x = rng.normal(size=(2, c, 7, 6))
    w_depth, w_point = rng.normal(size=(c, 1, k, k)), rng.normal(size=(f, c, 1, 1))
    b_depth, b_point = rng.normal(size=c), rng.normal(size=f)
    stride, padding = int(rng.integers(1, 3)), int(rng.integers(0, 2))
    mid = conv2d_loops(x, w_depth, b_depth, stride, padding, groups=c)
    want = conv2d_loops(mid, w_point, b_point)
    got = depthwise_separable_forward(x, w_depth, w_point, b_depth, b_point, stride, padding)
    np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(conv1x1_forward(mid, w_point, b_point), want, atol=1e-12)


def test_conv2d_forward_accepts_integer_lists_and_returns_float64():
    out = conv2d_forward([[[[1, 2], [3, 4]]]], [[[[1, 0], [0, 1]]]], [1])
    assert out.dtype == np.float64 and out.tolist() == [[[[6.0]]]]


def test_conv2d_forward_names_the_problem_when_channels_do_not_match():
    with pytest.raises(ValueError, match="channels"):
        conv2d_forward(np.zeros((1, 3, 5, 5)), np.zeros((2, 2, 3, 3)))


def test_conv2d_forward_names_the_problem_when_the_window_does_not_fit():
    with pytest.raises(ValueError, match="exceeds"):
        conv2d_forward(np.zeros((1, 1, 2, 5)), np.zeros((1, 1, 3, 3)))
