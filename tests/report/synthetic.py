"""Synthetic classes on the real demo course: real variants, real comparison.

Each student gets their real variant (``build_assignment_variant``); an answer is
chosen per by-hand case (right, a modeled mistake, or a slip), and the real
``check_case`` grades it, so statuses, mistake ids and stored answers are exactly
what grading would produce.  Copiers take some exercises' answers from a classmate.
Used by tests/report and bench/bench_report.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.exports.gradebook import CheckRow, result_rows
from grader.grading.compare import check_case
from grader.model import AssignmentVariant, Case
from grader.results import CheckResult, ExerciseResult, GradingResult

REPO = Path(__file__).resolve().parents[2]
SECRET = b"synthetic-class-secret"


@dataclass(frozen=True)
class Honesty:
    """How an honest student answers one by-hand case."""

    right: float = 0.70
    mistake: float = 0.15  # else a slip
    spread: float = 0.0  # s.d. of each student's own chance of being right (ability)

    def of_student(self, rng: np.random.Generator) -> Honesty:
        if not self.spread:
            return self
        right = float(np.clip(self.right + self.spread * rng.normal(), 0.05, 0.98))
        return Honesty(right, (1 - right) / 2)


@dataclass
class SyntheticClass:
    variants: dict[str, AssignmentVariant]
    values: dict[str, dict[tuple[str, str], Any]]  # student -> (exercise, case) -> value
    results: dict[str, GradingResult]

    def checks(self) -> dict[str, list[CheckRow]]:
        """The gradebook rows of every student (pure ``result_rows``, no database)."""
        return {
            s: list(result_rows(r, versions_hash="v", graded_at="2026-12-01T00:00:00+00:00")[1])
            for s, r in self.results.items()
        }


def course():
    return load_course(REPO / "course.yml")


def build_variants(assignment_id: str, students: int, *, prefix: str = "s"
                   ) -> dict[str, AssignmentVariant]:
    loaded = course()
    return {
        f"{prefix}{i:04d}": build_assignment_variant(loaded, assignment_id, f"{prefix}{i:04d}",
                                                     SECRET)
        for i in range(students)
    }


def slip(value: Any, rng: np.random.Generator) -> Any:
    """A careless wrong value near the right one (what no modeled mistake explains)."""
    if isinstance(value, str):
        return "abcd"[int(rng.integers(4))]
    if isinstance(value, tuple):
        parts = list(value)
        i = int(rng.integers(len(parts)))
        parts[i] = parts[i] + int(rng.choice([-2, -1, 1, 2]))
        return tuple(parts)
    if isinstance(value, np.ndarray):
        out = value.copy()
        index = tuple(int(rng.integers(n)) for n in out.shape)
        out[index] = out[index] + int(rng.choice([-3, -2, -1, 1, 2, 3]))
        return out
    if isinstance(value, float):
        return value * (1 + float(rng.uniform(0.05, 0.3)))
    return value + int(rng.choice([-3, -2, -1, 1, 2, 3]))


def honest_value(case: Case, rng: np.random.Generator, honesty: Honesty) -> Any:
    draw = rng.random()
    if draw < honesty.right:
        return case.expected
    if draw < honesty.right + honesty.mistake and case.mistakes:
        return case.mistakes[int(rng.integers(len(case.mistakes)))].value
    return slip(case.expected, rng)


def make_class(variants: dict[str, AssignmentVariant], *, seed: int = 0,
               honesty: Honesty = Honesty(),
               copies: dict[str, tuple[str, tuple[str, ...]]] | None = None) -> SyntheticClass:
    """Grade every student; ``copies`` maps a copier to (source, exercise ids copied)."""
    rng = np.random.default_rng(seed)
    values: dict[str, dict[tuple[str, str], Any]] = {}
    for student, variant in variants.items():
        own = honesty.of_student(rng)
        values[student] = {
            (ex.exercise_id, case.case_id): honest_value(case, rng, own)
            for ex in variant.exercises for case in ex.cases if case.probe.kind == "attribute"
        }
    for copier, (source, exercises) in (copies or {}).items():
        for (exercise_id, case_id), value in values[source].items():
            if exercise_id in exercises and (exercise_id, case_id) in values[copier]:
                values[copier][(exercise_id, case_id)] = value
    results = {s: grade(variants[s], values[s]) for s in variants}
    return SyntheticClass(variants, values, results)


def grade(variant: AssignmentVariant, values: dict[tuple[str, str], Any]) -> GradingResult:
    exercises = []
    for ex in variant.exercises:
        checks: list[CheckResult] = [
            check_case(case, SimpleNamespace(value=values[(ex.exercise_id, case.case_id)],
                                             error=None))
            for case in ex.cases if (ex.exercise_id, case.case_id) in values
        ]
        exercises.append(ExerciseResult(ex.exercise_id, ex.title, tuple(checks)))
    return GradingResult(
        course_id=variant.course_id, assignment_id=variant.assignment_id,
        student_id=variant.student_id, exercises=tuple(exercises), isolation="synthetic",
        wall_seconds=0.0, submission_hash="synthetic",
    )


def visible_copy(variants: dict[str, AssignmentVariant], copier: str, source: str,
                 exercise_id: str) -> bool:
    """Copying this exercise changes the copier's answer: their numbers differ."""
    def expected(student: str) -> list:
        ex = next(e for e in variants[student].exercises if e.exercise_id == exercise_id)
        return [np.asarray(c.expected).tolist() for c in ex.cases if c.probe.kind == "attribute"]
    return expected(copier) != expected(source)


def class_data_of(sc: SyntheticClass, *, roster_extra: tuple[str, ...] = (),
                  feedback: dict[str, str] | None = None):
    """The report's input for a synthetic class, as the report command gathers it."""
    from grader.exports.class_report import ClassData, ExerciseInfo
    from grader.exports.similarity import find_similar

    first = next(iter(sc.variants.values()))
    rows = tuple(result_rows(r, versions_hash="v", graded_at="2026-12-01T00:00:00+00:00")[0]
                 for r in sc.results.values())
    checks = sc.checks()
    sentences = {m.mistake_id: m.explanation for v in sc.variants.values()
                 for e in v.exercises for c in e.cases for m in c.mistakes}
    return ClassData(
        course_id=first.course_id, assignment_id=first.assignment_id, title=first.title,
        exercises=tuple(ExerciseInfo(e.exercise_id, e.title, e.points) for e in first.exercises),
        rows=rows, checks=checks, roster=(*sorted(sc.variants), *roster_extra),
        params={s: {e.exercise_id: e.params for e in v.exercises}
                for s, v in sc.variants.items()},
        sentences=sentences, feedback=feedback or {},
        similarity=find_similar(sc.variants, checks),
    )
