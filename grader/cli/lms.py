"""`cnn-grader export moodle|canvas`: quizzes for a learning-management system.

The variants come from the course stream under ids of the form ``quiz~0001``:
the roster refuses ``~`` in a student id, so a quiz variant can never be the
variant of a real student (whose release would then leak into the LMS).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import SpecError
from grader.model import ExerciseVariant

VARIANT_PREFIX = "quiz~"


def register(subparsers: Any) -> None:
    export = subparsers.add_parser(
        "export", help="a quiz for Moodle (XML) or Canvas (QTI 1.2 zip)",
        description="Write N variants of every quiz exercise of an assignment, each "
        "modeled mistake as a wrong answer that explains itself.")
    formats = export.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, default in (("moodle", "quiz.xml"), ("canvas", "quiz.zip")):
        sub = formats.add_parser(name, help=f"{name} quiz file")
        sub.add_argument("--assignment", required=True)
        sub.add_argument("--course", type=Path, default=Path("course.yml"))
        sub.add_argument("--variants", type=int, default=10, help="per exercise (default 10)")
        sub.add_argument("--as", dest="as_kind", choices=("numeric", "choice"),
                         default="numeric", help="choice: the mistakes' values as distractors")
        sub.add_argument("--out", type=Path, default=Path(default))
        sub.set_defaults(func=run_export_command)


@dataclass(frozen=True)
class QuizSource:
    """What an exporter is given: variant/exercise pairs, and what was left out."""

    title: str
    exercises: tuple[tuple[str, ExerciseVariant], ...]
    skipped: tuple[str, ...]  # exercises that ask for code


def quiz_source(*, course: Any, assignment_id: str, secret: bytes, variants: int) -> QuizSource:
    """``variants`` reproducible variants of every exercise a quiz can hold."""
    from grader.authoring.variant import build_assignment_variant
    from grader.exports.lms_common import is_quiz_exercise

    if variants < 1:
        raise SpecError("--variants must be at least 1")
    pairs: list[tuple[str, ExerciseVariant]] = []
    skipped: dict[str, None] = {}
    title = ""
    for number in range(1, variants + 1):
        variant_id = f"{VARIANT_PREFIX}{number:04d}"
        variant = build_assignment_variant(course, assignment_id, variant_id, secret)
        title = variant.title
        for exercise in variant.exercises:
            if is_quiz_exercise(exercise):
                pairs.append((variant_id, exercise))
            else:
                skipped[exercise.exercise_id] = None
    order: dict[str, int] = {}
    for _, exercise in pairs:
        order.setdefault(exercise.exercise_id, len(order))
    pairs.sort(key=lambda pair: order[pair[1].exercise_id])  # stable: variants stay in order
    return QuizSource(title, tuple(pairs), tuple(skipped))


def run_export_command(args: argparse.Namespace) -> int:
    from grader.authoring.course import load_course, read_secret
    from grader.exports.lms_common import quiz_items

    course = load_course(args.course)
    source = quiz_source(course=course, assignment_id=args.assignment,
                         secret=read_secret(course), variants=args.variants)
    if not source.exercises:
        raise SpecError(f"assignment {args.assignment} has no exercise a quiz can hold (all "
                        "ask for code: grade them with `cnn-grader gradescope package`)")
    items = quiz_items(source.exercises, as_choice=args.as_kind == "choice")
    if args.format == "moodle":
        from grader.exports.moodle import moodle_xml

        data = moodle_xml(items, category=f"{course.course_id}/{args.assignment}")
    else:
        from grader.exports.canvas import canvas_package

        data = canvas_package(items, quiz_id=f"{course.course_id}-{args.assignment}",
                              title=source.title)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    exercises = len({item.exercise_id for item in items})
    print(f"wrote {args.out}: {exercises} exercises x {args.variants} variants = {len(items)} "
          f"questions, {sum(item.feedbacks for item in items)} mistake feedbacks")
    lost = sum(len(item.unexpressed) for item in items)
    if lost:
        print(f"  {lost} mistake values could not be expressed (a different shape)")
    for exercise_id in source.skipped:
        print(f"  skipped {exercise_id}: it asks for code (use the Gradescope autograder)")
    return 0
