"""The SQLite gradebook: current results, every grading ever made, class analytics.

One row per (course, assignment, student) holds the current result and its
per-check rows; every grading is also appended to ``history``.  A grading is
written in one transaction, so a process killed at any instant leaves either the
old result or the new one, never half of either.  The submission hash and the
exercise versions hash stored with each result let a re-run skip unchanged work
(``needs_grading``).

Turning a ``GradingResult`` into rows is pure (``result_rows``, in
``gradebook_rows``, re-exported here); only the ``Gradebook`` class touches the
database.
"""

from __future__ import annotations

import csv
import functools
import operator
import sqlite3
from collections.abc import Iterable
from dataclasses import fields, replace
from pathlib import Path

from grader.errors import GraderError
from grader.exports.cells import csv_cell
from grader.exports.gradebook_rows import (
    CheckRow,
    MistakeCount,
    ResultRow,
    check_values,
    exercise_versions_hash,
    result_rows,
    summary_row,
    utc_now,
    versions_hash,
)
from grader.exports.grades_csv import LONG_HEADER, grades_table, write_table
from grader.results import GradingResult

__all__ = ["SCHEMA_VERSION", "CheckRow", "Gradebook", "MistakeCount", "ResultRow",
           "exercise_versions_hash", "result_rows", "utc_now", "versions_hash"]

SCHEMA_VERSION = 2
# Version 1 lacked ``checks.answer``; it is upgraded in place (the column is added).
_UPGRADES = {1: ("ALTER TABLE checks ADD COLUMN answer TEXT",)}


_KEY = ("course_id", "assignment_id", "student_id")


def _columns(row_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row_type))


_SQL_TYPES = {"str": "TEXT", "float": "REAL", "int": "INTEGER", "bool": "INTEGER"}


def _column_defs(row_type: type) -> str:
    """``name TYPE [NOT NULL]`` for each field; optional fields may be NULL."""
    defs = []
    for f in fields(row_type):
        type_name = str(f.type).split(" ")[0]
        not_null = "" if "None" in str(f.type) else " NOT NULL"
        defs.append(f"{f.name} {_SQL_TYPES[type_name]}{not_null}")
    return ", ".join(defs)


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS results ({_column_defs(ResultRow)}, "
    "PRIMARY KEY (course_id, assignment_id, student_id))",
    f"CREATE TABLE IF NOT EXISTS checks ({_column_defs(CheckRow)})",
    "CREATE INDEX IF NOT EXISTS checks_by_student "
    "ON checks (course_id, assignment_id, student_id)",
    "CREATE TABLE IF NOT EXISTS history (grading_id INTEGER PRIMARY KEY AUTOINCREMENT, "
    f"{_column_defs(ResultRow)})",
    "CREATE INDEX IF NOT EXISTS history_by_student "
    "ON history (course_id, assignment_id, student_id)",
)


@functools.cache
def _insert_sql(table: str, row_type: type) -> str:
    names = _columns(row_type)
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


def _row_from_db(values: Iterable[object]) -> ResultRow:
    row = ResultRow(*values)
    return replace(row, grader_error=bool(row.grader_error))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the body raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")


class Gradebook:
    """An open gradebook file; use as a context manager (``with Gradebook(path) as gb``).

    Only one process should write at a time (the batch parent); readers may look
    at the file while it is written (WAL mode).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only a power cut may lose
        # the last commits, which a re-run then re-grades.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._create_or_check_schema()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _create_or_check_schema(self) -> None:
        with self._transaction():
            for statement in _SCHEMA:
                self._db.execute(statement)
            found = self._db.execute("SELECT version FROM schema_version").fetchall()
            if not found:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif found[0][0] in _UPGRADES:
                for statement in _UPGRADES[found[0][0]]:
                    self._db.execute(statement)
                self._db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            elif found[0][0] != SCHEMA_VERSION:
                raise GraderError(
                    f"{self.path}: gradebook schema version {found[0][0]}, this cnn-grader "
                    f"reads version {SCHEMA_VERSION}; export it to CSV with the cnn-grader "
                    "that wrote it and start a new gradebook file"
                )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def needs_grading(
        self, course_id: str, assignment_id: str, student_id: str,
        submission_hash: str, versions_hash: str,
    ) -> bool:
        """False only when the current result was made from the same submission and
        exercise versions and is not a grader error (ours are always retried)."""
        found = self._current_keys(course_id, assignment_id, student_id)
        if found is None:
            return True
        return (found[0], found[1], bool(found[2])) != (submission_hash, versions_hash, False)

    def graded_before(self, course_id: str, assignment_id: str, student_id: str) -> bool:
        """Whether the student has a current result (a new grading is a re-grade)."""
        return self._current_keys(course_id, assignment_id, student_id) is not None

    def _current_keys(self, course_id: str, assignment_id: str,
                      student_id: str) -> tuple | None:
        return self._db.execute(
            "SELECT submission_hash, versions_hash, grader_error FROM results "
            "WHERE course_id = ? AND assignment_id = ? AND student_id = ?",
            (course_id, assignment_id, student_id),
        ).fetchone()

    def record(
        self, result: GradingResult, *, versions_hash: str, graded_at: str | None = None
    ) -> None:
        """Store ``result`` as the student's current result and append it to history,
        all in one transaction."""
        summary = _values(summary_row(result, versions_hash=versions_hash,
                                      graded_at=graded_at or utc_now()))
        key = summary[:3]
        where = "course_id = ? AND assignment_id = ? AND student_id = ?"
        with self._transaction():
            self._db.execute(f"DELETE FROM results WHERE {where}", key)
            self._db.execute(f"DELETE FROM checks WHERE {where}", key)
            self._db.execute(_insert_sql("results", ResultRow), summary)
            self._db.executemany(_insert_sql("checks", CheckRow), check_values(result))
            self._db.execute(_insert_sql("history", ResultRow), summary)

    def current(self, course_id: str, assignment_id: str) -> list[ResultRow]:
        """Current results of an assignment, by student id."""
        rows = self._db.execute(
            f"SELECT {', '.join(_columns(ResultRow))} FROM results "
            "WHERE course_id = ? AND assignment_id = ? ORDER BY student_id",
            (course_id, assignment_id),
        )
        return [_row_from_db(values) for values in rows]

    def checks(self, course_id: str, assignment_id: str, student_id: str) -> list[CheckRow]:
        """The checks of one student's current result, in grading order."""
        rows = self._db.execute(
            f"SELECT {', '.join(_columns(CheckRow))} FROM checks WHERE course_id = ? "
            "AND assignment_id = ? AND student_id = ? ORDER BY position",
            (course_id, assignment_id, student_id),
        )
        return [CheckRow(*values[:11], bool(values[11]), *values[12:]) for values in rows]

    def all_checks(self, course_id: str, assignment_id: str) -> dict[str, list[CheckRow]]:
        """``checks`` of every student of an assignment in one query (class analytics)."""
        rows = self._db.execute(
            f"SELECT {', '.join(_columns(CheckRow))} FROM checks WHERE course_id = ? "
            "AND assignment_id = ? ORDER BY student_id, position",
            (course_id, assignment_id),
        )
        table: dict[str, list[CheckRow]] = {}
        for values in rows:
            row = CheckRow(*values[:11], bool(values[11]), *values[12:])
            table.setdefault(row.student_id, []).append(row)
        return table

    def history(self, course_id: str, assignment_id: str) -> list[ResultRow]:
        """Every grading of an assignment, oldest first."""
        rows = self._db.execute(
            f"SELECT {', '.join(_columns(ResultRow))} FROM history "
            "WHERE course_id = ? AND assignment_id = ? ORDER BY grading_id",
            (course_id, assignment_id),
        )
        return [_row_from_db(values) for values in rows]

    def mistake_counts(self, course_id: str, assignment_id: str) -> list[MistakeCount]:
        """Each recognised mistake with the number of students who made it, most common
        first: what to revisit in the next lecture."""
        rows = self._db.execute(
            "SELECT mistake_id, COUNT(DISTINCT student_id), COUNT(*) FROM checks "
            "WHERE course_id = ? AND assignment_id = ? AND mistake_id IS NOT NULL "
            "GROUP BY mistake_id ORDER BY 2 DESC, 3 DESC, 1",
            (course_id, assignment_id),
        )
        return [MistakeCount(*values) for values in rows]

    def exercise_scores(self, course_id: str, assignment_id: str) -> dict[str, dict[str, float]]:
        """``{student_id: {exercise_id: score}}`` from the current checks."""
        rows = self._db.execute(
            "SELECT student_id, exercise_id, ROUND(SUM(score), 6) FROM checks "
            "WHERE course_id = ? AND assignment_id = ? GROUP BY student_id, exercise_id",
            (course_id, assignment_id),
        )
        table: dict[str, dict[str, float]] = {}
        for student_id, exercise_id, score in rows:
            table.setdefault(student_id, {})[exercise_id] = score
        return table

    def export_csv(self, path: str | Path, *, course_id: str, assignment_id: str) -> int:
        """Write ``grades.csv`` (docs/grades-csv.md): one row per student, a column per
        exercise, each mistake once with its count; returns the students written."""
        results = self.current(course_id, assignment_id)
        write_table(path, grades_table(results, self.exercise_scores(course_id, assignment_id)))
        return len(results)

    def export_long_csv(self, path: str | Path, *, course_id: str, assignment_id: str) -> int:
        """Write ``grades-long.csv``: one row per student and case (student, exercise,
        case, points, max, mistake), for pivot tables; returns the rows written.

        Streamed from one query, a row at a time: the checks of every current result
        in student then grading order (the rows ``grades_csv.long_table`` makes of
        ``current`` and ``checks``, tested against it), never all in memory (at
        10,000 students, a quarter of a million rows)."""
        rows = self._db.execute(
            "SELECT c.student_id, c.exercise_id, c.case_id, c.score, c.max_score, "
            "c.mistake_id FROM checks AS c JOIN results AS r ON c.course_id = r.course_id "
            "AND c.assignment_id = r.assignment_id AND c.student_id = r.student_id "
            "WHERE c.course_id = ? AND c.assignment_id = ? ORDER BY c.student_id, c.position",
            (course_id, assignment_id),
        )
        written = 0
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([csv_cell(name) for name in LONG_HEADER])
            for *values, mistake in rows:
                writer.writerow([csv_cell(value) for value in (*values, mistake or "")])
                written += 1
        return written


def _values(row: ResultRow | CheckRow) -> tuple:
    """The row's fields in column order.  Rows hold only flat values, so this is
    ``dataclasses.astuple`` without its recursive deep copy (a third of the parent's
    time per recorded submission)."""
    return _getter(type(row))(row)


@functools.cache
def _getter(row_type: type) -> operator.attrgetter:
    return operator.attrgetter(*(field.name for field in fields(row_type)))

