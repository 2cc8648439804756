"""`cnn-grader report`: what the gradebook says about a class."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from grader.errors import SpecError


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report",
        help="the gradebook of an assignment and the class's common mistakes",
        description="Print one row per student from the gradebook and how many students "
        "made each recognised mistake (what to revisit in class).",
    )
    report.add_argument("--assignment", required=True)
    report.add_argument("--course", type=Path, default=Path("course.yml"))
    report.add_argument("--gradebook", type=Path, default=Path("graded/gradebook.db"))
    report.set_defaults(func=run_report_command)


def run_report_command(args: argparse.Namespace) -> int:
    from grader.authoring.course import load_course
    from grader.exports import report
    from grader.exports.gradebook import Gradebook

    if not args.gradebook.is_file():
        raise SpecError("no gradebook here; pass --gradebook PATH", where=str(args.gradebook))
    course_id = load_course(args.course).course_id
    with Gradebook(args.gradebook) as book:
        rows = book.current(course_id, args.assignment)
        counts = book.mistake_counts(course_id, args.assignment)
    print(report.gradebook_table(rows))
    print()
    print(report.mistake_table(counts, students=len(rows)))
    return 0
