"""The warm helper: imports NumPy once, then forks one confined child per run.

Started by ``Sandbox`` as ``python -I zygote.py CONFIG`` with a clean environment.
It holds no answers and never reads a request itself: on ``{"op": "run"}`` it
forks, and the child reads the request from the pipe, so no submission ever lives
in the zygote's memory.

With full isolation the zygote calls ``unshare(CLONE_NEWPID)`` just before the fork
(and ``setns`` back to its own PID namespace right after), so the one child it
forks is PID 1 of a brand-new PID namespace: one fork per run, not two.  That
child, still root, unshares mount, network and IPC namespaces, covers the hidden
paths, mounts private tmpfs on /tmp and the other world-writable folders and a
fresh /proc, sets
the rlimits, drops to the sandbox uid and runs the student code.  The parent kills
it on timeout, which ends every process of the namespace (so does its normal
exit, and the zygote's death through the parent-death signal).  As a PID 1 it
ignores SIGXCPU, so the zygote reports the CPU time it used and the parent tells
a CPU limit apart from other kills.  Without namespaces the child runs in a new
session (killed by process group), after dropping to the sandbox uid when the
zygote is root (then also killed by uid).

Messages to the parent: ready, started (pid to kill), setup_error (our fault),
done (wait status and CPU seconds of the child).
"""

from __future__ import annotations

import base64
import contextlib
import gc
import importlib
import json
import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Folders any user may write to on a Debian-like system: each run gets its own empty,
# size-limited copy, so nothing is left behind for the next run and the machine's
# own folders cannot be filled.
WRITABLE_BY_ALL = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")
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
    import confine  # type: ignore[import-not-found]
    import runner  # type: ignore[import-not-found]  # noqa: F401  (imported before any drop)
    import shared_child  # type: ignore[import-not-found]  # noqa: F401
    import wire  # type: ignore[import-not-found]
    sys.path.remove(HERE)
    sys.dont_write_bytecode = True
    control_in, control_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    confine.set_parent_death_signal()
    error = None
    if config["full"]:
        try:
            confine.unshare(confine.CLONE_NEWNS)
            confine.make_mounts_private()
            confine.mount_tmpfs(config["base"], config["base_mb"], mode="0711")
        except OSError as exc:
            error = str(exc)
    for name in PRELOAD:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()  # children's collections then skip (and do not copy) the warm heap
    wire.send(control_out, {"event": "ready", "pid": os.getpid(), "error": error})
    serve(config, control_in, control_out)


def serve(config: dict, control_in: int, control_out: int) -> None:
    import wire  # type: ignore[import-not-found]

    own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY) if config["full"] else -1
    while True:
        try:
            message = wire.receive(control_in)
        except wire.WireClosed:
            os._exit(0)
        if message.get("op") != "run":
            os._exit(0)
        try:
            release_runs(config, message.get("release", []))
            pid = fork_run(config, own_pid_namespace, int(message.get("run", 0)))
        except OSError as exc:
            wire.receive(control_in)
            wire.send(control_out, {"event": "setup_error", "message": f"fork: {exc}"})
            wire.send(control_out, {"event": "done", "status": 0, "cpu_seconds": 0.0})
            continue
        if pid == 0:
            child_main(config, control_in, control_out)
        wire.send(control_out, {"event": "started", "pid": pid})
        _, status, usage = os.wait4(pid, 0)
        wire.send(control_out, {"event": "done", "status": status,
                                "cpu_seconds": usage.ru_utime + usage.ru_stime})


def release_runs(config: dict, numbers: list) -> None:
    """Full isolation: unmount the tmpfs of runs the parent has read (one system call
    instead of deleting every file).  Otherwise the parent deletes run folders itself."""
    import confine  # type: ignore[import-not-found]

    for number in numbers if config["run_tmpfs"] else ():
        path = os.path.join(config["base"], f"run-{int(number)}")
        with contextlib.suppress(OSError):  # already gone
            confine.unmount(path)
            os.rmdir(path)


def fork_run(config: dict, own_pid_namespace: int, number: int) -> int:
    """Fork the run's child; with full isolation as PID 1 of a new PID namespace, its
    run folder a tmpfs of its own (mounted here, in the zygote's mount namespace)."""
    import confine  # type: ignore[import-not-found]

    if not config["full"]:
        return os.fork()
    if config["run_tmpfs"]:
        run_dir = os.path.join(config["base"], f"run-{number}")
        os.mkdir(run_dir, 0o755)
        confine.mount_tmpfs(run_dir, config["base_mb"], mode="0755")
    confine.unshare(confine.CLONE_NEWPID)
    try:
        pid = os.fork()
    except OSError:
        confine.setns(own_pid_namespace, confine.CLONE_NEWPID)
        raise
    if pid != 0:
        confine.setns(own_pid_namespace, confine.CLONE_NEWPID)
    return pid


def child_main(config: dict, control_in: int, control_out: int) -> None:
    """The run's process: read the request, lay out the run folder, confine, run."""
    import confine  # type: ignore[import-not-found]
    import wire  # type: ignore[import-not-found]

    try:
        os.setsid()
        confine.set_parent_death_signal()
        request = wire.receive(control_in)
        run_dir = make_run_dir(config, request)
        if config["full"]:
            confine_in_namespaces(config, request, run_dir)
            run_dir = "/tmp/run"
        enter_and_run(request, run_dir, apply_limits=not config["full"],
                      switch_user=config["uid"] >= 0 and not config["full"], config=config)
    except BaseException as exc:
        report_setup_error(control_out, exc)
    os._exit(70)  # never fall back into the zygote's loop


def report_setup_error(control_out: int, exc: BaseException) -> None:
    import wire  # type: ignore[import-not-found]

    try:
        wire.send(control_out, {"event": "setup_error", "message": f"{type(exc).__name__}: {exc}"})
    finally:
        os._exit(70)


def make_run_dir(config: dict, request: dict) -> str:
    """``run-N/`` (root) holding ``work/`` with the files, ``out/``, stdout and stderr.
    For a shared child (``requests`` in the message): ``work/`` (then ``w-1/``, ...)
    per distinct set of files (requests of one submission usually share one; it is
    their import folder, at the same path as for a single run)
    and ``r-<index>/`` with an empty ``work/`` (the current folder), ``out/``, stdout
    and stderr per request."""
    run_dir = os.path.join(config["base"], f"run-{int(request['run'])}")
    if not config["run_tmpfs"]:  # else the zygote mounted a tmpfs there
        os.mkdir(run_dir, 0o755)
    if "requests" not in request:
        write_files(config, os.path.join(run_dir, "work"),
                    {name: base64.b64decode(encoded) for name, encoded in request["files"].items()})
        make_outputs(config, run_dir)
        return run_dir
    blobs = {key: base64.b64decode(encoded) for key, encoded in request["blobs"].items()}
    for index, names in enumerate(request["works"]):
        write_files(config, os.path.join(run_dir, "work" if index == 0 else f"w-{index}"),
                    {name: blobs[key] for name, key in names.items()})
    for index in range(len(request["requests"])):
        folder = os.path.join(run_dir, f"r-{index}")
        os.mkdir(folder, 0o755)
        make_outputs(config, folder, with_work=True)
    return run_dir


def write_files(config: dict, folder: str, files: dict) -> None:
    """A work folder owned by the sandbox uid with the submission's files in it."""
    os.mkdir(folder, 0o700)
    paths = []
    for name, content in files.items():
        if os.path.basename(name) != name or name in ("", ".", "..") or "\0" in name:
            raise ValueError(f"unsafe file name {name!r}")
        paths.append(os.path.join(folder, name))
        with open(paths[-1], "wb") as handle:
            handle.write(content)
    if config["uid"] >= 0:
        for path in [folder, *paths]:
            os.chown(path, config["uid"], config["gid"])


def make_outputs(config: dict, folder: str, *, with_work: bool = False) -> None:
    """``out/``, ``stdout.txt`` and ``stderr.txt`` in ``folder`` (and an empty ``work/``,
    the current folder of a request in a shared child), owned by the sandbox uid."""
    paths = [os.path.join(folder, name) for name in ("out", "stdout.txt", "stderr.txt")]
    os.mkdir(paths[0], 0o700)
    if with_work:
        paths.append(os.path.join(folder, "work"))
        os.mkdir(paths[-1], 0o700)
    for path in paths[1:3]:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if config["uid"] >= 0:
        for path in paths:
            os.chown(path, config["uid"], config["gid"])


def confine_in_namespaces(config: dict, request: dict, run_dir: str) -> None:
    """As root and PID 1: new mount/net/IPC namespaces, hidden paths, private /tmp with
    the run folder at /tmp/run, a fresh /proc, rlimits, then the sandbox uid."""
    import confine  # type: ignore[import-not-found]

    confine.unshare(confine.CLONE_NEWNS | confine.CLONE_NEWNET | confine.CLONE_NEWIPC)
    confine.make_mounts_private()
    run_fd = os.open(run_dir, os.O_PATH | os.O_DIRECTORY)
    for path in config["hidden"]:
        confine.hide(path)
    for path in WRITABLE_BY_ALL:
        if os.path.isdir(path) and not os.path.islink(path):
            confine.mount_tmpfs(path, config["tmp_mb"])
    os.mkdir("/tmp/run", 0o755)
    confine.bind_directory_fd(run_fd, "/tmp/run")
    os.close(run_fd)
    confine.mount_proc()
    confine.apply_rlimits(request["limits"], with_processes=True)
    confine.drop_privileges(config["uid"], config["gid"])
    confine.set_parent_death_signal()


def enter_and_run(request: dict, run_dir: str, *, apply_limits: bool, switch_user: bool,
                  config: dict) -> None:
    """The runner process: limits and user switch (when not done yet), stdio to files,
    run, exit."""
    import confine  # type: ignore[import-not-found]
    import runner  # type: ignore[import-not-found]

    if apply_limits:
        confine.apply_rlimits(request["limits"], with_processes=switch_user,
                              strict=switch_user)
    if switch_user:
        confine.drop_privileges(config["uid"], config["gid"])
        confine.set_parent_death_signal()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if "requests" in request:
        import shared_child  # type: ignore[import-not-found]

        os.closerange(3, 1 << 16)
        shared_child.run_all(request, run_dir, own_uid=config["uid"] >= 0)
        os._exit(0)
    work_dir, out_dir = os.path.join(run_dir, "work"), os.path.join(run_dir, "out")
    os.chdir(work_dir)
    runner.redirect_stdio(run_dir)
    try:
        runner.run_request(request, work_dir, out_dir)
    finally:
        runner.flush_stdio()
        os._exit(0)


if __name__ == "__main__":
    main()
