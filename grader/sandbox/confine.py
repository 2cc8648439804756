"""System calls that confine a child: namespaces, mounts, user switch, rlimits.

Loaded by the zygote as a top-level module, so it uses only the standard library.
Python 3.11 has no ``os.unshare`` or ``os.mount``; we call libc through ctypes
(ctypes is imported before any privilege drop, so this works in every child).
Every function raises ``OSError`` with the failing call named; the caller turns
that into a grader error, because a failed confinement is our fault.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
_LIBC = ctypes.CDLL(None, use_errno=True)
_SIGNATURES = {
    "mount": [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
              ctypes.c_char_p],
    "unshare": [ctypes.c_int],
    "umount2": [ctypes.c_char_p, ctypes.c_int],
    "setns": [ctypes.c_int, ctypes.c_int],
    "prctl": [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong],
    "syscall": [ctypes.c_long, ctypes.c_char_p, ctypes.c_char_p],
}
MS_REMOUNT = 32
# glibc has no pivot_root wrapper: the system call's number per architecture
PIVOT_ROOT_CALLS = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}


def _libc(name: str) -> Any:
    """A Linux libc function, or OSError elsewhere (macOS has no unshare or prctl)."""
    function = getattr(_LIBC, name, None)
    if function is None:
        raise OSError(38, f"{name} is not available on this system")
    function.argtypes = _SIGNATURES[name]
    return function


def is_linux() -> bool:
    return hasattr(_LIBC, "prctl") and hasattr(_LIBC, "unshare")


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def unshare(flags: int) -> None:
    _check(_libc("unshare")(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc("setns")(fd, nstype), "setns")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(_libc("mount")(source.encode(), target.encode(),
                          fstype.encode() if fstype else None, flags,
                          data.encode() if data else None), f"mount {target}")


def unmount(target: str) -> None:
    """Detach a mount (a whole tmpfs is freed at once, however many files it holds)."""
    _check(_libc("umount2")(target.encode(), MNT_DETACH), f"umount {target}")


def make_mounts_private() -> None:
    """Stop our mounts from propagating back to the machine's namespace."""
    mount("none", "/", None, MS_REC | MS_PRIVATE)


def mount_tmpfs(target: str, size_mb: int, mode: str = "1777", read_only: bool = False) -> None:
    flags = MS_NOSUID | MS_NODEV | (MS_RDONLY if read_only else 0)
    mount("tmpfs", target, "tmpfs", flags, f"size={size_mb}m,mode={mode}")


def bind(source: str, target: str, *, read_only: bool) -> None:
    """Bind ``source`` (a folder or a file) onto ``target``; read-only and without
    set-uid or devices when asked (a bind takes its flags only from a remount)."""
    mount(source, target, None, MS_BIND)
    if read_only:
        remount_read_only(target)


def remount_read_only(target: str) -> None:
    """Make the mount on ``target`` read-only (its file system stays writable elsewhere)."""
    mount("none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def pivot_root(new_root: str, put_old: str) -> None:
    """Make ``new_root`` the root of this mount namespace (Linux only)."""
    number = PIVOT_ROOT_CALLS.get(platform.machine())
    if number is None:
        raise OSError(38, f"pivot_root: unknown system call number on {platform.machine()}")
    _check(_libc("syscall")(number, new_root.encode(), put_old.encode()), "pivot_root")


def bind_directory_fd(fd: int, target: str) -> None:
    """Bind an open directory (possibly covered by now) onto ``target``."""
    mount(f"/proc/self/fd/{fd}", target, None, MS_BIND)


def mount_proc() -> None:
    """A /proc that shows only the processes of the current PID namespace."""
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def set_parent_death_signal() -> None:
    """Die with our parent (Linux only; elsewhere the parent's kill has to do)."""
    if is_linux():
        _check(_libc("prctl")(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def drop_privileges(uid: int, gid: int) -> None:
    """Become an unprivileged user for good (no supplementary groups, no new privileges)."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if is_linux():
        _check(_libc("prctl")(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != gid:
        raise OSError(1, "drop_privileges: the user switch did not take effect")


def apply_rlimits(limits: dict, *, with_processes: bool, strict: bool = True) -> None:
    """Limit memory, CPU, file size, open files, core dumps (and process count).

    ``strict=False`` (the reduced tier on a student's machine) skips a limit the
    system refuses, as macOS does for ``RLIMIT_AS``, instead of failing the run.
    """
    mib = 1024 * 1024
    cpu = int(limits["cpu_seconds"])
    file_mb = max(int(limits["file_size_mb"]), int(limits["output_mb"])) + 1
    settings = [
        (resource.RLIMIT_AS, int(limits["address_space_mb"]) * mib),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, file_mb * mib),
        (resource.RLIMIT_NOFILE, int(limits["open_files"])),
        (resource.RLIMIT_CORE, 0),
    ]
    if with_processes:
        settings.append((resource.RLIMIT_NPROC, int(limits["processes"])))
    for which, soft, *hard in settings:
        try:
            resource.setrlimit(which, (soft, hard[0] if hard else soft))
        except (ValueError, OSError):
            if strict:
                raise
