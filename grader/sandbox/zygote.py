"""The warm helper: imports NumPy once, then forks one confined child per run.

Started by ``Sandbox`` as ``python -I zygote.py CONFIG`` with a clean environment.
It holds no answers and never reads a request itself: on ``{"op": "run"}`` it
forks, and the child reads the request from the pipe, so no submission ever lives
in the zygote's memory.

With full isolation the zygote calls ``unshare(CLONE_NEWPID)`` just before the fork
(and ``setns`` back to its own PID namespace right after), so the one child it
forks is PID 1 of a brand-new PID namespace: one fork per run, not two.  Before
that, once, the zygote enters a mount namespace of its own and moves into a root
built from a list (``view.py``): the interpreter, the standard library, NumPy and
the libraries they load, read-only, and nothing else of the machine.  The runs are
forked by a second thread, the spawner, which lives in the slot's cgroup
(``cgroups.settle_spawner``), so each run is born inside its bounds.  The child
(``run_child.py``), still root, sets the group's limits, unshares mount, network and
IPC namespaces, mounts a private tmpfs on /tmp with its run folder at /tmp/run and
a fresh /proc, sets the rlimits, drops to the sandbox uid and runs the student
code.  With full isolation the next run's process is forked ahead, as soon as the
last run has been reaped, and goes as far as the namespaces and mounts before it
waits for its request (a spare, ``spare.py``).  The parent kills a run on timeout,
which ends every process of the namespace (so does its normal exit, and the
zygote's death through the parent-death signal).  As a PID 1 it
ignores SIGXCPU, so the zygote reports the CPU time it used and the parent tells
a CPU limit apart from other kills.  Without namespaces the child runs in a new
session (killed by process group), after dropping to the sandbox uid when the
zygote is root (then also killed by uid).

Messages to the parent: ready, started (pid to kill), setup_error (our fault),
done (wait status and CPU seconds of the child).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
# Inside the view, run folders live in /tmp: each run mounts its private /tmp over
# it (cheaper than unmounting, which waits for an RCU grace period), so no run sees
# another's folder.
RUNS = "/tmp"
RUNS_MB = 1  # only mount points: each run folder is a tmpfs of its own
# What student code commonly imports, loaded once here so that no run pays for it.
# The parts of NumPy a student is likely to use are all loaded here, ``numpy.ma`` and
# ``numpy.testing`` too (~60 ms of a zygote's start): NumPy installed below /tmp (a
# CI's clone) is covered in a run by the run's own /tmp, so a submodule left for the
# run to load would not be found there.
PRELOAD = (
    "numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.lib.stride_tricks",
    "numpy.polynomial", "numpy.ma", "numpy.testing", "math", "cmath", "itertools",
    "functools", "collections", "collections.abc", "typing", "dataclasses", "re",
    "random", "copy", "operator", "warnings", "enum", "string", "textwrap", "statistics",
    "fractions", "decimal", "numbers", "contextlib", "heapq", "bisect", "array", "gc",
    "inspect", "pprint", "time", "encodings.latin_1", "encodings.ascii", "encodings.utf_8",
    "importlib.util", "importlib.machinery", "traceback", "linecache", "tokenize",
    "encodings.idna", "socket", "datetime", "pathlib", "tempfile", "shutil", "glob",
    "fnmatch", "csv", "pickle", "hashlib", "struct", "queue", "threading", "signal",
    "subprocess", "unicodedata", "stringprep", "timeit", "abc", "types", "io", "errno",
)


def main() -> None:
    config = json.loads(sys.argv[1])
    sys.path.insert(0, HERE)
    import cgroups  # type: ignore[import-not-found]
    import confine  # type: ignore[import-not-found]
    import layout  # type: ignore[import-not-found]  # noqa: F401  (imported before any drop)
    import results_file  # type: ignore[import-not-found]  # noqa: F401
    import run_child  # type: ignore[import-not-found]  # noqa: F401
    import runner  # type: ignore[import-not-found]  # noqa: F401
    import shared_child  # type: ignore[import-not-found]
    import spare  # type: ignore[import-not-found]  # noqa: F401
    import view  # type: ignore[import-not-found]  # noqa: F401
    import wire  # type: ignore[import-not-found]
    sys.path.remove(HERE)
    sys.dont_write_bytecode = True
    control_in, control_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    confine.set_parent_death_signal()
    for name in PRELOAD:
        importlib.import_module(name)
    config["cgroup_fds"] = cgroups.open_group(config.get("cgroup"))
    config["home_fds"] = cgroups.open_home(config.get("cgroup")) if config["full"] else {}
    own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY) if config["full"] else -1
    error = enter_view(config) if config["full"] else None
    config["baseline"] = shared_child.Baseline()  # what every run starts from
    gc.collect()
    gc.freeze()  # children's collections then skip (and do not copy) the warm heap
    wire.send(control_out, {"event": "ready", "pid": os.getpid(), "error": error,
                            "runs": config["base"]})
    if not config["full"]:
        serve(config, control_in, control_out, own_pid_namespace)
    spawner = threading.Thread(target=serve_from_spawner, name="spawner", daemon=True,
                               args=(config, control_in, control_out, own_pid_namespace))
    spawner.start()
    spawner.join()
    os._exit(70)  # the spawner ended without exiting the process: a bug of ours


def serve_from_spawner(config: dict, control_in: int, control_out: int,
                       own_pid_namespace: int) -> None:
    """Full tier: the loop runs in a second thread, which (v1) lives in the slot's
    cgroup for good while the zygote's leader stays home (``cgroups.settle_spawner``):
    its runs are born bounded without moving anyone.  Elsewhere the whole zygote waits
    in the group between runs (``cgroups.enter_idle``)."""
    import cgroups  # type: ignore[import-not-found]

    if not cgroups.settle_spawner(config):
        cgroups.enter_idle(config)
    serve(config, control_in, control_out, own_pid_namespace)


def enter_view(config: dict) -> str | None:
    """Full isolation: a mount namespace of our own whose root is the view (built on
    the folder the parent made for us), run folders under ``/tmp``.  The error, if
    any, for the parent (which then falls back to a lower tier)."""
    import confine  # type: ignore[import-not-found]
    import view  # type: ignore[import-not-found]

    try:
        confine.unshare(confine.CLONE_NEWNS)
        confine.make_mounts_private()
        view.build(config["base"], tuple(config["hidden"]), runs_mb=RUNS_MB)
        view.enter(config["base"])
    except OSError as exc:
        return str(exc)
    config.update(base=RUNS, view=True)
    return None


def serve(config: dict, control_in: int, control_out: int, own_pid_namespace: int) -> None:
    """The zygote's loop: one run per ``{"op": "run"}``, served by the spare when
    there is one for that number (``spare.py``), else forked now."""
    import cgroups  # type: ignore[import-not-found]
    import spare as spares  # type: ignore[import-not-found]
    import wire  # type: ignore[import-not-found]

    spare = None
    while True:
        try:
            message = wire.receive(control_in)
        except wire.WireClosed:
            os._exit(0)
        if message.get("op") != "run":
            os._exit(0)
        number = int(message.get("run", 0))
        release = message.get("release", [])
        try:
            pid = spares.take(config, spare, number)
            spare = None
            if pid is None:  # released first: the fresh run's copy of the mounts lacks them
                release_runs(config, release)
                release = []
                pid = fork_run(config, own_pid_namespace, number)
        except OSError as exc:
            wire.receive(control_in)
            wire.send(control_out, {"event": "setup_error", "message": f"fork: {exc}"})
            wire.send(control_out, {"event": "done", "status": 0, "cpu_seconds": 0.0})
            continue
        if pid == 0:
            import run_child  # type: ignore[import-not-found]

            run_child.child_main(config, control_in, control_out)
        wire.send(control_out, {"event": "started", "pid": pid})
        release_runs(config, release)  # while the spare runs (it detached them already)
        _, status, usage = os.wait4(pid, 0)
        wire.send(control_out, {"event": "done", "status": status,
                                "cpu_seconds": usage.ru_utime + usage.ru_stime})
        cgroups.enter_idle(config)  # the run's PID namespace is gone with its PID 1
        spare = make_spare(config, control_in, control_out, own_pid_namespace, number + 1)


def make_spare(config: dict, control_in: int, control_out: int, own_pid_namespace: int,
               number: int) -> object:
    """The next run's process, forked while the parent reads the last one's results."""
    import run_child  # type: ignore[import-not-found]
    import spare as spares  # type: ignore[import-not-found]

    return spares.make(config, number,
                       fork=lambda n: fork_run(config, own_pid_namespace, n),
                       child=lambda go: run_child.spare_main(config, control_in, control_out,
                                                             go, number))


def release_runs(config: dict, numbers: list) -> None:
    """Full isolation: unmount the tmpfs of runs the parent has read (one system call
    instead of deleting every file).  Otherwise the parent deletes run folders itself."""
    import confine  # type: ignore[import-not-found]
    import layout  # type: ignore[import-not-found]

    for number in numbers if config["run_tmpfs"] else ():
        path = layout.run_folder(config, number)
        with contextlib.suppress(OSError):  # already gone
            confine.unmount(path)
            os.rmdir(path)


def fork_run(config: dict, own_pid_namespace: int, number: int) -> int:
    """Fork the run's child; with full isolation as PID 1 of a new PID namespace, its
    run folder a tmpfs of its own (mounted here, in the zygote's mount namespace)."""
    import cgroups  # type: ignore[import-not-found]
    import confine  # type: ignore[import-not-found]
    import layout  # type: ignore[import-not-found]

    if not config["full"]:
        return os.fork()
    if config["run_tmpfs"]:
        run_dir = layout.run_folder(config, number)
        os.mkdir(run_dir, 0o755)
        confine.mount_tmpfs(run_dir, config["base_mb"], mode="0755")
    gate = os.pipe() if config.get("in_group") else None  # see cgroups.leave_for_run
    confine.unshare(confine.CLONE_NEWPID)
    try:
        pid = os.fork()
    except OSError:
        confine.setns(own_pid_namespace, confine.CLONE_NEWPID)
        for fd in gate or ():
            os.close(fd)
        raise
    if pid == 0 and gate:
        os.close(gate[1])
        config["gate"] = gate[0]
    elif pid != 0:
        if gate:
            os.close(gate[0])
            cgroups.leave_for_run(config, gate[1])
        confine.setns(own_pid_namespace, confine.CLONE_NEWPID)
    return pid


if __name__ == "__main__":
    main()
