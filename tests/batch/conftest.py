"""A small real course (exercises from the repository) and synthetic submissions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from grader.authoring.variant import build_assignment_variant, load_course
from grader.cli.demo_submissions import PROFILES
from grader.grading.batch import grade_batch

REPO = Path(__file__).resolve().parents[2]
SECRET = b"batch-test-secret-0123456789-ABCDEFGH"
SECRET_ENV = "CNN_GRADER_BATCH_TEST_SECRET"  # where the test course says its secret is
ASSIGNMENT = "a1"
EXERCISES = ("conv-output-size", "pool-output-size")
# student id -> profile of grader.cli.demo_submissions
CLASS = {
    "ada": "reference", "bo": "reference", "cy": "blank", "di": "blank",
    "ed": "mistaken", "flo": "mistaken", "gus": "half-right", "hal": "malicious",
}

COURSE_YML = """\
schema_version: 1
id: batch-test
title: Batch test course
secret: {{env: {secret_env}}}
exercises: {exercises}
assignments:
  - id: a1
    title: Sizes and a function
    due: 2026-10-05T23:59:00+00:00
    late: {{per_day: 0.25, max_days: 3}}
    exercises: [{assigned}]
"""


def write_course(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "course.yml"
    path.write_text(COURSE_YML.format(exercises=REPO / "exercises", secret_env=SECRET_ENV,
                                      assigned=", ".join(EXERCISES)))
    return path


def write_submissions(course, folder: Path, profiles: dict[str, str]) -> Path:
    """One folder per student with the files of its profile."""
    for student_id, profile in profiles.items():
        variant = build_assignment_variant(course, ASSIGNMENT, student_id, SECRET)
        student = folder / student_id
        student.mkdir(parents=True, exist_ok=True)
        for name, data in PROFILES[profile](variant).items():
            (student / name).write_bytes(data)
    return folder


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Content hash and modification time of every file below ``folder``."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def course_path(tmp_path_factory) -> Path:
    return write_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def course(course_path):
    return load_course(course_path)


@pytest.fixture(scope="session")
def class_submissions(course, tmp_path_factory) -> Path:
    return write_submissions(course, tmp_path_factory.mktemp("class"), CLASS)


@pytest.fixture(scope="session")
def graded_locally(course, class_submissions, tmp_path_factory):
    """The class graded once by the local executor: (summary, gradebook path, files before)."""
    before = snapshot(class_submissions)
    gradebook = tmp_path_factory.mktemp("local") / "gradebook.db"
    summary = grade_batch(
        course=course, assignment_id=ASSIGNMENT, submissions_dir=class_submissions,
        secret=SECRET, gradebook_path=gradebook, workers=2, progress=False,
    )
    return summary, gradebook, before
