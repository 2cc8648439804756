"""`cnn-grader demo`: the whole round trip on the demo course, in one folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="generate, submit and grade the demo course in one folder",
        description="Generate an assignment of the demo course for the sample roster, write "
        "a correct, a blank, a mistaken, a malicious submission and more, grade "
        "them all, and print the gradebook and one student's feedback.",
    )
    demo.add_argument("--out", type=Path, default=Path("demo-out"))
    demo.add_argument("--course", type=Path)
    demo.add_argument(
        "--assignment",
        action="append",
        help="an assignment to run (repeatable; default: all of them)",
    )
    demo.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    demo.set_defaults(func=run_demo_command)


def run_demo_command(args: argparse.Namespace) -> int:
    from grader.cli.demo_run import (
        assignment_notes,
        find_course_file,
        gradebook_table,
        isolation_note,
        richest_feedback,
        run_demo,
    )

    run = run_demo(
        out_dir=args.out,
        course_path=args.course or find_course_file(),
        assignment_ids=tuple(args.assignment or ()),
        workers=args.workers,
    )
    for assignment_id in run.assignment_ids:
        print(f"\nGradebook of {assignment_id}:\n")
        print(gradebook_table(run, assignment_id))
        for note in assignment_notes(run, assignment_id):
            print(f"  {note}")
    feedback = richest_feedback(run)
    if feedback is not None and feedback.is_file():
        print(f"\nFeedback of the student with modeled mistakes ({feedback}):\n")
        print(feedback.read_text(encoding="utf-8"))
    print(f"Graded under {isolation_note(run)}.")
    for path in run.reports:
        print(f"Class report (open in a browser): {path}")
    print(f"Everything is in {run.out_dir}/: release/, submissions/, graded/, gradebook.db, "
          "report-*.html")
    return 0
