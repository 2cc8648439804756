"""Starting and stopping a sandbox's warm helper (the zygote, or a direct helper).

Kept apart from ``sandbox.py`` (which runs requests) so each stays short.  The
helper gets its configuration on the command line (nothing secret: folders, sizes,
the slot's uid and cgroup) and answers with a ``ready`` message naming where its
run folders are; in the full tier that is inside its own root, which the grader
reads through ``/proc/<zygote>/root``.  Also the full tier's self-test (at the end).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from grader.errors import GraderError
from grader.model import Probe
from grader.sandbox.api import Limits, SandboxRequest, SandboxResult
from grader.sandbox.direct import DirectHelper
from grader.sandbox.isolation import namespaces_work
from grader.sandbox.wire import WireClosed, WireTimeout, receive, widen_pipe

ZYGOTE = str(Path(__file__).with_name("zygote.py"))
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/nonexistent",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
DIRECT_NOTE = " (direct: forked from the checking process, which holds only public cases)"
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
            widen_pipe(process.stdin.fileno())
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


# -- the full tier's self-test: one trivial module whose one probe must give 42 --
#
# A sandbox in the full tier proves the tier works end to end (child confined, module
# imported, result read back) before it trusts it; when the test fails it falls back
# to a weaker tier.  A zygote sandbox runs the test alone at start-up.  A direct
# sandbox (``check``, whose start-up a student pays at every save) lets the test ride
# along the first shared child instead, after the student's modules, which saves a
# whole confined child (a fork of the grader, the view's mounts, their teardown).
#
# What decides a fallback stays exactly what it was: the test alone, in a child of its
# own.  The riding copy can only *confirm* the tier.  If it did not give 42 (student
# code ran before it in the same child and could have disturbed it, or the run hit a
# setup error), the test is run alone as at start-up, and only that decides.  So no
# student file or code can ever move a run to a weaker tier; at worst it costs the
# solo test it would have cost anyway.  Student code never runs before the tier's
# setup has completed: a setup error is reported before any of it is started.

MODULE = "probe_self_test"
ANSWER = 42


def self_test_request(limits: Limits | None = None) -> SandboxRequest:
    return SandboxRequest(files={f"{MODULE}.py": f"ANSWER = {ANSWER}\n".encode()},
                          module=MODULE, probes=(Probe(kind="attribute", name="ANSWER"),),
                          limits=limits or Limits())


def riding_limits(requests: Sequence[SandboxRequest]) -> Limits:
    """The riding test's limits: the smallest of each asked for, so that no per-run
    limit of the shared child (the largest asked for) grows, and at most 1 s of wall
    clock and CPU, so that the shared child's outer caps (the sums) grow by 1 s at
    most.  A test that needs longer is run again alone, with the default limits."""
    fields = [field.name for field in dataclasses.fields(Limits)]
    smallest = {name: min(getattr(r.limits, name) for r in requests) for name in fields}
    return Limits(**{**smallest, "wall_seconds": min(1.0, smallest["wall_seconds"]),
                     "cpu_seconds": 1})


def passed(result: SandboxResult | None) -> bool:
    return (result is not None and result.import_error is None and len(result.probes) == 1
            and type(result.probes[0].value) is int and result.probes[0].value == ANSWER)


def failure(result: SandboxResult, log: str) -> str:
    """Why the solo test failed, for the fallback's isolation note."""
    return (f"the isolated self-test failed: {result.import_error or ''} "
            f"{result.probes[0].error or ''} {log}")


class SelfTesting:
    """``Sandbox``'s self-test: alone at start-up, or riding along (direct sandbox)."""

    # Set by a direct sandbox in the full tier until the test has passed: what the
    # fallback needs (the weaker tier's description, whether full isolation is required).
    _untested: tuple[str, bool] | None = None

    def _fall_back(self, weaker: str, require_full: bool, exc: Exception) -> None:
        """The full tier failed: the weaker one, saying why (or refuse, if required).  A
        direct sandbox took the full tier on trust; where namespaces do not work it
        ends as a start-up probe would have put it: in the weaker tier, plainly."""
        self._stop_zygote()
        if self._direct and not namespaces_work():
            self._launch(full=False)
            self._isolation = weaker + DIRECT_NOTE
            return
        if require_full:
            raise GraderError("full isolation is possible on this machine but could not "
                              f"be set up: {exc}") from exc
        self._launch(full=False)
        self._isolation = f"{weaker} (full isolation failed: {exc})"
        if self._direct:
            self._isolation += DIRECT_NOTE

    def _self_test(self) -> None:
        result = self.run(self_test_request())
        if not passed(result):
            raise GraderError(failure(result, log_tail(self._log)))

    def _test_alone(self) -> bool:
        """A pending self-test, alone (as at start-up); True when it made us fall back."""
        pending, self._untested = self._untested, None
        if pending is None:
            return False
        try:
            self._self_test()
        except (GraderError, OSError) as exc:
            self._fall_back(*pending, exc)
            return True
        return False

    def _run_many_testing(self, requests: tuple[SandboxRequest, ...]) -> tuple[SandboxResult, ...]:
        """The first shared run of a direct sandbox, with the self-test riding last;
        should it not confirm the tier, the test alone decides (and a fallback runs the
        requests again in the weaker tier)."""
        riding = self_test_request(riding_limits(requests))
        try:
            *results, test = self._run_many((*requests, riding))
        except GraderError:
            if self._test_alone():
                return self._run_many(requests)
            raise
        if passed(test):
            self._untested = None
        elif self._test_alone():
            return self._run_many(requests)
        return tuple(results)
