"""What the test cells do inside the kernel: find the key, read the student's names, score."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.errors import GraderError
from grader.model import Probe
from grader.nbgrader.kernel import (
    GRADER_FAULT_EXIT,
    KEYS_ENV,
    PUBLIC_KEY,
    Session,
    autograde_key,
    evaluate_probe,
    open_session,
)
from grader.nbgrader.keyfile import read_key, write_key
from tests.nbgrader.toy import FLOOR_FORGOTTEN, numbers, toy_variant

AUTOGRADE = {"NBGRADER_EXECUTION": "autograde"}


def _correct_namespace(student: str) -> dict:
    n, k, s = numbers(student)
    return {"OUT_H": (n - k) // s + 1, "OUT_W": (n + 1 - k) // s + 1,
            "scale": lambda x, factor: x * factor}


@pytest.fixture
def course_root(tmp_path: Path) -> Path:
    """``<root>/autograded/alice/a1`` with alice's key where autograde looks by default."""
    write_key(toy_variant("alice"), tmp_path / "cnn_grader" / "keys" / "a1" / "alice.json")
    (tmp_path / "autograded" / "alice" / "a1").mkdir(parents=True)
    return tmp_path


def _session(student: str, tmp_path: Path) -> Session:
    return Session(key=read_key(write_key(toy_variant(student), tmp_path / "k.json")),
                   mode="autograde")


def test_correct_answers_earn_each_exercises_public_and_hidden_points(tmp_path):
    session, namespace = _session("alice", tmp_path), _correct_namespace("alice")
    assert session.check("output-size", namespace, "public") == 2.0
    assert session.check("output-size", namespace, "hidden") == 1.0
    assert session.check("scale-rows", namespace, "public") == 1.0
    assert session.check("scale-rows", namespace, "hidden") == 2.0


def test_a_modeled_mistake_is_named_in_what_the_cell_prints(tmp_path, capsys):
    n, k, s = numbers("alice")
    namespace = dict(_correct_namespace("alice"), OUT_H=(n - k) / s + 1)
    assert _session("alice", tmp_path).check("output-size", namespace, "public") == 0.0
    assert FLOOR_FORGOTTEN in capsys.readouterr().out


def test_another_students_answers_fail_against_this_students_key(tmp_path):
    assert numbers("bob") != numbers("alice")
    assert _session("alice", tmp_path).check("output-size", _correct_namespace("bob"),
                                             "public") == 0.0


@pytest.mark.parametrize(("namespace", "message"), [
    ({}, "defines no variable named 'OUT_H'"),
    ({"OUT_H": None}, "still None"),
    ({"OUT_H": True}, "not a number"),
    ({"OUT_H": float("nan")}, "not finite"),
])
def test_missing_or_unusable_answers_score_zero_with_a_reason(tmp_path, capsys, namespace,
                                                              message):
    assert _session("alice", tmp_path).check("output-size", namespace, "public") == 0.0
    assert message in capsys.readouterr().out


def test_student_warnings_and_prints_never_reach_stderr(tmp_path, capsys):
    # nbgrader gives a test cell zero as soon as it writes anything to stderr.
    def scale(x, factor):
        import warnings

        warnings.warn("noisy", RuntimeWarning, stacklevel=1)
        print("debug", file=sys.stderr)
        return x * factor

    session = _session("alice", tmp_path)
    assert session.check("scale-rows", {"scale": scale}, "public") == 1.0
    assert capsys.readouterr().err == ""


def test_a_student_function_that_changes_its_input_does_not_change_later_cases(tmp_path):
    def scale(x, factor):
        result = x * factor
        x[...] = 0
        return result

    session = _session("alice", tmp_path)
    assert session.check("scale-rows", {"scale": scale}, "hidden") == 2.0
    assert session.check("scale-rows", {"scale": scale}, "hidden") == 2.0


def test_under_autograde_the_key_follows_the_submission_folder(course_root):
    key = autograde_key(course_root / "autograded" / "alice" / "a1", AUTOGRADE)
    assert (key.student_id, key.scope) == ("alice", "all")


def test_under_autograde_the_key_folder_can_come_from_the_environment(course_root, tmp_path):
    moved = tmp_path / "elsewhere"
    (course_root / "cnn_grader" / "keys").rename(moved)
    key = autograde_key(course_root / "autograded" / "alice" / "a1",
                        dict(AUTOGRADE, **{KEYS_ENV: str(moved)}))
    assert key.student_id == "alice"


def test_a_key_filed_under_the_wrong_student_is_refused(course_root):
    keys = course_root / "cnn_grader" / "keys" / "a1"
    (keys / "alice.json").rename(keys / "bob.json")
    (course_root / "autograded" / "bob" / "a1").mkdir(parents=True)
    with pytest.raises(GraderError, match="not the full key of bob/a1"):
        autograde_key(course_root / "autograded" / "bob" / "a1", AUTOGRADE)


def test_a_missing_key_under_autograde_ends_the_kernel_instead_of_scoring_zero(tmp_path):
    folder = tmp_path / "autograded" / "carol" / "a1"
    folder.mkdir(parents=True)
    code = "from grader.nbgrader.kernel import open_session; open_session(); print('went on')"
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                          text=True, env={"NBGRADER_EXECUTION": "autograde", "PATH": ""},
                          timeout=60, check=False)
    assert done.returncode == GRADER_FAULT_EXIT
    assert "no answer key" in done.stderr and "went on" not in done.stdout


def test_outside_autograde_the_public_key_beside_the_notebook_is_used(tmp_path):
    write_key(toy_variant("alice"), tmp_path / PUBLIC_KEY, scope="public")
    session = open_session(tmp_path, {})
    assert session.mode == "self-check"
    assert session.check("output-size", _correct_namespace("alice"), "public") == 2.0
    assert session.check("output-size", _correct_namespace("alice"), "hidden") == 0.0


def test_without_any_key_a_check_says_so_and_scores_nothing(tmp_path, capsys):
    session = open_session(tmp_path, {})
    assert session.check("output-size", {"OUT_H": np.int64(1)}, "public") == 0.0
    assert "No answer key" in capsys.readouterr().out


@pytest.mark.parametrize(("value", "expected"), [
    (np.int64(7), 7),                      # NumPy scalars arrive as Python numbers
    (np.float32(0.5), 0.5),
    ((2, 3), np.array([2, 3])),            # sequences arrive as int64/float64 arrays
    (np.arange(3, dtype=np.uint8), np.arange(3)),
])
def test_values_are_normalized_as_the_sandbox_normalizes_them(value, expected):
    outcome = evaluate_probe(Probe("attribute", "X"), {"X": value})
    assert outcome.error is None
    assert type(outcome.value) is type(expected)
    np.testing.assert_array_equal(outcome.value, expected)


def test_a_multi_output_function_must_return_one_value_per_output():
    probe = Probe("call", "backward", (), ("dx", "dw", "db"))
    outcome = evaluate_probe(probe, {"backward": lambda: (1.0, 2.0)})
    assert outcome.value is None and "expected a tuple of 3 values (dx, dw, db)" in outcome.error
    good = evaluate_probe(probe, {"backward": lambda: (1.0, np.ones(2), 3)})
    assert good.error is None and len(good.value) == 3


def test_an_exception_in_the_students_function_is_reported_as_theirs():
    outcome = evaluate_probe(Probe("call", "f"), {"f": lambda: 1 / 0})
    assert outcome.error.startswith("raised ZeroDivisionError")
