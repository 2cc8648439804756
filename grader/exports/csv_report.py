"""A CSV gradebook: one row per student, one column per exercise."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from grader.results import GradingResult

FIXED_COLUMNS = ("student_id", "score", "max_score", "raw_score", "late_days", "late_penalty")


def render_csv(results: Iterable[GradingResult]) -> str:
    rows = list(results)
    exercise_ids = list(dict.fromkeys(ex.exercise_id for r in rows for ex in r.exercises))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *exercise_ids, "mistakes", "isolation"])
    for result in rows:
        by_id = {ex.exercise_id: ex.score for ex in result.exercises}
        writer.writerow(
            [
                result.student_id,
                result.score,
                result.max_score,
                result.raw_score,
                result.late_days,
                result.late_penalty,
                *(by_id.get(ex_id, "") for ex_id in exercise_ids),
                " ".join(result.mistakes),
                result.isolation,
            ]
        )
    return buffer.getvalue()
