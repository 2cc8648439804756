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
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.authoring.course import load_exercises as load_exercise_folder
from grader.authoring.kinds import get_kind
from grader.authoring.kinds.reference import mistakes_of
from grader.authoring.spec import ExerciseSpec
from grader.authoring.variant import build_exercise_variant
from grader.authoring.yamldoc import SpecProblems
from grader.errors import SpecError
from grader.grading.compare import check_case
from grader.model import Case, ExerciseVariant

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
    """Every exercise of ``folder``, validated; ``SpecProblems`` lists all problems at once."""
    specs, problems = load_exercise_folder(folder)
    if problems:
        raise SpecProblems(problems)
    return list(specs.values())


def build_variant(spec: ExerciseSpec, seed: int) -> ExerciseVariant:
    """The variant of ``spec`` a student called ``seed-<seed>`` gets, built by the framework.

    Going through ``grader.authoring.variant`` means the self-check sees exactly what a release
    would contain (same sampling, retries and discrimination rule).
    """
    return build_exercise_variant(
        spec, secret=SELFCHECK_SECRET, points=spec.points, kind=get_kind(spec.kind),
        path=("selfcheck", "selfcheck", spec.exercise_id, f"seed-{seed}"))


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> Any:
    """Compiled module code; implementation stubs repeat across seeds, so this pays off."""
    return compile(source, "<exercise module>", "exec")


def module_values(source: str, cases: Sequence[Case]) -> list[Outcome]:
    """Run a module's source here and read what each case's probe would read."""
    namespace: dict[str, Any] = {"__name__": "selfcheck_module"}
    exec(_compiled(source), namespace)  # our own code: the stub or the reference solution
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


def check_variant(output: ExerciseVariant, wanted: Iterable[str]) -> list[str]:
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
    seeds = min(seeds, getattr(get_kind(spec.kind), "max_selfcheck_seeds", seeds))  # training
    for seed in range(seeds):
        try:
            output = build_variant(spec, seed)
        except SpecError as error:
            failures.append(f"seed {seed}: {error}")
            break
        seen |= {m.mistake_id for case in output.cases for m in case.mistakes}
        failures += [f"seed {seed}: {problem}" for problem in check_variant(output, wanted)]
        if len(failures) >= MAX_REPORTED:
            break
    return SelfcheckResult(spec.exercise_id, seeds, tuple(failures[:MAX_REPORTED]),
                           frozenset(seen))


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
