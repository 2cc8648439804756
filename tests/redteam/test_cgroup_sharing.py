"""The slot's cgroup holds each run, born in it, and one thread of the zygote.

Runs are born in the slot's cgroup because the zygote forks them from its spawner
thread, which lives there for good (moving a process in would cost an RCU grace
period per run; ``cgroups.settle_spawner``).  These tests check what that design
promises: the zygote's leader (the task that owns its memory, the only one of its
tasks the group's OOM killer considers) never enters the group, its memory is never
charged there, a run that fills the group is killed while the zygote lives on, each
run gets its own limits whatever the run before it had, and a run's memory budget is
its own on top of at most a little left charged there.
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
def hog(count):
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            block = bytearray(300 * 1024 * 1024)
            for at in range(0, len(block), 4096):
                block[at] = 1
            time.sleep(2)
            os._exit(0)
        pids.append(pid)
    return sum(os.waitpid(pid, 0)[1] == 0 for pid in pids)  # children that lived on
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


def tasks(folder: str) -> set[int]:
    """Every thread in the group (v1 ``tasks``; cgroup2 ``cgroup.threads``)."""
    name = "tasks" if os.path.exists(os.path.join(folder, "tasks")) else "cgroup.threads"
    with open(os.path.join(folder, name)) as handle:
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


def test_no_student_process_ever_shares_the_group_with_the_zygotes_leader(box):
    samples: list[tuple[bool, bool]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for folder in folders(box):
                students = {pid for pid in members(folder) if uid_of(pid) == box.uid}
                # read again: a uid seen after the first listing may be newer than it
                # (a root child of the zygote that has just dropped to the slot's uid),
                # but a process never gets root back, so this listing is one moment
                threads = tasks(folder)
                samples.append((bool(students & threads), box.zygote_pid in threads))

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
    together = sum(student and leader for student, leader in samples)
    assert not together, f"{together} of {len(samples)} samples saw the zygote with the run"


def test_the_zygotes_memory_is_never_charged_to_the_group(box):
    assert box.run(request("spawn", 2)).probes[0].value == 2
    time.sleep(0.2)  # the run's processes are gone
    version = box._group["version"]
    folder = Path(box._group["memory" if version == 1 else "group"])
    usage = int((folder / ("memory.usage_in_bytes" if version == 1
                           else "memory.current")).read_text())
    with open(f"/proc/{box.zygote_pid}/status") as handle:
        rss_kb = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
    assert rss_kb * 1024 > 20 * MIB  # the zygote holds NumPy: its pages would show
    assert usage < 8 * MIB, f"{usage / MIB:.1f} MiB charged to the idle group"


def test_a_run_that_fills_the_group_is_killed_and_the_zygote_lives_on(box):
    zygote = box.zygote_pid
    tight = Limits(address_space_mb=512, wall_seconds=20, cpu_seconds=20)
    assert run_memory_mb(512, TMP_MB, BASE_MB) < 3 * 300  # three blocks pass the budget
    outcome = box.run(request("hog", 3, tight)).probes[0]
    assert outcome.value is None or outcome.value < 3, outcome  # the group's OOM killer
    assert box.run(request("spawn", 2)).probes[0].value == 2
    assert box.zygote_pid == zygote  # the same zygote: the OOM killer never picked it


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


def test_the_zygote_keeps_one_thread_in_the_group_and_its_leader_at_home(box):
    if box._group["version"] != 1:
        pytest.skip("cgroup2 keeps a process's threads together: the zygote moves whole")
    assert box.run(request("wait", 0.0)).probes[0].value == 1
    zygote = box.zygote_pid
    threads = [int(name) for name in os.listdir(f"/proc/{zygote}/task")]
    for folder in folders(box):
        inside = tasks(folder) & set(threads)
        assert zygote not in inside
        assert len(inside) == 1  # the spawner, between runs as during them
