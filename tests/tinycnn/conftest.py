"""The demo course's a4-tinycnn for one student, and a warm sandbox shared by the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
SECRET = b"tinycnn-tests-secret"


@pytest.fixture(scope="session")
def course():
    return load_course(REPO / "course.yml")


@pytest.fixture(scope="session")
def variant(course):
    return build_assignment_variant(course, "a4-tinycnn", "s2026001", SECRET)


@pytest.fixture(scope="session")
def solutions(variant):
    """The reference submission: every module as a correct student would write it."""
    return {f"{e.module}.py": e.solution_source.encode() for e in variant.exercises}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def exercise(variant, exercise_id):
    return next(e for e in variant.exercises if e.exercise_id == exercise_id)
