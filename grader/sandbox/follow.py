"""Following one run: send it to the helper, read its events, enforce the wall clock.

The parent's loop for ``Sandbox.run`` and ``Sandbox.run_many`` alike.  The deadline
is asked for again whenever it passes (a shared child's moves with its progress),
and the run is killed only when it answers with a time already past when it was
asked: comparing with a clock read after the answer would kill a run whose deadline
was still ahead while the answer was being worked out (and then pin the kill on no
request at all).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from grader.sandbox.shared import RunEvents
from grader.sandbox.wire import WireClosed, WireTimeout, receive, send

GRACE_SECONDS = 5.0


def follow_run(process: Any, message: dict, release: list[int],
               deadline_of: Callable[[], float],
               kill_run: Callable[[RunEvents], None]) -> RunEvents:
    """Send one run (and the run folders the zygote may now unmount) and follow it
    until the zygote reports its end; ``kill_run`` ends it when its time is up."""
    events = RunEvents()
    deadline = deadline_of()
    try:
        send(process.stdin.fileno(), {"op": "run", "run": message["run"], "release": release},
             deadline=deadline)
        send(process.stdin.fileno(), message, deadline=deadline + GRACE_SECONDS)
    except (WireClosed, WireTimeout):
        events.zygote_lost = True
        return events
    while not events.done:
        try:
            handle(receive(process.stdout.fileno(), deadline=deadline), events)
        except WireTimeout:
            if events.timed_out:
                events.zygote_lost = True
                break
            asked_at = time.monotonic()  # before asking: the answer's own clock is later
            deadline = deadline_of()
            if deadline > asked_at:
                continue
            events.timed_out = True
            kill_run(events)
            deadline = time.monotonic() + GRACE_SECONDS
        except WireClosed:
            events.zygote_lost = True
            break
    return events


def handle(message: dict, events: RunEvents) -> None:
    """Record one event of the zygote's: started (pid), setup_error, done."""
    kind = message.get("event")
    if kind == "started":
        events.pid = int(message["pid"])
    elif kind == "setup_error":
        events.setup_error = str(message.get("message"))
    elif kind == "done":
        events.done = True
        events.status = int(message["status"])
        events.cpu_seconds = float(message["cpu_seconds"])
