"""The speed targets of issue 15, before and after, side by side in one run.

"Before" is another commit (default ``BEFORE``) in a temporary ``git worktree``;
"after" is this checkout.  Both run through the command line (``python -m grader``,
``PYTHONPATH`` at the tree), each on its own demo course (exercises were added since)
with the same roster, secret and submission mix, in alternating rounds so that load
falls on both alike: batch grading (CPU of the whole process tree per submission,
submissions/s, peak RSS); ``check`` in a release folder against ``python -c "import
numpy"``, timed in turn; ``generate`` of every demo assignment for 1,000 students
(output on tmpfs); our overhead on an implementation submission beyond the student's
computing (``bench_impl_overhead.py``); after only, a variant rebuilt against read
from the variant store (``bench_variant_store.py``).  Both trees are byte-compiled
first, as an installed package is (with ``PYTHONDONTWRITEBYTECODE`` set, each command
would compile the grader again, which ``import numpy`` never does).

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

from results_md import replace_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_batch import MIX, profile_for  # noqa: E402
from bench_impl_overhead import impl_overhead  # noqa: E402
from bench_variant_store import store_versus_build  # noqa: E402

from grader.authoring.course import load_course  # noqa: E402
from grader.authoring.variant import build_assignment_variant  # noqa: E402

BEFORE = "829b38e"  # the version that landed before this wave (first build, stop 7)
SECTION = "## Speed targets (issue 15)"
SECRET = "5f3c9a0e7d2b4c6a8e1f3a5c7e9b0d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b"
SECRET_ENV = "CNN_GRADER_SECRET"
NOTES = REPO / "bench" / "speed_notes.md"  # where the time goes: written by hand


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


def course_copy(root: Path, tree: Path, students: int) -> Path:
    """``tree``'s demo course (each version reads its own) with ``students`` students."""
    course = root / "course"
    course.mkdir(parents=True)
    shutil.copy(tree / "course.yml", course / "course.yml")
    shutil.copytree(tree / "exercises", course / "exercises")
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


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def check_pairs(tree: Path, release: Path, rounds: int) -> list[tuple[tuple, tuple]]:
    """``rounds`` pairs of (wall, CPU): ``check``, then ``import numpy`` right after."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    check = [sys.executable, "-m", "grader", "check"]
    numpy = [sys.executable, "-c", "import numpy"]
    timed(check, env, release)
    return [(timed(check, env, release), timed(numpy, env, release)) for _ in range(rounds)]


def check_ratio(pairs: list[tuple[tuple, tuple]]) -> dict[str, float]:
    """Medians of ``check`` and of ``import numpy``: wall and CPU."""
    return {f"{name}_{what}": statistics.median(p[i][j] for p in pairs)
            for i, name in enumerate(("check", "numpy")) for j, what in enumerate(("wall", "cpu"))}


def compile_tree(tree: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(tree / "grader"),
                    str(tree / "solutions")], check=True, capture_output=True)


def generate(tree: Path, course: Path, assignment: str, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    return run(tree, "generate", "--course", str(course), "--assignment", assignment,
               "--out", str(out), cwd=course.parent)


def measure(trees: dict[str, Path], args: argparse.Namespace, root: Path, out: Path) -> dict:
    """Every figure for every tree; releases go to ``out`` (a tmpfs: the disk's cost of
    creating 17,000-22,000 files is the machine's, not ours)."""
    courses = {name: course_copy(root / f"course-{i}", tree, max(args.students, 1000))
               for i, (name, tree) in enumerate(trees.items())}
    course = courses["after"]
    assignments = [a.assignment_id for a in load_course(course).assignments]
    first = assignments[0]
    submissions = {name: root / f"submissions-{i}" for i, name in enumerate(trees)}
    for name, folder in submissions.items():  # the same mix, on each version's exercises
        write_submissions(courses[name], first, folder, args.students)
    results: dict = {name: {"grade": [], "generate": {}, "impl": []} for name in trees}
    for tree in trees.values():
        compile_tree(tree)
    for _ in range(args.rounds):
        for name, tree in trees.items():
            results[name]["grade"].append(grade(tree, courses[name], first,
                                                submissions[name], root / f"graded-{name}"))
            results[name]["impl"].append(impl_overhead(tree, args.impl_rounds))
    for assignment in assignments:
        for name, tree in trees.items():
            try:
                results[name]["generate"][assignment] = generate(
                    tree, courses[name], assignment, out / f"release-{name}")
            except SystemExit as error:  # an assignment the old version does not have
                results[name]["generate"][assignment] = str(error).splitlines()[0]
    for name, tree in trees.items():
        generate(tree, courses[name], first, out / f"release-{name}")
    releases = {name: out / f"release-{name}" / first / "s00000" for name in trees}
    pairs: dict[str, list] = {name: [] for name in trees}
    for _ in range(3):  # alternating blocks: load falls on both trees alike
        for name, tree in trees.items():
            pairs[name] += check_pairs(tree, releases[name], args.check_rounds)
    for name in trees:
        results[name]["check"] = check_ratio(pairs[name])
    results["store"] = store_versus_build(course, SECRET.encode())
    return results


def table(results: dict, args: argparse.Namespace) -> str:
    def best(name: str) -> dict:
        return min(results[name]["grade"], key=lambda r: r["cpu"])

    names = [name for name in results if name != "store"]
    lines = ["| target | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    n = args.students
    rows = [
        ("batch grading, submissions/s (target >= 100)",
         lambda k: f"{n / best(k)['wall']:.1f}"),
        ("batch grading, CPU ms per submission, whole tree (target <= 20)",
         lambda k: f"{1000 * best(k)['cpu'] / n:.1f}"),
        ("`check` / `import numpy`, wall (target <= 1.3)", lambda k: _ratio(results[k], "wall")),
        ("`check` / `import numpy`, CPU", lambda k: _ratio(results[k], "cpu")),
        ("a3 implementation submission: our overhead beyond the student's computing, "
         "ms wall (target <= 15)", lambda k: _impl(results[k]["impl"])),
        (f"grader peak RSS, {n} submissions (MB)", lambda k: f"{best(k)['rss_mb']:.0f}"),
    ]
    rows += [(f"`generate {a}`, 1,000 students: wall s (target <= 10) / CPU s",
              lambda k, a=a: _generated(results[k]["generate"].get(a)))
             for a in results[names[-1]]["generate"]]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(k) for k in names) + " |")
    store = results.get("store", {})
    if store:
        lines += ["", "A student's variant, CPU ms: rebuilt from the secret / read from the "
                  "variant store (after only; the store is new): " + "; ".join(
                      f"`{a}` {build:.1f} / {read:.1f}" for a, (build, read) in store.items())
                  + "."]
    return "\n".join(lines)


def _ratio(result: dict, what: str) -> str:
    check = result["check"]
    return "{:.2f} ({:.0f} ms / {:.0f} ms)".format(
        check[f"check_{what}"] / check[f"numpy_{what}"], 1000 * check[f"check_{what}"],
        1000 * check[f"numpy_{what}"])


def _impl(runs: list[dict]) -> str:
    runs = [r for r in runs if "overhead_s" in r]
    if not runs:
        return "n/a"
    best = min(runs, key=lambda r: r["overhead_s"])
    tree = f", {1000 * best['tree_cpu_s']:.0f} ms CPU" if best.get("tree_cpu_s") else ""
    return (f"{1000 * best['overhead_s']:.1f} ({1000 * best['grade_s']:.1f} ms grading - "
            f"{1000 * best['compute_s']:.1f} ms computing, {best['modules']} modules{tree})")


def _generated(value: object) -> str:
    if not isinstance(value, dict):
        return "n/a"
    return f"{value['wall']:.2f} / {value['cpu']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"git ref (default: {BEFORE})")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check-rounds", type=int, default=9)
    parser.add_argument("--impl-rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="100 students, prints only")
    args = parser.parse_args()
    if args.quick:
        args.students, args.rounds, args.check_rounds, args.impl_rounds = 100, 1, 5, 5
    fast = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp, \
            tempfile.TemporaryDirectory(prefix="bench-speed-out-", dir=fast) as out, \
            tree_at(args.before) as old:
        results = measure({f"before ({args.before})": old, "after": REPO}, args, Path(tmp),
                          Path(out))
    text = "\n".join([
        SECTION, "",
        f"Measured by `python bench/bench_speed.py` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{os.getloadavg()[0]:.1f} at the end.  Batch: assignment 1 of the demo course, "
        f"{args.students} submissions, 2 workers, best of {args.rounds} alternating rounds; "
        f"mix per 100: {', '.join(f'{k} {s}' for s, k in MIX)}.", "",
        table(results, args), "", NOTES.read_text(encoding="utf-8").strip(), ""])
    print(text)
    if not args.quick:
        write_section(text)


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


if __name__ == "__main__":
    main()
