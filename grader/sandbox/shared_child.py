"""Inside a shared child (``Sandbox.run_many``): run several modules, one after another.

Loaded by the zygote as a top-level module (standard library and NumPy only).  Each
request has its own folder ``r-<index>/`` (work, out, stdout, stderr) and is run as
``runner.run_request`` runs a single module, framed by two progress records in its
``out/`` folder: ``begin.json`` (monotonic time and CPU seconds used so far) and
``end.json``.  The parent uses them to enforce each request's own wall-clock limit
and to know which requests finished.  They are written by a process that also runs
student code, so the parent treats them only as hints within hard outer limits.

Between requests the process is put back the way the zygote left it as far as cheaply
possible: modules the student's code loaded are dropped, ``sys.path``, builtins,
NumPy's namespace, error settings and random states are restored, leftover processes
are killed, and the next request gets its own CPU limit (``RLIMIT_CPU`` soft limit;
a handler turns ``SIGXCPU`` into an exit, since a PID 1 ignores it otherwise).  A
module that leaves a thread running ends the shared child: the parent then runs the
remaining modules in children of their own.
"""

from __future__ import annotations

import builtins
import contextlib
import math
import os
import random
import resource
import signal
import sys
import threading
import warnings

import numpy as np
import runner  # type: ignore[import-not-found]

CPU_EXIT = 86      # the SIGXCPU handler's exit code (the parent also checks CPU time)
THREAD_EXIT = 87   # a module left a thread running: the remaining ones run alone
BEGUN, ENDED = "begun", "ended"


class Baseline:
    """The interpreter state every request starts from (taken before the first one).

    Kept lean on purpose: in a forked child every object touched (even read, since
    reading changes reference counts) costs a copied page, so this records names
    rather than copying namespaces, and restores what student code plausibly
    changes: loaded modules, the import system, builtins, error and warning settings,
    the ``random`` state and the environment.  Changes to NumPy's own namespace (a
    monkeypatch) are not undone; they only affect later modules of the same
    submission, never the grader (see docs/sandbox.md).
    """

    def __init__(self) -> None:
        self.module_names = frozenset(sys.modules)
        self.builtins = dict(vars(builtins))
        self.errors = np.geterr()
        self.random = random.getstate()
        self.filters = list(warnings.filters)
        self.recursion = sys.getrecursionlimit()
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        # Held only so that clearing the importer cache does not free them: freeing
        # touches pages the child would copy (~0.5 ms); the cache is emptied as before.
        self.finders = tuple(sys.path_importer_cache.values())
        self.environ = dict(os.environ._data)  # bytes to bytes: compared in C, no decoding

    def after_fork(self) -> None:
        """Taken in the zygote, used in a child: what the fork itself changed is taken
        again (``random`` reseeds every child at fork, so children differ)."""
        self.random = random.getstate()

    def restore(self, shadowed: dict) -> None:
        """Back to the baseline; ``shadowed`` maps preloaded module names a student
        module replaced to the preloaded module."""
        for name in sys.modules.keys() - self.module_names:
            del sys.modules[name]
        sys.modules.update(shadowed)
        current = vars(builtins)
        if current != self.builtins:
            current.update(self.builtins)
            for key in current.keys() - self.builtins.keys():
                del current[key]
        np.seterr(**self.errors)
        random.setstate(self.random)
        warnings.filters[:] = self.filters
        sys.setrecursionlimit(self.recursion)
        sys.meta_path[:] = self.meta_path
        sys.path_hooks[:] = self.path_hooks
        sys.path_importer_cache.clear()
        if os.environ._data != self.environ:
            os.environ.clear()
            os.environ.update({os.fsdecode(key): os.fsdecode(value)
                               for key, value in self.environ.items()})


def _exit_on_cpu_limit(signum: int, frame: object) -> None:
    os._exit(CPU_EXIT)


def cpu_used() -> float:
    """CPU seconds of this process and its reaped children (what ``wait4`` reports)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def limit_cpu(seconds: int) -> None:
    """Let the next request use ``seconds`` more CPU seconds (soft limit, below the
    shared child's hard limit)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = math.ceil(own.ru_utime + own.ru_stime) + int(seconds)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    with contextlib.suppress(ValueError, OSError):  # the shared limit still holds
        resource.setrlimit(resource.RLIMIT_CPU, (wanted, hard))


def kill_leftovers() -> None:
    """SIGKILL every other process this uid may signal (only ever the run's own: used
    only after a switch to the sandbox uid), then reap the ones that were ours."""
    with contextlib.suppress(OSError):
        os.kill(-1, signal.SIGKILL)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def run_all(message: dict, run_dir: str, *, own_uid: bool,
            baseline: Baseline | None = None) -> None:
    """Run every request of the message in order; exit early only as documented.
    ``baseline`` is the zygote's, taken once before it forks any run (the state its
    children start from; taking it in each child costs ~1 ms of copied pages);
    a direct helper's child takes its own.  The first request runs in the state
    the process was forked in, exactly as a single ``run`` does: restoring then
    changes nothing but costs ~1 ms, every object it reads being a page the fresh
    child copies (tested: every request sees what a single run sees)."""
    if baseline is None:
        baseline = Baseline()
    else:
        baseline.after_fork()
    shadowed: dict = {}
    for index, request in enumerate(message["requests"]):
        folder = os.path.join(run_dir, f"r-{index}")
        work = int(request["work"])
        work_dir = os.path.join(run_dir, "work" if work == 0 else f"w-{work}")
        out_dir = os.path.join(folder, "out")
        if index:  # the first runs as forked, as a single run does (see ``run_all``)
            baseline.restore(shadowed)
        if request["module"] in baseline.module_names:
            shadowed[request["module"]] = sys.modules[request["module"]]
        os.chdir(os.path.join(folder, "work"))
        runner.redirect_stdio(folder)
        limit_cpu(request["limits"]["cpu_seconds"])
        signal.signal(signal.SIGXCPU, _exit_on_cpu_limit)
        _begin(out_dir)
        try:
            runner.run_request(request, work_dir, out_dir)
        finally:
            runner.flush_stdio()
        os.rename(os.path.join(out_dir, BEGUN), os.path.join(out_dir, ENDED))
        if own_uid:
            kill_leftovers()
        if threading.active_count() > 1:
            os._exit(THREAD_EXIT)


def _begin(out_dir: str) -> None:
    """Progress records are tiny files: ``begun`` holds the CPU seconds used so far and
    its modification time says when the request began; renamed to ``ended`` at the end
    (the rename keeps that time and sets the change time)."""
    fd = os.open(os.path.join(out_dir, BEGUN), os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        os.write(fd, f"{cpu_used():.4f}".encode())
    finally:
        os.close(fd)
