"""How one student value is judged against the expected one."""

from types import SimpleNamespace

import numpy as np
import pytest

from grader.grading.compare import check_case, values_match
from grader.model import EXACT, Case, ModeledAnswer, Probe, Tolerance


def outcome(value=None, error=None):
    return SimpleNamespace(value=value, error=error)


def make_case(expected, *, answer_type="integer", public=True, mistakes=(), outputs=(), **kw):
    return Case(
        case_id="c1",
        label="output height",
        points=kw.pop("points", 2.0),
        public=public,
        answer_type=answer_type,
        probe=Probe(kind="call" if outputs else "attribute", name="X", outputs=outputs),
        expected=expected,
        mistakes=tuple(mistakes),
        **kw,
    )


FLOOR = ModeledAnswer("floor_forgotten", "The division was not rounded down.", 112.5)
ONCE = ModeledAnswer("padding_once", "Padding was added on one side only.", 110)


def test_a_correct_integer_earns_full_points():
    result = check_case(make_case(112, mistakes=[ONCE]), outcome(112))
    assert (result.status, result.score) == ("passed", 2.0)


def test_a_wrong_integer_that_matches_a_modeled_mistake_is_named():
    result = check_case(make_case(112, mistakes=[FLOOR, ONCE]), outcome(110))
    assert result.score == 0
    assert result.mistake_id == "padding_once"
    assert "Padding was added on one side only." in result.message


def test_a_wrong_integer_matching_no_mistake_names_none():
    result = check_case(make_case(112, mistakes=[FLOOR, ONCE]), outcome(7))
    assert result.mistake_id is None
    assert "common mistake" not in result.message


def test_a_broadcastable_but_wrong_shape_is_rejected_before_values():
    case = make_case(np.zeros((2, 3)), answer_type="array")
    result = check_case(case, outcome(np.zeros(1)))
    assert result.status == "failed"
    assert "has shape (1,), expected (2, 3)" in result.message


def test_per_element_credit_gives_the_fraction_of_correct_cells():
    expected = np.array([[1, 2], [3, 4]])
    case = make_case(expected, answer_type="matrix", per_element_credit=True, points=4.0)
    result = check_case(case, outcome(np.array([[1, 2], [3, 5]])))
    assert (result.status, result.score) == ("partial", 3.0)
    assert "1 of 4 values wrong" in result.message


def test_without_per_element_credit_a_matrix_is_all_or_nothing():
    case = make_case(np.array([[1, 2], [3, 4]]), answer_type="matrix", points=4.0)
    assert check_case(case, outcome(np.array([[1, 2], [3, 5]]))).score == 0


def test_public_cases_show_got_and_expected():
    result = check_case(make_case(112), outcome(111))
    assert "got:      111" in result.message
    assert "expected: 112" in result.message


def test_hidden_cases_never_reveal_the_expected_value():
    case = make_case(np.array([[10.25, 20.5]]), answer_type="array", public=False)
    result = check_case(case, outcome(np.array([[1.0, 2.0]])))
    assert "10.25" not in result.message and "20.5" not in result.message
    assert result.expected is None
    assert "hidden" in result.message


def test_floats_are_compared_within_the_case_tolerance():
    case = make_case(0.659, answer_type="float", tolerance=Tolerance(rtol=0, atol=0.005))
    assert check_case(case, outcome(0.66)).status == "passed"
    assert check_case(case, outcome(0.67)).status == "failed"


def test_integers_are_exact_by_default():
    assert check_case(make_case(5, tolerance=EXACT), outcome(5.0000001)).status == "failed"


def test_multiple_choice_ignores_case_and_spaces():
    case = make_case("B", answer_type="choice")
    assert check_case(case, outcome(" b ")).status == "passed"
    assert "expected a letter" in check_case(case, outcome(2)).message


def test_code_that_failed_scores_zero_with_the_reason():
    result = check_case(make_case(3), outcome(error="raised ZeroDivisionError"))
    assert (result.status, result.score) == ("error", 0.0)
    assert "ZeroDivisionError" in result.message


def test_backward_pass_credit_is_shared_by_part_and_names_the_wrong_part():
    dx, dw, db = np.ones((1, 1, 3, 3)), np.full((1, 1, 2, 2), 2.0), np.array([4.0])
    flipped_dw = dw[..., ::-1, ::-1] + np.arange(4).reshape(1, 1, 2, 2)
    mistake = ModeledAnswer("dw_flipped", "dw used the flipped kernel.", (dx, flipped_dw, db))
    case = make_case(
        (dx, dw, db),
        answer_type="array",
        outputs=("dx", "dw", "db"),
        points=3.0,
        mistakes=[mistake],
        tolerance=Tolerance(),
    )
    result = check_case(case, outcome((dx, flipped_dw, db)))
    assert result.score == pytest.approx(2.0)
    assert result.message.startswith("output height: dw wrong; dx, db right")
    assert result.mistake_id == "dw_flipped"


def test_a_backward_pass_returning_too_few_parts_fails():
    case = make_case((1.0, 2.0, 3.0), answer_type="array", outputs=("dx", "dw", "db"))
    assert "tuple of 3 values" in check_case(case, outcome((1.0, 2.0))).message


def test_errors_confined_to_the_border_point_at_padding():
    expected = np.zeros((1, 1, 6, 6))
    got = expected.copy()
    got[0, 0, 0, :] = 1
    got[0, 0, :, 5] = 1
    result = check_case(make_case(expected, answer_type="array"), outcome(got))
    assert "border" in result.message and "padding" in result.message


def test_errors_on_every_second_row_point_at_the_stride():
    expected = np.zeros((1, 1, 8, 8))
    got = expected.copy()
    got[0, 0, 2::2, 3:5] = 1
    result = check_case(make_case(expected, answer_type="array"), outcome(got))
    assert "every 2 rows" in result.message


def test_values_match_refuses_broadcasting():
    assert not values_match(np.zeros(1), np.zeros((3, 3)), Tolerance())
    assert values_match(np.zeros((3, 3)), np.zeros((3, 3)), Tolerance())


def test_a_wrong_shape_produced_by_a_modeled_mistake_is_still_named():
    stride_ignored = ModeledAnswer(
        "conv_stride_ignored", "The stride was ignored.", np.ones((4, 4))
    )
    case = make_case(np.ones((2, 2)), answer_type="array", mistakes=[stride_ignored])
    result = check_case(case, outcome(np.ones((4, 4))))
    assert "has shape (4, 4), expected (2, 2)" in result.message
    assert result.mistake_id == "conv_stride_ignored"
