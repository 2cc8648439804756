"""The file system a run sees in the full tier: a root built from a list.

A run must not see the machine: not the course, other submissions, the grader's
outputs, the gradebook, world-writable folders whose contents outlive it, home
folders or ``/etc``.  Hiding a list of such places cannot be complete (nobody knows
every place a real server keeps things), so the list is turned around: the run's
root is a fresh, read-only tmpfs holding exactly what the interpreter needs, bound
read-only from the machine, and nothing else:

* the standard library (its ``site-packages`` covered by an empty folder);
* NumPy's package folder (and ``numpy.libs``, its bundled libraries);
* every other file the interpreter has mapped once NumPy and the preloaded modules
  are imported (``/proc/self/maps``: the interpreter, ``libpython``, libc, the
  dynamic loader, ...), plus the symbolic links on the way to the interpreter and
  its loader (so the interpreter can even be started again inside);
* ``/dev/null``, ``/dev/zero``, ``/dev/urandom``; an ``/etc`` with an empty
  ``passwd`` and ``group`` and the loader's cache; a virtualenv's ``pyvenv.cfg``;
* empty mount points: ``/proc`` (a fresh one per run, of the run's PID namespace)
  and ``/tmp``: in the zygote the run folders live there; each run covers it with
  a private size-limited tmpfs holding only its own folder, at ``/tmp/run``.

The zygote builds this once and moves into it (``pivot_root``); each run then only
adds its ``/tmp`` and ``/proc``.  Loaded by the zygote as a top-level module, so it
uses only the standard library (``confine`` for the system calls).
"""

from __future__ import annotations

import os
import struct
import sys

try:  # a top-level module in the zygote, grader.sandbox.view in the grader
    import confine  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on how the module was loaded
    import grader.sandbox.confine as confine  # type: ignore[no-redef]

DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")
ETC_FILES = ("/etc/ld.so.cache",)
MOUNT_POINTS = ("proc", "tmp")
ROOT_MB = 4


def entries(hidden: tuple[str, ...] = ()) -> tuple[list[str], list[str], list[str], list[str]]:
    """What the view holds, as (folders, files, covered, links): folders and files to
    bind read-only, folders to cover with an empty one, paths whose symbolic links
    to recreate.  Call it after the imports a run may use (the maps are read now)."""
    import numpy

    stdlib = os.path.dirname(os.path.realpath(os.__file__))
    package = os.path.dirname(os.path.realpath(numpy.__file__))
    folders = [stdlib, package]
    bundled = package + ".libs"  # wheels keep OpenBLAS and friends beside the package
    if os.path.isdir(bundled):
        folders.append(bundled)
    covered = [os.path.join(stdlib, "site-packages")]
    covered = [path for path in covered if os.path.isdir(path)]
    covered += [path for path in hidden if os.path.isdir(path) and _under_any(path, folders)]
    files = [path for path in mapped_files() if not _under_any(path, folders)]
    venv = os.path.join(sys.prefix, "pyvenv.cfg")  # so the interpreter finds NumPy again
    files += [path for path in (*ETC_FILES, venv) if os.path.isfile(path)]
    links = [sys.executable]
    loader = elf_interpreter(os.path.realpath(sys.executable))
    if loader:
        links.append(loader)
    return folders, sorted(set(files)), covered, links


def _under_any(path: str, folders: list[str]) -> bool:
    return any(path == folder or path.startswith(folder + os.sep) for folder in folders)


def mapped_files() -> list[str]:
    """Regular files mapped into this process (shared libraries, locale data)."""
    found = set()
    with open("/proc/self/maps") as handle:
        for line in handle:
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].startswith("/") and "(deleted)" not in fields[5]:
                path = fields[5].rstrip("\n")
                if not path.startswith(("/dev/", "/proc/", "/sys/")) and os.path.isfile(path):
                    found.add(path)
    return sorted(found)


def elf_interpreter(executable: str) -> str | None:
    """The dynamic loader an ELF executable names (``PT_INTERP``), or None."""
    try:
        with open(executable, "rb") as handle:
            header = handle.read(64)
            if header[:5] != b"\x7fELF\x02":  # 64-bit ELF only
                return None
            offset, = struct.unpack_from("<Q", header, 0x20)
            size, count = struct.unpack_from("<HH", header, 0x36)
            handle.seek(offset)
            table = handle.read(size * count)
            for index in range(count):
                kind, _, where, _, _, length = struct.unpack_from("<IIQQQQ", table, index * size)
                if kind == 3:  # PT_INTERP
                    handle.seek(where)
                    return handle.read(length).rstrip(b"\0").decode()
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    return None


def build(root: str, hidden: tuple[str, ...] = (), runs_mb: int = 0) -> None:
    """Mount a fresh tmpfs on ``root`` and fill it from ``entries``; then make it
    read-only.  ``runs_mb`` > 0 adds a writable tmpfs on ``root/tmp`` for run folders."""
    folders, files, covered, links = entries(hidden)
    confine.mount_tmpfs(root, ROOT_MB, mode="0755")
    for path in MOUNT_POINTS:
        os.mkdir(os.path.join(root, path), 0o755)
    _make_etc(root)
    for path in sorted(folders + covered):
        target = _place(root, path, folder=True)
        if path in covered:
            confine.mount_tmpfs(target, 1, mode="0755")
        else:
            confine.bind(path, target, read_only=True)
    for path in files:
        confine.bind(path, _place(root, path, folder=False), read_only=True)
    for path in DEVICES:
        confine.bind(path, _place(root, path, folder=False), read_only=False)
    for path in links:
        _mirror_links(root, path)
    for path in covered:
        confine.remount_read_only(root + path)
    if runs_mb:
        confine.mount_tmpfs(os.path.join(root, "tmp"), runs_mb, mode="0711")
    confine.remount_read_only(root)


def _make_etc(root: str) -> None:
    etc = os.path.join(root, "etc")
    os.mkdir(etc, 0o755)
    for name in ("passwd", "group"):
        os.close(os.open(os.path.join(etc, name), os.O_CREAT | os.O_WRONLY, 0o644))


def _place(root: str, path: str, *, folder: bool) -> str:
    """An empty folder or file at ``path`` inside the view (a mount point), with its
    parent folders; an existing one (inside an earlier bind) is used as it is."""
    target = root + path
    if not os.path.lexists(target):
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        if folder:
            os.mkdir(target, 0o755)
        else:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o444))
    return target


def _mirror_links(root: str, path: str, depth: int = 0) -> None:
    """Recreate inside the view the symbolic links met on the way to ``path``."""
    parts = [part for part in path.split("/") if part]
    current = "/"
    for index, part in enumerate(parts):
        candidate = os.path.join(current, part)
        if os.path.islink(candidate):
            target = os.readlink(candidate)
            if not os.path.lexists(root + candidate):
                os.makedirs(os.path.dirname(root + candidate), mode=0o755, exist_ok=True)
                os.symlink(target, root + candidate)
            if depth < 16:
                rest = os.path.join(os.path.dirname(candidate), target, *parts[index + 1:])
                _mirror_links(root, os.path.normpath(rest), depth + 1)
            return
        current = candidate


def enter(root: str) -> None:
    """Make ``root`` the process's root and detach the machine's (``pivot_root``)."""
    os.chdir(root)
    confine.pivot_root(".", ".")
    confine.unmount(".")  # the old root, stacked on the same place, goes away
    os.chdir("/")
