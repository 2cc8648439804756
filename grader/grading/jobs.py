"""What crosses from the batch to an executor and back, and the one function every
executor calls, so that local and distributed grading give identical results.

Kept apart from ``batch`` so that executors depend on this module only (no cycle
between the batch and the executors it chooses from)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from grader.authoring.course import Course
from grader.authoring.late import LatePolicy
from grader.authoring.variant_store import cached_assignment_variant
from grader.errors import CnnGraderError
from grader.exports.gradebook import exercise_versions_hash
from grader.grading.collect import NOTEBOOK_PREFIX
from grader.grading.grade import grade_submission
from grader.grading.refused import refused_result
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
    variant_store: Path | None = None  # kept variants (authoring.variant_store); None: rebuild


@dataclass(frozen=True)
class SubmissionTask:
    """One student's files, already read by the parent, or why they could not be."""

    student_id: str
    files: dict[str, bytes]
    submitted_at: datetime | None = None  # from a trusted source only (grading.times)
    refused: str | None = None  # the submission could not be read: a zero record, with this
    graded_before: bool = False  # a re-grade: keeping the variant now pays (variant_store)


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
    executor so that local and distributed grading give identical results.

    The variant is built without practice instances unless the submission holds a
    notebook (only then is the released stub, which the practice shapes, compared:
    ``grade.module_files_for``), and it is kept in the store only on a re-grade: a
    first grading would pay the write for a read that may never come.

    Nothing one student's files do ends the batch: an unreadable submission is a
    zero record, and any failure of ours becomes this student's error (retried on
    the next run), never an exception out of the worker."""
    try:
        variant = cached_assignment_variant(
            job.course, job.assignment_id, task.student_id, job.secret,
            folder=job.variant_store, practice=_has_notebook(task.files),
            write=task.graded_before,
        )
        if task.refused is not None:
            result = refused_result(variant, task.refused)
        else:
            result = grade_submission(
                variant=variant, files=task.files, sandbox=sandbox,
                submitted_at=task.submitted_at, policy=job.policy,
            )
    except CnnGraderError as error:
        return TaskOutcome(task.student_id, None, error=f"{type(error).__name__}: {error}")
    except Exception as error:  # a bug of ours on odd input: this student only
        return TaskOutcome(task.student_id, None,
                           error=f"internal error ({type(error).__name__}: {error})")
    key = grading_key(exercise_versions_hash(variant), job.policy, task.submitted_at)
    return TaskOutcome(task.student_id, result, key)


def _has_notebook(files: dict[str, bytes]) -> bool:
    return any(name.startswith(NOTEBOOK_PREFIX) for name in files)


def grading_key(versions: str, policy: LatePolicy | None, submitted_at: datetime | None) -> str:
    """What besides the files decides a result: the exercise versions and, when a
    time is known, the late policy and that time.  Stored as the result's versions
    hash, so giving a time (or changing it, or the due date) re-grades by itself
    instead of keeping an old penalty as "unchanged"."""
    if policy is None or submitted_at is None:
        return versions
    text = f"{versions}|{policy.due.isoformat()}|{policy.per_day}|{policy.max_days}|" \
           f"{submitted_at.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
