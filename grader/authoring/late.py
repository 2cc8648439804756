"""Late penalties from a course's policy: pure arithmetic on two timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LatePolicy:
    """A fraction of the score off per started day late, and zero after ``max_days``."""

    due: datetime
    per_day: float = 0.0
    max_days: int | None = None


def late_penalty(policy: LatePolicy | None, submitted_at: datetime | None) -> tuple[int, float]:
    """(days late, fraction of the score taken off); (0, 0.0) when on time or unknown."""
    if policy is None or submitted_at is None or submitted_at <= policy.due:
        return 0, 0.0
    seconds_late = (submitted_at - policy.due).total_seconds()
    days = int(-(-seconds_late // 86400))
    if policy.max_days is not None and days > policy.max_days:
        return days, 1.0
    return days, min(1.0, days * policy.per_day)
