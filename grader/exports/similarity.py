"""Copy detection across per-student variants: evidence, never a verdict.

Every student answers their own numbers.  A wrong answer that no modeled mistake
explains but that is exactly right (or a modeled mistake) *for a classmate's
numbers* is evidence that the answer came from that classmate.  Items are
exercises: a student's answer to an exercise is the tuple of their answers to all
its by-hand cases (they share parameters).  For every exercise where that tuple
holds a wrong answer no modeled mistake explains, we look up which classmates'
variants it fits, and rank pairs by how many exercises fit the same classmate and
by how unlikely that many fits are by chance.  A second ranking lists pairs who
gave the same such answers.  Exercises where both students had the same numbers
are not counted for the pair.

The chance model (``similarity_model``; docs/report.md explains it in full): under
honesty a classmate's variant is drawn independently of the student's answers, so
the probability that a random classmate fits exercise ``e`` is estimated from the
class itself; exercises are taken as independent.  The number of fitted items then
has a Poisson-binomial law whose tail gives ``chance``; a pair is flagged when at
least ``MIN_ITEMS`` items fit and fewer than ``ALPHA`` pairs this strong are expected
by chance in the whole class (``expected = N (N - 1) x chance``).

A classmate's variant "fits" an answer when the answer is the classmate's right
answer or what the classmate actually answered (their modeled mistake or slip, which a
copy takes along).  Every modeled mistake value the classmate *could* have made is
not counted: it multiplies the chance of an honest coincidence and measurably lowered
detection on synthetic classes (bench/bench_report.py).

Only by-hand answers (``attribute`` probes) are compared: a function copied from a
classmate still computes the right answer for the student's own inputs.  Values are
compared after rounding to the precision of the case's tolerance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from grader.exports.similarity_model import (
    JOINT,
    Index,
    Key,
    decode_answer,
    tail_at_least,
    value_key,
)
from grader.model import AssignmentVariant, Case, Tolerance

__all__ = ["ALPHA", "MIN_ITEMS", "PairEvidence", "Similarity", "find_similar",
           "tail_at_least", "value_key"]

MIN_ITEMS = 2
ALPHA = 0.1
WRONG = frozenset({"failed", "partial"})

Kind = Literal["fits-variant", "same-wrong-answer"]


class Answered(Protocol):
    """What we need of one graded check (a gradebook ``CheckRow`` has it)."""

    exercise_id: str
    case_id: str
    status: str
    mistake_id: str | None
    answer: str | None


@dataclass(frozen=True)
class PairEvidence:
    """The evidence that ``student``'s answers relate to ``classmate``'s."""

    kind: Kind
    student: str
    classmate: str
    items: tuple[str, ...]  # exercises where the evidence was found
    wrong_items: int  # exercises where ``student`` had an unexplained wrong answer
    total_items: int  # exercises with by-hand answers
    chance: float  # P(one given classmate matches at least this many items by chance)
    expected: float  # N (N - 1) x chance: pairs this strong expected by chance in the class
    flagged: bool

    def sentence(self) -> str:
        """The evidence in words; states what was observed, not what it means."""
        items = ", ".join(self.items)
        odds = f"chance of a match this strong with one given classmate {self.chance:.2g}"
        if self.kind == "fits-variant":
            return (
                f"{self.student}'s answers fit {self.classmate}'s variant on "
                f"{len(self.items)} of {self.total_items} items ({items}): there "
                f"{self.student}'s wrong answers, which no modeled mistake explains, are "
                f"{self.classmate}'s right answers or {self.classmate}'s own answers "
                f"({self.student} has {self.wrong_items} such items in all); {odds}"
            )
        return (
            f"{self.student} and {self.classmate} gave the same wrong answer, which no "
            f"modeled mistake explains, on {len(self.items)} of {self.total_items} items "
            f"({items}); {odds}"
        )


@dataclass(frozen=True)
class Similarity:
    students: int
    total_items: int
    fits: tuple[PairEvidence, ...]  # flagged first, then more items, then less likely
    same_wrong: tuple[PairEvidence, ...]

    @property
    def flagged(self) -> tuple[PairEvidence, ...]:
        return tuple(p for p in (*self.fits, *self.same_wrong) if p.flagged)


def find_similar(
    variants: Mapping[str, AssignmentVariant],
    answers: Mapping[str, Sequence[Answered]],
    *,
    alpha: float = ALPHA,
) -> Similarity:
    """Pairs whose answers fit each other's variants, and pairs sharing unexplained
    wrong answers, ranked; see the module docstring for the chance model."""
    items = _by_hand_items(variants)
    students = sorted(set(variants) & set(answers))
    answered = {s: _joint_answers(answers[s], items) for s in students}
    wrong = {s: {e: key for e, (key, unexplained) in answered[s].items() if unexplained}
             for s in students}
    expected = {s: {e: _joint_expected(variants[s], e, cases) for e, cases in items.items()}
                for s in students}
    variant_index = {
        e: Index.build({s: {expected[s][e]} | _answer_of(answered[s], e) for s in students})
        for e in items
    }
    answer_index = {
        e: Index.build({s: _answer_of(answered[s], e) for s in students},
                       fits_from={s: {wrong[s][e]} if e in wrong[s] else set()
                                  for s in students})
        for e in items
    }
    context = (len(students), len(items), alpha)
    fits = _rank(_pairs("fits-variant", wrong, variant_index, expected, context))
    same = _rank(_symmetric(_pairs("same-wrong-answer", wrong, answer_index, expected, context)))
    return Similarity(len(students), len(items), fits, same)


Items = dict[str, tuple[tuple[str, Tolerance], ...]]  # exercise -> its by-hand cases


def _by_hand_items(variants: Mapping[str, AssignmentVariant]) -> Items:
    items: Items = {}
    for variant in variants.values():
        for exercise in variant.exercises:
            cases = tuple((c.case_id, c.tolerance) for c in exercise.cases
                          if c.probe.kind == "attribute")
            if cases:
                items.setdefault(exercise.exercise_id, cases)
    return items


def _joint_expected(variant: AssignmentVariant, exercise_id: str,
                    cases: tuple[tuple[str, Tolerance], ...]) -> Key | None:
    """The right answers of one exercise for one student, as one joint key."""
    exercise = next((e for e in variant.exercises if e.exercise_id == exercise_id), None)
    if exercise is None:
        return None
    by_id: dict[str, Case] = {c.case_id: c for c in exercise.cases}
    keys = tuple(value_key(by_id[c].expected, tol) if c in by_id else None for c, tol in cases)
    return None if None in keys else (JOINT, keys)


def _joint_answers(checks: Sequence[Answered], items: Items) -> dict[str, tuple[Key, bool]]:
    """exercise -> (what the student answered on all its by-hand cases, whether one
    of them is wrong with no modeled mistake explaining it)."""
    by_case = {(c.exercise_id, c.case_id): c for c in checks}
    found: dict[str, tuple[Key, bool]] = {}
    for exercise, cases in items.items():
        mine = [by_case.get((exercise, case_id)) for case_id, _ in cases]
        if any(c is None or not c.answer for c in mine):
            continue
        keys = tuple(value_key(decode_answer(c.answer), tol)
                     for c, (_, tol) in zip(mine, cases, strict=True))
        if None not in keys:
            unexplained = any(c.status in WRONG and not c.mistake_id for c in mine)
            found[exercise] = ((JOINT, keys), unexplained)
    return found


def _answer_of(answered: Mapping[str, tuple[Key, bool]], exercise: str) -> set[Key]:
    return {answered[exercise][0]} if exercise in answered else set()


Wrong = dict[str, dict[str, Key]]  # student -> exercise -> joint answer (unexplained wrong)


def _pairs(kind: Kind, wrong: Wrong, index: Mapping[str, Index],
           numbers: Mapping[str, Mapping[str, Key | None]], context: tuple[int, int, float]
           ) -> list[PairEvidence]:
    """Evidence per (student, classmate).  An exercise where both had the same numbers
    is not counted: a shared answer there says nothing about whose numbers it was made
    for, and the same slip on the same numbers is a common coincidence."""
    students, total, alpha = context
    found = []
    for student, items in wrong.items():
        matched: dict[str, set[str]] = defaultdict(set)
        for exercise, key in items.items():
            mine = numbers[student][exercise]
            for classmate in index[exercise].fits.get(key, ()):
                if classmate != student and numbers[classmate][exercise] != mine:
                    matched[classmate].add(exercise)
        for classmate, exercises in matched.items():
            if len(exercises) >= MIN_ITEMS:
                chances = [index[e].chance(k, student, classmate, students - 1)
                           for e, k in items.items()]
                chance = tail_at_least(chances, len(exercises))
                expected = students * (students - 1) * chance
                found.append(PairEvidence(
                    kind, student, classmate, tuple(sorted(exercises)), len(items), total,
                    chance, expected, flagged=expected < alpha,
                ))
    return found


def _symmetric(pairs: list[PairEvidence]) -> list[PairEvidence]:
    """One entry per unordered pair, with the more cautious (larger) chance."""
    best: dict[tuple[str, str], PairEvidence] = {}
    for pair in pairs:
        key = tuple(sorted((pair.student, pair.classmate)))
        if key not in best or pair.chance > best[key].chance:
            best[key] = pair
    return list(best.values())


def _rank(pairs: list[PairEvidence]) -> tuple[PairEvidence, ...]:
    return tuple(sorted(pairs, key=lambda p: (not p.flagged, -len(p.items), p.chance,
                                              p.student, p.classmate)))
