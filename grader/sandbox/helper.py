"""Starting and stopping a sandbox's warm helper (the zygote, or a direct helper).

Kept apart from ``sandbox.py`` (which runs requests) so each stays short.  The
helper gets its configuration on the command line (nothing secret: folders, sizes,
the slot's uid and cgroup) and answers with a ``ready`` message naming where its
run folders are; in the full tier that is inside its own root, which the grader
reads through ``/proc/<zygote>/root``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from grader.errors import GraderError
from grader.sandbox.direct import DirectHelper
from grader.sandbox.wire import WireClosed, WireTimeout, receive

ZYGOTE = str(Path(__file__).with_name("zygote.py"))
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/nonexistent",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
BASE_MB = 256
TMP_MB = 64
START_SECONDS = 60.0


def default_hidden_paths() -> tuple[str, ...]:
    """The grader's code, the reference solutions and, in a source checkout, the whole
    checkout (tests, course files, git history).  In the full tier none of it is in
    the run's view anyway; these are covered too should one lie inside a folder the
    view shows (a virtualenv inside the checkout holds NumPy, for instance)."""
    package = Path(__file__).resolve().parents[1]
    paths = [package]
    if any((package.parent / marker).exists() for marker in ("pyproject.toml", ".git")):
        paths.append(package.parent)
    spec = importlib.util.find_spec("solutions")
    if spec is not None and spec.submodule_search_locations:
        paths.extend(Path(p).resolve() for p in spec.submodule_search_locations)
    return tuple(dict.fromkeys(str(path) for path in paths))


@dataclass
class Helper:
    """A started helper: its process (or direct thread), its folder on the machine
    (``base``) and where the grader reads run folders (``view``)."""

    process: subprocess.Popen | DirectHelper
    base: str
    view: str
    full: bool

    @classmethod
    def start(cls, *, full: bool, direct: bool, hidden: tuple[str, ...], uid: int, gid: int,
              group: dict | None, log: IO[bytes]) -> Helper:
        """Start a helper and wait for it to be ready; ``GraderError`` if it is not."""
        base = tempfile.mkdtemp(prefix="cnn-grader-sandbox-", dir=_base_parent(direct))
        os.chmod(base, 0o711)
        config = {"full": full, "base": base, "base_mb": BASE_MB, "tmp_mb": TMP_MB,
                  "hidden": list(hidden), "run_tmpfs": full and not direct,
                  "uid": uid, "gid": gid, "cgroup": group, "view": False}
        if direct:
            process: subprocess.Popen | DirectHelper = DirectHelper(config, dict(CHILD_ENV))
        else:
            process = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE, json.dumps(config)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, env=dict(CHILD_ENV), cwd="/",
                start_new_session=True, close_fds=True)
        helper = cls(process=process, base=base, view=base, full=full)
        try:
            ready = receive(process.stdout.fileno(), deadline=time.monotonic() + START_SECONDS)
        except (WireClosed, WireTimeout) as exc:
            helper.stop()
            raise GraderError(f"the sandbox helper did not start ({exc}); {log_tail(log)}") \
                from exc
        if ready.get("error"):
            helper.stop()
            raise GraderError(f"the sandbox helper could not prepare its view: {ready['error']}")
        if full and not direct:  # the zygote's own root, seen from outside
            helper.view = f"/proc/{int(ready['pid'])}/root{ready['runs']}"
        return helper

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.base, ignore_errors=True)


def _base_parent(direct: bool) -> str | None:
    """Direct mode writes run folders where the grader can: in memory (``/dev/shm``)
    when possible, as files on a disk cost far more (a zygote uses its own tmpfs)."""
    if direct and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return "/dev/shm"
    return None


def log_tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read()[-2000:].decode("utf-8", "replace")
