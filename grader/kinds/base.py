"""The protocol every problem kind implements, and what a kind hands back.

A kind turns one exercise spec plus already-sampled parameters into the graded
items of one student's variant.  Kinds are table-driven and few: the YAML names a
reference function of ``solutions`` and maps its arguments to parameters, so a new
exercise rarely needs new Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from grader.model import Case

if TYPE_CHECKING:  # the framework's modules; imported lazily to keep kinds light
    from grader.params import VariantRng
    from grader.spec import ExerciseSpec

OptionProblem = tuple[str, str]
"""``(key path, message)`` describing one invalid option of an exercise spec."""


@dataclass(frozen=True)
class KindOutput:
    """Everything a kind produces for one variant of one exercise.

    ``prompt_context`` is passed to the spec's jinja2 prompt; ``stub_source`` is the
    student's starting module; ``solution_source`` the same module answered.
    """

    prompt_context: Mapping[str, Any]
    cases: tuple[Case, ...]
    stub_source: str
    solution_source: str
    notes: tuple[str, ...] = field(default=())


class Kind(Protocol):
    """A family of exercises graded the same way."""

    name: str

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        """Problems with the spec's kind-specific ``options`` section (empty when valid)."""
        ...

    def build(
        self, spec: ExerciseSpec, params: Mapping[str, Any], rng: VariantRng
    ) -> KindOutput:
        """The cases, stub and prompt context of one variant."""
        ...


def discrimination_problem(cases: tuple[Case, ...]) -> str | None:
    """Why a variant's cases cannot tell its modeled mistakes apart, or None when they can.

    A variant discriminates when, in every case, each modeled mistake's value differs
    from the expected value (within the case's tolerance) and from every other
    modeled mistake's value, so a wrong answer is diagnosed as exactly one mistake.
    """
    for case in cases:
        for i, mistake in enumerate(case.mistakes):
            if _same(mistake.value, case.expected, case):
                return f"{case.case_id}: {mistake.mistake_id} gives the expected answer"
            for other in case.mistakes[:i]:
                if _same(mistake.value, other.value, case):
                    return (f"{case.case_id}: {mistake.mistake_id} and {other.mistake_id} "
                            "give the same answer")
    return None


def _same(first: Any, second: Any, case: Case) -> bool:
    """Equal within the case's tolerance; a multi-output value only when every part is."""
    from grader.compare import values_match  # late: compare is the lead's module

    if case.probe.outputs:
        return all(values_match(a, b, case.tolerance) for a, b in zip(first, second, strict=True))
    return values_match(first, second, case.tolerance)
