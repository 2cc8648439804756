"""What crosses from the batch to an executor and back, and the one function every
executor calls, so that local and distributed grading give identical results.

Kept apart from ``batch`` so that executors depend on this module only (no cycle
between the batch and the executors it chooses from)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from grader.authoring.course import Course
from grader.authoring.late import LatePolicy
from grader.authoring.variant import build_assignment_variant
from grader.errors import CnnGraderError
from grader.exports.gradebook import exercise_versions_hash
from grader.grading.grade import grade_submission
from grader.results import GradingResult
from grader.sandbox import Sandbox


@dataclass(frozen=True)
class GradingJob:
    """Everything a worker needs to grade any student of one assignment.

    It is pickled once per worker; the secret and expected answers only ever live
    in grader processes, never in a sandbox child.
    """

    course: Course
    assignment_id: str
    secret: bytes = field(repr=False)
    insecure: bool = False
    policy: LatePolicy | None = None
    hidden_paths: tuple[str, ...] = ()  # covered in every sandbox child (see grade_batch)
    submitted_at: datetime | None = None  # for everyone; None: each folder's file times


@dataclass(frozen=True)
class SubmissionTask:
    """One student's files, already read by the parent."""

    student_id: str
    files: dict[str, bytes]
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class TaskOutcome:
    """What a worker sends back: a result, or why the student could not be graded."""

    student_id: str
    result: GradingResult | None
    versions_hash: str = ""
    error: str | None = None


class Executor(Protocol):
    """Turns submission tasks into outcomes, in any order, holding few at a time."""

    workers: int

    def outcomes(self, job: GradingJob, tasks: Iterator[SubmissionTask]) -> Iterator[TaskOutcome]:
        ...


def open_sandbox(job: GradingJob) -> Sandbox:
    """The warm sandbox one worker slot keeps for all its submissions."""
    return Sandbox(require_full_isolation=not job.insecure, hidden_paths=job.hidden_paths)


def grade_task(job: GradingJob, task: SubmissionTask, sandbox: Sandbox) -> TaskOutcome:
    """Rebuild the student's variant (pure) and grade their files; shared by every
    executor so that local and distributed grading give identical results."""
    try:
        variant = build_assignment_variant(
            job.course, job.assignment_id, task.student_id, job.secret
        )
        result = grade_submission(
            variant=variant, files=task.files, sandbox=sandbox,
            submitted_at=task.submitted_at, policy=job.policy,
        )
    except CnnGraderError as error:
        return TaskOutcome(task.student_id, None, error=f"{type(error).__name__}: {error}")
    return TaskOutcome(task.student_id, result, exercise_versions_hash(variant))
