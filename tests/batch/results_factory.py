"""Small hand-made ``GradingResult``s for gradebook tests (no grading involved)."""

from __future__ import annotations

from grader.results import CheckResult, ExerciseResult, GradingResult


def check(case_id: str, score: float, max_score: float = 1.0, mistake_id: str | None = None,
          status: str = "passed") -> CheckResult:
    return CheckResult(
        case_id=case_id, label=f"label of {case_id}", score=score, max_score=max_score,
        status=status, message=f"message of {case_id}", public=case_id.startswith("pub"),
        mistake_id=mistake_id,
        got="1" if mistake_id else None,
        expected="2" if mistake_id else None,
    )


def result(student_id: str, *exercises: tuple[str, tuple[CheckResult, ...]],
           submission_hash: str = "sub-1", late_penalty: float = 0.0,
           course_id: str = "cnn", assignment_id: str = "a1") -> GradingResult:
    return GradingResult(
        course_id=course_id, assignment_id=assignment_id, student_id=student_id,
        exercises=tuple(
            ExerciseResult(ex_id, f"title {ex_id}", checks) for ex_id, checks in exercises
        ),
        isolation="test", wall_seconds=0.25, submission_hash=submission_hash,
        late_days=1 if late_penalty else 0, late_penalty=late_penalty,
    )
