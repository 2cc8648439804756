"""The SQLite gradebook: current results, history, idempotence keys, CSV, analytics."""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import replace

import pytest

from grader.errors import GraderError
from grader.exports.gradebook import Gradebook, exercise_versions_hash, result_rows
from grader.model import AssignmentVariant, ExerciseVariant

from .results_factory import check, result

CONV = ("conv", (check("pub-1", 1.0), check("hid-1", 0.5, mistake_id="kernel_flipped")))
SIZES = ("sizes", (check("hid-2", 0.0, max_score=2.0, mistake_id="floor_forgotten"),))


@pytest.fixture
def book(tmp_path):
    with Gradebook(tmp_path / "gradebook.db") as gradebook:
        yield gradebook


def test_result_rows_carry_the_totals_and_one_row_per_check_in_order():
    summary, checks = result_rows(
        result("s1", CONV, SIZES, late_penalty=0.1), versions_hash="v1", graded_at="T"
    )
    # raw 1 + 0.5 + 0 = 1.5 of 4; a 10 % penalty leaves 1.35
    assert (summary.raw_score, summary.max_score, summary.score) == (1.5, 4.0, 1.35)
    assert summary.mistakes == "kernel_flipped floor_forgotten"
    assert [(c.position, c.exercise_id, c.case_id) for c in checks] == [
        (0, "conv", "pub-1"), (1, "conv", "hid-1"), (2, "sizes", "hid-2")
    ]
    assert checks[0].public and not checks[1].public


def test_a_recorded_result_is_the_current_row_with_its_checks(book):
    book.record(result("s1", CONV, SIZES), versions_hash="v1", graded_at="2026-01-01T00:00:00")
    (row,) = book.current("cnn", "a1")
    assert (row.student_id, row.score, row.max_score, row.versions_hash) == ("s1", 1.5, 4.0, "v1")
    assert row.grader_error is False
    assert [c.case_id for c in book.checks("cnn", "a1", "s1")] == ["pub-1", "hid-1", "hid-2"]


def test_regrading_replaces_the_current_row_and_keeps_both_gradings_in_history(book):
    book.record(result("s1", CONV), versions_hash="v1")
    book.record(result("s1", SIZES, submission_hash="sub-2"), versions_hash="v1")
    (row,) = book.current("cnn", "a1")
    assert (row.score, row.submission_hash) == (0.0, "sub-2")
    assert [c.case_id for c in book.checks("cnn", "a1", "s1")] == ["hid-2"]
    assert [h.submission_hash for h in book.history("cnn", "a1")] == ["sub-1", "sub-2"]


def test_results_of_other_assignments_and_courses_are_kept_apart(book):
    book.record(result("s1", CONV), versions_hash="v1")
    book.record(result("s1", SIZES, assignment_id="a2"), versions_hash="v1")
    book.record(result("s1", SIZES, course_id="other"), versions_hash="v1")
    assert [r.score for r in book.current("cnn", "a1")] == [1.5]
    assert [r.score for r in book.current("cnn", "a2")] == [0.0]
    assert len(book.checks("cnn", "a1", "s1")) == 2


@pytest.mark.parametrize(
    ("submission_hash", "versions_hash", "expected"),
    [
        ("sub-1", "v1", False),  # nothing changed: skip
        ("sub-2", "v1", True),  # the student resubmitted
        ("sub-1", "v2", True),  # an exercise file was edited
    ],
)
def test_needs_grading_compares_submission_and_exercise_versions(
    book, submission_hash, versions_hash, expected
):
    book.record(result("s1", CONV), versions_hash="v1")
    assert book.needs_grading("cnn", "a1", "s1", submission_hash, versions_hash) is expected


def test_needs_grading_is_true_for_a_student_never_graded(book):
    book.record(result("s1", CONV), versions_hash="v1")
    assert book.needs_grading("cnn", "a1", "s2", "sub-1", "v1")


def test_a_grader_error_is_always_graded_again(book):
    broken = ("conv", (check("hid-1", 0.0, status="grader_error"),))
    book.record(result("s1", broken), versions_hash="v1")
    assert book.current("cnn", "a1")[0].grader_error is True
    assert book.needs_grading("cnn", "a1", "s1", "sub-1", "v1")


def test_a_failed_write_leaves_the_previous_result_whole(book):
    book.record(result("s1", CONV), versions_hash="v1")
    unstorable = ("conv", (check("pub-1", 1.0), replace(check("hid-1", 1.0), label=[1, 2])))
    with pytest.raises(sqlite3.Error):
        book.record(result("s1", unstorable, submission_hash="sub-2"), versions_hash="v1")
    (row,) = book.current("cnn", "a1")
    assert row.submission_hash == "sub-1"
    assert len(book.checks("cnn", "a1", "s1")) == 2
    assert len(book.history("cnn", "a1")) == 1


def test_results_survive_closing_and_reopening_the_file(tmp_path):
    with Gradebook(tmp_path / "g.db") as book:
        book.record(result("s1", CONV), versions_hash="v1")
    with Gradebook(tmp_path / "g.db") as book:
        assert [r.student_id for r in book.current("cnn", "a1")] == ["s1"]
    mode = sqlite3.connect(tmp_path / "g.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_gradebook_of_another_schema_version_is_refused_with_the_file_name(tmp_path):
    path = tmp_path / "old.db"
    with Gradebook(path):
        pass
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(GraderError, match=r"old\.db: gradebook schema version 99"):
        Gradebook(path)


def test_csv_export_has_one_row_per_student_and_a_column_per_exercise(book, tmp_path):
    book.record(result("s2", CONV, SIZES), versions_hash="v1")
    book.record(result("s1", CONV), versions_hash="v1")
    assert book.export_csv(tmp_path / "out.csv", course_id="cnn", assignment_id="a1") == 2
    with open(tmp_path / "out.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student_id"] for r in rows] == ["s1", "s2"]
    assert (rows[1]["score"], rows[1]["conv"], rows[1]["sizes"]) == ("1.5", "1.5", "0.0")
    assert rows[0]["sizes"] == ""  # s1 had no such exercise


def test_mistake_counts_count_students_and_occurrences_most_common_first(book):
    twice = ("conv", (check("a", 0.0, mistake_id="kernel_flipped"),
                      check("b", 0.0, mistake_id="kernel_flipped")))
    book.record(result("s1", twice), versions_hash="v1")
    book.record(result("s2", CONV, SIZES), versions_hash="v1")
    book.record(result("s3", SIZES), versions_hash="v1")
    counts = [(m.mistake_id, m.students, m.occurrences) for m in book.mistake_counts("cnn", "a1")]
    # both made by two students; the tie goes to the one seen more often
    assert counts == [("kernel_flipped", 2, 3), ("floor_forgotten", 2, 2)]


def _variant(student_id: str, versions: dict[str, str]) -> AssignmentVariant:
    exercises = tuple(
        ExerciseVariant(ex_id, ex_id, "by_hand", version, 1.0, ex_id, "", "", ())
        for ex_id, version in versions.items()
    )
    return AssignmentVariant("cnn", "a1", student_id, "A1", exercises)


def test_the_versions_hash_follows_exercise_versions_not_the_student():
    base = exercise_versions_hash(_variant("s1", {"conv": "aaa", "sizes": "bbb"}))
    assert exercise_versions_hash(_variant("s2", {"conv": "aaa", "sizes": "bbb"})) == base
    assert exercise_versions_hash(_variant("s1", {"conv": "aaa", "sizes": "ccc"})) != base
