"""``grades-long.csv``, streamed from one query, holds exactly the rows of
``grades_csv.long_table`` over every current result's checks, in the same order:
re-graded students once (their latest checks), other assignments and courses left
out, student text made safe for spreadsheets."""

from __future__ import annotations

from grader.exports.gradebook import Gradebook
from grader.exports.grades_csv import long_table, write_table

from .results_factory import check, result


def _fill(book: Gradebook) -> None:
    book.record(result("zed", ("e1", (check("pub-1", 1.0), check("c2", 0.0, mistake_id="m")))),
                versions_hash="v")
    book.record(result("amy", ("e2", (check("=cmd", 0.5),)), ("e1", (check("c1", 1.0),))),
                versions_hash="v")
    book.record(result("amy", ("e1", (check("c9", 0.25, mistake_id="+x"),))),
                versions_hash="v", graded_at="2026-10-02T00:00:00+00:00")  # a re-grade
    book.record(result("bob", ("e1", (check("c1", 1.0),)), assignment_id="a2"),
                versions_hash="v")
    book.record(result("cy", ("e1", (check("c1", 1.0),)), course_id="other"),
                versions_hash="v")
    book.record(result("dee", ("e1", ())), versions_hash="v")  # no checks at all


def test_the_streamed_long_csv_is_the_long_table(tmp_path):
    with Gradebook(tmp_path / "gradebook.db") as book:
        _fill(book)
        written = book.export_long_csv(tmp_path / "long.csv", course_id="cnn",
                                       assignment_id="a1")
        checks = [c for row in book.current("cnn", "a1")
                  for c in book.checks("cnn", "a1", row.student_id)]
    write_table(tmp_path / "expected.csv", long_table(checks))
    assert (tmp_path / "long.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    assert written == len(checks) == 3
    text = (tmp_path / "long.csv").read_text()
    assert "amy,e1,c9" in text and "amy,e1,c1" not in text  # only the latest grading
    assert "'=cmd" not in text and "'+x" in text  # the case was replaced; a formula neutralised
