"""Building a run's request message and assembling its outcomes (no I/O but reads).

Kept apart from ``sandbox.py`` so the process handling there stays short.
"""

from __future__ import annotations

import base64
import dataclasses
import os

from grader.errors import GraderError
from grader.sandbox import readback, wire
from grader.sandbox.api import ProbeOutcome, SandboxRequest


def probe_outcomes(request: SandboxRequest, out_dir: str, import_error: str | None,
                   current: str, later: str) -> tuple[ProbeOutcome, ...]:
    """One outcome per probe: the first probe without a result gets the reason the run
    ended (``current``), the ones after it ``later``."""
    if import_error is not None:
        reason = f"not run: the module could not be imported ({import_error})"
        return tuple(ProbeOutcome(value=None, error=reason) for _ in request.probes)
    outcomes: list[ProbeOutcome] = []
    ended = False
    for index, probe in enumerate(request.probes):
        outcome = None if ended else readback.read_probe(out_dir, index, probe, request.limits)
        if outcome is None:
            outcome = ProbeOutcome(value=None, error=later if ended else current)
            ended = True
        outcomes.append(outcome)
    return tuple(outcomes)


def request_message(request: SandboxRequest, run_number: int) -> dict:
    """The JSON request the run's first child reads (files base64, inputs encoded)."""
    return {
        "run": run_number,
        "module": request.module,
        "files": {name: base64.b64encode(content).decode()
                  for name, content in request.files.items()},
        "probes": [{"kind": probe.kind, "name": probe.name,
                    "inputs": wire.encode_value(tuple(tuple(pair) for pair in probe.inputs)),
                    "outputs": list(probe.outputs)} for probe in request.probes],
        "limits": dataclasses.asdict(request.limits),
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
