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
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.grading.collect import collect_submission, submission_root
from grader.grading.compare import check_case
from grader.grading.grade import grade_submission
from grader.model import AssignmentVariant, Probe
from grader.results import CheckResult, GradingResult
from grader.sandbox import ProbeOutcome, Sandbox

if TYPE_CHECKING:
    from grader.authoring.course import Course

# What only ``grade`` needs (course, gradebook, outputs) is imported inside the
# functions, so that ``check`` (timed by students at every save) starts faster.

TIMESTAMP_FILE = "timestamp.txt"


def run_check(*, folder: Path) -> GradingResult:
    """Check a release folder on the student's own machine: practice answers and
    public cases with the full diagnosis, graded answers for their form only."""
    from grader.authoring.public_cases import load_public_cases

    variant = checkable_variant(load_public_cases(folder))
    files = collect_submission(folder)
    # direct: no zygote to start (about 0.3 s); this process holds only public cases
    with Sandbox(require_full_isolation=False, direct=True) as sandbox:
        return grade_submission(variant=variant, files=files, sandbox=sandbox)


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
) -> GradingResult:
    """Grade one student (CI): outputs under ``out_dir/<assignment>/<student>/``."""
    from grader.authoring.course import read_secret
    from grader.authoring.variant import build_assignment_variant
    from grader.exports.gradebook import Gradebook, exercise_versions_hash

    secret = read_secret(course)
    assignment = course.assignment(assignment_id)
    variant = build_assignment_variant(course, assignment_id, student_id, secret)
    files = collect_submission(submission)
    when = submitted_at or submission_time(submission)
    hidden = (str(course.root), str(Path(submission).resolve()))
    with Sandbox(require_full_isolation=not insecure, hidden_paths=hidden) as sandbox:
        result = grade_submission(
            variant=variant,
            files=files,
            sandbox=sandbox,
            submitted_at=when,
            policy=assignment.late_policy,
        )
    if gradebook_path is not None:
        with Gradebook(gradebook_path) as gradebook:
            gradebook.record(result, versions_hash=exercise_versions_hash(variant))
    write_student_outputs(result, out_dir)
    return result


def write_student_outputs(result: GradingResult, out_dir: Path) -> Path:
    """``results.json`` (Gradescope), ``junit.xml`` and ``feedback.md`` for one student."""
    from grader.exports.feedback import render_feedback
    from grader.exports.gradescope import render_gradescope
    from grader.exports.junit import render_junit

    folder = Path(out_dir) / result.assignment_id / result.student_id
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {
        "results.json": render_gradescope(result),
        "junit.xml": render_junit(result),
        "feedback.md": render_feedback(result),
    }
    for name, text in outputs.items():
        _atomic_write(folder / name, text)
    return folder


def submission_time(submission: Path) -> datetime:
    """When the student submitted: ``timestamp.txt`` (nbgrader's convention) when it
    holds an ISO 8601 time, else the newest modification time of the files."""
    submission = submission_root(Path(submission))
    stamp = submission / TIMESTAMP_FILE
    if stamp.is_file():
        text = stamp.read_text(encoding="utf-8").strip().removesuffix(" UTC")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    files = [submission] if submission.is_file() else submission.rglob("*")
    times = [p.stat().st_mtime for p in files if p.is_file()]
    return datetime.fromtimestamp(max(times, default=submission.stat().st_mtime), UTC)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
