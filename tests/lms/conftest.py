"""The demo course's quiz assignments, built once per test session."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.cli.lms import quiz_source
from grader.exports.lms_common import QUIZ_KINDS
from grader.grading.compare import check_case
from grader.sandbox import ProbeOutcome

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"lms-test-secret"
VARIANTS = 10  # as many as `cnn-grader export` writes by default


@functools.cache
def demo_source(assignment_id: str, variants: int = VARIANTS):
    course = load_course(ROOT / "course.yml")
    return quiz_source(course=course, assignment_id=assignment_id, secret=SECRET,
                       variants=variants)


def quiz_assignments() -> tuple[str, ...]:
    """Every assignment of the demo course with an exercise a quiz can hold."""
    course = load_course(ROOT / "course.yml")
    return tuple(a.assignment_id for a in course.assignments
                 if any(course.exercises[x.exercise_id].kind in QUIZ_KINDS for x in a.exercises))


QUIZ_ASSIGNMENTS = quiz_assignments()


@pytest.fixture(params=QUIZ_ASSIGNMENTS)
def source(request):
    return demo_source(request.param)


def grader_verdict(case, value):
    """What our grader says when a student answers ``value`` for ``case``."""
    return check_case(case, ProbeOutcome(value=value, error=None))


def cells(value) -> list:
    """The values a student types into an LMS, one per field, in reading order."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return [value]
    return [float(v) for v in np.asarray(value, dtype=np.float64).ravel()]


def wrong_number(case, rng) -> object:
    """A value our grader calls wrong without naming a mistake (one cell changed)."""
    expected = np.asarray(case.expected, dtype=np.float64)
    for _ in range(100):
        candidate = expected.copy()
        index = tuple(int(rng.integers(n)) for n in expected.shape)
        candidate[index] += float(rng.choice([-1, 1]) * rng.integers(7, 500)) + 0.5
        value = float(candidate) if expected.ndim == 0 else candidate
        verdict = grader_verdict(case, value)
        if verdict.status != "passed" and verdict.mistake_id is None:
            return value
    raise AssertionError(f"no wrong value found for {case.case_id}")
