"""What isolation this machine allows, worker-slot user ids, and killing by user.

Each ``Sandbox`` runs its children as its own unprivileged uid (no account needed),
reserved with a lock file for the sandbox's lifetime, so the process-count limit
and a kill-by-uid sweep never touch another worker slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import tempfile
import time

from grader.sandbox.confine import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    is_linux,
    make_mounts_private,
    unshare,
)

# The tiers (what ``machine_isolation`` returns).  A sandbox's ``isolation`` adds the
# layer that bounds a whole run at the end (``with_run_limit``).
FULL_ISOLATION = "uid+pidns+netns+mntns+ipcns+pivot_root+rlimits"
REDUCED_ISOLATION = "session+rlimits (no root: no user switch, no namespaces, no network block)"
UID_ISOLATION = ("uid+session+rlimits (namespaces unavailable: no network block, "
                 "no private /tmp, no view of its own: the machine is visible)")
FIRST_SANDBOX_UID = 64000
SLOT_COUNT = 1000


def can_switch_user() -> bool:
    """Only root can run children as another uid."""
    return os.geteuid() == 0


def machine_isolation() -> str:
    """The strongest tier this machine allows: full as root with namespaces, the user
    switch alone as root without them, else the reduced tier."""
    if not can_switch_user():
        return REDUCED_ISOLATION
    if not is_linux():
        return UID_ISOLATION
    return FULL_ISOLATION if namespaces_work() else UID_ISOLATION


def with_run_limit(tier: str, layer: str) -> str:
    """``tier`` with the layer that bounds a whole run (``cgroup-v1(memory,pids)``, or
    ``nproc-cap`` without a cgroup) added at its end."""
    return f"{tier}+{layer}"


def namespaces_work() -> bool:
    """Try ``unshare`` of every namespace we use, in a throw-away child."""
    pid = os.fork()
    if pid == 0:
        try:
            unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC)
            make_mounts_private()
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


class UidSlot:
    """An unprivileged uid reserved for one sandbox (a held ``flock``)."""

    def __init__(self, uid: int, lock_fd: int) -> None:
        self.uid = uid
        self.gid = uid
        self._lock_fd = lock_fd

    @classmethod
    def acquire(cls) -> UidSlot:
        for uid in range(FIRST_SANDBOX_UID, FIRST_SANDBOX_UID + SLOT_COUNT):
            path = os.path.join(tempfile.gettempdir(), f"cnn-grader-uid-{uid}.lock")
            fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            kill_user_processes(uid)
            return cls(uid, fd)
        raise OSError("no free sandbox uid (all worker slots in use)")

    def release(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1


def user_processes(uid: int) -> list[int]:
    """Pids of live (not zombie) processes whose real or effective uid is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _is_live_process_of(entry, uid):
            found.append(int(entry))
    return found


def _is_live_process_of(pid: str, uid: int) -> bool:
    """From ``/proc/<pid>/status``: not a zombie, real or effective uid ``uid``.  Read
    with one system call and searched as bytes (a sweep reads every process's file;
    a line-by-line text parse was most of its cost).  The kernel escapes newlines in
    the process name, so a line start is always one of its own fields."""
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
    except OSError:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    finally:
        os.close(fd)
    state, uids = _status_field(data, b"State:"), _status_field(data, b"Uid:").split()
    return not state.startswith(b"Z") and str(uid).encode() in uids[:2]


def _status_field(data: bytes, key: bytes) -> bytes:
    """The value of the line ``key`` of a status file (empty when it has none)."""
    if data.startswith(key):
        start = 0
    else:
        start = data.find(b"\n" + key) + 1
        if start == 0:
            return b""
    end = data.find(b"\n", start)
    return data[start + len(key):end if end >= 0 else len(data)].strip()


def kill_user_processes(uid: int, passes: int = 50) -> bool:
    """SIGKILL every process of ``uid`` until none is left; True when none is left."""
    for attempt in range(passes):
        pids = user_processes(uid)
        if not pids:
            return True
        if attempt:
            time.sleep(0.002)  # let the killed ones be reaped
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    return not user_processes(uid)
