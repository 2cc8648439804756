"""Copy detection across per-student variants: evidence, never a verdict.

Every student answers their own numbers.  A wrong answer that no modeled mistake
explains but that is exactly right (or a modeled mistake) *for a classmate's
numbers* is evidence that the answer came from that classmate.  So, for every
unexplained wrong by-hand answer, we look up which classmates' variants it fits,
and rank pairs by how many items fit the same classmate and by how unlikely that
many fits are by chance.  A second ranking lists pairs who gave the same wrong
answer that no mistake explains.

The chance model (``similarity_model``; docs/report.md explains it in full): under
honesty a classmate's variant is drawn independently of the student's answers, so
the probability that a random classmate fits item ``e`` is estimated from the class
itself.  Items are exercises (cases of one exercise share parameters); exercises
are taken as independent.  The number of
fitted items then has a Poisson-binomial law whose tail gives ``chance``; a pair is
flagged when at least ``MIN_ITEMS`` items fit and fewer than ``ALPHA`` pairs this
strong are expected by chance in the whole class (``expected = N (N - 1) x chance``).

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

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from grader.exports.similarity_model import (
    Index,
    Key,
    decode_answer,
    parts_of,
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
                f"{len(self.items)} of {self.total_items} items ({items}): of "
                f"{self.student}'s {self.wrong_items} unexplained wrong items, these are "
                f"right (or a modeled mistake) for {self.classmate}'s numbers; {odds}"
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
    cases = _by_hand_cases(variants)
    students = sorted(set(variants) & set(answers))
    wrong = _unexplained_wrong(answers, cases, students)
    variant_index = {
        where: Index.build({
            s: _variant_keys(variants[s], where, tol) | _answer_keys(answers[s], where, tol)
            for s in students
        })
        for where, tol in cases.items()
    }
    answer_index = {where: _answers_index(answers, wrong, where, tol, students)
                    for where, tol in cases.items()}
    total = len({exercise for exercise, _ in cases})
    context = (len(students), total, alpha)
    fits = _rank(_pairs("fits-variant", wrong, variant_index, context))
    same = _rank(_symmetric(_pairs("same-wrong-answer", wrong, answer_index, context)))
    return Similarity(len(students), total, fits, same)


def _by_hand_cases(variants: Mapping[str, AssignmentVariant]) -> dict[tuple[str, str], Tolerance]:
    cases: dict[tuple[str, str], Tolerance] = {}
    for variant in variants.values():
        for exercise in variant.exercises:
            for case in exercise.cases:
                if case.probe.kind == "attribute":
                    cases.setdefault((exercise.exercise_id, case.case_id), case.tolerance)
    return cases


def _case(variant: AssignmentVariant, where: tuple[str, str]) -> Case | None:
    for exercise in variant.exercises:
        if exercise.exercise_id == where[0]:
            return next((c for c in exercise.cases if c.case_id == where[1]), None)
    return None


def _variant_keys(variant: AssignmentVariant, where: tuple[str, str], tol: Tolerance) -> set[Key]:
    case = _case(variant, where)
    if case is None:
        return set()
    values = [case.expected]
    return {key for key in (value_key(v, tol) for v in values) if key is not None}


def _answer_keys(checks: Sequence[Answered], where: tuple[str, str], tol: Tolerance) -> set[Key]:
    """What the student actually answered on a case (a copy may take a classmate's slip)."""
    keys = (value_key(decode_answer(c.answer), tol) for c in checks
            if (c.exercise_id, c.case_id) == where and c.answer)
    return {key for key in keys if key is not None}


Wrong = dict[str, dict[str, list[tuple[str, Key]]]]  # student -> exercise -> [(case, key)]


def _unexplained_wrong(
    answers: Mapping[str, Sequence[Answered]], cases: Mapping[tuple[str, str], Tolerance],
    students: Sequence[str],
) -> Wrong:
    wrong: Wrong = {}
    for student in students:
        mine: dict[str, list[tuple[str, Key]]] = defaultdict(list)
        for check in answers[student]:
            tol = cases.get((check.exercise_id, check.case_id))
            if tol is None or check.status not in WRONG or check.mistake_id:
                continue
            key = value_key(decode_answer(check.answer), tol) if check.answer else None
            if key is not None:
                mine[check.exercise_id].append((check.case_id, key))
        wrong[student] = dict(mine)
    return wrong


def _answers_index(answers: Mapping[str, Sequence[Answered]], wrong: Wrong,
                   where: tuple[str, str], tol: Tolerance, students: Sequence[str]) -> Index:
    """Fits: the same unexplained wrong answer; components: every answer of the class."""
    index = Index.build({
        s: [k for c, k in wrong[s].get(where[0], ()) if c == where[1]] for s in students
    })
    counts: Counter = Counter()
    own: dict[str, set[tuple]] = {}
    for student in students:
        for check in answers[student]:
            if (check.exercise_id, check.case_id) == where and check.answer:
                key = value_key(decode_answer(check.answer), tol)
                own[student] = set(parts_of(key)) if key is not None else set()
                counts.update(own[student])
    return Index(index.fits, counts, own)


def _pairs(kind: Kind, wrong: Wrong, index: Mapping[tuple[str, str], Index],
           context: tuple[int, int, float]) -> list[PairEvidence]:
    students, total, alpha = context
    found = []
    for student, items in wrong.items():
        matched: dict[str, set[str]] = defaultdict(set)
        for exercise, keyed in items.items():
            for case_id, key in keyed:
                for classmate in index[(exercise, case_id)].fits.get(key, ()):
                    if classmate != student:
                        matched[classmate].add(exercise)
        for classmate, exercises in matched.items():
            if len(exercises) >= MIN_ITEMS:
                chances = [
                    min(1.0, sum(index[(e, c)].chance(k, student, classmate, students - 1)
                                 for c, k in keyed))
                    for e, keyed in items.items()
                ]
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
