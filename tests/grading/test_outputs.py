"""Every output format is written from a GradingResult and agrees with it."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from grader.authoring.late import LatePolicy, late_penalty
from grader.exports.csv_report import render_csv
from grader.exports.feedback import render_feedback
from grader.exports.gradescope import gradescope_results, render_gradescope
from grader.exports.junit import render_junit
from grader.results import CheckResult, ExerciseResult, GradingResult


def check(case_id, score, max_score, status, *, public=True, mistake=None, message="m"):
    return CheckResult(
        case_id, f"label {case_id}", score, max_score, status, message, public, mistake_id=mistake
    )


@pytest.fixture
def result():
    ex1 = ExerciseResult(
        "conv-size",
        "Output size",
        (
            check("h", 1.0, 1.0, "passed"),
            check("w", 0.0, 1.0, "failed", mistake="padding_once", message="w: wrong\nmatches"),
        ),
    )
    ex2 = ExerciseResult(
        "conv-forward",
        "conv2d_forward",
        (
            check("public0", 2.0, 2.0, "passed"),
            check("hidden0", 0.0, 2.0, "error", public=False, message="timed out after 2 s"),
            check("hidden1", 0.0, 2.0, "grader_error", public=False),
        ),
    )
    return GradingResult(
        "cnn101",
        "a1",
        "s001",
        (ex1, ex2),
        isolation="uid+netns",
        wall_seconds=0.25,
        late_days=1,
        late_penalty=0.1,
    )


def test_totals_are_derived_from_the_checks(result):
    assert (result.raw_score, result.max_score) == (3.0, 8.0)
    assert result.score == pytest.approx(2.7)
    assert result.mistakes == ("padding_once",)
    assert result.grader_error


def test_gradescope_json_has_the_documented_fields_and_sums(result):
    document = json.loads(json.dumps(gradescope_results(result)))
    assert set(document) == {
        "score",
        "execution_time",
        "output",
        "visibility",
        "stdout_visibility",
        "tests",
    }
    assert document["score"] == result.score
    tests = document["tests"]
    assert len(tests) == 5
    assert sum(t["max_score"] for t in tests) == result.max_score
    assert {t["visibility"] for t in tests if "hidden" in t["name"]} == {"after_published"}
    assert tests[1]["tags"] == ["padding_once"]
    assert all(
        set(t) == {"score", "max_score", "status", "name", "number", "output", "tags", "visibility"}
        for t in tests
    )


def test_results_json_holds_the_document_with_one_test_per_line(result):
    text = render_gradescope(result)
    assert json.loads(text) == json.loads(json.dumps(gradescope_results(result)))
    test_lines = [line for line in text.splitlines() if line.startswith("    {")]
    assert [json.loads(line.rstrip(",")) for line in test_lines] == \
        json.loads(text)["tests"]


def test_results_json_of_a_result_without_checks_is_valid():
    empty = GradingResult("cnn101", "a1", "s002", (), isolation="uid", wall_seconds=0.0)
    assert json.loads(render_gradescope(empty))["tests"] == []


def test_junit_counts_failures_and_errors_per_exercise(result):
    root = ET.fromstring(render_junit(result))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["conv-size"].get("failures") == "1"
    assert suites["conv-forward"].get("errors") == "2"
    types = [e.get("type") for e in root.iter("error")]
    assert "GraderError" in types


def test_feedback_shows_score_late_penalty_and_grader_error(result):
    text = render_feedback(result)
    assert "Score: 2.7 / 8" in text
    assert "1 day(s) late" in text
    assert "not your fault" in text
    assert "(hidden test)" in text


def test_csv_has_one_row_per_student_and_a_column_per_exercise(result):
    rows = list(csv.DictReader(io.StringIO(render_csv([result]))))
    assert rows[0]["student_id"] == "s001"
    assert float(rows[0]["conv-size"]) == 1.0
    assert float(rows[0]["conv-forward"]) == 2.0


DUE = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("late_by", "expected"),
    [
        (timedelta(hours=-1), (0, 0.0)),  # early
        (timedelta(minutes=1), (1, 0.1)),  # any started day counts
        (timedelta(hours=36), (2, 0.2)),
        (timedelta(days=6), (6, 1.0)),  # past max_days: nothing left
    ],
)
def test_late_penalty_counts_started_days(late_by, expected):
    policy = LatePolicy(due=DUE, per_day=0.1, max_days=5)
    days, fraction = late_penalty(policy, DUE + late_by)
    assert (days, fraction) == (expected[0], pytest.approx(expected[1]))


def test_no_policy_or_no_timestamp_means_no_penalty():
    assert late_penalty(None, DUE) == (0, 0.0)
    assert late_penalty(LatePolicy(due=DUE, per_day=0.5), None) == (0, 0.0)


def test_feedback_for_an_exercise_without_public_tests_says_so():
    result = GradingResult("c", "a", "s", (ExerciseResult("e", "By hand", ()),), "none", 0.1)
    assert "No public tests" in render_feedback(result)


def test_feedback_escapes_html_that_came_from_student_code():
    hostile = check("x", 0.0, 1.0, "error", message="raised ValueError: <script>alert(1)</script>")
    result = GradingResult("c", "a", "s", (ExerciseResult("e", "E", (hostile,)),), "none", 0.1)
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(render_feedback(result))  # a real renderer
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
