"""Copy detection: small hand-made classes, brute force for the chance model, and
synthetic classes on the real course's variants (honest vs copying)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from grader.exports.similarity import find_similar, tail_at_least, value_key
from grader.model import AssignmentVariant, Case, ExerciseVariant, Probe, Tolerance
from tests.report.synthetic import build_variants, make_class, visible_copy


@dataclass(frozen=True)
class Row:
    exercise_id: str
    case_id: str
    status: str
    mistake_id: str | None
    answer: str | None


def variant(student: str, matrices: dict[str, np.ndarray]) -> AssignmentVariant:
    exercises = tuple(
        ExerciseVariant(
            exercise_id=name, title=name, kind="by_hand", version="1", points=1.0,
            module=name, prompt_markdown="", stub_source="",
            cases=(Case("OUT", "OUT", 1.0, False, "matrix", Probe("attribute", "OUT"), m),),
        )
        for name, m in matrices.items()
    )
    return AssignmentVariant("c", "a", student, "A", exercises)


def tiny_class(students: int = 40, seed: int = 0):
    """Every student has their own random 2x2 matrices on four exercises."""
    rng = np.random.default_rng(seed)
    return {
        f"s{i}": variant(f"s{i}", {e: rng.integers(-9, 10, (2, 2)) for e in "wxyz"})
        for i in range(students)
    }


def right_rows(v: AssignmentVariant) -> list[Row]:
    return [Row(e.exercise_id, "OUT", "passed", None, str(e.cases[0].expected.tolist()))
            for e in v.exercises]


def with_answer(rows: list[Row], exercise: str, value: np.ndarray) -> list[Row]:
    return [Row(r.exercise_id, "OUT", "failed", None, str(value.tolist()))
            if r.exercise_id == exercise else r for r in rows]


def expected_of(v: AssignmentVariant, exercise: str) -> np.ndarray:
    return next(e for e in v.exercises if e.exercise_id == exercise).cases[0].expected


def test_two_answers_that_are_a_classmates_right_answers_are_reported_as_evidence():
    variants = tiny_class()
    answers = {s: right_rows(v) for s, v in variants.items()}
    for exercise in "wx":  # s1 hands in s2's matrices for w and x
        answers["s1"] = with_answer(answers["s1"], exercise, expected_of(variants["s2"], exercise))
    found = find_similar(variants, answers)
    (pair,) = found.flagged
    assert (pair.student, pair.classmate, pair.items) == ("s1", "s2", ("w", "x"))
    assert pair.sentence().startswith("s1's answers fit s2's variant on 2 of 4 items (w, x)")
    assert "copied" not in pair.sentence() and "cheat" not in pair.sentence()


def test_one_fitting_answer_is_not_enough():
    variants = tiny_class()
    answers = {s: right_rows(v) for s, v in variants.items()}
    answers["s1"] = with_answer(answers["s1"], "w", expected_of(variants["s2"], "w"))
    assert find_similar(variants, answers).fits == ()


def test_an_answer_explained_by_the_students_own_mistake_is_not_evidence():
    variants = tiny_class()
    answers = {s: right_rows(v) for s, v in variants.items()}
    for exercise in "wx":
        value = expected_of(variants["s2"], exercise)
        answers["s1"] = [Row(r.exercise_id, "OUT", "failed", "flipped", str(value.tolist()))
                         if r.exercise_id == exercise else r for r in answers["s1"]]
    assert find_similar(variants, answers).fits == ()


def test_the_same_unexplained_wrong_answer_twice_is_reported_for_the_pair():
    variants = tiny_class()
    answers = {s: right_rows(v) for s, v in variants.items()}
    for exercise, odd in (("y", np.array([[101, 7], [3, 55]])), ("z", np.array([[9, 99], [1, 0]]))):
        for student in ("s3", "s4"):
            answers[student] = with_answer(answers[student], exercise, odd)
    found = find_similar(variants, answers)
    (pair,) = found.same_wrong
    assert {pair.student, pair.classmate} == {"s3", "s4"} and pair.flagged
    assert "gave the same wrong answer, which no modeled mistake explains, on 2 of 4" in (
        pair.sentence())


def test_a_common_small_domain_answer_is_not_flagged():
    # 40 students whose only answers are 0/1 scalars: fits happen by chance, often
    variants = {
        f"s{i}": AssignmentVariant("c", "a", f"s{i}", "A", tuple(
            ExerciseVariant(e, e, "by_hand", "1", 1.0, e, "", "", (
                Case("N", "N", 1.0, False, "integer", Probe("attribute", "N"), (i + j) % 2),))
            for j, e in enumerate("wxyz")))
        for i in range(40)
    }
    answers = {s: [Row(e.exercise_id, "N", "failed", None, str(1 - e.cases[0].expected))
                   for e in v.exercises] for s, v in variants.items()}
    found = find_similar(variants, answers)
    assert found.fits and not found.flagged


def test_the_tail_equals_brute_force_enumeration():
    chances = [0.3, 0.05, 0.5, 0.01, 0.2]
    for k in range(len(chances) + 1):
        brute = sum(
            np.prod([p if hit else 1 - p for p, hit in zip(chances, hits, strict=True)])
            for hits in itertools.product((0, 1), repeat=len(chances)) if sum(hits) >= k
        )
        assert tail_at_least(chances, k) == pytest.approx(brute)


def test_values_are_compared_at_the_precision_of_their_tolerance():
    loose = Tolerance(rtol=0.0, atol=0.01)
    assert value_key(0.3333333, loose) == value_key(0.33, loose)
    assert value_key(0.3333333, loose) != value_key(0.35, loose)
    assert value_key(7, Tolerance(0.0, 0.0)) == value_key(7.0, Tolerance(0.0, 0.0))
    assert value_key(" B", Tolerance()) == value_key("b", Tolerance())
    assert value_key([[1, None]], Tolerance()) is None


# --- synthetic classes on the real demo course ----------------------------------------

@pytest.fixture(scope="module")
def a2_variants():
    return build_variants("a2-by-hand", 1000)


@pytest.fixture(scope="module")
def a1_variants():
    return build_variants("a1-sizes-and-counts", 1000)


def copiers(variants, k: int, seed: int, pairs: int = 20):
    rng = np.random.default_rng(seed)
    students = sorted(variants)
    exercises = [e.exercise_id for e in variants[students[0]].exercises]
    plan = {}
    for j in range(pairs):
        copier, source = students[2 * j], students[2 * j + 1]
        visible = [e for e in exercises if visible_copy(variants, copier, source, e)]
        plan[copier] = (source, tuple(str(e) for e in rng.choice(visible, k, replace=False)))
    return plan


def found_pairs(variants, plan, seed):
    found = find_similar(variants, make_class(variants, seed=seed, copies=plan).checks())
    hits = {(p.student, p.classmate) for p in found.flagged}
    detected = sum((c, s) in hits or (s, c) in hits for c, (s, _) in plan.items())
    others = {pair for pair in hits
              if pair not in {(c, s) for c, (s, _) in plan.items()}
              and pair not in {(s, c) for c, (s, _) in plan.items()}}
    return detected, others


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["a1_variants", "a2_variants"])
def test_a_thousand_honest_students_give_no_flagged_pair(assignment, request):
    variants = request.getfixturevalue(assignment)
    checks = make_class(variants, seed=101).checks()
    slips = sum(c.status in ("failed", "partial") and not c.mistake_id
                for rows in checks.values() for c in rows)
    assert slips > 1000  # plenty of unexplained wrong answers to coincide
    found = find_similar(variants, checks)
    assert found.flagged == ()
    if assignment == "a1_variants":  # small domains: coincidences do happen, below threshold
        assert len(found.fits) > 100


@pytest.mark.slow
def test_copying_three_matrix_exercises_is_always_found(a2_variants):
    detected, others = found_pairs(a2_variants, copiers(a2_variants, 3, seed=7), seed=7)
    assert (detected, others) == (20, set())


@pytest.mark.slow
def test_copying_two_matrix_exercises_is_found_almost_always(a2_variants):
    detected, others = found_pairs(a2_variants, copiers(a2_variants, 2, seed=8), seed=8)
    assert detected >= 18 and others == set()


@pytest.mark.slow
def test_copying_one_exercise_is_never_flagged(a2_variants):
    detected, others = found_pairs(a2_variants, copiers(a2_variants, 1, seed=9), seed=9)
    assert (detected, others) == (0, set())
