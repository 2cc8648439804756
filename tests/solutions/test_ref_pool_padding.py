"""Pooling refuses padding of more than half the window, exactly where PyTorch does."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solutions.mistakes import MISTAKES
from solutions.pool import avgpool_backward, maxpool_backward, pool2d_forward
from solutions.sizes import pool_output_size

torch = pytest.importorskip("torch")
F = torch.nn.functional

SETTINGS = [((kh, kw), (ph, pw)) for kh, kw, ph, pw in itertools.product(
    (1, 2, 3, 4), (2, 3), (0, 1, 2), (0, 1, 2))]


def torch_refuses(size, padding, mode):
    x = torch.zeros((1, 1, 8, 8), dtype=torch.float64)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    try:
        pool(x, size, 1, padding)
    except RuntimeError:
        return True
    return False


def refuses(call):
    try:
        call()
    except ValueError as error:
        assert "more than half the window" in str(error)
        return True
    return False


@pytest.mark.parametrize(("size", "padding"), SETTINGS)
def test_forward_and_backward_refuse_the_settings_torch_refuses(size, padding):
    x = np.zeros((1, 1, 8, 8))
    for mode in ("max", "avg", "min"):
        torch_mode = "avg" if mode == "avg" else "max"
        assert refuses(lambda m=mode: pool2d_forward(x, size, 1, padding, m)) == torch_refuses(
            size, padding, torch_mode), (size, padding, mode)
    expected = torch_refuses(size, padding, "max")
    if not expected:
        dout = np.ones(pool2d_forward(x, size, 1, padding).shape)
    else:
        dout = np.ones((1, 1, 8, 8))
    assert refuses(lambda: maxpool_backward(dout, x, size, 1, padding)) == expected
    assert refuses(lambda: avgpool_backward(dout, x.shape, size, 1, padding)) == expected


@pytest.mark.parametrize(("k", "padding"), list(itertools.product((1, 2, 3, 4), (0, 1, 2, 3))))
def test_pool_output_size_refuses_like_torch(k, padding):
    expected = torch_refuses((k, k), (padding, padding), "max")
    assert refuses(lambda: pool_output_size(9, k, 1, padding)) == expected


def test_a_window_wholly_in_the_padding_no_longer_yields_minus_infinity():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    with pytest.raises(ValueError, match=r"padding \(2, 2\) is more than half the window"):
        pool2d_forward(x, 2, 2, 2)


def test_the_avgpool_loop_assigning_with_equals_keeps_the_last_window():
    # windows of width 2, stride 1 over 3 cells: the middle cell is in both windows
    dout = np.array([[[[2.0, 6.0]]]])
    wrong = MISTAKES["avgpool_last_window_wins"].fn(dout, (1, 1, 1, 3), (1, 2), 1)
    first_wins = MISTAKES["avgpool_overlap_overwritten"].fn(dout, (1, 1, 1, 3), (1, 2), 1)
    right = avgpool_backward(dout, (1, 1, 1, 3), (1, 2), 1)
    assert wrong.ravel().tolist() == [1.0, 3.0, 3.0]
    assert first_wins.ravel().tolist() == [1.0, 1.0, 3.0]
    assert right.ravel().tolist() == [1.0, 4.0, 3.0]
