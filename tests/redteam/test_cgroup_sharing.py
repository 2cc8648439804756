"""The slot's cgroup is shared by the zygote (while idle) and each run in turn.

Runs are born in the slot's cgroup because the idle zygote waits there (moving a
process in would cost an RCU grace period per run); the zygote leaves before the
run's student code starts (``cgroups.leave_for_run``).  These tests check what that
design promises: no student process ever shares the group with the zygote (whose
OOM killer could otherwise pick the zygote), each run gets its own limits whatever
the run before it had, and a run's memory budget is its own on top of at most a
little left charged by the zygote.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from grader.model import Probe
from grader.sandbox import Limits, Sandbox, SandboxRequest
from grader.sandbox.cgroups import MIB, run_memory_mb
from grader.sandbox.helper import BASE_MB, TMP_MB
from grader.sandbox.isolation import FULL_ISOLATION, machine_isolation

SOURCE = b"""
import os, time
def wait(seconds):
    time.sleep(seconds)
    return 1
def spawn(count):
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            time.sleep(0.2)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    return len(pids)
"""


@pytest.fixture(scope="module")
def box():
    if machine_isolation() != FULL_ISOLATION:
        pytest.skip("needs the full tier (root with namespaces)")
    with Sandbox(require_full_isolation=True) as sandbox:
        if "cgroup" not in sandbox.isolation:
            pytest.skip(f"needs a slot cgroup (this tier: {sandbox.isolation})")
        yield sandbox


DEFAULT = Limits()


def request(name: str, value: float, limits: Limits = DEFAULT) -> SandboxRequest:
    inputs = (("seconds" if name == "wait" else "count", value),)
    return SandboxRequest(files={"linger.py": SOURCE}, module="linger",
                          probes=(Probe(kind="call", name=name, inputs=inputs),), limits=limits)


def members(folder: str) -> set[int]:
    with open(os.path.join(folder, "cgroup.procs")) as handle:
        return {int(line) for line in handle if line.strip()}


def uid_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("Uid:"))
    except (OSError, StopIteration):
        return None


def folders(sandbox: Sandbox) -> list[str]:
    group = sandbox._group  # the slot's cgroup folders (made by the Sandbox)
    return [folder for key, folder in group.items() if key != "version"]


def test_no_student_process_ever_shares_the_group_with_the_zygote(box):
    samples: list[tuple[bool, bool]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for folder in folders(box):
                students = {pid for pid in members(folder) if uid_of(pid) == box.uid}
                # read again: a uid seen after the first listing may be newer than it
                # (a root child of the zygote that has just dropped to the slot's uid),
                # but a process never gets root back, so this listing is one moment
                pids = members(folder)
                samples.append((bool(students & pids), box.zygote_pid in pids))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(3):
            assert box.run(request("wait", 0.3)).probes[0].value == 1
            assert box.run(request("spawn", 3)).probes[0].value == 3
    finally:
        done.set()
        watcher.join()
    assert any(student for student, _ in samples), "the watcher never saw a run's process"
    together = sum(student and zygote for student, zygote in samples)
    assert not together, f"{together} of {len(samples)} samples saw the zygote with the run"


def test_a_run_after_one_allowed_a_single_process_still_starts(box):
    # the zygote and the next run's first process are both in the group for a moment
    assert box.run(request("spawn", 1, Limits(processes=1))).probes[0].value is None
    assert box.run(request("spawn", 2)).probes[0].value == 2


def test_each_run_gets_its_own_process_limit_whatever_the_last_run_had(box):
    tight = Limits(processes=2)
    assert box.run(request("spawn", 5, tight)).probes[0].value is None  # the limit holds
    assert box.run(request("spawn", 5)).probes[0].value == 5  # not left to the next run
    assert box.run(request("spawn", 5, tight)).probes[0].value is None


def test_a_runs_memory_limit_is_its_budget_plus_little_more(box):
    budget = run_memory_mb(512, TMP_MB, BASE_MB) * MIB
    version = box._group["version"]
    memory = Path(box._group["memory" if version == 1 else "group"])
    name = "memory.limit_in_bytes" if version == 1 else "memory.max"
    limits: list[int] = []
    done = threading.Event()

    def watch() -> None:
        """The limit read while one process of the run is in the group before and after.

        A run sets its limits before it drops to the slot's uid, and the group is
        relaxed only once every process of the run is gone, so a limit read between
        two sightings of the same run process is the run's own (a read before the
        first sighting may still be the idle group's "max")."""
        while not done.is_set():
            before = {pid for pid in members(str(memory)) if uid_of(pid) == box.uid}
            text = (memory / name).read_text().strip()
            if before & members(str(memory)):
                limits.append(int(text) if text != "max" else 2**63)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert box.run(request("wait", 0.5, Limits(address_space_mb=512))).probes[0].value == 1
    finally:
        done.set()
        watcher.join()
    assert limits, "the watcher never saw the run's process"
    assert all(budget <= limit <= budget + 64 * MIB for limit in limits), limits[:3]


def test_the_zygote_waits_in_the_group_only_between_runs(box):
    assert box.run(request("wait", 0.0)).probes[0].value == 1
    time.sleep(0.2)  # the zygote moves back in after reporting the run's end
    assert all(box.zygote_pid in members(folder) for folder in folders(box))
