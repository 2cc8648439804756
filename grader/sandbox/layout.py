"""The run folder a run's first process lays out, still as root, before confinement.

``run-N/`` holds ``work/`` (the submission's files, owned by the slot's uid),
``out/`` (the results), ``stdout.txt`` and ``stderr.txt``.  Loaded by the zygote as
a top-level module (standard library only).
"""

from __future__ import annotations

import base64
import os


def run_folder(config: dict, number: int) -> str:
    """Run ``number``'s folder, where its first process and the zygote see it."""
    return os.path.join(config["base"], f"run-{int(number)}")


def make_run_dir(config: dict, request: dict, run_dir: str | None = None) -> str:
    """``run-N/`` (root) holding ``work/`` with the files, ``out/``, stdout and stderr.
    For a shared child (``requests`` in the message): ``work/`` (then ``w-1/``, ...)
    per distinct set of files (requests of one submission usually share one; it is
    their import folder, at the same path as for a single run)
    and ``r-<index>/`` with an empty ``work/`` (the current folder), ``out/``, stdout
    and stderr per request.  ``run_dir``: where the folder is already mounted, when
    the run's namespaces came first (a spare run sees its folder at /tmp/run)."""
    if run_dir is None:
        run_dir = run_folder(config, request["run"])
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
        _write(paths[-1], content)
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


def _write(path: str, content: bytes) -> None:
    """Create ``path`` holding ``content`` with bare system calls (what ``open(path,
    "wb")`` does, without the buffered file object's fstat, ioctl and seeks)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
