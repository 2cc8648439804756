"""Results of grading, as frozen dataclasses whose totals are derived, never stored.

``CheckResult`` is one case, ``ExerciseResult`` one exercise, ``GradingResult`` one
student's submission of one assignment.  Every output format (Gradescope JSON,
JUnit, CSV, SQLite, feedback) is written from these and nothing else.

A total is derived once, at its first use (``cached_property``: the fields are
frozen, so it cannot go stale): each output asks for the same totals again, and
summing them afresh each time was a tenth of a batch parent's work per student.
It is kept in the instance's ``__dict__``, never a field: equality, ``replace``
and the stored rows see only the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Status = Literal["passed", "partial", "failed", "error", "grader_error"]


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one case.

    ``status`` is ``error`` when the student's code could not produce a value
    (exception, timeout, bad type) and ``grader_error`` when we failed; a grader
    error is never shown as the student's zero.
    """

    case_id: str
    label: str
    score: float
    max_score: float
    status: Status
    message: str
    public: bool
    mistake_id: str | None = None
    got: str | None = None
    expected: str | None = None
    # The student's value as canonical JSON (hidden cases too), for class analytics
    # such as copy detection; never shown to the student.  None when there was none.
    answer: str | None = None
    # (title, grids): small 2-D arrays (e.g. learned filters) feedback draws as images
    figures: tuple[tuple[str, tuple[tuple[tuple[float, ...], ...], ...]], ...] = ()


@dataclass(frozen=True)
class ExerciseResult:
    exercise_id: str
    title: str
    checks: tuple[CheckResult, ...]
    stdout: str = ""
    stderr: str = ""

    @cached_property
    def score(self) -> float:
        return round(sum(check.score for check in self.checks), 6)

    @cached_property
    def max_score(self) -> float:
        return round(sum(check.max_score for check in self.checks), 6)

    @cached_property
    def grader_error(self) -> bool:
        return any(check.status == "grader_error" for check in self.checks)


@dataclass(frozen=True)
class GradingResult:
    """One student's graded submission of one assignment."""

    course_id: str
    assignment_id: str
    student_id: str
    exercises: tuple[ExerciseResult, ...]
    isolation: str
    wall_seconds: float
    submission_hash: str = ""
    late_days: int = 0
    late_penalty: float = 0.0
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @cached_property
    def raw_score(self) -> float:
        return round(sum(ex.score for ex in self.exercises), 6)

    @cached_property
    def max_score(self) -> float:
        return round(sum(ex.max_score for ex in self.exercises), 6)

    @cached_property
    def score(self) -> float:
        """Raw score less the late penalty (a fraction of the raw score), never below 0."""
        return round(max(0.0, self.raw_score * (1.0 - self.late_penalty)), 6)

    @cached_property
    def grader_error(self) -> bool:
        return any(ex.grader_error for ex in self.exercises)

    @cached_property
    def mistakes(self) -> tuple[str, ...]:
        """Every modeled mistake recognised in this submission, for class analytics."""
        return tuple(
            check.mistake_id for ex in self.exercises for check in ex.checks if check.mistake_id
        )


def format_score(value: float) -> str:
    """A score as students read it: at most two decimals, no trailing zeros.

    Points split over cases give values such as 21.333333; ``:g`` printed those
    as ``21.3333``, which looks like false precision next to whole points.  Kept
    here, beside the scores, so that ``check``'s report needs no Markdown writer.
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
