"""`cnn-grader validate` names the line to edit: constraints, prompts, due dates, ids."""

from __future__ import annotations

import pytest

from grader.cli import main

COURSE = """\
schema_version: 1
id: c
title: A course
secret: {env: NO_SUCH_SECRET_VARIABLE}
roster: roster.csv
exercises: exercises
assignments:
  - id: a1
    title: First
    due: 2026-10-05T23:59:00+02:00
    late: {per_day: 0.1, max_days: 5}
    exercises: [conv-size]
"""

EXERCISE = """\
schema_version: 1
id: conv-size
kind: by_hand
title: Output size
points: 1
prompt: |
  An input of side {{ n }} meets a kernel of side {{ k }}
  with stride {{ s }}.
  What is the output side?
params:
  n: {int: [9, 30]}
  k: {choice: [3, 5]}
  s: {int: [2, 3]}
constraints:
  - "k <= n"
  - "(n - k) % s != 0"
answer: {type: integer}
mistakes: [floor_forgotten]
options:
  reference: conv_output_size
  arguments: {n: n, k: k, stride: s}
  answers:
    - {name: SIZE, label: output size}
"""


@pytest.fixture
def run(tmp_path, capsys):
    """Write the course and its one exercise, validate; exit code and all output."""
    def run(*, course: str = COURSE, exercise: str = EXERCISE) -> tuple[int, str]:
        (tmp_path / "exercises").mkdir(exist_ok=True)
        (tmp_path / "exercises" / "conv-size.yml").write_text(exercise, encoding="utf-8")
        roster = "student_id,name,email\ns1,Ada,ada@example.org\n"
        (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
        (tmp_path / "course.yml").write_text(course, encoding="utf-8")
        code = main(["validate", "--course", str(tmp_path / "course.yml")])
        captured = capsys.readouterr()
        return code, (captured.out + captured.err).replace(str(tmp_path) + "/", "")
    return run


def test_the_example_course_is_valid(run):
    code, out = run()
    assert code == 0, out


def test_a_constraint_no_draw_satisfies_is_reported_at_its_line(run):
    exercise = EXERCISE.replace('"(n - k) % s != 0"', '"n > 40"')
    code, out = run(exercise=exercise)
    assert code == 2
    assert ("exercises/conv-size.yml:16: constraints[1]: no draw of the parameters "
            "satisfies 'n > 40'") in out


def test_constraints_that_contradict_each_other_point_at_the_later_one(run):
    exercise = EXERCISE.replace('"k <= n"', '"n < 12"').replace('"(n - k) % s != 0"',
                                                                  '"n > 20"')
    code, out = run(exercise=exercise)
    assert code == 2 and "conv-size.yml:16: constraints[1]: " in out


def test_an_undefined_name_in_the_prompt_is_reported_at_its_line(run):
    exercise = EXERCISE.replace("with stride {{ s }}.", "with stride {{ stide }}.")
    code, out = run(exercise=exercise)
    assert code == 2
    assert "exercises/conv-size.yml:8: prompt: the prompt uses 'stide'" in out


def test_pool_padding_over_half_the_window_is_refused_like_pytorch(run):
    exercise = EXERCISE.replace("reference: conv_output_size", "reference: pool_output_size") \
        .replace("arguments: {n: n, k: k, stride: s}", "arguments: {n: n, k: 2, padding: 2}") \
        .replace("[floor_forgotten]", "[pool_stride_defaults_to_one]")
    code, out = run(exercise=exercise)
    assert code == 2
    assert "padding 2 is more than half the window 2" in out


@pytest.mark.parametrize(("written", "expected"), [
    ("2026-10-05T23:59:00", "2026-10-05 23:59:00 has no timezone, so it would mean"),
    ('"2026-10-05 23:59"', "2026-10-05 23:59:00 has no timezone, so it would mean"),
    ("2026-10-05", "2026-10-05 has no time of day"),
])
def test_a_due_date_without_timezone_gets_a_sentence_not_a_repr(run, written, expected):
    code, out = run(course=COURSE.replace("2026-10-05T23:59:00+02:00", written))
    assert code == 2
    assert (f"course.yml:10: assignments[0].due: expected an ISO 8601 date and time with a "
            f"timezone: {expected}") in out
    assert "datetime.datetime(" not in out


def test_a_misspelt_exercise_id_in_the_course_gets_a_did_you_mean(run):
    code, out = run(course=COURSE.replace("exercises: [conv-size]", "exercises: [conv-sise]"))
    assert code == 2
    assert ("unknown exercise 'conv-sise'; no exercise file has this id; did you mean "
            "'conv-size'?") in out
