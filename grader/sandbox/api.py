"""The sandbox's public data: what a run is asked to do and what comes back.

These frozen dataclasses are the only things that cross between the grading code
and the sandbox.  Outcome values have already been validated by the parent
(plain int64/float64 arrays with finite values, Python ints, floats, short strings),
so nothing downstream needs to distrust them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.model import Probe


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run (one module, all its probes).

    The wall limit is twice the CPU limit: on a loaded machine a correct run gets less
    than a core, and it is its own CPU time that should stop it, not the clock (a
    sleeping or blocked run is still stopped, by the clock)."""

    wall_seconds: float = 20.0
    cpu_seconds: int = 10
    address_space_mb: int = 1024
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64
    output_mb: int = 32

    def __post_init__(self) -> None:
        for name in ("wall_seconds", "cpu_seconds", "address_space_mb", "file_size_mb",
                     "open_files", "processes", "output_mb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class SandboxRequest:
    """One module of a submission and the probes to run against it."""

    files: Mapping[str, bytes]
    module: str
    probes: tuple[Probe, ...]
    limits: Limits = Limits()


@dataclass(frozen=True, eq=False)
class ProbeOutcome:
    """What one probe produced: a validated value, or a student-facing reason."""

    value: Any | None
    error: str | None


@dataclass(frozen=True, eq=False)
class SandboxResult:
    """Everything one run produced; ``probes`` lines up with ``SandboxRequest.probes``."""

    probes: tuple[ProbeOutcome, ...]
    import_error: str | None
    stdout: str
    stderr: str
    isolation: str
    wall_seconds: float
