"""The hand-written JUnit and Gradescope writers give exactly the text of the library
writers they replaced (ElementTree with ``ET.indent``; ``json.dumps(indent=2)``),
on results holding whatever a student's code can put in a message."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.exports.cells import plain_line, xml_text
from grader.exports.gradescope import gradescope_results, indented_json, render_gradescope
from grader.exports.junit import FAILURE_TAG, render_junit
from grader.results import CheckResult, ExerciseResult, GradingResult

STATUSES = ("passed", "partial", "failed", "error", "grader_error")
# messages a student can cause: markup, quotes, line ends, tabs, control characters
TEXT = st.text(st.sampled_from(list("ab <>&\"'\n\r\t\x00\x1b\x85\ufffe\ud800é`#")),
               max_size=40) | st.text(max_size=40)
NUMBER = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 5).map(float)


def junit_with_elementtree(result: GradingResult) -> str:
    """The writer ``render_junit`` replaced, kept here as the reference."""
    root = ET.Element("testsuites", name=xml_text(f"{result.assignment_id}/{result.student_id}"))
    for exercise in result.exercises:
        suite = ET.SubElement(
            root, "testsuite", name=xml_text(exercise.exercise_id),
            tests=str(len(exercise.checks)),
            failures=str(sum(c.status in ("failed", "partial") for c in exercise.checks)),
            errors=str(sum(c.status in ("error", "grader_error") for c in exercise.checks)))
        for check in exercise.checks:
            case = ET.SubElement(suite, "testcase", classname=xml_text(exercise.exercise_id),
                                 name=xml_text(plain_line(check.label)))
            ET.SubElement(case, "properties").extend([
                ET.Element("property", name="score", value=str(check.score)),
                ET.Element("property", name="max_score", value=str(check.max_score))])
            tag = FAILURE_TAG.get(check.status)
            if tag:
                kind = "GraderError" if check.status == "grader_error" else check.status
                first = check.message.splitlines()[0] if check.message.strip() else ""
                node = ET.SubElement(case, tag, message=xml_text(plain_line(first)), type=kind)
                node.text = xml_text(check.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


checks = st.builds(
    CheckResult, case_id=TEXT, label=TEXT, score=NUMBER, max_score=NUMBER,
    status=st.sampled_from(STATUSES), message=TEXT, public=st.booleans(),
    mistake_id=st.none() | TEXT)
exercises = st.builds(ExerciseResult, exercise_id=TEXT, title=TEXT,
                      checks=st.lists(checks, max_size=4).map(tuple))
results = st.builds(
    GradingResult, course_id=TEXT, assignment_id=TEXT, student_id=TEXT,
    exercises=st.lists(exercises, max_size=3).map(tuple), isolation=TEXT,
    wall_seconds=NUMBER, late_days=st.integers(0, 9),
    late_penalty=st.sampled_from((0.0, 0.1, 0.5)))


@settings(max_examples=300, deadline=None)
@given(results)
def test_junit_is_the_elementtree_text(result: GradingResult) -> None:
    assert render_junit(result) == junit_with_elementtree(result)


@settings(max_examples=300, deadline=None)
@given(results)
def test_gradescope_is_the_json_dumps_text(result: GradingResult) -> None:
    assert render_gradescope(result) == json.dumps(gradescope_results(result), indent=2) + "\n"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_indented_json_is_json_dumps(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2)


def test_junit_of_a_failure_still_parses_with_the_message_intact() -> None:
    message = 'got <1> & "2"\n\tsecond line'
    result = GradingResult("c", "a1", "s1", (ExerciseResult("e1", "E", (CheckResult(
        "c1", "case 1", 0.0, 1.0, "failed", message, True),)),), "test", math.pi)
    failure = ET.fromstring(render_junit(result).split("\n", 1)[1]).find(".//failure")
    assert failure is not None and failure.text == message
    assert failure.get("type") == "failed" and failure.get("message") == 'got <1> & "2"'


def test_indented_json_refuses_what_json_would_convert() -> None:
    with pytest.raises(TypeError):
        indented_json({1: "a"})
    with pytest.raises(TypeError):
        indented_json({"a": object()})
