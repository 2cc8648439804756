"""A variant built without practice instances is the full variant minus its practice:
what grading a ``.py`` hand-in reads is the same, field for field."""

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


@pytest.fixture(scope="module")
def course():
    return load_course(REPO / "course.yml")


def _graded_part(variant):
    """The variant with the fields a practice instance shapes blanked."""
    blank = dict.fromkeys(PRACTICE_SHAPED[1:], "")
    return dataclasses.replace(variant, exercises=tuple(
        dataclasses.replace(e, practice=None, **blank) for e in variant.exercises))


@pytest.mark.parametrize("student", ["s00000", "s00007"])
def test_without_practice_every_graded_field_is_the_full_variants(course, student):
    with_practice = 0
    for assignment in course.assignments:
        full = build_assignment_variant(course, assignment.assignment_id, student, SECRET)
        lean = cached_assignment_variant(course, assignment.assignment_id, student, SECRET,
                                         folder=None, practice=False)
        assert all(e.practice is None for e in lean.exercises)
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
