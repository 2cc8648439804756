"""Variants: pure, different per student, and always able to tell mistakes apart."""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.course import load_course
from grader.authoring.spec import parse_exercise
from grader.authoring.variant import (
    MAX_ATTEMPTS,
    build_assignment_variant,
    build_exercise_variant,
    values_equal,
)
from grader.authoring.yamldoc import parse_yaml
from grader.errors import SpecError
from grader.model import EXACT, Tolerance

from .conftest import TEST_SECRET, TINY_EXERCISE, TinyKind, tiny_lookup, write_course


@pytest.fixture
def course(tmp_path):
    return load_course(write_course(tmp_path), get_kind=tiny_lookup)


def tiny_spec(text: str = TINY_EXERCISE):
    spec, problems = parse_exercise(parse_yaml(text, source="tiny.yml"), tiny_lookup)
    assert problems == []
    return spec


def build(spec, student="s1", secret=TEST_SECRET):
    return build_exercise_variant(spec, secret=secret, points=spec.points,
                                  path=("c", "a", spec.exercise_id, student), kind=TinyKind())


def test_a_variant_is_a_pure_function_of_its_inputs(course):
    first = build_assignment_variant(course, "a1", "s001", TEST_SECRET, get_kind=tiny_lookup)
    again = build_assignment_variant(course, "a1", "s001", TEST_SECRET, get_kind=tiny_lookup)
    for one, two in zip(first.exercises, again.exercises, strict=True):
        assert one.params == two.params and one.prompt_markdown == two.prompt_markdown
        assert all(values_equal(a.expected, b.expected) for a, b in zip(one.cases, two.cases,
                                                                         strict=True))


def test_students_secrets_and_exercises_each_change_the_numbers():
    spec = tiny_spec()
    draws = {tuple(build(spec, f"s{i}").params.values()) for i in range(30)}
    assert len(draws) > 15  # 72 possible (a, b) pairs
    other_secret = {tuple(build(spec, f"s{i}", b"another").params.values()) for i in range(30)}
    assert other_secret != draws


def test_every_draw_satisfies_the_constraints_and_discriminates_the_mistakes():
    spec = tiny_spec(TINY_EXERCISE.replace('  - "a != b"\n', '  - "a + b > 2"\n'))
    for index in range(60):
        variant = build(spec, f"s{index}")
        a, b = variant.params["a"], variant.params["b"]
        assert a + b > 2
        assert a != b  # the kernel_flipped mistake (x * b) would equal the answer (x * a)
        assert (a, b) != (2, 2)  # the added mistake (a + b) would equal a * b


def test_the_prompt_is_rendered_with_params_and_kind_context():
    variant = build(tiny_spec(), "s1")
    a, b = variant.params["a"], variant.params["b"]
    assert variant.prompt_markdown.strip() == f"Multiply **{a}** by {b} (their sum is {a + b})."


def test_an_undefined_name_in_a_prompt_is_an_error_naming_the_file():
    spec = tiny_spec(TINY_EXERCISE.replace("{{ total }}", "{{ totl }}"))
    with pytest.raises(SpecError, match=r"tiny.yml: prompt: cannot render.*'totl' is undefined"):
        build(spec)


def test_prompts_cannot_reach_python_internals():
    spec = tiny_spec(TINY_EXERCISE.replace("{{ total }}", "{{ a.__class__.__mro__ }}"))
    with pytest.raises(SpecError, match="cannot render"):
        build(spec)


def test_unsatisfiable_constraints_fail_after_the_bounded_retries_naming_the_constraint():
    spec = tiny_spec(TINY_EXERCISE.replace('"a != b"', '"a > 100"'))
    with pytest.raises(SpecError) as raised:
        build(spec)
    message = str(raised.value)
    assert message.startswith("tiny.yml: tiny-product: no valid variant in")
    assert f"{MAX_ATTEMPTS}x constraint 'a > 100' does not hold" in message


def test_a_mistake_that_always_gives_the_answer_is_reported():
    spec = tiny_spec(TINY_EXERCISE.replace("b: {int: [1, 9]}", "b: {derived: a}")
                     .replace('"a != b"', '"a > 0"'))
    with pytest.raises(SpecError, match="mistake 'kernel_flipped' gives the expected value"):
        build(spec)


def test_case_points_are_scaled_to_the_assignment_points(course):
    variant = build_assignment_variant(course, "a1", "s001", TEST_SECRET, get_kind=tiny_lookup)
    assert [sum(c.points for c in e.cases) for e in variant.exercises] == [4.0, 2.0]
    assert [c.points for c in variant.exercises[1].cases] == [0.5, 1.0, 0.5]


def test_only_the_mistakes_named_in_the_spec_are_kept():
    spec = tiny_spec(TINY_EXERCISE + "mistakes: [bias_forgotten]\n")
    variant = build(spec)
    assert [m.mistake_id for c in variant.cases for m in c.mistakes] == ["bias_forgotten"]


@pytest.mark.parametrize("got, expected, tolerance, equal", [
    (3, 3, EXACT, True),
    (3, 4, EXACT, False),
    (3.0, 3, EXACT, True),  # an integer-valued float is that integer
    (2**60 + 1, 2**60, EXACT, False),  # integers compare exactly, even beyond float precision
    (1.0, 1.0 + 1e-9, Tolerance(rtol=1e-6, atol=0), True),
    (1.0, 1.1, Tolerance(rtol=1e-6, atol=0), False),
    (np.zeros((2, 3)), np.zeros((3, 2)), EXACT, False),  # same values, other shape
    (np.ones(3), [1, 1, 1], EXACT, True),
    ((1, np.ones(2)), (1, np.ones(2)), EXACT, True),
    ((1, np.ones(2)), (1, np.ones(3)), EXACT, False),
    ((1, 2), (1, 2, 3), EXACT, False),
    ("b", "b", EXACT, True),
    ("b", "c", EXACT, False),
    (None, 0, EXACT, False),
    ("3", 3, EXACT, False),
])
def test_values_equal_is_exact_for_integers_tolerant_for_floats_and_shape_aware(
        got, expected, tolerance, equal):
    assert values_equal(got, expected, tolerance) is equal
