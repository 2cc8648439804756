"""Worker processes on this machine, each holding one warm sandbox.

We run our own small loop over two queues rather than a process pool: a worker
keeps its sandbox in a local variable (no per-process globals), and it notices
when the parent has been killed and exits instead of lingering as an orphan.

Workers are forked from this process when it runs no other thread (``context``):
it has imported the grading code and NumPy and loaded the course already, so a
worker starts with all of it and no second interpreter imports it again (the fork
server of the last version paid ~0.35 s of CPU a batch for that).  A fork copies
every open file too, so the first thing a worker does is close every descriptor
but its own three channels and the standard streams (``close_inherited``): it
holds no gradebook connection or submission file of the batch.  With another
thread running (a program that calls ``grade_batch`` from a thread pool, say) a
fork could copy a lock that thread holds, locked for good; the workers then come
from a fork server (``executors.forkserver``), a fresh interpreter started by exec.
Either way a worker notices the batch's death by the end of a pipe only the
batch holds open (``alive``).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

from grader.errors import GraderError
from grader.grading import heap
from grader.grading.executors import forkserver
from grader.grading.jobs import GradingJob, SubmissionTask, TaskOutcome, grade_task, open_sandbox

POLL_SECONDS = 1.0
IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class WorkerFailure:
    """Sent by a worker that cannot go on (for example no sandbox could be started)."""

    message: str


class LocalExecutor:
    """``workers`` processes; at most ``IN_FLIGHT_PER_WORKER`` tasks each are queued."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise GraderError(f"workers must be at least 1, not {workers}")
        self.workers = workers

    def outcomes(self, job: GradingJob, tasks: Iterator[SubmissionTask]) -> Iterator[TaskOutcome]:
        first = next(tasks, None)
        if first is None:  # nothing to grade: start no worker at all
            return
        tasks = itertools.chain([first], tasks)
        context = worker_context()
        task_queue = context.Queue()
        outcome_queue = context.Queue()
        alive, keep_alive = context.Pipe(duplex=False)  # only this process holds the writer
        processes = [
            context.Process(
                target=worker_loop,
                args=(job, task_queue, outcome_queue, alive),
                name=f"cnn-grader-worker-{number}",
            )
            for number in range(self.workers)
        ]
        try:
            for process in processes:
                process.start()
            yield from _pump(tasks, task_queue, outcome_queue, processes, self.workers)
        finally:
            _stop([p for p in processes if p.pid is not None], task_queue)
            keep_alive.close()
            alive.close()
            forkserver.stop()  # when the workers came from one


def worker_context() -> multiprocessing.context.BaseContext:
    """``fork`` when this process runs no other Python thread, else the fork server.

    Only the forking thread survives in the child; a lock another thread held at
    that moment (a logging handler's, a queue's feeder) would stay locked in the
    worker for good.  C libraries' own threads (OpenBLAS) are not counted: they
    handle a fork themselves (``pthread_atfork``), as in the fork server, which
    imports NumPy too."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return forkserver.context()


def close_inherited(keep: set[int]) -> None:
    """Close every file descriptor of this process but ``keep`` and 0-2.

    A worker forked from the batch would otherwise hold what the batch had open:
    the gradebook's database and journal, a submission being read.  Closing by
    number, not by the objects that own them, also covers what no object of ours
    knows about; those objects are never used in the worker (it leaves by
    ``os._exit``, so no finalizer closes a number again once it is reused)."""
    low = 3
    for fd in sorted(n for n in keep if n >= low):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def _channels(tasks: multiprocessing.Queue, outcomes: multiprocessing.Queue,
              alive: Connection) -> set[int]:
    """The descriptors a worker talks through: the reading end of the task queue,
    the writing end of the outcome queue, the batch's ``alive`` pipe.  A queue's
    ends are its ``_reader``/``_writer`` connections (CPython's names since 2.6;
    ``multiprocessing`` has no public accessor)."""
    return {tasks._reader.fileno(), outcomes._writer.fileno(), alive.fileno()}  # type: ignore[attr-defined]


def _pump(
    tasks: Iterator[SubmissionTask],
    task_queue: multiprocessing.Queue,
    outcome_queue: multiprocessing.Queue,
    processes: list,
    workers: int,
) -> Iterator[TaskOutcome]:
    """Keep a bounded number of tasks queued and yield outcomes as they arrive."""
    limit = workers * IN_FLIGHT_PER_WORKER
    outstanding = 0
    pending = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and outstanding < limit:
            task = next(pending, None)
            if task is None:
                exhausted = True
            else:
                task_queue.put(task)
                outstanding += 1
        if outstanding == 0:
            return
        yield _next_outcome(outcome_queue, processes)
        outstanding -= 1


def _next_outcome(outcome_queue: multiprocessing.Queue, processes: list) -> TaskOutcome:
    while True:
        try:
            message = outcome_queue.get(timeout=POLL_SECONDS)
        except queue.Empty:
            dead = [p.name for p in processes if not p.is_alive()]
            if dead:
                raise GraderError(
                    f"worker {', '.join(dead)} stopped; results so far are saved, "
                    "run the batch again to finish"
                ) from None
            continue
        if isinstance(message, WorkerFailure):
            raise GraderError(message.message)
        return message


def _stop(processes: list, task_queue: multiprocessing.Queue) -> None:
    for _ in processes:
        task_queue.put(None)
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()


def worker_loop(
    job: GradingJob, tasks: multiprocessing.Queue, outcomes: multiprocessing.Queue,
    alive: Connection,
) -> None:
    """Grade tasks until told to stop (``None``) or until the parent is gone (``alive``,
    the reading end of a pipe whose writer only the parent holds, then reads as ended).

    The heap inherited from the batch (or the fork server) is frozen first: the collector then never
    walks it, so its pages stay shared with the server instead of being copied one
    by one as collections touch every object's header (the worker's PSS grew by
    ~5 MB over its first 1,000 submissions, every byte of it such copies)."""
    close_inherited(_channels(tasks, outcomes, alive))
    gc.freeze()
    heap.pin_mmap_threshold()
    with contextlib.ExitStack() as stack:
        try:
            sandbox = stack.enter_context(open_sandbox(job))
        except Exception as error:  # any failure here must reach the parent, not hang it
            outcomes.put(WorkerFailure(f"cannot start a sandbox: {error}"))
            return
        while (task := _next_task(tasks, alive)) is not None:
            try:
                outcome = grade_task(job, task, sandbox)
            except Exception as error:  # a bug of ours: report it for this student only
                outcome = TaskOutcome(task.student_id, None, error=f"grader bug: {error!r}")
            outcomes.put(outcome)
    if _parent_gone(alive):
        outcomes.cancel_join_thread()  # nobody will read: do not wait to flush at exit


def _parent_gone(alive: Connection) -> bool:
    """The parent never writes to ``alive``: it is readable only once its end is closed."""
    return alive.poll(0)


def _next_task(tasks: multiprocessing.Queue, alive: Connection) -> SubmissionTask | None:
    """The next task, or ``None`` when told to stop or when the parent was killed."""
    while not _parent_gone(alive):
        try:
            return tasks.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
    return None
