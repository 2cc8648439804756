"""Attacks on the process: exiting, hanging, hoarding, forking, killing."""

from __future__ import annotations

import os
import time

import numpy as np

from grader.grading.compare import check_case
from grader.sandbox import Limits

from .conftest import (
    EXPECTED,
    grade,
    require_full_isolation,
    run_attack,
    scale_case,
    scale_probe,
)


def test_sys_exit_at_import_is_reported_and_scores_zero(sandbox, decoy):
    result = run_attack(sandbox, decoy, "exit_at_import", (scale_probe(),))
    assert result.import_error == "exited the process (sys.exit(0)) while being imported"
    check = check_case(scale_case(), result.probes[0])
    assert check.score == 0.0 and "could not be imported" in check.message


def test_os_exit_in_a_function_ends_the_run_and_later_calls_are_not_run(sandbox, decoy):
    result = run_attack(sandbox, decoy, "exit_in_function",
                        (scale_probe("scale_sys_exit"), scale_probe(), scale_probe()))
    assert result.probes[0].error == "exited the process (sys.exit(0)) before returning"
    assert result.probes[1].error == "exited the process (exit code 0) before returning"
    assert result.probes[2].error == "not run: an earlier call ended the process"
    assert grade(result, "scale_sys_exit", "scale", "scale") == [0.0, 0.0, 0.0]


def test_an_infinite_loop_times_out(sandbox, decoy):
    result = run_attack(sandbox, decoy, "infinite_loop", (scale_probe(), scale_probe()),
                        limits=Limits(wall_seconds=1.5, cpu_seconds=30))
    assert result.probes[0].error == "timed out after 1.5 s"
    assert result.probes[1].error == "not run: an earlier call timed out"
    assert 1.5 <= result.wall_seconds < 5
    assert grade(result, "scale", "scale") == [0.0, 0.0]


def test_an_infinite_loop_hits_the_cpu_limit_first_when_it_is_lower(sandbox, decoy):
    result = run_attack(sandbox, decoy, "infinite_loop", (scale_probe(),),
                        limits=Limits(wall_seconds=10, cpu_seconds=1))
    assert result.probes[0].error == "used more than 1 s of CPU time"
    assert grade(result, "scale") == [0.0]


def test_sleeping_forever_times_out(sandbox, decoy):
    result = run_attack(sandbox, decoy, "sleeper", (scale_probe(),),
                        limits=Limits(wall_seconds=1.0))
    assert result.probes[0].error == "timed out after 1 s"
    assert check_case(scale_case(), result.probes[0]).score == 0.0


def test_a_memory_bomb_is_stopped_by_the_address_space_limit(sandbox, decoy):
    result = run_attack(sandbox, decoy, "memory_bomb",
                        (scale_probe(), scale_probe("scale_numpy")),
                        limits=Limits(wall_seconds=10, address_space_mb=1024))
    for outcome in result.probes:
        assert outcome.error == "used more memory than allowed (1024 MiB)"
    assert grade(result, "scale", "scale_numpy") == [0.0, 0.0]


def test_a_memory_bomb_that_touches_its_pages_is_stopped_too(sandbox, decoy):
    result = run_attack(sandbox, decoy, "memory_bomb", (scale_probe("scale_touching"),),
                        limits=Limits(wall_seconds=20, address_space_mb=512))
    assert result.probes[0].error == "used more memory than allowed (512 MiB)"
    assert grade(result, "scale_touching") == [0.0]


def test_a_fork_bomb_is_contained_and_the_next_submission_is_graded(sandbox, decoy):
    require_full_isolation(sandbox, "process-count (needs a user switch)")
    result = run_attack(sandbox, decoy, "fork_bomb", (scale_probe(),),
                        limits=Limits(wall_seconds=1.5, processes=32))
    assert result.probes[0].error == "timed out after 1.5 s"
    assert grade(result, "scale") == [0.0]


def test_a_setsid_daemon_dies_with_the_run_and_never_writes(sandbox, decoy):
    require_full_isolation(sandbox, "PID namespace")
    result = run_attack(sandbox, decoy, "setsid_daemon", (scale_probe(),))
    if sandbox.isolation.endswith("+nproc-cap"):  # no cgroup here: a run is one process
        assert result.probes[0].error.startswith("raised BlockingIOError"), result.probes[0]
        assert grade(result, "scale") == [0.0]
    else:
        np.testing.assert_array_equal(result.probes[0].value, EXPECTED)
        assert grade(result, "scale") == [1.0]  # the honest answer counts
    time.sleep(0.8)  # longer than the daemon's delay: it would have written by now
    assert not os.path.exists("/tmp/daemon-was-here")


def test_killing_the_parent_does_not_touch_the_grader(sandbox, decoy):
    require_full_isolation(sandbox, "user switch")
    zygote = sandbox.zygote_pid
    result = run_attack(sandbox, decoy, "kill_parent", (scale_probe(),),
                        grader_pid=os.getpid(), zygote_pid=zygote)
    # As PID 1 of its namespace, the run cannot even signal itself; the answer counts.
    np.testing.assert_array_equal(result.probes[0].value, EXPECTED)
    assert sandbox.zygote_pid == zygote  # the helper survived too
    assert grade(result, "scale") == [1.0]
