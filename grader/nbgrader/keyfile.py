"""Per-student answer keys: the cases of one variant as JSON, and back.

A key holds everything the notebook's test cells need to grade one student
(probe inputs, expected values, tolerances, points, modeled mistakes) and nothing
from which another student's variant could be derived: no secret, no seed.  Full
keys stay on the instructor's side; a ``public`` key (public cases only, the same
ones our plain release hands out) goes to the student for self-checks.
Values use the sandbox's lossless encoding (arrays as base64 bytes with dtype).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader.errors import GraderError
from grader.model import AssignmentVariant, Case, ModeledAnswer, Probe, Tolerance
from grader.sandbox.wire import decode_value, encode_value

KEY_FORMAT = "cnn-grader-nbgrader-key"
KEY_VERSION = 1
Scope = Literal["all", "public"]


@dataclass(frozen=True, eq=False)
class KeyedExercise:
    """The graded items of one exercise, as its test cell needs them."""

    exercise_id: str
    module: str
    title: str
    points: float
    cases: tuple[Case, ...]


@dataclass(frozen=True, eq=False)
class AnswerKey:
    """Everything needed to grade one student's notebook of one assignment."""

    course_id: str
    assignment_id: str
    student_id: str
    scope: Scope
    exercises: tuple[KeyedExercise, ...]

    def exercise(self, exercise_id: str) -> KeyedExercise:
        for exercise in self.exercises:
            if exercise.exercise_id == exercise_id:
                return exercise
        raise KeyError(exercise_id)


def key_data(variant: AssignmentVariant, scope: Scope = "all") -> dict[str, Any]:
    """The JSON-ready key of ``variant``; ``public`` keeps only the public cases."""
    return {
        "format": KEY_FORMAT,
        "version": KEY_VERSION,
        "course_id": variant.course_id,
        "assignment_id": variant.assignment_id,
        "student_id": variant.student_id,
        "scope": scope,
        "exercises": [
            {
                "exercise_id": exercise.exercise_id,
                "module": exercise.module,
                "title": exercise.title,
                "points": exercise.points,
                "cases": [
                    _case_data(case)
                    for case in exercise.cases
                    if scope == "all" or case.public
                ],
            }
            for exercise in variant.exercises
        ],
    }


def write_key(variant: AssignmentVariant, path: Path, scope: Scope = "all") -> Path:
    """Write the key of ``variant`` to ``path`` (folders created), readable by owner only
    when it holds hidden cases."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(key_data(variant, scope), indent=1) + "\n", encoding="utf-8")
    if scope == "all":
        path.chmod(0o600)
    return path


def read_key(path: Path) -> AnswerKey:
    """Read a key file; raises ``GraderError`` naming the file when it is unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return parse_key(data)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise GraderError(f"{path}: unusable answer key ({error})") from None


def parse_key(data: Mapping[str, Any]) -> AnswerKey:
    """The inverse of ``key_data``; raises ``ValueError`` on a foreign or newer format."""
    if data.get("format") != KEY_FORMAT or data.get("version") != KEY_VERSION:
        raise ValueError(f"not a version {KEY_VERSION} {KEY_FORMAT} file")
    return AnswerKey(
        course_id=str(data["course_id"]),
        assignment_id=str(data["assignment_id"]),
        student_id=str(data["student_id"]),
        scope=data["scope"],
        exercises=tuple(
            KeyedExercise(
                exercise_id=str(item["exercise_id"]),
                module=str(item["module"]),
                title=str(item["title"]),
                points=float(item["points"]),
                cases=tuple(_parse_case(case) for case in item["cases"]),
            )
            for item in data["exercises"]
        ),
    )


def _case_data(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "label": case.label,
        "points": case.points,
        "public": case.public,
        "answer_type": case.answer_type,
        "probe": {
            "kind": case.probe.kind,
            "name": case.probe.name,
            "inputs": [[name, encode_value(value)] for name, value in case.probe.inputs],
            "outputs": list(case.probe.outputs),
        },
        "expected": encode_value(case.expected),
        "tolerance": {"rtol": case.tolerance.rtol, "atol": case.tolerance.atol},
        "per_element_credit": case.per_element_credit,
        "mistakes": [
            {
                "mistake_id": mistake.mistake_id,
                "explanation": mistake.explanation,
                "value": encode_value(mistake.value),
            }
            for mistake in case.mistakes
        ],
    }


def _parse_case(data: Mapping[str, Any]) -> Case:
    probe = data["probe"]
    return Case(
        case_id=str(data["case_id"]),
        label=str(data["label"]),
        points=float(data["points"]),
        public=bool(data["public"]),
        answer_type=data["answer_type"],
        probe=Probe(
            kind=probe["kind"],
            name=str(probe["name"]),
            inputs=tuple((str(name), decode_value(value)) for name, value in probe["inputs"]),
            outputs=tuple(str(name) for name in probe["outputs"]),
        ),
        expected=decode_value(data["expected"]),
        tolerance=Tolerance(
            rtol=float(data["tolerance"]["rtol"]), atol=float(data["tolerance"]["atol"])
        ),
        per_element_credit=bool(data["per_element_credit"]),
        mistakes=tuple(
            ModeledAnswer(
                mistake_id=str(item["mistake_id"]),
                explanation=str(item["explanation"]),
                value=decode_value(item["value"]),
            )
            for item in data["mistakes"]
        ),
    )
