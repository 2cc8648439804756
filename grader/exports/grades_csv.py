"""``grades.csv`` and ``grades-long.csv`` from gradebook rows (docs/grades-csv.md).

Pure tables first (lists of rows), one writer after; every text cell goes through
``cells.csv_cell`` so a spreadsheet never runs a cell as a formula.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, fields
from pathlib import Path

from grader.exports.cells import csv_cell
from grader.exports.gradebook_rows import CheckRow, ResultRow

LONG_HEADER = ("student_id", "exercise_id", "case_id", "points", "max_points", "mistake")
Table = list[list[object]]


def mistake_counts_text(mistakes: Sequence[str]) -> str:
    """``a x3, b x1``: each mistake once with how many cases showed it, most first."""
    return ", ".join(f"{m} x{n}" for m, n in Counter(mistakes).most_common())


def grades_table(results: Iterable[ResultRow],
                 per_exercise: Mapping[str, Mapping[str, float]]) -> Table:
    """Header and one row per student: the result columns, then a column per exercise."""
    rows = list(results)
    exercise_ids = sorted({ex for scores in per_exercise.values() for ex in scores})
    names = [f.name for f in fields(ResultRow)]
    table: Table = [[*names, *exercise_ids]]
    at = names.index("mistakes")
    for row in rows:
        values: list[object] = list(astuple(row))
        values[at] = mistake_counts_text(row.mistakes.split())
        scores = per_exercise.get(row.student_id, {})
        table.append([*values, *(scores.get(ex, "") for ex in exercise_ids)])
    return table


def long_table(checks: Iterable[CheckRow]) -> Table:
    """Header and one row per student and case."""
    table: Table = [list(LONG_HEADER)]
    for check in checks:
        table.append([check.student_id, check.exercise_id, check.case_id, check.score,
                      check.max_score, check.mistake_id or ""])
    return table


def write_table(path: str | Path, table: Table) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in table:
            writer.writerow([csv_cell(value) for value in row])
