"""Registry of modeled mistakes: the common wrong ways to compute each reference result.

The grader evaluates every mistake on a case's inputs; when a student's answer
equals a mistake's value (and not the reference), the feedback names the
misconception.  ``topic`` is the name of the reference function a mistake
imitates, and ``fn`` takes the same arguments as that function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from solutions.wrong import conv, counts, pool, sizes, tinycnn
from solutions.wrong.base import Mistake

__all__ = ["MISTAKES", "Mistake", "mistakes_for"]


def _registry(*modules) -> Mapping[str, Mistake]:
    """One read-only table of the modules' mistakes, each given its ``shows_when`` note."""
    table: dict[str, Mistake] = {}
    for module in modules:
        for mistake in module.MISTAKES:
            if mistake.mistake_id in table:
                raise ValueError(f"duplicate mistake id {mistake.mistake_id!r}")
            note = module.SHOWS_WHEN.get(mistake.mistake_id, mistake.shows_when)
            table[mistake.mistake_id] = replace(mistake, shows_when=note)
    unknown = {key for module in modules for key in module.SHOWS_WHEN} - set(table)
    if unknown:
        raise ValueError(f"SHOWS_WHEN names unknown mistakes: {sorted(unknown)}")
    return MappingProxyType(table)


MISTAKES: Mapping[str, Mistake] = _registry(sizes, conv, pool, counts, tinycnn)


def mistakes_for(topic: str) -> tuple[Mistake, ...]:
    """All mistakes imitating the reference function named ``topic`` (may be empty)."""
    return tuple(mistake for mistake in MISTAKES.values() if mistake.topic == topic)
