"""``cnn-grader secret new``: write a strong course secret where the course looks for it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    group = subparsers.add_parser(
        "secret",
        help="make the course secret",
        description="The course secret decides every student's numbers; it must be at "
        "least 128 random bits (a student can test guesses against their own handout).",
    )
    commands = group.add_subparsers(dest="secret_command", metavar="STEP", required=True)
    new = commands.add_parser(
        "new",
        help="write a new 256-bit secret to the course's secret file (mode 0600)",
        description="Write a new 256-bit secret to the file named by `secret: {file: ...}` "
        "in course.yml, readable only by you.  Keep that file out of git.",
    )
    new.add_argument("--course", type=Path, default=Path("course.yml"),
                     help="the course file (default: course.yml)")
    new.add_argument("--force", action="store_true",
                     help="replace an existing secret file (default: refuse; every "
                     "released variant depends on the old secret)")
    new.set_defaults(func=run_secret_new)


def run_secret_new(args: argparse.Namespace) -> int:
    from grader.authoring.course import load_course
    from grader.authoring.secret_file import write_new_secret

    path = write_new_secret(load_course(args.course), replace=args.force)
    print(f"wrote a new course secret to {path} (mode 0600); keep it out of git and back it up:"
          " without it the course cannot be graded")
    return 0
