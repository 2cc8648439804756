"""Every command documents its options and defaults; course-reading commands take --course."""

from __future__ import annotations

import argparse
import textwrap

import pytest

from grader.cli import build_parser, main

COURSE_COMMANDS = ("validate", "generate", "selfcheck", "grade", "report", "demo",
                   "nbgrader export", "nbgrader release", "nbgrader keys")


def commands(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield f"{prefix}{name}", child
                yield from commands(child, f"{prefix}{name} ")


ALL = dict(commands(build_parser()))


def options(parser: argparse.ArgumentParser):
    return [a for a in parser._actions
            if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)]


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_option_has_help_and_its_default_is_shown(name):
    parser = ALL[name]
    shown = " ".join(parser.format_help().split())
    for action in options(parser):
        if action.help == argparse.SUPPRESS:
            continue
        assert action.help, f"{name}: {action.dest} has no help text"
        if action.default not in (None, False) and not action.required:
            assert "default" in action.help or f"(default: {action.default})" in shown, (
                f"{name}: the default of {action.dest} is not shown")


@pytest.mark.parametrize("name", COURSE_COMMANDS)
def test_commands_that_read_a_course_take_the_course_option(name):
    assert any("--course" in a.option_strings for a in options(ALL[name]))


def test_the_main_help_says_where_the_secret_comes_from():
    assert "CNN_GRADER_SECRET" in build_parser().format_help()


def test_validate_takes_course_as_an_option_and_still_as_a_deprecated_argument(
        tmp_path, capsys):
    missing = tmp_path / "nowhere.yml"
    assert main(["validate", "--course", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    assert main(["validate", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    assert "deprecated spelling of --course" in ALL["validate"].format_help()
    assert main(["validate", str(missing), "--course", str(missing)]) == 2
    assert "give the course file once" in capsys.readouterr().err


EXERCISE = """\
schema_version: 1
id: only-one
kind: by_hand
title: One size
points: 1
prompt: "n={{ n }}"
params:
  n: {int: [9, 20]}
answer: {type: integer}
mistakes: [plus_one_forgotten]
options:
  reference: conv_output_size
  arguments: {n: n, k: 3}
  answers:
    - {name: SIZE, label: size}
"""


def test_selfcheck_checks_the_exercise_folder_the_course_names(tmp_path, capsys):
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "only.yml").write_text(EXERCISE, encoding="utf-8")
    course = tmp_path / "course.yml"
    course.write_text(textwrap.dedent("""\
        schema_version: 1
        id: c
        exercises: problems
        """), encoding="utf-8")
    assert main(["selfcheck", "--course", str(course), "--seeds", "3"]) == 0
    out = capsys.readouterr().out
    assert "ok   only-one (3 seeds" in out and "1 exercises, 0 with defects" in out
