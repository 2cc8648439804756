"""The notes' promise, for every student: the reference trains to >= 99% within the limit."""

from __future__ import annotations

import time

import pytest

from grader.authoring.kinds import get_kind
from grader.authoring.variant import build_exercise_variant
from grader.grading.metric import check_metric_case
from grader.sandbox import Limits
from tests.tinycnn.conftest import SECRET

STUDENTS = [f"student-{i:02d}" for i in range(20)]


@pytest.fixture(scope="module")
def train_spec(course):
    return course.exercises["tinycnn-train"]


@pytest.mark.parametrize("student", STUDENTS)
def test_reference_reaches_99_percent_on_the_hidden_test_set_within_the_cpu_limit(
        train_spec, student):
    built = build_exercise_variant(train_spec, secret=SECRET, points=10.0,
                                   kind=get_kind("metric"),
                                   path=("cnn-2026", "a4-tinycnn", "tinycnn-train", student))
    (case,) = built.cases
    namespace = {}
    exec(compile(built.solution_source, "tinycnn_train.py", "exec"), namespace)
    started = time.process_time()
    params = namespace["tinycnn_train"](**dict(case.probe.inputs))
    spent = time.process_time() - started
    verdict = check_metric_case(case, tuple(params))
    assert verdict.status == "passed", verdict.message
    assert spent < Limits().cpu_seconds / 2, f"training took {spent:.1f} s of CPU"
