"""A sandbox helper without a warm zygote: runs are forked from the grader itself.

For ``cnn-grader check`` only (``Sandbox(direct=True)``).  Starting a zygote
(a fresh interpreter importing NumPy) costs about 0.3 s, more than the check itself;
in ``check`` the grader process holds nothing a student may not see (their own
public cases, no secret), so its children can be forked from it directly.  The
child is confined exactly as a zygote's child (``run_child.child_main``): same
namespaces, hidden paths, rlimits, user switch and messages.

``DirectHelper`` looks like the zygote's ``Popen`` to ``Sandbox``: a thread speaks the
zygote's protocol on a pair of pipes and forks one child per run.  The thread is
used (rather than the main thread) so the protocol and its deadlines stay the same.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading

from grader.sandbox.confine import CLONE_NEWPID, setns, unshare
from grader.sandbox.wire import WireClosed, receive, send, widen_pipe

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD_MODULES = ("confine", "wire", "checks", "cgroups", "layout", "view", "results_file",
                 "runner", "shared_child", "run_child")


class DirectHelper:
    """The part of ``subprocess.Popen`` that ``Sandbox`` uses, backed by a thread."""

    def __init__(self, config: dict, environment: dict[str, str]) -> None:
        requests_read, requests_write = os.pipe()
        widen_pipe(requests_write)
        events_read, events_write = os.pipe()
        self.stdin = os.fdopen(requests_write, "wb", buffering=0)
        self.stdout = os.fdopen(events_read, "rb", buffering=0)
        self.pid = None  # no helper process
        self._thread = threading.Thread(
            target=_serve, args=(config, environment, requests_read, events_write),
            name="cnn-grader-direct-sandbox", daemon=True)
        self._thread.start()

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else 0

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.stdin.close()  # the thread sees the pipe close and returns

    def wait(self) -> int:
        self._thread.join(timeout=5)
        return 0


def _serve(config: dict, environment: dict[str, str], control_in: int,
           control_out: int) -> None:
    """The zygote's loop (``zygote.serve``), returning instead of exiting the process."""
    try:
        send(control_out, {"event": "ready", "pid": os.getpid(), "error": None})
        while True:
            try:
                message = receive(control_in)
            except WireClosed:
                return
            if message.get("op") != "run":
                return
            _one_run(config, environment, control_in, control_out)
    except (WireClosed, OSError):
        return
    finally:
        for fd in (control_in, control_out):
            with contextlib.suppress(OSError):
                os.close(fd)


def _one_run(config: dict, environment: dict[str, str], control_in: int,
             control_out: int) -> None:
    try:
        pid = _fork(config)
    except OSError as exc:
        receive(control_in)
        send(control_out, {"event": "setup_error", "message": f"fork: {exc}"})
        send(control_out, {"event": "done", "status": 0, "cpu_seconds": 0.0})
        return
    if pid == 0:
        _child(config, environment, control_in, control_out)
    send(control_out, {"event": "started", "pid": pid})
    _, status, usage = os.wait4(pid, 0)
    send(control_out, {"event": "done", "status": status,
                            "cpu_seconds": usage.ru_utime + usage.ru_stime})


def _fork(config: dict) -> int:
    """Fork; with full isolation as PID 1 of a new PID namespace (only this thread's
    children are affected by the ``unshare``, and it is undone right after)."""
    if not config["full"]:
        return os.fork()
    own = os.open("/proc/self/ns/pid", os.O_RDONLY)
    try:
        unshare(CLONE_NEWPID)
        try:
            pid = os.fork()
        finally:
            if os.getpid() != 1:  # the child is PID 1 of the new namespace: leave it
                setns(own, CLONE_NEWPID)
    finally:
        if os.getpid() != 1:
            os.close(own)
    return pid


def _child(config: dict, environment: dict[str, str], control_in: int,
           control_out: int) -> None:
    """In the forked child: the zygote's modules under their own names (the hidden
    paths cover them later), a clean environment, then the zygote child's code."""
    try:
        gc.freeze()  # collections in the child then skip the grader's heap
        sys.path.insert(0, HERE)
        modules = [__import__(name) for name in CHILD_MODULES]
        sys.path.remove(HERE)
        sys.dont_write_bytecode = True
        os.environ.clear()
        os.environ.update(environment)
        modules[-1].child_main(config, control_in, control_out)
    finally:
        os._exit(70)
