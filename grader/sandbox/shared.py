"""The parent's side of ``Sandbox.run_many``: one child for several modules.

Running every module of a submission in one child saves a fork, the namespaces and
the mounts per module (most of a run's cost).  The price is that one module's fate
could spill over to the others; these rules keep each request's result what ``run``
would give for it alone:

* Each request gets its own folder, work folder, output files and captured streams,
  and starts from the interpreter state the zygote left (``shared_child.py``).
* Each request's own wall-clock limit is enforced by the parent from the child's
  progress records (``begun``/``ended``); its own CPU limit by a soft
  ``RLIMIT_CPU`` set before it starts.  The records come from a process that runs
  student code, so they are hints only: times are clamped to what the parent has
  seen, and the whole child is bounded by ``shared_limits`` (sum of the requests'
  limits, capped), enforced by the parent and the kernel whatever the records say.
* When the child ends early, requests that finished keep their results.  The one it
  was running gets the reason ``run`` would give (timed out after its own limit, its
  CPU limit, exited, killed, crashed), and every later one runs again in a child of
  its own.  If the end cannot be pinned on a request (the shared cap, a death
  between requests, a thread left behind), that request runs again alone too.  So a
  hostile module costs its own limits once plus at most one extra child per module
  after it.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.sandbox.api import SandboxRequest, SandboxResult
from grader.sandbox.messages import HELPER_STOPPED, assemble_result, describe_end, shared_limits
from grader.sandbox.readback import Invalid, ResultBudget, read_capped

# How often the parent reads the progress records while a shared child runs: a
# request's own wall-clock limit is enforced at most this late.
POLL_SECONDS = 0.25


@dataclass
class RunEvents:
    """What the zygote and the run's processes reported during one run."""

    pid: int | None = None
    status: int | None = None
    cpu_seconds: float | None = None
    done: bool = False
    timed_out: bool = False
    setup_error: str | None = None
    zygote_lost: bool = False
    oom_mb: int | None = None  # the run's memory budget, when its cgroup killed for it


@dataclass
class _Marks:
    begin: float | None = None
    begin_cpu: float = 0.0
    end: float | None = None


@dataclass
class Progress:
    """Follows a shared child's progress records and gives the parent its deadline."""

    run_dir: str
    requests: Sequence[SandboxRequest]
    started: float
    expired: int | None = None  # the request whose own wall-clock limit ran out
    marks: list[_Marks] = field(default_factory=list)
    _current: int = 0

    def __post_init__(self) -> None:
        self.marks = [_Marks() for _ in self.requests]
        self.cap = self.started + shared_limits(self.requests).wall_seconds

    def deadline(self) -> float:
        """The earliest of the shared cap and the running request's own deadline; a
        time already past means: kill now (``expired`` names the request, if any)."""
        now = time.monotonic()
        index = self.current(now)
        if index >= len(self.requests):
            return self.cap
        begin = self.marks[index].begin
        if begin is None:
            return min(self.cap, now + POLL_SECONDS)
        own = begin + self.requests[index].limits.wall_seconds
        self.expired = index if own <= now and own <= self.cap else None
        return min(self.cap, own, now + POLL_SECONDS) if own > now else own

    def current(self, now: float | None = None) -> int:
        """Index of the first request not yet ended (reading new records)."""
        now = time.monotonic() if now is None else now
        while self._current < len(self.requests):
            marks = self.marks[self._current]
            record = self._record(self._current, now)
            if record is None:
                break
            begin, end, cpu = record
            floor = self._floor(self._current)
            marks.begin = min(max(begin, floor), now)
            marks.begin_cpu = cpu
            if end is None:
                break
            marks.end = min(max(end, marks.begin), now)
            self._current += 1
        return self._current

    def _floor(self, index: int) -> float:
        return self.started if index == 0 else (self.marks[index - 1].end or self.started)

    def _record(self, index: int, now: float) -> tuple[float, float | None, float] | None:
        """(begin, end or None, CPU seconds at the beginning) on the monotonic clock, from
        ``begun``/``ended`` in the request's ``out/``; None before it began."""
        out_dir = os.path.join(self.run_dir, f"r-{index}", "out")
        shift = now - time.time()  # file times are wall-clock times
        for name in ("ended", "begun"):
            path = os.path.join(out_dir, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if name == "ended":  # the CPU figure matters only for a request that did not end
                return info.st_mtime + shift, info.st_ctime + shift, 0.0
            return info.st_mtime + shift, None, _cpu_in(path)
        return None


def _cpu_in(path: str) -> float:
    """The CPU seconds a ``begun`` record holds (0 when unreadable)."""
    try:
        cpu = float((read_capped(path, 64) or b"").decode("ascii"))
    except (Invalid, OSError, UnicodeDecodeError, ValueError):
        return 0.0
    return cpu if math.isfinite(cpu) else 0.0


def settle(requests: Sequence[SandboxRequest], run_dir: str, progress: Progress,
           events: RunEvents, isolation: str, budget: ResultBudget) -> list[SandboxResult | None]:
    """Results read from the shared child's folders (their arrays charged to the
    submission's ``budget``); None for each request that must run again alone."""
    now = time.monotonic()
    first_unfinished = progress.current(now)
    results: list[SandboxResult | None] = []
    for index, request in enumerate(requests):
        marks = progress.marks[index]
        if index < first_unfinished:
            reasons = describe_end(events.status, events.timed_out, request.limits)
        elif index == first_unfinished:
            reasons = _reasons_for_running(index, request, progress, events)
        else:
            reasons = None
        if reasons is None:
            results.append(None)
            continue
        seconds = (marks.end or now) - (marks.begin or now)
        results.append(assemble_result(request, os.path.join(run_dir, f"r-{index}"), *reasons,
                                       isolation=isolation, seconds=seconds, budget=budget))
    return results


def _reasons_for_running(index: int, request: SandboxRequest, progress: Progress,
                         events: RunEvents) -> tuple[str, str] | None:
    """Why the request the child was running did not finish, as ``run`` would say it,
    or None when the end cannot be pinned on it (then it runs again alone)."""
    begin = progress.marks[index].begin
    if begin is None:
        return None
    if events.timed_out:
        if progress.expired != index:
            return None
        return describe_end(None, True, request.limits)
    if events.zygote_lost:
        return HELPER_STOPPED
    cpu = None
    if events.cpu_seconds is not None:
        cpu = max(0.0, events.cpu_seconds - progress.marks[index].begin_cpu)
    status = events.status
    if cpu is not None and cpu >= request.limits.cpu_seconds:
        status = signal.SIGXCPU  # a wait status: killed by SIGXCPU, as alone
    return describe_end(status, False, request.limits, cpu, events.oom_mb)
