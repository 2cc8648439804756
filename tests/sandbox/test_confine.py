"""The root-only layers, checked directly on the kernel (skipped without root)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from grader.sandbox import FULL_ISOLATION, UID_ISOLATION, machine_isolation
from grader.sandbox.confine import drop_privileges
from grader.sandbox.isolation import UidSlot, kill_user_processes, user_processes

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="the user-switch layer needs root on this machine")


def in_child_as(uid: int, action) -> int:
    """Run ``action()`` in a forked child after dropping to ``uid``; its exit code."""
    pid = os.fork()
    if pid == 0:
        try:
            drop_privileges(uid, uid)
            os._exit(action())
        except BaseException:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_machine_isolation_names_a_tier_that_matches_the_privileges():
    tier = machine_isolation()
    if os.geteuid() == 0:
        assert tier in (FULL_ISOLATION, UID_ISOLATION)
    else:
        assert tier.startswith("session+rlimits (no root")


@needs_root
def test_another_uid_cannot_read_the_graders_environment():
    def read_parent_environ() -> int:
        try:
            with open(f"/proc/{os.getppid()}/environ", "rb") as handle:
                handle.read()
        except PermissionError:
            return 0
        return 1

    assert in_child_as(64999, read_parent_environ) == 0


@needs_root
def test_a_dropped_child_cannot_get_root_back():
    def try_setuid() -> int:
        try:
            os.setuid(0)
        except PermissionError:
            return 0
        return 1

    assert in_child_as(64998, try_setuid) == 0


@needs_root
def test_two_slots_get_different_uids_and_release_them():
    first, second = UidSlot.acquire(), UidSlot.acquire()
    try:
        assert first.uid != second.uid
    finally:
        first.release()
        second.release()
    third = UidSlot.acquire()
    third.release()
    assert third.uid in (first.uid, second.uid)


@needs_root
def test_killing_by_uid_catches_a_process_that_left_its_session():
    # outside the sandbox slots (64000-64999), so that no grader running at the same
    # time can reserve this uid and sweep the process away first
    uid = 63997
    process = subprocess.Popen(["sleep", "60"], user=uid, group=uid,
                               start_new_session=True)  # a session of its own
    try:
        deadline = time.monotonic() + 5
        while not user_processes(uid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert user_processes(uid)
        assert kill_user_processes(uid)
        assert user_processes(uid) == []
    finally:
        process.kill()
        process.wait()
