"""Self-check of the exercise catalogue: does every variant grade the way it should?

For each exercise and each of many seeds a variant is built, and then, in this
process (the code is ours, so no sandbox is needed):

- the solution module (the stub answered by the reference) passes every case;
- the blank stub passes none;
- every modeled mistake, submitted as an answer, is recognised as *that* mistake
  (not as a correct answer, and not as another mistake with the same value);
- every mistake the exercise means to diagnose shows up in the variant.

A failure is a defect of the exercise (its distributions, constraints or mistake
list), never of a student.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from grader.compare import check_case
from grader.errors import SpecError
from grader.kinds import discrimination_problem, get_kind
from grader.kinds.base import KindOutput
from grader.kinds.reference import mistakes_of
from grader.model import Case
from grader.params import SamplingFailure, VariantRng, derive_key, failed_constraint, sample_params
from grader.spec import ExerciseSpec, compile_prompt, parse_exercise
from grader.yamldoc import SpecProblems, read_yaml

MAX_ATTEMPTS = 200
MAX_REPORTED = 5
SELFCHECK_SECRET = b"cnn-grader selfcheck"


@dataclass(frozen=True)
class Outcome:
    """The shape of a sandbox ``ProbeOutcome``: a value, or the reason there is none."""

    value: Any | None
    error: str | None = None


@dataclass(frozen=True)
class SelfcheckResult:
    """What the self-check found for one exercise over ``seeds`` variants."""

    exercise_id: str
    seeds: int
    failures: tuple[str, ...]
    mistakes_seen: frozenset[str]

    @property
    def ok(self) -> bool:
        return not self.failures


def load_exercises(folder: Path) -> list[ExerciseSpec]:
    """Every ``*.yml`` in ``folder`` validated; ``SpecProblems`` lists all problems at once."""
    specs, problems = [], []
    for path in sorted(folder.glob("*.yml")):
        spec, found = parse_exercise(read_yaml(path), get_kind)
        problems += found
        if spec is not None:
            specs.append(spec)
    if problems:
        raise SpecProblems(problems)
    ids = [spec.exercise_id for spec in specs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"duplicate exercise ids: {', '.join(duplicates)}", where=str(folder))
    return specs


def build_variant(spec: ExerciseSpec, seed: int) -> tuple[dict[str, Any], KindOutput]:
    """Sample and build one discriminating variant of ``spec`` for ``seed`` (bounded retries)."""
    rng = VariantRng(derive_key(SELFCHECK_SECRET, spec.exercise_id, str(seed)))
    kind = get_kind(spec.kind)
    last = "no attempt made"
    for attempt in range(MAX_ATTEMPTS):
        attempt_rng = rng.child(f"attempt/{attempt}")
        try:
            params = sample_params(spec.params, attempt_rng.child("params"))
        except SamplingFailure as error:
            last = str(error)
            continue
        broken = failed_constraint(spec.constraints, params)
        if broken:
            last = f"constraint {broken!r} fails"
            continue
        output = kind.build(spec, params, attempt_rng.child("kind"))
        problem = discrimination_problem(output.cases)
        if problem is None:
            return params, output
        last = problem
    raise SpecError(f"no usable variant in {MAX_ATTEMPTS} attempts ({last})", where=spec.source)


def module_values(source: str, cases: Sequence[Case]) -> list[Outcome]:
    """Run a module's source here and read what each case's probe would read."""
    namespace: dict[str, Any] = {"__name__": "selfcheck_module"}
    exec(compile(source, "<exercise module>", "exec"), namespace)  # our own code
    outcomes = []
    for case in cases:
        target = namespace.get(case.probe.name)
        call = case.probe.kind == "call"
        try:
            value = target(**dict(case.probe.inputs)) if call else target
        except Exception as error:  # the stub raises NotImplementedError by design
            outcomes.append(Outcome(None, f"{type(error).__name__}: {error}"))
            continue
        outcomes.append(Outcome(None, "no answer") if value is None else Outcome(value))
    return outcomes


def check_variant(output: KindOutput, wanted: Iterable[str]) -> list[str]:
    """Everything wrong with one built variant (empty when it grades as it should)."""
    problems = []
    solution = module_values(output.solution_source, output.cases)
    stub = module_values(output.stub_source, output.cases)
    for shown, right, blank in zip(output.cases, solution, stub, strict=True):
        # Diagnosis does not depend on visibility; hidden cases skip printing arrays.
        case = dataclasses.replace(shown, public=False)
        verdict = check_case(case, right)
        if verdict.status != "passed":
            problems.append(f"{case.case_id}: the reference answer fails: {verdict.message}")
        if check_case(case, blank).status == "passed":
            problems.append(f"{case.case_id}: the blank stub passes")
        for mistake in case.mistakes:
            found = check_case(case, Outcome(mistake.value))
            if found.status == "passed":
                problems.append(f"{case.case_id}: {mistake.mistake_id} gives the right answer")
            elif found.mistake_id != mistake.mistake_id:
                problems.append(f"{case.case_id}: {mistake.mistake_id} is diagnosed as "
                                f"{found.mistake_id}")
    seen = {m.mistake_id for case in output.cases for m in case.mistakes}
    problems += [f"mistake {m} is never modeled" for m in wanted if m not in seen]
    return problems


def expected_mistakes(spec: ExerciseSpec) -> tuple[str, ...]:
    """The mistake ids a variant of ``spec`` must diagnose."""
    if spec.kind == "multiple_choice":
        return ()
    if spec.mistakes:
        return spec.mistakes
    topics = _topics(spec.options)
    return tuple(m.mistake_id for topic in topics for m in mistakes_of(topic))


def _topics(options: Mapping[str, Any]) -> list[str]:
    if "calls" in options:
        return [call["reference"] for call in options["calls"].values()]
    return [options["reference"]]


def selfcheck_exercise(spec: ExerciseSpec, seeds: int) -> SelfcheckResult:
    """Build ``seeds`` variants of ``spec`` and check each of them."""
    failures: list[str] = []
    seen: set[str] = set()
    wanted = expected_mistakes(spec)
    for seed in range(seeds):
        try:
            _, output = build_variant(spec, seed)
        except SpecError as error:
            failures.append(f"seed {seed}: {error}")
            break
        seen |= {m.mistake_id for case in output.cases for m in case.mistakes}
        failures += [f"seed {seed}: {p}" for p in _prompt_problems(spec, output)]
        failures += [f"seed {seed}: {problem}" for problem in check_variant(output, wanted)]
        if len(failures) >= MAX_REPORTED:
            break
    return SelfcheckResult(spec.exercise_id, seeds, tuple(failures[:MAX_REPORTED]),
                           frozenset(seen))


def _prompt_problems(spec: ExerciseSpec, output: KindOutput) -> list[str]:
    try:
        compile_prompt(spec.prompt).render(**output.prompt_context)
    except jinja2.TemplateError as error:
        return [f"the prompt does not render: {error}"]
    return []


def selfcheck(
    *, folder: Path, seeds: int = 200, exercise_id: str | None = None
) -> list[SelfcheckResult]:
    """Self-check every exercise in ``folder`` (or only ``exercise_id``)."""
    specs = load_exercises(folder)
    if exercise_id is not None:
        specs = [spec for spec in specs if spec.exercise_id == exercise_id]
        if not specs:
            raise SpecError(f"no exercise with id {exercise_id!r}", where=str(folder))
    return [selfcheck_exercise(spec, seeds) for spec in specs]
