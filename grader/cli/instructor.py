"""Instructor commands: ``validate`` (the course and every exercise) and ``generate``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from grader.errors import SpecError

# The authoring stack (YAML, Jinja2, kinds) is imported inside the commands: every
# ``cnn-grader`` call builds this module's parser, including a student's ``check``.

VALIDATION_STUDENTS = ("validate-1", "validate-2", "validate-3")
VALIDATION_SECRET = b"cnn-grader validation only"


def register(subparsers: Any) -> None:
    validate = subparsers.add_parser(
        "validate", help="check course.yml, the roster and every exercise file",
        description="Check course.yml, the roster and every exercise; list every problem "
                    "as file:line: key.path: what was expected.")
    validate.add_argument("--course", type=Path, default=None,
                          help="the course file (default: course.yml)")
    validate.add_argument("old_course", nargs="?", type=Path, metavar="COURSE",
                          help="deprecated spelling of --course COURSE")
    validate.set_defaults(func=run_validate)

    generate = subparsers.add_parser(
        "generate", help="write every student's release of an assignment",
        description="Write OUT/ASSIGNMENT/STUDENT/ for every student on the roster.")
    generate.add_argument("--assignment", required=True, help="assignment id from course.yml")
    generate.add_argument("--out", required=True, type=Path, help="output folder")
    generate.add_argument("--roster", type=Path, help="roster CSV (default: the course's)")
    generate.add_argument("--course", type=Path, default=Path("course.yml"),
                          help="the course file")
    generate.add_argument("--workers", type=int, default=0,
                          help="processes to build students in; 0 means one per CPU")
    generate.add_argument("--force", action="store_true",
                          help="replace an existing release of this assignment")
    generate.set_defaults(func=run_generate)


def run_validate(args: argparse.Namespace) -> int:
    if args.old_course is not None and args.course is not None:
        raise SpecError("give the course file once, as --course COURSE")
    course = args.course or args.old_course or Path("course.yml")
    summary = validate_course(course_path=course)
    print(summary)
    return 0


def validate_course(*, course_path: Path) -> str:
    """Load everything and build sample variants; raises ``SpecError`` listing problems."""
    from grader.authoring.course import load_course
    from grader.authoring.diagnose import locate_failure
    from grader.authoring.spec import default_kind_lookup as get_kind
    from grader.authoring.variant import build_exercise_variant
    from grader.authoring.yamldoc import SpecProblems, read_yaml

    course = load_course(course_path)
    problems = []
    for spec in course.exercises.values():  # catches unsatisfiable constraints and prompts
        kind = get_kind(spec.kind)
        try:
            for student in VALIDATION_STUDENTS:
                build_exercise_variant(spec, secret=VALIDATION_SECRET, points=spec.points,
                                       path=(course.course_id, "validate", spec.exercise_id,
                                             student), kind=kind)
        except SpecError as error:
            problems.append(locate_failure(spec, read_yaml(Path(spec.source)), error,
                                           secret=VALIDATION_SECRET, kind=kind))
    if problems:
        raise SpecProblems(problems)
    counts = ", ".join(f"{a.assignment_id} ({plural(len(a.exercises), 'exercise')}, "
                       f"{plural(sum(e.points for e in a.exercises), 'point')})"
                       for a in course.assignments)
    return (f"{course_path}: course {course.course_id} is valid: "
            f"{plural(len(course.exercises), 'exercise')}, "
            f"{plural(len(course.roster), 'student')}, assignments {counts}")


def plural(count: float, noun: str) -> str:
    return f"{count:g} {noun}" + ("" if count == 1 else "s")


def run_generate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    final, count = generate_release(
        course_path=Path(args.course), assignment_id=args.assignment, roster_path=args.roster,
        out_dir=args.out, replace=args.force, workers=args.workers or available_cpus(),
        stream=sys.stderr)
    seconds = time.perf_counter() - started
    print(f"wrote {plural(count, 'student folder')} to {final} in {seconds:.1f} s")
    return 0


def generate_release(*, course_path: Path, assignment_id: str, roster_path: Path | None,
                     out_dir: Path, replace: bool = False, workers: int = 1,
                     stream: TextIO | None = None) -> tuple[Path, int]:
    """Validate, read the secret, and write the release; nothing is written on error."""
    from grader.authoring.course import load_course, load_roster, read_secret
    from grader.authoring.release import write_release

    course = load_course(course_path)
    course.assignment(assignment_id)
    students = load_roster(roster_path) if roster_path else course.roster
    if not students:
        raise SpecError("no students: give --roster FILE or a roster in the course file",
                        where=str(course_path))
    secret = read_secret(course)
    progress = ProgressBar(stream) if stream is not None and stream.isatty() else None
    final = write_release(course, assignment_id, students, secret, out_dir,
                          progress=progress, replace=replace, workers=workers)
    if progress:
        progress.finish()
    return final, len(students)


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ProgressBar:
    """A one-line bar on a terminal, redrawn at most ~20 times a second."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self._stream = stream
        self._width = width
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.05:
            return
        self._last = now
        filled = self._width * done // max(total, 1)
        bar = "#" * filled + "." * (self._width - filled)
        self._stream.write(f"\r[{bar}] {done}/{total}")
        self._stream.flush()

    def finish(self) -> None:
        self._stream.write("\n")
        self._stream.flush()
