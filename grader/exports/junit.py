"""JUnit XML, the test report every CI system shows.

One ``testsuite`` per exercise, one ``testcase`` per case; a wrong answer is a
``failure``, code that could not run an ``error``, our own fault an ``error``
typed ``GraderError``.  Messages may hold whatever a student's code printed or
raised, so every string goes through ``cells.xml_text``: the document stays
well-formed (no control or invalid characters) and bounded in size.

The document is written as text, not built with ElementTree and ``ET.indent``: a
batch writes one per student in the parent process, where the tree, its
indentation pass and its serialiser cost more than all the other outputs together.
The text is exactly what ElementTree wrote (same escaping, attribute order,
two-space indentation and `` />`` for empty elements); ``tests/grading`` compares
the two on odd messages.
"""

from __future__ import annotations

from grader.exports.cells import plain_line, xml_text
from grader.results import CheckResult, ExerciseResult, GradingResult

FAILURE_TAG = {"failed": "failure", "partial": "failure", "error": "error", "grader_error": "error"}
HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'


def render_junit(result: GradingResult) -> str:
    name = _attribute(xml_text(f"{result.assignment_id}/{result.student_id}"))
    if not result.exercises:
        return f'{HEADER}<testsuites name="{name}" />\n'
    parts = [f'{HEADER}<testsuites name="{name}">']
    for exercise in result.exercises:
        parts += _suite(exercise)
    parts.append("\n</testsuites>\n")
    return "".join(parts)


def _suite(exercise: ExerciseResult) -> list[str]:
    """One ``testsuite`` at depth 1, as text pieces (each starts with its indentation)."""
    failures = sum(c.status in ("failed", "partial") for c in exercise.checks)
    errors = sum(c.status in ("error", "grader_error") for c in exercise.checks)
    exercise_id = _attribute(xml_text(exercise.exercise_id))
    opening = (f'\n  <testsuite name="{exercise_id}" tests="{len(exercise.checks)}" '
               f'failures="{failures}" errors="{errors}"')
    if not exercise.checks:
        return [opening, " />"]
    parts = [opening, ">"]
    for check in exercise.checks:
        parts.append(_case(exercise_id, check))
    parts.append("\n  </testsuite>")
    return parts


def _case(exercise_id: str, check: CheckResult) -> str:
    """One ``testcase`` at depth 2: its score properties and, unless it passed, why."""
    text = (f'\n    <testcase classname="{exercise_id}" '
            f'name="{_attribute(xml_text(plain_line(check.label)))}">'
            '\n      <properties>'
            f'\n        <property name="score" value="{_attribute(str(check.score))}" />'
            f'\n        <property name="max_score" value="{_attribute(str(check.max_score))}" />'
            '\n      </properties>')
    tag = FAILURE_TAG.get(check.status)
    if tag:
        kind = "GraderError" if check.status == "grader_error" else check.status
        first = check.message.splitlines()[0] if check.message.strip() else ""
        body = _cdata(xml_text(check.message))
        text += (f'\n      <{tag} message="{_attribute(xml_text(plain_line(first)))}" '
                 f'type="{_attribute(kind)}"' + (f">{body}</{tag}>" if body else " />"))
    return text + "\n    </testcase>"


def _cdata(text: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it (line ends and tabs as
    character references, so a parser gives them back unchanged)."""
    return (_cdata(text).replace('"', "&quot;").replace("\r", "&#13;")
            .replace("\n", "&#10;").replace("\t", "&#09;"))
