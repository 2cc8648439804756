"""The variant store gives back exactly the variant the secret builds, or nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.authoring.variant_store import (
    cached_assignment_variant,
    entry_path,
    read_entry,
    variant_key,
)

REPO = Path(__file__).resolve().parents[2]
SECRET = b"variant-store-tests"


@pytest.fixture(scope="module")
def course():
    return load_course(REPO / "course.yml")


def same(a, b, where="variant") -> None:
    """Equal in value AND type, all the way down (arrays: dtype, shape and bytes)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), where
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{index}]")
    else:
        assert a == b or (a != a and b != b), where  # NaN equals NaN here


def never_build(name):
    raise AssertionError(f"the variant was built (kind {name!r}) instead of read")


@pytest.mark.parametrize("student", ["s00000", "s00001"])
def test_a_stored_variant_is_read_back_exactly_as_built(course, tmp_path, student):
    for assignment in course.assignments:
        built = build_assignment_variant(course, assignment.assignment_id, student, SECRET)
        first = cached_assignment_variant(course, assignment.assignment_id, student, SECRET,
                                          folder=tmp_path)
        again = cached_assignment_variant(course, assignment.assignment_id, student, SECRET,
                                          folder=tmp_path, get_kind=never_build)
        same(first, built)
        same(again, built)


def test_each_student_and_assignment_has_its_own_entry(course, tmp_path):
    keys = {variant_key(course, a.assignment_id, s, SECRET)
            for a in course.assignments for s in ("s00000", "s00001")}
    assert len(keys) == 2 * len(course.assignments)


def test_a_new_exercise_version_or_another_secret_gives_a_new_key(course):
    assignment = course.assignments[0]
    exercise_id = assignment.exercises[0].exercise_id
    changed = dataclasses.replace(course, exercises={
        **course.exercises,
        exercise_id: dataclasses.replace(course.exercises[exercise_id], version="edited")})
    key = variant_key(course, assignment.assignment_id, "s00000", SECRET)
    assert variant_key(changed, assignment.assignment_id, "s00000", SECRET) != key
    assert variant_key(course, assignment.assignment_id, "s00000", b"other") != key


def test_a_tampered_entry_is_rebuilt_and_rewritten(course, tmp_path):
    assignment_id = course.assignments[0].assignment_id
    cached_assignment_variant(course, assignment_id, "s00000", SECRET, folder=tmp_path)
    path = entry_path(tmp_path, variant_key(course, assignment_id, "s00000", SECRET))
    data = bytearray(path.read_bytes())
    data[-40] ^= 1
    path.write_bytes(bytes(data))
    assert read_entry(path, SECRET) is None
    rebuilt = cached_assignment_variant(course, assignment_id, "s00000", SECRET,
                                        folder=tmp_path)
    same(rebuilt, build_assignment_variant(course, assignment_id, "s00000", SECRET))
    assert read_entry(path, SECRET) is not None


def test_an_entry_is_not_accepted_under_another_secret(course, tmp_path):
    assignment_id = course.assignments[0].assignment_id
    cached_assignment_variant(course, assignment_id, "s00000", SECRET, folder=tmp_path)
    path = entry_path(tmp_path, variant_key(course, assignment_id, "s00000", SECRET))
    assert read_entry(path, SECRET) is not None
    assert read_entry(path, b"someone else's secret") is None


def test_without_a_folder_nothing_is_stored(course, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assignment_id = course.assignments[0].assignment_id
    cached_assignment_variant(course, assignment_id, "s00000", SECRET, folder=None)
    assert not any(tmp_path.iterdir())
