"""Measure what one sandbox run costs: ``python -m grader.sandbox.bench [RUNS]``.

Prints wall-clock milliseconds per run (median over batches, so a busy machine
shows less noise) and CPU milliseconds per run (the grader plus the zygote and
every child it forked, from /proc), for a trivial attribute probe and for a small
NumPy call.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

from grader.model import Probe
from grader.sandbox.api import SandboxRequest
from grader.sandbox.sandbox import Sandbox

SOURCE = b"""
import numpy as np
ANSWER = 7
def conv1d(x, w):
    return np.convolve(x, w, mode="valid")
"""


def cpu_seconds(zygote_pid: int) -> float:
    """CPU time of this process plus the zygote and its reaped children."""
    with open(f"/proc/{zygote_pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])
    own = os.times()
    return ticks / os.sysconf("SC_CLK_TCK") + own.user + own.system


def measure(sandbox: Sandbox, request: SandboxRequest, runs: int) -> tuple[float, float]:
    """(median wall ms per run over batches of 10, CPU ms per run)."""
    sandbox.run(request)
    batches = []
    cpu_before = cpu_seconds(sandbox.zygote_pid)
    for _ in range(max(1, runs // 10)):
        started = time.perf_counter()
        for _ in range(10):
            result = sandbox.run(request)
        batches.append((time.perf_counter() - started) / 10)
    assert result.probes[0].error is None, result.probes[0].error
    cpu = (cpu_seconds(sandbox.zygote_pid) - cpu_before) / (len(batches) * 10)
    return statistics.median(batches) * 1000, cpu * 1000


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 100
    x = np.linspace(-1.0, 1.0, 64)
    requests = {
        "attribute probe": Probe(kind="attribute", name="ANSWER"),
        "NumPy call": Probe(kind="call", name="conv1d",
                            inputs=(("x", x), ("w", np.array([1.0, -2.0, 1.0])))),
    }
    with Sandbox() as sandbox:
        print(f"isolation: {sandbox.isolation}; load average {os.getloadavg()[0]:.1f}")
        for label, probe in requests.items():
            request = SandboxRequest(files={"bench.py": SOURCE}, module="bench", probes=(probe,))
            wall, cpu = measure(sandbox, request, runs)
            print(f"{label}: {wall:.1f} ms wall per run ({1000 / wall:.0f} runs/s), "
                  f"{cpu:.1f} ms CPU per run")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
