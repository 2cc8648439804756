"""The notes' promise, for every student: the reference trains to >= 99% on the hidden set.

That the reference also trains inside the real sandbox under its real CPU limit is
`test_grading.test_the_reference_submission_scores_full_marks`; how much of the limit
it uses is a measurement, in `bench/bench_tinycnn.py` (a timed assertion here failed
on a slower machine without anything being wrong).
"""

from __future__ import annotations

import pytest

from grader.authoring.kinds import get_kind
from grader.authoring.variant import build_exercise_variant
from grader.grading.metric import check_metric_case
from tests.tinycnn.conftest import SECRET

STUDENTS = [f"student-{i:02d}" for i in range(20)]


@pytest.fixture(scope="module")
def train_spec(course):
    return course.exercises["tinycnn-train"]


@pytest.mark.parametrize("student", STUDENTS)
def test_reference_reaches_99_percent_on_the_hidden_test_set(train_spec, student):
    built = build_exercise_variant(train_spec, secret=SECRET, points=10.0,
                                   kind=get_kind("metric"),
                                   path=("cnn-2026", "a4-tinycnn", "tinycnn-train", student))
    (case,) = built.cases
    namespace = {}
    exec(compile(built.solution_source, "tinycnn_train.py", "exec"), namespace)
    params = namespace["tinycnn_train"](**dict(case.probe.inputs))
    verdict = check_metric_case(case, tuple(params))
    assert verdict.status == "passed", verdict.message
