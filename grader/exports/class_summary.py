"""The class at a glance: what the gradebook says about one assignment, as numbers.

``ClassData`` is everything the report needs, gathered by the caller (gradebook rows,
the roster, each student's variant parameters, the sentences students saw);
``summarise`` turns it into a ``ClassSummary`` with pure arithmetic;
``grader.exports.class_report_html`` draws that as one self-contained HTML page and
``grader.exports.class_report.write_class_report`` writes it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.exports.gradebook import CheckRow, ResultRow
from grader.exports.item_stats import (
    FairnessBucket,
    ItemStats,
    cronbach_alpha,
    fairness_buckets,
    item_statistics,
)
from grader.exports.similarity import Similarity

WRONG = frozenset({"failed", "partial"})


@dataclass(frozen=True)
class ExerciseInfo:
    exercise_id: str
    title: str
    max_score: float


@dataclass(frozen=True)
class ClassData:
    """What the caller gathers; everything is optional except rows and exercises."""

    course_id: str
    assignment_id: str
    title: str
    exercises: tuple[ExerciseInfo, ...]
    rows: tuple[ResultRow, ...]
    checks: Mapping[str, Sequence[CheckRow]]
    roster: tuple[str, ...] = ()
    params: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    sentences: Mapping[str, str] = field(default_factory=dict)  # mistake id -> sentence
    feedback: Mapping[str, str] = field(default_factory=dict)  # student -> link
    similarity: Similarity | None = None


@dataclass(frozen=True)
class MistakeLine:
    exercise_id: str
    mistake_id: str | None  # None: wrong answers no modeled mistake explains
    students: int
    occurrences: int
    sentence: str


@dataclass(frozen=True)
class ClassSummary:
    data: ClassData
    graded: int
    missing: tuple[str, ...]  # on the roster, not in the gradebook
    late: int
    grader_errors: tuple[str, ...]
    scores: tuple[float, ...]  # students without a grader error
    max_score: float
    mean: float | None
    median: float | None
    alpha: float | None
    items: tuple[ItemStats, ...]
    mistakes: tuple[MistakeLine, ...]
    fairness: tuple[FairnessBucket, ...]


def score_matrix(data: ClassData, students: Sequence[str]) -> np.ndarray:
    """Students x exercises, each cell the sum of that exercise's check scores."""
    column = {info.exercise_id: j for j, info in enumerate(data.exercises)}
    matrix = np.zeros((len(students), len(data.exercises)))
    for i, student in enumerate(students):
        for check in data.checks.get(student, ()):
            j = column.get(check.exercise_id)
            if j is not None:
                matrix[i, j] += check.score
    return matrix


def mistake_lines(data: ClassData) -> tuple[MistakeLine, ...]:
    """Per exercise: students per recognised mistake, and the unexplained wrong answers."""
    students: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    times: dict[tuple[str, str | None], int] = defaultdict(int)
    for student, checks in data.checks.items():
        for check in checks:
            if check.mistake_id or check.status in WRONG:
                key = (check.exercise_id, check.mistake_id or None)
                students[key].add(student)
                times[key] += 1
    lines = [
        MistakeLine(exercise, mistake, len(who), times[(exercise, mistake)],
                    data.sentences.get(mistake, "") if mistake else
                    "wrong answers that no modeled mistake explains")
        for (exercise, mistake), who in students.items()
    ]
    order = {info.exercise_id: i for i, info in enumerate(data.exercises)}
    return tuple(sorted(lines, key=lambda m: (order.get(m.exercise_id, len(order)),
                                              m.mistake_id is None, -m.students,
                                              m.mistake_id or "")))


def summarise(data: ClassData) -> ClassSummary:
    """Every number of the report; pure."""
    rows = sorted(data.rows, key=lambda r: r.student_id)
    clean = [r for r in rows if not r.grader_error]
    students = [r.student_id for r in clean]
    matrix = score_matrix(data, students)
    scores = tuple(r.score for r in clean)
    graded_ids = {r.student_id for r in rows}
    return ClassSummary(
        data=data,
        graded=len(rows),
        missing=tuple(s for s in data.roster if s not in graded_ids),
        late=sum(1 for r in rows if r.late_days > 0),
        grader_errors=tuple(r.student_id for r in rows if r.grader_error),
        scores=scores,
        max_score=max((r.max_score for r in rows), default=0.0),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        alpha=cronbach_alpha(matrix) if students else None,
        items=item_statistics(matrix, [e.exercise_id for e in data.exercises],
                              [e.max_score for e in data.exercises]) if students else (),
        mistakes=mistake_lines(data),
        fairness=_fairness(data, students, matrix),
    )


def _fairness(data: ClassData, students: Sequence[str], matrix: np.ndarray
              ) -> tuple[FairnessBucket, ...]:
    buckets: list[FairnessBucket] = []
    for j, info in enumerate(data.exercises):
        if info.max_score <= 0:
            continue
        rows = [(data.params[s][info.exercise_id], matrix[i, j] / info.max_score)
                for i, s in enumerate(students)
                if info.exercise_id in data.params.get(s, {})]
        buckets.extend(fairness_buckets(info.exercise_id, rows))
    return tuple(sorted(buckets, key=lambda b: (not b.flagged, b.exercise_id, b.parameter)))
