"""Grading commands: ``check`` (student), ``grade`` (grader, CI) and ``demo``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.errors import SpecError


def register(subparsers: Any) -> None:
    check = subparsers.add_parser(
        "check",
        help="run the public tests of your release folder",
        description="Run the public tests in a release folder, with the grader's messages.",
    )
    check.add_argument("folder", nargs="?", default=".", type=Path, help="default: .")
    check.set_defaults(func=run_check_command)

    grade = subparsers.add_parser(
        "grade",
        help="grade submissions into the gradebook and output files",
        description="Grade one folder per student (--submissions) or one student "
        "(--student with --submission).",
    )
    grade.add_argument("--assignment", required=True)
    grade.add_argument("--course", type=Path, default=Path("course.yml"))
    grade.add_argument("--submissions", type=Path, help="a folder with one folder per student")
    grade.add_argument("--student", help="grade only this student (with --submission)")
    grade.add_argument("--submission", type=Path, help="the student's folder or notebook")
    grade.add_argument(
        "--out",
        type=Path,
        default=Path("graded"),
        help="where results.json, junit.xml, feedback.md go (default: graded)",
    )
    grade.add_argument(
        "--gradebook", type=Path, help="SQLite gradebook (default: OUT/gradebook.db)"
    )
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    grade.add_argument("--force", action="store_true", help="re-grade unchanged submissions")
    grade.add_argument(
        "--insecure", action="store_true", help="allow weaker isolation than this machine allows"
    )
    grade.add_argument("--executor", choices=("local", "dask"), default="local")
    grade.add_argument("--scheduler", help="Dask scheduler address (with --executor dask)")
    grade.add_argument(
        "--submitted-at",
        type=datetime.fromisoformat,
        help="submission time (ISO 8601) for the late policy",
    )
    grade.set_defaults(func=run_grade_command)



def run_check_command(args: argparse.Namespace) -> int:
    """Exit 0 only when every check passes and every answer is given (1 otherwise,
    3 for a grader error), so that scripts and editors can rely on the status."""
    from grader.exports.check_report import all_passed, render_check
    from grader.grading.pipeline import run_check

    result = run_check(folder=args.folder)
    print(render_check(result), end="")
    if result.grader_error:
        return 3
    return 0 if all_passed(result) else 1


def run_grade_command(args: argparse.Namespace) -> int:
    from grader.authoring.course import load_course

    course = load_course(args.course)
    gradebook = args.gradebook or args.out / "gradebook.db"
    args.out.mkdir(parents=True, exist_ok=True)
    if args.student or args.submission:
        return _grade_single(args, course, gradebook)
    if not args.submissions:
        raise SpecError("give --submissions DIR, or --student S with --submission DIR")
    return _grade_many(args, course, gradebook)


def _grade_single(args: argparse.Namespace, course: Any, gradebook: Path) -> int:
    from grader.grading.pipeline import grade_one

    if not (args.student and args.submission):
        raise SpecError("--student and --submission go together")
    result = grade_one(
        course=course,
        assignment_id=args.assignment,
        student_id=args.student,
        submission=args.submission,
        out_dir=args.out,
        gradebook_path=gradebook,
        insecure=args.insecure,
        submitted_at=args.submitted_at,
    )
    from grader.exports.feedback import format_score

    print(
        f"{result.student_id}: {format_score(result.score)} / {format_score(result.max_score)} "
        f"(isolation: {result.isolation}); outputs in {args.out / args.assignment}"
    )
    return 3 if result.grader_error else 0


def _grade_many(args: argparse.Namespace, course: Any, gradebook: Path) -> int:
    from grader.authoring.course import read_secret
    from grader.grading.batch import grade_batch

    if args.executor == "dask" and not args.scheduler:
        raise SpecError("--executor dask needs --scheduler ADDRESS")
    summary = grade_batch(
        course=course,
        assignment_id=args.assignment,
        submissions_dir=args.submissions,
        secret=read_secret(course),
        gradebook_path=gradebook,
        workers=args.workers,
        force=args.force,
        insecure=args.insecure,
        policy=course.assignment(args.assignment).late_policy,
        scheduler=args.scheduler if args.executor == "dask" else None,
        out_dir=args.out,
        submitted_at=args.submitted_at,
    )
    _export_csv(course.course_id, args.assignment, gradebook, args.out)
    print(
        f"graded {summary.graded}, unchanged {summary.skipped}, grader errors "
        f"{summary.grader_errors}, not graded {len(summary.failures)} "
        f"in {summary.seconds:.1f} s with {summary.workers} worker(s)"
    )
    for student, reason in summary.failures:
        print(f"  {student}: {reason}", file=sys.stderr)
    return 3 if summary.grader_errors or summary.failures else 0


def _export_csv(course_id: str, assignment_id: str, gradebook: Path, out: Path) -> None:
    from grader.exports.gradebook import Gradebook

    with Gradebook(gradebook) as book:
        book.export_csv(
            out / assignment_id / "grades.csv", course_id=course_id, assignment_id=assignment_id
        )
