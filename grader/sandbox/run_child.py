"""The run's process: forked by the zygote (or by the direct helper of ``check``).

It reads its request from the control pipe (the zygote never does), bounds the whole
run (the slot's cgroup), lays out its run folder, confines itself (namespaces, the
view, rlimits, the sandbox uid) and runs the student code.  Loaded as a top-level
module beside its helpers (``zygote.py``, ``direct.py``), so it uses only the
standard library and the sandbox's own child modules.
"""

from __future__ import annotations

import errno
import os
import signal

RUN_IN_VIEW = "/tmp/run"  # where a confined run sees its own folder


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
            run_dir = RUN_IN_VIEW
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


def spare_main(config: dict, control_in: int, control_out: int, go: int, number: int) -> None:
    """A spare run (``spare.py``): new namespaces, /proc, /tmp and the run folder now;
    then wait for the zygote's go, answer it, read the request and go on as
    ``child_main``.
    Before the go it never writes to the control pipe (the run is not the parent's
    yet): a failure there only exits, and the zygote forks a fresh run instead."""
    import confine  # type: ignore[import-not-found]
    import layout  # type: ignore[import-not-found]
    import wire  # type: ignore[import-not-found]

    try:
        os.setsid()
        confine.set_parent_death_signal()
        enter_namespaces(config, layout.run_folder(config, number), others_gone=True)
    except BaseException:
        os._exit(71)
    try:
        if os.read(go, 1) != b"1" or os.write(go, b"1") != 1:  # put away, or answered
            os._exit(0)
    except OSError:
        os._exit(0)
    try:
        os.close(go)
        request = wire.receive(control_in)
        if int(request["run"]) != number:
            raise ValueError(f"run {request['run']} was sent to the spare of run {number}")
        bound_whole_run(config, request["limits"])
        layout.make_run_dir(config, request, run_dir=RUN_IN_VIEW)
        finish_confinement(config, request)
        enter_and_run(request, RUN_IN_VIEW, apply_limits=False, switch_user=False,
                      config=config)
    except BaseException as exc:
        report_setup_error(control_out, exc)
    os._exit(70)


def confine_in_namespaces(config: dict, request: dict, run_dir: str) -> None:
    """As root and PID 1: new mount/net/IPC namespaces with the run folder in them,
    then the run's limits and the sandbox uid."""
    enter_namespaces(config, run_dir)
    finish_confinement(config, request)


def enter_namespaces(config: dict, run_dir: str, *, others_gone: bool = False) -> None:
    """New mount/net/IPC namespaces; the view as root (the zygote's, or built now in
    direct mode) with a private /tmp holding the run folder at /tmp/run and a fresh
    /proc.  Nothing here depends on the request (a spare does it before one).
    ``others_gone``: first unmount, in the new namespace, every other run folder (a
    spare is forked before the parent has read the last run, whose folder would
    otherwise live on, covered by /tmp, in this run's namespace)."""
    import confine  # type: ignore[import-not-found]
    import view  # type: ignore[import-not-found]

    confine.unshare(confine.CLONE_NEWNS | confine.CLONE_NEWNET | confine.CLONE_NEWIPC)
    confine.make_mounts_private()
    if others_gone:
        unmount_other_runs(run_dir)
    run_fd = os.open(run_dir, os.O_PATH | os.O_DIRECTORY)
    if config.get("view"):  # the zygote's root is the view already; runs are in /tmp
        confine.mount_proc()
        confine.mount_tmpfs("/tmp", config["tmp_mb"])  # covers every run folder
        os.mkdir(RUN_IN_VIEW, 0o755)
        confine.bind_directory_fd(run_fd, RUN_IN_VIEW)
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


def unmount_other_runs(run_dir: str) -> None:
    """Detach every run folder beside ``run_dir`` from this mount namespace (the
    zygote's stay as they are: this namespace is the run's own copy)."""
    import confine  # type: ignore[import-not-found]

    parent, own = os.path.split(run_dir)
    for name in os.listdir(parent):
        if name.startswith("run-") and name != own:
            try:
                confine.unmount(os.path.join(parent, name))
            except OSError as exc:
                if exc.errno != errno.EINVAL:  # EINVAL: a folder, not a mount point
                    raise


def finish_confinement(config: dict, request: dict) -> None:
    """The request's limits (the cgroup behind the gate, the rlimits), then the
    sandbox uid: the last steps as root."""
    import confine  # type: ignore[import-not-found]

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
