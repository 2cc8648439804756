"""JUnit XML, the test report every CI system shows.

One ``testsuite`` per exercise, one ``testcase`` per case; a wrong answer is a
``failure``, code that could not run an ``error``, our own fault an ``error``
typed ``GraderError``.  Messages may hold whatever a student's code printed or
raised, so every string goes through ``cells.xml_text``: the document stays
well-formed (no control or invalid characters) and bounded in size.

ElementTree writes every element, but each ``testcase`` (and each suite's tags)
once per distinct content, remembered: in a class most cases read the same (every
correct answer does), and building and writing one tree per student was most of
a batch parent's work per student.  The pieces are joined with the indentation
``ET.indent`` gives, so the document is the same bytes as one tree indented and
written whole (a test keeps that reference).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET

from grader.exports.cells import plain_line, xml_text
from grader.results import CheckResult, ExerciseResult, GradingResult

FAILURE_TAG = {"failed": "failure", "partial": "failure", "error": "error", "grader_error": "error"}
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
PIECES_KEPT = 512  # distinct cases (and suite tags) remembered; the common ones stay
REMEMBERED_MESSAGE_CHARS = 2000  # longer messages are rare: written each time, never kept
_SLOT = "\x00"  # where an element's children go between its tags; xml_text leaves none


def render_junit(result: GradingResult) -> str:
    root = ET.Element("testsuites", name=xml_text(f"{result.assignment_id}/{result.student_id}"))
    if not result.exercises:
        return DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
    start, end = _tags(root)
    suites = "\n  ".join(_suite(exercise) for exercise in result.exercises)
    return f"{DECLARATION}{start}\n  {suites}\n{end}\n"


def _suite(exercise: ExerciseResult) -> str:
    """One ``testsuite``, written as it is one level deep in the document."""
    checks = exercise.checks
    failures = sum(c.status in ("failed", "partial") for c in checks)
    errors = sum(c.status in ("error", "grader_error") for c in checks)
    start, end = _suite_tags(exercise.exercise_id, len(checks), failures, errors)
    if not checks:
        return start
    cases = "\n    ".join(_case(exercise.exercise_id, check) for check in checks)
    return f"{start}\n    {cases}\n  {end}"


def _case(exercise_id: str, check: CheckResult) -> str:
    """The case's XML, remembered unless its message is long (which keeps the memory
    held bounded by ``PIECES_KEPT`` short pieces).  Points are keyed as written, so 1
    and 1.0 (written ``1`` and ``1.0``) are never taken for one another."""
    shown = (exercise_id, check.label, str(check.score), str(check.max_score),
             check.status, check.message)
    if len(check.message) > REMEMBERED_MESSAGE_CHARS:
        return _case_xml(*shown)
    return _remembered_case_xml(*shown)


@functools.lru_cache(maxsize=PIECES_KEPT)
def _suite_tags(exercise_id: str, tests: int, failures: int, errors: int) -> tuple[str, str]:
    """A suite's start and end tags (its whole element, and "", when it has no case)."""
    suite = ET.Element("testsuite", name=xml_text(exercise_id), tests=str(tests),
                       failures=str(failures), errors=str(errors))
    return _tags(suite) if tests else (ET.tostring(suite, encoding="unicode"), "")


def _case_xml(exercise_id: str, label: str, score: str, max_score: str, status: str,
              message: str) -> str:
    """One ``testcase`` as ElementTree writes it two levels deep (a pure function of
    its arguments, so it may be remembered)."""
    case = ET.Element("testcase", classname=xml_text(exercise_id),
                      name=xml_text(plain_line(label)))
    ET.SubElement(case, "properties").extend([
        ET.Element("property", name="score", value=score),
        ET.Element("property", name="max_score", value=max_score),
    ])
    tag = FAILURE_TAG.get(status)
    if tag:
        kind = "GraderError" if status == "grader_error" else status
        first = message.splitlines()[0] if message.strip() else ""
        node = ET.SubElement(case, tag, message=xml_text(plain_line(first)), type=kind)
        node.text = xml_text(message)
    ET.indent(case, level=2)
    return ET.tostring(case, encoding="unicode")


_remembered_case_xml = functools.lru_cache(maxsize=PIECES_KEPT)(_case_xml)


def _tags(element: ET.Element) -> tuple[str, str]:
    """The start and end tags ElementTree writes for ``element`` (which has no children
    yet): the text is a slot, split out."""
    element.text = _SLOT
    start, end = ET.tostring(element, encoding="unicode").split(_SLOT)
    return start, end
