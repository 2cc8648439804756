"""The lines under each demo gradebook that say what a newcomer would ask: why a
student is "late 1d", what the sandbox stopped, and what the isolation tier means."""

from __future__ import annotations

import re
from collections.abc import Sequence

from grader.authoring.late import LatePolicy
from grader.cli.demo_submissions import ATTEMPTED_PATHS
from grader.exports.feedback import format_score
from grader.exports.gradebook_rows import CheckRow, ResultRow

# What each layer of an isolation tier string stands for (docs/sandbox.md).
LAYERS = {
    "uid": "a user of its own",
    "pidns": "its own process tree",
    "netns": "no network",
    "mntns": "its own mounts",
    "ipcns": "its own IPC",
    "tmpfs": "a private /tmp",
    "pivot_root": "a root holding only Python and NumPy",
    "rlimits": "CPU, memory and file limits",
    "nproc-cap": "a process-count cap for the whole run",
}


def late_lines(rows: Sequence[ResultRow], policy: LatePolicy | None,
               times_source: str) -> list[str]:
    """One line per late student: days, penalty, and where the time came from."""
    lines = []
    for row in rows:
        if not row.late_days:
            continue
        rule = ""
        if policy is not None and policy.per_day:
            most = f", zero after {policy.max_days} days" if policy.max_days is not None else ""
            rule = f" (late policy: {policy.per_day:.0%} off per started day{most})"
        lines.append(
            f"late: {row.student_id} handed in {row.late_days} day(s) after the due date "
            f"by {times_source}: {format_score(row.raw_score)} -> {format_score(row.score)}"
            f"{rule}"
        )
    return lines


def sandbox_line(student_id: str, checks: Sequence[CheckRow], isolation: str) -> str:
    """What the malicious demo submission tried, and what the grader reported."""
    reasons = sorted({re.sub(r"^.*?\.py: ", "", c.message) for c in checks
                      if c.status != "passed"})
    said = "; ".join(reasons[:2]) + (f" and {len(reasons) - 2} more" if len(reasons) > 2 else "")
    unseen = "inside its run none of those files exist; " if "pivot_root" in isolation else ""
    return (
        f"sandbox: {student_id} tried to overwrite {', '.join(ATTEMPTED_PATHS)} and printed a "
        f"fake 'PASSED: score 100/100'; {unseen}its output is never parsed; every module was "
        f"graded 0 ({said})"
    )


def isolation_line(isolation: str) -> str:
    """``isolation uid+pidns+...: a user of its own, ...`` in words."""
    words = []
    for layer in isolation.split("+"):
        name = layer.split("(")[0].strip()
        if name.startswith("cgroup"):
            words.append(f"a memory and process budget for the whole run ({layer})")
        else:
            words.append(LAYERS.get(name, layer))
    return f"isolation {isolation}: each run gets " + ", ".join(words)
