"""The class report's numbers on a small hand-made class, the page it writes, and
the `report --html` / `similar` commands on a real gradebook."""

from __future__ import annotations

import html
import sqlite3
import sys

import pytest

from grader.cli import main
from grader.exports.class_report import ClassData, ExerciseInfo, write_class_report
from grader.exports.class_report_html import render_html
from grader.exports.class_summary import summarise
from grader.exports.gradebook import CheckRow, Gradebook, result_rows
from grader.grading.answer_record import answer_json
from grader.results import CheckResult, ExerciseResult, GradingResult
from tests.report.synthetic import REPO, SECRET, build_variants, make_class


def graded(student: str, scores: dict[str, tuple[float, str | None, str]], *, late: int = 0,
           grader_error: bool = False) -> GradingResult:
    """One check per exercise: (score out of 1, mistake id, status)."""
    exercises = tuple(
        ExerciseResult(ex, ex, (CheckResult(
            "C", "C", score, 1.0, "grader_error" if grader_error else status, "", False,
            mistake_id=mistake, answer=answer_json(score)),))
        for ex, (score, mistake, status) in scores.items()
    )
    return GradingResult("c", "a", student, exercises, "test", 0.0, late_days=late,
                         late_penalty=0.1 * late)


def small_class() -> ClassData:
    results = [
        graded("s1", {"x": (1, None, "passed"), "y": (1, None, "passed")}),
        graded("s2", {"x": (0, "floor_forgotten", "failed"), "y": (1, None, "passed")}, late=2),
        graded("s3", {"x": (0, None, "failed"), "y": (0, "floor_forgotten", "failed")}),
        graded("s4", {"x": (0, None, "failed"), "y": (0, None, "failed")}, grader_error=True),
    ]
    rows = [result_rows(r, versions_hash="v", graded_at="t") for r in results]
    return ClassData(
        course_id="c", assignment_id="a", title="A <b>small</b> class",
        exercises=(ExerciseInfo("x", "X", 1.0), ExerciseInfo("y", "Y", 1.0)),
        rows=tuple(summary for summary, _ in rows),
        checks={summary.student_id: list(checks) for summary, checks in rows},
        roster=("s1", "s2", "s3", "s4", "s5"),
        sentences={"floor_forgotten": "The window either fits or it does not."},
        feedback={"s1": "graded/a/s1/feedback.md"},
    )


def test_the_summary_counts_missing_late_and_grader_errors_apart():
    summary = summarise(small_class())
    assert (summary.graded, summary.missing, summary.late, summary.grader_errors) == (
        4, ("s5",), 1, ("s4",))
    # s4's grader error leaves the statistics: scores of s1, s2 (late: 1 x 0.8), s3
    assert summary.scores == (2.0, 0.8, 0.0)
    assert summary.median == 0.8
    facility = {item.exercise_id: item.facility for item in summary.items}
    assert facility == {"x": pytest.approx(1 / 3), "y": pytest.approx(2 / 3)}


def test_misconceptions_are_counted_per_exercise_with_the_sentence_students_saw():
    lines = {(m.exercise_id, m.mistake_id): m for m in summarise(small_class()).mistakes}
    assert lines[("x", "floor_forgotten")].students == 1
    assert lines[("x", "floor_forgotten")].sentence == "The window either fits or it does not."
    # s3's wrong answer on x is unexplained; s4's grader error is not a wrong answer
    assert lines[("x", None)].students == 1
    assert ("y", None) not in lines


def test_the_page_escapes_text_and_links_feedback():
    page = render_html(summarise(small_class()))
    assert "A &lt;b&gt;small&lt;/b&gt; class" in page and "<b>small" not in page
    assert '<a href="graded/a/s1/feedback.md">feedback</a>' in page
    assert page.count("<svg") == 3
    for fetching in ("<script", "<link", "src=", 'href="http', "url(http", "@import"):
        assert fetching not in page  # self-contained: nothing is fetched


def test_without_matplotlib_the_page_is_written_and_says_how_to_get_plots(monkeypatch):
    monkeypatch.setitem(sys.modules, "grader.exports.report_plots", None)
    page = render_html(summarise(small_class()))
    assert "<svg" not in page and "cnn-grader[report]" in page


def test_the_same_data_gives_the_same_page(tmp_path):
    first = write_class_report(tmp_path / "one.html", small_class()).read_bytes()
    assert first == write_class_report(tmp_path / "two.html", small_class()).read_bytes()


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("graded")
    variants = build_variants("a2-by-hand", 40)
    students = sorted(variants)
    synthetic = make_class(
        variants, seed=3,
        copies={students[5]: (students[6], ("cross-correlation", "im2col", "max-pool"))})
    with Gradebook(root / "gradebook.db") as book:
        for result in synthetic.results.values():
            book.record(result, versions_hash="v")
    for student in students[:3]:
        (root / "a2-by-hand" / student).mkdir(parents=True)
        (root / "a2-by-hand" / student / "feedback.md").write_text("ok", encoding="utf-8")
    return root, students


def test_report_html_writes_the_page_with_links_and_copy_evidence(gradebook, monkeypatch,
                                                                  capsys):
    root, students = gradebook
    monkeypatch.setenv("CNN_GRADER_SECRET", SECRET.decode())
    page = root / "site" / "report.html"
    code = main(["report", "--assignment", "a2-by-hand", "--course", str(REPO / "course.yml"),
                 "--gradebook", str(root / "gradebook.db"), "--html", str(page)])
    assert code == 0 and f"Class report: {page}" in capsys.readouterr().out
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert f'href="../a2-by-hand/{students[0]}/feedback.md"' in text
    assert f"{students[5]}'s answers fit {students[6]}'s variant on 3 of 13 items" in text


def test_similar_lists_the_pair_as_evidence(gradebook, monkeypatch, capsys):
    root, students = gradebook
    monkeypatch.setenv("CNN_GRADER_SECRET", SECRET.decode())
    code = main(["similar", "--assignment", "a2-by-hand", "--course", str(REPO / "course.yml"),
                 "--gradebook", str(root / "gradebook.db")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("1 pair(s) above the threshold among 40 students and 13 items")
    assert "[above threshold; expected by chance" in out and students[5] in out


def test_the_gradebook_keeps_each_answer_and_upgrades_an_old_file(tmp_path):
    path = tmp_path / "old.db"
    with Gradebook(path):
        pass
    db = sqlite3.connect(path)  # make it a version-1 file: no answer column
    db.execute("CREATE TABLE c2 AS SELECT * FROM checks")
    db.execute("DROP TABLE checks")
    db.execute("ALTER TABLE c2 DROP COLUMN answer")
    db.execute("ALTER TABLE c2 RENAME TO checks")
    db.execute("UPDATE schema_version SET version = 1")
    db.commit()
    db.close()
    with Gradebook(path) as book:
        book.record(graded("s1", {"x": (0.0, None, "failed")}), versions_hash="v")
        (row,) = book.checks("c", "a", "s1")
    assert isinstance(row, CheckRow) and row.answer == "0.0"
