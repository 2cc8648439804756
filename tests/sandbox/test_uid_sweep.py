"""The kill-by-uid sweep finds exactly the live processes of a uid (``/proc`` status)."""

from __future__ import annotations

import ctypes
import os
import signal
import time

import pytest

from grader.sandbox.isolation import _status_field, kill_user_processes, user_processes

UID = 64999  # above the worker slots' range used by the other tests
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="switching uid needs root")


def spawn_as(uid: int, name: bytes | None = None) -> int:
    """A child sleeping as ``uid`` (optionally renamed), its parent the test."""
    pid = os.fork()
    if pid == 0:
        try:
            if name is not None:
                ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)  # PR_SET_NAME
            os.setgid(uid)
            os.setuid(uid)
            time.sleep(30)
        finally:
            os._exit(0)
    time.sleep(0.1)
    return pid


def test_the_sweep_sees_a_live_process_of_the_uid_and_not_its_zombie():
    pid = spawn_as(UID)
    try:
        assert pid in user_processes(UID)
        assert pid not in user_processes(UID + 1)
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)  # a zombie until reaped below
        assert pid not in user_processes(UID)
    finally:
        os.waitpid(pid, 0)


def test_a_process_name_cannot_fake_a_uid_line():
    pid = spawn_as(UID, name=b"x\nUid:\t4242\t4242")
    try:
        assert pid in user_processes(UID) and pid not in user_processes(4242)
    finally:
        assert kill_user_processes(UID)
        os.waitpid(pid, 0)


def test_status_fields_are_read_from_their_own_lines():
    data = b"Name:\tUid: 7\nState:\tZ (zombie)\nUid:\t1\t2\t3\t4\n"
    assert _status_field(data, b"State:") == b"Z (zombie)"
    assert _status_field(data, b"Uid:").split() == [b"1", b"2", b"3", b"4"]
    assert _status_field(b"Name:\tx\n", b"Uid:") == b""
    assert _status_field(b"Uid:\t5\t5\t5\t5", b"Uid:") == b"5\t5\t5\t5"
