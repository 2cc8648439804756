"""The zygote's spare run: the next run's process forked ahead (real zygote, real runs).

Only the full tier makes spares; elsewhere these tests skip."""

from __future__ import annotations

import os
import signal
import time

import pytest

from grader.model import Probe
from grader.sandbox import FULL_ISOLATION, Limits, Sandbox, SandboxRequest, machine_isolation

MODULE = b"""
import os

def started_ticks():
    # field 22 of /proc/self/stat: when this process began, in clock ticks since boot
    with open("/proc/self/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[19])

def own_files():
    return len(os.listdir("."))

def double(x):
    return 2 * x
"""

pytestmark = pytest.mark.skipif(machine_isolation() != FULL_ISOLATION,
                                reason="spares are made by the full tier only (root)")


def request(name: str, **inputs: object) -> SandboxRequest:
    kind = "call"
    return SandboxRequest(files={"spare_probe.py": MODULE}, module="spare_probe",
                          probes=(Probe(kind=kind, name=name, inputs=tuple(inputs.items())),),
                          limits=Limits(wall_seconds=10))


def value(box: Sandbox, name: str, **inputs: object) -> object:
    outcome = box.run(request(name, **inputs)).probes[0]
    assert outcome.error is None, outcome.error
    return outcome.value


def zygote_children(box: Sandbox) -> list[int]:
    pids: list[int] = []
    for task in os.listdir(f"/proc/{box.zygote_pid}/task"):
        with open(f"/proc/{box.zygote_pid}/task/{task}/children") as handle:
            pids += [int(pid) for pid in handle.read().split()]
    return pids


def wait_for_one_child(box: Sandbox) -> int:
    """The zygote's only child once it has forked the spare (it does so right after a run)."""
    for _ in range(200):
        children = zygote_children(box)
        if len(children) == 1:
            return children[0]
        time.sleep(0.01)
    raise AssertionError(f"the zygote has children {zygote_children(box)}, not one spare")


def ready_mount_points(spare: int) -> list[str]:
    """The spare's mount points once it has made its own (its folder bound at /tmp/run
    is the last of them)."""
    for _ in range(200):
        with open(f"/proc/{spare}/mountinfo") as handle:
            points = [line.split()[4] for line in handle]
        if "/tmp/run" in points:
            return points
        time.sleep(0.01)
    raise AssertionError(f"the spare never bound its folder: {points}")


def boot_ticks() -> int:
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK"))


@pytest.fixture
def box():
    with Sandbox() as sandbox:
        value(sandbox, "double", x=1)  # the first run is forked on demand
        yield sandbox


def test_a_run_after_the_first_is_a_process_forked_before_it_was_asked_for(box):
    wait_for_one_child(box)
    time.sleep(0.5)
    asked = boot_ticks()
    started = value(box, "started_ticks")
    assert started < asked - 0.3 * os.sysconf("SC_CLK_TCK")


def test_a_spare_is_root_and_alone_in_its_pid_namespace_until_its_request(box):
    spare = wait_for_one_child(box)
    with open(f"/proc/{spare}/status") as handle:
        status = dict(line.split(":", 1) for line in handle if ":" in line)
    assert status["Uid"].split() == ["0"] * 4
    assert status["NSpid"].split()[1:] == ["1"]
    assert value(box, "double", x=4) == 8  # and it then serves the run, as the sandbox uid


def test_a_spare_holds_no_other_run_folder_in_its_mount_namespace(box):
    value(box, "own_files")  # a run whose folder the parent has read, not yet released
    spare = wait_for_one_child(box)
    points = ready_mount_points(spare)
    runs = [point for point in points if os.path.basename(point).startswith("run-")]
    assert len(runs) == 1, runs  # its own folder, nothing of the run before it
    assert value(box, "own_files") == 1  # the run sees only its own module


def test_a_run_number_the_spare_was_not_made_for_gets_a_fresh_run(box):
    spare = wait_for_one_child(box)
    box._runs += 3  # as after a restart of the numbering: the zygote's guess is wrong
    assert value(box, "double", x=5) == 10
    assert not os.path.exists(f"/proc/{spare}/status") or spare not in zygote_children(box)


def test_a_spare_that_died_before_its_request_is_replaced_by_a_fresh_run(box):
    os.kill(wait_for_one_child(box), signal.SIGKILL)
    assert value(box, "double", x=6) == 12
    assert value(box, "double", x=7) == 14
