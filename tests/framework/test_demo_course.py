"""The demo course in the repository: valid, and every student gets other numbers."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.authoring.release import write_release
from grader.authoring.variant import build_assignment_variant
from grader.cli.instructor import validate_course

REPO = Path(__file__).resolve().parents[2]
DEMO_SECRET = b"demo-course-test-secret"


@pytest.fixture(scope="module")
def course():
    return load_course(REPO / "course.yml")


def fingerprint(variant) -> str:
    """Everything a student is given to work with, as one comparable string."""
    def plain(value):
        return value.tolist() if isinstance(value, np.ndarray) else value
    return json.dumps([[e.exercise_id, {k: plain(v) for k, v in e.params.items()},
                        e.prompt_markdown] for e in variant.exercises], default=str)


def test_the_demo_course_validates(course):
    summary = validate_course(course_path=REPO / "course.yml")
    assert "is valid" in summary
    assert len(course.assignments) >= 3
    assert len(course.exercises) >= 24
    assert len(course.roster) >= 6


def test_every_exercise_of_the_catalogue_is_assigned_once(course):
    assigned = [e.exercise_id for a in course.assignments for e in a.exercises]
    assert sorted(assigned) == sorted(course.exercises)


def test_every_demo_student_gets_different_numbers_in_every_assignment(course):
    for assignment in course.assignments:
        prints = {fingerprint(build_assignment_variant(course, assignment.assignment_id,
                                                       s.student_id, DEMO_SECRET))
                  for s in course.roster}
        assert len(prints) == len(course.roster), assignment.assignment_id


def test_the_demo_release_passes_its_own_public_tests_with_the_solutions(course, tmp_path,
                                                                         monkeypatch):
    release = write_release(course, "a1-sizes-and-counts", course.roster[:1], DEMO_SECRET,
                            tmp_path)
    student = course.roster[0].student_id
    folder = release / student
    variant = build_assignment_variant(course, "a1-sizes-and-counts", student, DEMO_SECRET)
    for exercise in variant.exercises:
        (folder / f"{exercise.module}.py").write_text(exercise.solution_source)
    monkeypatch.syspath_prepend(str(folder))
    for name in ("test_public", *(e.module for e in variant.exercises)):
        monkeypatch.delitem(sys.modules, name, raising=False)
    public = importlib.import_module("test_public")
    for case in public.load_cases():
        module = importlib.import_module(case["module"])
        assert public.run_case(case, vars(module)) is None, case["label"]
