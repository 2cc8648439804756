"""course.yml, the roster and the exercise folder, validated together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grader.authoring.course import load_course, parse_roster, read_secret
from grader.authoring.late import late_penalty
from grader.authoring.yamldoc import SpecProblems
from grader.errors import SpecError

from .conftest import COURSE, ROSTER, TINY_EXERCISE, tiny_lookup, write_course


def load_problems(tmp_path, **files) -> list[str]:
    with pytest.raises(SpecProblems) as raised:
        load_course(write_course(tmp_path, **files), get_kind=tiny_lookup)
    return [str(p) for p in raised.value.problems]


def test_a_valid_course_loads_with_its_roster_assignments_and_exercises(tmp_path):
    course = load_course(write_course(tmp_path), get_kind=tiny_lookup)
    assert course.course_id == "test-course"
    assert [s.student_id for s in course.roster] == ["s001", "s002", "s003"]
    assert sorted(course.exercises) == ["tiny-other", "tiny-product"]
    (assignment,) = course.assignments
    assert [(e.exercise_id, e.points) for e in assignment.exercises] == [
        ("tiny-product", 4.0), ("tiny-other", 2.0)]  # the course overrides tiny-other's 4
    assert assignment.due == datetime(2026, 10, 5, 21, 59, tzinfo=UTC)


def test_the_late_policy_takes_a_tenth_per_started_day_and_everything_after_five_days(tmp_path):
    policy = load_course(write_course(tmp_path), get_kind=tiny_lookup).assignments[0].late_policy
    due = policy.due
    assert late_penalty(policy, due + timedelta(minutes=1)) == (1, 0.1)
    assert late_penalty(policy, due + timedelta(days=4, hours=1)) == (5, 0.5)
    assert late_penalty(policy, due + timedelta(days=5, hours=1)) == (6, 1.0)


def test_duplicate_exercise_ids_name_both_files(tmp_path):
    problems = load_problems(tmp_path, exercises={"one.yml": TINY_EXERCISE,
                                                  "two.yml": TINY_EXERCISE})
    assert any("two.yml" in p and "duplicate exercise id 'tiny-product'" in p
               and "one.yml" in p for p in problems)


def test_a_roster_with_bad_and_duplicate_rows_names_every_line(tmp_path):
    roster = ROSTER + "s002,Someone Else,else@example.org\nbad id,X,x@example.org\n" \
                      "s009,Nobody,not-an-email\ns010,Short\n"
    problems = load_problems(tmp_path, roster=roster)
    roster_path = str(tmp_path / "roster.csv")
    assert problems == [
        f"{roster_path}:5: duplicate student_id 's002' (first on line 3)",
        f"{roster_path}:6: student_id 'bad id': expected 1 to 64 letters, digits, '.', '_', "
        "'@' or '-', starting with a letter or digit (it names a folder)",
        f"{roster_path}:7: email 'not-an-email' is not an e-mail address",
        f"{roster_path}:8: expected 3 fields (student_id,name,email), got 2",
    ]


def test_a_roster_without_the_expected_header_is_refused():
    with pytest.raises(SpecProblems, match=r"r\.csv:1: expected the header student_id,name,email"):
        parse_roster("id,name,mail\n1,a,a@b.c\n", source="r.csv")


@pytest.mark.parametrize("old, new, expected", [
    ("due: 2026-10-05T23:59:00+02:00", "due: 2026-10-05",
     "assignments[0].due: expected an ISO 8601 date and time with a timezone"),
    ("due: 2026-10-05T23:59:00+02:00", "due: 2026-10-05T23:59:00",
     "assignments[0].due: expected an ISO 8601 date and time with a timezone"),
    ("per_day: 0.1", "per_day: 10", "assignments[0].late.per_day: expected a fraction"),
    ("- tiny-product", "- tiny-missing",
     "assignments[0].exercises[0]: unknown exercise 'tiny-missing'"),
    ("{id: tiny-other, points: 2}", "{id: tiny-other, points: -2}",
     "assignments[0].exercises[1].points: expected a number > 0, got -2"),
    ("secret: {env: TEST_COURSE_SECRET, file: .course-secret}", "secret: hunter2",
     "secret: expected {env: VARIABLE} and/or {file: PATH}"),
    ("id: test-course", "id: Test Course", "id: expected an id"),
])
def test_course_problems_name_their_key_path(tmp_path, old, new, expected):
    assert old in COURSE
    (problem,) = load_problems(tmp_path, course=COURSE.replace(old, new))
    assert str(tmp_path / "course.yml") in problem and expected in problem


def test_problems_from_every_file_are_collected_into_one_error(tmp_path):
    course = COURSE.replace("per_day: 0.1", "per_day: 10")
    exercise = TINY_EXERCISE.replace("points: 4", "points: -4")
    roster = ROSTER + "s001,Twice,t@example.org\n"
    with pytest.raises(SpecProblems) as raised:
        load_course(write_course(tmp_path, course=course, roster=roster,
                                 exercises={"tiny.yml": exercise}), get_kind=tiny_lookup)
    message = str(raised.value)
    assert message.splitlines()[0] == f"{len(raised.value.problems)} errors:"
    assert "per_day" in message and "roster.csv:5" in message and "tiny.yml:5: points" in message


def test_the_secret_comes_from_the_environment_before_the_file(tmp_path):
    course = load_course(write_course(tmp_path), get_kind=tiny_lookup)
    (tmp_path / ".course-secret").write_text("from-file-0123456789-abcdefghijklmn\n")
    from_env = "from-env-0123456789-abcdefghijklmn"
    assert read_secret(course, environ={"TEST_COURSE_SECRET": from_env}) == from_env.encode()
    assert read_secret(course, environ={}) == b"from-file-0123456789-abcdefghijklmn"


def test_a_missing_secret_names_every_place_looked(tmp_path):
    course = load_course(write_course(tmp_path), get_kind=tiny_lookup)
    with pytest.raises(SpecError) as raised:
        read_secret(course, environ={})
    message = str(raised.value)
    assert "TEST_COURSE_SECRET" in message and ".course-secret" in message
    assert "\n" not in message


def test_an_unknown_assignment_lists_the_known_ones(tmp_path):
    course = load_course(write_course(tmp_path), get_kind=tiny_lookup)
    with pytest.raises(SpecError, match=r"no assignment 'a9'.*known: a1"):
        course.assignment("a9")


def test_a_course_file_that_is_not_a_mapping_is_one_clear_problem(tmp_path):
    path = write_course(tmp_path, course="- just\n- a list\n")
    with pytest.raises(SpecProblems) as raised:
        load_course(path, get_kind=tiny_lookup)
    assert str(raised.value) == f"{path}:1: expected a mapping of course fields at the top level"


def test_a_missing_course_file_is_named(tmp_path):
    with pytest.raises(SpecProblems, match=r"nowhere\.yml: cannot read the file"):
        load_course(tmp_path / "nowhere.yml", get_kind=tiny_lookup)
