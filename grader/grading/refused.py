"""The record of a submission that could not be read: zero on every case, with why.

A submission with a planted link, a FIFO or an unreadable folder is the student's
to fix, so it gets a normal record (score 0, the reason on every case, written to
the gradebook and the feedback like any other result) rather than stopping the
batch or vanishing from it.
"""

from __future__ import annotations

import hashlib

from grader.model import AssignmentVariant
from grader.results import CheckResult, ExerciseResult, GradingResult

NOT_RUN = "not run (the submission could not be read)"


def refused_hash(reason: str) -> str:
    """Stands in for the submission hash: the same refusal is not re-graded."""
    return "refused:" + hashlib.sha256(reason.encode("utf-8", "replace")).hexdigest()[:32]


def refused_result(variant: AssignmentVariant, reason: str) -> GradingResult:
    """Every case of every exercise at zero with ``reason`` as the message."""
    exercises = tuple(
        ExerciseResult(
            exercise_id=exercise.exercise_id,
            title=exercise.title,
            checks=tuple(
                CheckResult(case_id=case.case_id, label=case.label, score=0.0,
                            max_score=case.points, status="error",
                            message=f"{case.label}: submission not read: {reason}",
                            public=case.public)
                for case in exercise.cases
            ),
        )
        for exercise in variant.exercises
    )
    return GradingResult(
        course_id=variant.course_id, assignment_id=variant.assignment_id,
        student_id=variant.student_id, exercises=exercises, isolation=NOT_RUN,
        wall_seconds=0.0, submission_hash=refused_hash(reason), meta=(("refused", reason),),
    )
