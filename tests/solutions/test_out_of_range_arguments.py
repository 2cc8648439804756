"""A stride or dilation below 1 is refused by the reference, never answered: its
windows are views computed from the strides, which would otherwise repeat one tap."""

from __future__ import annotations

import numpy as np
import pytest

from solutions import conv, pool

X = np.arange(50.0).reshape(1, 2, 5, 5)
W = np.ones((3, 2, 3, 3))


@pytest.mark.parametrize("arguments", [{"stride": 0}, {"dilation": 0}, {"stride": (1, 0)},
                                       {"dilation": (0, 1)}, {"dilation": -1}])
def test_the_forward_pass_refuses_a_stride_or_dilation_below_one(arguments):
    with pytest.raises(ValueError, match="must be >= 1"):
        conv.conv2d_forward(X, W, **arguments)
    with pytest.raises(ValueError, match="must be >= 1"):
        conv.im2col(X, 3, 3, **arguments)


@pytest.mark.parametrize("arguments", [{"stride": 0}, {"dilation": 0}])
def test_the_backward_pass_gives_no_gradient_for_a_stride_or_dilation_below_one(arguments):
    with pytest.raises((ValueError, ZeroDivisionError)):
        conv.conv2d_backward(np.ones((1, 3, 3, 3)), X, W, **arguments)


def test_average_pooling_backward_refuses_a_stride_below_one():
    with pytest.raises(ValueError, match="must be >= 1"):
        pool.avgpool_backward(np.ones((1, 2, 2, 2)), X.shape, 2, stride=0)
