"""``cnn-grader nbgrader ...``: our exercises as an nbgrader course with per-student variants.

Typical order (see docs/nbgrader.md)::

    cnn-grader nbgrader export  --assignment A --course-dir DIR
    nbgrader generate_assignment A            (in DIR)
    cnn-grader nbgrader release --assignment A --course-dir DIR
    ... students submit; nbgrader autograde A; nbgrader generate_feedback A
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    group = subparsers.add_parser(
        "nbgrader",
        help="export to and release through an nbgrader course",
        description="Use the exercises in an nbgrader course without losing per-student "
        "variants: export the source notebook, then release one notebook and one "
        "answer key per student.",
    )
    commands = group.add_subparsers(dest="nbgrader_command", metavar="STEP", required=True)
    steps = (
        ("export", run_export, "write nbgrader_config.py and source/A/A.ipynb"),
        ("release", run_release, "after `nbgrader generate_assignment A`: one notebook and "
                                 "one answer key per student"),
        ("keys", run_keys, "(re)write only the instructor's answer keys used by autograde"),
    )
    for name, func, text in steps:
        step = commands.add_parser(name, help=text, description=text)
        step.add_argument("--assignment", required=True)
        step.add_argument("--course-dir", required=True, type=Path,
                          help="the nbgrader course root")
        step.add_argument("--course", type=Path, default=Path("course.yml"))
        if name != "export":
            step.add_argument("--students", help="comma-separated ids (default: the roster)")
        step.set_defaults(func=func)


def run_export(args: argparse.Namespace) -> int:
    from grader.nbgrader.course import export_course

    _, variant_for = _variants(args)
    for path in export_course(course_dir=args.course_dir, assignment_id=args.assignment,
                              variant_for=variant_for):
        print(f"wrote {path}")
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment {args.assignment}"
          " (with --force if it was generated before)")
    return 0


def run_release(args: argparse.Namespace) -> int:
    from grader.nbgrader.course import release_students

    course, variant_for = _variants(args)
    written = release_students(course_dir=args.course_dir, assignment_id=args.assignment,
                               students=_students(args, course), variant_for=variant_for)
    print(f"released {len(written)} student notebooks under "
          f"{args.course_dir / 'cnn_grader' / 'release'}; keys under "
          f"{args.course_dir / 'cnn_grader' / 'keys'} (instructor only)")
    return 0


def run_keys(args: argparse.Namespace) -> int:
    from grader.nbgrader.course import write_keys

    course, variant_for = _variants(args)
    written = write_keys(course_dir=args.course_dir, assignment_id=args.assignment,
                         students=_students(args, course), variant_for=variant_for)
    print(f"wrote {len(written)} answer keys under {args.course_dir / 'cnn_grader' / 'keys'}")
    return 0


def _variants(args: argparse.Namespace) -> tuple[Any, Any]:
    """The course and a function from student id to that student's variant."""
    from grader.authoring.course import read_secret
    from grader.authoring.variant import build_assignment_variant, load_course

    course = load_course(args.course)
    course.assignment(args.assignment)  # fails early, naming the known assignments
    secret = read_secret(course)

    def variant_for(student_id: str) -> Any:
        return build_assignment_variant(course, args.assignment, student_id, secret)

    return course, variant_for


def _students(args: argparse.Namespace, course: Any) -> list[str]:
    from grader.errors import SpecError

    if args.students:
        return [s.strip() for s in args.students.split(",") if s.strip()]
    if not course.roster:
        raise SpecError(f"{course.source} has no roster; pass --students a,b,c")
    return [student.student_id for student in course.roster]
