"""Where in the file a variant that cannot be built goes wrong.

Building a variant tries many draws and gives up with a count of the reasons; the
author needs the line to edit.  These checks look again, independently of the
builder: which constraint no draw of the parameters satisfies (given the ones
before it), and which name the prompt uses that nothing defines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2.meta

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.params import SamplingFailure, sample_params
from grader.authoring.rng import VariantRng
from grader.authoring.spec import ExerciseSpec, prompt_environment
from grader.authoring.yamldoc import LocatedYaml, Problem
from grader.errors import SpecError

DRAWS = 200
ALWAYS_DEFINED = frozenset({"title", "points"})  # render_prompt adds these


def parameter_draws(spec: ExerciseSpec, secret: bytes, count: int = DRAWS
                    ) -> list[dict[str, Any]]:
    """Up to ``count`` samples of the parameters (draws that fail to sample are skipped)."""
    draws = []
    for index in range(count):
        rng = VariantRng.for_variant(secret, "diagnose", spec.exercise_id, str(index))
        try:
            draws.append(sample_params(spec.params, rng))
        except SamplingFailure:
            continue
    return draws


def _holds(source: str, values: Mapping[str, Any]) -> bool:
    try:
        return bool(parse_expression(source).evaluate(values))
    except ExpressionError:
        return False


def unsatisfied_constraint(spec: ExerciseSpec, draws: list[dict[str, Any]]) -> int | None:
    """The index of the first constraint that no draw satisfying the earlier ones meets."""
    alive = draws
    for index, source in enumerate(spec.constraints):
        alive = [values for values in alive if _holds(source, values)]
        if draws and not alive:
            return index
    return None


def undefined_prompt_names(spec: ExerciseSpec, defined: set[str]) -> list[str]:
    """Names the prompt reads that are neither parameters nor given by the kind."""
    tree = prompt_environment().parse(spec.prompt)
    known = defined | set(spec.params) | ALWAYS_DEFINED
    return sorted(jinja2.meta.find_undeclared_variables(tree) - known)


def prompt_line(doc: LocatedYaml, name: str) -> int | None:
    """The line of the first template expression in the prompt that uses ``name``."""
    start = doc.text_lines.get(("prompt",))
    text = doc.data.get("prompt", "") if isinstance(doc.data, Mapping) else ""
    pattern = re.compile(r"(\{\{|\{%)[^}]*\b" + re.escape(name) + r"\b")
    for offset, line in enumerate(str(text).splitlines()):
        if start and pattern.search(line):
            return start + offset
    return doc.line_of(("prompt",))


def locate_failure(spec: ExerciseSpec, doc: LocatedYaml, error: SpecError, *,
                   secret: bytes, kind: Any) -> Problem:
    """The problem behind a failed variant build, at the line of its cause when found."""
    message = str(error).removeprefix(f"{spec.source}: ")  # keeps "id: " or "prompt: "
    draws = parameter_draws(spec, secret)
    index = unsatisfied_constraint(spec, draws)
    if index is not None:
        path = ("constraints", index)
        return doc.problem(path, f"no draw of the parameters satisfies "
                           f"{spec.constraints[index]!r} (with the constraints before it, "
                           f"in {len(draws)} draws); widen the ranges or relax it")
    missing = undefined_prompt_names(spec, _context_names(spec, draws, kind, secret))
    if missing:
        names = ", ".join(repr(name) for name in missing)
        return Problem(doc.source, prompt_line(doc, missing[0]), "prompt",
                       f"the prompt uses {names}, which is not a parameter nor given by "
                       f"the {spec.kind} kind")
    if error.where.endswith(": prompt"):
        return Problem(doc.source, doc.line_of(("prompt",)), "prompt",
                       message.removeprefix("prompt: "))
    return Problem(doc.source, None, "", message)


def _context_names(spec: ExerciseSpec, draws: list[dict[str, Any]], kind: Any,
                   secret: bytes) -> set[str]:
    """The names the kind adds to the prompt, from the first draw it accepts."""
    rng = VariantRng.for_variant(secret, "diagnose", spec.exercise_id, "build")
    for values in draws:
        if not all(_holds(source, values) for source in spec.constraints):
            continue
        try:
            return set(kind.build(spec, values, rng).prompt_context)
        except (SamplingFailure, ValueError, SpecError):
            continue
    return set()
