"""Kind ``by_hand``: numbers a student works out on paper and writes as constants.

The exercise names one or more reference calls (``calls:``, or the shorthand
``reference:`` + ``arguments:``) and lists the answers read from their results.
Every modeled mistake of a called topic is evaluated on the same arguments, so
each answer carries the value that misconception would produce.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.kinds.base import KindOutput, OptionProblem
from grader.authoring.kinds.by_hand_plan import Plan, PlanCache, make_plan
from grader.authoring.kinds.by_hand_prompt import LazyContext
from grader.authoring.kinds.reference import evaluate_safely, reference_topics
from grader.authoring.kinds.values import BuildMemo, argument_key, as_answer, plain, resolve, take
from grader.errors import SpecError
from grader.model import Case, ModeledAnswer, Probe, Tolerance

ANSWER_TYPES = ("integer", "float", "shape", "matrix", "array")
CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
PRACTICE_PREFIX = "PRACTICE_"
GRADED_NOTE = (
    "# Graded: the numbers of the exercise in the handout.  `cnn-grader check` only says\n"
    "# whether each answer is given in the right form; its value is graded after you submit."
)
PRACTICE_NOTE = (
    "# Practice (not graded): the numbers under \"Practice\" in the handout.  `cnn-grader\n"
    "# check` says whether each is right and, if not, which common mistake it matches."
)
TYPE_HINTS = {
    "integer": "an integer",
    "float": "a number",
    "shape": "a tuple of integers, e.g. (2, 3)",
    "matrix": "a list of rows, e.g. [[1, 2], [3, 4]]",
    "array": "a list of numbers",
}


@dataclass(frozen=True)
class AnswerSpec:
    """One constant the student fills in, and how to compute it from call results."""

    name: str
    label: str
    answer_type: str
    source: str | None  # call name, for ``from``
    index: tuple[int, ...]
    formula: str | None
    tolerance: Tolerance
    per_element_credit: bool
    weight: float
    public: bool
    mistakes: tuple[str, ...] | None  # restricts this answer's mistakes (None: no limit)

    def depends_on(self, call_names: tuple[str, ...]) -> tuple[str, ...]:
        if self.formula is None:
            return (self.source,) if self.source else ()
        names = parse_expression(self.formula).names
        return tuple(name for name in call_names if name in names)


def _calls(options: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    if "calls" in options:
        return dict(options["calls"])
    return {"result": {"reference": options.get("reference"), "arguments": options.get(
        "arguments", {})}}


def _tolerance(raw: Mapping[str, Any], default: Tolerance) -> Tolerance:
    """``rtol``/``atol`` keys of ``raw`` (an answer item or the ``answer:`` section)."""
    return Tolerance(rtol=float(raw.get("rtol", default.rtol)),
                     atol=float(raw.get("atol", default.atol)))


def parse_answers(spec: Any) -> tuple[AnswerSpec, ...]:
    """The answers of ``spec`` with the defaults of its ``answer:`` section applied."""
    defaults = spec.answer or {}
    default_tolerance = _tolerance(defaults, Tolerance(rtol=0.0, atol=0.0))
    calls = tuple(_calls(spec.options))
    parsed = []
    for raw in spec.options["answers"]:
        answer_type = raw.get("type", defaults.get("type", "integer"))
        parsed.append(AnswerSpec(
            name=raw["name"],
            label=raw.get("label", raw["name"].replace("_", " ").lower()),
            answer_type=answer_type,
            source=raw.get("from", calls[0] if len(calls) == 1 else None),
            index=tuple(raw.get("index", ())),
            formula=raw.get("formula"),
            tolerance=_tolerance(raw, default_tolerance),
            per_element_credit=bool(raw.get(
                "per_element_credit", defaults.get("per_element_credit", False))),
            weight=float(raw.get("weight", 1.0)),
            public=bool(raw.get("public", False)),
            mistakes=None if raw.get("mistakes") is None else tuple(raw["mistakes"]),
        ))
    return tuple(parsed)


def _answer_value(answer: AnswerSpec, results: Mapping[str, Any], *, strict: bool) -> Any:
    if answer.formula is not None:
        expression = parse_expression(answer.formula)
        scope = {name: float(value) for name, value in results.items()
                 if name in expression.names}
        value = expression.evaluate(scope)
    else:
        value = take(results[answer.source], answer.index)
    return as_answer(value, answer.answer_type, strict=strict)


class ByHandKind:
    """Answers computed by calling reference functions on the student's numbers."""

    name = "by_hand"

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        problems: list[OptionProblem] = []
        topics = reference_topics()
        calls = _calls(options) if isinstance(options, Mapping) else {}
        for call_name, call in calls.items():
            path = f"options.calls.{call_name}" if "calls" in options else "options"
            if not isinstance(call, Mapping) or call.get("reference") not in topics:
                problems.append((f"{path}.reference", "expected the name of a reference "
                                 f"function, one of: {', '.join(sorted(topics))}"))
            elif not isinstance(call.get("arguments", {}), Mapping):
                problems.append((f"{path}.arguments", "expected a mapping of argument names"))
            elif not _is_id_list(call.get("mistakes", [])):
                problems.append((f"{path}.mistakes", "expected a list of mistake ids"))
        answers = options.get("answers") if isinstance(options, Mapping) else None
        if not isinstance(answers, list) or not answers:
            return [*problems, ("options.answers", "expected a non-empty list of answers")]
        for i, raw in enumerate(answers):
            problems += _answer_problems(raw, f"options.answers[{i}]", tuple(calls))
        return problems

    def __init__(self) -> None:
        self._plans = PlanCache()  # per spec: what every student's build reads alike
        self._built = BuildMemo()  # per plan and arguments: cases and solution

    def build(self, spec: Any, params: Mapping[str, Any], rng: Any) -> KindOutput:
        where = f"{spec.source}: options"
        plan = self._plans.get(spec, _plan_of)
        arguments = {
            name: resolve(call.get("arguments", {}), params, rng, where=f"{where}.{name}")
            for name, call in plan.calls.items()
        }
        key = argument_key(arguments)  # the same numbers give the same cases
        built = None if key is None else self._built.get(plan, key)
        if built is None:
            cases = _cases(spec, plan, arguments, where)
            built = cases, module_source(spec.title, plan.answers, cases)
            if key is not None:
                self._built.put(plan, key, built, values=[value for case in cases for value in (
                    case.expected, *(mistake.value for mistake in case.mistakes))])
        return KindOutput(prompt_context=LazyContext(params, plan.answers), cases=built[0],
                          stub_source=plan.stub_source, solution_source=built[1])

    def practice_module(self, spec: Any, graded: tuple[Case, ...], practice: tuple[Case, ...]
                        ) -> tuple[tuple[Case, ...], str, str]:
        """The practice cases (public, reading ``PRACTICE_<NAME>``), and the stub and
        solution with a graded and a practice section, each saying what ``check`` does."""
        answers = self._plans.get(spec, _plan_of).answers
        cases = tuple(
            dataclasses.replace(case, case_id=f"practice.{case.case_id}",
                                label=f"practice: {case.label}", public=True,
                                probe=Probe("attribute", PRACTICE_PREFIX + case.probe.name))
            for case in practice)
        stub = module_source(spec.title, answers, None, practice=())
        solution = module_source(spec.title, answers, graded, practice=cases)
        return cases, stub, solution


def _cases(spec: Any, plan: Plan, arguments: Mapping[str, Any], where: str
           ) -> tuple[Case, ...]:
    """The cases of one build: the reference's answers and each mistake's value."""
    results = {name: function(**arguments[name]) for name, function in plan.functions}
    evaluated: dict[tuple[str, str], tuple[bool, Any]] = {}  # a mistake runs once per call
    cases = []
    for answer, mistakes in zip(plan.answers, plan.mistakes, strict=True):
        try:
            expected = _answer_value(answer, results, strict=True)
        except (ValueError, ExpressionError) as error:
            raise SpecError(f"answer {answer.name}: {error}", where=where) from error
        modeled = _modeled(answer, mistakes, arguments, results, evaluated)
        cases.append(Case(
            case_id=answer.name, label=answer.label,
            points=spec.points * answer.weight / plan.total_weight, public=answer.public,
            answer_type=answer.answer_type, probe=Probe("attribute", answer.name),
            expected=expected, tolerance=answer.tolerance,
            per_element_credit=answer.per_element_credit, mistakes=modeled,
        ))
    return tuple(cases)


def _answer_problems(raw: Any, path: str, calls: tuple[str, ...]) -> list[OptionProblem]:
    if not isinstance(raw, Mapping):
        return [(path, "expected a mapping with name, type and from/formula")]
    problems = []
    if not CONSTANT_NAME.match(str(raw.get("name", ""))):
        problems.append((f"{path}.name", "expected an UPPER_CASE constant name"))
    elif str(raw["name"]).startswith(PRACTICE_PREFIX):
        problems.append((f"{path}.name", f"names starting with {PRACTICE_PREFIX} are kept for "
                         "the practice answers"))
    if raw.get("type", "integer") not in ANSWER_TYPES:
        problems.append((f"{path}.type", f"expected one of {', '.join(ANSWER_TYPES)}"))
    if not _is_id_list(raw.get("mistakes", [])):
        problems.append((f"{path}.mistakes", "expected a list of mistake ids"))
    if "formula" in raw:
        try:
            parse_expression(str(raw["formula"]))
        except ExpressionError as error:
            problems.append((f"{path}.formula", str(error)))
    elif raw.get("from", calls[0] if len(calls) == 1 else None) not in calls:
        problems.append((f"{path}.from", f"expected one of the calls: {', '.join(calls)}"))
    return problems


def _is_id_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _plan_of(spec: Any) -> Plan:
    """The plan of one spec (``PlanCache`` calls this once per spec)."""
    calls = _calls(spec.options)
    answers = parse_answers(spec)
    return make_plan(spec, calls, answers, module_source(spec.title, answers, None))


def _modeled(
    answer: AnswerSpec,
    mistakes: tuple[tuple[str, tuple[Any, ...]], ...],
    arguments: Mapping[str, Any],
    results: Mapping[str, Any],
    evaluated: dict[tuple[str, str], tuple[bool, Any]],
) -> tuple[ModeledAnswer, ...]:
    """What each mistake in a call this answer depends on makes of the answer.

    ``mistakes``: the plan's (call, mistakes) pairs of this answer, narrowed by the
    spec's, the call's and the answer's ``mistakes`` lists.  ``evaluated`` holds the
    outcome of each (call, mistake) already run in this build: reference mistakes are
    pure functions of the arguments, and several answers often read one call.
    """
    modeled = []
    for call_name, narrowed in mistakes:
        for mistake in narrowed:
            key = (call_name, mistake.mistake_id)
            outcome = evaluated.get(key)
            if outcome is None:
                outcome = evaluated[key] = evaluate_safely(mistake.fn, arguments[call_name],
                                                           results[call_name])
            ok, value = outcome
            if not ok:
                continue
            try:
                wrong = _answer_value(answer, {**results, call_name: value}, strict=False)
            except (ValueError, TypeError, IndexError, ExpressionError):
                continue
            modeled.append(ModeledAnswer(mistake.mistake_id, mistake.explanation, wrong))
    return tuple(modeled)


def module_source(title: str, answers: tuple[AnswerSpec, ...], cases: Any,
                  practice: Any = None) -> str:
    """The student's module: one constant per answer (``None`` in the stub).

    With ``practice`` (the practice cases, or an empty tuple for the stub) a second
    section follows with one ``PRACTICE_<NAME>`` constant per answer.
    """
    lines = [f'"""{title}: replace each None with your answer (see the handout)."""', ""]
    if practice is not None:
        lines.append(GRADED_NOTE)
    lines += _constants(answers, cases, "")
    if practice is not None:
        lines += ["", PRACTICE_NOTE, *_constants(answers, practice or None, PRACTICE_PREFIX)]
    return "\n".join(lines) + "\n"


def _constants(answers: tuple[AnswerSpec, ...], cases: Any, prefix: str) -> list[str]:
    lines = []
    for i, answer in enumerate(answers):
        value = "None" if cases is None else _literal(cases[i].expected, answer.answer_type)
        lines.append(f"{prefix}{answer.name} = {value}  # {TYPE_HINTS[answer.answer_type]}")
    return lines


def _literal(value: Any, answer_type: str) -> str:
    if answer_type == "shape":
        return repr(tuple(value))
    return repr(plain(value))
