"""End to end through the real nbgrader CLI with the hand-made toy variants.

One course, five students, one autograde run: the reference earns everything, a
blank copy nothing, a modeled mistake partial marks with the mistake named in the
feedback; tampering with locked cells or with one's own numbers gains nothing, and
another student's correct notebook is not correct for you.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.nbgrader.course import export_course, release_students, student_release_dir
from grader.nbgrader.notebook import with_module_sources
from tests.nbgrader.nbgrader_cli import exported_scores, nbgrader, nbgrader_available
from tests.nbgrader.toy import ASSIGNMENT, FLOOR_FORGOTTEN, numbers, toy_variant

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.slow,
    pytest.mark.skipif(not nbgrader_available(), reason="nbgrader is not installed"),
]

STUDENTS = ("alice", "bob", "carol", "dave", "erin")


def _released(course_dir: Path, student: str) -> dict:
    path = student_release_dir(course_dir, ASSIGNMENT, student) / f"{ASSIGNMENT}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def _solutions(student: str) -> dict[str, str]:
    return {ex.module: ex.solution_source for ex in toy_variant(student).exercises}


def _with_floor_forgotten(student: str) -> dict[str, str]:
    n, k, s = numbers(student)
    sources = _solutions(student)
    sources["output_size"] = f"OUT_H = {(n - k) / s + 1}\nOUT_W = {(n + 1 - k) // s + 1}\n"
    return sources


def _tampered(notebook: dict) -> dict:
    """Wrong answers, a rewritten test cell, and a prompt with easier numbers."""
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("tests_"):
            cell["source"] = "_score = 3.0\n_score"
        if cell.get("metadata", {}).get("cnn_grader", {}).get("role") == "prompt":
            cell["source"] = "An input of 5×5 pixels, kernel 3, stride 2."
    return with_module_sources(notebook, {"output_size": "OUT_H = 2\nOUT_W = 2\n"})


def _submit(course_dir: Path, student: str, notebook: dict) -> None:
    folder = course_dir / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course_dir = tmp_path_factory.mktemp("nbgrader-toy")
    export_course(course_dir=course_dir, assignment_id=ASSIGNMENT, variant_for=toy_variant)
    (course_dir / "students.csv").write_text("id\n" + "\n".join(STUDENTS) + "\n")
    nbgrader(course_dir, "db", "student", "import", "students.csv")
    nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")
    release_students(course_dir=course_dir, assignment_id=ASSIGNMENT, students=STUDENTS,
                     variant_for=toy_variant)
    notebooks = {student: _released(course_dir, student) for student in STUDENTS}
    _submit(course_dir, "alice", with_module_sources(notebooks["alice"], _solutions("alice")))
    _submit(course_dir, "bob", notebooks["bob"])
    _submit(course_dir, "carol",
            with_module_sources(notebooks["carol"], _with_floor_forgotten("carol")))
    _submit(course_dir, "dave", _tampered(notebooks["dave"]))
    _submit(course_dir, "erin", with_module_sources(notebooks["alice"], _solutions("alice")))
    nbgrader(course_dir, "autograde", ASSIGNMENT)
    nbgrader(course_dir, "generate_feedback", ASSIGNMENT)
    return course_dir


@pytest.fixture(scope="module")
def scores(graded_course: Path) -> dict[str, tuple[float, float]]:
    return exported_scores(graded_course, ASSIGNMENT)


def _feedback(course_dir: Path, student: str) -> str:
    path = course_dir / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return path.read_text(encoding="utf-8")


def test_the_reference_notebook_earns_full_marks(scores):
    assert scores["alice"] == (6.0, 6.0)


def test_the_blank_release_notebook_earns_nothing(scores):
    assert scores["bob"] == (0.0, 6.0)


def test_a_modeled_mistake_earns_partial_marks_and_is_named_in_the_feedback(
        scores, graded_course):
    assert scores["carol"] == (4.0, 6.0)
    assert FLOOR_FORGOTTEN in _feedback(graded_course, "carol")


def test_editing_locked_cells_and_the_own_numbers_gains_nothing(scores, graded_course):
    # dave's OUT_H/OUT_W answer the easier numbers he wrote into his prompt; the
    # restored test cells grade against his real numbers, where they are wrong.
    assert scores["dave"] == (0.0, 6.0)
    assert "_score = 3.0" not in (graded_course / "autograded" / "dave" / ASSIGNMENT
                                  / f"{ASSIGNMENT}.ipynb").read_text()


def test_another_students_correct_notebook_is_not_correct_for_you(scores):
    # erin's numbers differ from alice's: the size answers fail, the generic function passes.
    assert numbers("erin") != numbers("alice")
    assert scores["erin"][0] < 6.0
