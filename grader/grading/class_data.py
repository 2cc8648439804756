"""Gather what the class report and copy detection need, from the gradebook and the
course (wiring only: the statistics are pure functions in ``grader.exports``).

``write_assignment_report`` is the one call the ``report`` command and the demo use.
Variants are rebuilt from the course secret (as grading does); without a secret the
report still has scores, items and misconceptions, but no fairness or copy sections.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.authoring.course import Course
from grader.authoring.variant import build_assignment_variant
from grader.errors import SpecError
from grader.exports.class_summary import ClassData, ExerciseInfo
from grader.exports.gradebook import Gradebook
from grader.exports.similarity import Similarity, find_similar
from grader.model import AssignmentVariant


def variants_of(course: Course, assignment_id: str, students: list[str], secret: bytes
                ) -> dict[str, AssignmentVariant]:
    return {s: build_assignment_variant(course, assignment_id, s, secret) for s in students}


def _sentences(variants: dict[str, AssignmentVariant]) -> dict[str, str]:
    """mistake id -> the explanation students saw (the first variant's wording)."""
    found: dict[str, str] = {}
    for variant in variants.values():
        for exercise in variant.exercises:
            for case in exercise.cases:
                for mistake in case.mistakes:
                    found.setdefault(mistake.mistake_id, mistake.explanation)
    return found


def _fallback_sentences() -> dict[str, str]:
    from solutions.mistakes import MISTAKES

    return {m.mistake_id: m.explanation for m in MISTAKES.values()}


def class_data(*, course: Course, assignment_id: str, gradebook_path: Path,
               html_path: Path | None = None, feedback_root: Path | None = None,
               secret: bytes | None = None) -> ClassData:
    """Everything about one assignment's class, read once from the gradebook."""
    if not Path(gradebook_path).is_file():
        raise SpecError("no gradebook here; pass --gradebook PATH", where=str(gradebook_path))
    assignment = course.assignment(assignment_id)
    with Gradebook(gradebook_path) as book:
        rows = tuple(book.current(course.course_id, assignment_id))
        checks = book.all_checks(course.course_id, assignment_id)
    students = [r.student_id for r in rows]
    variants = variants_of(course, assignment_id, students, secret) if secret else {}
    exercises = tuple(ExerciseInfo(item.exercise_id, course.exercises[item.exercise_id].title,
                                   float(item.points)) for item in assignment.exercises)
    sentences = {**_fallback_sentences(), **_sentences(variants)}
    similarity: Similarity | None = find_similar(variants, checks) if variants else None
    return ClassData(
        course_id=course.course_id, assignment_id=assignment_id, title=assignment.title,
        exercises=exercises, rows=rows, checks=checks,
        roster=tuple(s.student_id for s in course.roster),
        params={s: {e.exercise_id: e.params for e in v.exercises} for s, v in variants.items()},
        sentences=sentences, similarity=similarity,
        feedback=_feedback_links(students, assignment_id, feedback_root, html_path),
    )


def _feedback_links(students: list[str], assignment_id: str, root: Path | None,
                    html_path: Path | None) -> dict[str, str]:
    """Links relative to the page, for the students whose feedback.md exists."""
    if root is None or html_path is None:
        return {}
    base = Path(html_path).resolve().parent
    links = {}
    for student in students:
        target = Path(root) / assignment_id / student / "feedback.md"
        if target.is_file():
            links[student] = Path(os.path.relpath(target.resolve(), base)).as_posix()
    return links


def write_assignment_report(*, course: Course, assignment_id: str, gradebook_path: Path,
                            html_path: Path, feedback_root: Path | None = None,
                            secret: bytes | None = None) -> Path:
    """Write the HTML class report of one assignment; returns its path.

    ``feedback_root`` is the ``--out`` folder of grading (feedback at
    ``ROOT/ASSIGNMENT/STUDENT/feedback.md``); ``secret`` enables the fairness and
    copy-evidence sections."""
    from grader.exports.class_report import write_class_report

    data = class_data(course=course, assignment_id=assignment_id, gradebook_path=gradebook_path,
                      html_path=html_path, feedback_root=feedback_root, secret=secret)
    return write_class_report(html_path, data)
