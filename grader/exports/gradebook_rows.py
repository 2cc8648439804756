"""The gradebook's rows as frozen dataclasses, and the pure step from a
``GradingResult`` to them (``result_rows``): tested without a database, and read by
class analytics (``grader.exports.class_summary``, ``similarity``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from grader.model import AssignmentVariant
from grader.results import GradingResult


@dataclass(frozen=True)
class ResultRow:
    """The current result of one student on one assignment (column order = table order)."""

    course_id: str
    assignment_id: str
    student_id: str
    score: float
    max_score: float
    raw_score: float
    late_days: int
    late_penalty: float
    grader_error: bool
    isolation: str
    submission_hash: str
    versions_hash: str
    wall_seconds: float
    graded_at: str
    mistakes: str  # space-separated mistake ids, in check order


@dataclass(frozen=True)
class CheckRow:
    """One check of the current result (one case of one exercise)."""

    course_id: str
    assignment_id: str
    student_id: str
    position: int
    exercise_id: str
    case_id: str
    label: str
    score: float
    max_score: float
    status: str
    message: str
    public: bool
    mistake_id: str | None
    got: str | None
    expected: str | None
    answer: str | None = None  # canonical JSON of the student's value (analytics only)


@dataclass(frozen=True)
class MistakeCount:
    """How often one modeled mistake was recognised across a class."""

    mistake_id: str
    students: int  # students who made it at least once
    occurrences: int  # checks where it was recognised


def versions_hash(versions: Iterable[tuple[str, str]]) -> str:
    """A short hash of (exercise id, version) pairs in assignment order.

    Editing an exercise file changes its version and therefore this hash, which
    makes ``needs_grading`` ask for a re-grade of every student.
    """
    text = "\n".join(f"{exercise_id}={version}" for exercise_id, version in versions)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def exercise_versions_hash(variant: AssignmentVariant) -> str:
    """``versions_hash`` of the exercises of a variant."""
    return versions_hash((ex.exercise_id, ex.version) for ex in variant.exercises)


def utc_now() -> str:
    """The time stamp stored with each grading (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def result_rows(
    result: GradingResult, *, versions_hash: str, graded_at: str
) -> tuple[ResultRow, tuple[CheckRow, ...]]:
    """The rows that store ``result``; pure, so it is tested without a database."""
    return (summary_row(result, versions_hash=versions_hash, graded_at=graded_at),
            tuple(CheckRow(*values) for values in check_values(result)))


def summary_row(result: GradingResult, *, versions_hash: str, graded_at: str) -> ResultRow:
    """The ``results`` (and ``history``) row of ``result``."""
    return ResultRow(
        result.course_id, result.assignment_id, result.student_id,
        score=result.score,
        max_score=result.max_score,
        raw_score=result.raw_score,
        late_days=result.late_days,
        late_penalty=result.late_penalty,
        grader_error=result.grader_error,
        isolation=result.isolation,
        submission_hash=result.submission_hash,
        versions_hash=versions_hash,
        wall_seconds=round(result.wall_seconds, 6),
        graded_at=graded_at,
        mistakes=" ".join(result.mistakes),
    )


def check_values(result: GradingResult) -> Iterator[tuple]:
    """The ``CheckRow`` fields of each check, in column order: what the gradebook
    inserts, without making a frozen row per check first (a quarter of recording)."""
    key = (result.course_id, result.assignment_id, result.student_id)
    position = 0
    for ex in result.exercises:
        for c in ex.checks:
            yield (*key, position, ex.exercise_id, c.case_id, c.label, c.score, c.max_score,
                   c.status, c.message, c.public, c.mistake_id, c.got, c.expected, c.answer)
            position += 1
