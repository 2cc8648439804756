"""``grades.csv`` and ``grades-long.csv`` (docs/grades-csv.md): written by every grade run,
each mistake once with its count, and the long rows adding up to the wide ones."""

from __future__ import annotations

import csv
from collections import defaultdict

from grader.exports.gradebook_rows import CheckRow
from grader.exports.grades_csv import long_table, mistake_counts_text
from tests.redteam.classroom import make_classroom


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_each_mistake_is_named_once_with_its_count_most_frequent_first():
    assert mistake_counts_text(["b", "a", "b", "c", "b", "a"]) == "b x3, a x2, c x1"
    assert mistake_counts_text([]) == ""


def test_the_long_table_has_one_row_per_case_with_the_documented_columns():
    check = CheckRow("c", "a1", "s1", 0, "ex", "case0", "label", 0.5, 1.0, "partial", "m", True,
                     "kernel-flipped", None, None, None)
    assert long_table([check]) == [
        ["student_id", "exercise_id", "case_id", "points", "max_points", "mistake"],
        ["s1", "ex", "case0", 0.5, 1.0, "kernel-flipped"],
    ]


def test_one_student_mode_writes_both_files_and_the_long_rows_add_up(tmp_path):
    room = make_classroom(tmp_path, ("ann", "ben", "classmate"))
    room.submit("ann", "reference")
    room.submit("ben", "mistaken")
    for student in ("ann", "ben"):
        assert room.grade("--student", student, "--submission",
                          str(room.submissions / student)) == 0
    wide = {row["student_id"]: row for row in read(room.out / "a1" / "grades.csv")}
    long = read(room.out / "a1" / "grades-long.csv")
    assert set(wide) == {"ann", "ben"}  # the whole gradebook, not only the last run
    earned, mistakes = defaultdict(float), defaultdict(list)
    for row in long:
        earned[row["student_id"]] += float(row["points"])
        if row["mistake"]:
            mistakes[row["student_id"]].append(row["mistake"])
    for student, row in wide.items():
        assert abs(earned[student] - float(row["raw_score"])) < 1e-6
        assert row["mistakes"] == mistake_counts_text(mistakes[student])
    assert wide["ben"]["mistakes"]  # the mistaken profile's mistakes are named
