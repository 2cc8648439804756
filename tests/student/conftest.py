"""A small real course (real exercises and kinds) released to two students.

The exercises cover every sort of check a student meets: a by-hand integer, a
matrix, a matrix whose shape is part of the answer, a shape tuple, multiple choice,
and an implementation with public cases.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.authoring.course import load_course
from grader.authoring.release import write_release
from grader.authoring.variant import build_assignment_variant

REPO = Path(__file__).resolve().parents[2]
SECRET = b"student-tests-secret"
EXERCISES = ("conv-output-size", "cross-correlation", "cross-correlation-stride-padding",
             "conv-output-shape", "concepts", "impl-conv2d-forward")
COURSE_YML = """\
schema_version: 1
id: student-course
title: Student tests
secret: {env: CNN_GRADER_TEST_SECRET}
roster: roster.csv
assignments:
  - id: hw
    title: Homework
    due: "2026-03-01T23:59:00+00:00"
    exercises:
"""


@pytest.fixture(scope="session")
def course_path(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    (root / "exercises").mkdir()
    for exercise_id in EXERCISES:
        shutil.copy(REPO / "exercises" / f"{exercise_id}.yml", root / "exercises")
    (root / "roster.csv").write_text("student_id,name,email\nada,Ada L,ada@example.org\n"
                                     "bob,Bob K,bob@example.org\n", encoding="utf-8")
    listed = "".join(f"      - {e}\n" for e in EXERCISES)
    (root / "course.yml").write_text(COURSE_YML + listed, encoding="utf-8")
    return root / "course.yml"


@pytest.fixture(scope="session")
def course(course_path):
    return load_course(course_path)


@pytest.fixture(scope="session")
def variant(course):
    """Ada's full variant, as the grader rebuilds it (graded values included)."""
    return build_assignment_variant(course, "hw", "ada", SECRET)


@pytest.fixture(scope="session")
def pristine(course, tmp_path_factory) -> Path:
    """Ada's released folder, untouched (copy it before writing answers)."""
    out = tmp_path_factory.mktemp("release")
    return write_release(course, "hw", course.roster, SECRET, out) / "ada"


@pytest.fixture
def folder(pristine, tmp_path) -> Path:
    """A fresh copy of Ada's release folder for one test to write answers into."""
    return Path(shutil.copytree(pristine, tmp_path / "ada"))


def exercise(variant, exercise_id):
    return next(e for e in variant.exercises if e.exercise_id == exercise_id)


def write_module(folder: Path, variant, exercise_id: str, source: str) -> None:
    (folder / f"{exercise(variant, exercise_id).module}.py").write_text(
        textwrap.dedent(source), encoding="utf-8")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300)
