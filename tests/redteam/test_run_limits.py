"""Limits on a whole run and on what comes back.

Rlimits bound each process; a run that forks must be bounded as a whole (a cgroup,
or where there is none a process count so small that processes x address space
fits the run's memory).  And what a submission returns is bounded before the
grader parses or widens it: one byte budget across every probe of every module.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from grader.model import Probe
from grader.sandbox import Limits
from grader.sandbox.cgroups import run_memory_mb
from grader.sandbox.helper import BASE_MB, TMP_MB
from grader.sandbox.sandbox import RESULTS_MB

from .conftest import EXPECTED, grade, require_full_isolation, run_attack, scale_probe

CHILDREN, BLOCK_MB = 6, 400
MEMORY = Limits(wall_seconds=20, cpu_seconds=20, address_space_mb=1024)


def test_children_that_each_allocate_near_the_limit_are_bounded_as_a_whole(sandbox, decoy):
    require_full_isolation(sandbox, "user switch (whole-run limits need it)")
    budget_mb = run_memory_mb(MEMORY.address_space_mb, TMP_MB, BASE_MB)  # docs/sandbox.md
    assert budget_mb < CHILDREN * BLOCK_MB  # unbounded, every child would hold its block
    result = run_attack(sandbox, decoy, "forked_memory",
                        (Probe(kind="call", name="held", inputs=(("x", 0), ("k", 0))),
                         scale_probe()),
                        limits=MEMORY, children=CHILDREN, block_mb=BLOCK_MB)
    held = result.probes[0]
    if held.value is None:  # the limit may pick the run's first process itself
        assert held.error == (f"used more memory than allowed ({budget_mb} MiB for all its "
                              "processes)")
    else:
        assert held.value * BLOCK_MB <= budget_mb, f"{held.value} blocks held at once"
        np.testing.assert_array_equal(result.probes[1].value, EXPECTED)
        assert grade(result, "held", "scale")[1] == 1.0
    assert ("cgroup" in sandbox.isolation) or ("nproc-cap" in sandbox.isolation)


def test_a_run_whose_processes_together_pass_the_budget_is_told_so(sandbox, decoy):
    require_full_isolation(sandbox, "user switch (whole-run limits need it)")
    if "cgroup" not in sandbox.isolation:
        pytest.skip(f"the whole-run memory limit needs a cgroup (this tier: {sandbox.isolation})")
    budget_mb = run_memory_mb(MEMORY.address_space_mb, TMP_MB, BASE_MB)
    assert 2 * BLOCK_MB < budget_mb < 4 * BLOCK_MB  # each process alone stays within it
    result = run_attack(sandbox, decoy, "forked_memory", (scale_probe("outgrow"),),
                        limits=MEMORY, children=CHILDREN, block_mb=BLOCK_MB)
    assert result.probes[0].error == (f"used more memory than allowed ({budget_mb} MiB for "
                                      "all its processes)")
    assert grade(result, "outgrow") == [0.0]


def test_many_small_dtype_results_are_refused_before_the_grader_widens_them(sandbox, decoy):
    values = 6 * 2**20  # 6 MiB as int8, 48 MiB once widened to int64
    probes = tuple(Probe(kind="call", name="small", inputs=(("x", 0), ("k", 0)))
                   for _ in range(12))
    tracemalloc.start()
    try:
        result = run_attack(sandbox, decoy, "small_dtype_results", (*probes, scale_probe()),
                            limits=Limits(wall_seconds=20), values=values)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    fitting = RESULTS_MB // 48  # whole arrays that fit the submission's budget
    kept = [outcome for outcome in result.probes[:-1] if outcome.error is None]
    refused = [outcome.error for outcome in result.probes[:-1] if outcome.error is not None]
    assert len(kept) == fitting and all(o.value.dtype == np.int64 for o in kept)
    assert len(refused) == 12 - fitting
    assert refused[0] == (f"your results total {48 * (fitting + 1)} MiB, more than the "
                          f"{RESULTS_MB} MiB allowed (each number counts 8 bytes); "
                          "return smaller arrays")
    assert peak < (RESULTS_MB + 64) * 2**20, f"the grader held {peak / 2**20:.0f} MiB"
    np.testing.assert_array_equal(result.probes[-1].value, EXPECTED)  # small ones still fit
    assert grade(result, *["small"] * 12, "scale") == [0.0] * 12 + [1.0]
