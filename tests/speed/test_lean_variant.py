"""A variant built without practice instances (and without prompts) is the full variant
minus its practice and prompts: what grading a ``.py`` hand-in reads is the same, field
for field, and grading every demo profile against either gives the same result."""

from __future__ import annotations

import dataclasses

import pytest

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.authoring.variant_store import (
    cached_assignment_variant,
    entry_path,
    variant_key,
)

from .test_variant_store import REPO, SECRET, never_build, same

PRACTICE_SHAPED = ("practice", "stub_source", "solution_source")
LEFT_OUT = (*PRACTICE_SHAPED[1:], "prompt_markdown")  # blanked in the lean variant


@pytest.fixture(scope="module")
def course():
    return load_course(REPO / "course.yml")


def _graded_part(variant):
    """The variant with the fields a practice instance shapes, and the prompts, blanked."""
    blank = dict.fromkeys(LEFT_OUT, "")
    return dataclasses.replace(variant, exercises=tuple(
        dataclasses.replace(e, practice=None, **blank) for e in variant.exercises))


@pytest.mark.parametrize("student", ["s00000", "s00007"])
def test_without_practice_every_graded_field_is_the_full_variants(course, student):
    with_practice = 0
    for assignment in course.assignments:
        full = build_assignment_variant(course, assignment.assignment_id, student, SECRET)
        lean = cached_assignment_variant(course, assignment.assignment_id, student, SECRET,
                                         folder=None, practice=False)
        assert all(e.practice is None and e.prompt_markdown == "" for e in lean.exercises)
        assert all(e.prompt_markdown for e in full.exercises)
        with_practice += sum(e.practice is not None for e in full.exercises)
        same(_graded_part(lean), _graded_part(full), assignment.assignment_id)
    assert with_practice > 0  # the demo course has practice to leave out


def test_the_lean_variant_has_its_own_key_and_is_read_back_exactly(course, tmp_path):
    assignment_id = course.assignments[0].assignment_id
    lean_key = variant_key(course, assignment_id, "s00000", SECRET, practice=False)
    assert lean_key != variant_key(course, assignment_id, "s00000", SECRET)
    built = cached_assignment_variant(course, assignment_id, "s00000", SECRET,
                                      folder=tmp_path, practice=False)
    assert entry_path(tmp_path, lean_key).is_file()
    read = cached_assignment_variant(course, assignment_id, "s00000", SECRET,
                                     folder=tmp_path, practice=False, get_kind=never_build)
    same(read, built)
    full = cached_assignment_variant(course, assignment_id, "s00000", SECRET, folder=tmp_path)
    assert any(e.practice is not None for e in full.exercises)  # not the lean entry


def test_without_write_nothing_is_stored(course, tmp_path):
    assignment_id = course.assignments[0].assignment_id
    cached_assignment_variant(course, assignment_id, "s00000", SECRET, folder=tmp_path,
                              write=False)
    cached_assignment_variant(course, assignment_id, "s00000", SECRET, folder=tmp_path,
                              practice=False, write=False)
    assert not any(tmp_path.rglob("*.npz"))


@pytest.mark.slow
@pytest.mark.parametrize("student", ["s00003"])
def test_grading_a_py_hand_in_against_the_lean_variant_gives_the_full_variants_result(
        course, student):
    """Every demo profile (right, mistaken, blank, malicious, ...) of every assignment,
    graded in the real sandbox against both variants: the same results, so nothing
    graded reads a prompt or a practice instance."""
    from grader.cli.demo_submissions import PROFILES
    from grader.grading.grade import grade_submission
    from grader.sandbox import Sandbox

    compared = 0
    with Sandbox() as sandbox:
        for assignment in course.assignments:
            full = build_assignment_variant(course, assignment.assignment_id, student, SECRET)
            lean = cached_assignment_variant(course, assignment.assignment_id, student,
                                             SECRET, folder=None, practice=False)
            for profile, make in PROFILES.items():
                files = {name: data for name, data in make(full).items()
                         if not name.endswith(".ipynb")}
                results = [grade_submission(variant=variant, files=files, sandbox=sandbox)
                           for variant in (full, lean)]
                assert _timeless(results[0]) == _timeless(results[1]), (
                    assignment.assignment_id, profile)
                compared += 1
    assert compared >= 2 * len(PROFILES)


def _timeless(result):
    return dataclasses.replace(result, wall_seconds=0.0)
