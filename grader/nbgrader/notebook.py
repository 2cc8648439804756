"""Notebook dictionaries for the nbgrader round trip (pure: nothing is read or written).

``source_notebook`` is what the instructor keeps in ``source/<A>/``: one prompt,
one solution cell and one locked test cell per exercise, with the nbgrader cell
metadata (schema 3) that ``nbgrader generate_assignment`` expects.  The test cells
are the same for every student: they never contain a number, only a call that
grades against the key of the student nbgrader is grading.

``student_notebook`` turns nbgrader's generated release notebook into one
student's copy by rewriting only cells nbgrader never restores: the prompts (plain
markdown, no nbgrader metadata) and the solution cells (editable by design).
Locked cells and their checksums are left exactly as nbgrader wrote them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from grader.exports.feedback import format_score
from grader.grading.notebook_cells import SOLUTION_PREFIX, module_of_cell
from grader.model import AssignmentVariant, ExerciseVariant

SCHEMA_VERSION = 3
SETUP_ID = "cnn_grader_setup"
TESTS_PREFIX = "tests_"
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
SETUP_SOURCE = """\
# Set-up for the checks in this notebook.  Do not edit: this cell is restored
# from the instructor's copy when the notebook is graded.
try:
    from grader.nbgrader.kernel import open_session
except ImportError:
    import os
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        os._exit(70)  # cnn-grader missing where grading runs: fail the run, not the student
    print("Self-checks need the cnn-grader package in this kernel (pip install cnn-grader).")

    class _NoChecks:
        def check(self, *args):
            return 0.0

    _cnn_grader = _NoChecks()
else:
    _cnn_grader = open_session()"""
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def source_notebook(preview: AssignmentVariant) -> dict[str, Any]:
    """The nbgrader source notebook, with ``preview``'s prompts and solutions.

    The preview variant only fills the parts every student gets rewritten; its
    numbers never reach a student.
    """
    cells = [_markdown(_intro(preview, None), "intro"), _setup_cell()]
    for exercise in preview.exercises:
        cells.append(_markdown(_prompt(exercise), f"prompt_{exercise.module}",
                               role="prompt", exercise=exercise.exercise_id))
        cells.append(_solution_cell(exercise))
        cells.append(_tests_cell(exercise))
    return {
        "cells": cells,
        "metadata": {"kernelspec": dict(KERNELSPEC),
                     "language_info": {"name": "python"},
                     "cnn_grader": {"course": preview.course_id,
                                    "assignment": preview.assignment_id}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def student_notebook(release: Mapping[str, Any], variant: AssignmentVariant) -> dict[str, Any]:
    """One student's copy of nbgrader's release notebook: their prompts and stubs."""
    stubs = {exercise.module: exercise.stub_source for exercise in variant.exercises}
    notebook = with_module_sources(release, stubs)
    prompts = {exercise.exercise_id: _prompt(exercise) for exercise in variant.exercises}
    for cell in notebook["cells"]:
        ours = cell.get("metadata", {}).get("cnn_grader", {})
        if ours.get("role") == "prompt" and ours.get("exercise") in prompts:
            cell["source"] = prompts[ours["exercise"]]
        elif ours.get("role") == "intro":
            cell["source"] = _intro(variant, variant.student_id)
    notebook["metadata"].setdefault("cnn_grader", {})["student"] = variant.student_id
    return notebook


def with_module_sources(notebook: Mapping[str, Any], sources: Mapping[str, str]) -> dict[str, Any]:
    """A copy of ``notebook`` whose module cells hold ``sources[module]`` (others kept)."""
    result = copy.deepcopy(dict(notebook))
    for cell in result["cells"]:
        module = module_of_cell(cell)
        if module is not None and module in sources:
            cell["source"] = sources[module]
            cell["outputs"] = []
            cell["execution_count"] = None
    return result


def solution_region(solution_source: str) -> str:
    """The solution with nbgrader's markers: kept when present, else around everything."""
    if BEGIN_SOLUTION in solution_source:
        return solution_source.rstrip("\n")
    return f"{BEGIN_SOLUTION}\n{solution_source.rstrip()}\n{END_SOLUTION}"


def tests_source(exercise: ExerciseVariant) -> str:
    """The generic test cell: public checks visible, the rest between hidden markers."""
    name = exercise.exercise_id
    return "\n".join([
        f"# Checks for {exercise.title!r}.  When graded, the expected values come from the",
        "# instructor's answer key for your variant, not from anything in this notebook.",
        f"_score = _cnn_grader.check({name!r}, globals(), 'public')",
        "### BEGIN HIDDEN TESTS",
        f"_score += _cnn_grader.check({name!r}, globals(), 'hidden')",
        "### END HIDDEN TESTS",
        "_score",
    ])


def graded_points(exercise: ExerciseVariant) -> float:
    """The points a test cell is worth: the exercise's points in this assignment (the
    same for every student; the framework scales the cases to add up to it)."""
    return float(exercise.points)


def _intro(variant: AssignmentVariant, student_id: str | None) -> str:
    whose = f"This copy is for **{student_id}**; " if student_id else "Each student's copy has "
    numbers = "the numbers below are yours alone." if student_id else "its own numbers."
    return (f"# {variant.title}\n\n{whose}{numbers}  Write your answers in the cells that "
            "start with a stub; run the check cell under each one to test the public cases.")


def _prompt(exercise: ExerciseVariant) -> str:
    points = format_score(graded_points(exercise))
    return f"## {exercise.title} ({points} points)\n\n{exercise.prompt_markdown.strip()}"


def _markdown(source: str, cell_id: str, **ours: str) -> dict[str, Any]:
    role = ours or {"role": cell_id}
    return {"cell_type": "markdown", "id": _cell_id(cell_id), "metadata": {"cnn_grader": role},
            "source": source}


def _setup_cell() -> dict[str, Any]:
    nbgrader = {"grade": False, "solution": False, "locked": True, "grade_id": SETUP_ID,
                "schema_version": SCHEMA_VERSION}
    return _code(SETUP_SOURCE, SETUP_ID, {"nbgrader": nbgrader})


def _solution_cell(exercise: ExerciseVariant) -> dict[str, Any]:
    grade_id = SOLUTION_PREFIX + exercise.module
    nbgrader = {"grade": False, "solution": True, "locked": False, "grade_id": grade_id,
                "schema_version": SCHEMA_VERSION}
    metadata = {"nbgrader": nbgrader, "cnn_grader": {"module": exercise.module}}
    return _code(solution_region(exercise.solution_source or exercise.stub_source), grade_id,
                 metadata)


def _tests_cell(exercise: ExerciseVariant) -> dict[str, Any]:
    grade_id = TESTS_PREFIX + exercise.module
    nbgrader = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                "points": graded_points(exercise), "schema_version": SCHEMA_VERSION}
    return _code(tests_source(exercise), grade_id, {"nbgrader": nbgrader})


def _code(source: str, cell_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {"cell_type": "code", "id": _cell_id(cell_id), "metadata": metadata,
            "execution_count": None, "outputs": [], "source": source}


def _cell_id(name: str) -> str:
    return name.replace("_", "-")[:64]
