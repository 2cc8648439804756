"""Registry of modeled mistakes: the common wrong ways to compute each reference result.

The grader evaluates every mistake on a case's inputs; when a student's answer
equals a mistake's value (and not the reference), the feedback names the
misconception.  ``topic`` is the name of the reference function a mistake
imitates, and ``fn`` takes the same arguments as that function.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from solutions.wrong import conv, counts, pool, sizes
from solutions.wrong.base import Mistake

__all__ = ["MISTAKES", "Mistake", "mistakes_for"]


def _registry(*groups: tuple[Mistake, ...]) -> Mapping[str, Mistake]:
    table: dict[str, Mistake] = {}
    for group in groups:
        for mistake in group:
            if mistake.mistake_id in table:
                raise ValueError(f"duplicate mistake id {mistake.mistake_id!r}")
            table[mistake.mistake_id] = mistake
    return MappingProxyType(table)


MISTAKES: Mapping[str, Mistake] = _registry(sizes.MISTAKES, conv.MISTAKES, pool.MISTAKES,
                                            counts.MISTAKES)


def mistakes_for(topic: str) -> tuple[Mistake, ...]:
    """All mistakes imitating the reference function named ``topic`` (may be empty)."""
    return tuple(mistake for mistake in MISTAKES.values() if mistake.topic == topic)
