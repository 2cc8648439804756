"""Kind ``implementation``: the student writes one NumPy function of the reference library.

The stub is cut from the reference function itself (its ``### BEGIN SOLUTION`` /
``### END SOLUTION`` regions become ``raise NotImplementedError``), so there is one
source of truth.  Each test case calls the function on small random float inputs;
the expected value comes from the reference and each modeled mistake of the topic
is run on the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.authoring.kinds.base import KindOutput, OptionProblem
from grader.authoring.kinds.gradcheck import check_case_gradients
from grader.authoring.kinds.reference import (
    check_wanted_mistakes,
    cut_solution,
    evaluate_mistakes,
    function_source,
    mistakes_of,
    reference_function,
    reference_topics,
)
from grader.authoring.kinds.values import plain, resolve
from grader.errors import SpecError
from grader.model import Case, ModeledAnswer, Probe, Tolerance

DEFAULT_TOLERANCE = Tolerance(rtol=1e-6, atol=1e-8)


class ImplementationKind:
    """Cases that call a student function and compare with the reference."""

    name = "implementation"

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        if not isinstance(options, Mapping):
            return [("options", "expected a mapping")]
        problems: list[OptionProblem] = []
        topics = reference_topics()
        if options.get("reference") not in topics:
            problems.append(("options.reference", "expected the name of a reference function, "
                             f"one of: {', '.join(sorted(topics))}"))
        outputs = options.get("outputs", [])
        if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
            problems.append(("options.outputs", "expected a list of output names"))
        cases = options.get("cases")
        if not isinstance(cases, list) or not cases:
            return [*problems, ("options.cases", "expected a non-empty list of test cases")]
        for i, case in enumerate(cases):
            if not isinstance(case, Mapping) or not isinstance(case.get("inputs"), Mapping):
                problems.append((f"options.cases[{i}].inputs", "expected a mapping of inputs"))
            elif not isinstance(case.get("mistakes", []), list):
                problems.append((f"options.cases[{i}].mistakes", "expected a list of mistake ids"))
        if not any(isinstance(c, Mapping) and c.get("public") for c in cases):
            problems.append(("options.cases", "expected at least one public case"))
        return problems

    def build(self, spec: Any, params: Mapping[str, Any], rng: Any) -> KindOutput:
        options = spec.options
        topic = options["reference"]
        where = f"{spec.source}: options"
        check_wanted_mistakes([topic], spec.mistakes, where)
        reference = reference_function(topic, where=where)
        outputs = tuple(options.get("outputs", ()))
        tolerance = _tolerance(spec.answer or {})
        raw_cases = options["cases"]
        total = sum(float(c.get("weight", 1.0)) for c in raw_cases)
        cases = []
        for i, raw in enumerate(raw_cases):
            case_rng = rng.child(f"case:{i}")
            inputs = resolve(raw["inputs"], params, case_rng, where=f"{where}.cases[{i}].inputs")
            try:
                value = reference(**inputs)
                expected = _normalise(value, outputs)
            except (ValueError, TypeError) as error:
                raise SpecError(f"case {i}: the reference fails: {error}", where=where) from error
            if "gradient_check" in options:  # expected gradients verified numerically
                check_case_gradients(options["gradient_check"], inputs, expected, where=where)
            cases.append(Case(
                case_id=str(raw.get("name", f"case_{i + 1}")),
                label=str(raw.get("label", f"{topic} test {i + 1}")),
                points=spec.points * float(raw.get("weight", 1.0)) / total,
                public=bool(raw.get("public", False)),
                answer_type="array",
                probe=Probe("call", topic, tuple(inputs.items()), outputs),
                expected=expected,
                tolerance=tolerance,
                mistakes=_modeled(topic, _narrowed(spec.mistakes, raw.get("mistakes")),
                                  inputs, outputs, value),
            ))
        imports, source = function_source(topic)
        header = f'"""{spec.title}: complete the function below."""\n\n{imports}\n\n\n'
        return KindOutput(
            prompt_context={**{k: plain(v) for k, v in params.items()}, "function": topic,
                            "outputs": list(outputs)},
            cases=tuple(cases),
            stub_source=header + cut_solution(source),
            solution_source=header + source,
        )


def _tolerance(raw: Mapping[str, Any]) -> Tolerance:
    return Tolerance(rtol=float(raw.get("rtol", DEFAULT_TOLERANCE.rtol)),
                     atol=float(raw.get("atol", DEFAULT_TOLERANCE.atol)))


def _narrowed(wanted: tuple[str, ...], per_case: Any) -> tuple[str, ...]:
    """The spec's mistake list narrowed by a case's own ``mistakes`` list, if it has one."""
    if not per_case:
        return wanted
    return tuple(m for m in per_case if not wanted or m in wanted)


def _normalise(value: Any, outputs: tuple[str, ...]) -> Any:
    """Arrays as float64; a multi-output result as a tuple with one array per name."""
    import numpy as np

    if outputs:
        if not isinstance(value, tuple) or len(value) != len(outputs):
            raise ValueError(f"expected a tuple of {len(outputs)} outputs {outputs}")
        return tuple(np.asarray(part, dtype=np.float64) for part in value)
    return np.asarray(value, dtype=np.float64)


def _modeled(
    topic: str, wanted: tuple[str, ...], inputs: Mapping[str, Any], outputs: tuple[str, ...],
    reference: Any,
) -> tuple[ModeledAnswer, ...]:
    """What each mistake gives on ``inputs``; ``reference``: the reference's own value there."""
    modeled = []
    mistakes = mistakes_of(topic, wanted)
    outcomes = evaluate_mistakes(mistakes, inputs, reference)
    for mistake, (ok, value) in zip(mistakes, outcomes, strict=True):
        if not ok:
            continue
        try:
            modeled.append(ModeledAnswer(
                mistake.mistake_id, mistake.explanation, _normalise(value, outputs)))
        except (ValueError, TypeError):
            continue
    return tuple(modeled)
