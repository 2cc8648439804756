"""A small real course (real exercises, real kinds) in a temporary folder."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from grader.authoring.course import load_course

REPO = Path(__file__).resolve().parents[2]
EXERCISES = (
    "conv-output-size",
    "cross-correlation",
    "concepts",
    "impl-conv2d-forward",
    "impl-conv2d-backward",
    "impl-maxpool-backward",
)
SECRET = "grading-tests-secret-0123456789-ABCDEFGH"


@pytest.fixture(scope="session")
def small_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    (root / "exercises").mkdir()
    for exercise_id in EXERCISES:
        shutil.copy(REPO / "exercises" / f"{exercise_id}.yml", root / "exercises")
    (root / "roster.csv").write_text(
        "student_id,name,email\nada,Ada L,ada@example.org\nbob,Bob K,bob@example.org\n"
        "cy,Cy M,cy@example.org\n",
        encoding="utf-8",
    )
    listed = "\n".join(f"      - {{id: {e}}}" for e in EXERCISES)
    course_yml = (
        textwrap.dedent(
            """\
        schema_version: 1
        id: test-course
        title: Grading tests
        secret: {env: CNN_GRADER_TEST_SECRET}
        roster: roster.csv
        assignments:
          - id: hw
            title: Homework
            due: "2026-03-01T23:59:00+00:00"
            late: {per_day: 0.1, max_days: 3}
            exercises:
        """
        )
        + listed
        + "\n"
    )
    (root / "course.yml").write_text(course_yml, encoding="utf-8")
    return root / "course.yml"


@pytest.fixture
def course(small_course, monkeypatch):
    monkeypatch.setenv("CNN_GRADER_TEST_SECRET", SECRET)
    return load_course(small_course)
