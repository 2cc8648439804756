"""Building a run's request message, assembling its outcomes, saying how it ended.

Kept apart from ``sandbox.py`` so the process handling there stays short.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import signal
from collections.abc import Sequence

from grader.errors import GraderError
from grader.sandbox.api import Limits, ProbeOutcome, SandboxRequest, SandboxResult
from grader.sandbox.readback import MIB, ResultBudget, read_head
from grader.sandbox.results_read import read_results
from grader.sandbox.wire import encode_value

# A shared child (``Sandbox.run_many``) may use the sum of its requests' wall and CPU
# limits, but never more than this (or the largest single limit, when that is larger).
SHARED_CAP_SECONDS = 60
HELPER_STOPPED = ("stopped the sandbox helper (for example by killing its parent process)",
                  "not run: an earlier call stopped the sandbox")


def assemble_result(request: SandboxRequest, run_dir: str, current: str, later: str, *,
                    isolation: str, seconds: float, budget: ResultBudget) -> SandboxResult:
    """The validated result of one request from its run folder; ``current`` is the reason
    for the first step without a result (import or probe), ``later`` for those after.
    Its arrays are charged to the submission's ``budget``."""
    imported, read = read_results(os.path.join(run_dir, "out"), request.probes,
                                  request.limits.output_mb * MIB, budget)
    import_error = None
    if imported is None:
        import_error = f"{current.removesuffix(' before returning')} while the module was " \
                       "being imported"
    elif not imported[0]:
        import_error = imported[1]
    return SandboxResult(
        probes=probe_outcomes(request, read, import_error, current, later),
        import_error=import_error,
        stdout=read_head(os.path.join(run_dir, "stdout.txt")),
        stderr=read_head(os.path.join(run_dir, "stderr.txt")),
        isolation=isolation, wall_seconds=round(seconds, 4))


def probe_outcomes(request: SandboxRequest, read: list[ProbeOutcome | None],
                   import_error: str | None, current: str,
                   later: str) -> tuple[ProbeOutcome, ...]:
    """One outcome per probe from what was ``read``: the first probe without a result
    gets the reason the run ended (``current``), the ones after it ``later``."""
    if import_error is not None:
        reason = f"not run: the module could not be imported ({import_error})"
        return tuple(ProbeOutcome(value=None, error=reason) for _ in request.probes)
    outcomes: list[ProbeOutcome] = []
    ended = False
    for outcome in read:
        if outcome is None or ended:
            outcome = ProbeOutcome(value=None, error=later if ended else current)
            ended = True
        outcomes.append(outcome)
    return tuple(outcomes)


def request_message(request: SandboxRequest, run_number: int) -> dict:
    """The JSON request the run's first child reads (files base64, inputs encoded)."""
    return {
        "run": run_number,
        "files": {name: base64.b64encode(content).decode()
                  for name, content in request.files.items()},
        **_module_and_probes(request),
    }


def shared_message(requests: Sequence[SandboxRequest], run_number: int) -> dict:
    """One message for a shared child: every distinct file content once (``blobs``),
    every distinct set of files once (``works``: name -> content key), each request
    naming its set by index (``work``), plus the shared child's limits."""
    blobs: dict[str, str] = {}
    keys: dict[bytes, str] = {}  # requests of one submission share the same contents
    works: list[dict[str, str]] = []
    entries = []
    for request in requests:
        names = {}
        for name, content in request.files.items():
            if content not in keys:
                keys[content] = hashlib.sha256(content).hexdigest()[:32]
                blobs[keys[content]] = base64.b64encode(content).decode()
            names[name] = keys[content]
        if names not in works:
            works.append(names)
        entries.append({"work": works.index(names), **_module_and_probes(request)})
    return {"run": run_number, "blobs": blobs, "works": works, "requests": entries,
            "limits": _limits_dict(shared_limits(requests))}


def _limits_dict(limits: Limits) -> dict:
    return {field.name: getattr(limits, field.name) for field in dataclasses.fields(limits)}


def shared_limits(requests: Sequence[SandboxRequest]) -> Limits:
    """Limits of a shared child: wall and CPU add up (capped at ``SHARED_CAP_SECONDS``
    unless one request alone allows more); the other limits are the largest asked for.
    Each request's own wall and CPU limits are still enforced while it runs."""
    limits = [request.limits for request in requests]
    wall = sum(item.wall_seconds for item in limits)
    cpu = sum(item.cpu_seconds for item in limits)
    return Limits(
        wall_seconds=min(wall, max(SHARED_CAP_SECONDS, *(i.wall_seconds for i in limits))),
        cpu_seconds=min(cpu, max(SHARED_CAP_SECONDS, *(i.cpu_seconds for i in limits))),
        **{name: max(getattr(item, name) for item in limits)
           for name in ("address_space_mb", "file_size_mb", "open_files", "processes",
                        "output_mb")})


def _module_and_probes(request: SandboxRequest) -> dict:
    return {
        "module": request.module,
        "probes": [{"kind": probe.kind, "name": probe.name,
                    "inputs": encode_value(tuple(tuple(pair) for pair in probe.inputs)),
                    "outputs": list(probe.outputs)} for probe in request.probes],
        "limits": _limits_dict(request.limits),
    }


def check_request(request: SandboxRequest) -> None:
    """A malformed request is the grading code's fault, so it raises ``GraderError``."""
    if not request.module.isidentifier():
        raise GraderError(f"sandbox request: module name {request.module!r} is not an identifier")
    for name, content in request.files.items():
        if (not isinstance(content, bytes) or os.path.basename(name) != name
                or name in ("", ".", "..") or "\0" in name):
            raise GraderError(f"sandbox request: unsafe file {name!r}")
    for probe in request.probes:
        if probe.kind not in ("attribute", "call") or not probe.name.isidentifier():
            raise GraderError(f"sandbox request: bad probe {probe!r}")


def describe_end(status: int | None, timed_out: bool, limits: Limits,
                 cpu_seconds: float | None = None, oom_mb: int | None = None) -> tuple[str, str]:
    """How the child ended, as (reason for the interrupted step, reason for later steps).

    ``cpu_seconds`` (measured by the child's parent) recognises the CPU limit when
    the kernel's final SIGKILL rather than SIGXCPU ended the process; ``oom_mb``
    (the run's memory budget, given when its cgroup counted an OOM kill) the
    whole-run memory limit.
    """
    cpu_spent = cpu_seconds is not None and cpu_seconds >= limits.cpu_seconds
    if timed_out:
        return f"timed out after {limits.wall_seconds:g} s", "not run: an earlier call timed out"
    later = "not run: an earlier call ended the process"
    if status is None:
        return "stopped unexpectedly (the sandbox lost the process)", later
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu_spent):
            return f"used more than {limits.cpu_seconds} s of CPU time", later
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        if number == signal.SIGKILL and oom_mb:
            return f"used more memory than allowed ({oom_mb} MiB for all its processes)", later
        if number == signal.SIGKILL:
            return f"was killed ({name}), for example for using too much memory", later
        return f"crashed (signal {name})", later
    return f"exited the process (exit code {os.WEXITSTATUS(status)}) before returning", later
