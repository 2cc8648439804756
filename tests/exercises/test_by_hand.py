"""The by_hand kind: answers from reference calls, and the values of modeled mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.kinds import get_kind
from grader.errors import SpecError
from tests.exercises.helpers import make_spec, modeled, rng

SIZE_OPTIONS = {
    "reference": "conv_output_size",
    "arguments": {"n": "n", "k": "k", "stride": "s", "padding": "p"},
    "answers": [{"name": "OUTPUT_SIZE"}],
}


def test_the_expected_answer_is_the_output_size_worked_out_by_hand():
    spec = make_spec("by_hand", SIZE_OPTIONS)
    output = get_kind("by_hand").build(spec, {"n": 224, "k": 7, "s": 2, "p": 3}, rng())
    (case,) = output.cases
    assert case.expected == 112  # floor((224 + 6 - 7) / 2) + 1 = 111 + 1
    assert case.probe.kind == "attribute" and case.probe.name == "OUTPUT_SIZE"
    assert case.points == pytest.approx(2.0)


def test_each_mistake_of_the_topic_is_evaluated_on_the_same_numbers():
    spec = make_spec("by_hand", SIZE_OPTIONS, mistakes=("floor_forgotten", "padding_once"))
    output = get_kind("by_hand").build(spec, {"n": 224, "k": 7, "s": 2, "p": 3}, rng())
    values = modeled(output.cases[0])
    assert set(values) == {"floor_forgotten", "padding_once"}
    assert values["floor_forgotten"] == pytest.approx(223 / 2 + 1)  # the fraction stays
    assert values["padding_once"] == (224 + 3 - 7) // 2 + 1


def test_the_stub_leaves_none_and_the_solution_fills_in_the_answer():
    spec = make_spec("by_hand", SIZE_OPTIONS)
    output = get_kind("by_hand").build(spec, {"n": 6, "k": 3, "s": 1, "p": 0}, rng())
    stub, solution = {}, {}
    exec(output.stub_source, stub)
    exec(output.solution_source, solution)
    assert stub["OUTPUT_SIZE"] is None
    assert solution["OUTPUT_SIZE"] == 4


def test_a_matrix_answer_is_read_from_a_lifted_cross_correlation():
    options = {
        "reference": "conv2d_forward",
        "arguments": {"x": {"param": "x", "lift": 4}, "w": {"param": "w", "lift": 4}},
        "answers": [{"name": "OUTPUT", "type": "matrix", "index": [0, 0]}],
    }
    params = {"x": np.arange(9).reshape(3, 3), "w": np.array([[0, 1], [2, 3]])}
    output = get_kind("by_hand").build(make_spec("by_hand", options), params, rng())
    (case,) = output.cases
    # 0*0 + 1*1 + 3*2 + 4*3 = 19 and so on: the textbook example of a cross-correlation
    np.testing.assert_array_equal(case.expected, [[19, 25], [37, 43]])
    flipped = modeled(case)["kernel_flipped"]
    np.testing.assert_array_equal(flipped, [[0 * 3 + 1 * 2 + 3 * 1 + 4 * 0, 11], [23, 29]])


def test_a_formula_combines_several_calls_and_sees_mistakes_of_either():
    options = {
        "calls": {
            "standard": {"reference": "conv_params",
                         "arguments": {"c_in": 4, "c_out": 8, "kh": 3}},
            "separable": {"reference": "depthwise_separable_params",
                          "arguments": {"c_in": 4, "c_out": 8, "k": 3}},
        },
        "answers": [{"name": "RATIO", "type": "float", "formula": "standard / separable",
                     "atol": 0.01}],
    }
    output = get_kind("by_hand").build(make_spec("by_hand", options), {}, rng())
    (case,) = output.cases
    standard = 8 * 4 * 9 + 8  # 296
    separable = (4 * 9 + 4) + (4 * 8 + 8)  # depthwise with biases, then 1x1 with biases
    assert case.expected == pytest.approx(standard / separable)
    assert case.tolerance.atol == 0.01
    values = modeled(case)
    assert values["conv_bias_forgotten"] == pytest.approx((standard - 8) / separable)
    # forgetting the depthwise step's 4 biases (the pointwise ones are remembered)
    assert values["depthwise_biases_forgotten"] == pytest.approx(standard / (separable - 4))


def test_an_empty_answer_level_mistake_list_diagnoses_nothing_on_that_answer():
    options = {
        "reference": "conv2d_backward",
        "arguments": {"dout": {"param": "d", "lift": 4}, "x": {"param": "x", "lift": 4},
                      "w": {"param": "w", "lift": 4}},
        "answers": [
            {"name": "DK", "type": "matrix", "index": [1, 0, 0],
             "mistakes": ["dw_kernel_flipped"]},
            {"name": "DB", "type": "integer", "index": [2, 0], "mistakes": []},
        ],
    }
    params = {"d": np.array([[1, -1]]), "x": np.array([[3, 4, 5]]), "w": np.array([[1, 2]])}
    output = get_kind("by_hand").build(make_spec("by_hand", options), params, rng())
    dk, db = output.cases
    np.testing.assert_array_equal(dk.expected, [[-1, -1]])  # 3 - 4 and 4 - 5
    assert set(modeled(dk)) == {"dw_kernel_flipped"}
    assert db.expected == 0 and db.mistakes == ()


def test_options_naming_an_unknown_reference_are_reported_with_their_path():
    problems = get_kind("by_hand").check_options(
        {"reference": "conv_outptu_size", "answers": [{"name": "lower"}]})
    paths = [path for path, _ in problems]
    assert "options.reference" in paths
    assert "options.answers[0].name" in paths


def test_a_mistake_the_topic_does_not_model_is_an_author_error():
    spec = make_spec("by_hand", SIZE_OPTIONS, mistakes=("kernel_flipped",))
    with pytest.raises(SpecError, match="kernel_flipped"):
        get_kind("by_hand").build(spec, {"n": 8, "k": 3, "s": 1, "p": 0}, rng())


def test_a_non_integer_reference_answer_for_an_integer_answer_is_an_author_error():
    options = {"reference": "softmax", "arguments": {"z": "z"},
               "answers": [{"name": "P", "type": "integer", "index": [0]}]}
    spec = make_spec("by_hand", options)
    with pytest.raises(SpecError, match="integer"):
        get_kind("by_hand").build(spec, {"z": np.array([1.0, 2.0])}, rng())
