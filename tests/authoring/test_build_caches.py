"""The per-spec plan of ``by_hand`` (and the other build shortcuts) change no variant.

Each variant is built twice: through the shared kinds (later students reuse the plan
the first one made) and through a fresh kind per exercise (every plan made anew, as
before there was a cache); both must agree field by field, bit for bit.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.authoring.kinds.by_hand import ByHandKind
from grader.authoring.kinds.choice import MultipleChoiceKind
from grader.authoring.kinds.implementation import ImplementationKind
from grader.authoring.spec import default_kind_lookup
from grader.authoring.variant import build_assignment_variant
from grader.authoring.variant_store import without_practice

REPO = Path(__file__).resolve().parents[2]
SECRET = b"cache-equivalence"
FRESH = {"by_hand": ByHandKind, "multiple_choice": MultipleChoiceKind,
         "implementation": ImplementationKind}


def canonical(value: Any) -> Any:
    """``value`` as nested lists of exact, comparable items (floats by their bits)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, *[[f.name, canonical(getattr(value, f.name))]
                                        for f in dataclasses.fields(value)]]
    if isinstance(value, np.ndarray):
        return ["array", str(value.dtype), value.shape, value.tobytes()]
    if isinstance(value, np.generic):
        return ["scalar", str(value.dtype), value.tobytes()]
    if isinstance(value, list | tuple):
        return [type(value).__name__, *[canonical(item) for item in value]]
    if hasattr(value, "items"):
        return ["mapping", *[[canonical(k), canonical(v)] for k, v in value.items()]]
    if isinstance(value, float):
        return ["float", value.hex()]
    return [type(value).__name__, repr(value)]


def fresh_lookup(name: str) -> Any:
    """A new kind object per exercise: no plan survives from one build to the next."""
    return FRESH[name]() if name in FRESH else default_kind_lookup(name)


@pytest.fixture(scope="module")
def course() -> Any:
    return load_course(REPO / "course.yml")


@pytest.mark.parametrize("assignment_id", ["a1-sizes-and-counts", "a2-by-hand",
                                           "a3-implementation"])
@pytest.mark.parametrize("lean", [False, True])
def test_cached_plans_build_the_same_variants_as_fresh_kinds(course, assignment_id, lean):
    shared, fresh = default_kind_lookup, fresh_lookup
    if lean:
        shared, fresh = without_practice(shared), without_practice(fresh)
    for student in ("s00000", "s00001", "s00002", "s00003", "s00004"):
        cached = build_assignment_variant(course, assignment_id, student, SECRET,
                                          get_kind=shared, prompts=not lean)
        anew = build_assignment_variant(course, assignment_id, student, SECRET,
                                        get_kind=fresh, prompts=not lean)
        assert canonical(cached) == canonical(anew)


def test_a_new_spec_object_gets_its_own_plan(course):
    kind = ByHandKind()
    spec = next(s for s in course.exercises.values() if s.kind == "by_hand")
    first = kind._plans.get(spec, lambda s: "plan of the first spec")
    again = kind._plans.get(spec, lambda s: "never made")
    other = kind._plans.get(dataclasses.replace(spec), lambda s: "plan of the copy")
    assert (first, again, other) == ("plan of the first spec", "plan of the first spec",
                                     "plan of the copy")
