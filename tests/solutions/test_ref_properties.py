"""Property tests: linearity, translation equivariance, shapes, and numerical gradients."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solutions.conv import conv2d_backward, conv2d_forward, depthwise_separable_forward
from solutions.pool import avgpool_backward, maxpool_backward, pool2d_forward
from solutions.sizes import conv_output_shape, pool_output_size

FAST = settings(max_examples=40, deadline=None)


@st.composite
def conv_cases(draw, max_side=7):
    """Small random convolution setups whose window fits, with a seed for the values."""
    groups = draw(st.sampled_from([1, 1, 2]))
    cg, fg = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), max_side))
    w = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), max_side))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=(draw(st.integers(1, 2)), cg * groups, h, w))
    weights = rng.normal(size=(fg * groups, cg, kh, kw))
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return rng, x, weights, options


def relative_error(a, b):
    """The course's gradient-check measure ``|a - b| / (|a| + |b|)`` (0 when both are 0)."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else np.linalg.norm(a - b) / denominator


def numerical_gradient(loss, value, eps=1e-6):
    """Central differences of ``loss()`` with respect to every entry of ``value`` (in place)."""
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        original = value[index]
        value[index] = original + eps
        plus = loss()
        value[index] = original - eps
        minus = loss()
        value[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@FAST
@given(conv_cases())
def test_conv2d_forward_output_shape_equals_the_size_formula(case):
    _, x, w, options = case
    assert conv2d_forward(x, w, **options).shape == conv_output_shape(x.shape, w.shape, **options)


@FAST
@given(conv_cases(), st.floats(-3, 3), st.floats(-3, 3))
def test_conv2d_forward_is_linear_in_the_input_and_in_the_kernel(case, a, b):
    rng, x, w, options = case
    x2, w2 = rng.normal(size=x.shape), rng.normal(size=w.shape)
    np.testing.assert_allclose(
        conv2d_forward(a * x + b * x2, w, **options),
        a * conv2d_forward(x, w, **options) + b * conv2d_forward(x2, w, **options), atol=1e-9)
    np.testing.assert_allclose(
        conv2d_forward(x, a * w + b * w2, **options),
        a * conv2d_forward(x, w, **options) + b * conv2d_forward(x, w2, **options), atol=1e-9)


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(0, 3), st.integers(0, 3), st.integers(1, 3))
def test_shifting_the_input_shifts_a_stride_one_convolution_output(seed, dy, dx, k):
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(1, 2, 9, 10)), rng.normal(size=(3, 2, k, k)), rng.normal(size=3)
    moved = x[:, :, dy:, dx:]  # the image moved up by dy and left by dx
    np.testing.assert_allclose(conv2d_forward(moved, w, b),
                               conv2d_forward(x, w, b)[:, :, dy:, dx:], atol=1e-12)


@FAST
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(1, 9),
       st.integers(0, 2**32 - 1), st.sampled_from(["max", "avg", "min"]))
def test_pool2d_forward_output_shape_equals_the_size_formula(k, stride, padding, extra, seed,
                                                            mode):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, 2, k + extra, k + extra // 2))
    padding = min(padding, k // 2)
    out = pool2d_forward(x, k, stride, padding, mode)
    assert out.shape[2:] == (pool_output_size(x.shape[2], k, stride, padding),
                             pool_output_size(x.shape[3], k, stride, padding))


@settings(max_examples=15, deadline=None)
@given(conv_cases(max_side=5))
def test_conv2d_backward_matches_central_differences(case):
    rng, x, w, options = case
    b = rng.normal(size=w.shape[0])
    upstream = rng.normal(size=conv2d_forward(x, w, b, **options).shape)

    def loss():
        return float(np.sum(conv2d_forward(x, w, b, **options) * upstream))

    dx, dw, db = conv2d_backward(upstream, x, w, **options)
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert relative_error(dw, numerical_gradient(loss, w)) < 1e-7
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-7


def distinct_values(rng, shape):
    """Values at least 0.01 apart, so a 1e-6 nudge never changes which cell is the maximum."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) - 20) * 0.01


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 3), st.integers(0, 1))
def test_pool_backwards_match_central_differences(seed, k, stride, padding):
    rng = np.random.default_rng(seed)
    padding = min(padding, k // 2)
    x = distinct_values(rng, (2, 2, k + 3, k + 2))
    upstream = rng.normal(size=pool2d_forward(x, k, stride, padding).shape)
    for mode in ("max", "avg"):
        def loss(mode=mode):
            return float(np.sum(pool2d_forward(x, k, stride, padding, mode) * upstream))

        got = (maxpool_backward(upstream, x, k, stride, padding) if mode == "max"
               else avgpool_backward(upstream, x.shape, k, stride, padding))
        assert relative_error(got, numerical_gradient(loss, x)) < 1e-7


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 2))
def test_depthwise_separable_forward_is_linear_in_the_input(seed, k, stride):
    rng = np.random.default_rng(seed)
    x, x2 = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 5))
    w_depth, w_point = rng.normal(size=(3, 1, k, k)), rng.normal(size=(4, 3, 1, 1))
    np.testing.assert_allclose(
        depthwise_separable_forward(2 * x - x2, w_depth, w_point, stride=stride),
        2 * depthwise_separable_forward(x, w_depth, w_point, stride=stride)
        - depthwise_separable_forward(x2, w_depth, w_point, stride=stride), atol=1e-10)
