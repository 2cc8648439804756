"""Every by-hand exercise comes with a practice instance: other numbers, same stream.

The practice is released whole (expected value and mistake values) so that
``check`` can diagnose it; the graded draw must not move because of it, and no
practice answer may equal the graded answer it stands beside.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.authoring.kinds import get_kind
from grader.authoring.variant import build_assignment_variant, build_exercise_variant
from grader.authoring.variant import values_equal as same

from .conftest import REPO, SECRET, exercise


class WithoutPractice:
    """The same kind, minus the practice hook: what the graded draw was before."""

    def __init__(self, kind):
        self._kind = kind
        self.name = kind.name

    def check_options(self, options):
        return self._kind.check_options(options)

    def build(self, spec, params, rng):
        return self._kind.build(spec, params, rng)


def plain(value):
    return value.tolist() if isinstance(value, np.ndarray) else value


@pytest.fixture(scope="module")
def demo():
    return load_course(REPO / "course.yml")


def by_hand_items(demo):
    for assignment in demo.assignments:
        for item in assignment.exercises:
            spec = demo.exercises[item.exercise_id]
            if spec.kind == "by_hand":
                yield assignment.assignment_id, item, spec


def test_the_practice_draw_leaves_every_graded_variant_of_the_demo_course_as_it_was(demo):
    for assignment_id, item, spec in by_hand_items(demo):
        for student in ("s1", "s2"):
            path = (demo.course_id, assignment_id, spec.exercise_id, student)
            kind = get_kind(spec.kind)
            with_practice = build_exercise_variant(spec, secret=SECRET, path=path,
                                                   points=item.points, kind=kind)
            before = build_exercise_variant(spec, secret=SECRET, path=path,
                                            points=item.points, kind=WithoutPractice(kind))
            assert before.practice is None
            assert {k: plain(v) for k, v in with_practice.params.items()} == {
                k: plain(v) for k, v in before.params.items()}
            assert with_practice.prompt_markdown == before.prompt_markdown
            for new, old in zip(with_practice.cases, before.cases, strict=True):
                assert (new.case_id, new.points, new.public) == (old.case_id, old.points,
                                                                 old.public)
                assert same(new.expected, old.expected)
                assert [m.mistake_id for m in new.mistakes] == [m.mistake_id
                                                                for m in old.mistakes]


def test_every_by_hand_exercise_of_the_demo_course_has_a_practice_unlike_the_graded_one(demo):
    for assignment_id, item, spec in by_hand_items(demo):
        for student in ("s1", "s2", "s3"):
            path = (demo.course_id, assignment_id, spec.exercise_id, student)
            graded = build_exercise_variant(spec, secret=SECRET, path=path,
                                            points=item.points, kind=get_kind(spec.kind))
            practice = graded.practice
            assert practice is not None, spec.exercise_id
            assert practice.prompt_markdown != graded.prompt_markdown, spec.exercise_id
            for ours, theirs in zip(practice.cases, graded.cases, strict=True):
                assert not same(ours.expected, theirs.expected), (spec.exercise_id, ours.case_id)
                assert ours.public and ours.probe.name == f"PRACTICE_{theirs.probe.name}"
                assert ours.mistakes or not theirs.mistakes, (spec.exercise_id, "diagnoses")


def test_the_practice_answer_is_the_output_size_formula_on_the_practice_numbers(variant):
    practice = exercise(variant, "conv-output-size").practice
    n, k, p, s = (practice.params[name] for name in ("n", "k", "p", "s"))
    assert practice.cases[0].expected == (n + 2 * p - k) // s + 1  # independent of solutions/
    ceiling = -(-(n + 2 * p - k) // s) + 1
    floor_forgotten = next(m for m in practice.cases[0].mistakes
                           if m.mistake_id == "floor_forgotten")
    assert floor_forgotten.value != practice.cases[0].expected
    assert ceiling != practice.cases[0].expected
    assert f"{n}×{n}" in practice.prompt_markdown and f"stride {s}" in practice.prompt_markdown


def test_exercises_without_numbers_to_redraw_get_no_practice(variant):
    assert exercise(variant, "concepts").practice is None
    assert exercise(variant, "impl-conv2d-forward").practice is None


def test_a_practice_is_the_same_for_a_student_every_time_and_differs_between_students(course):
    again = build_assignment_variant(course, "hw", "ada", SECRET)
    other = build_assignment_variant(course, "hw", "bob", SECRET)
    first = build_assignment_variant(course, "hw", "ada", SECRET)
    ours = exercise(first, "cross-correlation").practice.params["x"]
    assert np.array_equal(exercise(again, "cross-correlation").practice.params["x"], ours)
    theirs = exercise(other, "cross-correlation").practice.params["x"]
    assert ours.shape != theirs.shape or not np.array_equal(ours, theirs)


def test_the_stub_has_a_graded_and_a_practice_section_each_saying_what_check_does(variant):
    stub = exercise(variant, "conv-output-size").stub_source
    graded, practice = stub.split("# Practice (not graded)")
    assert "OUTPUT_SIZE = None" in graded and "PRACTICE_" not in graded
    assert "graded after you submit" in graded
    assert "PRACTICE_OUTPUT_SIZE = None" in practice
    assert "which common mistake" in practice


def test_the_handout_shows_the_practice_question_under_its_exercise(pristine, variant):
    handout = (pristine / "handout.md").read_text(encoding="utf-8")
    practice = exercise(variant, "conv-output-size").practice
    section = handout.split("Output size of a strided convolution")[1].split("\n## ")[0]
    assert "### Practice (not graded)" in section
    assert practice.prompt_markdown.strip() in section
    html = (pristine / "handout.html").read_text(encoding="utf-8")
    assert html.count('<div class="practice">') == 4  # the four by-hand exercises


def test_the_release_ships_practice_answers_and_never_a_graded_by_hand_value(pristine, variant):
    document = json.loads((pristine / ".cnn-grader" / "public.json").read_text())
    released = {e["exercise_id"]: e for e in document["exercises"]}
    size = released["conv-output-size"]
    practice = exercise(variant, "conv-output-size").practice.cases[0]
    assert size["practice"]["cases"][0]["expected"] == practice.expected
    assert {m["mistake_id"] for m in size["practice"]["cases"][0]["mistakes"]} == {
        m.mistake_id for m in practice.mistakes}
    assert size["cases"] == []  # the graded answer is hidden ...
    assert size["forms"] == [{"case_id": "OUTPUT_SIZE", "label": "output size",  # its form
                              "name": "OUTPUT_SIZE", "form": {"answer_type": "integer",
                                                              "ndim": 0, "shape": [],
                                                              "choices": []}}]
    text = (pristine / ".cnn-grader" / "public.json").read_text()
    graded = exercise(variant, "conv-output-shape").cases[0].expected
    assert json.dumps(list(graded)) not in text and str(list(graded)) not in text
    arrays = np.load(pristine / ".cnn-grader" / "public.npz")
    matrix = np.asarray(exercise(variant, "cross-correlation").cases[0].expected).ravel()
    for name in arrays.files:
        flat = arrays[name]
        windows = np.lib.stride_tricks.sliding_window_view(flat, matrix.size) if (
            flat.size >= matrix.size) else np.empty((0, matrix.size))
        assert not any(np.array_equal(w, matrix) for w in windows)


def test_the_notebook_shows_the_practice_question_under_the_prompt(pristine, variant):
    notebook = json.loads((pristine / "hw.ipynb").read_text(encoding="utf-8"))
    module = exercise(variant, "cross-correlation").module
    prompt = next("".join(c["source"]) for c in notebook["cells"]
                  if c["id"] == f"{module}-prompt")
    practice = exercise(variant, "cross-correlation").practice.prompt_markdown.strip()
    assert "Practice (not graded)" in prompt and practice in prompt
