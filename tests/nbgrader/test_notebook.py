"""The source notebook nbgrader reads, and the per-student copies made from its release."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest

from grader.grading.notebook_cells import notebook_to_files
from grader.nbgrader.kernel import GRADER_FAULT_EXIT
from grader.nbgrader.notebook import (
    SETUP_SOURCE,
    solution_region,
    source_notebook,
    student_notebook,
    with_module_sources,
)
from tests.nbgrader.toy import numbers, toy_variant


def _nbgrader_cells(notebook):
    return [cell for cell in notebook["cells"] if "nbgrader" in cell["metadata"]]


def test_the_source_notebook_passes_nbgraders_own_schema_3_validation():
    from nbgrader.nbgraderformat import MetadataValidator

    notebook = nbformat.from_dict(source_notebook(toy_variant("preview")))
    nbformat.validate(notebook)
    MetadataValidator().validate_nb(notebook)  # raises ValidationError on bad metadata
    for cell in _nbgrader_cells(notebook):
        assert cell.metadata["nbgrader"]["schema_version"] == 3
        assert re.fullmatch(r"[a-zA-Z0-9_\-]+", cell.metadata["nbgrader"]["grade_id"])


def test_each_exercise_has_a_solution_cell_and_a_locked_test_cell_worth_its_points():
    variant = toy_variant("preview")
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in
             _nbgrader_cells(source_notebook(variant))}
    for exercise in variant.exercises:
        solution = cells[f"solution_{exercise.module}"]["metadata"]["nbgrader"]
        tests = cells[f"tests_{exercise.module}"]["metadata"]["nbgrader"]
        assert solution["solution"] and not solution["grade"]
        assert tests["grade"] and tests["locked"] and tests["points"] == exercise.points


def test_test_cells_are_identical_for_all_students_and_hold_no_number_of_theirs():
    one, other = source_notebook(toy_variant("alice")), source_notebook(toy_variant("bob"))
    tests_one = [c["source"] for c in _nbgrader_cells(one) if c["metadata"]["nbgrader"]["grade"]]
    tests_other = [c["source"] for c in _nbgrader_cells(other)
                   if c["metadata"]["nbgrader"]["grade"]]
    assert tests_one == tests_other
    assert all(str(numbers("alice")[0]) not in source for source in tests_one)
    assert all("### BEGIN HIDDEN TESTS" in source for source in tests_one)


def test_solution_markers_are_kept_when_present_and_added_around_constants_otherwise():
    assert solution_region("def f():\n    ### BEGIN SOLUTION\n    return 1\n"
                           "    ### END SOLUTION\n").count("### BEGIN SOLUTION") == 1
    assert solution_region("X = 3\n") == "### BEGIN SOLUTION\nX = 3\n### END SOLUTION"


def test_a_student_copy_changes_only_prompts_intro_and_solution_cells():
    release = source_notebook(toy_variant("preview"))
    copy = student_notebook(release, toy_variant("alice"))
    for before, after in zip(release["cells"], copy["cells"], strict=True):
        nbgrader = before["metadata"].get("nbgrader", {})
        if nbgrader.get("locked") or nbgrader.get("grade"):
            assert after == before
    n = numbers("alice")[0]
    assert any(f"{n}×" in cell["source"] for cell in copy["cells"])
    files = notebook_to_files(json.dumps(copy).encode())
    assert files["output_size.py"].startswith(b"OUT_H = None")


def test_module_sources_replace_exactly_the_matching_solution_cells():
    notebook = with_module_sources(source_notebook(toy_variant("preview")),
                                   {"scale_rows": "def scale(x, factor):\n    return 0\n"})
    files = notebook_to_files(json.dumps(notebook).encode())
    assert files["scale_rows.py"] == b"def scale(x, factor):\n    return 0\n"
    assert b"BEGIN SOLUTION" in files["output_size.py"]


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_a_student_copy_records_whose_it_is(student):
    copy = student_notebook(source_notebook(toy_variant("preview")), toy_variant(student))
    assert copy["metadata"]["cnn_grader"]["student"] == student


def _run_setup_cell_without_the_package(environment: dict) -> subprocess.CompletedProcess:
    # -S -I: no site-packages, no user paths, so ``grader`` cannot be imported.
    code = SETUP_SOURCE + "\nprint('checks give', _cnn_grader.check('x', {}, 'public'))"
    return subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True,
                          text=True, env=environment, cwd="/", timeout=60, check=False)


def test_without_cnn_grader_the_setup_cell_fails_an_autograde_run_instead_of_scoring_zero():
    done = _run_setup_cell_without_the_package({"NBGRADER_EXECUTION": "autograde"})
    assert done.returncode == GRADER_FAULT_EXIT and "checks give" not in done.stdout


def test_without_cnn_grader_a_student_is_told_what_to_install_and_checks_score_nothing():
    done = _run_setup_cell_without_the_package({})
    assert done.returncode == 0
    assert "pip install cnn-grader" in done.stdout and "checks give 0.0" in done.stdout
