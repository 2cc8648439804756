"""Removing a slot's cgroup while its last process is still on its way out (real cgroups)."""

from __future__ import annotations

import os
import time

import pytest

from grader.sandbox.cgroups import create_group, remove_group


@pytest.fixture
def group():
    made = create_group(f"cnn-grader-test-removal-{os.getpid()}")
    if made is None:
        pytest.skip("this machine gives no cgroup to the grader (needs root and v1 or v2)")
    yield made
    remove_group(made)


def folders(group: dict) -> list[str]:
    return [folder for key, folder in group.items() if key != "version"]


def child_in_group(group: dict, seconds: float) -> int:
    """A child that joins the group, stays ``seconds`` and exits (its pid)."""
    pid = os.fork()
    if pid == 0:
        for folder in folders(group):
            with open(os.path.join(folder, "cgroup.procs"), "w") as handle:
                handle.write("0")
        time.sleep(seconds)
        os._exit(0)
    time.sleep(0.1)  # the child is in the group now
    return pid


def test_a_group_whose_last_process_exits_a_moment_later_is_still_removed(group):
    pid = child_in_group(group, 0.3)  # as a spare run is when its zygote dies
    try:
        remove_group(group)
        assert not any(os.path.exists(folder) for folder in folders(group))
    finally:
        os.waitpid(pid, 0)


def test_a_group_that_stays_busy_is_given_up_after_the_patience(group):
    pid = child_in_group(group, 30)
    try:
        remove_group(group, patience=0.2)  # returns, leaving the busy folder
        assert all(os.path.exists(folder) for folder in folders(group))
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
