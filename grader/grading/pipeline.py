"""Wiring of pure stages to files for ``check`` and ``grade`` (the CLI calls only these).

``check`` runs in a student's release folder against the public cases saved
there.  ``grade`` rebuilds each student's full variant from the course secret,
grades in the sandbox and writes every output.  Both go through
``grading.grade_submission`` so a student sees the same messages at home as in
the gradebook.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import GraderError
from grader.grading.collect import collect_submission
from grader.grading.compare import check_case
from grader.grading.grade import grade_submission
from grader.model import AssignmentVariant, Probe
from grader.results import CheckResult, GradingResult
from grader.sandbox.api import ProbeOutcome, SandboxRequest, SandboxResult

if TYPE_CHECKING:
    from grader.authoring.course import Course
    from grader.grading.times import SubmissionTimes
    from grader.sandbox import Sandbox

# What only ``grade`` needs (course, gradebook, outputs) is imported inside the
# functions, so that ``check`` (timed by students at every save) starts faster.

TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's exchange record; trusted only when asked


def run_check(*, folder: Path) -> GradingResult:
    """Check a release folder on the student's own machine: practice answers and
    public cases with the full diagnosis, graded answers for their form only."""
    from grader.authoring.public_cases import load_public_cases

    variant = checkable_variant(load_public_cases(folder))
    files = collect_submission(folder)
    with SandboxWhenNeeded() as sandbox:
        return grade_submission(variant=variant, files=files,
                                sandbox=sandbox)  # type: ignore[arg-type]


class SandboxWhenNeeded:
    """``check``'s sandbox, started at its first run only.

    Answers that are literal constants are read without running them
    (``grade.grade_submission``), so a folder of by-hand answers, or a fresh release,
    needs no sandbox at all; starting one (a helper thread and a self-test run) would
    cost more than the rest of ``check``.  When code must run, the sandbox is the
    direct one: no zygote to start (about 0.3 s), as this process holds only public
    cases.
    """

    NOT_STARTED = "none needed: every answer was read without running code"

    def __init__(self) -> None:
        self._sandbox: Sandbox | None = None
        self._failure: GraderError | None = None  # raised again: one failed start-up only

    def __enter__(self) -> SandboxWhenNeeded:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._sandbox is not None:
            self._sandbox.close()

    @property
    def isolation(self) -> str:
        return self._sandbox.isolation if self._sandbox is not None else self.NOT_STARTED

    def run(self, request: SandboxRequest) -> SandboxResult:
        return self._started().run(request)

    def run_many(self, requests: tuple[SandboxRequest, ...]) -> tuple[SandboxResult, ...]:
        return self._started().run_many(requests)

    def _started(self) -> Sandbox:
        if self._failure is not None:
            raise self._failure
        if self._sandbox is None:
            from grader.sandbox import Sandbox

            try:
                self._sandbox = Sandbox(require_full_isolation=False, direct=True)
            except GraderError as error:
                self._failure = error
                raise
        return self._sandbox




def checkable_variant(variant: AssignmentVariant) -> AssignmentVariant:
    """A released variant with each exercise's practice cases put before its own cases,
    so that one sandbox run per module checks both."""
    exercises = tuple(
        dataclasses.replace(e, cases=e.practice.cases + e.cases, practice=None)
        if e.practice is not None else e
        for e in variant.exercises)
    return dataclasses.replace(variant, exercises=exercises)


def check_namespace(*, folder: Path, module: str,
                    namespace: Mapping[str, Any]) -> tuple[CheckResult, ...]:
    """The checks of ``run_check`` for one module whose code ran in ``namespace`` (a
    notebook's globals): the same comparisons and messages, in the student's process."""
    from grader.authoring.public_cases import load_public_cases

    variant = checkable_variant(load_public_cases(folder))
    return tuple(check_case(case, _namespace_outcome(case.probe, namespace))
                 for exercise in variant.exercises if exercise.module == module
                 for case in exercise.cases)


def _namespace_outcome(probe: Probe, namespace: Mapping[str, Any]) -> ProbeOutcome:
    if probe.name not in namespace:
        what = "function" if probe.kind == "call" else "variable"
        return ProbeOutcome(value=None, error=f"no {what} named {probe.name!r}")
    value = namespace[probe.name]
    if probe.kind == "attribute":
        if value is None:
            return ProbeOutcome(value=None, error=f"{probe.name} is still None (replace None "
                                "with your answer)")
        return ProbeOutcome(value=value, error=None)
    inputs = {name: copy.deepcopy(argument) for name, argument in probe.inputs}
    try:
        returned = value(**inputs)
    except Exception as error:  # the student's code: report it like the sandbox does
        return ProbeOutcome(value=None, error=f"raised {type(error).__name__}: {error}")
    return ProbeOutcome(value=tuple(returned) if probe.outputs and isinstance(
        returned, list) else returned, error=None)


def grade_one(
    *,
    course: Course,
    assignment_id: str,
    student_id: str,
    submission: Path,
    out_dir: Path,
    gradebook_path: Path | None,
    insecure: bool = False,
    submitted_at: datetime | None = None,
    allow_unlisted: bool = False,
    times: SubmissionTimes | None = None,
) -> GradingResult:
    """Grade one student (CI): outputs under ``out_dir/<assignment>/<student>/``.

    The id is checked before it becomes a path; a submission released for another
    assignment or secret is refused; one that cannot be read is recorded as a zero
    with why.  The time comes only from ``times`` (or ``submitted_at``)."""
    from grader.errors import SubmissionError
    from grader.exports.gradebook import Gradebook, exercise_versions_hash
    from grader.grading.jobs import grading_key
    from grader.grading.refused import refused_result
    from grader.grading.times import SubmissionTimes
    from grader.sandbox import Sandbox  # here: `check` may need no sandbox at all

    variant = _checked_variant(course, assignment_id, student_id, submission, allow_unlisted)
    policy = course.assignment(assignment_id).late_policy
    when = (times or SubmissionTimes(everyone=submitted_at)).time_for(student_id, submission)
    try:
        files = collect_submission(submission)
    except SubmissionError as error:
        if not Path(submission).exists() and not Path(submission).is_symlink():
            raise
        result = refused_result(variant, str(error))
    else:
        hidden = (str(course.root), str(Path(submission).resolve()))
        with Sandbox(require_full_isolation=not insecure, hidden_paths=hidden) as sandbox:
            result = grade_submission(variant=variant, files=files, sandbox=sandbox,
                                      submitted_at=when, policy=policy)
    if gradebook_path is not None:
        with Gradebook(gradebook_path) as gradebook:
            key = grading_key(exercise_versions_hash(variant), policy, when)
            gradebook.record(result, versions_hash=key)
    write_student_outputs(result, out_dir)
    return result


def _checked_variant(course: Course, assignment_id: str, student_id: str, submission: Path,
                     allow_unlisted: bool) -> AssignmentVariant:
    """The student's variant, once the id, the secret and the release record agree."""
    from grader.authoring.course import read_secret
    from grader.authoring.fingerprint import secret_fingerprint
    from grader.authoring.variant import build_assignment_variant
    from grader.errors import SpecError
    from grader.grading.provenance import mismatch, release_record
    from grader.grading.roster_check import check_student_id

    check_student_id(student_id, (s.student_id for s in course.roster),
                     allow_unlisted=allow_unlisted)
    secret = read_secret(course)
    course.assignment(assignment_id)
    reason = mismatch(release_record(submission), course_id=course.course_id,
                      assignment_id=assignment_id,
                      fingerprint=secret_fingerprint(secret, course.course_id))
    if reason is not None:
        raise SpecError(f"{submission}: {reason}")
    return build_assignment_variant(course, assignment_id, student_id, secret)


def write_student_outputs(result: GradingResult, out_dir: Path) -> str:
    """``results.json`` (Gradescope), ``junit.xml`` and ``feedback.md`` for one student;
    returns their folder.

    Paths here are plain strings: ``pathlib`` interns every part it parses, so one
    ``Path`` per student file kept ~0.4 KB per student alive in a batch's parent."""
    from grader.exports.feedback import render_feedback
    from grader.exports.gradescope import render_gradescope
    from grader.exports.junit import render_junit

    folder = os.path.join(os.fspath(out_dir), result.assignment_id, result.student_id)
    os.makedirs(folder, exist_ok=True)
    outputs = {
        "results.json": render_gradescope(result),
        "junit.xml": render_junit(result),
        "feedback.md": render_feedback(result),
    }
    for name, text in outputs.items():
        _atomic_write(folder, name, text)
    return folder


def _atomic_write(folder: str, name: str, text: str) -> None:
    temporary = os.path.join(folder, f".{name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, os.path.join(folder, name))
