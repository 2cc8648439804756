"""Exercise files: every problem is reported as file:line: key.path: what was expected."""

from __future__ import annotations

import pytest

from grader.authoring.spec import ExerciseSpec, parse_exercise
from grader.authoring.yamldoc import SpecProblems, format_path, parse_path, parse_yaml

from .conftest import TINY_EXERCISE, tiny_lookup


def problems_of(text: str) -> list[str]:
    spec, problems = parse_exercise(parse_yaml(text, source="exercises/x.yml"), tiny_lookup)
    assert (spec is None) == bool(problems)
    return [str(p) for p in problems]


def with_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_a_valid_exercise_becomes_a_frozen_spec_with_a_content_version():
    spec, problems = parse_exercise(parse_yaml(TINY_EXERCISE, source="x.yml"), tiny_lookup)
    assert problems == []
    assert isinstance(spec, ExerciseSpec)
    assert spec.exercise_id == "tiny-product" and spec.module == "tiny_product"
    assert spec.points == 4.0 and spec.constraints == ("a != b",)
    assert len(spec.version) == 12
    changed, _ = parse_exercise(parse_yaml(TINY_EXERCISE + "\n", source="x.yml"), tiny_lookup)
    assert changed.version != spec.version
    with pytest.raises(AttributeError):
        spec.points = 3  # type: ignore[misc]


def test_an_inverted_integer_range_names_file_line_and_key_path():
    text = with_line(TINY_EXERCISE, "b: {int: [1, 9]}", "b: {int: [5, 3]}")
    assert problems_of(text) == [
        "exercises/x.yml:10: params.b.int: expected [low, high] with low <= high, got [5, 3]"]


def test_a_yaml_syntax_error_reports_the_line_of_the_parser():
    text = with_line(TINY_EXERCISE, "b: {int: [1, 9]}", "b: {int: [1, 9]")
    with pytest.raises(SpecProblems) as raised:
        parse_yaml(text, source="exercises/x.yml")
    assert str(raised.value).startswith("exercises/x.yml:11: invalid YAML")
    assert "\n" not in str(raised.value)


def test_an_unknown_kind_is_reported_with_the_known_ones():
    assert problems_of(with_line(TINY_EXERCISE, "kind: tiny", "kind: huge")) == [
        "exercises/x.yml:3: kind: unknown kind 'huge'; expected one of tiny"]


def test_a_newer_schema_version_says_how_to_upgrade():
    (message,) = problems_of(with_line(TINY_EXERCISE, "schema_version: 1", "schema_version: 2"))
    assert message.startswith("exercises/x.yml:1: schema_version: version 2 is newer")
    assert "pip install -U cnn-grader" in message


def test_a_missing_schema_version_says_what_to_add():
    (message,) = problems_of(with_line(TINY_EXERCISE, "schema_version: 1\n", ""))
    assert "add `schema_version: 1`" in message


def test_every_problem_of_a_file_is_reported_at_once():
    text = TINY_EXERCISE
    text = with_line(text, "points: 4", "points: 0")
    text = with_line(text, "id: tiny-product", "id: Tiny Product")
    text = with_line(text, '"a != b"', '"a !== b"')
    text = with_line(text, "style: plain", "style: loud")
    text = with_line(text, "{{ a }}", "{{ a }")
    text += "colour: blue\n"
    found = problems_of(text)
    assert [m.split(": ")[1] for m in found] == [
        "colour", "id", "points", "prompt", "constraints[0]", "options.style"]
    assert found[1].startswith("exercises/x.yml:2: id: expected an id")
    assert found[2] == "exercises/x.yml:5: points: expected a number > 0, got 0"
    assert found[3].startswith("exercises/x.yml:7: prompt: invalid jinja2 template")
    assert found[5] == "exercises/x.yml:16: options.style: expected plain or fancy"


def test_duplicate_keys_are_reported_instead_of_silently_overwritten():
    found = problems_of(TINY_EXERCISE.replace("title: A product\n",
                                              "title: A product\ntitle: Another\n"))
    assert found == ["exercises/x.yml:5: title: duplicate key"]


@pytest.mark.parametrize("param, expected", [
    ("{int: [1, 2.5]}", "params.c.int: expected [low, high] with integers or expressions"),
    ("{float: [0, 1], decimals: -1}", "params.c.decimals: expected an integer from 0"),
    ("{choice: []}", "params.c.choice: expected a non-empty list of options"),
    ("{int: [1, 2], choice: [1]}", "params.c: expected exactly one of int, float, choice"),
    ("{derived: \"a + zz\"}", "params.c.derived: uses zz, which is not a scalar parameter"),
    ("{int: [1, 3], step: 2}", "params.c.step: unknown key for a int parameter"),
    ("{matrix: {shape: [3, 3], int: [0, 4], distinct: true}}",
     "params.c.matrix.distinct: 9 distinct values cannot fit in int: [0, 4]"),
    ("{matrix: {shape: [2, 2], int: [1, 1], asymmetric: true}}",
     "params.c.matrix.asymmetric: a constant array cannot be asymmetric"),
    ("{matrix: {shape: [0, 2], int: [1, 3]}}", "params.c.matrix.shape: expected dimensions >= 1"),
    ("{matrix: {shape: [2, 2]}}", "params.c.matrix: expected exactly one of int"),
    ("{tensor: {shape: [2, q], int: [1, 3]}}", "params.c.tensor.shape: uses q, which"),
])
def test_bad_distributions_are_explained(param, expected):
    text = with_line(TINY_EXERCISE, "b: {int: [1, 9]}\n", f"b: {{int: [1, 9]}}\n  c: {param}\n")
    (message,) = problems_of(text)
    assert message.startswith("exercises/x.yml:11: ")
    assert expected in message


def test_constraints_may_only_use_scalar_parameters():
    text = with_line(TINY_EXERCISE, "b: {int: [1, 9]}\n",
                     "b: {int: [1, 9]}\n  m: {matrix: {shape: [2, 2], int: [0, 3]}}\n")
    text = with_line(text, '"a != b"', '"m > 1"')
    assert problems_of(text) == ["exercises/x.yml:13: constraints[0]: uses m, which is not a "
                                 "scalar parameter defined before it"]


def test_answer_section_keys_and_types_are_checked():
    text = TINY_EXERCISE + "answer: {type: integr, rtol: -1, tolerance: 3}\n"
    assert [m.split(": ", 2)[1:] for m in problems_of(text)] == [
        ["answer.type", "expected one of integer, shape, matrix, float, choice, array, got "
                        "'integr'"],
        ["answer.rtol", "expected a number >= 0, got -1"],
        ["answer.tolerance", "unknown key; expected one of type, rtol, atol, per_element_credit"],
    ]


def test_key_paths_round_trip_through_their_text_form():
    path = ("options", "cases", 0, "inputs")
    assert format_path(path) == "options.cases[0].inputs"
    assert parse_path("options.cases[0].inputs") == path


def test_yaml_tags_that_would_build_python_objects_are_refused():
    text = TINY_EXERCISE + "extra: !!python/object/apply:os.system [echo hi]\n"
    with pytest.raises(SpecProblems, match=r"x\.yml:17: invalid YAML: could not determine a "
                                           "constructor"):
        parse_yaml(text, source="exercises/x.yml")


def test_a_misspelt_mistake_id_is_located_and_a_close_match_suggested():
    (message,) = problems_of(TINY_EXERCISE + "mistakes: [kernel_fliped]\n")
    assert message.startswith("exercises/x.yml:17: mistakes[0]: unknown mistake 'kernel_fliped'")
    assert "did you mean kernel_flipped" in message
