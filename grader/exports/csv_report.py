"""A CSV gradebook: one row per student, one column per exercise (from results in
memory; ``grades_csv`` writes the same columns from the gradebook).  Text cells are
neutralised for spreadsheets (``cells.csv_cell``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from grader.exports.cells import csv_cell
from grader.exports.grades_csv import mistake_counts_text
from grader.results import GradingResult

FIXED_COLUMNS = ("student_id", "score", "max_score", "raw_score", "late_days", "late_penalty")


def render_csv(results: Iterable[GradingResult]) -> str:
    rows = list(results)
    exercise_ids = list(dict.fromkeys(ex.exercise_id for r in rows for ex in r.exercises))
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # CRLF rows: a cell holding \r or \n is quoted
    writer.writerow([*FIXED_COLUMNS, *exercise_ids, "mistakes", "isolation"])
    for result in rows:
        by_id = {ex.exercise_id: ex.score for ex in result.exercises}
        row = [
            result.student_id,
            result.score,
            result.max_score,
            result.raw_score,
            result.late_days,
            result.late_penalty,
            *(by_id.get(ex_id, "") for ex_id in exercise_ids),
            mistake_counts_text(result.mistakes),
            result.isolation,
        ]
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
