"""`cnn-grader validate` and `generate`: bad input is one clear line, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli import main

from .conftest import COURSE, ROSTER, TINY_EXERCISE, write_course

pytestmark = pytest.mark.usefixtures("tiny_kinds")


def generate(course_path: Path, out: Path, *extra: str) -> int:
    return main(["generate", "--assignment", "a1", "--course", str(course_path),
                 "--out", str(out), *extra])


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("TEST_COURSE_SECRET", "cli-test-secret-0123456789-ABCDEFGH")


def test_validate_summarises_a_valid_course(tmp_path, capsys):
    assert main(["validate", str(write_course(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "course test-course is valid: 2 exercises, 3 students" in out
    assert "a1 (2 exercises, 6 points)" in out


def test_validate_lists_every_problem_and_exits_2(tmp_path, capsys):
    exercise = TINY_EXERCISE.replace("points: 4", "points: -1").replace("kind: tiny", "kind: x")
    path = write_course(tmp_path, exercises={"e.yml": exercise},
                        course=COURSE.replace("per_day: 0.1", "per_day: 2"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    first, *rest = err.splitlines()
    assert first == f"cnn-grader: error: {len(rest)} errors:"
    assert any("e.yml:3: kind: unknown kind 'x'" in line for line in rest)
    assert any("e.yml:5: points: expected a number > 0" in line for line in rest)
    assert any("late.per_day: expected a fraction" in line for line in rest)


def test_validate_catches_constraints_that_no_draw_satisfies(tmp_path, capsys):
    exercise = TINY_EXERCISE.replace('"a != b"', '"a * b > 81"')
    path = write_course(tmp_path, exercises={"e.yml": exercise,
                                             "f.yml": exercise.replace("tiny-product",
                                                                       "tiny-other")})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "e.yml:12: constraints[0]: no draw of the parameters satisfies 'a * b > 81'" in err


def test_generate_writes_one_folder_per_student(tmp_path, capsys, secret):
    assert generate(write_course(tmp_path / "c"), tmp_path / "out") == 0
    assert sorted(p.name for p in (tmp_path / "out" / "a1").iterdir()) == ["s001", "s002", "s003"]
    assert "wrote 3 student folders" in capsys.readouterr().out


def test_generate_with_another_roster_uses_it(tmp_path, secret):
    other = tmp_path / "other.csv"
    other.write_text("student_id,name,email\nx1,X,x@example.org\n")
    assert generate(write_course(tmp_path / "c"), tmp_path / "out", "--roster", str(other)) == 0
    assert [p.name for p in (tmp_path / "out" / "a1").iterdir()] == ["x1"]


def test_every_students_numbers_differ(tmp_path, secret):
    roster = "student_id,name,email\n" + "".join(
        f"s{i:03d},Student {i},s{i}@example.org\n" for i in range(12))
    assert generate(write_course(tmp_path / "c", roster=roster), tmp_path / "out") == 0
    handouts = {p.parent.name: p.read_text().split("\n", 3)[3]  # without the header lines
                for p in (tmp_path / "out" / "a1").glob("*/handout.md")}
    assert len(set(handouts.values())) >= 11  # 72 (a, b) pairs: a clash is possible, not likely


BAD_INPUTS = {
    "malformed YAML": ({"course": COURSE.replace("title: A test course", "title: [oops")},
                       "course.yml:4: invalid YAML: expected ',' or ']', but got ':' (while "
                       "parsing a flow sequence on line 3)"),
    "unknown kind": ({"exercises": {"e.yml": TINY_EXERCISE.replace("kind: tiny", "kind: nope"),
                                    "f.yml": TINY_EXERCISE.replace("tiny-product", "tiny-other")}},
                     "e.yml:3: kind: unknown kind 'nope'"),
    "impossible range": ({"exercises": {
        "e.yml": TINY_EXERCISE.replace("a: {int: [1, 9]}", "a: {int: [9, 1]}"),
        "f.yml": TINY_EXERCISE.replace("tiny-product", "tiny-other")}},
        "e.yml:9: params.a.int: expected [low, high] with low <= high, got [9, 1]"),
    "unsatisfiable constraint": ({"exercises": {
        "e.yml": TINY_EXERCISE.replace('"a != b"', '"a > 9"'),
        "f.yml": TINY_EXERCISE.replace("tiny-product", "tiny-other")}},
        "constraint 'a > 9' does not hold"),
    "duplicate ids": ({"exercises": {"e.yml": TINY_EXERCISE, "f.yml": TINY_EXERCISE}},
                      "duplicate exercise id 'tiny-product', already used in"),
    "bad roster row": ({"roster": ROSTER + "s004,Dee\n"}, "roster.csv:5: expected 3 fields"),
    "duplicate roster row": ({"roster": ROSTER + "s001,Again,a@example.org\n"},
                             "roster.csv:5: duplicate student_id 's001' (first on line 2)"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_one_line_exit_2_and_nothing_written(name, tmp_path, capsys, secret):
    files, message = BAD_INPUTS[name]
    path = write_course(tmp_path / "c", **files)
    assert generate(path, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "out").exists()


def test_a_missing_secret_is_one_line_naming_where_it_looked(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TEST_COURSE_SECRET", raising=False)
    path = write_course(tmp_path / "c")
    assert generate(path, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no course secret found" in err and "TEST_COURSE_SECRET" in err
    assert str(tmp_path / "c" / ".course-secret") in err
    assert not (tmp_path / "out").exists()


def test_an_unknown_assignment_is_refused_before_anything_is_written(tmp_path, capsys, secret):
    path = write_course(tmp_path / "c")
    assert main(["generate", "--assignment", "zz", "--course", str(path),
                 "--out", str(tmp_path / "out")]) == 2
    assert "no assignment 'zz'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


class FakeTerminal:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_the_progress_bar_redraws_one_line_and_ends_it():
    from grader.cli.instructor import ProgressBar

    terminal = FakeTerminal()
    bar = ProgressBar(terminal, width=10)
    bar(1, 4)
    bar(4, 4)
    bar.finish()
    assert terminal.text.endswith("\r[##########] 4/4\n")
    assert terminal.text.count("\n") == 1


def test_generate_draws_a_progress_bar_only_on_a_terminal(tmp_path, secret):
    from grader.cli.instructor import generate_release

    terminal = FakeTerminal()
    generate_release(course_path=write_course(tmp_path / "c"), assignment_id="a1",
                     roster_path=None, out_dir=tmp_path / "out", stream=terminal)
    assert "3/3" in terminal.text
