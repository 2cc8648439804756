"""What a student reads: stubs say what to do (not how we did it); scores are short."""

from __future__ import annotations

import ast
import re

import pytest

from grader.authoring.course import load_course
from grader.authoring.render import stub_module
from grader.authoring.variant import build_assignment_variant
from grader.exports.feedback import format_score, render_feedback
from grader.exports.gradebook import ResultRow
from grader.exports.report import gradebook_table
from grader.results import CheckResult, ExerciseResult, GradingResult

from .conftest import REPO, SECRET

# Notes on how the reference was written: none belongs in a student's stub.
IMPLEMENTATION_NOTES = re.compile(
    r"implemented (as|with|by|using)|vectori[sz]ed|\bour (implementation|code|reference)\b"
    r"|einsum|stride_tricks|sliding_window|as_strided|matrix product per|for speed"
    r"|no python loops?", re.IGNORECASE)
CALLED_IN_TEXT = re.compile(r"(?<![.\w])([a-z_][a-z0-9_]*)\(")  # f(...), not x.f(...)


@pytest.fixture(scope="module")
def stubs():
    course = load_course(REPO / "course.yml")
    rendered = {}
    for assignment in course.assignments:
        variant = build_assignment_variant(course, assignment.assignment_id, "s1", SECRET)
        for exercise in variant.exercises:
            rendered[exercise.exercise_id] = stub_module(variant, exercise)
    return rendered


def test_no_stub_of_the_demo_course_carries_a_note_on_the_reference_implementation(stubs):
    found = {exercise_id: match.group(0) for exercise_id, text in stubs.items()
             if (match := IMPLEMENTATION_NOTES.search(text))}
    assert found == {}


def test_a_stub_names_only_functions_the_student_has(stubs):
    """A docstring that calls ``conv1x1_forward(...)`` points at code the student lacks."""
    for exercise_id, text in stubs.items():
        tree = ast.parse(text)
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        docs = " ".join(ast.get_docstring(node) or "" for node in ast.walk(tree)
                        if isinstance(node, ast.FunctionDef | ast.Module))
        called = set(CALLED_IN_TEXT.findall(docs)) - {"np", "floor", "ceil", "max", "min", "sum"}
        unknown = {name for name in called if name not in defined and not name.startswith("np")}
        assert unknown == set(), exercise_id


def test_the_patterns_see_the_notes_that_used_to_reach_stubs():
    assert IMPLEMENTATION_NOTES.search("where g is the group.  Implemented as\n    im2col")
    assert IMPLEMENTATION_NOTES.search("Cells never covered get 0.  Fully vectorized.")
    assert not IMPLEMENTATION_NOTES.search("Returns (N, F, out_h, out_w).")
    assert CALLED_IN_TEXT.findall("Equals ``conv1x1_forward(conv2d_forward(x))``") == [
        "conv1x1_forward", "conv2d_forward"]
    assert CALLED_IN_TEXT.findall("then ``w.reshape(F, -1) @ cols``") == []


@pytest.mark.parametrize(("value", "text"), [
    (7, "7"), (7.0, "7"), (21.333333, "21.33"), (2 / 3, "0.67"), (0.5, "0.5"),
    (1234.5678, "1234.57"), (0.0, "0"), (-0.001, "0"), (100, "100"),
])
def test_scores_have_at_most_two_decimals(value, text):
    assert format_score(value) == text


def result_worth(score: float, max_score: float) -> GradingResult:
    check = CheckResult(case_id="c", label="one case", score=score, max_score=max_score,
                        status="partial", message="one case: 2 of 3 values wrong", public=True)
    exercise = ExerciseResult(exercise_id="e", title="One exercise", checks=(check,))
    return GradingResult(course_id="c", assignment_id="a", student_id="s",
                         exercises=(exercise,), isolation="test", wall_seconds=0.0)


def test_feedback_prints_scores_with_two_decimals_at_most():
    text = render_feedback(result_worth(7.0, 64 / 3))
    assert "**Score: 7 / 21.33**" in text and "21.333" not in text
    assert "(7 / 21.33)" in text


def test_the_gradebook_table_prints_scores_with_two_decimals_at_most():
    row = ResultRow(course_id="c", assignment_id="a", student_id="s", score=20 / 3,
                    max_score=64 / 3, raw_score=20 / 3, late_days=0, late_penalty=0.0,
                    grader_error=False, isolation="test", submission_hash="h",
                    versions_hash="v", wall_seconds=0.0, graded_at="2026-01-01", mistakes="")
    assert "6.67 / 21.33" in gradebook_table([row])
