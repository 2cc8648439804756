"""Isolated execution of student code: ``Sandbox`` runs ``SandboxRequest``s.

See docs/sandbox.md for the design, the isolation tiers and measured costs.

The request/result types are imported eagerly (they are small); ``Sandbox`` and the
tier helpers load on first use, because `cnn-grader check` of constant answers needs
only the types and pays for every module it imports (subprocess, the cgroup and
helper code) at each save of a student's file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from grader.sandbox.api import Limits, ProbeOutcome, SandboxRequest, SandboxResult

if TYPE_CHECKING:
    from grader.sandbox.isolation import (
        FULL_ISOLATION,
        REDUCED_ISOLATION,
        UID_ISOLATION,
        machine_isolation,
    )
    from grader.sandbox.sandbox import Sandbox

_LAZY = {
    "Sandbox": "grader.sandbox.sandbox",
    "FULL_ISOLATION": "grader.sandbox.isolation",
    "REDUCED_ISOLATION": "grader.sandbox.isolation",
    "UID_ISOLATION": "grader.sandbox.isolation",
    "machine_isolation": "grader.sandbox.isolation",
}


def __getattr__(name: str) -> Any:
    """``from grader.sandbox import Sandbox`` loads the sandbox module only then."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")


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
