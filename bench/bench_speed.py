"""The speed targets of issue 15, before and after, side by side in one run.

"Before" is another commit (default ``BEFORE``) in a temporary ``git worktree``; "after"
is this checkout. Both run through the command line (``python -m grader``,
``PYTHONPATH`` at the tree), each on its own demo course (exercises were added since)
with the same roster, secret and submission mix, in alternating rounds so that load
falls on both alike: batch grading (CPU of the whole process tree per submission,
submissions/s, peak RSS); ``check`` in a release folder against ``python -c "import
numpy"``, timed in turn; ``generate`` of every demo assignment for 1,000 students
(output on tmpfs, as the graded batch's output: see ``measure``); our overhead on an
implementation submission beyond the student's computing (``bench_impl_overhead.py``);
after only, a variant rebuilt against read from the variant store
(``bench_variant_store.py``) and nbgrader's autograde beside ours per notebook
(``bench_nbgrader.py``; nbgrader is the same for both); grader memory at 100, 1,000 and
10,000 submissions, the peak PSS of the whole process tree (``bench_memory.py``). Every
target prints with before, after and met / not met (``speed_table.py``). Both trees are
byte-compiled first, as an installed package is (with ``PYTHONDONTWRITEBYTECODE`` set,
each command would compile the grader again, which ``import numpy`` never does).

    .venv/bin/python bench/bench_speed.py            # prints, rewrites its RESULTS.md section
    .venv/bin/python bench/bench_speed.py --quick    # smaller (no 10,000), prints only
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import resource
import shutil
import signal
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
from bench_memory import memory_curve, subset  # noqa: E402
from bench_nbgrader import per_notebook  # noqa: E402
from bench_variant_store import store_versus_build  # noqa: E402
from speed_table import table  # noqa: E402

from grader.authoring.course import load_course  # noqa: E402
from grader.authoring.variant import build_assignment_variant  # noqa: E402

BEFORE = "829b38e"  # the version that landed before this wave (first build, stop 7)
SECTION = "## Speed targets (issue 15)"
SECRET = "5f3c9a0e7d2b4c6a8e1f3a5c7e9b0d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b"
SECRET_ENV = "CNN_GRADER_SECRET"
GENERATE_STUDENTS = 1000  # the generate target is for a class of 1,000
NOTES = REPO / "bench" / "speed_notes.md"  # where the time goes: written by hand


@contextlib.contextmanager
def tree_at(ref: str) -> Iterator[Path]:
    """A detached worktree of ``ref`` (removed afterwards)."""
    known = subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=REPO,
                           capture_output=True, check=False)
    if known.returncode:
        raise SystemExit(f"{ref} is not in this clone's history (a shallow clone? "
                         "`git fetch --unshallow`), or pass --before REF")
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    try:
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=REPO,
                       check=True, capture_output=True)
        yield folder
    finally:  # also on Ctrl-C (KeyboardInterrupt) and SIGTERM (see main)
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=REPO,
                       check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=False,
                       capture_output=True)


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
    """Every figure for every tree; releases and graded batches go to ``out`` (a tmpfs:
    the disk's cost of creating 17,000-22,000 release files, or a batch's three files
    and folder a student, is the machine's, not ours; on the VMs these figures come
    from a new inode on the ext4 disk cost ~0.5 ms of kernel CPU while both cores were
    busy, ~0.02 ms on tmpfs).  One batch of "after" is graded onto the disk as well
    (``results["disk"]``), so the table says what the disk adds."""
    most = max(args.students, *args.memory_counts)
    courses = {name: course_copy(root / f"course-{i}", tree, max(most, 1000))
               for i, (name, tree) in enumerate(trees.items())}
    course = courses["after"]
    assignments = [a.assignment_id for a in load_course(course).assignments]
    first = assignments[0]
    every = {name: root / f"all-submissions-{i}" for i, name in enumerate(trees)}
    for name, folder in every.items():  # the same mix, on each version's exercises
        write_submissions(courses[name], first, folder, most)
    submissions = {name: subset(every[name], root / f"submissions-{i}", args.students)
                   for i, name in enumerate(trees)}
    results: dict = {name: {"grade": [], "generate": {}, "impl": [], "memory": {}}
                     for name in trees}
    for count in args.memory_counts:  # alternating, as the rest
        for name, tree in trees.items():
            results[name]["memory"].update(memory_curve(
                tree, courses[name], first, every[name], [count], {SECRET_ENV: SECRET}, root))
    for tree in trees.values():
        compile_tree(tree)
    for _ in range(args.rounds):
        for name, tree in trees.items():
            results[name]["grade"].append(grade(tree, courses[name], first,
                                                submissions[name], out / f"graded-{name}"))
            results[name]["impl"].append(impl_overhead(tree, args.impl_rounds))
    results["disk"] = grade(trees["after"], courses["after"], first, submissions["after"],
                            root / "graded-on-disk")  # the same batch, output on the disk
    classes = {name: course_copy(root / f"class-{i}", tree, GENERATE_STUDENTS)
               for i, (name, tree) in enumerate(trees.items())}  # the target's 1,000, no more
    for assignment in assignments:
        for name, tree in trees.items():
            try:
                results[name]["generate"][assignment] = generate(
                    tree, classes[name], assignment, out / f"release-{name}")
            except SystemExit as error:  # an assignment the old version does not have
                results[name]["generate"][assignment] = str(error).splitlines()[0]
    for name, tree in trees.items():
        generate(tree, classes[name], first, out / f"release-{name}")
    releases = {name: out / f"release-{name}" / first / "s00000" for name in trees}
    pairs: dict[str, list] = {name: [] for name in trees}
    for _ in range(3):  # alternating blocks: load falls on both trees alike
        for name, tree in trees.items():
            pairs[name] += check_pairs(tree, releases[name], args.check_rounds)
    for name in trees:
        results[name]["check"] = check_ratio(pairs[name])
    results["store"] = store_versus_build(course, SECRET.encode())
    if args.nbgrader_notebooks > 1:  # nbgrader's cost is the same for both: after only
        results["after"]["nbgrader"] = per_notebook(args.nbgrader_notebooks)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"git ref (default: {BEFORE})")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check-rounds", type=int, default=9)
    parser.add_argument("--impl-rounds", type=int, default=15)
    parser.add_argument("--memory-counts", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--nbgrader-notebooks", type=int, default=20, help="0: skip")
    parser.add_argument("--quick", action="store_true",
                        help="100 students, memory up to 1,000, 4 notebooks; prints only")
    args = parser.parse_args()
    if args.quick:
        args.students, args.rounds, args.check_rounds, args.impl_rounds = 100, 1, 5, 5
        args.memory_counts, args.nbgrader_notebooks = [100, 1000], 4
    signal.signal(signal.SIGTERM, _interrupted)  # so that the worktree is removed then too
    load = os.getloadavg()[0]
    yardstick = yardstick_seconds()
    fast = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp, \
            tempfile.TemporaryDirectory(prefix="bench-speed-out-", dir=fast) as out, \
            tree_at(args.before) as old:
        results = measure({f"before ({args.before})": old, "after": REPO}, args, Path(tmp),
                          Path(out))
    nb = results["after"].get("nbgrader")
    text = "\n".join([
        SECTION, "",
        f"Measured by `python bench/bench_speed.py{' --quick' if args.quick else ''}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load:.1f} at "
        f"the start, {os.getloadavg()[0]:.1f} at the end; machine yardstick (a pure-Python "
        f"loop of 10**7 additions, best of 3) {yardstick:.2f} s of CPU.  Batch: assignment "
        "1 of the demo "
        f"course, {args.students} submissions, 2 workers, best of {args.rounds} alternating "
        f"rounds; mix per 100: {', '.join(f'{k} {s}' for s, k in MIX)}.  Memory: the same "
        "mix, one `grade` per count into a fresh gradebook, the peak over samples every "
        "0.1 s of the sum of PSS of every process of the tree (`bench_memory.py`).", "",
        table(results, args.students), "",
        *([f"nbgrader: {nb['notebooks']} notebooks of `bench_nbgrader.py` (3 exercises), "
           "nbgrader's marginal cost per extra notebook against ours per notebook with a "
           f"warm sandbox (isolation `{nb['isolation']}`, start {nb['ours_start']:.2f} s "
           "once, CPU figure includes it); after only: nbgrader is the same program for "
           "both, and the older tree's API differs.", ""] if nb else []),
        NOTES.read_text(encoding="utf-8").strip(), ""])
    print(text, flush=True)
    if not args.quick:
        write_section(text)


def yardstick_seconds() -> float:
    """CPU seconds of a fixed pure-Python loop (10**7 additions, best of 3): the
    machine's own speed, so that tables measured on different machines compare
    (machines of this kind have differed by 3x from one session to the next)."""
    best = float("inf")
    for _ in range(3):
        started, total = time.process_time(), 0
        for number in range(10**7):
            total += number
        best = min(best, time.process_time() - started)
    return best


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


if __name__ == "__main__":
    main()
