"""Limits on a whole run: a memory and process cgroup per worker slot.

Rlimits bound each process; a run that forks N children could use N times the
memory limit.  Where the machine offers cgroups (v1 ``memory`` and ``pids``
controllers, or a cgroup2 hierarchy that delegates both to us) each ``Sandbox``
makes one cgroup under the grader's own and every run's first process joins it
before anything else, with ``memory`` = the run's memory budget (its address space
plus its two tmpfs, whose pages are charged to it) and ``pids`` = its process
limit.  Runs of one slot never overlap, so one group per slot is enough.  Where
there is none, ``process_cap`` keeps processes x address space within the budget.

The parent's half (``create_group``, ``remove_group``) runs in the grader; the child's half
(``open_group``, ``join``) is loaded by the zygote as a top-level module, so this
module uses only the standard library.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time

V1_ROOT = "/sys/fs/cgroup"
V2_ROOTS = ("/sys/fs/cgroup", "/sys/fs/cgroup/unified")
V1_FILES = {"memory": "memory.limit_in_bytes", "pids": "pids.max"}
V2_FILES = ("memory.max", "pids.max")
MIB = 1024 * 1024


def run_memory_mb(address_space_mb: int, tmp_mb: int, base_mb: int) -> int:
    """A run's memory budget: one process's address space plus its two tmpfs."""
    return address_space_mb + tmp_mb + base_mb


def process_cap(processes: int, address_space_mb: int, memory_mb: int) -> int:
    """Without a cgroup: so few processes (and threads) that together they cannot
    address more than the run's memory budget (at least one, the run itself)."""
    return max(1, min(processes, memory_mb // address_space_mb))


def own_paths() -> dict[str, str]:
    """The grader's own cgroup per v1 controller, and under ``""`` its cgroup2 path."""
    paths = {}
    with contextlib.suppress(OSError), open("/proc/self/cgroup") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(","):
                paths[controller] = path
    return paths


def create_group(name: str) -> dict | None:
    """A cgroup ``name`` for one slot (v1 memory+pids, else cgroup2), or None."""
    own = own_paths()
    return _create_v1(name, own) or _create_v2(name, own)


def _create_v1(name: str, own: dict[str, str]) -> dict | None:
    made = {}
    for controller, limit_file in V1_FILES.items():
        parent = os.path.join(V1_ROOT, controller) + own.get(controller, "/")
        folder = os.path.join(parent, name)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            break
        if not os.path.exists(os.path.join(folder, limit_file)):
            break
        made[controller] = folder
    if len(made) < len(V1_FILES):
        remove_group({"version": 1, **made})
        return None
    with contextlib.suppress(OSError):  # no swapping past the limit where swap exists
        _write(os.path.join(made["memory"], "memory.swappiness"), "0")
    return {"version": 1, **made}


def _create_v2(name: str, own: dict[str, str]) -> dict | None:
    for root in V2_ROOTS:
        parent = root + own.get("", "/")
        if not os.path.exists(os.path.join(parent, "cgroup.subtree_control")):
            continue
        with contextlib.suppress(OSError):
            _write(os.path.join(parent, "cgroup.subtree_control"), "+memory +pids")
        folder = os.path.join(parent, name)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if all(os.path.exists(os.path.join(folder, file)) for file in V2_FILES):
            with contextlib.suppress(OSError):
                _write(os.path.join(folder, "memory.swap.max"), "0")
            return {"version": 2, "group": folder}
        remove_group({"version": 2, "group": folder})
    return None


def describe_group(group: dict | None) -> str:
    """The layer's name in the isolation tier string."""
    if group is None:
        return "nproc-cap"
    return f"cgroup-v{group['version']}(memory,pids)"


def remove_group(group: dict | None, patience: float = 2.0) -> None:
    """Delete the slot's cgroup folders (empty once its runs are dead).  A folder
    still busy is tried again for up to ``patience`` seconds: the zygote's spare run
    dies by its parent-death signal a moment after the zygote itself."""
    deadline = time.monotonic() + patience
    for key, folder in (group or {}).items():
        while key != "version" and _still_busy(folder) and time.monotonic() < deadline:
            time.sleep(0.005)


def _still_busy(folder: str) -> bool:
    """Remove ``folder``; True only when it still holds a process (EBUSY)."""
    try:
        os.rmdir(folder)
    except OSError as exc:
        return exc.errno == errno.EBUSY
    return False


def oom_kills(group: dict | None) -> int:
    """How many processes the group's memory limit has killed so far (0 if unknown)."""
    if group is None:
        return 0
    folder, name = ((group["memory"], "memory.oom_control") if group["version"] == 1
                    else (group["group"], "memory.events"))
    with contextlib.suppress(OSError, ValueError), open(os.path.join(folder, name)) as handle:
        for line in handle:
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
    return 0


def _write(path: str, text: str, dir_fd: int | None = None) -> None:
    fd = os.open(path, os.O_WRONLY, dir_fd=dir_fd)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


# -- the child's half (zygote and run processes) --------------------------------

def open_group(group: dict | None) -> dict[str, int]:
    """Folder descriptors of the slot's cgroup, opened by the zygote before it leaves
    the machine's file system; a run writes its limits and joins through them."""
    if group is None:
        return {}
    return {key: os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            for key, folder in group.items() if key != "version"}


def join(fds: dict[str, int], memory_mb: int, processes: int) -> None:
    """Set the group's limits for this run and move the calling process into it (its
    children follow).  Raises OSError: a run that cannot be bounded does not start.
    Any move between cgroups waits for an RCU grace period (about 10 ms of wall time);
    a zygote spares its runs that wait (``enter_idle``)."""
    if not fds:
        return
    set_limits(fds, memory_mb * MIB, processes)
    move_self(fds)


def set_limits(fds: dict[str, int], memory_bytes: int, processes: int) -> None:
    """Write the memory and process limits of the slot's group."""
    if "group" in fds:  # cgroup2: one folder, both controllers
        _write("memory.max", str(memory_bytes), dir_fd=fds["group"])
        _write("pids.max", str(processes), dir_fd=fds["group"])
        return
    _write("memory.limit_in_bytes", str(memory_bytes), dir_fd=fds["memory"])
    _write("pids.max", str(processes), dir_fd=fds["pids"])


def move_self(fds: dict[str, int]) -> None:
    """Move the calling process into the cgroup folders ``fds`` (OSError if refused)."""
    for fd in fds.values():
        _write("cgroup.procs", "0", dir_fd=fd)


def open_home(group: dict | None) -> dict[str, int]:
    """Descriptors of the folders the slot's group was made in (the grader's own
    cgroups, where the zygote lives while a run is going)."""
    if group is None:
        return {}
    return {key: os.open(os.path.dirname(folder), os.O_RDONLY | os.O_DIRECTORY)
            for key, folder in group.items() if key != "version"}


def settle_spawner(config: dict) -> bool:
    """Full tier, zygote, v1 group: move the calling thread (the zygote's spawner, not
    its leader) into the slot's group for good.  A process forked by a thread is born
    in that thread's cgroup, so every run starts inside its bounds with no move at all
    (each move waits for an RCU grace period, ~10 ms).  The zygote stays out of reach of
    its runs: its pages are charged to the cgroup of its leader (the memory's owner),
    the group's OOM killer only looks at thread-group leaders, and its uid and PID
    namespace are not the runs'.  cgroup2 keeps a process's threads together, so there
    this returns False and ``enter_idle`` moves the whole zygote between runs."""
    fds = config.get("cgroup_fds")
    config["resident"] = False
    if not (config.get("full") and fds and config.get("home_fds")) or "group" in fds:
        return False
    try:
        for fd in fds.values():
            _write("tasks", "0", dir_fd=fd)  # v1: "0" is the writing thread alone
    except OSError:
        move_threads_home(config["home_fds"])
        return False
    config["resident"] = True
    return True


def move_threads_home(home_fds: dict[str, int]) -> None:
    """Undo a partial ``settle_spawner`` (the calling thread back to the home groups)."""
    for fd in home_fds.values():
        with contextlib.suppress(OSError):
            _write("tasks", "0", dir_fd=fd)


def enter_idle(config: dict) -> None:
    """Full tier, zygote, no run alive (the run's PID namespace died with its PID 1).
    With a resident spawner: only lift the last run's limits.  Else move into the
    slot's group, so that the next run is born in it instead of paying an RCU grace
    period to move in; ``config["in_group"]`` says whether it worked (else the next
    run joins by itself)."""
    config["in_group"] = False
    fds = config.get("cgroup_fds")
    if config.get("resident"):
        with contextlib.suppress(OSError):
            relax_limits(fds)
        return
    if config.get("full") and fds and config.get("home_fds"):
        with contextlib.suppress(OSError):
            relax_limits(fds)  # the last run's (pids.max 1 would refuse the next fork)
            move_self(fds)
            config["in_group"] = True


def relax_limits(fds: dict[str, int]) -> None:
    """No limits on the group while no run is in it (each run writes its own)."""
    if "group" in fds:
        _write("memory.max", "max", dir_fd=fds["group"])
        _write("pids.max", "max", dir_fd=fds["group"])
        return
    _write("memory.limit_in_bytes", "-1", dir_fd=fds["memory"])
    _write("pids.max", "max", dir_fd=fds["pids"])


def leave_for_run(config: dict, gate: int) -> None:
    """Zygote, right after forking a run born in the group: move back out, then open
    the gate (one byte) the run waits on before it sets its limits and runs any
    student code, so no student code ever shares the group with the zygote (whose
    OOM killer could pick it).  If the move fails the gate closes empty and the run
    refuses to start (it reports the setup error itself).  Not used with a resident
    spawner (``settle_spawner``)."""
    with contextlib.suppress(OSError):
        move_self(config["home_fds"])
        os.write(gate, b"1")
    os.close(gate)


def pass_gate(config: dict, memory_mb: int, processes: int) -> None:
    """A run born in the group: wait until the zygote has left it, then set the run's
    limits (``limit_born_run``)."""
    gate = config.pop("gate")
    try:
        if os.read(gate, 1) != b"1":
            raise OSError(5, "the zygote could not leave the slot's cgroup")
    finally:
        os.close(gate)
    limit_born_run(config["cgroup_fds"], memory_mb, processes)


def limit_born_run(fds: dict[str, int], memory_mb: int, processes: int) -> None:
    """A run born in the group sets its limits before any student code: its memory
    budget on top of what the group holds at that moment (kernel objects of the
    fork, pages the zygote left there) and ``processes`` tasks in all."""
    usage_file = "memory.current" if "group" in fds else "memory.usage_in_bytes"
    fd = os.open(usage_file, os.O_RDONLY, dir_fd=fds.get("group", fds.get("memory")))
    try:
        usage = int(os.read(fd, 64).decode().strip())
    finally:
        os.close(fd)
    set_limits(fds, memory_mb * MIB + usage, processes)
