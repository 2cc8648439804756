"""``cnn-grader check`` in a released folder: what a student sees before submitting.

Practice answers get the full diagnosis; graded answers only a verdict on their form
(given, the right type, the right shape) that never shows their value; the exit
status says whether anything is left to do.  Run as a real subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from .conftest import exercise, run_cli, write_module


def literal(value) -> str:
    return repr(np.asarray(value).tolist() if isinstance(value, np.ndarray) else value)


def answer_everything(folder, variant) -> None:
    """Every module as a correct student submits it (practice answers included)."""
    for one in variant.exercises:
        (folder / f"{one.module}.py").write_text(one.solution_source, encoding="utf-8")


def test_a_blank_release_fails_and_says_what_is_missing(folder):
    done = run_cli("check", str(folder))
    assert done.returncode == 1, done.stderr
    assert "PRACTICE_OUTPUT_SIZE is still None" in done.stdout
    assert "OUTPUT_SIZE is still None" in done.stdout
    assert "Score: 0 / 0" not in done.stdout and "No public tests" not in done.stdout
    assert "Not everything passes yet" in done.stdout


def test_a_fully_answered_release_passes_with_exit_status_0(folder, variant):
    answer_everything(folder, variant)
    done = run_cli("check", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Everything checked here passes." in done.stdout
    hidden = sum(not c.public and c.probe.kind == "attribute"
                 for one in variant.exercises for c in one.cases)
    assert hidden == 8  # 4 by-hand answers and 4 questions
    assert f"Graded answers given in the right form: {hidden} of {hidden}" in done.stdout


def test_a_practice_answer_with_a_modeled_mistake_is_named(folder, variant):
    practice = exercise(variant, "conv-output-size").practice.cases[0]
    wrong = next(m for m in practice.mistakes if m.mistake_id == "floor_forgotten")
    write_module(folder, variant, "conv-output-size",
                 f"OUTPUT_SIZE = 3\nPRACTICE_OUTPUT_SIZE = {literal(wrong.value)}\n")
    done = run_cli("check", str(folder))
    assert done.returncode == 1
    assert wrong.explanation in done.stdout
    assert "(mistake: floor_forgotten)" in done.stdout


def test_a_graded_answer_is_judged_by_its_form_and_its_value_never_shown(folder, variant):
    graded = exercise(variant, "conv-output-size").cases[0].expected
    practice = exercise(variant, "conv-output-size").practice.cases[0].expected
    write_module(folder, variant, "conv-output-size",
                 f"OUTPUT_SIZE = {graded + 1}\nPRACTICE_OUTPUT_SIZE = {practice}\n")
    write_module(folder, variant, "conv-output-shape",
                 'OUTPUT_SHAPE = "four numbers"\nPRACTICE_OUTPUT_SHAPE = (1, 2, 3, 4)\n')
    write_module(folder, variant, "cross-correlation",
                 "OUTPUT = [1, 2, 3]\nPRACTICE_OUTPUT = None\n")
    question = exercise(variant, "concepts").cases[0].probe.name  # Ada's first question
    write_module(folder, variant, "concepts", f"{question} = 'Z'\n")
    done = run_cli("check", str(folder))
    lines = done.stdout.splitlines()
    size = next(line for line in lines if " output size:" in line and "practice" not in line)
    assert "answered in the right form" in size and size.lstrip().startswith("OK")
    assert "expected a number or array, got the text 'four numbers'" in done.stdout
    assert "has shape (3,), expected" in done.stdout  # a matrix of the prompt's size
    assert "is not one of the letters" in done.stdout
    assert str(graded) not in size


def test_the_shape_is_withheld_when_working_it_out_is_part_of_the_answer(folder, variant):
    # with stride and padding the output size is part of the question: a mistake
    # (stride ignored) changes the shape, so check must not tell the shape
    case = exercise(variant, "cross-correlation-stride-padding").cases[0]
    rows, columns = np.shape(case.expected)
    write_module(folder, variant, "cross-correlation-stride-padding",
                 f"OUTPUT = {[[0] * (columns + 1)] * (rows + 1)}\nPRACTICE_OUTPUT = None\n")
    done = run_cli("check", str(folder))
    line = next(line for line in done.stdout.splitlines()
                if " output feature map:" in line and "practice" not in line
                and "right form" in line)
    assert line.lstrip().startswith("OK")
    assert f"({rows}, {columns})" not in done.stdout
    write_module(folder, variant, "cross-correlation-stride-padding",
                 "OUTPUT = [1, 2]\nPRACTICE_OUTPUT = None\n")
    done = run_cli("check", str(folder))
    assert "has 1 axes, expected 2 (a list of rows)" in done.stdout


def test_pytest_on_test_public_gives_the_same_messages_as_check(folder, variant):
    practice = exercise(variant, "cross-correlation").practice.cases[0]
    flipped = next(m for m in practice.mistakes if m.mistake_id == "kernel_flipped")
    write_module(folder, variant, "cross-correlation",
                 f"OUTPUT = 'x'\nPRACTICE_OUTPUT = {literal(flipped.value)}\n")
    check = run_cli("check", str(folder))
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "test_public.py"], cwd=folder, capture_output=True, text=True,
                           check=False, timeout=300)
    assert tests.returncode == check.returncode == 1
    assert flipped.explanation in tests.stdout and "(mistake: kernel_flipped)" in tests.stdout
    wanted = [line.strip() for line in check.stdout.splitlines()
              if line.startswith("   ") and not line.strip().startswith(("OK", "PASS"))]
    for line in wanted:  # every failing check's words, in pytest's report too
        words = line.split(maxsplit=1)[1] if line.split()[0] in ("FAIL", "PART", "TO") else line
        words = words.removeprefix("DO ").strip()
        assert words in tests.stdout, words
    failed = sum(line.lstrip().startswith(("FAIL", "PART", "TO DO"))
                 for line in check.stdout.splitlines())
    assert f"{failed} failed" in tests.stdout


def test_pytest_passes_on_a_fully_answered_release(folder, variant):
    answer_everything(folder, variant)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "test_public.py"], cwd=folder, capture_output=True, text=True,
                           check=False, timeout=300)
    assert tests.returncode == 0, tests.stdout


def test_check_outside_a_release_names_the_file_it_looked_for(tmp_path):
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 2
    assert str(tmp_path / ".cnn-grader" / "public.json") in done.stderr
    assert "'public.json'" not in done.stderr and "Traceback" not in done.stderr


def test_check_into_a_closed_pipe_ends_quietly(folder):
    """``cnn-grader check | head``: the reader is gone before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "grader", "check", str(folder)],
                              stdout=write_end, stderr=subprocess.PIPE, text=True,
                              check=False, timeout=300)
    finally:
        os.close(write_end)
    assert "BrokenPipeError" not in done.stderr and "internal error" not in done.stderr
    assert done.stderr == ""
    assert done.returncode == 141


def test_without_cnn_grader_test_public_still_names_the_mistake(folder, variant, tmp_path):
    """A notebook server with NumPy and pytest only: the file's own simpler checks."""
    hidden = tmp_path / "no-grader" / "grader"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('cnn-grader is not installed')\n")
    practice = exercise(variant, "cross-correlation").practice.cases[0]
    flipped = next(m for m in practice.mistakes if m.mistake_id == "kernel_flipped")
    write_module(folder, variant, "cross-correlation",
                 f"OUTPUT = None\nPRACTICE_OUTPUT = {literal(flipped.value)}\n")
    environment = {**os.environ, "PYTHONPATH": str(hidden.parent)}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "test_public.py"], cwd=folder, capture_output=True, text=True,
                           check=False, timeout=300, env=environment)
    assert tests.returncode == 1
    assert "(mistake: kernel_flipped)" in tests.stdout and flipped.explanation in tests.stdout
    assert "the answer is still None" in tests.stdout  # the graded OUTPUT, by its form
    assert "OUTPUT is still None (replace" not in tests.stdout  # not the grader's words


def test_check_never_reads_a_planted_link_or_fifo_in_the_release_data(folder, tmp_path):
    """`.cnn-grader/public.json` is in the student's folder: a symbolic link there (to
    a classmate's public cases, say) or a FIFO is refused with the file named, never
    followed, and `check` does not hang."""
    data = folder / ".cnn-grader"
    elsewhere = tmp_path / "classmate-public.json"
    elsewhere.write_bytes((data / "public.json").read_bytes())
    (data / "public.json").unlink()
    (data / "public.json").symlink_to(elsewhere)
    done = run_cli("check", str(folder))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "public.json" in done.stderr and "cannot read the public cases" in done.stderr
    (data / "public.json").unlink()
    os.mkfifo(data / "public.json")
    done = run_cli("check", str(folder))  # would block forever on a plain open()
    assert done.returncode == 2 and "public.json" in done.stderr
