"""The parent's follow loop kills a run only for a deadline that had passed."""

from __future__ import annotations

import os
import threading
import time
from types import SimpleNamespace

from grader.sandbox.follow import follow_run
from grader.sandbox.wire import receive, send


class _Helper:
    """A stand-in zygote on real pipes: reads the two messages of a run, then
    reports the run done after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        to_helper_read, to_helper_write = os.pipe()
        from_helper_read, from_helper_write = os.pipe()
        self.process = SimpleNamespace(stdin=os.fdopen(to_helper_write, "wb"),
                                       stdout=os.fdopen(from_helper_read, "rb"))
        self._ends = (to_helper_read, from_helper_write)
        self._thread = threading.Thread(target=self._serve, args=(seconds,), daemon=True)
        self._thread.start()

    def _serve(self, seconds: float) -> None:
        reading, writing = self._ends
        receive(reading)
        receive(reading)
        send(writing, {"event": "started", "pid": 1})
        time.sleep(seconds)
        send(writing, {"event": "done", "status": 0, "cpu_seconds": 0.0})

    def close(self) -> None:
        self._thread.join(timeout=5)
        for end in self._ends:
            os.close(end)
        self.process.stdin.close()
        self.process.stdout.close()


def _slow_deadline(work_seconds: float, ahead_seconds: float):
    """A deadline worked out the way a shared child's is: the clock is read first, then
    the progress records (slow on a loaded machine); the answer is ahead of that clock."""
    def deadline_of() -> float:
        now = time.monotonic()
        time.sleep(work_seconds)
        return now + ahead_seconds
    return deadline_of


def test_a_deadline_still_ahead_when_asked_is_not_a_timeout_however_slow_the_answer():
    helper = _Helper(seconds=0.3)
    kills: list[object] = []
    try:
        events = follow_run(helper.process, {"run": 1}, [],
                            _slow_deadline(work_seconds=0.01, ahead_seconds=0.002),
                            kills.append)
    finally:
        helper.close()
    assert kills == []
    assert not events.timed_out
    assert events.done and events.status == 0


def test_a_deadline_already_past_when_asked_kills_the_run():
    helper = _Helper(seconds=0.3)
    kills: list[object] = []
    try:
        events = follow_run(helper.process, {"run": 1}, [],
                            _slow_deadline(work_seconds=0.01, ahead_seconds=-0.001),
                            kills.append)
    finally:
        helper.close()
    assert len(kills) == 1
    assert events.timed_out
    assert events.done  # the helper still reports the end it saw
