"""The run's process: forked by the zygote (or by the direct helper of ``check``).

It reads its request from the control pipe (the zygote never does), bounds the whole
run (the slot's cgroup), lays out its run folder, confines itself (namespaces, the
view, rlimits, the sandbox uid) and runs the student code.  Loaded as a top-level
module beside its helpers (``zygote.py``, ``direct.py``), so it uses only the
standard library and the sandbox's own child modules.
"""

from __future__ import annotations

import os
import signal


def child_main(config: dict, control_in: int, control_out: int) -> None:
    """The run's process: read the request, bound the whole run, lay out the run
    folder, confine, run."""
    import confine  # type: ignore[import-not-found]
    import layout  # type: ignore[import-not-found]
    import wire  # type: ignore[import-not-found]

    try:
        os.setsid()
        confine.set_parent_death_signal()
        request = wire.receive(control_in)
        if "gate" not in config:  # else once the zygote has left the group
            bound_whole_run(config, request["limits"])
        run_dir = layout.make_run_dir(config, request)
        if config["full"]:
            confine_in_namespaces(config, request, run_dir)
            run_dir = "/tmp/run"
        enter_and_run(request, run_dir, apply_limits=not config["full"],
                      switch_user=config["uid"] >= 0 and not config["full"], config=config)
    except BaseException as exc:
        report_setup_error(control_out, exc)
    os._exit(70)  # never fall back into the zygote's loop


def bound_whole_run(config: dict, limits: dict) -> None:
    """With a user switch: join the slot's cgroup (memory and processes of the whole
    run), or where there is none lower the process count (``limits`` is changed)
    so that processes x address space stays within the run's memory budget."""
    import cgroups  # type: ignore[import-not-found]

    if config["uid"] < 0:
        return
    memory_mb = cgroups.run_memory_mb(int(limits["address_space_mb"]), config["tmp_mb"],
                                      config["base_mb"])
    fds = config.get("cgroup_fds") or cgroups.open_group(config.get("cgroup"))
    if "gate" in config:  # born in the group (see cgroups.leave_for_run)
        cgroups.pass_gate(config, memory_mb, int(limits["processes"]))
    elif config.get("resident"):  # born in the group beside the spawner thread, one task
        cgroups.limit_born_run(fds, memory_mb, int(limits["processes"]) + 1)
    elif fds:
        cgroups.join(fds, memory_mb, int(limits["processes"]))
    else:
        limits["processes"] = cgroups.process_cap(int(limits["processes"]),
                                                  int(limits["address_space_mb"]), memory_mb)


def report_setup_error(control_out: int, exc: BaseException) -> None:
    import wire  # type: ignore[import-not-found]

    try:
        wire.send(control_out, {"event": "setup_error", "message": f"{type(exc).__name__}: {exc}"})
    finally:
        os._exit(70)


def confine_in_namespaces(config: dict, request: dict, run_dir: str) -> None:
    """As root and PID 1: new mount/net/IPC namespaces; the view as root (the
    zygote's, or built now in direct mode) with a private /tmp holding the run folder
    at /tmp/run and a fresh /proc; rlimits; then the sandbox uid."""
    import confine  # type: ignore[import-not-found]
    import view  # type: ignore[import-not-found]

    confine.unshare(confine.CLONE_NEWNS | confine.CLONE_NEWNET | confine.CLONE_NEWIPC)
    confine.make_mounts_private()
    run_fd = os.open(run_dir, os.O_PATH | os.O_DIRECTORY)
    if config.get("view"):  # the zygote's root is the view already; runs are in /tmp
        confine.mount_proc()
        confine.mount_tmpfs("/tmp", config["tmp_mb"])  # covers every run folder
        os.mkdir("/tmp/run", 0o755)
        confine.bind_directory_fd(run_fd, "/tmp/run")
        os.close(run_fd)
    else:  # direct mode: build the view over the sandbox's folder, then move in
        root = config["base"]
        view.build(root, tuple(config["hidden"]))
        confine.mount_tmpfs(os.path.join(root, "tmp"), config["tmp_mb"])
        os.mkdir(os.path.join(root, "tmp", "run"), 0o755)
        confine.bind_directory_fd(run_fd, os.path.join(root, "tmp", "run"))
        os.close(run_fd)
        view.enter(root)
        confine.mount_proc()
    if "gate" in config:
        bound_whole_run(config, request["limits"])
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
        shared_child.run_all(request, run_dir, own_uid=config["uid"] >= 0,
                             baseline=config.get("baseline"))
        os._exit(0)
    work_dir, out_dir = os.path.join(run_dir, "work"), os.path.join(run_dir, "out")
    os.chdir(work_dir)
    runner.redirect_stdio(run_dir)
    try:
        runner.run_request(request, work_dir, out_dir)
    finally:
        runner.flush_stdio()
        os._exit(0)
