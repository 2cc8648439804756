"""The zygote's spare run: the next run's process, forked and confined ahead of time.

Forking the warm zygote (copying its page tables), a new PID namespace and the
run's own mount, network and IPC namespaces with their /proc and /tmp cost a few
milliseconds that do not depend on the submission.  With full isolation the
zygote therefore forks the next run's process as soon as the last one has been
reaped, while the grader is still reading that run's results.  The spare goes as
far as it can without the request and then waits on a pipe of its own:

* it holds nothing of any submission: the request is still in the parent's pipe,
  and the spare reads it only after the zygote has said "go";
* it is still root and in no one's reach: it has not dropped to the sandbox uid
  (so the parent's kill-by-uid sweep of the last run cannot touch it), its PID
  namespace holds it alone, and no limit is set until the request says which;
* it never speaks on the control pipe before its go: a spare that failed exits,
  and the zygote forks a fresh run instead, which reports what went wrong;
* it answers the go before it reads the request (a socket pair of its own), so a
  spare that died while it waited (killed, or out of memory) is seen as dead and
  replaced, never sent a request it cannot run.

The zygote guesses the next run's number (the last one plus one: the parent
numbers its runs in order); a spare whose number the parent does not ask for is
killed and its folder unmounted, and the run is forked as before.  Runs of one
slot still never overlap: the spare exists only while no run does.

Loaded by the zygote as a top-level module (standard library only).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Callable

GO = b"1"


class Spare:
    """A forked, waiting run: its pid, its run number and the zygote's end of its
    socket pair (``go``)."""

    __slots__ = ("go", "number", "pid")

    def __init__(self, pid: int, number: int, go: int) -> None:
        self.pid = pid
        self.number = number
        self.go = go


def wanted(config: dict) -> bool:
    """Spares are made where a run's folder is a tmpfs of the zygote's and a run is
    born where it will live (a resident spawner, or no cgroup at all); where the
    zygote waits inside the slot's group (``in_group``), each run must still pass
    the gate of its own fork (``cgroups.leave_for_run``)."""
    return bool(config.get("full") and config.get("run_tmpfs") and config.get("view")
                and not config.get("in_group"))


def make(config: dict, number: int, fork: Callable[[int], int],
         child: Callable[[int], None]) -> Spare | None:
    """Fork the spare for run ``number`` with ``fork`` (the zygote's ``fork_run``);
    the child goes to ``child(go_fd)`` and never returns.  None where spares are not
    used or the fork failed (the next run is then forked when it is asked for)."""
    if not wanted(config):
        return None
    ours, theirs = (end.detach() for end in socket.socketpair())
    try:
        pid = fork(number)
    except OSError:
        os.close(ours)
        os.close(theirs)
        _unmount(config, number)
        return None
    if pid == 0:
        os.close(ours)
        child(theirs)
        os._exit(70)  # never back into the zygote's loop
    os.close(theirs)
    return Spare(pid, number, ours)


def take(config: dict, spare: Spare | None, number: int) -> int | None:
    """The spare's pid once it has answered its go, when it is run ``number``;
    otherwise None after putting it away (``discard``)."""
    if spare is None:
        return None
    if spare.number == number and _alive(spare.pid):
        with contextlib.suppress(OSError):  # a dead spare: EPIPE, or no answer
            os.write(spare.go, GO)
            if os.read(spare.go, 1) == GO:
                os.close(spare.go)
                return spare.pid
    discard(config, spare)
    return None


def discard(config: dict, spare: Spare | None) -> None:
    """Kill and reap a spare that will not be used, and unmount its run folder."""
    if spare is None:
        return
    with contextlib.suppress(OSError):
        os.close(spare.go)
    with contextlib.suppress(OSError):
        os.kill(spare.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(spare.pid, 0)
    _unmount(config, spare.number)


def _alive(pid: int) -> bool:
    """Not yet exited (reaping it if it has); a spare dying now is caught by its
    missing answer."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def _unmount(config: dict, number: int) -> None:
    import confine  # type: ignore[import-not-found]
    import layout  # type: ignore[import-not-found]

    path = layout.run_folder(config, number)
    with contextlib.suppress(OSError):
        confine.unmount(path)
    with contextlib.suppress(OSError):
        os.rmdir(path)
