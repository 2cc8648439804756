"""Output-size formulas agree with counting window positions one by one."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ref_brute_force import output_size_by_counting

from solutions.sizes import (
    conv_output_shape,
    conv_output_size,
    pool_output_size,
    same_padding,
    stride_for_output,
    transposed_conv_output_size,
)


def test_conv_output_size_equals_the_number_of_window_positions_for_every_small_case():
    for n, k, s, before, after, d in itertools.product(
        range(1, 11), range(1, 5), range(1, 4), range(3), range(3), range(1, 3)
    ):
        expected = output_size_by_counting(n, k, s, before, after, d)
        if expected == 0:
            with pytest.raises(ValueError, match="does not fit"):
                conv_output_size(n, k, s, (before, after), d)
        else:
            assert conv_output_size(n, k, s, (before, after), d) == expected
            if before == after:
                assert conv_output_size(n, k, s, before, d) == expected


@pytest.mark.parametrize(
    ("n", "k", "stride", "padding", "dilation", "expected"),
    [(224, 7, 2, 3, 1, 112), (6, 3, 2, 0, 1, 2), (7, 3, 1, 0, 2, 3), (5, 2, 1, (0, 1), 1, 5)],
)
def test_conv_output_size_of_known_cases(n, k, stride, padding, dilation, expected):
    assert conv_output_size(n, k, stride, padding, dilation) == expected


@pytest.mark.parametrize("bad", [{"stride": 0}, {"dilation": 0}, {"padding": -1},
                                 {"padding": (1, 2, 3)}, {"stride": 1.5}])
def test_conv_output_size_rejects_bad_arguments_with_a_value_error(bad):
    with pytest.raises(ValueError):
        conv_output_size(8, 3, **bad)


def test_pool_output_size_uses_the_window_as_the_default_stride():
    assert pool_output_size(8, 2) == 4
    assert pool_output_size(7, 2) == 3
    assert pool_output_size(7, 3, stride=1) == 5
    assert pool_output_size(5, 2, padding=1) == 3


def test_conv_output_shape_reads_height_and_width_separately():
    assert conv_output_shape((2, 6, 9, 12), (8, 3, 3, 5), stride=(2, 1), padding=(1, 2),
                             groups=2) == (2, 8, 5, 12)


def test_conv_output_shape_rejects_channels_that_do_not_match_the_groups():
    with pytest.raises(ValueError, match="channels"):
        conv_output_shape((1, 6, 8, 8), (4, 4, 3, 3), groups=2)
    with pytest.raises(ValueError, match="channels"):
        conv_output_shape((1, 6, 8, 8), (5, 3, 3, 3), groups=2)


def test_same_padding_keeps_the_size_at_stride_one_for_every_kernel_and_dilation():
    for k, d, n in itertools.product(range(1, 8), range(1, 4), (9, 16)):
        before, after = same_padding(k, d)
        assert conv_output_size(n, k, 1, (before, after), d) == n
        assert after - before in (0, 1)


def test_stride_for_output_returns_the_smallest_stride_that_gives_the_size():
    for n, k, p, out in itertools.product(range(3, 12), range(1, 4), range(2), range(1, 8)):
        found = stride_for_output(n, k, p, out)
        matching = [s for s in range(1, 30) if output_size_by_counting(n, k, s, p, p) == out]
        assert found == (matching[0] if matching else None)


def test_transposed_conv_output_size_is_undone_by_the_convolution_size_formula():
    for n, k, s, p, d in itertools.product(range(1, 7), range(1, 5), range(1, 4), range(2),
                                           range(1, 3)):
        for extra in range(s):  # output_padding below the stride picks among the floored sizes
            try:
                size = transposed_conv_output_size(n, k, s, p, extra, d)
            except ValueError:
                continue
            assert conv_output_size(size, k, s, p, d) == n


def test_transposed_conv_output_size_of_a_doubling_layer():
    assert transposed_conv_output_size(16, 4, stride=2, padding=1) == 32
    assert transposed_conv_output_size(7, 3, stride=2, padding=1, output_padding=1) == 14
    with pytest.raises(ValueError, match="output_padding"):
        transposed_conv_output_size(7, 3, stride=2, output_padding=2)


def test_size_functions_accept_numpy_integers_and_return_python_ints():
    size = conv_output_size(np.int64(9), np.int64(3), np.int64(2), np.int64(1))
    assert size == 5 and type(size) is int
    assert conv_output_shape((1, 2, 5, 5), (3, 2, 3, 3), padding=np.array([1, 0])) == (1, 3, 5, 3)
