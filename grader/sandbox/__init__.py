"""Isolated execution of student code: ``Sandbox`` runs ``SandboxRequest``s.

See docs/sandbox.md for the design, the isolation tiers and measured costs.
"""

from grader.sandbox.api import Limits, ProbeOutcome, SandboxRequest, SandboxResult
from grader.sandbox.isolation import (
    FULL_ISOLATION,
    REDUCED_ISOLATION,
    UID_ISOLATION,
    machine_isolation,
)
from grader.sandbox.sandbox import Sandbox

__all__ = [
    "FULL_ISOLATION",
    "REDUCED_ISOLATION",
    "UID_ISOLATION",
    "Limits",
    "ProbeOutcome",
    "Sandbox",
    "SandboxRequest",
    "SandboxResult",
    "machine_isolation",
]
