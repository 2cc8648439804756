"""The same grading on a Dask distributed cluster; the client writes the gradebook.

Each task grades one submission on a worker with ``grader.grading.jobs.grade_task``, the
function the local executor uses, and returns the plain ``TaskOutcome``.  A worker
plugin keeps warm sandboxes in each worker process (one per thread that grades),
so a worker pays for starting a sandbox once, not once per submission.  The job
(course and secret) is scattered to the workers once per batch; expected answers
are computed and compared on the workers, never inside a sandbox child.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Iterator
from typing import Any

from distributed import Client, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from grader.errors import GraderError
from grader.grading.jobs import GradingJob, SubmissionTask, TaskOutcome, grade_task, open_sandbox

PLUGIN_NAME = "cnn-grader-sandboxes"
IN_FLIGHT_PER_THREAD = 2
CONNECT_SECONDS = 30


class SandboxPool(WorkerPlugin):
    """A Dask worker plugin holding the warm sandboxes of one worker process."""

    name = PLUGIN_NAME

    def __init__(self, insecure: bool) -> None:
        self.insecure = insecure

    def setup(self, worker: Any) -> None:
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._opened = contextlib.ExitStack()
        self._lock = threading.Lock()

    def teardown(self, worker: Any) -> None:
        self._opened.close()

    @contextlib.contextmanager
    def borrow(self, job: GradingJob) -> Iterator[Any]:
        """A sandbox for the calling thread, started on first use and then reused."""
        try:
            sandbox = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                sandbox = self._opened.enter_context(open_sandbox(job))
        try:
            yield sandbox
        finally:
            self._idle.put(sandbox)


def grade_on_worker(job: GradingJob, task: SubmissionTask) -> TaskOutcome:
    """The Dask task: grade one submission with this worker's warm sandbox."""
    pool = get_worker().plugins[PLUGIN_NAME]
    try:
        with pool.borrow(job) as sandbox:
            return grade_task(job, task, sandbox)
    except Exception as error:  # a bug or a sandbox that cannot start: this student only
        return TaskOutcome(task.student_id, None, error=f"on a Dask worker: {error!r}")


class DaskExecutor:
    """Grades on the cluster whose scheduler listens at ``scheduler``."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler
        self.workers = 0  # worker threads, known once connected

    def outcomes(self, job: GradingJob, tasks: Iterator[SubmissionTask]) -> Iterator[TaskOutcome]:
        first = next(tasks, None)
        if first is None:  # nothing to grade: do not even connect
            return
        tasks = itertools.chain([first], tasks)
        with self._connect() as client:
            self.workers = sum(client.nthreads().values())
            if not self.workers:
                raise GraderError(f"the Dask cluster at {self.scheduler} has no workers")
            client.register_plugin(SandboxPool(job.insecure), name=PLUGIN_NAME)
            (shared_job,) = client.scatter([job], broadcast=True, hash=False)
            running = as_completed()
            students: dict[str, str] = {}
            pending = iter(tasks)
            for _ in range(self.workers * IN_FLIGHT_PER_THREAD):
                _submit_next(client, running, pending, shared_job, students)
            for future in running:
                outcome = _outcome_of(future, students.pop(future.key))
                future.release()
                _submit_next(client, running, pending, shared_job, students)
                yield outcome

    def _connect(self) -> Client:
        try:
            return Client(self.scheduler, timeout=CONNECT_SECONDS)
        except OSError as error:
            message = f"cannot reach the Dask scheduler {self.scheduler}: {error}"
            raise GraderError(message) from None


def _submit_next(
    client: Client, running: Any, pending: Iterator[SubmissionTask], job: Any,
    students: dict[str, str],
) -> None:
    task = next(pending, None)
    if task is None:
        return
    future = client.submit(grade_on_worker, job, task, pure=False)
    students[future.key] = task.student_id
    running.add(future)


def _outcome_of(future: Any, student_id: str) -> TaskOutcome:
    """The task's outcome; a task the cluster lost (e.g. its worker died) fails alone."""
    try:
        return future.result()
    except Exception as error:
        return TaskOutcome(student_id, None, error=f"Dask task failed: {error!r}")
