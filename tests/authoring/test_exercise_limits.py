"""An exercise's own sandbox limits: validated with their lines, carried to every copy.

The ``limits:`` mapping of an exercise file must reach every place a variant lives:
the spec, the built variant, its prompt, the variant store, and the released
``public.json`` that ``check`` reads (an older release, without it, keeps the
defaults).  Whether the sandbox then applies them is tests/grading/test_limits_reach_the_sandbox.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.authoring.course import load_course
from grader.authoring.kinds import get_kind
from grader.authoring.public_cases import load_public_cases, save_public_cases
from grader.authoring.spec import parse_exercise
from grader.authoring.variant import build_assignment_variant, build_exercise_variant
from grader.authoring.variant_store import cached_assignment_variant
from grader.authoring.yamldoc import parse_yaml
from grader.errors import SpecError

REPO = Path(__file__).resolve().parents[2]
SECRET = b"limits-tests-secret-0123456789-ABCDEFGH"
SIZE = """\
schema_version: 1
id: size
kind: by_hand
title: A size
points: 1
prompt: "n={{ n }}"
params:
  n: {int: [9, 40]}
  p: {int: [1, 3]}
  s: {int: [2, 4]}
constraints:
  - "(n + 2 * p - 3) % s != 0"
answer: {type: integer}
mistakes: [floor_forgotten, rounded_up]
options:
  reference: conv_output_size
  arguments: {n: n, k: 3, stride: s, padding: p}
  answers:
    - {name: SIZE, label: output size}
"""
LIMITS_LINE = SIZE.splitlines().index("options:") + 1  # `limits:` goes before `options:`


def with_limits(body: str, text: str = SIZE) -> str:
    return text.replace("options:", f"limits:\n{body}options:")


def parsed(text: str):
    return parse_exercise(parse_yaml(text, source="e.yml"), get_kind)


def problems_of(text: str) -> list[str]:
    spec, problems = parsed(text)
    assert (spec is None) == bool(problems)
    return [str(problem) for problem in problems]


def test_an_exercise_without_limits_has_none():
    spec, problems = parsed(SIZE)
    assert problems == [] and spec.limits == ()


def test_limits_are_kept_in_one_order_whatever_order_they_were_written_in():
    one, _ = parsed(with_limits("  wall_seconds: 45\n  cpu_seconds: 20\n"))
    other, _ = parsed(with_limits("  cpu_seconds: 20\n  wall_seconds: 45\n"))
    assert dict(one.limits) == {"wall_seconds": 45, "cpu_seconds": 20}
    assert one.limits == other.limits


def test_an_unknown_limit_names_file_line_key_and_the_known_keys():
    (problem,) = problems_of(with_limits("  cpu_seconds: 20\n  procs: 3\n"))
    assert problem.startswith(f"e.yml:{LIMITS_LINE + 2}: limits.procs: unknown limit 'procs'")
    assert all(key in problem for key in ("wall_seconds", "cpu_seconds", "address_space_mb"))


def test_a_misspelt_limit_says_which_one_it_may_stand_for():
    (problem,) = problems_of(with_limits("  cpu_second: 20\n"))
    assert f"e.yml:{LIMITS_LINE + 1}: limits.cpu_second:" in problem
    assert "did you mean 'cpu_seconds'?" in problem


@pytest.mark.parametrize("body, key", [
    ("  cpu_seconds: 0\n", "cpu_seconds"),
    ("  wall_seconds: -5\n", "wall_seconds"),
    ("  address_space_mb: 0\n", "address_space_mb"),
])
def test_a_limit_that_is_not_positive_is_refused_with_its_line(body, key):
    (problem,) = problems_of(with_limits(body))
    assert problem.startswith(f"e.yml:{LIMITS_LINE + 1}: limits.{key}: expected a positive")


@pytest.mark.parametrize("body, key", [
    ("  cpu_seconds: 601\n", "cpu_seconds"),  # ten minutes of one grading slot
    ("  address_space_mb: 8193\n", "address_space_mb"),
    ("  address_space_mb: 16\n", "address_space_mb"),  # NumPy could never be imported
    ("  wall_seconds: 100000\n", "wall_seconds"),
    ("  wall_seconds: .inf\n", "wall_seconds"),
])
def test_an_absurd_limit_is_refused_with_its_line_and_range(body, key):
    (problem,) = problems_of(with_limits(body))
    assert problem.startswith(f"e.yml:{LIMITS_LINE + 1}: limits.{key}: expected")
    assert " from " in problem


@pytest.mark.parametrize("value", ["1.5", "true", "'30'", "[30]"])
def test_the_cpu_limit_is_a_whole_number_of_seconds(value):
    (problem,) = problems_of(with_limits(f"  cpu_seconds: {value}\n"))
    assert "limits.cpu_seconds: expected a whole number of seconds" in problem


def test_limits_that_are_not_a_mapping_are_refused():
    (problem,) = problems_of(SIZE.replace("options:", "limits: 30\noptions:"))
    assert problem.startswith(f"e.yml:{LIMITS_LINE}: limits: expected a mapping")


def test_every_bad_limit_is_reported_at_once():
    problems = problems_of(with_limits("  cpu_seconds: 0\n  wall_seconds: 0\n  memory: 1\n"))
    assert len(problems) == 3


def build(text: str):
    spec, problems = parsed(text)
    assert problems == []
    return build_exercise_variant(spec, secret=SECRET, points=1.0, kind=get_kind(spec.kind),
                                  path=("c", "a", spec.exercise_id, "s1"))


def test_the_variant_carries_the_limits_and_the_prompt_can_state_them():
    text = with_limits("  cpu_seconds: 20\n", SIZE.replace(
        'prompt: "n={{ n }}"', 'prompt: "n={{ n }}, within {{ limits.cpu_seconds }} s"'))
    variant = build(text)
    assert variant.limits == (("cpu_seconds", 20),)
    assert variant.prompt_markdown.endswith("within 20 s")


def test_limits_change_nothing_else_in_the_variant():
    plain, limited = build(SIZE), build(with_limits("  cpu_seconds: 20\n"))
    assert plain.params == limited.params and plain.stub_source == limited.stub_source
    assert [c.expected for c in plain.cases] == [c.expected for c in limited.cases]


def test_the_released_public_cases_carry_the_limits_and_check_reads_them(tmp_path):
    variant = build(with_limits("  wall_seconds: 45\n  address_space_mb: 2048\n"))
    assignment = _assignment_of(variant)
    save_public_cases(assignment, tmp_path)
    (read,) = load_public_cases(tmp_path).exercises
    assert read.limits == variant.limits == (("wall_seconds", 45), ("address_space_mb", 2048))


def test_a_release_without_limits_reads_as_the_defaults(tmp_path):
    """An older release (written before limits existed) has no ``limits`` key."""
    save_public_cases(_assignment_of(build(SIZE)), tmp_path)
    document = json.loads((tmp_path / ".cnn-grader" / "public.json").read_text())
    assert "limits" not in document["exercises"][0]  # an exercise without: bytes unchanged
    assert load_public_cases(tmp_path).exercises[0].limits == ()


def test_a_released_limit_with_a_bad_value_is_named_when_check_reads_it(tmp_path):
    save_public_cases(_assignment_of(build(with_limits("  cpu_seconds: 20\n"))), tmp_path)
    path = tmp_path / ".cnn-grader" / "public.json"
    path.write_text(path.read_text().replace('"cpu_seconds": 20', '"cpu_seconds": -1'))
    with pytest.raises(SpecError, match=r"public\.json: size.*limits\.cpu_seconds"):
        load_public_cases(tmp_path)


def test_the_demo_training_exercise_states_its_own_limits_in_its_prompt():
    course = load_course(REPO / "course.yml")
    spec = course.exercises["tinycnn-train"]
    limits = dict(spec.limits)
    assert limits["cpu_seconds"] >= 30 and limits["wall_seconds"] >= 2 * limits["cpu_seconds"]
    variant = build_assignment_variant(course, "a4-tinycnn", "s1", SECRET)
    (train,) = [e for e in variant.exercises if e.exercise_id == "tinycnn-train"]
    prompt = " ".join(train.prompt_markdown.split())
    assert f"{limits['cpu_seconds']} s of CPU time" in prompt
    assert f"{limits['wall_seconds']} s of wall-clock time" in prompt


def test_a_variant_read_back_from_the_store_has_the_same_limits(tmp_path, monkeypatch):
    from grader.authoring import variant_store

    course = load_course(REPO / "course.yml")
    built = cached_assignment_variant(course, "a4-tinycnn", "s1", SECRET, folder=tmp_path)

    def no_building(*args, **kwargs):
        raise AssertionError("the stored variant was not read")

    monkeypatch.setattr(variant_store, "build_assignment_variant", no_building)
    stored = cached_assignment_variant(course, "a4-tinycnn", "s1", SECRET, folder=tmp_path)
    assert any(e.limits for e in built.exercises)
    assert [e.limits for e in stored.exercises] == [e.limits for e in built.exercises]


def _assignment_of(exercise):
    from grader.model import AssignmentVariant

    return AssignmentVariant(course_id="c", assignment_id="a", student_id="s1", title="A",
                             exercises=(exercise,))
