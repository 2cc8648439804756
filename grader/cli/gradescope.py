"""`cnn-grader gradescope package|run`: a Gradescope autograder for one assignment.

``package`` builds our wheel (``pip wheel --no-deps`` of this checkout, or a
wheel given with ``--wheel``) and writes the zip; ``run`` is what the zip's
``run_autograder`` calls for each submission.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from grader.errors import SpecError

# Standard-library modules are imported where used: `check` builds this parser too.


def register(subparsers: Any) -> None:
    gradescope = subparsers.add_parser(
        "gradescope", help="a Gradescope autograder zip, and what it runs",
        description="Package an assignment as a Gradescope autograder, or grade one "
        "submission the way the autograder does.")
    commands = gradescope.add_subparsers(dest="gradescope_command", metavar="COMMAND",
                                         required=True)
    package = commands.add_parser("package", help="write autograder.zip")
    package.add_argument("--assignment", required=True)
    package.add_argument("--course", type=Path, default=Path("course.yml"))
    package.add_argument("--out", type=Path, default=Path("autograder.zip"))
    package.add_argument("--wheel", type=Path, help="a built cnn-grader wheel to ship "
                         "(default: build one from this checkout)")
    package.set_defaults(func=run_package_command)
    run = commands.add_parser("run", help="grade one submission (run_autograder calls this)")
    run.add_argument("--assignment", required=True)
    run.add_argument("--root", type=Path, default=Path("/autograder"),
                     help="the Gradescope tree (submission/, results/, source/); tests pass a copy")
    run.add_argument("--insecure", action="store_true",
                     help="allow student code to run without a user switch (tests, not root)")
    run.set_defaults(func=run_run_command)


def run_run_command(args: argparse.Namespace) -> int:
    from grader.grading.gradescope_run import run_autograder

    document = run_autograder(root=args.root, assignment_id=args.assignment,
                              insecure=args.insecure)
    tests = document.get("tests", [])
    print(f"results.json written: score {document['score']:g}, {len(tests)} tests")
    return 0  # a result was written either way; Gradescope must read it


def run_package_command(args: argparse.Namespace) -> int:
    import tempfile

    from grader.authoring.course import load_course, read_secret
    from grader.exports.gradescope_package import autograder_zip

    course = load_course(args.course)
    course.assignment(args.assignment)  # an unknown id fails here, not on Gradescope
    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or build_wheel(Path(scratch))
        data = autograder_zip(
            assignment_id=args.assignment, wheel_name=wheel.name, wheel=wheel.read_bytes(),
            requirements=wheel_requirements(wheel), course_files=course_files(args.course),
            secret=read_secret(course))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data) // 1024} KiB): upload it as the autograder of "
          f"{args.assignment} (base image: Ubuntu 24.04)")
    return 0


def build_wheel(out_dir: Path) -> Path:
    """``pip wheel --no-deps`` of the checkout this package runs from."""
    import subprocess

    project = Path(__file__).resolve().parents[2]
    if not (project / "pyproject.toml").is_file():
        raise SpecError("not running from a source checkout: pass --wheel FILE")
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out_dir)]
    errors = []
    for extra in ([], ["--no-build-isolation"]):  # the second needs no index at all
        done = subprocess.run([*base, *extra, str(project)], capture_output=True, text=True,
                              check=False)
        wheels = sorted(out_dir.glob("cnn_grader-*.whl"))
        if done.returncode == 0 and wheels:
            break
        errors.append(done.stderr.strip()[-300:])
    else:
        raise SpecError("building the wheel failed: " + " / ".join(errors))
    return wheels[0]


def wheel_requirements(wheel: Path) -> list[str]:
    """The wheel's own dependencies (``Requires-Dist`` without an extra)."""
    import email.parser
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        name = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise SpecError("not a wheel: no METADATA", where=str(wheel))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    return [r.strip() for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]


def course_files(course_path: Path) -> dict[str, bytes]:
    """course.yml, its roster and its exercise files, by path relative to course.yml."""
    import yaml  # not at the top: `check` builds this parser at every save

    root = course_path.resolve().parent
    data = yaml.safe_load(course_path.read_text(encoding="utf-8")) or {}
    files = {"course.yml": course_path.read_bytes()}
    roster = data.get("roster")
    if isinstance(roster, str) and (root / roster).is_file():
        files[roster] = (root / roster).read_bytes()
    folder = root / str(data.get("exercises", "exercises"))
    for path in sorted(folder.rglob("*.y*ml")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files
