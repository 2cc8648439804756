"""Grade one submission: files -> sandbox -> compare -> ``GradingResult``.

Reading the files is ``collect``'s job; this is the one function every executor
calls (``check``, ``grade``, the batch and Dask executors, the demo).  Expected
values stay in this process; the sandbox only sees the student's files and the probes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from grader.authoring.late import LatePolicy, late_penalty
from grader.errors import GraderError
from grader.grading.collect import NOTEBOOK_PREFIX, missing_reason, submission_hash
from grader.grading.compare import check_case
from grader.grading.exception_hints import with_exception_hints
from grader.grading.literal_answers import literal_outcomes
from grader.model import AssignmentVariant, Case, ExerciseVariant
from grader.results import CheckResult, ExerciseResult, GradingResult
from grader.sandbox.api import Limits, SandboxRequest, SandboxResult

if TYPE_CHECKING:  # ``check`` may need no sandbox at all: its module is imported when used
    from grader.sandbox import Sandbox


def grade_submission(
    *,
    variant: AssignmentVariant,
    files: Mapping[str, bytes],
    sandbox: Sandbox,
    submitted_at: datetime | None = None,
    policy: LatePolicy | None = None,
    limits: Limits | None = None,
) -> GradingResult:
    """Grade every exercise of ``variant`` against the student's ``files``.

    ``limits`` (default: the sandbox's ``Limits()``) is what every exercise's runs get
    unless the exercise sets its own (``ExerciseVariant.limits``: ``run_limits``)."""
    started = time.perf_counter()
    exercises = _grade_exercises(variant.exercises, files, sandbox, limits or Limits())
    days, penalty = late_penalty(policy, submitted_at)
    return GradingResult(
        course_id=variant.course_id,
        assignment_id=variant.assignment_id,
        student_id=variant.student_id,
        exercises=exercises,
        isolation=sandbox.isolation,
        wall_seconds=round(time.perf_counter() - started, 4),
        submission_hash=submission_hash(files),
        late_days=days,
        late_penalty=penalty,
    )


def module_files_for(exercise: ExerciseVariant, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files the sandbox gets for one exercise, with the notebook's version of the
    exercise module when the ``.py`` file is missing or still the released stub."""
    chosen = {name: data for name, data in files.items() if ":" not in name}
    source = module_source_for(exercise, files)
    if source is not None:
        chosen[f"{exercise.module}.py"] = source
    return chosen


def module_source_for(exercise: ExerciseVariant, files: Mapping[str, bytes]) -> bytes | None:
    """The exercise module of ``module_files_for`` alone (None when it has none):
    reading a module without running it needs no copy of the other files."""
    module_file = f"{exercise.module}.py"
    own = files.get(module_file) if ":" not in module_file else None
    from_notebook = files.get(NOTEBOOK_PREFIX + module_file)
    if from_notebook is not None and (own is None or _is_untouched_stub(own, exercise)):
        return from_notebook
    return own


def _is_untouched_stub(data: bytes, exercise: ExerciseVariant) -> bool:
    stub = exercise.stub_source.strip()
    return bool(stub) and stub in data.decode("utf-8", "replace")


def _grade_exercises(
    exercises: tuple[ExerciseVariant, ...],
    files: Mapping[str, bytes],
    sandbox: Sandbox,
    limits: Limits,
) -> tuple[ExerciseResult, ...]:
    """All exercises of a submission through ONE ``Sandbox.run_many`` call (one child for
    every module, far cheaper than a child each); each result is what a run of that
    exercise alone gives.  Should the shared call fail on our side, every exercise is
    tried alone, so a grader error only marks the exercises it really hit."""
    sources = [module_source_for(exercise, files) for exercise in exercises]
    outcomes = _read_without_running(exercises, sources, sandbox.isolation)
    requests = [None if source is None or index in outcomes
                else _request(exercises[index], files, limits)
                for index, source in enumerate(sources)]
    to_run = {index: request for index, request in enumerate(requests) if request is not None}
    # On a grader error of the shared child, each remaining exercise is tried alone.
    with contextlib.suppress(GraderError):
        if to_run:
            outcomes.update(zip(to_run, sandbox.run_many(tuple(to_run.values())), strict=True))
    return tuple(
        _grade_exercise(exercise, requests[index], outcomes.get(index), sandbox, files)
        for index, exercise in enumerate(exercises)
    )


def _read_without_running(
    exercises: tuple[ExerciseVariant, ...], sources: list[bytes | None], isolation: str
) -> dict[int, SandboxResult]:
    """The outcomes of modules that are only literal constants, read here without
    running them (``literal_answers`` says when that gives exactly the sandbox's
    outcome); every other module goes to the sandbox."""
    outcomes = {}
    for index, (exercise, source) in enumerate(zip(exercises, sources, strict=True)):
        if source is None:
            continue
        probes = literal_outcomes(source, tuple(case.probe for case in exercise.cases))
        if probes is not None:
            outcomes[index] = SandboxResult(
                probes=probes, import_error=None, stdout="", stderr="",
                isolation=isolation, wall_seconds=0.0,
            )
    return outcomes


def _request(
    exercise: ExerciseVariant, files: Mapping[str, bytes], limits: Limits
) -> SandboxRequest | None:
    """The sandbox request of one exercise, or None when its module file is missing."""
    module_files = module_files_for(exercise, files)
    if f"{exercise.module}.py" not in module_files:
        return None
    return SandboxRequest(
        files=module_files,
        module=exercise.module,
        probes=tuple(case.probe for case in exercise.cases),
        limits=run_limits(limits, exercise.limits),
    )


def run_limits(base: Limits, own: tuple[tuple[str, float], ...]) -> Limits:
    """``base`` with an exercise's own limits (``limits:`` of its file) over it.

    An exercise that raises only its CPU limit gets a wall limit of twice that, never
    less than ``base``'s: a correct run on a loaded machine must be stopped by its own
    CPU time, not by the clock (``base``, the default, keeps the same ratio)."""
    if not own:
        return base
    chosen = dict(own)
    if "cpu_seconds" in chosen and "wall_seconds" not in chosen:
        chosen["wall_seconds"] = max(base.wall_seconds, 2.0 * chosen["cpu_seconds"])
    return dataclasses.replace(base, **chosen)


def _grade_exercise(
    exercise: ExerciseVariant,
    request: SandboxRequest | None,
    outcome: SandboxResult | None,
    sandbox: Sandbox,
    files: Mapping[str, bytes],
) -> ExerciseResult:
    """The result of one exercise: ``request`` is None when its module is missing or
    was read without running (then ``outcome`` holds what was read)."""
    if request is None and outcome is None:
        reason = missing_reason(files, f"{exercise.module}.py")
        return _all_cases(exercise, "error", reason)
    if outcome is None:
        try:
            outcome = sandbox.run(request)
        except GraderError as error:
            return _all_cases(exercise, "grader_error", f"grader error (not your fault): {error}")
    if outcome.import_error is not None:
        return _all_cases(exercise, "error", f"{exercise.module}.py: {outcome.import_error}")
    checks = tuple(check_case(case, probe_outcome)
                   for case, probe_outcome in zip(exercise.cases, outcome.probes, strict=True))
    if any(check.status == "error" for check in checks):  # hints change only those
        checks = with_exception_hints(exercise.cases, checks)
    return ExerciseResult(
        exercise_id=exercise.exercise_id,
        title=exercise.title,
        checks=checks,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
    )


def _all_cases(exercise: ExerciseVariant, status: str, reason: str) -> ExerciseResult:
    return ExerciseResult(
        exercise_id=exercise.exercise_id,
        title=exercise.title,
        checks=tuple(_failed(case, status, reason) for case in exercise.cases),
    )


def _failed(case: Case, status: str, reason: str) -> CheckResult:
    return CheckResult(
        case_id=case.case_id,
        label=case.label,
        score=0.0,
        max_score=case.points,
        status=status,  # type: ignore[arg-type]
        message=f"{case.label}: {reason}",
        public=case.public,
    )
