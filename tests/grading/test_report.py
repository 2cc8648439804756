"""Class reports: who scored what, and which misconceptions were common."""

from grader.cli import main
from grader.exports.gradebook import Gradebook, MistakeCount, ResultRow
from grader.exports.report import gradebook_table, mistake_summary, mistake_table
from grader.results import CheckResult, ExerciseResult, GradingResult


def row(student, score, mistakes="", late=0):
    return ResultRow(
        "c", "a", student, score, 10.0, score, late, 0.0, False, "iso", "h", "v", 0.1, "t", mistakes
    )


def test_the_table_has_one_line_per_student_in_order_with_mistake_counts():
    text = gradebook_table([row("s2", 10.0), row("s1", 4.5, "flip flip floor", late=2)])
    lines = text.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["s1", "s2"]
    assert "4.5 / 10" in lines[1] and "2d" in lines[1]
    assert lines[1].rstrip().endswith("flip x2, floor")
    assert lines[2].rstrip().endswith("-")


def test_mistake_summary_orders_by_frequency():
    assert mistake_summary(["a", "b", "b"]) == "b x2, a"
    assert mistake_summary([]) == "-"


def test_mistake_table_shows_the_share_of_students():
    text = mistake_table([MistakeCount("kernel_flipped", 3, 5)], students=12)
    assert "3/12" in text and "kernel_flipped" in text
    assert "no modeled mistake" in mistake_table([], students=3)


def test_the_report_command_reads_the_gradebook(tmp_path, capsys, small_course):
    check = CheckResult("c1", "size", 0.0, 1.0, "failed", "m", False, mistake_id="floor_forgotten")
    result = GradingResult(
        "test-course", "hw", "ada", (ExerciseResult("e", "E", (check,)),), "iso", 0.1
    )
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(result, versions_hash="v")
    code = main(
        [
            "report",
            "--assignment",
            "hw",
            "--course",
            str(small_course),
            "--gradebook",
            str(tmp_path / "gb.db"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "ada" in out and "floor_forgotten" in out and "1/1" in out
