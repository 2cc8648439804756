"""One student's variant of an assignment: a pure function of the secret and the ids.

For each exercise the parameters are sampled from a ``VariantRng`` keyed by
HMAC-SHA256(secret, "course/assignment/exercise/student").  A draw is kept only when
every constraint holds and every modeled mistake gives a value different from the
expected one in every case (so a mistake can always be told apart from a correct
answer); otherwise the next sub-stream is tried, at most ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import Any

import jinja2
import numpy as np

from grader.authoring.course import Course, load_course
from grader.authoring.params import SamplingFailure, VariantRng, failed_constraint, sample_params
from grader.authoring.spec import ExerciseSpec, KindLookup, compile_prompt, default_kind_lookup
from grader.errors import SpecError
from grader.model import EXACT, AssignmentVariant, Case, ExerciseVariant, Practice, Tolerance

MAX_ATTEMPTS = 200

__all__ = ["MAX_ATTEMPTS", "build_assignment_variant", "build_exercise_variant", "load_course",
           "values_equal"]


def build_assignment_variant(course: Course, assignment_id: str, student_id: str,
                             secret: bytes, *, get_kind: KindLookup = default_kind_lookup,
                             prompts: bool = True) -> AssignmentVariant:
    """Every exercise of the assignment as ``student_id`` gets it.

    ``prompts=False`` leaves every ``prompt_markdown`` empty: for grading a ``.py``
    hand-in, which never shows or reads a prompt (rendering is about a tenth of the
    building).  Nothing else changes: the prompt is rendered from the draw, never
    drawn from."""
    assignment = course.assignment(assignment_id)
    exercises = tuple(
        build_exercise_variant(
            course.exercises[item.exercise_id], secret=secret, points=item.points,
            path=(course.course_id, assignment_id, item.exercise_id, student_id),
            kind=get_kind(course.exercises[item.exercise_id].kind), prompts=prompts)
        for item in assignment.exercises)
    return AssignmentVariant(course_id=course.course_id, assignment_id=assignment_id,
                             student_id=student_id, title=assignment.title, exercises=exercises)


def build_exercise_variant(spec: ExerciseSpec, *, secret: bytes, path: Sequence[str],
                           points: float, kind: Any, prompts: bool = True) -> ExerciseVariant:
    """One exercise for one student; ``path`` is (course, assignment, exercise, student).

    A kind that offers practice (``practice_module``) also gets a practice instance,
    drawn from the child stream ``practice`` of the same root: the graded draw never
    depends on it, and it is kept only when no answer equals a graded answer.
    """
    root = VariantRng.for_variant(secret, *path)
    params, output, cases = _draw(spec, root, kind, points, path)
    variant = ExerciseVariant(
        exercise_id=spec.exercise_id, title=spec.title, kind=spec.kind,
        version=spec.version, points=points, module=spec.module,
        prompt_markdown=(render_prompt(spec, params, output.prompt_context, points)
                         if prompts else ""),
        stub_source=output.stub_source, cases=cases, params=params,
        hints=spec.hints, solution_source=output.solution_source, limits=spec.limits)
    if not hasattr(kind, "practice_module"):
        return variant
    return _with_practice(variant, spec, root.child("practice"), kind)


def _draw(spec: ExerciseSpec, root: VariantRng, kind: Any, points: float,
          path: Sequence[str], *, unlike: tuple[Case, ...] = ()
          ) -> tuple[dict[str, Any], Any, tuple[Case, ...]]:
    """The first acceptable draw of ``root``'s attempt sub-streams: its parameters, the
    kind's output and the cases (mistakes selected, points scaled).

    ``unlike``: cases of another draw; a draw is then refused when one of its answers
    equals the answer of the case at the same position (a practice must not give a
    graded answer away).  Raises ``SpecError`` after ``MAX_ATTEMPTS`` refusals.
    """
    reasons: Counter[str] | None = None  # made at the first refusal (most draws have none)
    for attempt in range(MAX_ATTEMPTS):
        rng = root.child(f"attempt/{attempt}")
        try:
            params = sample_params(spec.params, rng.child("params"))
        except SamplingFailure as failure:
            reasons = _refused(reasons, str(failure))
            continue
        failed = failed_constraint(spec.constraints, params)
        if failed is not None:
            reasons = _refused(reasons, f"constraint {failed!r} does not hold")
            continue
        try:
            output = kind.build(spec, params, rng.child("build"))
        except (SamplingFailure, ValueError) as failure:
            reasons = _refused(reasons, f"the {spec.kind} kind rejected the parameters: {failure}")
            continue
        cases = _selected_mistakes(spec, output.cases)
        clash = first_undiscriminated(cases) or _same_answer(cases, unlike)
        if clash is not None:
            reasons = _refused(reasons, clash)
            continue
        return params, output, _scaled(cases, points)
    summary = "; ".join(f"{count}x {reason}" for reason, count in (reasons or Counter()
                                                                      ).most_common(3))
    raise SpecError(f"no valid variant in {MAX_ATTEMPTS} attempts for student {path[-1]!r}: "
                    f"{summary}", where=f"{spec.source}: {spec.exercise_id}")


def _refused(reasons: Counter[str] | None, reason: str) -> Counter[str]:
    """``reasons`` (a new counter when None) with one more refusal for ``reason``."""
    reasons = Counter() if reasons is None else reasons
    reasons[reason] += 1
    return reasons


def _same_answer(cases: tuple[Case, ...], others: tuple[Case, ...]) -> str | None:
    for case, other in zip(cases, others, strict=False):
        if values_equal(case.expected, other.expected, case.tolerance):
            return f"case {case.case_id!r}: the practice answer equals the graded one"
    return None


def _with_practice(variant: ExerciseVariant, spec: ExerciseSpec, root: VariantRng,
                   kind: Any) -> ExerciseVariant:
    """``variant`` with its practice instance and the stub holding both sections.

    When no practice draw differs in every answer (a tiny answer space), the
    exercise has no practice rather than one that reveals a graded answer.
    """
    path = (spec.exercise_id, "practice")
    try:
        params, output, cases = _draw(spec, root, kind, variant.points, path,
                                      unlike=variant.cases)
    except SpecError:
        return variant
    practice_cases, stub, solution = kind.practice_module(spec, variant.cases, cases)
    practice = Practice(
        prompt_markdown=render_prompt(spec, params, output.prompt_context, variant.points),
        cases=practice_cases, params=params)
    return dataclasses.replace(variant, practice=practice, stub_source=stub,
                               solution_source=solution)


def render_prompt(spec: ExerciseSpec, params: dict[str, Any], context: Any, points: float) -> str:
    """The prompt with this student's numbers (sandboxed jinja2, undefined names fail);
    ``limits`` holds the limits the exercise's file sets (``{{ limits.cpu_seconds }}``)."""
    values = {"title": spec.title, "points": points, "limits": dict(spec.limits), **params,
              **dict(context)}
    try:
        return compile_prompt(spec.prompt).render(values)
    except jinja2.TemplateError as error:
        raise SpecError(f"cannot render the prompt: {error}",
                        where=f"{spec.source}: prompt") from None


def _selected_mistakes(spec: ExerciseSpec, cases: tuple[Case, ...]) -> tuple[Case, ...]:
    """Keep only the mistakes the spec asks to diagnose (all of them when none is named)."""
    if not spec.mistakes:
        return cases
    wanted = set(spec.mistakes)
    return tuple(
        case if all(m.mistake_id in wanted for m in case.mistakes)  # kinds usually filter
        else dataclasses.replace(case, mistakes=tuple(
            m for m in case.mistakes if m.mistake_id in wanted))
        for case in cases)


def _scaled(cases: tuple[Case, ...], points: float) -> tuple[Case, ...]:
    """Scale case points so they add up to the exercise's points in this assignment."""
    total = sum(case.points for case in cases)
    if total <= 0 or abs(total - points) < 1e-12:
        return cases
    return tuple(dataclasses.replace(case, points=case.points * points / total) for case in cases)


def first_undiscriminated(cases: Sequence[Case]) -> str | None:
    """Why some modeled mistake could not be diagnosed in these cases (None if all can).

    Each mistake must give a value different from the expected one and from every
    other mistake of the same case, within the case's tolerance.
    """
    for case in cases:
        for index, mistake in enumerate(case.mistakes):
            if values_equal(mistake.value, case.expected, case.tolerance):
                return (f"case {case.case_id!r}: mistake {mistake.mistake_id!r} gives the "
                        "expected value")
            for other in case.mistakes[:index]:
                if values_equal(mistake.value, other.value, case.tolerance):
                    return (f"case {case.case_id!r}: mistakes {other.mistake_id!r} and "
                            f"{mistake.mistake_id!r} give the same value")
    return None


def values_equal(got: Any, expected: Any, tolerance: Tolerance = EXACT) -> bool:
    """Whether ``got`` matches ``expected``: exact for integers, within tolerance for floats.

    Shapes must agree; tuples (several outputs, or a shape) compare element by
    element; lists are array-like; strings and ``None`` compare exactly.
    """
    if type(got) is int and type(expected) is int:  # most answers: skip the arrays
        return got == expected
    if type(got) is float and type(expected) is float:
        return _floats_close(got, expected, tolerance)
    if got is None or expected is None or isinstance(got, str) or isinstance(expected, str):
        return got == expected if type(got) is type(expected) else False
    if isinstance(got, tuple) or isinstance(expected, tuple):
        return (isinstance(got, tuple) and isinstance(expected, tuple)
                and len(got) == len(expected)
                and all(values_equal(g, e, tolerance) for g, e in zip(got, expected, strict=True)))
    try:
        got_array, expected_array = np.asarray(got), np.asarray(expected)
    except ValueError:  # ragged nested lists
        return False
    if got_array.shape != expected_array.shape:
        return False
    if got_array.dtype.kind not in "biuf" or expected_array.dtype.kind not in "biuf":
        return bool(np.array_equal(got_array, expected_array))
    if got_array.dtype.kind in "biu" and expected_array.dtype.kind in "biu":
        return bool(np.array_equal(got_array, expected_array))
    if _first_elements_differ(got_array, expected_array, tolerance):
        return False
    # the rule of model.Tolerance, without np.allclose's overhead (this runs very often)
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.abs(got_array.astype(np.float64) - expected_array)
        bound = tolerance.atol + tolerance.rtol * np.abs(expected_array.astype(np.float64))
        close = (difference <= bound) | (got_array == expected_array)  # infinities too
    return bool(close.all())


def _floats_close(got: float, expected: float, tolerance: Tolerance) -> bool:
    """The rule of ``values_equal`` on two Python floats: the same IEEE arithmetic as
    the array path (float64), infinities equal to themselves, NaN equal to nothing."""
    return (abs(got - expected) <= tolerance.atol + tolerance.rtol * abs(expected)
            or got == expected)


def _first_elements_differ(got: np.ndarray, expected: np.ndarray, tolerance: Tolerance) -> bool:
    """The rule of ``values_equal`` on the first element of two float64 arrays only.

    When it fails there, the whole comparison fails, and most modeled mistakes
    differ from the first element on: checking one Python float saves the array
    operations.  Python float arithmetic is the same IEEE arithmetic as NumPy's.
    """
    if got.dtype != np.float64 or expected.dtype != np.float64 or got.size == 0:
        return False
    first, wanted = float(got.flat[0]), float(expected.flat[0])
    return not (abs(first - wanted) <= tolerance.atol + tolerance.rtol * abs(wanted)
                or first == wanted)
