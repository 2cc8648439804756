"""Grading commands: ``check`` (student), ``grade`` (grader, CI) and ``demo``."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import SpecError

if TYPE_CHECKING:  # `check` builds no parser (``grader.cli.main``)
    import argparse

# What the sandbox's zygote sets for the student's code (``sandbox.helper.CHILD_ENV``);
# ``check`` forks its children from itself, so they get the BLAS this process loaded.
ONE_BLAS_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


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
        "(--student with --submission).  Submission times come only from --submitted-at, "
        "--times or --trust-nbgrader-timestamps; without one no late penalty is applied.",
    )
    grade.add_argument("--assignment", required=True, help="the assignment id in course.yml")
    grade.add_argument("--course", type=Path, default=Path("course.yml"),
                       help="the course file (default: course.yml)")
    grade.add_argument("--submissions", type=Path,
                       help="a folder with one folder per student (named by student id)")
    grade.add_argument("--student", help="grade only this student (with --submission)")
    grade.add_argument("--submission", type=Path, help="the student's folder or notebook")
    grade.add_argument(
        "--out",
        type=Path,
        default=Path("graded"),
        help="where results.json, junit.xml, feedback.md and grades.csv go (default: graded)",
    )
    grade.add_argument(
        "--gradebook", type=Path, help="SQLite gradebook (default: OUT/gradebook.db)"
    )
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="worker processes (default: one per core)")
    grade.add_argument("--force", action="store_true",
                       help="re-grade unchanged submissions (default: skip them)")
    grade.add_argument(
        "--insecure", action="store_true",
        help="allow weaker isolation than this machine allows (default: refuse)",
    )
    grade.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="where to grade (default: local)")
    grade.add_argument("--scheduler", help="Dask scheduler address (with --executor dask)")
    _add_time_and_roster_options(grade)
    grade.set_defaults(func=run_grade_command)


def _add_time_and_roster_options(grade: Any) -> None:
    """Where submission times come from (one source, or none), and who is graded."""
    grade.add_argument(
        "--submitted-at",
        type=datetime.fromisoformat,
        help="one submission time for everyone (ISO 8601 with timezone) for the late "
        "policy (default: none, no late penalty)",
    )
    grade.add_argument(
        "--times", type=Path, metavar="FILE",
        help="CSV of submission times exported from the LMS: a student column (student_id, "
        "Student ID, SIS User ID, Email address, ...) and a time column (submitted_at, "
        "Submission time, ...) (default: none)",
    )
    grade.add_argument(
        "--trust-nbgrader-timestamps", action="store_true",
        help="take each submission's time from nbgrader's exchange timestamp.txt "
        "(default: off; never file times)",
    )
    grade.add_argument(
        "--allow-unlisted", action="store_true",
        help="also grade folders of students not on the roster (default: report them only)",
    )


def run_check_command(args: argparse.Namespace) -> int:
    """Exit 0 only when every check passes and every answer is given (1 otherwise,
    3 for a grader error), so that scripts and editors can rely on the status."""
    with _quick_start():
        import grader.authoring.public_cases  # noqa: F401 (run_check's, loaded here too)
        from grader.exports.check_report import all_passed, render_check
        from grader.grading.pipeline import run_check

    result = run_check(folder=args.folder)
    print(render_check(result), end="")
    if result.grader_error:
        return 3
    return 0 if all_passed(result) else 1


@contextlib.contextmanager
def _quick_start() -> Iterator[None]:
    """Loading ``check``'s modules (NumPy's above all) with the cyclic garbage collector
    paused, and NumPy's BLAS on one thread, as in the zygote; together about a fifth
    of what ``import numpy`` costs.  Loading makes no garbage worth a collection (the
    objects live to the end), and the collector runs again before any student code:
    the sandbox's children are forked from this process (``Sandbox(direct=True)``).
    An explicit thread count is kept; once NumPy is loaded nothing is changed."""
    if "numpy" not in sys.modules:
        for name in ONE_BLAS_THREAD:
            os.environ.setdefault(name, "1")
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def run_grade_command(args: argparse.Namespace) -> int:
    return _run_grade(args)


def _run_grade(args: argparse.Namespace) -> int:
    """``grade``: one student (``--student``) or a whole folder, then the CSV exports."""
    from grader.authoring.course import load_course
    from grader.grading.times import from_options

    course = load_course(args.course)
    course.assignment(args.assignment)  # an unknown assignment fails before anything
    times = from_options(submitted_at=args.submitted_at, times_file=args.times,
                         trust_nbgrader=args.trust_nbgrader_timestamps, roster=course.roster)
    gradebook = args.gradebook or args.out / "gradebook.db"
    if args.student is not None or args.submission is not None:
        if args.student is None or args.submission is None:
            raise SpecError("--student and --submission go together")
        args.out.mkdir(parents=True, exist_ok=True)
        code = _grade_single(args, course, gradebook, times)
    elif not args.submissions:
        raise SpecError("give --submissions DIR, or --student S with --submission DIR")
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        code = _grade_many(args, course, gradebook, times)
    path = _export_csv(course.course_id, args.assignment, gradebook, args.out)
    print(f"grades: {path} (and {path.with_name('grades-long.csv').name})")
    return code


def _grade_single(args: argparse.Namespace, course: Any, gradebook: Path, times: Any) -> int:
    from grader.grading.pipeline import grade_one

    result = grade_one(
        course=course,
        assignment_id=args.assignment,
        student_id=args.student,
        submission=args.submission,
        out_dir=args.out,
        gradebook_path=gradebook,
        insecure=args.insecure,
        allow_unlisted=args.allow_unlisted,
        times=times,
    )
    from grader.exports.feedback import format_score

    late = (f"; {result.late_days} day(s) late, {result.late_penalty:.0%} off"
            if result.late_penalty else "")
    if not times.given and course.assignment(args.assignment).late_policy is not None:
        late = "; no submission time given: no late penalty applied"
    print(
        f"{result.student_id}: {format_score(result.score)} / {format_score(result.max_score)}"
        f"{late} "
        f"(isolation: {result.isolation}); outputs in {args.out / args.assignment}"
    )
    if "refused" in dict(result.meta):
        print(f"  refused: {dict(result.meta)['refused']}")
    return 3 if result.grader_error else 0


NAMES_SHOWN = 20  # names of a list printed at most; batch-summary.txt has them all


def _grade_many(args: argparse.Namespace, course: Any, gradebook: Path, times: Any) -> int:
    from grader.authoring.course import read_secret
    from grader.grading.batch import grade_batch
    from grader.grading.tally import summary_lines

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
        times=times,
        allow_unlisted=args.allow_unlisted,
    )
    every = summary_lines(summary)
    record = args.out / args.assignment / "batch-summary.txt"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text("\n".join(every) + "\n", encoding="utf-8")
    first, *rest = shown = summary_lines(summary, names_shown=NAMES_SHOWN)
    print(first)
    for line in rest:
        print(line, file=sys.stderr if line.startswith("  ") else sys.stdout)
    if shown != every:
        print(f"every name: {record}")
    return 3 if summary.grader_errors or summary.failures else 0


def _export_csv(course_id: str, assignment_id: str, gradebook: Path, out: Path) -> Path:
    from grader.exports.gradebook import Gradebook

    path = out / assignment_id / "grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(gradebook) as book:
        book.export_csv(path, course_id=course_id, assignment_id=assignment_id)
        book.export_long_csv(path.with_name("grades-long.csv"), course_id=course_id,
                             assignment_id=assignment_id)
    return path
