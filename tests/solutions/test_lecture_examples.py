"""Every numeric worked example of the course notes (/work/shared/seeds/*.txt) as a test.

Where the notes are right, the test asserts their answer.  Where they are wrong,
it asserts our corrected answer and that the notes' claim differs, under a
``# ERRATUM:`` comment; docs/errata.md lists the same cases with explanations.
Seeds: 000 = "Class 5" slides, 001 = "Convolutional Neural Networks" notes,
002 = "Part VII" slides (TinyCNN), 003 = "17-01" notes, 004 = "DSCI 565 Lecture 8".
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solutions import counts
from solutions.activations import relu, softmax
from solutions.conv import conv2d_backward, conv2d_forward, convolve2d_true, im2col
from solutions.pool import maxpool_backward, pool2d_forward
from solutions.sizes import conv_output_size, pool_output_size, same_padding


def grid(rows):
    """A 2-D list as a (1, 1, H, W) float array."""
    return np.array(rows, dtype=float)[None, None]


def xcorr(image, kernel):
    return conv2d_forward(grid(image), grid(kernel))[0, 0].tolist()


def maxpool(image, size=2):
    return pool2d_forward(grid(image), size)[0, 0].tolist()


# --- seed 000: "Class 5" slides ---------------------------------------------------------

def test_seed000_mlp_input_features_of_32x32_and_224x224_rgb_images():
    assert 32 * 32 * 3 == 3_072 and 224 * 224 * 3 == 150_528


def test_seed000_mlp_hidden_layer_counts_leave_out_the_biases_they_call_parameters():
    # ERRATUM: "3,072,000 parameters" and "150,528,000 parameters" count weights only;
    # a dense layer of 1000 neurons also learns 1000 biases.
    assert counts.dense_params(3_072, 1_000) == 3_073_000 != 3_072_000
    assert counts.dense_params(150_528, 1_000) == 150_529_000 != 150_528_000
    assert counts.dense_params(3_072, 1_000, bias=False) == 3_072_000  # what the slide counted


def test_seed000_output_size_examples():
    assert conv_output_size(32, 5, stride=1, padding=0) == 28
    assert conv_output_size(32, 5, stride=1, padding=2) == 32


def test_seed000_mlp_versus_cnn_comparison_mixes_bias_conventions():
    assert counts.conv_params(1, 32, 5) == 832  # 5*5*1*32 + 32, biases included: right
    # ERRATUM: the MLP side "784 x 32 = 25,088 parameters" leaves out the 32 biases that the
    # CNN side includes; counted the same way it is 25,120 (the ratio stays about 30x).
    assert counts.dense_params(784, 32) == 25_120 != 25_088
    assert round(counts.dense_params(784, 32) / counts.conv_params(1, 32, 5)) == 30


def test_seed000_receptive_field_through_conv_pool_conv():
    layers = [(3, 1), (2, 2), (3, 1)]
    assert [counts.receptive_field(layers[:depth]) for depth in range(4)] == [1, 3, 4, 8]


def test_seed000_two_by_two_pooling_keeps_a_quarter_of_the_cells():
    out = pool_output_size(32, 2) ** 2
    assert 1 - out / 32**2 == 0.75
    # Imprecise: "50% size reduction" holds per side only; the number of values drops by 75%.
    assert pool_output_size(32, 2) / 32 == 0.5 and out / 32**2 != 0.5


def test_seed000_example_network_has_127552_parameters():
    assert [counts.conv_params(3, 32, 5), counts.conv_params(32, 64, 5),
            counts.conv_params(64, 128, 3)] == [2_432, 51_264, 73_856]
    assert counts.network_params(counts.CONV_STACK_127552) == 127_552
    sizes = [32]
    for k, stride, padding in [(5, 1, 2), (2, 2, 0), (5, 1, 2), (2, 2, 0), (3, 1, 1)]:
        sizes.append(conv_output_size(sizes[-1], k, stride, padding))
    assert sizes == [32, 32, 16, 16, 8, 8]


# --- seed 001: "Convolutional Neural Networks" notes ------------------------------------

def test_seed001_fully_connected_weights_of_a_32x32_rgb_image():
    assert counts.dense_params(3_072, 100, bias=False) == 307_200


SEED001_IMAGE = [[1, 0, 1, 2], [0, 2, 1, 0], [1, 1, 0, 1], [2, 0, 1, 1]]
SEED001_EDGE = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]


def test_seed001_edge_detector_example_final_output_is_wrong():
    assert xcorr(SEED001_IMAGE, SEED001_EDGE)[0][0] == 0  # step 1 of the notes: right
    # ERRATUM: the notes' final 2x2 output [[0, 3], [2, -1]] fits neither operation: the
    # cross-correlation they compute in step 1 gives [[0, 0], [-1, -1]], and the flipped
    # convolution of their definition gives [[0, 0], [1, 1]].
    assert xcorr(SEED001_IMAGE, SEED001_EDGE) == [[0, 0], [-1, -1]]
    assert convolve2d_true(grid(SEED001_IMAGE), grid(SEED001_EDGE))[0, 0].tolist() == [
        [0, 0], [1, 1]]
    assert xcorr(SEED001_IMAGE, SEED001_EDGE) != [[0, 3], [2, -1]]


def test_seed001_definition_flips_the_kernel_but_the_exercise_answer_does_not():
    image, kernel = [[2, 4, 1], [3, 1, 5], [0, 2, 1]], [[0, 1], [-1, 0]]
    assert xcorr(image, kernel) == [[1, 0], [1, 3]]  # Exercise 2's answer: cross-correlation
    # ERRATUM: section 3.2 defines (I*K)[i,j] = sum I[i-m, j-n] K[m,n], a true (flipped)
    # convolution; by that definition Exercise 2 would be [[-1, 0], [-1, -3]].
    flipped = convolve2d_true(grid(image), grid(kernel))[0, 0].tolist()
    assert flipped == [[-1, 0], [-1, -3]] != [[1, 0], [1, 3]]


def test_seed001_output_size_examples_and_exercise_1():
    assert conv_output_size(6, 3, 1, 0) == 4
    assert conv_output_size(6, 3, 2, 0) == 2  # (6 - 3) / 2 = 1.5, floored, + 1
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(100, 3, stride=2, padding=1) == 50
    assert pool_output_size(14, 2, 2) == 7


def test_seed001_max_and_average_pooling_example():
    image = [[1, 3, 2, 9], [4, 6, 1, 5], [7, 2, 8, 3], [0, 4, 3, 6]]
    assert maxpool(image) == [[6, 9], [7, 8]]
    assert pool2d_forward(grid(image), 2, mode="avg")[0, 0].tolist() == [[3.5, 4.25],
                                                                         [3.25, 5.0]]


def test_seed001_exercise_3_max_pooling():
    assert maxpool([[3, 8, 2, 4], [1, 6, 5, 3], [7, 2, 9, 1], [4, 5, 3, 6]]) == [[8, 5], [7, 9]]


def test_seed001_complete_cnn_example_shapes():
    x, w1 = np.zeros((1, 3, 32, 32)), np.zeros((32, 3, 3, 3))
    a = conv2d_forward(x, w1, padding=1)
    assert a.shape == (1, 32, 32, 32)
    b = pool2d_forward(a, 2)
    assert b.shape == (1, 32, 16, 16)
    c = pool2d_forward(conv2d_forward(b, np.zeros((64, 32, 3, 3)), padding=1), 2)
    assert c.shape == (1, 64, 8, 8) and c.size == 4_096
    assert counts.network_params(counts.CIFAR_STYLE_CNN) == 545_098  # not claimed; for reference


def test_seed001_softmax_example():
    p = softmax([2.0, 1.0, 0.1])
    assert np.exp([2.0, 1.0, 0.1]).sum() == pytest.approx(11.22, abs=0.01)
    assert np.round(p, 2).tolist() == [0.66, 0.24, 0.10]


def test_seed001_one_by_one_convolution_reduces_256_channels_to_64():
    out = conv2d_forward(np.zeros((1, 256, 32, 32)), np.zeros((64, 256, 1, 1)))
    assert out.shape == (1, 64, 32, 32)


def test_seed001_cats_versus_dogs_sizes_need_same_padding():
    side = 128
    for _ in range(3):
        assert conv_output_size(side, 3, 1, same_padding(3)) == side
        side = pool_output_size(side, 2)
    assert (side, side * side * 128) == (16, 32_768)
    assert counts.network_params(counts.CATS_VS_DOGS_CNN) == 16_872_002  # not claimed


def test_seed001_im2col_of_a_3x3_input_with_a_2x2_filter():
    x = np.array([[11, 12, 13], [21, 22, 23], [31, 32, 33]], dtype=float)[None, None]
    assert im2col(x, 2, 2)[0].T.tolist() == [[11, 12, 21, 22], [12, 13, 22, 23],
                                              [21, 22, 31, 32], [22, 23, 32, 33]]


def test_seed001_and_002_famous_network_sizes():
    assert round(counts.network_params(counts.VGG16) / 1e6) == 138
    assert round(counts.network_params(counts.LENET5) / 1e3) == 62  # "60 K" is a round figure
    assert round(counts.network_params(counts.ALEXNET) / 1e6) == 62  # "60 M", likewise


# --- seed 002: "Part VII" slides ----------------------------------------------------------

def test_seed002_fully_connected_counts_in_the_text():
    assert counts.dense_params(784, 100) == 78_500
    assert round(counts.dense_params(150_528, 1_000) / 1e6) == 151  # "150 million"


def test_seed002_table_of_fully_connected_and_conv_weights():
    assert counts.dense_params(28 * 28 * 1, 100) == 78_500
    assert counts.dense_params(64 * 64 * 3, 100) == 1_228_900
    # ERRATUM: the 224x224x3 row says 150,528,100; 150,528 inputs x 100 neurons + 100 biases
    # is 15,052,900 (the slide multiplied by 1000, the width of the previous bullet).
    assert counts.dense_params(224 * 224 * 3, 100) == 15_052_900 != 150_528_100
    assert [counts.conv_params(1, 32, 3), counts.conv_params(3, 32, 3)] == [320, 896]


def test_seed002_cross_correlation_of_a_checkerboard_patch():
    checker = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
    assert xcorr(checker, checker) == [[5]]


def test_seed002_convolution_by_hand_output_at_1_1():
    image = [[2, 0, 1, 3, 0], [1, 1, 2, 0, 1], [0, 3, 1, 1, 2], [1, 0, 2, 3, 1],
             [2, 1, 0, 1, 0]]
    assert xcorr(image, [[1, 0, -1]] * 3)[1][1] == 0


def test_seed002_output_size_examples_and_pause_and_think():
    assert [conv_output_size(5, 3, 1, 0), conv_output_size(5, 3, 1, 1),
            conv_output_size(6, 3, 2, 0)] == [3, 5, 2]
    assert [conv_output_size(8, 3, 1, 0), conv_output_size(8, 3, 1, 1)] == [6, 8]


SEED002_BEFORE_RELU = [[3, -1, 2, -4], [-2, 5, 1, -3], [4, -1, 6, 2], [-5, 3, -2, 1]]


def test_seed002_relu_then_max_pool_example():
    after = relu(SEED002_BEFORE_RELU).tolist()
    assert after == [[3, 0, 2, 0], [0, 5, 1, 0], [4, 0, 6, 2], [0, 3, 0, 1]]
    # The pooling panel's own input has 0 where the ReLU map has 6; pooled as drawn: right.
    assert maxpool([[3, 0, 2, 0], [0, 5, 1, 0], [4, 0, 0, 2], [0, 3, 0, 1]]) == [[5, 2], [4, 2]]
    # ERRATUM: pooling the ReLU output the slide shows just above gives [[5, 2], [4, 6]].
    assert maxpool(after) == [[5, 2], [4, 6]] != [[5, 2], [4, 2]]


def test_seed002_tinycnn_shapes_and_114_parameters():
    feature = conv2d_forward(np.zeros((1, 1, 8, 8)), np.zeros((3, 1, 3, 3)))
    pooled = pool2d_forward(feature, 2)
    assert feature.shape[1:] == (3, 6, 6) and pooled.shape[1:] == (3, 3, 3)
    assert counts.conv_params(1, 3, 3) == 30 and counts.dense_params(27, 3) == 84
    assert counts.network_params(counts.TINY_CNN) == 114
    assert int(100 * 84 / 114) == 73


def test_seed002_max_pool_backward_routes_to_the_winners():
    x = grid([[3, 1, 5, 0], [7, 2, 4, 1], [8, 0, 3, 2], [1, 6, 0, 9]])
    assert pool2d_forward(x, 2)[0, 0].tolist() == [[7, 5], [8, 9]]
    g1, g2, g3, g4 = 1.0, 10.0, 100.0, 1000.0
    dx = maxpool_backward(np.array([[[[g1, g2], [g3, g4]]]]), x, 2)[0, 0]
    assert dx.tolist() == [[0, 0, g2, 0], [g1, 0, 0, 0], [g3, 0, 0, 0], [0, 0, 0, g4]]


def test_seed002_three_class_mlp_count_fits_no_hidden_width():
    # ERRATUM: a 64 -> h -> 3 perceptron has 68h + 3 parameters, and 68h + 3 = 1,242 has no
    # whole-number solution; width 18 (the top of the sweep) gives 1,227, i.e. 10.8x TinyCNN.
    # 1,242 is what 64 -> 18 -> 4 gives without the output biases.
    assert all(counts.network_params(counts.mlp(64, h, 3)) != 1_242 for h in range(1, 100))
    assert counts.network_params(counts.TINY_MLP_WIDTH_18) == 1_227
    assert round(1_227 / 114, 1) == 10.8 != 10.9


def test_seed002_capacity_sweep_ratio_range():
    # ERRATUM: widths 8 to 18 use 4.8x to 10.8x TinyCNN's parameters, not "6-12x".
    ratios = [counts.network_params(counts.mlp(64, h, 3)) / 114 for h in (8, 12, 18)]
    assert [round(r, 1) for r in ratios] == [4.8, 7.2, 10.8]
    assert ratios[0] < 6


def test_seed002_four_class_extension_counts():
    # ERRATUM: a fourth output neuron adds 27 weights and 1 bias to TinyCNN: 142, not 117;
    # the MLPs 64 -> 8 -> 4 and 64 -> 18 -> 4 have 556 and 1,246 parameters, not 555 and 1,221.
    assert counts.network_params(counts.TINY_CNN_FOUR_CLASS) == 142 != 117
    assert counts.network_params(counts.FOUR_CLASS_MLP_WIDTH_8) == 556 != 555
    assert counts.network_params(counts.FOUR_CLASS_MLP_WIDTH_18) == 1_246 != 1_221


# --- seed 003: "17-01" notes --------------------------------------------------------------

def test_seed003_receptive_field_of_stacked_3x3_convolutions_grows_by_two():
    fields = [counts.receptive_field([(3, 1)] * depth) for depth in range(1, 5)]
    assert fields == [3, 5, 7, 9] == [1 + 2 * depth for depth in range(1, 5)]
    # ERRATUM (wording): the notes call this "geometric growth"; a constant +2 per layer is
    # linear (arithmetic) growth, as their own summary says.
    assert len({b - a for a, b in itertools.pairwise(fields)}) == 1


def test_seed003_same_padding_floor_half_k_only_works_for_odd_kernels():
    for k in (1, 3, 5, 7):
        assert conv_output_size(10, k, 1, k // 2) == 10
    # ERRATUM: for an even kernel P = floor(k/2) on both sides grows the output by one;
    # "same" then needs k - 1 cells split unevenly, e.g. (1, 2) for k = 4.
    assert conv_output_size(10, 4, 1, 4 // 2) == 11 != 10
    assert same_padding(4) == (1, 2) and conv_output_size(10, 4, 1, same_padding(4)) == 10


def test_seed003_example_1_resnet_stem_output():
    assert conv_output_size(224, 7, stride=2, padding=3) == 112
    assert conv2d_forward(np.zeros((1, 3, 224, 224)), np.zeros((64, 3, 7, 7)), stride=2,
                          padding=3).shape == (1, 64, 112, 112)


def test_seed003_example_2_one_5x5_versus_two_3x3_layers():
    one = counts.conv_params(64, 64, 5)
    two = 2 * counts.conv_params(64, 64, 3)
    assert (one, counts.conv_params(64, 64, 3), two) == (102_464, 36_928, 73_856)
    assert round(100 * (1 - two / one)) == 28
    assert counts.receptive_field([(3, 1), (3, 1)]) == counts.receptive_field([(5, 1)]) == 5


def test_seed003_example_3_one_dimensional_forward_and_kernel_gradient():
    x, k = np.array([[[[3.0, 4.0, 5.0]]]]), np.array([[[[1.0, 2.0]]]])
    assert conv2d_forward(x, k).ravel().tolist() == [11, 14]
    _, dk, _ = conv2d_backward(np.array([[[[1.0, -1.0]]]]), x, k)
    assert dk.ravel().tolist() == [-1, -1]


def test_seed003_practice_problems_1_to_4():
    assert conv2d_forward(np.zeros((1, 16, 32, 32)), np.zeros((32, 16, 3, 3)),
                          padding=1).shape[1:] == (32, 32, 32)
    assert counts.receptive_field([(3, 1)] * 4) == 9
    x = grid([[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 1, 0], [4, 5, 6, 7]])
    assert pool2d_forward(x, 2)[0, 0].tolist() == [[6, 8], [9, 7]]
    dx = maxpool_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), x, 2)[0, 0]
    assert {tuple(int(i) for i in cell): dx[tuple(cell)] for cell in np.argwhere(dx)} == {
        (1, 1): 1.0, (1, 3): 2.0, (2, 0): 3.0, (3, 3): 4.0}


def test_seed003_problem_5_depthwise_separable_count_and_ratio():
    c, k = 64, 3
    # The notes count one bias vector (on the 1x1 part): C k^2 + C^2 + C.
    assert counts.depthwise_separable_params(c, c, k, depthwise_bias=False) == c * k * k + c * c + c
    assert counts.depthwise_separable_params(c, c, k) == c * k * k + c * c + 2 * c
    weights_ratio = (c * k * k + c * c) / (c * c * k * k)
    assert weights_ratio == pytest.approx(1 / k**2 + 1 / c)
    # Imprecise: "~1/9 for k = 3" holds only for C much larger than 9; at C = 64 it is ~1/7.9.
    assert round(1 / weights_ratio, 1) == 7.9


def test_seed003_summary_rgb_to_64_channel_3x3_layer_has_about_1_8k_parameters():
    assert counts.conv_params(3, 64, 3) == 1_792


# --- seed 004: "DSCI 565 Lecture 8" -------------------------------------------------------

def test_seed004_cross_correlation_example():
    assert xcorr([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]]) == [[19, 25], [37, 43]]


def test_seed004_fully_connected_megapixel_layer_has_a_trillion_weights():
    assert counts.dense_params(1000 * 1000, 1000 * 1000, bias=False) == 10**12


def test_seed004_padding_counts_total_rows_added_and_the_formulas_agree():
    # The slides' p_h is the total padding (both sides), PyTorch's padding p gives p_h = 2p.
    assert conv2d_forward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)),
                          padding=1).shape[2:] == (4, 4) == (3 - 2 + 2 + 1,) * 2
    for n, k, p_total, s in np.ndindex(9, 5, 5, 4):
        if k >= 1 and s >= 1 and n + p_total >= k and n >= 1:
            slide = (n - k + p_total + s) // s
            assert conv_output_size(n, k, s, (p_total // 2, p_total - p_total // 2)) == slide
    assert all(sum(same_padding(k)) == k - 1 for k in range(1, 9))
