"""The protocol every problem kind implements, and what a kind hands back.

A kind turns one exercise spec plus already-sampled parameters into the graded
items of one student's variant.  Kinds are table-driven and few: the YAML names a
reference function of ``solutions`` and maps its arguments to parameters, so a new
exercise rarely needs new Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from grader.model import Case

if TYPE_CHECKING:  # the framework's modules; imported lazily to keep kinds light
    from grader.authoring.params import VariantRng
    from grader.authoring.spec import ExerciseSpec

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

