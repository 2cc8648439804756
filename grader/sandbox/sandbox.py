"""``Sandbox``: one worker slot with a warm zygote, running requests one at a time.

The parent side of the trust boundary.  It sends control messages to the zygote
(see ``zygote.py``), enforces the wall-clock limit itself, kills the whole run
when it is over, then reads and validates the files the child left (see
``readback.py``).  The student's stdout/stderr are only truncated and passed on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from grader.errors import GraderError
from grader.sandbox import readback, shared, wire
from grader.sandbox.api import SandboxRequest, SandboxResult
from grader.sandbox.direct import DirectHelper
from grader.sandbox.isolation import (
    FULL_ISOLATION,
    REDUCED_ISOLATION,
    UID_ISOLATION,
    UidSlot,
    can_switch_user,
    kill_user_processes,
    machine_isolation,
)
from grader.sandbox.messages import (
    HELPER_STOPPED,
    assemble_result,
    check_request,
    request_message,
    shared_message,
)
from grader.sandbox.shared import RunEvents

ZYGOTE = str(Path(__file__).with_name("zygote.py"))
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/nonexistent",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
BASE_MB = 256
TMP_MB = 64
GRACE_SECONDS = 5.0
START_SECONDS = 60.0
DIRECT_NOTE = " (direct: forked from the checking process, which holds only public cases)"


def default_hidden_paths() -> tuple[str, ...]:
    """The grader's code, the reference solutions and, in a source checkout, the whole
    checkout (tests, course files, git history).  The child needs none of it: NumPy
    and everything else it may use are imported in the zygote before any hiding."""
    package = Path(__file__).resolve().parents[1]
    paths = [package]
    if any((package.parent / marker).exists() for marker in ("pyproject.toml", ".git")):
        paths.append(package.parent)
    spec = importlib.util.find_spec("solutions")
    if spec is not None and spec.submodule_search_locations:
        paths.extend(Path(p).resolve() for p in spec.submodule_search_locations)
    return tuple(dict.fromkeys(str(path) for path in paths))


class Sandbox:
    """A worker slot: a warm zygote whose children run student modules in isolation.

    Use as a context manager.  ``require_full_isolation`` makes start-up fail with
    ``GraderError`` when the machine allows the full tier (root with namespaces)
    but it could not be set up; otherwise the sandbox falls back and says so in
    ``isolation``.  ``hidden_paths`` (course folder, secret file, submissions)
    are covered for the child in addition to the grader's code.  ``direct=True``
    (for ``check`` only, whose process holds nothing secret) forks children from
    this process instead of a zygote, saving the zygote's start-up; the children are
    confined the same way and ``isolation`` says "direct".
    """

    def __init__(self, *, require_full_isolation: bool = False,
                 hidden_paths: tuple[str, ...] = (), direct: bool = False) -> None:
        self._hidden = default_hidden_paths() + tuple(str(Path(p).resolve()) for p in hidden_paths)
        self._direct = direct
        self._slot: UidSlot | None = None
        self._process: subprocess.Popen | None = None
        self._base = ""
        self._view = ""
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
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop_zygote()
        if self._slot is not None:
            kill_user_processes(self._slot.uid)
            self._slot.release()
            self._slot = None
        self._log.close()

    # -- start-up -------------------------------------------------------------

    def _start(self, require_full: bool) -> None:
        self._start_tier(require_full)
        if self._direct:
            self._isolation += DIRECT_NOTE

    def _start_tier(self, require_full: bool) -> None:
        if not hasattr(os, "fork"):
            raise GraderError("the sandbox needs a POSIX system with fork (Linux or macOS); "
                              "on Windows, use WSL")
        tier = machine_isolation()
        if can_switch_user():
            try:
                self._slot = UidSlot.acquire()
            except OSError as exc:
                raise GraderError(f"no sandbox user id available: {exc}") from exc
        weaker = UID_ISOLATION if self._slot is not None else REDUCED_ISOLATION
        if tier != FULL_ISOLATION:
            self._launch(full=False)
            self._isolation = weaker
            return
        try:
            self._launch(full=True)
            self._self_test()
            self._isolation = FULL_ISOLATION
        except (GraderError, OSError) as exc:
            self._stop_zygote()
            if require_full:
                raise GraderError("full isolation is possible on this machine but could not "
                                  f"be set up: {exc}") from exc
            self._launch(full=False)
            self._isolation = f"{weaker} (full isolation failed: {exc})"

    def _launch(self, *, full: bool) -> None:
        self._full = full
        self._release = []
        self._base = tempfile.mkdtemp(prefix="cnn-grader-sandbox-", dir=self._base_parent())
        os.chmod(self._base, 0o711)
        config = {"full": full, "base": self._base, "base_mb": BASE_MB, "tmp_mb": TMP_MB,
                  "hidden": list(self._hidden), "run_tmpfs": full and not self._direct,
                  "uid": self._slot.uid if self._slot else -1,
                  "gid": self._slot.gid if self._slot else -1}
        if self._direct:
            self._process = DirectHelper(config, dict(CHILD_ENV))  # type: ignore[assignment]
        else:
            self._process = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE, json.dumps(config)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=self._log, env=dict(CHILD_ENV), cwd="/",
                start_new_session=True, close_fds=True)
        try:
            ready = wire.receive(self._process.stdout.fileno(),
                                 deadline=time.monotonic() + START_SECONDS)
        except (wire.WireClosed, wire.WireTimeout) as exc:
            raise GraderError(f"the sandbox helper did not start ({exc}); {self._log_tail()}") \
                from exc
        if ready.get("error"):
            raise GraderError(f"the sandbox helper could not prepare its folder: {ready['error']}")
        self._view = self._base
        if full and not self._direct:  # the zygote's private tmpfs, seen through its root
            self._view = f"/proc/{ready['pid']}/root{self._base}"

    def _base_parent(self) -> str | None:
        """Direct mode writes run folders where the grader can: in memory (``/dev/shm``)
        when possible, as files on a disk cost far more (a zygote uses its own tmpfs)."""
        if self._direct and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
        return None

    def _self_test(self) -> None:
        from grader.model import Probe

        request = SandboxRequest(files={"probe_self_test.py": b"ANSWER = 42\n"},
                                 module="probe_self_test",
                                 probes=(Probe(kind="attribute", name="ANSWER"),))
        result = self.run(request)
        if result.probes[0].value != 42:
            raise GraderError(f"the isolated self-test failed: {result.import_error or ''} "
                              f"{result.probes[0].error or ''} {self._log_tail()}")

    def _stop_zygote(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
        if self._base:
            shutil.rmtree(self._base, ignore_errors=True)
            self._base = ""

    def _log_tail(self) -> str:
        self._log.seek(0)
        return self._log.read()[-2000:].decode("utf-8", "replace")

    # -- one run ------------------------------------------------------------

    def run(self, request: SandboxRequest) -> SandboxResult:
        """Run the probes of one module in a fresh child; never raises for student faults."""
        check_request(request)
        started = time.monotonic()
        number, run_dir = self._next_run()
        deadline = started + request.limits.wall_seconds
        events = self._follow(request_message(request, number), lambda: deadline)
        try:
            self._check_setup(events)
            return self._result(request, run_dir, events, time.monotonic() - started)
        finally:
            self._clean_up(number, run_dir, events)

    def run_many(self, requests: Sequence[SandboxRequest]) -> tuple[SandboxResult, ...]:
        """Run several modules of one submission in ONE child, one after another; each
        result is what ``run`` would give for that request alone.  When the shared child
        ends early, the request it was running gets the reason ``run`` would give, and
        every later request runs again in a child of its own (see ``shared.py``)."""
        requests = tuple(requests)
        for request in requests:
            check_request(request)
        if len(requests) < 2:
            return tuple(self.run(request) for request in requests)
        started = time.monotonic()
        number, run_dir = self._next_run()
        progress = shared.Progress(run_dir, requests, started)
        events = self._follow(shared_message(requests, number), progress.deadline)
        try:
            self._check_setup(events)
            settled = shared.settle(requests, run_dir, progress, events, self._isolation)
        finally:
            self._clean_up(number, run_dir, events)
        return tuple(result if result is not None else self.run(request)
                     for result, request in zip(settled, requests, strict=True))

    def _next_run(self) -> tuple[int, str]:
        """A number and folder for the next run, restarting the zygote if it died."""
        if self._process is None or self._process.poll() is not None:
            self._stop_zygote()
            self._launch(full=self._full)
        self._runs += 1
        return self._runs, os.path.join(self._view, f"run-{self._runs}")

    def _follow(self, message: dict, deadline_of: Callable[[], float]) -> RunEvents:
        events = self._execute(message, deadline_of)
        if not self._full or events.timed_out or events.status is None or events.zygote_lost:
            self._kill_run(events)
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
        """Send one run and follow it until the zygote reports its end.  ``deadline_of``
        gives the current wall-clock deadline; asked again whenever it passes, the run
        is killed only when it answers with a time already past."""
        events = RunEvents()
        deadline = deadline_of()
        try:
            wire.send(self._process.stdin.fileno(),
                      {"op": "run", "run": message["run"], "release": self._release},
                      deadline=deadline)
            self._release = []
            wire.send(self._process.stdin.fileno(), message, deadline=deadline + GRACE_SECONDS)
        except (wire.WireClosed, wire.WireTimeout):
            events.zygote_lost = True
            return events
        while not events.done:
            try:
                self._handle(wire.receive(self._process.stdout.fileno(), deadline=deadline),
                             events)
            except wire.WireTimeout:
                if events.timed_out:
                    events.zygote_lost = True
                    break
                deadline = deadline_of()
                if deadline > time.monotonic():
                    continue
                events.timed_out = True
                self._kill_run(events)
                deadline = time.monotonic() + GRACE_SECONDS
            except wire.WireClosed:
                events.zygote_lost = True
                break
        return events

    def _handle(self, message: dict, events: RunEvents) -> None:
        kind = message.get("event")
        if kind == "started":
            events.pid = int(message["pid"])
        elif kind == "setup_error":
            events.setup_error = str(message.get("message"))
        elif kind == "done":
            events.done = True
            events.status = int(message["status"])
            events.cpu_seconds = float(message["cpu_seconds"])

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
                seconds: float) -> SandboxResult:
        current, later = readback.describe_end(events.status, events.timed_out,
                                               request.limits, events.cpu_seconds)
        if events.zygote_lost and not events.timed_out:
            current, later = HELPER_STOPPED
        return assemble_result(request, run_dir, current, later, isolation=self._isolation,
                               seconds=seconds)
