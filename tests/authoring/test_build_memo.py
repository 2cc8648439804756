"""Students with the same numbers share one ``by_hand`` build, which changes nothing.

The oracle is a fresh kind per build (nothing remembered): every field of every
variant must be the same bits, and the memo must have been used for the test to
mean anything.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.authoring.kinds.by_hand import ByHandKind
from grader.authoring.kinds.values import BuildMemo, argument_key
from grader.authoring.spec import default_kind_lookup
from grader.authoring.variant import build_assignment_variant
from grader.authoring.variant_store import without_practice

REPO = Path(__file__).resolve().parents[2]
SECRET = b"build-memo-equivalence"


def canonical(value: Any) -> Any:
    """``value`` as nested lists of exact, comparable items (floats by their bits)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, *[[f.name, canonical(getattr(value, f.name))]
                                        for f in dataclasses.fields(value)]]
    if isinstance(value, np.ndarray):
        return ["array", str(value.dtype), value.shape, value.tobytes()]
    if isinstance(value, list | tuple):
        return [type(value).__name__, *[canonical(item) for item in value]]
    if hasattr(value, "items"):
        return ["mapping", *[[canonical(k), canonical(v)] for k, v in value.items()]]
    if isinstance(value, float):
        return ["float", value.hex()]
    return [type(value).__name__, repr(value)]


def fresh_lookup(name: str) -> Any:
    """A new kind object per build for ``by_hand``: nothing remembered."""
    return ByHandKind() if name == "by_hand" else default_kind_lookup(name)


@pytest.mark.parametrize("assignment_id", ["a1-sizes-and-counts", "a2-by-hand"])
def test_remembered_builds_give_the_variants_of_fresh_kinds(assignment_id):
    course = load_course(REPO / "course.yml")
    shared = without_practice(default_kind_lookup)
    cases_seen: dict[int, object] = {}
    shared_cases = 0
    for index in range(60):
        student = f"m{index:04d}"
        remembered = build_assignment_variant(course, assignment_id, student, SECRET,
                                              get_kind=shared, prompts=False)
        anew = build_assignment_variant(course, assignment_id, student, SECRET,
                                        get_kind=without_practice(fresh_lookup), prompts=False)
        assert canonical(remembered) == canonical(anew), student
        for case in (case for exercise in remembered.exercises for case in exercise.cases):
            shared_cases += id(case) in cases_seen
            cases_seen[id(case)] = case  # kept alive: ids stay unique
    if assignment_id.startswith("a1"):  # small answer spaces: most builds remembered
        assert shared_cases > 100


def test_only_plain_arguments_have_a_key():
    assert argument_key({"r": {"n": 3, "pad": (1, 2), "mode": "max"}}) == (
        "r", "n", 3, "pad", (1, 2), "mode", "max")
    for value in (True, 1.0, -0.0, (1, 2.0), (True,), np.int64(1), np.zeros(2), None,
                  {"a": 1}):
        assert argument_key({"r": {"n": value}}) is None, value
    assert argument_key({"r": 3}) is None


def test_the_memo_keeps_only_immutable_builds_of_its_own_plan():
    memo, plan, other = BuildMemo(size=2), object(), object()
    memo.put(plan, ("k",), "built", values=[1, 2.5, "A", (1, (2, None))])
    assert memo.get(plan, ("k",)) == "built"
    assert memo.get(other, ("k",)) is None
    memo.put(plan, ("array",), "built", values=[np.zeros(2)])
    memo.put(plan, ("list",), "built", values=[[1, 2]])
    assert memo.get(plan, ("array",)) is memo.get(plan, ("list",)) is None
    memo.put(plan, ("k2",), "second", values=[])
    memo.put(plan, ("k3",), "third", values=[])  # over the bound: starts over
    assert memo.get(plan, ("k",)) is None and memo.get(plan, ("k3",)) == "third"


def test_a_fresh_kind_remembers_nothing():
    assert ByHandKind()._built.get(object(), ()) is None
