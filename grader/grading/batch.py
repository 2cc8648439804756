"""Grade every submission of an assignment into the gradebook, resumably.

The parent lists one folder per student, checks each name against the roster,
reads and hashes each submission, skips the ones the gradebook already holds for
the same submission and exercise versions, and hands the rest to an executor
(worker processes on this machine, or a Dask cluster).  Results come back one at
a time and are committed to the gradebook as they arrive, one transaction each,
so memory stays flat and a batch killed at any moment loses at most the
submissions in flight: the next run grades exactly those.  Submissions are only
ever read, never followed (``collect``); one student's files never stop the
batch: a submission that cannot be read is that student's zero record, with why.
"""

from __future__ import annotations

import dataclasses
import multiprocessing.util
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from grader.authoring.course import Course
from grader.authoring.fingerprint import secret_fingerprint
from grader.authoring.late import LatePolicy
from grader.errors import CnnGraderError, SpecError, SubmissionError
from grader.exports.gradebook import Gradebook, versions_hash
from grader.grading import heap
from grader.grading.collect import NOTEBOOK_PREFIX, collect_submission, submission_hash
from grader.grading.jobs import Executor, GradingJob, SubmissionTask, TaskOutcome, grading_key
from grader.grading.pipeline import write_student_outputs
from grader.grading.provenance import mismatch, release_record
from grader.grading.refused import refused_hash
from grader.grading.roster_check import plan_batch
from grader.grading.tally import BatchSummary, Tally
from grader.grading.times import SubmissionTimes

VARIANT_STORE = ".variants"  # beside the gradebook, a folder the sandbox never sees
PROVENANCE_SAMPLE = 5  # folders whose release record decides whether the whole run is wrong


def student_folders(submissions_dir: Path) -> list[Path]:
    """One entry per student, by name: folders, and links posing as folders (which
    ``collect`` then refuses, so the student hears why).  Hidden entries and loose
    files are ignored; nothing is followed."""
    return [Path(submissions_dir) / name for name in student_names(submissions_dir)]


def student_names(submissions_dir: Path) -> list[str]:
    """The names of ``student_folders``, sorted: what a batch keeps for the whole run
    (a name each, not a path: memory stays flat with the class size)."""
    if not Path(submissions_dir).is_dir():
        raise SubmissionError(f"{submissions_dir}: no such folder of submissions")
    found = []
    for entry in os.scandir(submissions_dir):
        mode = entry.stat(follow_symlinks=False).st_mode
        if not entry.name.startswith(".") and (stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            found.append(entry.name)
    return sorted(found)


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
    times: SubmissionTimes | None = None,
    allow_unlisted: bool = False,
) -> BatchSummary:
    """Grade every student folder under ``submissions_dir`` into the gradebook.

    With ``out_dir``, each student's ``results.json``, ``junit.xml`` and
    ``feedback.md`` are written there as their result arrives.

    ``workers`` worker slots (default: one per core) each keep a warm sandbox; with
    ``scheduler`` (a Dask address) the grading runs on that cluster instead.
    ``force`` re-grades unchanged submissions (a changed time or due date already
    counts as a change, see ``jobs.grading_key``).  A late ``policy`` uses
    only trusted times: ``times`` (or ``submitted_at``, the same for everyone);
    without one no penalty is applied and the summary says so.  Folders not on the
    course roster are graded only with ``allow_unlisted``.  ``progress`` defaults
    to showing a progress line when stderr is a terminal.
    """
    times = times or SubmissionTimes(everyone=submitted_at,
                                     source="the given time" if submitted_at else "")
    hidden = private_paths(course, submissions_dir, gradebook_path, out_dir)
    # the workers' copy of the course has no roster: grading never reads it, and a
    # class of 10,000 would be pickled to every worker
    job = GradingJob(dataclasses.replace(course, roster=()), assignment_id, secret, insecure,
                     policy, hidden, variant_store=Path(gradebook_path).parent / VARIANT_STORE)
    root = Path(submissions_dir)
    plan = plan_batch(student_names(root), (s.student_id for s in course.roster),
                      allow_unlisted=allow_unlisted)
    chosen = plan.to_grade  # names: each becomes a path only when its folder is read
    fingerprint = secret_fingerprint(secret, course.course_id)
    refuse_wrong_run((root / name for name in chosen), course.course_id, assignment_id,
                     fingerprint)
    executor = make_executor(workers=workers, scheduler=scheduler)
    heap.pin_mmap_threshold()  # this process lives for the whole batch: no creeping heap
    show = sys.stderr.isatty() if progress is None else progress
    tally = Tally(total=len(chosen), started=time.perf_counter(), show=show)
    with Gradebook(gradebook_path) as gradebook:
        versions = assignment_versions_hash(course, assignment_id)
        pending = _Pending(job, gradebook, versions, force, times, fingerprint)
        for outcome in executor.outcomes(job, pending.tasks(root, chosen, tally)):
            _record(gradebook, outcome, tally, pending)
            if out_dir is not None and outcome.result is not None:
                write_student_outputs(outcome.result, out_dir)
    tally.finish()
    return tally.summary(executor.workers, unlisted=plan.unlisted, bad_names=plan.bad_names,
                         missing=plan.missing, time_source=times.source,
                         allow_unlisted=allow_unlisted,
                         no_module_anywhere=tally.graded > 0 and not pending.seen_module,
                         has_roster=plan.has_roster)


def refuse_wrong_run(folders: Iterable[Path], course_id: str, assignment_id: str,
                     fingerprint: str) -> None:
    """Refuse the whole run when the first release records all disagree with it: the
    wrong ``--assignment`` or the wrong secret, not one odd student."""
    reasons = []
    for folder in folders:
        record = release_record(folder)
        if record is None:
            continue
        reason = mismatch(record, course_id=course_id, assignment_id=assignment_id,
                          fingerprint=fingerprint)
        if reason is None:
            return
        reasons.append(reason)
        if len(reasons) >= PROVENANCE_SAMPLE:
            break
    if reasons:
        raise SpecError(f"nothing graded: {reasons[0]} (and so say all {len(reasons)} "
                        "release records checked)")


def private_paths(
    course: Course, submissions_dir: Path, gradebook_path: Path, out_dir: Path | None
) -> tuple[str, ...]:
    """What a student's code must not see: the course folder (it may hold the secret
    file), every submission, the gradebook and everyone's feedback, and the folder of
    the workers' fork server's socket, when one is used (``executors.forkserver``:
    whoever connects to it can have a process forked from a grader; the full tier's
    view never shows it, this covers it should it lie inside a folder a view shows)."""
    paths = (course.root, submissions_dir, Path(gradebook_path).parent, out_dir,
             multiprocessing.util.get_temp_dir())
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


class _Pending:
    """Reads each folder only when an executor asks for more work (memory stays flat),
    and remembers what the summary needs about each task in flight."""

    def __init__(self, job: GradingJob, gradebook: Gradebook, versions: str, force: bool,
                 times: SubmissionTimes, fingerprint: str) -> None:
        self.job, self.gradebook, self.versions, self.force = job, gradebook, versions, force
        self.times, self.fingerprint = times, fingerprint
        self.in_flight: dict[str, SubmissionTask] = {}
        assigned = job.course.assignment(job.assignment_id).exercises
        self.modules = {f"{job.course.exercises[a.exercise_id].module}.py" for a in assigned}
        self.seen_module = False  # did any folder hold a module of this assignment?

    def tasks(self, root: Path, names: Iterable[str], tally: Tally
              ) -> Iterator[SubmissionTask]:
        for name in names:
            task = self.task_for(root / name)
            key = grading_key(self.versions, self.job.policy, task.submitted_at)
            if not self.force and not self.gradebook.needs_grading(
                self.job.course.course_id, self.job.assignment_id, task.student_id,
                self.hash_of(task), key,
            ):
                tally.skip()
                continue
            course_id, assignment_id = self.job.course.course_id, self.job.assignment_id
            if self.gradebook.graded_before(course_id, assignment_id, task.student_id):
                task = dataclasses.replace(task, graded_before=True)
            self.in_flight[task.student_id] = task
            yield task

    def task_for(self, folder: Path) -> SubmissionTask:
        """The student's task, or a refused one saying why the folder cannot be used."""
        student = folder.name
        reason = mismatch(release_record(folder), course_id=self.job.course.course_id,
                          assignment_id=self.job.assignment_id, fingerprint=self.fingerprint)
        if reason is not None:
            return SubmissionTask(student, {}, refused=reason)
        try:
            files = collect_submission(folder)
        except (CnnGraderError, OSError) as error:
            return SubmissionTask(student, {}, refused=_reason(error))
        when = self.times.time_for(student, folder) if self.job.policy else None
        self.seen_module = self.seen_module or any(
            name.removeprefix(NOTEBOOK_PREFIX) in self.modules for name in files)
        return SubmissionTask(student, files, when)

    @staticmethod
    def hash_of(task: SubmissionTask) -> str:
        return refused_hash(task.refused) if task.refused else submission_hash(task.files)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"cannot read the submission ({error.strerror or error})"
    return str(error)


def _record(gradebook: Gradebook, outcome: TaskOutcome, tally: Tally, pending: _Pending) -> None:
    task = pending.in_flight.pop(outcome.student_id, None)
    if outcome.result is None:
        tally.fail(outcome.student_id, outcome.error or "unknown error")
        return
    gradebook.record(outcome.result, versions_hash=outcome.versions_hash)
    timed = pending.job.policy is None or (task is not None and task.submitted_at is not None)
    tally.grade(outcome.result, timed=timed, refused=task.refused if task else None)
