"""JUnit XML, the test report every CI system shows.

One ``testsuite`` per exercise, one ``testcase`` per case; a wrong answer is a
``failure``, code that could not run an ``error``, our own fault an ``error``
typed ``GraderError``.  Messages may hold whatever a student's code printed or
raised, so every string goes through ``cells.xml_text``: the document stays
well-formed (no control or invalid characters) and bounded in size.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.exports.cells import plain_line, xml_text
from grader.results import GradingResult

FAILURE_TAG = {"failed": "failure", "partial": "failure", "error": "error", "grader_error": "error"}


def render_junit(result: GradingResult) -> str:
    root = ET.Element("testsuites", name=xml_text(f"{result.assignment_id}/{result.student_id}"))
    for exercise in result.exercises:
        failures = sum(c.status in ("failed", "partial") for c in exercise.checks)
        errors = sum(c.status in ("error", "grader_error") for c in exercise.checks)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=xml_text(exercise.exercise_id),
            tests=str(len(exercise.checks)),
            failures=str(failures),
            errors=str(errors),
        )
        for check in exercise.checks:
            case = ET.SubElement(
                suite, "testcase", classname=xml_text(exercise.exercise_id),
                name=xml_text(plain_line(check.label)),
            )
            ET.SubElement(case, "properties").extend(
                [
                    ET.Element("property", name="score", value=str(check.score)),
                    ET.Element("property", name="max_score", value=str(check.max_score)),
                ]
            )
            tag = FAILURE_TAG.get(check.status)
            if tag:
                kind = "GraderError" if check.status == "grader_error" else check.status
                first = check.message.splitlines()[0] if check.message.strip() else ""
                node = ET.SubElement(case, tag, message=xml_text(plain_line(first)), type=kind)
                node.text = xml_text(check.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
