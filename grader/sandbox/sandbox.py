"""``Sandbox``: one worker slot with a warm zygote, running requests one at a time.

The parent side of the trust boundary.  It sends control messages to the zygote
(see ``zygote.py``; started and stopped in ``helper.py``), enforces the wall-clock
limit itself, kills the whole run when it is over, then reads and validates the
files the child left (see ``readback.py``), within one byte budget per submission.
The student's stdout/stderr are only truncated and passed on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from grader.errors import GraderError
from grader.sandbox.api import SandboxRequest, SandboxResult
from grader.sandbox.cgroups import (
    create_group,
    describe_group,
    oom_kills,
    remove_group,
    run_memory_mb,
)
from grader.sandbox.confine import is_linux
from grader.sandbox.follow import follow_run
from grader.sandbox.helper import (
    BASE_MB,
    DIRECT_NOTE,
    TMP_MB,
    Helper,
    SelfTesting,
    default_hidden_paths,
)
from grader.sandbox.isolation import (
    FULL_ISOLATION,
    REDUCED_ISOLATION,
    UID_ISOLATION,
    UidSlot,
    can_switch_user,
    kill_user_processes,
    machine_isolation,
    with_run_limit,
)
from grader.sandbox.messages import (
    HELPER_STOPPED,
    assemble_result,
    check_request,
    describe_end,
    request_message,
    shared_message,
)
from grader.sandbox.readback import MIB, ResultBudget
from grader.sandbox.shared import Progress, RunEvents, settle

RESULTS_MB = 128  # all arrays of one submission, as the grader holds them


class Sandbox(SelfTesting):
    """A worker slot: a warm zygote whose children run student modules in isolation.

    Use as a context manager.  ``require_full_isolation`` makes start-up fail with
    ``GraderError`` when the machine allows the full tier (root with namespaces)
    but it could not be set up; otherwise the sandbox falls back and says so in
    ``isolation``.  In the full tier a run sees only a root built from a list (see
    ``view.py``); ``hidden_paths`` (course folder, secret file, submissions) are
    covered too should one lie inside it.  ``direct=True`` (for ``check`` only,
    whose process holds nothing secret) forks children from this process instead of
    a zygote, saving the zygote's start-up; the children are confined the same way
    and ``isolation`` says "direct".  ``results_mb`` bounds all arrays one ``run`` or
    ``run_many`` call brings back (as int64/float64).
    """

    def __init__(self, *, require_full_isolation: bool = False,
                 hidden_paths: tuple[str, ...] = (), direct: bool = False,
                 results_mb: int = RESULTS_MB) -> None:
        self._hidden = default_hidden_paths() + tuple(str(Path(p).resolve()) for p in hidden_paths)
        self._direct = direct
        self._results = results_mb * MIB
        self._slot: UidSlot | None = None
        self._group: dict | None = None
        self._oom_kills = 0  # the group's count after the last run
        self._helper: Helper | None = None
        self._full = False
        self._isolation = ""
        self._runs = 0
        self._release: list[int] = []  # full tier: run folders the zygote may unmount
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the sandbox)
        try:
            self._start(require_full_isolation)
        except BaseException:
            self.close()
            raise

    @property
    def isolation(self) -> str:
        return self._isolation

    @property
    def uid(self) -> int | None:
        """The unprivileged uid children run as, or None without a user switch."""
        return self._slot.uid if self._slot is not None else None

    @property
    def zygote_pid(self) -> int | None:
        """The warm helper's pid (every child of a run is forked from it)."""
        return self._helper.process.pid if self._helper is not None else None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop_zygote()
        if self._slot is not None:
            kill_user_processes(self._slot.uid)
            remove_group(self._group)
            self._slot.release()
            self._slot = None
        self._log.close()

    # -- start-up -------------------------------------------------------------

    def _start(self, require_full: bool) -> None:
        self._start_tier(require_full)
        if self._direct and not self._isolation.endswith(DIRECT_NOTE):
            self._isolation += DIRECT_NOTE

    def _start_tier(self, require_full: bool) -> None:
        if not hasattr(os, "fork"):
            raise GraderError("the sandbox needs a POSIX system with fork (Linux or macOS); "
                              "on Windows, use WSL")
        tier = self._machine_tier()
        if can_switch_user():
            try:
                self._slot = UidSlot.acquire()
            except OSError as exc:
                raise GraderError(f"no sandbox user id available: {exc}") from exc
            self._group = create_group(f"cnn-grader-{self._slot.uid}")
            self._oom_kills = oom_kills(self._group)
        weaker = REDUCED_ISOLATION
        if self._slot is not None:
            weaker = with_run_limit(UID_ISOLATION, describe_group(self._group))
        if tier != FULL_ISOLATION:
            self._launch(full=False)
            self._isolation = weaker
            return
        try:
            self._launch(full=True)
            if self._direct:  # confirmed by the first shared run (see helper.py)
                self._untested = (weaker, require_full)
            else:
                self._self_test()
            self._isolation = with_run_limit(FULL_ISOLATION, describe_group(self._group))
        except (GraderError, OSError) as exc:
            self._fall_back(weaker, require_full, exc)

    def _machine_tier(self) -> str:
        """A direct sandbox of root on Linux takes the full tier on trust: its first run
        proves that namespaces work (``helper.py``), saving a fork of the grader."""
        if self._direct and can_switch_user() and is_linux():
            return FULL_ISOLATION
        return machine_isolation()

    def _launch(self, *, full: bool) -> None:
        self._full = full
        self._release = []
        slot = self._slot
        self._helper = Helper.start(full=full, direct=self._direct, hidden=self._hidden,
                                    uid=slot.uid if slot else -1, gid=slot.gid if slot else -1,
                                    group=self._group, log=self._log)

    def _stop_zygote(self) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.stop()

    # -- one run ------------------------------------------------------------

    def run(self, request: SandboxRequest) -> SandboxResult:
        """Run the probes of one module in a fresh child; never raises for student faults."""
        check_request(request)
        self._test_alone()
        return self._run(request, ResultBudget(allowed=self._results))

    def _run(self, request: SandboxRequest, budget: ResultBudget) -> SandboxResult:
        started = time.monotonic()
        number, run_dir = self._next_run()
        deadline = started + request.limits.wall_seconds
        events = self._follow(request_message(request, number), lambda: deadline)
        try:
            self._check_setup(events)
            return self._result(request, run_dir, events, time.monotonic() - started, budget)
        finally:
            self._clean_up(number, run_dir, events)

    def run_many(self, requests: Sequence[SandboxRequest]) -> tuple[SandboxResult, ...]:
        """Run several modules of one submission in ONE child, one after another; each
        result is what ``run`` would give for that request alone.  When the shared child
        ends early, the request it was running gets the reason ``run`` would give, and
        every later request runs again in a child of its own (see ``shared.py``).  All
        their arrays share one budget (``results_mb``)."""
        requests = tuple(requests)
        for request in requests:
            check_request(request)
        if self._untested is not None and len(requests) > 1:
            return self._run_many_testing(requests)
        self._test_alone()
        return self._run_many(requests)

    def _run_many(self, requests: tuple[SandboxRequest, ...]) -> tuple[SandboxResult, ...]:
        budget = ResultBudget(allowed=self._results)
        if len(requests) < 2:
            return tuple(self._run(request, budget) for request in requests)
        started = time.monotonic()
        number, run_dir = self._next_run()
        progress = Progress(run_dir, requests, started)
        events = self._follow(shared_message(requests, number), progress.deadline)
        try:
            self._check_setup(events)
            settled = settle(requests, run_dir, progress, events, self._isolation, budget)
        finally:
            self._clean_up(number, run_dir, events)
        return tuple(result if result is not None else self._run(request, budget)
                     for result, request in zip(settled, requests, strict=True))

    def _next_run(self) -> tuple[int, str]:
        """A number and folder for the next run, restarting the zygote if it died."""
        if self._helper is None or not self._helper.alive():
            self._stop_zygote()
            self._launch(full=self._full)
        self._runs += 1
        return self._runs, os.path.join(self._helper.view, f"run-{self._runs}")

    def _follow(self, message: dict, deadline_of: Callable[[], float]) -> RunEvents:
        events = self._execute(message, deadline_of)
        if not self._full or events.timed_out or events.status is None or events.zygote_lost:
            self._kill_run(events)
        kills, self._oom_kills = self._oom_kills, oom_kills(self._group)
        if self._oom_kills > kills:  # the whole run's memory limit struck
            events.oom_mb = run_memory_mb(int(message["limits"]["address_space_mb"]), TMP_MB,
                                          BASE_MB)
        return events

    @staticmethod
    def _check_setup(events: RunEvents) -> None:
        if events.setup_error:
            raise GraderError(f"the sandbox could not start the run: {events.setup_error}")

    def _clean_up(self, number: int, run_dir: str, events: RunEvents) -> None:
        """Full tier: the zygote unmounts the run's tmpfs when it forks the next run
        (cheaper than deleting file by file).  Otherwise delete the folder now."""
        if self._full and not self._direct and not events.zygote_lost:
            self._release.append(number)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
        if events.zygote_lost:
            self._stop_zygote()
            self._launch(full=self._full)

    def _execute(self, message: dict, deadline_of: Callable[[], float]) -> RunEvents:
        release, self._release = self._release, []
        return follow_run(self._helper.process, message, release, deadline_of, self._kill_run)

    def _kill_run(self, events: RunEvents) -> None:
        """Full tier: SIGKILL the run's PID 1 (ends its namespace).  Otherwise SIGKILL
        the run's process group.  Then, with a user switch, every process of the uid."""
        if events.pid is not None:
            if not self._full:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(events.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(events.pid, signal.SIGKILL)
        if self._slot is not None:
            kill_user_processes(self._slot.uid)

    def _result(self, request: SandboxRequest, run_dir: str, events: RunEvents,
                seconds: float, budget: ResultBudget) -> SandboxResult:
        current, later = describe_end(events.status, events.timed_out, request.limits,
                                      events.cpu_seconds, events.oom_mb)
        if events.zygote_lost and not events.timed_out:
            current, later = HELPER_STOPPED
        return assemble_result(request, run_dir, current, later, isolation=self._isolation,
                               seconds=seconds, budget=budget)
