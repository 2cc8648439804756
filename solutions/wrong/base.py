"""The record describing one modeled mistake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mistake:
    """A common wrong way to compute what a reference function computes.

    ``fn`` takes the same arguments as the reference function named by
    ``topic`` and returns what a student making this mistake would return.  It
    may raise ``ValueError`` when the wrong method cannot produce a value for
    the given inputs (for example a window that no longer fits); callers treat
    that as "this mistake gives no answer here".  ``shows_when`` tells exercise
    authors which inputs make the mistake visible (empty: almost any input).
    """

    mistake_id: str
    topic: str
    explanation: str
    fn: Callable[..., Any]
    shows_when: str = ""
