"""Totals are derived from the checks once and kept on the frozen result: they must
equal the sums, follow ``replace`` and pickling, and never count in equality."""

from __future__ import annotations

import dataclasses
import pickle

from grader.results import CheckResult, ExerciseResult, GradingResult


def _check(score: float, status: str = "passed", mistake: str | None = None) -> CheckResult:
    return CheckResult("C", "label", score, 2.0, status, "m", True, mistake_id=mistake)


def _result(*scores: float, penalty: float = 0.0) -> GradingResult:
    exercise = ExerciseResult("ex", "T", tuple(_check(s) for s in scores))
    other = ExerciseResult("ex2", "T2", (_check(0.5, "grader_error", "off-by-one"),))
    return GradingResult("c", "a1", "s1", (exercise, other), "full", 0.1, late_penalty=penalty)


def test_totals_are_the_sums_of_the_checks_less_the_penalty():
    result = _result(1.0, 2.0, penalty=0.5)
    assert (result.raw_score, result.max_score, result.score) == (3.5, 6.0, 1.75)
    assert result.exercises[0].score == 3.0 and result.grader_error
    assert result.mistakes == ("off-by-one",)


def test_a_replaced_result_has_its_own_totals_not_the_first_ones():
    result = _result(1.0, 2.0)
    assert result.score == 3.5
    changed = dataclasses.replace(result, late_penalty=1.0,
                                  exercises=(dataclasses.replace(result.exercises[0],
                                                                 checks=(_check(2.0),)),))
    assert (changed.raw_score, changed.score, changed.max_score) == (2.0, 0.0, 2.0)
    assert not changed.grader_error and changed.mistakes == ()


def test_totals_asked_before_pickling_or_comparing_change_nothing():
    asked, fresh = _result(1.0), _result(1.0)
    assert asked.score == 1.5
    assert asked == fresh and hash(asked.exercises[0].checks) == hash(fresh.exercises[0].checks)
    again = pickle.loads(pickle.dumps(asked))
    assert again == fresh and again.score == fresh.score == 1.5
    assert dataclasses.astuple(asked) == dataclasses.astuple(fresh)
