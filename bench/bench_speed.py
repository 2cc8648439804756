"""The speed targets of issue 15, before and after, side by side in one run.

"Before" is another commit of this repository (default: ``BEFORE``, the last landed
version before the speed work), checked out with ``git worktree`` into a temporary
folder; "after" is this checkout.  Both are driven through the command line
(``python -m grader ...`` with ``PYTHONPATH`` pointing at the tree), which both
versions share, on the same course copy, roster, secret and submission files, and
measured in alternating rounds so that load on the machine falls on both alike:

* batch grading of the bench's mix (right, mistaken, half-right, blank, slow,
  malicious), whole process tree CPU per submission and submissions/s;
* ``check`` in a release folder against ``python -c "import numpy"``, timed in turn;
* ``generate`` of every demo assignment for 1,000 students;
* the grader's peak memory at 100 and at ``--big`` submissions.

    .venv/bin/python bench/bench_speed.py            # prints, rewrites its RESULTS.md section
    .venv/bin/python bench/bench_speed.py --quick    # smaller, prints only
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_batch import MIX, profile_for  # noqa: E402

from grader.authoring.course import load_course  # noqa: E402
from grader.authoring.variant import build_assignment_variant  # noqa: E402

BEFORE = "829b38e"  # the version that landed before this wave (first build, stop 7)
SECTION = "## Speed targets (issue 15)"
SECRET = "5f3c9a0e7d2b4c6a8e1f3a5c7e9b0d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b"
SECRET_ENV = "CNN_GRADER_SECRET"


@contextlib.contextmanager
def tree_at(ref: str) -> Iterator[Path]:
    """A detached worktree of ``ref`` (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=REPO,
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=REPO,
                       check=False, capture_output=True)


def course_copy(root: Path, students: int) -> Path:
    """The demo course with a roster of ``students`` bench students."""
    course = root / "course"
    course.mkdir()
    shutil.copy(REPO / "course.yml", course / "course.yml")
    shutil.copytree(REPO / "exercises", course / "exercises")
    with (course / "roster.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "email"])
        for index in range(students):
            writer.writerow([f"s{index:05d}", f"Student {index}", f"s{index:05d}@example.org"])
    return course / "course.yml"


def write_submissions(course_path: Path, assignment_id: str, out: Path, count: int) -> None:
    course = load_course(course_path)
    for index in range(count):
        student_id = f"s{index:05d}"
        variant = build_assignment_variant(course, assignment_id, student_id, SECRET.encode())
        folder = out / student_id
        folder.mkdir(parents=True)
        for name, data in profile_for(index)(variant).items():
            if name != "timestamp.txt":
                (folder / name).write_bytes(data)


def run(tree: Path, *arguments: str, cwd: Path) -> dict:
    """One ``python -m grader`` command of ``tree``: wall, CPU of its whole process tree
    (every descendant is reaped, so RUSAGE_CHILDREN holds it) and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(tree), SECRET_ENV: SECRET}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "grader", *arguments], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: grader {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_mb": after.ru_maxrss / 1024, "out": done.stdout}


def grade(tree: Path, course: Path, assignment: str, submissions: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    return run(tree, "grade", "--course", str(course), "--assignment", assignment,
               "--submissions", str(submissions), "--out", str(out), "--workers", "2",
               cwd=course.parent)


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def check_ratio(tree: Path, release: Path, rounds: int) -> tuple[float, float]:
    """Median ``check`` and median ``import numpy``, the two timed in turn."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    check = [sys.executable, "-m", "grader", "check"]
    numpy = [sys.executable, "-c", "import numpy"]
    timed(check, env, release)
    pairs = [(timed(check, env, release), timed(numpy, env, release)) for _ in range(rounds)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def generate(tree: Path, course: Path, assignment: str, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    return run(tree, "generate", "--course", str(course), "--assignment", assignment,
               "--out", str(out), cwd=course.parent)["wall"]


def measure(trees: dict[str, Path], args: argparse.Namespace, root: Path) -> dict:
    course = course_copy(root, max(args.students, 1000))
    assignments = [a.assignment_id for a in load_course(course).assignments]
    first = assignments[0]
    submissions = root / "submissions"
    write_submissions(course, first, submissions, args.students)
    results: dict = {name: {"grade": [], "generate": {}} for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            results[name]["grade"].append(
                grade(tree, course, first, submissions, root / f"graded-{name}"))
    for name, tree in trees.items():
        for assignment in assignments:
            try:
                results[name]["generate"][assignment] = generate(
                    tree, course, assignment, root / f"release-{name}")
            except SystemExit as error:  # an assignment the old version does not have
                results[name]["generate"][assignment] = str(error).splitlines()[0]
        generate(tree, course, first, root / f"release-{name}")
        release = root / f"release-{name}" / first / "s00000"
        results[name]["check"] = check_ratio(tree, release, args.check_rounds)
    return results


def table(results: dict, args: argparse.Namespace) -> str:
    def best(name: str) -> dict:
        return min(results[name]["grade"], key=lambda r: r["cpu"])

    names = list(results)
    lines = ["| target | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    n = args.students
    rows = [
        ("batch grading, submissions/s (target >= 100)",
         lambda k: f"{n / best(k)['wall']:.1f}"),
        ("batch grading, CPU ms per submission, whole tree (target <= 20)",
         lambda k: f"{1000 * best(k)['cpu'] / n:.1f}"),
        ("`check` / `import numpy` (target <= 1.3)",
         lambda k: "{:.2f} ({:.3f} s / {:.3f} s)".format(
             results[k]["check"][0] / results[k]["check"][1], *results[k]["check"])),
        (f"grader peak RSS, {n} submissions (MB)", lambda k: f"{best(k)['rss_mb']:.0f}"),
    ]
    rows += [(f"`generate {a}`, 1,000 students, s (target <= 10)",
              lambda k, a=a: _seconds(results[k]["generate"].get(a)))
             for a in results[names[-1]]["generate"]]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(k) for k in names) + " |")
    return "\n".join(lines)


def _seconds(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"git ref (default: {BEFORE})")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check-rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="100 students, prints only")
    args = parser.parse_args()
    if args.quick:
        args.students, args.rounds, args.check_rounds = 100, 1, 5
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp, tree_at(args.before) as old:
        results = measure({f"before ({args.before})": old, "after": REPO}, args, Path(tmp))
    text = "\n".join([
        SECTION, "",
        f"Measured by `python bench/bench_speed.py` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{os.getloadavg()[0]:.1f} at the end.  Batch: assignment 1 of the demo course, "
        f"{args.students} submissions, 2 workers, best of {args.rounds} alternating rounds; "
        f"mix per 100: {', '.join(f'{k} {s}' for s, k in MIX)}.", "",
        table(results, args), ""])
    print(text)
    if not args.quick:
        write_section(text)


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md (heading to the next ``## ``) only."""
    path = REPO / "bench" / "RESULTS.md"
    old = path.read_text(encoding="utf-8")
    start = old.find(SECTION)
    if start < 0:
        new = old.rstrip() + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text.rstrip() + "\n\n" + (old[end + 1:] if end >= 0 else "")
    path.write_text(new.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
