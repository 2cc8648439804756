"""What a ``by_hand`` build reads from its spec alone, worked out once per spec.

Every student's build of an exercise parses the same answers, checks the same
wanted mistakes and lists the same mistakes per answer; only the parameters
differ.  A batch builds thousands of variants of a few specs, so ``PlanCache``
keeps one ``Plan`` per live spec object.  Specs are frozen dataclasses whose
sections are never changed after parsing, so a plan is a pure function of the
spec; the cache holds the spec only weakly and checks identity, so a new spec
at a recycled address never gets an old plan.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from grader.authoring.kinds.reference import (
    check_wanted_mistakes,
    mistakes_of,
    reference_function,
)

_MAX_PLANS = 256  # distinct live specs remembered; beyond it the cache starts over


@dataclass(frozen=True)
class Plan:
    """The spec-only part of a build: calls, answers and each answer's mistakes.

    ``mistakes[i]`` holds, for answer ``i``, ``(call name, mistakes)`` pairs in
    the order ``_modeled`` evaluates them, already narrowed by the spec's, the
    call's and the answer's ``mistakes`` lists.
    """

    calls: Mapping[str, Mapping[str, Any]]
    functions: tuple[tuple[str, Callable[..., Any]], ...]
    answers: tuple[Any, ...]
    total_weight: float
    mistakes: tuple[tuple[tuple[str, tuple[Any, ...]], ...], ...]
    stub_source: str


def make_plan(spec: Any, calls: Mapping[str, Mapping[str, Any]], answers: tuple[Any, ...],
              stub_source: str) -> Plan:
    """The plan of ``spec``; raises ``SpecError`` (as every build did) for a wanted
    mistake that none of the calls models."""
    where = f"{spec.source}: options"
    check_wanted_mistakes([c["reference"] for c in calls.values()], spec.mistakes, where)
    functions = tuple((name, reference_function(call["reference"]))
                      for name, call in calls.items())
    per_answer = []
    for answer in answers:
        pairs = []
        for call_name in answer.depends_on(tuple(calls)):
            call = calls[call_name]
            narrowed = tuple(m for m in mistakes_of(call["reference"], spec.mistakes)
                             if _allowed(m.mistake_id, call.get("mistakes"), answer.mistakes))
            pairs.append((call_name, narrowed))
        per_answer.append(tuple(pairs))
    return Plan(calls=calls, functions=functions, answers=answers,
                total_weight=sum(answer.weight for answer in answers),
                mistakes=tuple(per_answer), stub_source=stub_source)


def _allowed(mistake_id: str, *lists: Any) -> bool:
    """A list narrows the mistakes when given (``[]`` allows none); ``None`` allows all."""
    return all(narrowed is None or mistake_id in narrowed for narrowed in lists)


class PlanCache:
    """One plan per live spec object (held weakly, looked up by identity)."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple[weakref.ref, Plan]] = {}

    def get(self, spec: Any, make: Callable[[Any], Plan]) -> Plan:
        """The cached plan of ``spec``, or ``make(spec)`` (cached when it succeeds)."""
        entry = self._plans.get(id(spec))
        if entry is not None and entry[0]() is spec:
            return entry[1]
        plan = make(spec)
        try:
            reference = weakref.ref(spec)
        except TypeError:  # not weakly referenceable: build the plan every time
            return plan
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[id(spec)] = (reference, plan)
        return plan
