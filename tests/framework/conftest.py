"""A tiny problem kind and a throwaway course, so framework tests need no real kinds."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.kinds.base import KindOutput
from grader.errors import SpecError
from grader.model import Case, ModeledAnswer, Probe, Tolerance

TEST_SECRET = b"framework-test-secret"


class TinyKind:
    """Asks for a*b by hand and for a function scaling an array by ``a``.

    Two modeled mistakes (borrowing real mistake ids, which exercise files must use):
    ``bias_forgotten`` stands for adding instead of multiplying (same value when
    a = b = 2), ``kernel_flipped`` for scaling by ``b`` instead of ``a`` (same when a == b).
    """

    name = "tiny"

    def check_options(self, options):
        problems = []
        if options.get("style", "plain") not in ("plain", "fancy"):
            problems.append(("style", "expected plain or fancy"))
        return problems

    def build(self, spec, params, rng):
        a, b = params["a"], params["b"]
        x = rng.integers(-5, 5, (2, 3)).astype(np.float64)
        product = Case(
            case_id="product", label="a times b", points=1.0, public=True,
            answer_type="integer", probe=Probe("attribute", "PRODUCT"), expected=a * b,
            mistakes=(ModeledAnswer("bias_forgotten", "added instead of multiplied", a + b),))
        scaled = Case(
            case_id="scale", label="scale(x, a)", points=2.0, public=True,
            answer_type="array", probe=Probe("call", "scale", (("x", x),)),
            expected=x * a, tolerance=Tolerance(rtol=1e-6, atol=1e-9),
            mistakes=(ModeledAnswer("kernel_flipped", "scaled by b", x * b),))
        hidden = Case(
            case_id="hidden", label="scale(y, a)", points=1.0, public=False,
            answer_type="array", probe=Probe("call", "scale", (("x", x + 100),)),
            expected=(x + 100) * a)
        stub = f"PRODUCT = None  # replace None with your answer\n\n\ndef scale(x):\n" \
               f"    return None  # multiply x by {a}\n"
        solution = f"PRODUCT = {a * b}\n\n\ndef scale(x):\n    return x * {a}\n"
        return KindOutput(prompt_context={"total": a + b}, cases=(product, scaled, hidden),
                          stub_source=stub, solution_source=solution)


def tiny_lookup(name):
    if name == "tiny":
        return TinyKind()
    raise SpecError(f"unknown kind {name!r}; expected one of tiny")


TINY_EXERCISE = """\
schema_version: 1
id: tiny-product
kind: tiny
title: A product
points: 4
prompt: |
  Multiply **{{ a }}** by {{ b }} (their sum is {{ total }}).
params:
  a: {int: [1, 9]}
  b: {int: [1, 9]}
constraints:
  - "a != b"
hints:
  - Multiplication is repeated addition.
options:
  style: plain
"""

COURSE = """\
schema_version: 1
id: test-course
title: A test course
secret: {env: TEST_COURSE_SECRET, file: .course-secret}
roster: roster.csv
exercises: exercises
assignments:
  - id: a1
    title: First
    due: 2026-10-05T23:59:00+02:00
    late: {per_day: 0.1, max_days: 5}
    exercises:
      - tiny-product
      - {id: tiny-other, points: 2}
"""

ROSTER = """\
student_id,name,email
s001,Ada Lovelace,ada@example.org
s002,Alan Turing,alan@example.org
s003,Grace Hopper,grace@example.org
"""


def write_course(root: Path, *, course: str = COURSE, roster: str = ROSTER,
                 exercises: dict[str, str] | None = None) -> Path:
    """Write course.yml, roster.csv and exercises/*.yml under ``root``; returns course.yml."""
    if exercises is None:
        exercises = {"tiny_product.yml": TINY_EXERCISE,
                     "tiny_other.yml": TINY_EXERCISE.replace("tiny-product", "tiny-other")}
    (root / "exercises").mkdir(parents=True, exist_ok=True)
    for name, text in exercises.items():
        (root / "exercises" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "roster.csv").write_text(roster, encoding="utf-8")
    (root / "course.yml").write_text(course, encoding="utf-8")
    return root / "course.yml"


@pytest.fixture
def course_path(tmp_path: Path) -> Path:
    return write_course(tmp_path)


@pytest.fixture
def tiny_kinds(monkeypatch):
    """Make the real kind registry answer with the tiny kind (for CLI tests)."""
    import grader.authoring.kinds

    monkeypatch.setattr(grader.authoring.kinds, "get_kind", tiny_lookup)
