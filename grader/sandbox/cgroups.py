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
import os

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


def remove_group(group: dict | None) -> None:
    """Delete the slot's cgroup folders (empty once its runs are dead)."""
    for key, folder in (group or {}).items():
        if key != "version":
            with contextlib.suppress(OSError):
                os.rmdir(folder)


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
    children follow).  Raises OSError: a run that cannot be bounded does not start."""
    if not fds:
        return
    limits = {"memory": ("memory.limit_in_bytes", memory_mb * MIB), "pids": ("pids.max", processes)}
    if "group" in fds:  # cgroup2: one folder, both controllers
        for file, value in (("memory.max", memory_mb * MIB), ("pids.max", processes)):
            _write(file, str(value), dir_fd=fds["group"])
        _write("cgroup.procs", "0", dir_fd=fds["group"])
        return
    for key, (file, value) in limits.items():
        _write(file, str(value), dir_fd=fds[key])
        _write("cgroup.procs", "0", dir_fd=fds[key])
