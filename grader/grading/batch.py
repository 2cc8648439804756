"""Grade every submission of an assignment into the gradebook, resumably.

The parent lists one folder per student, reads and hashes each submission, skips
the ones the gradebook already holds for the same submission and exercise
versions, and hands the rest to an executor (worker processes on this machine,
or a Dask cluster).  Results come back one at a time and are committed to the
gradebook as they arrive, one transaction each, so memory stays flat and a batch
killed at any moment loses at most the submissions in flight: the next run
grades exactly those.  Submissions are only ever read.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.authoring.course import Course
from grader.authoring.late import LatePolicy
from grader.errors import CnnGraderError, SubmissionError
from grader.exports.gradebook import Gradebook, versions_hash
from grader.grading.collect import collect_submission, submission_hash
from grader.grading.jobs import Executor, GradingJob, SubmissionTask, TaskOutcome
from grader.grading.pipeline import submission_time, write_student_outputs

DRAW_SECONDS = 0.1  # redraw the progress line at most this often


@dataclass(frozen=True)
class BatchSummary:
    graded: int
    skipped: int  # unchanged since the gradebook's current result
    grader_errors: int  # graded, but some check hit a grader error (re-graded next run)
    failures: tuple[tuple[str, str], ...]  # (student id, reason): not graded, retried next run
    seconds: float
    workers: int


def student_folders(submissions_dir: Path) -> list[Path]:
    """One folder per student, by name; hidden folders and loose files are ignored."""
    if not submissions_dir.is_dir():
        raise SubmissionError(f"{submissions_dir}: no such folder of submissions")
    return sorted(
        p for p in submissions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
    )


def grade_batch(
    *,
    course: Course,
    assignment_id: str,
    submissions_dir: Path,
    secret: bytes,
    gradebook_path: Path,
    workers: int | None = None,
    force: bool = False,
    insecure: bool = False,
    progress: bool | None = None,
    policy: LatePolicy | None = None,
    scheduler: str | None = None,
    out_dir: Path | None = None,
    submitted_at: datetime | None = None,
) -> BatchSummary:
    """Grade every student folder under ``submissions_dir`` into the gradebook.

    With ``out_dir``, each student's ``results.json``, ``junit.xml`` and
    ``feedback.md`` are written there as their result arrives.

    ``workers`` worker slots (default: one per core) each keep a warm sandbox; with
    ``scheduler`` (a Dask address) the grading runs on that cluster instead.
    ``force`` re-grades unchanged submissions (needed after changing a due date,
    which is not part of the idempotence key).  With a late ``policy`` a
    submission's time is ``submitted_at`` when given (the same for everyone), else
    the newest modification time of its files.  ``progress``
    defaults to showing a progress line when stderr is a terminal.
    """
    hidden = private_paths(course, submissions_dir, gradebook_path, out_dir)
    job = GradingJob(course, assignment_id, secret, insecure, policy, hidden, submitted_at)
    executor = make_executor(workers=workers, scheduler=scheduler)
    show = sys.stderr.isatty() if progress is None else progress
    started = time.perf_counter()
    folders = student_folders(Path(submissions_dir))
    with Gradebook(gradebook_path) as gradebook:
        tally = _Tally(total=len(folders), started=started, show=show)
        versions = assignment_versions_hash(course, assignment_id)
        tasks = _pending_tasks(job, folders, gradebook, versions, force, tally)
        for outcome in executor.outcomes(job, tasks):
            _record(gradebook, outcome, tally)
            if out_dir is not None and outcome.result is not None:
                write_student_outputs(outcome.result, out_dir)
    tally.finish()
    return tally.summary(executor.workers)


def private_paths(
    course: Course, submissions_dir: Path, gradebook_path: Path, out_dir: Path | None
) -> tuple[str, ...]:
    """What a student's code must not see: the course folder (it may hold the secret
    file), every submission, the gradebook and everyone's feedback."""
    paths = (course.root, submissions_dir, Path(gradebook_path).parent, out_dir)
    return tuple(str(Path(p).resolve()) for p in paths if p is not None)


def make_executor(*, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Worker processes on this machine, or the Dask cluster at ``scheduler``."""
    if scheduler:
        from grader.grading.executors.dask import DaskExecutor

        return DaskExecutor(scheduler)
    from grader.grading.executors.local import LocalExecutor

    return LocalExecutor(workers or os.cpu_count() or 1)


def assignment_versions_hash(course: Course, assignment_id: str) -> str:
    """The exercise versions hash every student's variant of the assignment has."""
    assigned = course.assignment(assignment_id).exercises
    return versions_hash(
        (item.exercise_id, course.exercises[item.exercise_id].version) for item in assigned
    )


def _pending_tasks(
    job: GradingJob, folders: list[Path], gradebook: Gradebook, versions_hash: str,
    force: bool, tally: _Tally,
) -> Iterator[SubmissionTask]:
    """Read each folder only when an executor asks for more work (memory stays flat)."""
    course_id = job.course.course_id
    for folder in folders:
        try:
            files = collect_submission(folder)
        except (CnnGraderError, OSError) as error:
            tally.fail(folder.name, f"cannot read the submission: {error}")
            continue
        unchanged = not gradebook.needs_grading(
            course_id, job.assignment_id, folder.name, submission_hash(files), versions_hash
        )
        if unchanged and not force:
            tally.skip()
            continue
        when = (job.submitted_at or submission_time(folder)) if job.policy else None
        yield SubmissionTask(folder.name, files, when)


def _record(gradebook: Gradebook, outcome: TaskOutcome, tally: _Tally) -> None:
    if outcome.result is None:
        tally.fail(outcome.student_id, outcome.error or "unknown error")
        return
    gradebook.record(outcome.result, versions_hash=outcome.versions_hash)
    tally.grade(outcome.result.grader_error)


@dataclass
class _Tally:
    """Counts for the summary and the progress line of one batch run."""

    total: int
    started: float
    show: bool
    graded: int = 0
    skipped: int = 0
    grader_errors: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    drawn_at: float = 0.0

    def skip(self) -> None:
        self.skipped += 1
        self._draw()

    def grade(self, grader_error: bool) -> None:
        self.graded += 1
        self.grader_errors += int(grader_error)
        self._draw()

    def fail(self, student_id: str, reason: str) -> None:
        self.failures.append((student_id, reason))
        self._draw()

    def _draw(self) -> None:
        done = self.graded + self.skipped + len(self.failures)
        now = time.perf_counter()
        if not self.show or (now - self.drawn_at < DRAW_SECONDS and done < self.total):
            return
        self.drawn_at = now
        elapsed = max(now - self.started, 1e-9)
        width = 30
        filled = width * done // max(self.total, 1)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
            f"graded {self.graded} skipped {self.skipped} failed {len(self.failures)} "
            f"{self.graded / elapsed:.1f}/s "
        )
        sys.stderr.flush()

    def finish(self) -> None:
        if self.show:
            sys.stderr.write("\n")

    def summary(self, workers: int) -> BatchSummary:
        return BatchSummary(
            graded=self.graded, skipped=self.skipped, grader_errors=self.grader_errors,
            failures=tuple(self.failures), seconds=round(time.perf_counter() - self.started, 3),
            workers=workers,
        )
