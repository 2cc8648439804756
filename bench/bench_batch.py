"""Batch benchmarks: grading throughput, grader memory, ``check`` latency, ``generate`` time.

One command from a fresh clone (after the README's install):

    .venv/bin/python bench/bench_batch.py            # prints and rewrites our section
    .venv/bin/python bench/bench_batch.py --quick    # 200 submissions, no RESULTS.md

Synthetic submissions of the demo course's first assignment are written to a
temporary folder: a mix of correct, mistaken, half-right, blank, slow and
malicious hand-ins.  Each grading run happens in a fresh Python process so that its
peak RSS (``ru_maxrss``) is the grader parent's own, measured at 100 and at 1,000
submissions.  Results replace the "Batch throughput" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from results_md import replace_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.authoring.variant import build_assignment_variant, load_course  # noqa: E402
from grader.cli.demo_submissions import PROFILES  # noqa: E402
from grader.model import AssignmentVariant  # noqa: E402

SECRET = b"bench-batch-secret"
SECTION = "## Batch throughput"
SLOW_SECONDS = 0.1
# (profile, share of submissions): most students hand in something reasonable
MIX = (("reference", 40), ("mistaken", 25), ("half-right", 10), ("blank", 10),
       ("slow", 10), ("malicious", 5))


def slow_files(variant: AssignmentVariant) -> dict[str, bytes]:
    """Correct answers behind a module that computes for a while before it is done."""
    files = PROFILES["reference"](variant)
    first = f"{variant.exercises[0].module}.py"
    busy = (f"import time as _t\n_end = _t.perf_counter() + {SLOW_SECONDS}\n"
            "while _t.perf_counter() < _end:\n    pass\n").encode()
    files[first] = busy + files[first]
    return files


def profile_for(index: int) -> Callable[[AssignmentVariant], dict[str, bytes]]:
    """The profile of submission ``index``, cycling through ``MIX`` in blocks of 100."""
    slot = index % 100
    for name, share in MIX:
        if slot < share:
            return slow_files if name == "slow" else PROFILES[name]
        slot -= share
    raise AssertionError("MIX must add up to 100")


def write_submissions(course_path: Path, assignment_id: str, out: Path, count: int) -> None:
    course = load_course(course_path)
    for index in range(count):
        student_id = f"s{index:05d}"
        variant = build_assignment_variant(course, assignment_id, student_id, SECRET)
        folder = out / student_id
        folder.mkdir(parents=True)
        for name, data in profile_for(index)(variant).items():
            (folder / name).write_bytes(data)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def grade_run(course_path: Path, assignment_id: str, submissions: Path, workers: int) -> dict:
    """Run in a fresh process: grade a folder into a new gradebook, report rate and memory."""
    from grader.exports.gradebook import Gradebook
    from grader.grading.batch import grade_batch

    course = load_course(course_path)
    gradebook = submissions.parent / f"gradebook-{submissions.name}.db"
    started = time.perf_counter()
    summary = grade_batch(course=course, assignment_id=assignment_id, submissions_dir=submissions,
                          secret=SECRET, gradebook_path=gradebook, workers=workers, progress=False)
    seconds = time.perf_counter() - started
    with Gradebook(gradebook) as book:
        isolation = sorted({row.isolation for row in book.current(course.course_id,
                                                                   assignment_id)})
    exercises = len(course.assignment(assignment_id).exercises)
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)  # workers, helpers and runs are reaped
    return {"graded": summary.graded, "failed": len(summary.failures), "exercises": exercises,
            "sandbox_runs_per_s": round(summary.graded * exercises / seconds, 1),
            "cpu_ms_per_submission": round(1000 * cpu / max(summary.graded, 1), 1),
            "cores": os.cpu_count(),
            "load_average": os.getloadavg()[0],
            "grader_errors": summary.grader_errors, "seconds": round(seconds, 2),
            "rate": round(summary.graded / seconds, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
            "worker_peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "isolation": isolation, "workers": summary.workers}


def measure_grading(args: argparse.Namespace, root: Path, count: int) -> dict:
    submissions = root / f"submissions-{count}"
    write_submissions(args.course, args.assignment, submissions, count)
    command = [sys.executable, __file__, "--course", str(args.course), "--assignment",
               args.assignment, "--workers", str(args.workers), "--grade-run", str(submissions)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"grading run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli(*arguments: str, cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds one ``cnn-grader`` command takes, as a user would start it."""
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("cnn-grader")), *arguments],
                          cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # check exits 1 when some public test fails
        raise SystemExit(f"cnn-grader {' '.join(arguments)} failed:\n{done.stderr}")
    return seconds


def measure_generate(args: argparse.Namespace, root: Path, students: int) -> float:
    """``generate`` of the assignment for a roster of ``students`` students."""
    roster = root / "roster.csv"
    roster.write_text("student_id,name,email\n" + "".join(
        f"g{i:05d},Student {i},g{i:05d}@example.org\n" for i in range(students)))
    secret_env = load_course(args.course).secret.env
    return cli("generate", "--course", str(args.course), "--assignment", args.assignment,
               "--out", str(root / "release"), "--roster", str(roster), cwd=root,
               env={secret_env: SECRET.decode()} if secret_env else None)


def measure_check(args: argparse.Namespace, root: Path, repeats: int = 7) -> float:
    """Median wall time of ``cnn-grader check`` in one generated release folder."""
    release = root / "release" / args.assignment
    folder = sorted(p for p in release.iterdir() if p.is_dir())[0]
    cli("check", cwd=folder)  # warm the file cache once
    return statistics.median(cli("check", cwd=folder) for _ in range(repeats))


def report(results: dict) -> str:
    big, small = results["grading"][-1], results["grading"][0]
    lines = [
        SECTION, "",
        f"Measured by `python bench/bench_batch.py` on {results['machine']}, "
        f"{results['date']}.  Demo course, assignment `{results['assignment']}`; "
        f"submission mix per 100: {', '.join(f'{n} {s}' for n, s in MIX)} "
        f"(slow = {SLOW_SECONDS} s of computing at import).", "",
        "| measure | target | measured |", "|---|---|---|",
        f"| throughput, {big['graded']} submissions, {big['workers']} workers, isolation "
        f"`{', '.join(big['isolation'])}` | >= 50 /s | {big['rate']} /s ({big['seconds']} s) |",
        f"| `cnn-grader check` latency (median) | < 0.3 s | {results['check']:.3f} s |",
        f"| `cnn-grader generate`, {results['generate_students']} students | < 10 s | "
        f"{results['generate']:.2f} s |",
    ]
    lines += [f"| grader peak RSS, {run['graded']} submissions | flat | parent "
              f"{run['peak_rss_mb']} MB, largest worker {run['worker_peak_rss_mb']} MB |"
              for run in results["grading"]]
    lines += [
        "", f"The assignment has {big['exercises']} exercises; the grader runs all of a "
        "submission's modules in one sandbox child (`Sandbox.run_many`), so "
        f"{big['rate']} submissions/s is {big['sandbox_runs_per_s']} exercise modules/s.  "
        f"Load average when the run ended: {big['load_average']:.1f} "
        "(other work shared the machine).  The whole grading tree (grader, workers, "
        f"sandbox helpers and children) used {big['cpu_ms_per_submission']} ms of CPU per "
        f"submission, so {big['cores']} idle cores would grade about "
        f"{1000 * big['cores'] / big['cpu_ms_per_submission']:.0f} submissions/s.  "
        "Failures (not graded): "
        f"{big['failed']}; results with a grader error: {big['grader_errors']}; "
        f"{small['graded']}-submission run: {small['rate']} /s.  Where the time goes, "
        "figures before and after `run_many`, and what is left: `docs/scaling.md`, section "
        "\"Throughput: where the time goes\"."]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=REPO / "course.yml")
    parser.add_argument("--assignment", default=None, help="default: the first assignment")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="200 submissions, no RESULTS.md")
    parser.add_argument("--grade-run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.course = args.course.resolve()
    args.assignment = args.assignment or load_course(args.course).assignments[0].assignment_id
    if args.grade_run:
        print(json.dumps(grade_run(args.course, args.assignment, args.grade_run, args.workers)))
        return
    counts = (100, 200) if args.quick else (100, 1000)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        root = Path(tmp)
        results = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "assignment": args.assignment,
            "grading": [measure_grading(args, root, count) for count in counts],
            "generate_students": 1000,
            "generate": measure_generate(args, root, 1000),
        }
        results["check"] = measure_check(args, root)
    print(json.dumps(results, indent=2))
    if not args.quick:
        write_section(report(results))


if __name__ == "__main__":
    main()
