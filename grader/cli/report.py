"""`cnn-grader report` and `cnn-grader similar`: what the gradebook says about a class."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from grader.errors import SpecError

SHOWN_PAIRS = 10


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report",
        help="the gradebook of an assignment, the class's common mistakes, an HTML report",
        description="Print one row per student from the gradebook and how many students "
        "made each recognised mistake (what to revisit in class); with --html also write "
        "a self-contained page with plots, item statistics, fairness of variants and copy "
        "evidence (docs/report.md).",
    )
    _common(report)
    report.add_argument("--html", type=Path, help="write the class report page here")
    report.add_argument(
        "--feedback", type=Path,
        help="the grading --out folder, to link each student's feedback.md "
        "(default: the gradebook's folder)",
    )
    report.set_defaults(func=run_report_command)

    similar = subparsers.add_parser(
        "similar",
        help="answers that fit a classmate's variant (evidence for a closer look)",
        description="List pairs of students whose wrong answers are right for a classmate's "
        "numbers, or who share wrong answers no modeled mistake explains, ranked by how "
        "unlikely that is by chance.  Needs the course secret (variants are rebuilt).",
    )
    _common(similar)
    similar.add_argument("--all", action="store_true",
                         help=f"list every pair found, not only the top {SHOWN_PAIRS}")
    similar.set_defaults(func=run_similar_command)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--assignment", required=True, help="the assignment id in course.yml")
    parser.add_argument("--course", type=Path, default=Path("course.yml"),
                        help="the course file (default: course.yml)")
    parser.add_argument("--gradebook", type=Path, default=Path("graded/gradebook.db"),
                        help="the SQLite gradebook (default: graded/gradebook.db)")


def run_report_command(args: argparse.Namespace) -> int:
    from grader.authoring.course import load_course
    from grader.exports import report
    from grader.exports.gradebook import Gradebook

    if not args.gradebook.is_file():
        raise SpecError("no gradebook here; pass --gradebook PATH", where=str(args.gradebook))
    course = load_course(args.course)
    course.assignment(args.assignment)
    with Gradebook(args.gradebook) as book:
        rows = book.current(course.course_id, args.assignment)
        counts = book.mistake_counts(course.course_id, args.assignment)
    graded = {row.student_id for row in rows}
    missing = [s.student_id for s in course.roster if s.student_id not in graded]
    print(report.gradebook_table(rows))
    for line in report.missing_lines(missing):
        print(line)
    print()
    print(report.mistake_table(counts, students=len(rows)))
    if args.html:
        path = _write_html(args, course)
        print(f"\nClass report: {path}")
    return 0


def _write_html(args: argparse.Namespace, course: Any) -> Path:
    from grader.grading.class_data import write_assignment_report

    return write_assignment_report(
        course=course, assignment_id=args.assignment, gradebook_path=args.gradebook,
        html_path=args.html, feedback_root=args.feedback or args.gradebook.parent,
        secret=_secret_or_none(course),
    )


def _secret_or_none(course: Any) -> bytes | None:
    from grader.authoring.course import read_secret

    try:
        return read_secret(course)
    except SpecError:
        print("(no course secret: the report leaves out fairness of variants and copy "
              "evidence)")
        return None


def run_similar_command(args: argparse.Namespace) -> int:
    from grader.authoring.course import load_course, read_secret
    from grader.grading.class_data import class_data

    course = load_course(args.course)
    course.assignment(args.assignment)
    data = class_data(course=course, assignment_id=args.assignment,
                      gradebook_path=args.gradebook, secret=read_secret(course))
    sim = data.similarity
    assert sim is not None  # a secret was given
    print(f"{len(sim.flagged)} pair(s) above the threshold among {sim.students} students "
          f"and {sim.total_items} items (evidence to look at, not a finding).")
    for title, pairs in (("Wrong answers right for a classmate's numbers", sim.fits),
                         ("The same wrong answer, unexplained", sim.same_wrong)):
        shown = pairs if args.all else pairs[:SHOWN_PAIRS]
        print(f"\n{title}: {len(pairs)} pair(s)" + ("" if len(shown) == len(pairs)
                                                    else f", top {len(shown)}"))
        for pair in shown:
            mark = "above threshold" if pair.flagged else "below threshold"
            print(f"  [{mark}; expected by chance {pair.expected:.2g}] {pair.sentence()}")
    return 0
