"""``check`` starts lean: no parser for a plain ``check [folder]``, nothing loaded that
only other commands or wrong answers need, and the collector back on before any
student code runs.  Same arguments and messages as argparse's in every case."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import _plain_check, build_parser
from grader.cli.grading import ONE_BLAS_THREAD, _quick_start

from .conftest import REPO


@pytest.mark.parametrize("argv", [["check"], ["check", "some/folder"], ["check", ""],
                                  ["check", "check"]])
def test_a_plain_check_gets_what_argparse_would_give(argv):
    parsed = build_parser().parse_args(argv)
    plain = _plain_check(argv)
    assert plain is not None
    assert (plain.command, plain.folder, plain.func) == (parsed.command, parsed.folder,
                                                         parsed.func)


@pytest.mark.parametrize("argv", [[], ["--help"], ["check", "--help"], ["check", "-h"],
                                  ["check", "a", "b"], ["check", "--", "a"],
                                  ["grade", "--assignment", "a1"], ["--version", "check"]])
def test_anything_else_goes_through_argparse(argv):
    assert _plain_check(argv) is None


def test_check_help_and_errors_are_argparse_s(tmp_path):
    """The parser still answers everything but a plain check: help and usage errors."""
    helped = _cli("check", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: cnn-grader check")
    wrong = _cli("check", "a", "b", cwd=tmp_path)
    assert wrong.returncode == 2 and "unrecognized arguments: b" in wrong.stderr


def test_a_check_of_right_answers_loads_no_parser_nor_hint_machinery(folder):
    """What a fresh release's check (no code to run, no gradient to explain) must not
    pay for: argparse, the Markdown writer's regular expressions, exact fractions."""
    probe = ("import sys\nfrom grader.cli import main\n"
             f"code = main(['check', {str(folder)!r}])\n"
             "unwanted = {'argparse', 'fractions', 'grader.exports.cells',\n"
             "            'grader.exports.feedback'}\n"
             "print('LOADED', sorted(unwanted & set(sys.modules)), code)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, timeout=300, cwd=REPO)
    assert done.stdout.splitlines()[-1] == "LOADED [] 1", done.stdout + done.stderr


def test_the_collector_runs_again_after_the_start_and_stays_off_if_it_was_off():
    assert gc.isenabled()
    with _quick_start():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _quick_start():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_with_numpy_loaded_the_environment_is_left_alone(monkeypatch):
    """Here (NumPy already loaded) a thread count would change nothing, so none is set."""
    for name in ONE_BLAS_THREAD:
        monkeypatch.delenv(name, raising=False)
    with _quick_start():
        pass
    assert not set(ONE_BLAS_THREAD) & set(os.environ)


def test_a_fresh_process_loads_numpy_with_one_blas_thread_unless_told_otherwise(tmp_path):
    probe = ("import os\nfrom grader.cli.grading import _quick_start\n"
             "with _quick_start():\n    import numpy\n"
             "print([os.environ.get(n) for n in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS',"
             " 'MKL_NUM_THREADS')])\n")
    env = {k: v for k, v in os.environ.items() if k not in ONE_BLAS_THREAD}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=REPO, env=env)
    assert done.stdout.strip() == "['1', '1', '1']"
    told = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=REPO, env={**env, "OMP_NUM_THREADS": "2"})
    assert told.stdout.strip() == "['1', '2', '1']"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300)
