"""What an exported notebook's cells import inside the Jupyter kernel.

The setup cell (locked) runs ``_cnn_grader = open_session()`` before any student
cell; each test cell (locked, graded) runs ``_cnn_grader.check(...)`` and ends
with the score as its value, which nbgrader takes as partial credit.

Where the expected values come from:

* under ``nbgrader autograde`` (``NBGRADER_EXECUTION=autograde``) the kernel runs
  in ``<root>/autograded/<student>/<assignment>/``; the student is read from that
  folder and the full key from the instructor's key folder
  (``$CNN_GRADER_NBGRADER_KEYS``, set by ``nbgrader_config.py``, else
  ``<root>/cnn_grader/keys``).  Nothing the student edited is consulted.
* anywhere else the session uses the public key released beside the notebook
  (``.cnn-grader/nbgrader-public.json``), so a student can self-check.

A missing or mismatched key under autograde is the grader's fault, so the kernel
exits instead of recording a zero: nbgrader then reports the notebook as failed.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np

from grader.errors import GraderError
from grader.exports.feedback import format_score
from grader.grading.compare import check_case
from grader.model import Probe
from grader.nbgrader.keyfile import AnswerKey, read_key
from grader.results import CheckResult
from grader.sandbox.checks import array_problem, describe_nonfinite

KEYS_ENV = "CNN_GRADER_NBGRADER_KEYS"
PUBLIC_KEY = Path(".cnn-grader") / "nbgrader-public.json"
MAX_TEXT = 1000
GRADER_FAULT_EXIT = 70
Which = Literal["public", "hidden"]


@dataclass(frozen=True)
class Outcome:
    """Same shape as the sandbox's ``ProbeOutcome``, so ``check_case`` accepts it."""

    value: Any | None
    error: str | None


@dataclass(frozen=True, eq=False)
class Session:
    """The key this kernel grades against (None: no key available here)."""

    key: AnswerKey | None
    mode: str

    def check(self, exercise_id: str, namespace: Mapping[str, Any], which: Which) -> float:
        """Grade the ``which`` cases of one exercise, print the verdicts, return the score."""
        if self.key is None:
            print("No answer key in this environment: this exercise is checked when "
                  "your instructor grades the notebook.")
            return 0.0
        try:
            exercise = self.key.exercise(exercise_id)
        except KeyError:
            if self.mode == "autograde":
                _abort(f"the answer key has no exercise {exercise_id!r}")
            print(f"No public checks for {exercise_id} in this environment.")
            return 0.0
        cases = [case for case in exercise.cases if case.public == (which == "public")]
        results = [check_case(case, evaluate_probe(case.probe, namespace)) for case in cases]
        print(format_results(exercise.title, which, results))
        return round(min(sum(r.score for r in results), exercise.points), 6)


def open_session(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> Session:
    """The session for this kernel: the instructor's key under autograde, else the public one."""
    cwd = Path.cwd() if cwd is None else cwd
    environ = os.environ if environ is None else environ
    if environ.get("NBGRADER_EXECUTION") == "autograde":
        try:
            return Session(key=autograde_key(cwd, environ), mode="autograde")
        except GraderError as error:
            _abort(str(error))
    public = cwd / PUBLIC_KEY
    if public.is_file():
        return Session(key=read_key(public), mode="self-check")
    return Session(key=None, mode="no key")


def key_path_for(cwd: Path, environ: Mapping[str, str]) -> Path:
    """Where the key of the submission nbgrader is grading in ``cwd`` lives."""
    student, assignment = cwd.parent.name, cwd.name
    keys = environ.get(KEYS_ENV) or str(cwd.parent.parent.parent / "cnn_grader" / "keys")
    return Path(keys) / assignment / f"{student}.json"


def autograde_key(cwd: Path, environ: Mapping[str, str]) -> AnswerKey:
    """The full key of the student whose submission folder is ``cwd``."""
    path = key_path_for(cwd, environ)
    if not path.is_file():
        raise GraderError(f"no answer key at {path}; run `cnn-grader nbgrader keys`")
    key = read_key(path)
    if (key.student_id, key.assignment_id) != (cwd.parent.name, cwd.name) or key.scope != "all":
        raise GraderError(f"{path} is not the full key of {cwd.parent.name}/{cwd.name}")
    return key


def evaluate_probe(probe: Probe, namespace: Mapping[str, Any]) -> Outcome:
    """Read or call the student's name in the kernel, as the sandbox does in its child."""
    what = "function" if probe.kind == "call" else "variable"
    if probe.name not in namespace:
        return Outcome(None, f"the notebook defines no {what} named {probe.name!r}")
    value = namespace[probe.name]
    if probe.kind == "call":
        if not callable(value):
            return Outcome(None, f"{probe.name!r} is not a function")
        try:
            value = _quietly(value, {name: _copy(arg) for name, arg in probe.inputs})
        except Exception as error:  # the student's code failed: their error, their message
            return Outcome(None, f"raised {type(error).__name__}: {str(error)[:300]}")
    elif value is None:
        return Outcome(None, f"{probe.name} is still None (replace None with your answer)")
    try:
        return Outcome(_parts(value, probe.outputs), None)
    except Exception as problem:  # our own checks, or a hostile __array__ of the student's
        return Outcome(None, str(problem)[:300] or type(problem).__name__)


def format_results(title: str, which: Which, results: list[CheckResult]) -> str:
    """The text shown under a test cell (and so in nbgrader's feedback)."""
    scored = sum(result.score for result in results)
    total = sum(result.max_score for result in results)
    lines = [f"{title}: {which} checks, {_number(scored)} of {_number(total)} points"]
    for result in results:
        mark = {"passed": "PASS", "partial": "PART"}.get(result.status, "FAIL")
        lines.append(f"[{mark}] " + result.message.replace("\n", "\n       "))
        if result.mistake_id:
            lines.append(f"       (modeled mistake: {result.mistake_id})")
    return "\n".join(lines)


def _quietly(function: Any, arguments: dict[str, Any]) -> Any:
    """Call student code with warnings and prints swallowed: any stderr output would make
    nbgrader give the whole test cell zero."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return function(**arguments)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _parts(value: Any, outputs: tuple[str, ...]) -> Any:
    if not outputs:
        return _plain(value)
    if not isinstance(value, tuple | list) or len(value) != len(outputs):
        raise ValueError(f"returned a {type(value).__name__}; expected a tuple of "
                         f"{len(outputs)} values ({', '.join(outputs)})")
    return tuple(_plain(part) for part in value)


def _plain(value: Any) -> Any:
    """The sandbox's value rules (``runner.convert`` then ``readback``): Python numbers and
    short strings as they are, anything else as a finite int64/float64 array, 0-d arrays
    as Python scalars."""
    if value is None or isinstance(value, bool | np.bool_ | complex):
        raise ValueError(f"returned {value!r}, not a number")
    if type(value) is int:
        return value
    if type(value) is str:
        if len(value) > MAX_TEXT:
            raise ValueError(f"returned a string longer than {MAX_TEXT} characters")
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise ValueError(f"returned a value that is not finite ({value})")
        return value
    array = np.asarray(value)
    problem = array_problem(array.dtype)
    if problem:
        raise ValueError(problem)
    array = array.astype(np.int64 if array.dtype.kind in "iu" else np.float64)
    problem = describe_nonfinite(array)
    if problem:
        raise ValueError(problem)
    return array.item() if array.ndim == 0 else array


def _number(value: float) -> str:
    return format_score(value)


def _abort(message: str) -> NoReturn:
    """End the kernel: a grader fault must fail the autograde run, never score a zero."""
    sys.__stderr__.write(f"cnn-grader: grader error (not the student's fault): {message}\n")
    sys.__stderr__.flush()
    os._exit(GRADER_FAULT_EXIT)

