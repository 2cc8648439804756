"""``render_junit`` writes each case once and joins the pieces: the document must be
the same bytes as the whole tree indented and written by ElementTree (``reference``,
the renderer it replaced), whatever the content and whatever was written before."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.exports.cells import plain_line, xml_text
from grader.exports.junit import FAILURE_TAG, REMEMBERED_MESSAGE_CHARS, render_junit
from grader.results import CheckResult, ExerciseResult, GradingResult


def reference(result: GradingResult) -> str:
    """One ElementTree tree per document, indented and written whole."""
    root = ET.Element("testsuites", name=xml_text(f"{result.assignment_id}/{result.student_id}"))
    for exercise in result.exercises:
        failures = sum(c.status in ("failed", "partial") for c in exercise.checks)
        errors = sum(c.status in ("error", "grader_error") for c in exercise.checks)
        suite = ET.SubElement(root, "testsuite", name=xml_text(exercise.exercise_id),
                              tests=str(len(exercise.checks)), failures=str(failures),
                              errors=str(errors))
        for check in exercise.checks:
            case = ET.SubElement(suite, "testcase", classname=xml_text(exercise.exercise_id),
                                 name=xml_text(plain_line(check.label)))
            ET.SubElement(case, "properties").extend([
                ET.Element("property", name="score", value=str(check.score)),
                ET.Element("property", name="max_score", value=str(check.max_score)),
            ])
            tag = FAILURE_TAG.get(check.status)
            if tag:
                kind = "GraderError" if check.status == "grader_error" else check.status
                first = check.message.splitlines()[0] if check.message.strip() else ""
                node = ET.SubElement(case, tag, message=xml_text(plain_line(first)), type=kind)
                node.text = xml_text(check.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


STATUSES = ("passed", "partial", "failed", "error", "grader_error")
# few distinct values, so that pieces written for one document are met again in another
TEXTS = st.sampled_from(["", " ", "output size: correct", "got 3, expected 4\nsee slide 7",
                         'a "quoted" <b> & \'x\'', "\x00\x1b[31m\ud800\ufffe\t\r\n",
                         "z" * (REMEMBERED_MESSAGE_CHARS + 1), "y" * 30_000]) | st.text()
CHECKS = st.builds(CheckResult, case_id=st.just("C"), label=TEXTS,
                   score=st.sampled_from([0, 0.0, 1, 1.0, 0.5, 2.333333, -0.0]),
                   max_score=st.sampled_from([1, 1.0, 2.0]), status=st.sampled_from(STATUSES),
                   message=TEXTS, public=st.booleans())
EXERCISES = st.builds(ExerciseResult, exercise_id=st.sampled_from(["ex-a", "ex-b", "x<&\x01"]),
                      title=st.just("T"), checks=st.lists(CHECKS, max_size=4).map(tuple))
RESULTS = st.builds(GradingResult, course_id=st.just("c"), assignment_id=st.just("a1"),
                    student_id=st.sampled_from(["s1", "s2", 'o"<\x02']),
                    exercises=st.lists(EXERCISES, max_size=4).map(tuple),
                    isolation=st.just("full"), wall_seconds=st.just(0.1))


@settings(max_examples=300, deadline=None)
@given(st.lists(RESULTS, min_size=1, max_size=4))
def test_junit_is_the_same_bytes_as_one_tree_written_whole(results):
    for result in results:
        assert render_junit(result) == reference(result)


def test_the_same_cases_for_another_student_name_that_student_and_their_own_points():
    def result(student: str, score: float) -> GradingResult:
        check = CheckResult("C", "size", score, 1.0, "passed", "correct", True)
        return GradingResult("c", "a1", student, (ExerciseResult("ex", "T", (check,)),),
                             "full", 0.1)

    first, second, third = result("s1", 1.0), result("s2", 1.0), result("s3", 1)
    for one in (first, second, third, first):
        assert render_junit(one) == reference(one)
    root = ET.fromstring(render_junit(third))
    assert root.get("name") == "a1/s3"
    assert [p.get("value") for p in root.iter("property")] == ["1", "1.0"]
