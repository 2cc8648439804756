"""An exercise's own limits reach the sandbox: in ``grade`` and in the student's ``check``.

Two copies of one implementation exercise, one with ``limits: {cpu_seconds: 1}`` and
one without, get the same solution, which first burns 2 s of CPU: the limited one
must be stopped by its CPU limit, the other (default limits) must pass.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from grader.authoring.course import load_course
from grader.authoring.release import write_release
from grader.authoring.variant import build_assignment_variant
from grader.cli import demo_submissions
from grader.grading.grade import grade_submission, run_limits
from grader.grading.pipeline import run_check
from grader.sandbox import Limits, Sandbox

REPO = Path(__file__).resolve().parents[2]
SECRET = "limits-grading-tests-secret-0123456789-ABCDEFGH"
BURN = textwrap.dedent("""\
    import time as _time

    _started = _time.process_time()
    while _time.process_time() - _started < 2.0:  # 2 s of CPU before anything else
        pass
""")
CPU_MESSAGE = "used more than 1 s of CPU time"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """``limited`` (1 s of CPU) and ``free`` (the defaults): the same exercise twice."""
    monkeypatch.setenv("CNN_GRADER_LIMITS_SECRET", SECRET)
    (tmp_path / "exercises").mkdir()
    source = (REPO / "exercises" / "impl-maxpool.yml").read_text(encoding="utf-8")
    limited = source.replace("id: impl-maxpool", "id: limited").replace(
        "options:", "limits: {cpu_seconds: 1}\noptions:", 1)
    (tmp_path / "exercises" / "limited.yml").write_text(limited, encoding="utf-8")
    free = source.replace("id: impl-maxpool", "id: free")
    (tmp_path / "exercises" / "free.yml").write_text(free, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("student_id,name,email\nada,Ada L,ada@example.org\n",
                                         encoding="utf-8")
    (tmp_path / "course.yml").write_text(textwrap.dedent("""\
        schema_version: 1
        id: limits-course
        title: Limits tests
        secret: {env: CNN_GRADER_LIMITS_SECRET}
        roster: roster.csv
        assignments:
          - id: hw
            title: Homework
            due: "2026-03-01T23:59:00+00:00"
            exercises: [limited, free]
        """), encoding="utf-8")
    return load_course(tmp_path / "course.yml")


def slow_solutions(variant) -> dict[str, bytes]:
    files = demo_submissions.reference_files(variant)
    return {name: BURN.encode() + data for name, data in files.items()}


def messages(result, exercise_id: str) -> list[str]:
    (exercise,) = [e for e in result.exercises if e.exercise_id == exercise_id]
    return [check.message for check in exercise.checks if check.status != "passed"]


def test_the_exercise_cpu_limit_stops_its_run_and_the_default_lets_the_other_pass(course):
    variant = build_assignment_variant(course, "hw", "ada", SECRET.encode())
    with Sandbox() as sandbox:
        result = grade_submission(variant=variant, files=slow_solutions(variant),
                                  sandbox=sandbox)
    stopped = messages(result, "limited")
    assert stopped and all(CPU_MESSAGE in message for message in stopped)
    assert messages(result, "free") == []


def test_check_runs_under_the_released_limits_and_an_older_release_under_the_defaults(
        course, tmp_path):
    release = write_release(course, "hw", course.roster, SECRET.encode(), tmp_path / "out")
    folder = release / "ada"
    variant = build_assignment_variant(course, "hw", "ada", SECRET.encode())
    for name, data in slow_solutions(variant).items():
        (folder / name).write_bytes(data)
    checked = run_check(folder=folder)
    assert messages(checked, "limited") and all(
        CPU_MESSAGE in message for message in messages(checked, "limited"))
    assert messages(checked, "free") == []
    public = folder / ".cnn-grader" / "public.json"
    document = json.loads(public.read_text(encoding="utf-8"))
    for exercise in document["exercises"]:
        exercise.pop("limits", None)  # as a release written before limits existed
    public.write_text(json.dumps(document), encoding="utf-8")
    older = run_check(folder=folder)
    assert messages(older, "limited") == [] and messages(older, "free") == []


def test_without_limits_of_its_own_an_exercise_runs_under_the_given_ones():
    base = Limits(wall_seconds=3, cpu_seconds=2)
    assert run_limits(base, ()) == base


def test_the_exercise_limits_replace_only_what_they_name():
    chosen = run_limits(Limits(), (("cpu_seconds", 30), ("wall_seconds", 45),
                                   ("address_space_mb", 2048)))
    assert (chosen.cpu_seconds, chosen.wall_seconds, chosen.address_space_mb) == (30, 45, 2048)
    assert chosen.open_files == Limits().open_files and chosen.output_mb == Limits().output_mb


def test_a_raised_cpu_limit_alone_raises_the_wall_limit_with_it():
    """Else a wall limit below the CPU limit would stop a correct run first."""
    assert run_limits(Limits(), (("cpu_seconds", 30),)).wall_seconds == 60
    assert run_limits(Limits(), (("cpu_seconds", 2),)).wall_seconds == Limits().wall_seconds


def test_by_default_the_clock_allows_more_than_the_cpu_limit():
    """On a loaded machine a correct run gets less than a core: its own CPU time, not
    the clock, must be what stops it."""
    assert Limits().wall_seconds >= 2 * Limits().cpu_seconds
